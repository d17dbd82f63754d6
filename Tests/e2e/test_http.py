"""HTTP-level behaviour: CORS, Expect: 100-continue, malformed multipart bodies, interrupted uploads,
concurrent stores, restart and crash recovery."""

import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (PROCESSING_FAILURE, TimeoutSession, encode, make_client, make_instance, stow_raw,
                      tag_value, tag_values)

ORIGIN = "http://viewer.example.org"
BOUNDARY = b"e2eBoundary42"
MULTIPART = 'multipart/related; type="application/dicom"; boundary=e2eBoundary42'


def part(data: bytes) -> bytes:
    return b"--" + BOUNDARY + b"\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n"


CLOSE = b"--" + BOUNDARY + b"--\r\n"


def exists(http, base, ds) -> bool:
    r = http.get(f"{base}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/"
                 f"{ds.SOPInstanceUID}/metadata")
    assert r.status_code in (200, 404), r.status_code
    return r.status_code == 200


def indexed(client, ds) -> bool:
    return bool(client.search_for_instances(search_filters={"SOPInstanceUID": ds.SOPInstanceUID}))


# ------------------------------------------------------------------------------------------------
# CORS
# ------------------------------------------------------------------------------------------------

def test_cors_preflight(server, http):
    r = http.options(f"{server.url}/studies", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code in (200, 204)
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN)
    methods = {m.strip().upper() for m in r.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert {"GET", "POST", "DELETE"} <= methods
    allowed = {h.strip().lower() for h in r.headers.get("Access-Control-Allow-Headers", "").split(",")}
    assert {"content-type", "accept"} <= allowed or "*" in allowed


def test_cors_on_actual_response(server, http):
    r = http.get(f"{server.url}/studies", headers={"Origin": ORIGIN, "Accept": "application/dicom+json"})
    assert r.status_code in (200, 204)
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN)


def test_cors_exposes_headers_on_actual_response(server, http):
    r = http.get(f"{server.url}/studies", headers={"Origin": ORIGIN, "Accept": "application/dicom+json"})
    exposed = {h.strip().lower() for h in r.headers.get("Access-Control-Expose-Headers", "").split(",")}
    assert {"warning", "etag"} <= exposed


# ------------------------------------------------------------------------------------------------
# Expect: 100-continue
# ------------------------------------------------------------------------------------------------

def read_response_head(sock) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_expect_100_continue(server, client):
    ds = make_instance()
    body = part(encode(ds)) + CLOSE
    head = (f"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: {MULTIPART}\r\nAccept: application/dicom+json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        interim = read_response_head(sock)  # nothing of the body has been sent yet
        assert interim.startswith(b"HTTP/1.1 100"), interim
        rest = interim.split(b"\r\n\r\n", 1)[1]
        sock.sendall(body)
        final = rest
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in final and time.monotonic() < deadline:
            final += sock.recv(65536)
        assert final.startswith(b"HTTP/1.1 200"), final[:200]
    assert client.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID) == ds


