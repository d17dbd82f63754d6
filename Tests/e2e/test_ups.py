"""UPS-RS, the Worklist Service (PS3.18 §11, PS3.4 Annex CC), against the real server over real sockets:
create, retrieve, update, search, state changes, cancellation, subscriptions (one workitem, global, filtered,
suspend) and the WebSocket event channel, with events queued for a subscriber that connects late and kept
across a server restart."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from websockets.sync.client import connect

from conftest import REQUEST_TIMEOUT

PUSH = "1.2.840.10008.5.1.4.34.6.1"
GLOBAL = "1.2.840.10008.5.1.4.34.5"
FILTERED = "1.2.840.10008.5.1.4.34.5.1"
JSON = {"Content-Type": "application/dicom+json", "Accept": "application/dicom+json"}

# Tags (PS3.6)
STATE, TRANSACTION, LABEL, PRIORITY = "00741000", "00081195", "00741204", "00741200"
START, READINESS, WORKLIST_LABEL = "00404005", "00404041", "00741202"
PROGRESS_SEQ, PROGRESS, PERFORMED_SEQ = "00741002", "00741004", "00741216"
EVENT_TYPE, AFFECTED_UID, AFFECTED_CLASS = "00001002", "00001000", "00000002"
REASON = "00741238"


def uid() -> str:
    return "2.25." + str(uuid.uuid4().int)


def cs(value):
    return {"vr": "CS", "Value": [value]}


def workitem(label="CT head", **extra) -> dict:
    """A workitem with the Type 1 attributes of PS3.4 Table CC.2.5-3."""
    item = {
        STATE: cs("SCHEDULED"),
        PRIORITY: cs("MEDIUM"),
        LABEL: {"vr": "LO", "Value": [label]},
        START: {"vr": "DT", "Value": ["20261207090000"]},
        READINESS: cs("READY"),
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]},
        "00100020": {"vr": "LO", "Value": ["P-1"]},
        # Type 2, sent empty as conformant creators do: no UPS Assigned report for them.
        "00404025": {"vr": "SQ", "Value": []},
        "00404034": {"vr": "SQ", "Value": []},
    }
    item.update(extra)
    return item


def performed() -> dict:
    """What COMPLETED requires (PS3.4 §CC.2.5.1.1, Final State "P")."""
    code = {"00080100": {"vr": "SH", "Value": ["X"]}, "00080102": {"vr": "SH", "Value": ["99L"]},
            "00080104": {"vr": "LO", "Value": ["x"]}}
    return {PERFORMED_SEQ: {"vr": "SQ", "Value": [{
        "00404028": {"vr": "SQ", "Value": [code]},
        "00404050": {"vr": "DT", "Value": ["20261207091000"]},
        "00404051": {"vr": "DT", "Value": ["20261207092000"]},
        "00404019": {"vr": "SQ", "Value": [code]},
        "00404033": {"vr": "SQ", "Value": []},
    }]}}


class UPS:
    """A small UPS-RS user agent over requests."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def create(self, item: dict, wid: str | None = None, **kw) -> requests.Response:
        query = f"?workitem={wid}" if wid else ""
        return self.http.post(self.url("workitems" + query), data=json.dumps([item]), headers=JSON,
                              timeout=REQUEST_TIMEOUT, **kw)

    def get(self, wid: str, **kw) -> requests.Response:
        return self.http.get(self.url(f"workitems/{wid}"), headers={"Accept": "application/dicom+json"},
                             timeout=REQUEST_TIMEOUT, **kw)

    def update(self, wid: str, changes: dict, transaction: str | None = None) -> requests.Response:
        query = f"?transaction={transaction}" if transaction else ""
        return self.http.post(self.url(f"workitems/{wid}{query}"), data=json.dumps([changes]), headers=JSON,
                              timeout=REQUEST_TIMEOUT)

    def state(self, wid: str, state: str | None, transaction: str | None) -> requests.Response:
        body = {}
        if state:
            body[STATE] = cs(state)
        if transaction:
            body[TRANSACTION] = {"vr": "UI", "Value": [transaction]}
        return self.http.put(self.url(f"workitems/{wid}/state"), data=json.dumps([body]), headers=JSON,
                             timeout=REQUEST_TIMEOUT)

    def cancel(self, wid: str, reason: str | None = None) -> requests.Response:
        body = [{REASON: {"vr": "LT", "Value": [reason]}}] if reason else []
        return self.http.post(self.url(f"workitems/{wid}/cancelrequest"), data=json.dumps(body) if body else b"",
                              headers=JSON, timeout=REQUEST_TIMEOUT)

    def subscribe(self, wid: str, ae: str, query: str = "") -> requests.Response:
        return self.http.post(self.url(f"workitems/{wid}/subscribers/{ae}{query}"), timeout=REQUEST_TIMEOUT)

    def unsubscribe(self, wid: str, ae: str) -> requests.Response:
        return self.http.delete(self.url(f"workitems/{wid}/subscribers/{ae}"), timeout=REQUEST_TIMEOUT)

    def suspend(self, wid: str, ae: str) -> requests.Response:
        return self.http.post(self.url(f"workitems/{wid}/subscribers/{ae}/suspend"), timeout=REQUEST_TIMEOUT)

    def search(self, query: str, **headers) -> requests.Response:
        return self.http.get(self.url("workitems" + query), headers={"Accept": "application/dicom+json", **headers},
                             timeout=REQUEST_TIMEOUT)

    def channel(self, ae: str):
        return connect(self.base.replace("http://", "ws://") + f"/subscribers/{ae}", open_timeout=10)


