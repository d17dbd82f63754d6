"""Liveness and readiness probes (`/healthz`, `/readyz`) and the free-space reserve (`min-free-space`): below it
STOW-RS answers 507 before writing anything, `/readyz` answers 503 naming the check, and reads go on."""
import http.client
import json
import os

from lantern_server import Server
from test_connections import one_instance_body


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_a_healthy_server_is_alive_and_ready(tmp_path):
    server = Server(str(tmp_path / "data"))
    try:
        status, headers, body = request(server, "GET", "/healthz")
        assert (status, body) == (200, b"ok\n")
        status, headers, body = request(server, "GET", "/readyz", headers={"Origin": "http://viewer.example"})
        assert status == 200, body
        assert headers.get("Access-Control-Allow-Origin"), "probes pass the CORS middleware too"
        report = json.loads(body)
        assert report["status"] == "ready"
        assert set(report["checks"]) == {"index", "blobs", "free-space"}
        assert all(check["passed"] for check in report["checks"].values())
        assert headers.get("Cache-Control") == "no-store"
    finally:
        server.stop()


def test_below_the_reserve_stores_are_refused_before_writing_and_reads_go_on(tmp_path):
    data = tmp_path / "data"
    # More than any disk here has free: the reserve is never met.
    server = Server(str(data), "--min-free-space", str(10**18))
    try:
        status, _, body = request(server, "GET", "/readyz")
        assert status == 503
        report = json.loads(body)
        assert report["status"] == "not ready"
        assert report["checks"]["index"]["passed"] and report["checks"]["blobs"]["passed"]
        assert not report["checks"]["free-space"]["passed"]
        assert "min-free-space" in report["checks"]["free-space"]["detail"]
        stow, boundary = one_instance_body()
        status, _, body = request(server, "POST", "/dicomweb/studies", body=stow, headers={
            "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
            "Accept": "application/dicom+json"})
        assert status == 507, body
        assert b"min-free-space" in body
        status, _, body = request(server, "GET", "/dicomweb/studies", headers={"Accept": "application/dicom+json"})
        assert status in (200, 204) and not json.loads(body or b"[]"), "reads answer; nothing was stored"
        blobs = data / "blobs"
        assert not any(files for _, _, files in os.walk(blobs)), "no byte was written"
        status, _, _ = request(server, "GET", "/healthz")
        assert status == 200, "alive, though not ready"
    finally:
        server.stop()