def test_expect_100_continue_then_final_status_for_wrong_type(server):
    """A request the server refuses anyway gets its final status (415), after or instead of a 100."""
    head = (f"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: text/plain\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        received = read_response_head(sock)
        assert received.startswith((b"HTTP/1.1 415", b"HTTP/1.1 100")), received
        if received.startswith(b"HTTP/1.1 100"):
            received = received.split(b"\r\n\r\n", 1)[1]
            if not received:  # the final status comes once the body is sent
                sock.sendall(b"x" * 100000)
                received = read_response_head(sock)
        assert received.startswith(b"HTTP/1.1 415"), received


# ------------------------------------------------------------------------------------------------
# Malformed multipart bodies
# ------------------------------------------------------------------------------------------------

def test_missing_closing_boundary(server, client, http):
    """Complete parts before the break are stored; the broken last part is not."""
    a, b, c = make_instance(), make_instance(), make_instance()
    cd = encode(c)
    body = part(encode(a)) + part(encode(b)) + b"--" + BOUNDARY + \
        b"\r\nContent-Type: application/dicom\r\n\r\n" + cd[:len(cd) // 2]
    r = http.post(f"{server.url}/studies", data=body,
                  headers={"Content-Type": MULTIPART, "Accept": "application/dicom+json"})
    assert r.status_code == 202, r.text
    j = r.json()
    assert sorted(tag_value(x, "00081155") for x in tag_values(j, "00081199")) == sorted(
        [a.SOPInstanceUID, b.SOPInstanceUID])
    failed = tag_values(j, "00081198")
    assert len(failed) == 1 and tag_value(failed[0], "00081197") == PROCESSING_FAILURE
    assert exists(http, server.url, a) and exists(http, server.url, b)
    assert not exists(http, server.url, c) and not indexed(client, c)


def test_not_multipart_body(server, http):
    r = http.post(f"{server.url}/studies", data=b"this is not a multipart body",
                  headers={"Content-Type": MULTIPART, "Accept": "application/dicom+json"})
    assert r.status_code == 400


def test_multipart_without_boundary_parameter(server, http):
    r = http.post(f"{server.url}/studies", data=part(encode(make_instance())) + CLOSE,
                  headers={"Content-Type": 'multipart/related; type="application/dicom"'})
    assert r.status_code == 400


def test_truncated_part_is_not_half_stored(server, client, http):
    ds = make_instance()
    data = encode(ds)
    r = http.post(f"{server.url}/studies", data=part(data[:len(data) - 20]) + CLOSE,
                  headers={"Content-Type": MULTIPART, "Accept": "application/dicom+json"})
    assert r.status_code == 409, r.text
    failed = tag_values(r.json(), "00081198")
    assert len(failed) == 1 and tag_value(failed[0], "00081197") == PROCESSING_FAILURE
    assert not exists(http, server.url, ds) and not indexed(client, ds)


def test_part_with_wrong_content_type(server, client, http):
    ds = make_instance()
    body = (b"--" + BOUNDARY + b"\r\nContent-Type: application/json\r\n\r\n{}\r\n") + part(encode(ds)) + CLOSE
    r = http.post(f"{server.url}/studies", data=body,
                  headers={"Content-Type": MULTIPART, "Accept": "application/dicom+json"})
    assert r.status_code in (202, 415), r.text
    if r.status_code == 202:
        assert exists(http, server.url, ds)


def test_interrupted_upload(server, client, http):
    """The client dies mid-body: nothing is stored, the server keeps serving."""
    ds = make_instance()
    body = part(encode(ds)) + CLOSE
    head = (f"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: {MULTIPART}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body[:len(body) // 2])
    time.sleep(0.5)
    assert not exists(http, server.url, ds) and not indexed(client, ds)
    assert http.get(f"{server.url}/studies", params={"limit": 1}).status_code == 200


# ------------------------------------------------------------------------------------------------
# Concurrency, restart, crash
# ------------------------------------------------------------------------------------------------

def test_concurrent_stores(server, client):
    datasets = [make_instance() for _ in range(12)]
    local = threading.local()

    def store(ds):
        if not hasattr(local, "http"):
            local.http = TimeoutSession()
        return stow_raw(local.http, server.url, [encode(ds)]).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(store, datasets)) == [200] * 12
    for ds in datasets:
        assert indexed(client, ds)


def test_restart_keeps_data(server_factory, tmp_path):
    s = server_factory(data_dir=tmp_path / "data")
    ds = make_instance()
    make_client(s.url).store_instances([ds])
    assert s.stop() == 0, "graceful SIGTERM exit"
    s2 = server_factory(data_dir=tmp_path / "data")
    c2 = make_client(s2.url)
    assert c2.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID) == ds
    assert indexed(c2, ds)


def test_crash_recovery(server_factory, tmp_path):
    """SIGKILL right after acknowledged stores: they survive, the server starts again."""
    s = server_factory(data_dir=tmp_path / "data")
    dss = [make_instance() for _ in range(5)]
    http = TimeoutSession()
    for ds in dss:
        assert stow_raw(http, s.url, [encode(ds)]).status_code == 200
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait(10)
    s2 = server_factory(data_dir=tmp_path / "data")
    c2 = make_client(s2.url)
    for ds in dss:
        assert c2.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID) == ds
        assert indexed(c2, ds)


# ------------------------------------------------------------------------------------------------
# Methods
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/studies", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("PATCH", "/studies", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("POST", "/studies/1.2.3/series", {"GET", "HEAD", "OPTIONS"}),
    ("PUT", "/studies/1.2.3/series/4.5/instances/6.7", {"GET", "HEAD", "DELETE", "OPTIONS"}),
    ("GET", "/workitems/1.2.3/state", {"PUT", "OPTIONS"}),
])
def test_known_resource_with_another_method_is_405_with_allow(server, http, method, path, allowed):
    r = http.request(method, server.url + path, headers={"Origin": ORIGIN})
    assert r.status_code == 405, (r.status_code, r.text)
    assert set(m.strip() for m in r.headers["Allow"].split(",")) == allowed
    assert r.headers.get("Access-Control-Allow-Origin") in ("*", ORIGIN)


def test_unknown_resource_is_still_404(server, http):
    assert http.put(server.url + "/no-such-resource").status_code == 404


@pytest.mark.parametrize("path", [
    "/studies/not-a-uid/metadata",
    "/studies/1.2.3/series/1..2/metadata",
    "/studies/1.2.3/series/4.5/instances/abc",
    "/workitems/x%2Fy",
])
def test_malformed_uid_in_a_path_is_400_not_404(server, http, path):
    r = http.get(server.url + path)
    assert r.status_code == 400, (r.status_code, r.text)
    assert "UID" in r.text


def test_well_formed_unknown_uid_is_still_404(server, http):
    assert http.get(server.url + "/studies/1.2.3.999999/metadata").status_code == 404


def test_forwarded_scheme_and_host_only_when_trusted(server, server_factory, http, tmp_path):
    """Behind a TLS proxy the URLs handed out must say https and the proxy's host, but only when the
    operator says the proxy sets the headers: otherwise a client could point them anywhere."""
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "pacs.example.org", "Accept": "application/dicom+json"}
    ds = make_instance()
    conf = tmp_path / "proxy.conf"
    conf.write_text("trust-forwarded-headers = true\n")
    trusting = server_factory("--config", str(conf))
    for s, expected in ((server, None), (trusting, "https://pacs.example.org/dicomweb/studies/")):
        r = stow_raw(http, s.url, [encode(ds)])
        assert r.status_code == 200
        q = http.get(f"{s.url}/studies", params={"StudyInstanceUID": ds.StudyInstanceUID}, headers=forwarded)
        url = q.json()[0]["00081190"]["Value"][0]
        if expected:
            assert url.startswith(expected), url
        else:
            assert url.startswith(s.url), url
    # A forwarded host that is not a host name is ignored.
    q = http.get(f"{trusting.url}/studies", params={"StudyInstanceUID": ds.StudyInstanceUID},
                 headers={"X-Forwarded-Host": "evil.example/x?", "Accept": "application/dicom+json"})
    assert q.json()[0]["00081190"]["Value"][0].startswith(trusting.url)
