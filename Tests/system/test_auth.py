"""API keys and per-route permissions (issue 18): `lantern keys create|list|revoke`, `auth = api-key`, 401 with
`WWW-Authenticate` without (or with a bad or revoked) key, 403 naming the missing permission, every route of the
generated OpenAPI document refused without credentials, the WebSocket upgrade authenticated by header or
`access_token`, probes and CORS preflights open; and the safe default: no authentication, no address beyond
loopback unless allow-anonymous."""
import http.client
import json
import subprocess

import pytest

from lantern_server import BIN, Server
from test_connections import one_instance_body


def keys(data, *args):
    run = subprocess.run([BIN, "keys", *args, "--data", data], capture_output=True, text=True, timeout=60)
    return run.returncode, run.stdout.strip(), run.stderr.strip()


def call(server, method, path, token=None, body=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("auth") / "data")
    first = Server(data)  # creates the index, then stops: keys are made offline as well as online
    first.stop()
    tokens = {}
    for name, roles in [("reader", "read"), ("writer", "read,write"), ("janitor", "delete"), ("scheduler", "worklist")]:
        code, out, err = keys(data, "create", name, "--roles", roles)
        assert code == 0, err
        assert out.startswith("lantern_") and len(out) > 40
        tokens[name] = out
    server = Server(data, "--auth", "api-key")
    yield server, data, tokens
    server.stop()


def stow(server, token):
    body, boundary = one_instance_body()
    return call(server, "POST", "/dicomweb/studies", token, body, {
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
        "Accept": "application/dicom+json"})


def test_without_a_key_every_route_is_refused_with_www_authenticate(secured):
    server, _, tokens = secured
    status, _, body = call(server, "GET", "/openapi.json", tokens["reader"])
    assert status == 200
    paths = json.loads(body)["paths"]
    checked = 0
    for path, operations in paths.items():
        concrete = ("" if path.startswith("/wado") else "/dicomweb") + (path.replace("{study}", "1.2.3").replace("{series}", "1.2.4").replace("{instance}", "1.2.5")
                    .replace("{frames}", "1").replace("{workitem}", "1.2.6").replace("{aetitle}", "AE")
                    .replace("{uid}", "1.2.7").replace("{tag}", "00100010"))
        for method in operations:
            if method.upper() not in ("GET", "POST", "PUT", "DELETE"):
                continue
            declared = operations[method]
            assert declared["x-lantern-permission"] in ("read", "write", "delete", "worklist", "admin"), path
            assert {"apiKey": []} in declared["security"], path
            status, headers, _ = call(server, method.upper(), concrete, None, b"" if method != "get" else None)
            assert status == 401, f"{method.upper()} {path}: {status}"
            assert headers.get("www-authenticate", "").startswith("Bearer"), path
            checked += 1
    assert checked > 30
    for path in ["/dicomweb", "/dicomweb/studies"]:
        assert call(server, "OPTIONS", path)[0] == 401, "the capabilities need read"
    assert call(server, "GET", "/wado?requestType=WADO&studyUID=1&seriesUID=2&objectUID=3")[0] == 401
    assert call(server, "GET", "/api/changefeed")[0] == 401
    assert call(server, "GET", "/api/changefeed", tokens["reader"])[0] == 200


