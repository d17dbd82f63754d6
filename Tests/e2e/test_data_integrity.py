"""Stored, but wrong or unreachable (issue 14), over real sockets: STOW refuses UIDs that break PS3.5 §9.1 and
stores nothing of them; RetrieveURLs are percent-encoded paths; an instance whose study belongs to another
patient is refused (default) or stored with a warning and found by its own patient (--patient-conflicts
accept); and an instance whose stored bytes are gone never answers a complete 200 (nor does `lantern
retrieve` write it)."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
import uuid
import warnings
from pathlib import Path

import pydicom
import pytest
import requests
from pydicom.dataelem import DataElement

from cli_support import lantern
from conftest import REQUEST_TIMEOUT, encode, make_instance, new_uid, parse_multipart, stow_raw

FAILED, REFERENCED = "00081198", "00081199"
FAILURE_REASON, WARNING_REASON, ERROR_COMMENT = "00081197", "00081196", "00000902"
RETRIEVE_URL, REF_SOP = "00081190", "00081155"
INVALID_UID = 0xA900
PATIENT_CONFLICT, PATIENT_CONFLICT_WARNING = 0xC409, 0xB409


def first(item: dict, tag: str):
    v = item.get(tag, {}).get("Value")
    return v[0] if v else None


def with_raw_uid(ds, keyword: str, value: str) -> bytes:
    """The instance encoded with `value` written as is into the UI element `keyword` (pydicom would
    otherwise complain about, or pad, what the test needs on the wire)."""
    tag = pydicom.datadict.tag_for_keyword(keyword)
    raw = value.encode("latin-1")
    if len(raw) % 2:
        raw += b"\0"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds[tag] = DataElement(tag, "UI", raw.decode("latin-1"))
        return encode(ds)


def blob_files(data_dir: Path, suffix: str = ".dcm") -> set[Path]:
    return {p for p in (data_dir / "blobs").rglob(f"*{suffix}")} if (data_dir / "blobs").exists() else {
        p for p in data_dir.rglob(f"*{suffix}") if "tmp" not in p.parts}


def instances_of_patient(http, url: str, patient: str) -> list[dict]:
    r = http.get(f"{url}/instances", params={"PatientID": patient}, headers={"Accept": "application/dicom+json"})
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 and r.content else []


# --------------------------------------------------------------------------------------------------
# Invalid UIDs
# --------------------------------------------------------------------------------------------------

INVALID_FORMS = {
    "path-like": "../../etc/passwd",
    "too long": "1." + "2" * 9_999,
    "NUL inside": "1.2.3\0.4",
    "slash": "1.2.3/4",
    "percent": "1.2.3%2F4",
    "backslash": "1.2.3\\4",
    "empty component": "1.2..3",
    "trailing dot": "1.2.3.",
    "letters": "1.2.abc",
    "leading zero": "1.02.3",
}

ATTRIBUTES = {
    "SOPInstanceUID": "SOP Instance UID (0008,0018)",
    "StudyInstanceUID": "Study Instance UID (0020,000D)",
    "SeriesInstanceUID": "Series Instance UID (0020,000E)",
    "SOPClassUID": "SOP Class UID (0008,0016)",
}


@pytest.mark.parametrize("form", INVALID_FORMS, ids=list(INVALID_FORMS))
def test_stow_refuses_an_invalid_sop_instance_uid_and_stores_nothing(server, http, form):
    patient = "UID-" + uuid.uuid4().hex[:8]
    before = blob_files(server.data_dir)
    body = with_raw_uid(make_instance(PatientID=patient), "SOPInstanceUID", INVALID_FORMS[form])
    r = stow_raw(http, server.url, [body])
    assert r.status_code == 409, r.text
    failed = r.json()[FAILED]["Value"]
    assert len(failed) == 1 and first(failed[0], FAILURE_REASON) == INVALID_UID
    comment = first(failed[0], ERROR_COMMENT)
    assert comment.startswith("SOP Instance UID (0008,0018) is not a valid UID"), comment
    # The refused value is not echoed (it may hold anything).
    assert REF_SOP not in failed[0]
    assert instances_of_patient(http, server.url, patient) == []
    assert blob_files(server.data_dir) == before


@pytest.mark.parametrize("keyword", ["StudyInstanceUID", "SeriesInstanceUID", "SOPClassUID"])
@pytest.mark.parametrize("form", ["path-like", "slash", "leading zero", "too long"])
def test_stow_refuses_invalid_study_series_and_class_uids(server, http, keyword, form):
    patient = "UID-" + uuid.uuid4().hex[:8]
    body = with_raw_uid(make_instance(PatientID=patient), keyword, INVALID_FORMS[form])
    r = stow_raw(http, server.url, [body])
    assert r.status_code == 409, r.text
    item = r.json()[FAILED]["Value"][0]
    assert first(item, FAILURE_REASON) == INVALID_UID
    assert first(item, ERROR_COMMENT).startswith(f"{ATTRIBUTES[keyword]} is not a valid UID"), item
    assert instances_of_patient(http, server.url, patient) == []


def test_stow_refuses_invalid_uids_in_metadata_and_bulk_data_requests(server, http):
    """The metadata + bulk data form (PS3.18 §10.5.1.2.2) goes through the same check."""
    patient = "UID-" + uuid.uuid4().hex[:8]
    ds = make_instance(PatientID=patient)
    meta = ds.to_json_dict(bulk_data_element_handler=lambda e: "bulk/pixels")
    meta["00080018"] = {"vr": "UI", "Value": ["../../etc/passwd"]}
    meta["00020010"] = {"vr": "UI", "Value": ["1.2.840.10008.1.2.1"]}
    meta["7FE00010"]["vr"] = "OW"
    boundary = uuid.uuid4().hex
    parts = [
        (b"Content-Type: application/dicom+json\r\n\r\n", json.dumps([meta]).encode()),
        (b"Content-Type: application/octet-stream\r\nContent-Location: bulk/pixels\r\n\r\n", ds.PixelData),
    ]
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + h + p + b"\r\n" for h, p in parts) \
        + b"--" + boundary.encode() + b"--\r\n"
    r = http.post(f"{server.url}/studies", data=body, headers={
        "Content-Type": f'multipart/related; type="application/dicom+json"; boundary={boundary}',
        "Accept": "application/dicom+json"})
    assert r.status_code == 409, r.text
    item = r.json()[FAILED]["Value"][0]
    assert first(item, FAILURE_REASON) == INVALID_UID
    assert first(item, ERROR_COMMENT).startswith("SOP Instance UID (0008,0018) is not a valid UID")
    assert instances_of_patient(http, server.url, patient) == []


@pytest.mark.parametrize("form", ["path-like", "slash", "backslash", "leading zero"])
def test_non_patient_store_refuses_invalid_uids(server, http, form):
    """Color palettes (PS3.18 §12): the SOP Instance UID is checked as for the studies; so is the path's."""
    from test_npi import PALETTES, store
    ds = pydicom.dcmread(PALETTES[0])
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = new_uid()
    r = store(server.url, "color-palettes", [with_raw_uid(ds, "SOPInstanceUID", INVALID_FORMS[form])])
    assert r.status_code == 409, r.text
    item = r.json()[FAILED]["Value"][0]
    assert first(item, FAILURE_REASON) == INVALID_UID
    assert first(item, ERROR_COMMENT).startswith("SOP Instance UID (0008,0018) is not a valid UID")
    r = http.get(f"{server.url}/color-palettes", headers={"Accept": "application/dicom+json"})
    listed = [first(i, "00080018") for i in r.json()] if r.status_code == 200 else []
    assert all(re.fullmatch(r"[0-9.]+", u or "") for u in listed), listed
    ds = pydicom.dcmread(PALETTES[0])
    r = store(server.url, "color-palettes/1.02.3", [encode(ds)])
    assert r.status_code == 400 and "not a valid UID" in r.text


