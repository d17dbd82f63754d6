"""The life of a `lantern serve` process (issue 16): settings from the command line, the environment and a
configuration file in that order of precedence, unknown `LANTERN_*` variables, and the graceful stop of the
ServiceGroup on SIGTERM and SIGINT (requests in progress end, exit 0, the data-folder lock released)."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from lantern_server import BIN, Server, wait_listening
from test_connections import one_instance_body



def clean_environment(**variables):
    """The test's environment without any LANTERN_ variable, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env.update(variables)
    return env


def start(args, env):
    """Starts `lantern serve ARGS` and returns the process and the (host, port) it listens on."""
    proc = subprocess.Popen([BIN, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    match, lines = wait_listening(proc)
    return proc, (match.group(3), int(match.group(4))), lines


def stop(proc, sig=signal.SIGTERM, timeout=10):
    """Sends `sig` and returns the exit status and the seconds the process took to exit."""
    began = time.monotonic()
    proc.send_signal(sig)
    try:
        status = proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    return status, time.monotonic() - began


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_idle_server_stops_at_once_with_status_0_and_frees_the_folder(sig):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        env = clean_environment()
        proc, _, _ = start(["--host", "127.0.0.1", "--port", "0", "--data", data], env)
        status, seconds = stop(proc, sig)
        rest = proc.stdout.read()
        assert status == 0, rest
        assert seconds < 5, f"took {seconds:.1f} s to stop"
        assert "stopped" in rest, rest
        # The lock went with the process: a second server takes the same folder.
        again, _, _ = start(["--host", "127.0.0.1", "--port", "0", "--data", data], env)
        assert stop(again)[0] == 0


def test_a_request_in_progress_ends_before_the_server_stops():
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(os.path.join(tmp, "data"))
        try:
            body, boundary = one_instance_body()
            with socket.create_connection(("127.0.0.1", server.port), timeout=20) as conn:
                conn.sendall(b"POST /dicomweb/studies HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/related; "
                             + f'type="application/dicom"; boundary={boundary}\r\n'.encode()
                             + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:200])
                time.sleep(0.5)
                server.proc.send_signal(signal.SIGTERM)
                time.sleep(1)
                assert server.proc.poll() is None, "the server stopped before the request in progress ended"
                conn.sendall(body[200:])
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer
            assert server.proc.wait(timeout=10) == 0
        finally:
            server.stop()


def test_the_command_line_beats_the_environment_which_beats_the_file():
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "lantern.conf")
        with open(conf, "w") as f:
            f.write("host = 127.0.0.3\nport = 0\ndata = " + os.path.join(tmp, "from-file") + "\n")
        env = clean_environment(LANTERN_CONFIG=conf, LANTERN_HOST="127.0.0.2", LANTERN_DATA=os.path.join(tmp, "env"))
        # The environment over the file: host and data folder.
        proc, (host, _), _ = start([], env)
        assert stop(proc)[0] == 0
        assert host == "127.0.0.2"
        assert os.path.isdir(os.path.join(tmp, "env")) and not os.path.exists(os.path.join(tmp, "from-file"))
        # The command line over both.
        proc, (host, _), _ = start(["--host", "127.0.0.1"], env)
        assert stop(proc)[0] == 0
        assert host == "127.0.0.1"
        # The file over the default (127.0.0.1, port 8080).
        proc, (host, _), _ = start(["--config", conf], clean_environment())
        assert stop(proc)[0] == 0
        assert host == "127.0.0.3"


def test_a_misspelt_variable_is_refused_and_an_unknown_one_is_a_warning():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "never-created")
        result = subprocess.run([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data],
                                env=clean_environment(LANTERN_MAX_CONECTIONS="10"),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "LANTERN_MAX_CONECTIONS" in result.stderr and "LANTERN_MAX_CONNECTIONS" in result.stderr, result.stderr
        assert not os.path.exists(data)
        # A bad value names its source.
        result = subprocess.run([BIN, "serve", "--host", "127.0.0.1", "--data", data],
                                env=clean_environment(LANTERN_PORT="99999"), capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and "invalid port 99999" in result.stderr and "LANTERN_PORT" in result.stderr
        assert not os.path.exists(data)
        # Another program's variable is a warning; the client's own are not mentioned.
        proc, _, lines = start(["--host", "127.0.0.1", "--port", "0", "--data", os.path.join(tmp, "data")],
                               clean_environment(LANTERN_SOMETHING_ELSE="1", LANTERN_URL="http://x"))
        assert stop(proc)[0] == 0
        output = "".join(lines) + proc.stdout.read()
        assert "LANTERN_SOMETHING_ELSE" in output, output
        assert "LANTERN_URL" not in output, output


def test_help_and_reference_come_from_the_table():
    help_text = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, timeout=60).stdout
    reference = subprocess.run([BIN, "serve", "--print-config-reference"], capture_output=True, text=True,
                               timeout=60).stdout
    rows = [line for line in reference.splitlines() if line.startswith("| `") or line.startswith("| (")]
    assert len(rows) >= 23
    for row in rows:
        option = re.search(r"`(--[a-z-]+)`", row).group(1)
        variable = re.search(r"`(LANTERN_[A-Z_]+)`", row).group(1)
        assert option in help_text and variable in help_text, row
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "docs", "server.md")) as f:
        assert reference in f.read()
