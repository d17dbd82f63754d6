"""The change feed (issue 21): every instance created and deleted, in order, numbered without gaps, the same
after a restart; `offset` pages through it, `latest` is the newest entry, bad parameters are 400."""
import http.client
import json
import subprocess
import time

from lantern_server import BIN, Server
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
        # `lantern watch`: the whole feed, tab-separated, then as JSON lines from an offset.
        url = f"http://127.0.0.1:{server.port}/dicomweb"
        run = subprocess.run([BIN, "watch", "--url", url, "--from", "0", "--no-follow"], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        rows = [line.split("\t") for line in run.stdout.splitlines()]
        assert [(r[0], r[2]) for r in rows] == [("1", "create"), ("2", "create"), ("3", "create"), ("4", "delete"),
                                                 ("5", "create")]
        run = subprocess.run([BIN, "watch", "--url", url, "--from", "3", "--no-follow", "--json"],
                             capture_output=True, text=True, timeout=60)
        assert [json.loads(line)["Sequence"] for line in run.stdout.splitlines()] == [4, 5]
        # Following: a change made after `watch` started is printed.
        follower = subprocess.Popen([BIN, "watch", "--url", url, "--interval", "0.2"], stdout=subprocess.PIPE,
                                    text=True)
        try:
            time.sleep(1.5)
            _, sop = stow(server)
            line = follower.stdout.readline()
            assert line.split("\t")[0] == "6" and line.rstrip("\n").endswith(sop)
        finally:
            follower.kill()
            follower.wait(timeout=10)
    finally:
        server.stop()


def test_entries_older_than_the_retention_are_pruned_and_numbers_never_reused(tmp_path):
    server = Server(str(tmp_path / "data"), "--sweep-interval", "0.5", "--change-feed-retention", "1")
    try:
        stow(server)
        assert request(server, "GET", "/api/changefeed/latest")[0] == 200
        deadline = time.time() + 20
        while time.time() < deadline and request(server, "GET", "/api/changefeed/latest")[0] == 200:
            time.sleep(0.25)
        assert request(server, "GET", "/api/changefeed/latest")[0] == 404, "pruned by a sweep after 1 s"
        stow(server)
        status, body = request(server, "GET", "/api/changefeed/latest")
        assert status == 200 and json.loads(body)["Sequence"] == 2
    finally:
        server.stop()