def test_uid_padding_is_not_part_of_the_uid(server, http):
    """A trailing NUL (or space) pads a UI value to even length: stored, and addressed without it."""
    sop = new_uid()
    if len(sop) % 2 == 0:
        sop = sop[:-1]
    ds = make_instance()
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = sop  # pydicom pads it with a NUL
    r = stow_raw(http, server.url, [encode(ds)])
    assert r.status_code == 200, r.text
    assert http.get(f"{server.url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{sop}",
                    headers={"Accept": "application/dicom"}).status_code == 200


@pytest.mark.parametrize("target", ["1.02.3", "abc", "1..2", "1.2.3%2F4", "..%2F..%2Fetc", "1" * 65])
def test_stow_to_a_study_whose_path_is_not_a_uid_is_400(server, http, target):
    ds = make_instance()
    r = stow_raw(http, server.url, [encode(ds)], study=target)
    assert r.status_code == 400, r.text
    assert "not a valid UID" in r.text
    r = http.get(f"{server.url}/studies/{ds.StudyInstanceUID}/series", headers={"Accept": "application/dicom+json"})
    assert r.status_code in (204, 404) or r.json() == [], r.text


def test_retrieve_urls_are_percent_encoded_paths_that_retrieve(server, http):
    ds = make_instance()
    r = stow_raw(http, server.url, [encode(ds)])
    assert r.status_code == 200, r.text
    body = r.json()
    url = first(body[REFERENCED]["Value"][0], RETRIEVE_URL)
    path = urllib.parse.urlsplit(url).path
    segments = path.split("/")
    assert segments[-6:] == ["studies", ds.StudyInstanceUID, "series", ds.SeriesInstanceUID, "instances",
                             ds.SOPInstanceUID]
    # Every segment is already percent-encoded: quoting it again changes nothing.
    assert all(urllib.parse.quote(s, safe="") == s for s in segments[-6:])
    assert first(body, RETRIEVE_URL).endswith(f"/studies/{ds.StudyInstanceUID}")
    got = http.get(url, headers={"Accept": "application/dicom"})
    assert got.status_code == 200 and got.content == encode(ds)


