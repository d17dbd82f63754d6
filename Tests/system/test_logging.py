"""Logs you can ship (issue 21): `log-format = json` writes one JSON object per line, `access-log = true` logs every
answered request at info with its route template (never the query, which names patients), and a client's
`X-Request-ID` is carried into the request's lines and echoed."""
import http.client
import json
import signal
import subprocess

from lantern_server import BIN, wait_listening


def test_json_access_log_with_the_clients_request_id_and_no_patient_data(tmp_path):
    errors = open(tmp_path / "stderr.log", "w")
    proc = subprocess.Popen(
        [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", str(tmp_path / "data"),
         "--log-format", "json", "--access-log", "true"], stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        port = int(wait_listening(proc)[0].group(4))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/dicomweb/studies?PatientName=SECRETNAME*",
                     headers={"Accept": "application/dicom+json", "X-Request-ID": "trace-42:a.b_c"})
        resp = conn.getresponse()
        resp.read()
        assert resp.getheader("X-Request-ID") == "trace-42:a.b_c"
        conn.request("GET", "/dicomweb/studies", headers={"X-Request-ID": "not a safe id!"})
        resp = conn.getresponse()
        resp.read()
        generated = resp.getheader("X-Request-ID")
        assert generated and generated != "not a safe id!"
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        errors.close()
    text = (tmp_path / "stderr.log").read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines and all({"time", "level", "label", "message"} <= set(line) for line in lines)
    answered = [line for line in lines if line["message"] == "request answered"]
    assert len(answered) == 2
    first = answered[0]
    assert first["level"] == "info" and first["hb.request.id"] == "trace-42:a.b_c"
    assert first["http.route"] == "/dicomweb/studies" and first["http.status"] in ("200", "204")
    assert first["lantern.identity"] == "anonymous"
    assert answered[1]["hb.request.id"] == generated
    assert "SECRETNAME" not in text, "the query names a patient: it is never logged"
    assert any(line["message"].startswith("stopped") for line in lines)
