"""The change feed (issue 21): every instance created and deleted, in order, numbered without gaps, the same
after a restart; `offset` pages through it, `latest` is the newest entry, bad parameters are 400."""
import http.client
import json

from lantern_server import Server
from test_connections import one_instance_body


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def stow(server):
    body, boundary = one_instance_body()
    status, answer = request(server, "POST", "/dicomweb/studies", body, {
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
        "Accept": "application/dicom+json"})
    assert status == 200
    url = json.loads(answer)["00081199"]["Value"][0]["00081190"]["Value"][0]
    return url.split("/studies/")[1].split("/")[0], url.rsplit("/instances/", 1)[1]


def test_creates_and_deletes_in_order_across_a_restart(tmp_path):
    data = str(tmp_path / "data")
    server = Server(data)
    try:
        assert request(server, "GET", "/api/changefeed/latest")[0] == 404
        status, body = request(server, "GET", "/api/changefeed")
        assert (status, json.loads(body)) == (200, [])
        stored = [stow(server) for _ in range(3)]
        assert request(server, "DELETE", f"/dicomweb/studies/{stored[1][0]}")[0] == 204
        status, body = request(server, "GET", "/api/changefeed?limit=200")
        feed = json.loads(body)
        assert [e["Action"] for e in feed] == ["create", "create", "create", "delete"]
        assert [e["Sequence"] for e in feed] == [1, 2, 3, 4]
        assert [e["SopInstanceUid"] for e in feed] == [s[1] for s in stored] + [stored[1][1]]
        assert feed[3]["StudyInstanceUid"] == stored[1][0] and feed[3]["Timestamp"].endswith("Z")
        status, body = request(server, "GET", "/api/changefeed?offset=2&limit=1")
        assert [e["Sequence"] for e in json.loads(body)] == [3]
        for bad in ["offset=-1", "limit=0", "limit=201", "offset=x"]:
            assert request(server, "GET", f"/api/changefeed?{bad}")[0] == 400, bad
    finally:
        server.stop()
    server = Server(data)
    try:
        status, body = request(server, "GET", "/api/changefeed/latest")
        assert status == 200 and json.loads(body)["Sequence"] == 4
        stow(server)
        status, body = request(server, "GET", "/api/changefeed?offset=4")
        assert [e["Sequence"] for e in json.loads(body)] == [5], "numbering goes on after a restart"
    finally:
        server.stop()