def test_ups_refuses_to_create_a_workitem_under_an_invalid_uid(server, http):
    from test_ups import workitem
    headers = {"Content-Type": "application/dicom+json", "Accept": "application/dicom+json"}
    for wid in ["1.02.3", "..%2F..%2Fetc", "1.2.3%2F4"]:
        r = http.post(f"{server.url}/workitems?workitem={wid}", data=json.dumps([workitem()]), headers=headers)
        assert r.status_code == 400, (wid, r.status_code, r.text)
    item = workitem()
    item["00080018"] = {"vr": "UI", "Value": ["1.2.3\\4"]}
    r = http.post(f"{server.url}/workitems", data=json.dumps([item]), headers=headers)
    assert r.status_code == 400, r.text
    # Nothing was created: a well-formed UID is not found, a malformed one is named as such.
    for wid, status in [("1.02.3", 400), ("1.2.3", 404)]:
        assert http.get(f"{server.url}/workitems/{wid}", headers={"Accept": "application/dicom+json"}).status_code \
            == status


# --------------------------------------------------------------------------------------------------
# Patient conflicts
# --------------------------------------------------------------------------------------------------

def study_attributes(http, url: str, study: str) -> dict:
    r = http.get(f"{url}/studies", params={"StudyInstanceUID": study, "includefield": "all"},
                 headers={"Accept": "application/dicom+json"})
    assert r.status_code == 200, r.text
    return r.json()[0]


def test_an_instance_of_another_patient_is_refused_by_default(server, http):
    study, series = new_uid(), new_uid()
    a = make_instance(study=study, series=series, PatientID="PC-ORIG-7", PatientName="Orig^Patient")
    assert stow_raw(http, server.url, [encode(a)]).status_code == 200
    # Padding is not a difference: the same patient, name padded differently, is stored.
    same = make_instance(study=study, series=series, PatientID="PC-ORIG-7 ", PatientName="Orig^Patient ")
    assert stow_raw(http, server.url, [encode(same)]).status_code == 200
    for attrs in ({"PatientID": "PC-OTHER-9", "PatientName": "Orig^Patient"},
                  {"PatientID": "PC-ORIG-7", "PatientName": "Other^Person"},
                  {"PatientID": "PC-ORIG-7", "PatientName": "Orig^Patient", "IssuerOfPatientID": "ELSEWHERE"}):
        b = make_instance(study=study, series=new_uid(), **attrs)
        r = stow_raw(http, server.url, [encode(b)])
        assert r.status_code == 409, r.text
        item = r.json()[FAILED]["Value"][0]
        assert first(item, FAILURE_REASON) == PATIENT_CONFLICT
        comment = first(item, ERROR_COMMENT)
        assert "another patient" in comment
        # No patient data in the comment, nor in the log.
        for phi in ("PC-OTHER-9", "PC-ORIG-7", "Other", "Orig", "ELSEWHERE"):
            assert phi not in comment and phi not in "".join(server.output)
    st = study_attributes(http, server.url, study)
    assert first(st, "00100020") == "PC-ORIG-7" and first(st, "00201208") == 2
    assert instances_of_patient(http, server.url, "PC-OTHER-9") == []
    assert len(instances_of_patient(http, server.url, "PC-ORIG-7")) == 2