def value(dataset: dict, tag: str):
    values = dataset.get(tag, {}).get("Value")
    return values[0] if values else None


def warning(response: requests.Response) -> str:
    return response.headers.get("Warning", "")


def receive(ws, count: int, timeout: float = 10.0) -> list[dict]:
    return [json.loads(ws.recv(timeout=timeout)) for _ in range(count)]


def nothing_more(ws, timeout: float = 0.5) -> bool:
    try:
        ws.recv(timeout=timeout)
    except TimeoutError:
        return True
    return False


def summary(event: dict) -> tuple:
    """(event type, workitem, state) of an event report."""
    return (value(event, EVENT_TYPE), value(event, AFFECTED_UID), value(event, STATE))


@pytest.fixture
def ups(server) -> UPS:
    return UPS(server.url)


# --------------------------------------------------------------------------------------------------
# Create, retrieve, search
# --------------------------------------------------------------------------------------------------

def test_create_and_retrieve(ups):
    wid = uid()
    r = ups.create(workitem(), wid)
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith(f"/workitems/{wid}")
    r = ups.get(wid)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/dicom+json")
    [item] = r.json()
    assert value(item, "00080018") == wid and value(item, "00080016") == PUSH
    assert value(item, STATE) == "SCHEDULED" and value(item, LABEL) == "CT head"
    assert value(item, WORKLIST_LABEL) == "LANTERN"          # filled by the SCP
    assert value(item, "00404010")                          # modification date-time set
    assert TRANSACTION not in item
    assert PROGRESS_SEQ in item and PERFORMED_SEQ in item    # created empty (Type 2)
    # The same UID again: 409.
    assert ups.create(workitem(), wid).status_code == 409
    # XML on request, as a multipart/related body of one part.
    r = ups.http.get(ups.url(f"workitems/{wid}"), headers={"Accept": 'multipart/related; type="application/dicom+xml"'})
    assert r.status_code == 200 and "application/dicom+xml" in r.headers["Content-Type"]
    assert b"NativeDicomModel" in r.content and b"CT head" in r.content
    assert ups.get(uid()).status_code == 404


