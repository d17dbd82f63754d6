"""`GET /metrics` (issue 21): Prometheus text exposition read by a real parser (`prometheus_client`) after a
workload — request counts and durations per route template, instances stored and failed, group commits and
flushes — with no UID or patient value in any label."""
import http.client
import json

from prometheus_client.parser import text_string_to_metric_families

from lantern_server import Server
from test_connections import one_instance_body


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.getheader("Content-Type")
    finally:
        conn.close()


def samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def test_metrics_count_the_workload_without_patient_data(tmp_path):
    server = Server(str(tmp_path / "data"))
    try:
        stored = []
        for _ in range(3):
            body, boundary = one_instance_body()
            status, answer, _ = request(server, "POST", "/dicomweb/studies", body, {
                "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
                "Accept": "application/dicom+json"})
            assert status == 200
            stored.append(json.loads(answer)["00081199"]["Value"][0]["00081155"]["Value"][0])
        body, boundary = one_instance_body()
        broken = body.replace(b"DICM", b"XXXX")
        assert request(server, "POST", "/dicomweb/studies", broken, {
            "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'})[0] == 409
        for _ in range(2):
            assert request(server, "GET", "/dicomweb/studies?PatientName=CONN*")[0] == 200
        assert request(server, "GET", "/dicomweb/studies/1.2.3.4/metadata")[0] == 404
        status, text, content_type = request(server, "GET", "/metrics")
        assert status == 200 and content_type.startswith("text/plain")
        text = text.decode()
        found = samples(text)
        assert sum(v for _, v in found["lantern_instances_stored_total"]) == 3
        assert sum(v for _, v in found["lantern_instances_failed_total"]) == 1
        studies = [(labels, v) for labels, v in found["hb_requests_total"]
                   if labels.get("http_route") == "/dicomweb/studies" and labels.get("http_request_method") == "GET"]
        assert sum(v for _, v in studies) == 2
        assert any(labels.get("http_route") == "/dicomweb/studies/{study}/metadata"
                   and labels.get("http_response_status_code") == "404" for labels, _ in found["hb_requests_total"])
        assert found["http_server_request_duration_count"]
        assert sum(v for _, v in found["lantern_group_commit_instances_count"]) >= 1
        assert found["lantern_blob_flush_duration_count"]
        received = sum(v for _, v in found["lantern_http_received_bytes_total"])
        assert received >= 3 * len(body), "every STOW body crossed the socket"
        assert sum(v for _, v in found["lantern_http_sent_bytes_total"]) > 0
        for uid in stored + ["1.2.3.4"]:
            assert uid not in text, "no UID in a metric"
        assert "CONN" not in text, "no query value in a metric"
    finally:
        server.stop()