def test_concurrent_instances_of_two_patients_cannot_both_start_one_study(server, http):
    for _ in range(5):
        study = new_uid()
        bodies = [encode(make_instance(study=study, PatientID=f"PC-RACE-{n}")) for n in range(4)]
        results: list[int] = []

        def send(body):
            results.append(stow_raw(requests.Session(), server.url, [body]).status_code)

        threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join(REQUEST_TIMEOUT)
        assert sorted(results) == [200, 409, 409, 409], results
        r = http.get(f"{server.url}/studies/{study}/instances", headers={"Accept": "application/dicom+json"})
        assert r.status_code == 200 and len(r.json()) == 1


def test_accept_policy_stores_with_a_warning_and_keeps_each_patient_searchable(server_factory):
    server = server_factory("--patient-conflicts", "accept")
    http = requests.Session()
    study = new_uid()
    a = make_instance(study=study, PatientID="PC-A-1", PatientName="Alpha^Ann")
    assert stow_raw(http, server.url, [encode(a)]).status_code == 200
    b = make_instance(study=study, PatientID="PC-B-2", PatientName="Beta^Bob")
    r = stow_raw(http, server.url, [encode(b)])
    assert r.status_code == 202, r.text
    item = r.json()[REFERENCED]["Value"][0]
    assert first(item, WARNING_REASON) == PATIENT_CONFLICT_WARNING
    assert "another patient" in first(item, ERROR_COMMENT)
    assert "PC-B-2" not in first(item, ERROR_COMMENT) and "Beta" not in first(item, ERROR_COMMENT)
    # The study keeps its patient, and is still found by it.
    st = study_attributes(http, server.url, study)
    assert first(st, "00100020") == "PC-A-1" and first(st, "00201208") == 2
    assert first(st, "00100010") == {"Alphabetic": "Alpha^Ann"}
    found = http.get(f"{server.url}/studies", params={"PatientID": "PC-A-1"},
                     headers={"Accept": "application/dicom+json"}).json()
    assert [first(s, "0020000D") for s in found] == [study]
    # Each instance is found by its own patient at instance level, and reports it.
    own = instances_of_patient(http, server.url, "PC-B-2")
    assert [first(i, "00080018") for i in own] == [b.SOPInstanceUID]
    assert first(own[0], "00100010") == {"Alphabetic": "Beta^Bob"}
    assert [first(i, "00080018") for i in instances_of_patient(http, server.url, "PC-A-1")] == [a.SOPInstanceUID]
    r = http.get(f"{server.url}/studies/{study}/instances", params={"PatientName": "Beta*"},
                 headers={"Accept": "application/dicom+json"})
    assert [first(i, "00080018") for i in r.json()] == [b.SOPInstanceUID]


# --------------------------------------------------------------------------------------------------
# Missing blobs
# --------------------------------------------------------------------------------------------------

def store_one(http, server, ds) -> tuple[Path, Path]:
    """Stores `ds`; returns its instance blob and its metadata sidecar."""
    before = blob_files(server.data_dir)
    before_meta = blob_files(server.data_dir, ".meta")
    r = stow_raw(http, server.url, [encode(ds)])
    assert r.status_code == 200, r.text
    (blob,) = blob_files(server.data_dir) - before
    (meta,) = blob_files(server.data_dir, ".meta") - before_meta
    return blob, meta


def complete_200(http, url: str, accept: str) -> bool:
    """Whether `url` answers 200 with a body that arrives whole (Content-Length met, or the multipart
    close delimiter present)."""
    try:
        r = http.get(url, headers={"Accept": accept}, stream=True)
        if r.status_code != 200:
            return False
        body = b"".join(r.iter_content(65536))
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
        return False
    length = r.headers.get("Content-Length")
    if length is not None and int(length) != len(body):
        return False
    m = re.search(r'boundary="?([^";,\s]+)"?', r.headers.get("Content-Type", ""))
    if m and not body.rstrip().endswith(b"--" + m.group(1).encode() + b"--"):
        return False
    return True