def test_probes_and_preflights_need_no_key(secured):
    server, _, _ = secured
    assert call(server, "GET", "/healthz")[0] == 200
    assert call(server, "GET", "/readyz")[0] == 200
    status, headers, _ = call(server, "OPTIONS", "/dicomweb/studies", headers={
        "Origin": "http://viewer.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert status in (200, 204) and headers.get("access-control-allow-origin")


def test_each_key_gets_its_permissions_and_nothing_more(secured):
    server, _, tokens = secured
    status, _, body = stow(server, tokens["reader"])
    assert status == 403 and b"'write'" in body
    status, _, body = stow(server, tokens["writer"])
    assert status == 200, body
    study = json.loads(body)["00081199"]["Value"][0]["00081190"]["Value"][0].split("/studies/")[1].split("/")[0]
    status, _, body = call(server, "GET", "/dicomweb/studies", tokens["reader"], headers={"Accept": "application/dicom+json"})
    assert status == 200 and len(json.loads(body)) == 1
    assert call(server, "DELETE", f"/dicomweb/studies/{study}", tokens["writer"])[0] == 403
    assert call(server, "GET", "/dicomweb/workitems", tokens["reader"])[0] == 403
    assert call(server, "GET", "/dicomweb/workitems", tokens["scheduler"])[0] in (200, 204)
    # The command-line client with --token.
    url = f"http://127.0.0.1:{server.port}/dicomweb"
    query = subprocess.run([BIN, "query", "studies", "--url", url, "--token", tokens["reader"], "--json"],
                           capture_output=True, text=True, timeout=60)
    assert query.returncode == 0, query.stderr
    assert study in query.stdout
    refused = subprocess.run([BIN, "query", "studies", "--url", url, "--json"], capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode != 0 and "401" in refused.stdout + refused.stderr
    assert call(server, "DELETE", f"/dicomweb/studies/{study}", tokens["janitor"])[0] == 204


def test_a_wrong_or_revoked_key_is_refused_and_the_request_body_never_invited(secured):
    server, data, tokens = secured
    status, headers, _ = call(server, "GET", "/dicomweb/studies", "lantern_not-a-key")
    assert status == 401 and 'error="invalid_token"' in headers["www-authenticate"]
    # A key in the URL counts only on a WebSocket upgrade, never on an ordinary request.
    for headers in ({}, {"Upgrade": "websocket"}):
        try:
            status = call(server, "GET", f"/dicomweb/studies?access_token={tokens['reader']}", headers=headers)[0]
        except http.client.RemoteDisconnected:
            status = None  # an upgrade request the WebSocket library drops: nothing served either
        assert status in (401, None), headers
    code, out, _ = keys(data, "create", "temporary", "--roles", "read,write")
    assert code == 0
    assert call(server, "GET", "/dicomweb/studies", out, headers={"Accept": "application/dicom+json"})[0] in (200, 204)
    code, listed, _ = keys(data, "list")
    assert "temporary\tread,write" in listed and "valid" in listed and out not in listed
    assert keys(data, "revoke", "temporary")[0] == 0
    status, headers, _ = call(server, "GET", "/dicomweb/studies", out)
    assert status == 401, "revoked: refused from the next request on, without a restart"
    # A STOW refused for its credentials is answered before the client sends the body (no 100 Continue).
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/dicomweb/studies")
    conn.putheader("Content-Type", 'multipart/related; type="application/dicom"; boundary=x')
    conn.putheader("Content-Length", "100000000")
    conn.putheader("Expect", "100-continue")
    conn.putheader("Authorization", f"Bearer {tokens['reader']}")
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 403
    conn.close()
    assert keys(data, "create", "temporary", "--roles", "read")[0] != 0, "names are unique, even revoked"
    assert keys(data, "create", "bad", "--roles", "read,superuser")[0] != 0


def test_the_event_channel_authenticates_its_upgrade(secured):
    server, _, tokens = secured
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    url = f"ws://127.0.0.1:{server.port}/dicomweb/subscribers/AUTHAE"
    # A declined upgrade is answered 400 by the WebSocket library (hummingbird-websocket writes no reason);
    # the same resource asked without the upgrade says why.
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=10)
    assert refused.value.response.status_code == 400
    assert call(server, "GET", "/dicomweb/subscribers/AUTHAE")[0] == 401
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=10, additional_headers={"Authorization": f"Bearer {tokens['reader']}"})
    assert refused.value.response.status_code == 400
    assert call(server, "GET", "/dicomweb/subscribers/AUTHAE", tokens["reader"])[0] == 403
    with pytest.raises(InvalidStatus):
        connect(url + "?access_token=lantern_wrong", open_timeout=10)
    with connect(url, open_timeout=10, additional_headers={"Authorization": f"Bearer {tokens['scheduler']}"}):
        pass
    with connect(url + f"?access_token={tokens['scheduler']}", open_timeout=10):
        pass


def test_an_open_event_channel_ends_when_its_key_is_revoked(secured):
    server, data, _ = secured
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect
    code, key, _ = keys(data, "create", "watcher", "--roles", "worklist")
    assert code == 0
    url = f"ws://127.0.0.1:{server.port}/dicomweb/subscribers/WATCHAE"
    with connect(url, open_timeout=10, additional_headers={"Authorization": f"Bearer {key}"}) as channel:
        assert keys(data, "revoke", "watcher")[0] == 0
        with pytest.raises(ConnectionClosed) as closed:
            channel.recv(timeout=30)  # the server checks every 5 s
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_no_authentication_means_loopback_only_unless_allowed(tmp_path):
    run = subprocess.run([BIN, "serve", "--host", "0.0.0.0", "--port", "0", "--data", str(tmp_path / "data")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    said = run.stdout + run.stderr
    assert "without authentication" in said and "allow-anonymous" in said
    assert not (tmp_path / "data" / "index.sqlite").exists(), "refused before touching the data folder"
    run = subprocess.run([BIN, "serve", "--auth", "oidc", "--port", "0", "--data", str(tmp_path / "data")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "auth must be" in run.stdout + run.stderr