def test_create_uid_forms_and_xml_body(ups):
    # The UID in the body's SOPInstanceUID, in the older AffectedSOPInstanceUID parameter, or generated.
    wid = uid()
    assert ups.create(workitem(**{"00080018": {"vr": "UI", "Value": [wid]}})).status_code == 201
    assert ups.get(wid).status_code == 200
    wid2 = uid()
    r = ups.http.post(ups.url(f"workitems?AffectedSOPInstanceUID={wid2}"), data=json.dumps([workitem()]),
                      headers=JSON)
    assert r.status_code == 201 and ups.get(wid2).status_code == 200
    r = ups.create(workitem())
    assert r.status_code == 201 and "modifications" in warning(r)
    generated = r.headers["Location"].rsplit("/", 1)[1]
    assert generated.startswith("2.25.") and ups.get(generated).status_code == 200
    # A native XML body (PS3.19).
    wid3 = uid()
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM">
<DicomAttribute tag="00404005" vr="DT" keyword="ScheduledProcedureStepStartDateTime"><Value number="1">20261207100000</Value></DicomAttribute>
<DicomAttribute tag="00404041" vr="CS" keyword="InputReadinessState"><Value number="1">READY</Value></DicomAttribute>
<DicomAttribute tag="00741000" vr="CS" keyword="ProcedureStepState"><Value number="1">SCHEDULED</Value></DicomAttribute>
<DicomAttribute tag="00741200" vr="CS" keyword="ScheduledProcedureStepPriority"><Value number="1">HIGH</Value></DicomAttribute>
<DicomAttribute tag="00741204" vr="LO" keyword="ProcedureStepLabel"><Value number="1">XML item</Value></DicomAttribute>
</NativeDicomModel>"""
    r = ups.http.post(ups.url(f"workitems?workitem={wid3}"), data=xml.encode(),
                      headers={"Content-Type": "application/dicom+xml"})
    assert r.status_code == 201, r.text
    assert value(ups.get(wid3).json()[0], LABEL) == "XML item"


@pytest.mark.parametrize("change, status, text", [
    ({STATE: cs("IN PROGRESS")}, 400, "SCHEDULED"),
    ({TRANSACTION: {"vr": "UI", "Value": ["1.2.3"]}}, 400, "Transaction UID"),
    ({LABEL: None}, 400, "ProcedureStepLabel"),
    ({PRIORITY: None, START: None}, 400, "ScheduledProcedureStepPriority"),
    (performed(), 400, "(0074,1216)"),                   # created empty (Table CC.2.5-3)
])
def test_create_refuses_invalid_workitems(ups, change, status, text):
    item = workitem()
    for tag, v in change.items():
        if v is None:
            item.pop(tag)
        else:
            item[tag] = v
    wid = uid()
    r = ups.create(item, wid)
    assert r.status_code == status and text in r.text
    assert ups.get(wid).status_code == 404                 # nothing stored


def test_create_refuses_bad_requests(ups):
    wid = uid()
    assert ups.http.post(ups.url(f"workitems?workitem={wid}"), data=b"{",
                         headers={"Content-Type": "application/dicom+json"}).status_code == 400
    assert ups.http.post(ups.url(f"workitems?workitem={wid}"), data=json.dumps([workitem()]),
                         headers={"Content-Type": "text/plain"}).status_code == 415
    assert ups.http.post(ups.url(f"workitems?workitem={wid}"), data=json.dumps([workitem(), workitem()]),
                         headers=JSON).status_code == 400
    assert ups.create(workitem(), "1.02.x").status_code == 400
    other = workitem(**{"00080018": {"vr": "UI", "Value": [uid()]}})
    assert ups.create(other, wid).status_code == 400        # query and body disagree
    assert ups.get(wid).status_code == 404


def test_search(ups):
    tag = "S" + uuid.uuid4().hex[:8]
    ids = []
    for n in range(5):
        wid = uid()
        ids.append(wid)
        assert ups.create(workitem(f"{tag} {n}"), wid).status_code == 201
    r = ups.search(f"?ProcedureStepLabel={tag}*")
    assert r.status_code == 200
    found = [value(d, "00080018") for d in r.json()]
    assert found == ids                                     # creation order
    assert all(TRANSACTION not in d for d in r.json())
    page = ups.search(f"?ProcedureStepLabel={tag}*&limit=2&offset=1")
    assert [value(d, "00080018") for d in page.json()] == ids[1:3]
    assert "additional results" in warning(page)
    # Every attribute but the Transaction UID is returned (a superset of the Type 1 and 2 return keys).
    only = ups.search(f"?00741204={tag}%203&includefield=00741000")
    [match] = only.json()
    assert value(match, "00080018") == ids[3] and value(match, STATE) == "SCHEDULED"
    assert value(match, PRIORITY) == "MEDIUM" and value(match, "00100020") == "P-1"
    assert ups.search(f"?ProcedureStepLabel={tag}&ProcedureStepState=COMPLETED").status_code == 204
    assert ups.search("?NoSuchParameter=1").status_code == 400
    assert ups.search("?ScheduledProcedureStepStartDateTime=2026-12").status_code == 400
    xml = ups.search(f"?ProcedureStepLabel={tag}*", Accept='multipart/related; type="application/dicom+xml"')
    assert xml.status_code == 200 and xml.content.count(b"NativeDicomModel") == 10


# --------------------------------------------------------------------------------------------------
# State changes, updates and their errors (PS3.4 Table CC.1.1-2)
# --------------------------------------------------------------------------------------------------

def test_state_machine_errors(ups):
    wid = uid()
    tx = uid()
    assert ups.create(workitem(), wid).status_code == 201
    assert ups.state(uid(), "IN PROGRESS", tx).status_code == 404
    r = ups.state(wid, "IN PROGRESS", None)
    assert r.status_code == 400 and "Transaction UID is missing" in warning(r)
    assert ups.state(wid, None, tx).status_code == 400
    assert ups.state(wid, "PAUSED", tx).status_code == 400
    r = ups.state(wid, "COMPLETED", tx)
    assert r.status_code == 409 and "inconsistent" in warning(r)   # not yet IN PROGRESS
    assert ups.state(wid, "SCHEDULED", tx).status_code == 409
    # Updates while SCHEDULED carry no Transaction UID.
    assert ups.update(wid, {LABEL: {"vr": "LO", "Value": ["renamed"]}}).status_code == 200
    assert ups.update(wid, {LABEL: {"vr": "LO", "Value": ["x"]}}, transaction=tx).status_code == 409
    # Claim it.
    assert ups.state(wid, "IN PROGRESS", tx).status_code == 200
    assert TRANSACTION not in ups.get(wid).json()[0]        # the lock stays secret
    r = ups.state(wid, "IN PROGRESS", uid())
    assert r.status_code == 400 and "incorrect" in warning(r)
    assert ups.state(wid, "IN PROGRESS", tx).status_code == 409     # already IN PROGRESS
    r = ups.update(wid, {LABEL: {"vr": "LO", "Value": ["y"]}})
    assert r.status_code == 400 and "claimed" in warning(r)
    assert ups.update(wid, {LABEL: {"vr": "LO", "Value": ["y"]}}, transaction=uid()).status_code == 400
    r = ups.update(wid, {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "X^Y"}]}}, transaction=tx)
    assert r.status_code == 400 and "PatientName" in r.text
    assert ups.update(wid, {STATE: cs("COMPLETED")}, transaction=tx).status_code == 400
    # The Transaction UID may also travel in the body, as in N-SET; two different ones are refused.
    body_tx = {LABEL: {"vr": "LO", "Value": ["z"]}, TRANSACTION: {"vr": "UI", "Value": [tx]}}
    assert ups.update(wid, body_tx, transaction=uid()).status_code == 400
    assert ups.update(wid, body_tx).status_code == 200
    assert value(ups.get(wid).json()[0], LABEL) == "z"
    # COMPLETED needs the performed procedure (final state requirements).
    r = ups.state(wid, "COMPLETED", tx)
    assert r.status_code == 409 and "final state requirements" in r.text
    assert ups.update(wid, performed(), transaction=tx).status_code == 200
    assert ups.state(wid, "COMPLETED", uid()).status_code == 400
    assert ups.state(wid, "COMPLETED", tx).status_code == 200
    r = ups.state(wid, "COMPLETED", tx)
    assert r.status_code == 200 and "already in the requested state of COMPLETED" in warning(r)
    assert ups.state(wid, "CANCELED", tx).status_code == 409
    r = ups.update(wid, {LABEL: {"vr": "LO", "Value": ["late"]}}, transaction=tx)
    assert r.status_code == 400 and "no longer" in r.text
    assert value(ups.get(wid).json()[0], STATE) == "COMPLETED"


def test_owner_cancels(ups):
    wid, tx = uid(), uid()
    assert ups.create(workitem(), wid).status_code == 201
    assert ups.state(wid, "IN PROGRESS", tx).status_code == 200
    assert ups.state(wid, "CANCELED", tx).status_code == 200
    [item] = ups.get(wid).json()
    assert value(item, STATE) == "CANCELED"
    assert value(item[PROGRESS_SEQ]["Value"][0], "00404052")     # cancellation date-time filled by the SCP
    r = ups.state(wid, "CANCELED", tx)
    assert r.status_code == 200 and "CANCELED" in warning(r)
    assert ups.state(wid, "COMPLETED", tx).status_code == 409


# --------------------------------------------------------------------------------------------------
# Subscriptions and the event channel
# --------------------------------------------------------------------------------------------------

def test_event_channel_without_upgrade_is_426(ups):
    r = ups.http.get(ups.url("subscribers/SOMEAE"))
    assert r.status_code == 426 and r.headers["Upgrade"].lower() == "websocket"


def test_live_events_and_cancel_request(ups):
    ae = "LIVE" + uuid.uuid4().hex[:6].upper()
    wid, tx = uid(), uid()
    assert ups.create(workitem(), wid).status_code == 201
    with ups.channel(ae) as ws:
        r = ups.subscribe(wid, ae)
        assert r.status_code == 201
        assert r.headers["Content-Location"] == ups.base.replace("http://", "ws://") + f"/subscribers/{ae}"
        [initial] = receive(ws, 1)
        assert summary(initial) == (1, wid, "SCHEDULED") and value(initial, AFFECTED_CLASS) == PUSH
        assert value(initial, READINESS) == "READY"
        assert ups.state(wid, "IN PROGRESS", tx).status_code == 200
        assert summary(receive(ws, 1)[0]) == (1, wid, "IN PROGRESS")
        progress = {PROGRESS_SEQ: {"vr": "SQ", "Value": [{PROGRESS: {"vr": "DS", "Value": [50]}}]}}
        assert ups.update(wid, progress, transaction=tx).status_code == 200
        [report] = receive(ws, 1)
        assert value(report, EVENT_TYPE) == 3
        assert value(report[PROGRESS_SEQ]["Value"][0], PROGRESS) == 50
        # Another user agent asks for cancellation: the performer hears of it (202), state unchanged.
        r = ups.cancel(wid, "Patient left")
        assert r.status_code == 202
        [asked] = receive(ws, 1)
        assert value(asked, EVENT_TYPE) == 2 and value(asked, REASON) == "Patient left"
        assert value(asked, "00741236") == "LANTERN"
        assert value(ups.get(wid).json()[0], STATE) == "IN PROGRESS"
        # An assignment is reported as UPS Assigned.
        station = {"00404025": {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["ST1"]},
                                                         "00080102": {"vr": "SH", "Value": ["99L"]}}]}}
        assert ups.update(wid, station, transaction=tx).status_code == 200
        assert value(receive(ws, 1)[0], EVENT_TYPE) == 5
        assert ups.state(wid, "CANCELED", tx).status_code == 200
        assert summary(receive(ws, 1)[0]) == (1, wid, "CANCELED")
        assert nothing_more(ws)
    # A final workitem reports nothing more: subscriptions without a Deletion Lock end with it.
    assert ups.unsubscribe(wid, ae).status_code == 404
    # Cancel requests on final workitems.
    r = ups.cancel(wid)
    assert r.status_code == 202 and "already in the requested state of CANCELED" in warning(r)
    done = uid()
    assert ups.create(workitem(), done).status_code == 201
    assert ups.state(done, "IN PROGRESS", tx).status_code == 200
    r = ups.cancel(done)
    assert r.status_code == 409 and "performer cannot be contacted" in warning(r)   # no one subscribed
    assert ups.update(done, performed(), transaction=tx).status_code == 200
    assert ups.state(done, "COMPLETED", tx).status_code == 200
    r = ups.cancel(done)
    assert r.status_code == 409 and "already COMPLETED" in warning(r)
    assert ups.cancel(uid()).status_code == 404


def test_cancel_request_of_scheduled_workitem_cancels_it(ups):
    ae = "SCHED" + uuid.uuid4().hex[:6].upper()
    wid = uid()
    assert ups.create(workitem(), wid).status_code == 201
    assert ups.subscribe(wid, ae).status_code == 201
    assert ups.cancel(wid, "Not needed").status_code == 202
    [item] = ups.get(wid).json()
    assert value(item, STATE) == "CANCELED"
    assert value(item[PROGRESS_SEQ]["Value"][0], REASON) == "Not needed"
    with ups.channel(ae) as ws:
        events = receive(ws, 3)
        assert [summary(e) for e in events] == [(1, wid, "SCHEDULED"), (1, wid, "IN PROGRESS"), (1, wid, "CANCELED")]
        assert value(events[2], REASON) == "Not needed"


def test_lifecycle_with_late_subscriber_across_restart(server_factory, tmp_path):
    """The full lifecycle: a performer claims and completes a workitem while its watcher is offline and the
    server restarts in the middle; the watcher connects late and receives every event in order."""
    data = tmp_path / "ups-data"
    first = server_factory(data_dir=data)
    ups = UPS(first.url)
    ae = "WATCHER"
    wid, tx = uid(), uid()
    assert ups.create(workitem(), wid).status_code == 201
    assert ups.subscribe(wid, ae, "?deletionlock=true").status_code == 201
    assert ups.state(wid, "IN PROGRESS", tx).status_code == 200
    first.stop()

    second = server_factory(data_dir=data)
    ups = UPS(second.url)
    assert value(ups.get(wid).json()[0], STATE) == "IN PROGRESS"
    assert ups.update(wid, performed(), transaction=tx).status_code == 200
    assert ups.state(wid, "COMPLETED", tx).status_code == 200
    with ups.channel(ae) as ws:
        events = receive(ws, 4)
        assert [summary(e) for e in events] == [
            (1, wid, "SCHEDULED"), (1, wid, "IN PROGRESS"),
            (4, GLOBAL, None),                                   # SCP Status Change at the restart
            (1, wid, "COMPLETED"),
        ]
        assert value(events[2], "00741242") == "RESTARTED" and value(events[2], "00741244") == "WARM START"
        assert nothing_more(ws)
    # Delivered events are gone: a second connection gets nothing.
    with ups.channel(ae) as ws:
        assert nothing_more(ws)


def test_global_filtered_suspend_and_unsubscribe(server_factory):
    ups = UPS(server_factory().url)      # a worklist of its own: a global subscription sees every workitem
    everyone = "ALL" + uuid.uuid4().hex[:6].upper()
    ct_only = "CT" + uuid.uuid4().hex[:6].upper()
    tag = uuid.uuid4().hex[:6]
    before = uid()
    assert ups.create(workitem(f"CT {tag} before"), before).status_code == 201
    assert ups.subscribe(GLOBAL, everyone, "?deletionlock=true").status_code == 201
    r = ups.subscribe(FILTERED, ct_only, f"?filter=ProcedureStepLabel=CT%20{tag}*")
    assert r.status_code == 201, r.text
    ct, mr = uid(), uid()
    assert ups.create(workitem(f"CT {tag} head"), ct).status_code == 201
    assert ups.create(workitem(f"MR {tag} knee"), mr).status_code == 201
    with ups.channel(everyone) as ws:
        seen = [summary(e) for e in receive(ws, 3)]
        # With a lock, the global subscription reports the existing workitem at once, then each new one.
        assert seen == [(1, before, "SCHEDULED"), (1, ct, "SCHEDULED"), (1, mr, "SCHEDULED")]
        # Suspended: workitems created later are not followed, the ones subscribed stay.
        assert ups.suspend(GLOBAL, everyone).status_code == 200
        assert ups.suspend(GLOBAL, everyone).status_code == 404
        later = uid()
        assert ups.create(workitem(f"CT {tag} later"), later).status_code == 201
        assert ups.state(ct, "IN PROGRESS", uid()).status_code == 200
        assert summary(receive(ws, 1)[0]) == (1, ct, "IN PROGRESS")
    with ups.channel(ct_only) as ws:
        seen = [summary(e) for e in receive(ws, 3)]
        # The filter matched before (existing, but no lock: no report), head, later; not the MR workitem.
        assert seen == [(1, ct, "SCHEDULED"), (1, later, "SCHEDULED"), (1, ct, "IN PROGRESS")]
        assert nothing_more(ws)
    # Unsubscribing from the worklist ends every workitem subscription of the AE.
    assert ups.unsubscribe(GLOBAL, everyone).status_code == 200
    assert ups.unsubscribe(GLOBAL, everyone).status_code == 404
    assert ups.state(mr, "IN PROGRESS", uid()).status_code == 200
    with ups.channel(everyone) as ws:
        assert nothing_more(ws)
    assert ups.unsubscribe(FILTERED, ct_only).status_code == 200


def test_subscription_errors(ups):
    wid = uid()
    assert ups.create(workitem(), wid).status_code == 201
    assert ups.subscribe(uid(), "NOBODY").status_code == 404
    assert ups.subscribe(wid, "WAY_TOO_LONG_AE_TITLE").status_code == 400
    assert ups.subscribe(wid, "AE", "?deletionlock=maybe").status_code == 400
    assert ups.subscribe(FILTERED, "AE").status_code == 400                    # filter required
    assert ups.subscribe(FILTERED, "AE", "?filter=NoSuchKey=1").status_code == 400
    assert ups.subscribe(GLOBAL, "AE", "?filter=ProcedureStepLabel=x").status_code == 400
    assert ups.unsubscribe(wid, "NEVER").status_code == 404
    assert ups.suspend(wid, "AE").status_code == 400
    # An AE Title with a space, percent-encoded in the path; trailing spaces are not significant.
    assert ups.subscribe(wid, "MY%20AE%20%20").status_code == 201
    with ups.channel("MY%20AE") as ws:
        assert summary(receive(ws, 1)[0]) == (1, wid, "SCHEDULED")
    assert ups.unsubscribe(wid, "MY%20AE").status_code == 200
    assert ups.http.get(ups.url("subscribers/WAY_TOO_LONG_AE_TITLE")).status_code == 400


def test_a_new_channel_supersedes_the_old_one(ups):
    """A client that reconnects while its old connection lingers: the old channel is closed and the reports go
    to the new one, each once."""
    ae = "RECON" + uuid.uuid4().hex[:6].upper()
    wid = uid()
    assert ups.create(workitem(), wid).status_code == 201
    old = ups.channel(ae)
    try:
        assert ups.subscribe(wid, ae).status_code == 201
        assert summary(receive(old, 1)[0]) == (1, wid, "SCHEDULED")
        with ups.channel(ae) as new:
            with pytest.raises(Exception):
                old.recv(timeout=5)                            # closed by the server
            assert ups.state(wid, "IN PROGRESS", uid()).status_code == 200
            assert summary(receive(new, 1)[0]) == (1, wid, "IN PROGRESS")
            assert nothing_more(new)
    finally:
        old.close()


def test_single_xml_document_on_retrieve(ups):
    wid = uid()
    assert ups.create(workitem(), wid).status_code == 201
    r = ups.http.get(ups.url(f"workitems/{wid}"), headers={"Accept": "application/dicom+xml"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/dicom+xml")
    assert r.content.startswith(b"<?xml") and b"SCHEDULED" in r.content


def test_cors_on_worklist(ups):
    r = ups.http.options(ups.url("workitems"), headers={
        "Origin": "http://viewer.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and "POST" in r.headers["Access-Control-Allow-Methods"]
    r = ups.http.post(ups.url(f"workitems?workitem={uid()}"), data=json.dumps([workitem()]),
                      headers={**JSON, "Origin": "http://viewer.example"})
    assert r.status_code == 201 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Location" in r.headers["Access-Control-Expose-Headers"]


def test_shutdown_closes_open_channels(server_factory):
    """SIGTERM with a subscriber connected: the channel is closed cleanly (1000) and the server exits."""
    lantern = server_factory()
    ups = UPS(lantern.url)
    with ups.channel("LEAVING") as ws:
        assert lantern.stop() == 0
        with pytest.raises(Exception) as closed:
            ws.recv(timeout=5)
        assert getattr(closed.value, "rcvd", None) is not None and closed.value.rcvd.code == 1000


def test_search_follows_state_changes_and_updates(ups):
    """Issue 15: a claimed workitem is found by ProcedureStepState=IN PROGRESS, however the client encodes the
    space (`%20`, or `+` as Python's requests and other form encoders send it), and every attribute a state
    change or an update modifies is searchable at once."""
    tag = "Q" + uuid.uuid4().hex[:8]
    wid, other = uid(), uid()
    assert ups.create(workitem(tag), wid).status_code == 201
    assert ups.create(workitem(tag), other).status_code == 201
    txn = uid()
    assert ups.state(wid, "IN PROGRESS", txn).status_code == 200

    def found(**params) -> list:
        r = ups.http.get(ups.url("workitems"), params={"ProcedureStepLabel": tag, **params},
                         headers={"Accept": "application/dicom+json"}, timeout=REQUEST_TIMEOUT)
        assert r.status_code in (200, 204), r.text
        return [] if r.status_code == 204 else [value(d, "00080018") for d in r.json()]

    assert found(ProcedureStepState="IN PROGRESS") == [wid]          # sent as IN+PROGRESS
    assert ups.search(f"?ProcedureStepLabel={tag}&ProcedureStepState=IN%20PROGRESS").json()[0]["00080018"][
        "Value"] == [wid]
    assert found(ProcedureStepState="SCHEDULED") == [other]
    # An update by the owner: label, priority, progress; searchable at once, the old label no longer.
    renamed = tag + " renamed"
    changes = {LABEL: {"vr": "LO", "Value": [renamed]}, PRIORITY: cs("HIGH"),
               PROGRESS_SEQ: {"vr": "SQ", "Value": [{PROGRESS: {"vr": "DS", "Value": [40]}}]}}
    assert ups.update(wid, changes, txn).status_code == 200
    assert found() == [other]
    assert found(ProcedureStepLabel=renamed, ScheduledProcedureStepPriority="HIGH") == [wid]
    assert found(ProcedureStepLabel=renamed, **{"ProcedureStepProgressInformationSequence.ProcedureStepProgress":
                                                "40"}) == [wid]
    assert ups.update(wid, performed(), txn).status_code == 200
    assert ups.state(wid, "COMPLETED", txn).status_code == 200
    assert found(ProcedureStepLabel=renamed, ProcedureStepState="COMPLETED") == [wid]
    assert found(ProcedureStepLabel=renamed, ProcedureStepState="IN PROGRESS") == []
    # A plus sign itself is %2B, which requests sends for "+".
    assert found(ProcedureStepLabel=tag + "+x") == []