def test_an_instance_whose_bytes_are_gone_never_answers_200(server_factory):
    server = server_factory()
    http = requests.Session()
    study, series = new_uid(), new_uid()
    a = make_instance(study=study, series=series, InstanceNumber=1, frames=2, rows=64, cols=64)
    b = make_instance(study=study, series=series, InstanceNumber=2)
    blob_a, meta_a = store_one(http, server, a)
    blob_b, _ = store_one(http, server, b)
    base = f"{server.url}/studies/{study}/series/{series}/instances"
    metadata = http.get(f"{base}/{a.SOPInstanceUID}/metadata", headers={"Accept": "application/dicom+json"}).json()
    bulk = metadata[0]["7FE00010"]["BulkDataURI"]
    blob_a.unlink()

    r = http.get(f"{base}/{a.SOPInstanceUID}", headers={"Accept": "application/dicom"})
    assert r.status_code == 500 and "damaged or missing" in r.text, (r.status_code, r.text)
    dicom = 'multipart/related; type="application/dicom"'
    octets = 'multipart/related; type="application/octet-stream"'
    for url, accept in [
        (f"{base}/{a.SOPInstanceUID}", dicom),
        (f"{base}/{a.SOPInstanceUID}", "application/dicom"),
        (f"{server.url}/studies/{study}", dicom),
        (f"{server.url}/studies/{study}/series/{series}", dicom),
        (f"{server.url}/studies/{study}", "application/zip"),
        (f"{base}/{a.SOPInstanceUID}/frames/1", octets),
        (f"{base}/{a.SOPInstanceUID}/frames/1,2", octets),
        (f"{base}/{a.SOPInstanceUID}/frames/1", "application/octet-stream"),
        (f"{base}/{a.SOPInstanceUID}/pixeldata", octets),
        (bulk, octets),
        (f"{base}/{a.SOPInstanceUID}/rendered", "image/png"),
        (f"{base}/{a.SOPInstanceUID}/frames/2/rendered", "image/jpeg"),
        (f"{base}/{a.SOPInstanceUID}/thumbnail", "image/jpeg"),
        (f"{server.url}/studies/{study}/rendered", 'multipart/related; type="image/jpeg"'),
        (f"{server.origin}/wado?requestType=WADO&studyUID={study}&seriesUID={series}&objectUID={a.SOPInstanceUID}"
         "&contentType=application/dicom", "application/dicom"),
        (f"{server.origin}/wado?requestType=WADO&studyUID={study}&seriesUID={series}&objectUID={a.SOPInstanceUID}",
         "*/*"),
    ]:
        assert not complete_200(http, url, accept), (url, accept)
    # The intact instance still answers; its study retrieve (A first) does not end like a complete one.
    assert complete_200(http, f"{base}/{b.SOPInstanceUID}", "application/dicom")
    # Metadata comes from the sidecar while it exists; without it and without the bytes: 500.
    assert complete_200(http, f"{base}/{a.SOPInstanceUID}/metadata", "application/dicom+json")
    meta_a.unlink()
    r = http.get(f"{base}/{a.SOPInstanceUID}/metadata", headers={"Accept": "application/dicom+json"})
    assert r.status_code == 500 and "damaged or missing" in r.text
    assert not complete_200(http, f"{server.url}/studies/{study}/metadata", "application/dicom+json")
    assert not complete_200(http, f"{server.url}/studies/{study}/metadata",
                            'multipart/related; type="application/dicom+xml"')
    # A damaged instance later in a study stream cuts the response (its head is sent by then).
    blob_b.write_bytes(blob_b.read_bytes()[:100])
    c = make_instance(study=study, series=series, InstanceNumber=0)
    store_one(http, server, c)
    assert not complete_200(http, f"{server.url}/studies/{study}", dicom)
    r = http.get(f"{base}/{b.SOPInstanceUID}", headers={"Accept": "application/dicom"})
    assert r.status_code == 500 and "damaged or missing" in r.text
    assert server.proc.poll() is None


def test_cli_retrieve_reports_a_damaged_instance_and_writes_no_file(server_factory, tmp_path):
    server = server_factory()
    http = requests.Session()
    study, series = new_uid(), new_uid()
    good = make_instance(study=study, series=series, InstanceNumber=1)
    bad = make_instance(study=study, series=series, InstanceNumber=2)
    store_one(http, server, good)
    blob, _ = store_one(http, server, bad)
    blob.unlink()
    r = lantern(server.url, "retrieve", study, "-o", str(tmp_path))
    assert r.returncode != 0, r.stdout + r.stderr
    assert f"damaged: {bad.SOPInstanceUID}: server could not read it" in r.stderr, r.stderr
    assert "1 failed" in r.stdout
    assert (tmp_path / study / series / f"{good.SOPInstanceUID}.dcm").read_bytes() == encode(good)
    assert not (tmp_path / study / series / f"{bad.SOPInstanceUID}.dcm").exists()
    one = lantern(server.url, "retrieve", study, series, bad.SOPInstanceUID, "-o", str(tmp_path / "one"))
    assert one.returncode != 0 and f"damaged: {bad.SOPInstanceUID}: server could not read it" in one.stderr
    assert not list((tmp_path / "one").rglob("*.dcm"))
