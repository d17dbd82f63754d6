"""Connections and processes that must not hold or harm the server (issue 14): the data-folder lock between two
processes, a port that cannot be bound, recovery after a clean stop, idle / slow / stalled connections, the
connection cap, malformed or oversized request heads, and the descriptor leak of early answers on closing
connections. Every check is over a real socket against the built binary."""
import http.client
import os
import re
import select
import socket
import subprocess
import tempfile
import time

import pytest

from lantern_server import BIN, Server

# Short timeouts so that the waits below stay in seconds; the defaults are in docs/server.md.
GUARD_CONFIG = """
idle-timeout = 1.5
header-timeout = 1
body-timeout = 1
max-connections = 64
"""


def write_config(folder, text):
    path = os.path.join(folder, "lantern.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


@pytest.fixture(scope="module")
def guarded():
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(os.path.join(tmp, "data"), "--config", write_config(tmp, GUARD_CONFIG))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def default_limits():
    """A server on the default timeouts (a minute or more): only the linger after a closing answer can close
    the connections of the descriptor tests within their wait."""
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(os.path.join(tmp, "data"))
        try:
            yield server
        finally:
            server.stop()


def search_ok(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/dicomweb/studies?limit=1")
        response = conn.getresponse()
        response.read()
        return response.status in (200, 204)
    finally:
        conn.close()


def connect(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return s


def read_response(s, timeout=10):
    """Everything the server sends until it closes (or `timeout`), as bytes."""
    s.settimeout(timeout)
    chunks = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def status_of(raw):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


def closed_by_server(s, within):
    """Whether the server closes `s` within `within` seconds (EOF or reset)."""
    s.setblocking(False)
    deadline = time.time() + within
    while time.time() < deadline:
        ready, _, _ = select.select([s], [], [], max(0.0, deadline - time.time()))
        if ready:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                return True
            except BlockingIOError:
                continue
            if not data:
                return True
    return False


def settled_sockets(server):
    """The server's PID and its open sockets once a search has been answered and the connection let go."""
    assert search_ok(server)
    time.sleep(0.3)
    return server.proc.pid, fd_count(server.proc.pid)


def assert_sockets_return_to(pid, before, within):
    """Waits up to `within` seconds for the server's open sockets to come back to `before`."""
    deadline = time.time() + within
    while time.time() < deadline and fd_count(pid) > before:
        time.sleep(0.5)
    assert fd_count(pid) <= before, (before, fd_count(pid))


def fd_count(pid):
    """The server's open sockets (connections and listener): files it opens lazily, such as the index's
    reader connections, do not count."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


# ------------------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------------------

def test_second_server_on_the_same_folder_is_refused_and_harms_nothing():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        first = Server(data)
        try:
            # Store something, so there is data the second process could harm.
            body, boundary = one_instance_body()
            conn = http.client.HTTPConnection("127.0.0.1", first.port, timeout=30)
            conn.request("POST", "/dicomweb/studies", body=body,
                         headers={"Content-Type": f"multipart/related; type=\"application/dicom\"; boundary={boundary}"})
            assert conn.getresponse().status == 200
            conn.close()
            blobs_before = sorted(walk(os.path.join(data, "blobs")))
            second = subprocess.run(
                [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data],
                capture_output=True, text=True, timeout=60)
            assert second.returncode != 0
            message = second.stdout + second.stderr
            assert "in use" in message and f"PID {first.proc.pid}" in message, message
            assert len(message.strip().splitlines()) == 1, message
            assert sorted(walk(os.path.join(data, "blobs"))) == blobs_before
            assert first.proc.poll() is None
            assert search_ok(first)
        finally:
            first.stop()
        # Once the first has stopped, the folder is free again.
        again = Server(data)
        try:
            assert search_ok(again)
        finally:
            again.stop()


def test_a_port_that_cannot_be_bound_fails_before_touching_the_data_folder():
    with socket.socket() as taken, tempfile.TemporaryDirectory() as tmp:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        data = os.path.join(tmp, "never-created")
        result = subprocess.run(
            [BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--data", data],
            capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        message = (result.stdout + result.stderr).strip()
        assert len(message.splitlines()) == 1, message
        assert f"cannot listen on 127.0.0.1:{port}" in message and "in use" in message, message
        assert not os.path.exists(data)


def test_a_clean_stop_leaves_nothing_to_recover():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        server = Server(data)
        body, boundary = one_instance_body()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", "/dicomweb/studies", body=body,
                     headers={"Content-Type": f"multipart/related; type=\"application/dicom\"; boundary={boundary}"})
        assert conn.getresponse().status == 200
        conn.close()
        server.stop()
        assert server.proc.returncode == 0
        # The next start, at info level, says nothing about recovery.
        proc = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = []
            deadline = time.time() + 30
            while time.time() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if "listening" in line:
                    break
            assert any("listening" in line for line in lines), lines
            assert not any("recover" in line for line in lines), lines
        finally:
            proc.terminate()
            proc.wait(timeout=20)


# ------------------------------------------------------------------------------------------------------
# Connections
# ------------------------------------------------------------------------------------------------------

def test_idle_connections_are_closed_and_the_server_keeps_answering(guarded):
    idle = [connect(guarded) for _ in range(40)]
    try:
        assert search_ok(guarded)
        time.sleep(1.6)
        assert all(closed_by_server(s, 3) for s in idle)
        assert search_ok(guarded)
    finally:
        for s in idle:
            s.close()


def test_slow_request_heads_get_408_and_close(guarded):
    slow = [connect(guarded) for _ in range(20)]
    try:
        for s in slow:
            s.sendall(b"GET /dicomweb/studies HTTP/1.1\r\nHost: x\r\n")
        # A header byte now and then never completes the head within the header timeout.
        for _ in range(3):
            time.sleep(0.4)
            for s in slow:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
        assert search_ok(guarded)
        statuses = [status_of(read_response(s, 5)) for s in slow]
        assert statuses == [408] * len(slow), statuses
    finally:
        for s in slow:
            s.close()


def test_a_stalled_body_gets_408(guarded):
    s = connect(guarded)
    try:
        s.sendall(b"POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Type: application/dicom\r\n"
                  b"Content-Length: 100000\r\n\r\n" + b"\0" * 1000)
        assert status_of(read_response(s, 6)) == 408
    finally:
        s.close()


def test_keep_alive_requests_are_not_cut_by_the_idle_timeout(guarded):
    conn = http.client.HTTPConnection("127.0.0.1", guarded.port, timeout=10)
    try:
        for _ in range(3):
            conn.request("GET", "/dicomweb/studies?limit=1")
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 204)
            time.sleep(0.5)
    finally:
        conn.close()


def test_the_connection_cap_answers_503_and_frees_up():
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(os.path.join(tmp, "data"), "--config", write_config(tmp, "max-connections = 4\n"))
        held = [connect(server) for _ in range(4)]
        try:
            time.sleep(0.3)
            extra = connect(server)
            raw = read_response(extra, 5)
            extra.close()
            assert status_of(raw) == 503, raw[:200]
            assert b"max-connections" in raw
        finally:
            for s in held:
                s.close()
        try:
            time.sleep(0.3)
            assert search_ok(server)
        finally:
            server.stop()


@pytest.mark.parametrize("name,request_bytes,expected", [
    ("1 MB header line", b"GET /dicomweb/studies HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n", 431),
    ("1,100 header fields", b"GET /dicomweb/studies HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-H%d: v\r\n" % i for i in range(1100)) + b"\r\n", 431),
    ("a query over 100 KB", b"GET /dicomweb/studies?PatientID=" + b"1" * 110_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("Content-Length and Transfer-Encoding", b"POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\nContent-Type: application/dicom\r\n\r\n0\r\n\r\n", 400),
    ("negative Content-Length", b"POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
    ("2^64 Content-Length", b"POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", 400),
    ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", 400),
])
def test_malformed_or_oversized_heads_are_answered(guarded, name, request_bytes, expected):
    s = connect(guarded)
    try:
        try:
            s.sendall(request_bytes)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the answer may come before the whole head is sent
        raw = read_response(s, 10)
        assert status_of(raw) == expected, (name, raw[:300])
        assert b"connection: close" in raw.lower()
    finally:
        s.close()
    assert search_ok(guarded)


def test_early_answers_on_closing_connections_leak_no_descriptor(default_limits):
    """A 415 to a `Connection: close` request whose body is larger than the socket buffers: the server answers
    before reading the body; it must then close the connection itself, not wait for the client forever."""
    pid, before = settled_sockets(default_limits)
    clients = []
    try:
        for _ in range(10):
            s = connect(default_limits)
            s.sendall(b"POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                      b"Connection: close\r\nContent-Length: 67108864\r\n\r\n")
            s.setblocking(False)
            chunk = b"\0" * 65536
            sent = 0
            deadline = time.time() + 5
            while sent < 8 << 20 and time.time() < deadline:  # until the buffers are full
                try:
                    sent += s.send(chunk)
                except BlockingIOError:
                    _, writable, _ = select.select([], [s], [], 0.2)
                    if not writable:
                        break
                except (BrokenPipeError, ConnectionResetError):
                    break
            clients.append(s)  # kept open, never closed by the client
        # The server answers, drains for its linger time, then closes; the clients still hold their sockets.
        assert_sockets_return_to(pid, before, within=15)
        assert search_ok(default_limits)
    finally:
        for s in clients:
            s.close()


def test_a_closing_connection_is_closed_by_the_server_even_if_the_client_never_closes(default_limits):
    """After the answer to a `Connection: close` request the server half-closes; a client that keeps its side
    open must not keep the server's descriptor."""
    pid, before = settled_sockets(default_limits)
    clients = []
    try:
        for _ in range(10):
            s = connect(default_limits)
            s.sendall(b"GET /dicomweb/studies?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            clients.append(s)
        for s in clients:
            assert status_of(read_response(s, 5)) in (200, 204)
        assert_sockets_return_to(pid, before, within=12)
    finally:
        for s in clients:
            s.close()


# ------------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------------

def walk(folder):
    for root, _, files in os.walk(folder):
        for name in files:
            yield os.path.relpath(os.path.join(root, name), folder)


def one_instance_body():
    import io

    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientID = "CONN-1"
    ds.Modality = "OT"
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    boundary = "connboundary"
    body = (f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + buffer.getvalue()
            + f"\r\n--{boundary}--\r\n".encode())
    return body, boundary


def test_an_unknown_configuration_key_is_refused_at_start():
    """A typo in the configuration file must not leave the server running on defaults nobody chose."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "never-created")
        conf = write_config(tmp, "# limits\nidle-timeout = 5\nmax-conections = 10\n")
        result = subprocess.run([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data,
                                 "--config", conf], capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        message = (result.stdout + result.stderr).strip()
        assert 'line 3: unknown key "max-conections"' in message, message
        assert not os.path.exists(data)
        bad_level = write_config(tmp, "log-level = verbose\n")
        result = subprocess.run([BIN, "serve", "--port", "0", "--data", data, "--config", bad_level],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and "log-level" in result.stderr
