"""HTTPS on `lantern serve` (issue 18, first part): `--tls-cert`/`--tls-key` serve TLS on the port, URLs handed out
are `https`, `Expect: 100-continue` works through TLS, a plain-HTTP client does not take the server down, SIGHUP
loads a new certificate for new connections without dropping the ones open, and a bad certificate is refused at
start in one line."""
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest

from lantern_server import BIN, Server, wait_listening
from test_connections import one_instance_body

def make_certificate(folder, name):
    """A self-signed certificate for 127.0.0.1 (openssl, as an operator would make one); returns (cert, key)."""
    cert, key = os.path.join(folder, name + ".pem"), os.path.join(folder, name + "-key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN=lantern-test-{name}",
         "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class TLSServer(Server):
    """A `lantern serve` with TLS; started here (its line says https), stopped as any Server."""

    def __init__(self, data, cert, key):  # pylint: disable=super-init-not-called
        self.proc = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data, "--tls-cert", cert,
             "--tls-key", key], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        match, _ = wait_listening(self.proc)
        assert match.group(2) == "https", match.group(0)
        self.port = int(match.group(4))

    def connection(self, cafile):
        context = ssl.create_default_context(cafile=cafile)
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=30)


def peer_certificate_subject(port, cafile):
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return dict(x[0] for x in tls.getpeercert()["subject"])["commonName"]


def test_https_store_search_and_urls(tmp_path):
    cert, key = make_certificate(str(tmp_path), "one")
    server = TLSServer(str(tmp_path / "data"), cert, key)
    try:
        body, boundary = one_instance_body()
        conn = server.connection(cert)
        conn.putrequest("POST", "/dicomweb/studies")
        conn.putheader("Content-Type", f'multipart/related; type="application/dicom"; boundary={boundary}')
        conn.putheader("Accept", "application/dicom+json")
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        conn.send(body)
        resp = conn.getresponse()
        answer = json.loads(resp.read())
        assert resp.status == 200, answer
        url = answer["00081190"]["Value"][0]
        assert url.startswith(f"https://127.0.0.1:{server.port}/dicomweb/studies/"), url
        conn.request("GET", "/dicomweb/studies", headers={"Accept": "application/dicom+json"})
        resp = conn.getresponse()
        found = json.loads(resp.read())
        assert resp.status == 200 and len(found) == 1
        assert found[0]["00081190"]["Value"][0].startswith("https://")
        conn.close()
        # A client speaking plain HTTP to the TLS port gets no answer it could take for one, and the server goes on.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as plain:
            plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                reply = plain.recv(100)
            except (ConnectionResetError, socket.timeout):
                reply = b""
            assert not reply.startswith(b"HTTP/1.1 200")
        conn = server.connection(cert)
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"ok\n")
        # The UPS event channel is WSS on the same port, and the subscription names it so.
        conn.request("POST", "/dicomweb/workitems/1.2.840.10008.5.1.4.34.5/subscribers/TLSAE?deletionlock=false",
                     body=b"", headers={"Content-Length": "0"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 201, resp.status
        channel = resp.getheader("Content-Location")
        assert channel == f"wss://127.0.0.1:{server.port}/dicomweb/subscribers/TLSAE", channel
        from websockets.sync.client import connect
        with connect(channel, ssl=ssl.create_default_context(cafile=cert), open_timeout=10) as socket_:
            assert socket_.protocol.state.name == "OPEN"
    finally:
        server.stop()


def test_sighup_reloads_the_certificate_for_new_connections(tmp_path):
    cert, key = make_certificate(str(tmp_path), "one")
    second_cert, second_key = make_certificate(str(tmp_path), "two")
    # Files the server reads; replaced in place as an operator (or certbot) would.
    live_cert, live_key = str(tmp_path / "live.pem"), str(tmp_path / "live-key.pem")
    for source, target in ((cert, live_cert), (key, live_key)):
        with open(source, "rb") as f, open(target, "wb") as g:
            g.write(f.read())
    server = TLSServer(str(tmp_path / "data"), live_cert, live_key)
    try:
        assert peer_certificate_subject(server.port, cert) == "lantern-test-one"
        kept = server.connection(cert)
        kept.request("GET", "/healthz")
        assert kept.getresponse().read() == b"ok\n"
        for source, target in ((second_cert, live_cert), (second_key, live_key)):
            with open(source, "rb") as f, open(target, "wb") as g:
                g.write(f.read())
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        subject = None
        while time.time() < deadline:
            try:
                subject = peer_certificate_subject(server.port, second_cert)
                break
            except ssl.SSLError:
                time.sleep(0.1)
        assert subject == "lantern-test-two"
        kept.request("GET", "/healthz")
        assert kept.getresponse().read() == b"ok\n", "the connection opened before the reload goes on"
        # A broken file on the next SIGHUP keeps the current certificate.
        with open(live_key, "w") as g:
            g.write("not a key")
        server.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert peer_certificate_subject(server.port, second_cert) == "lantern-test-two"
    finally:
        server.stop()


@pytest.mark.parametrize("case", ["missing-key", "unreadable", "mismatch"])
def test_a_certificate_that_cannot_be_used_is_refused_at_start(tmp_path, case):
    cert, key = make_certificate(str(tmp_path), "one")
    _, other_key = make_certificate(str(tmp_path), "two")
    args = {"missing-key": ["--tls-cert", cert],
            "unreadable": ["--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", key],
            "mismatch": ["--tls-cert", cert, "--tls-key", other_key]}[case]
    run = subprocess.run([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", str(tmp_path / "data"),
                          *args], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    said = run.stdout + run.stderr
    assert ("tls-cert and tls-key go together" in said if case == "missing-key" else "TLS" in said), said
    assert "listening" not in said
