"""Starts and stops a real `lantern serve` process for the system tests (crash, memory)."""
import os
import re
import signal
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("LANTERN_BIN", os.path.join(REPO, ".build", "debug", "lantern"))
if not os.path.isabs(BIN):
    BIN = os.path.join(REPO, BIN)


LISTENING = re.compile(r"lantern listening on ((https?)://([0-9.]+):(\d+)/dicomweb)")


def wait_listening(proc, timeout=30):
    """Reads `proc`'s standard output up to the line that says where it listens: returns that line's match
    (groups: service root, scheme, host, port) and the lines read; kills the process and raises when it ends or
    the timeout passes first."""
    lines = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = LISTENING.search(line)
        if match:
            return match, lines
    proc.kill()
    raise RuntimeError("lantern serve did not start: " + "".join(lines))


class Server:
    """One server on 127.0.0.1 with a random port and the given data folder."""

    def __init__(self, data, *args):
        self.data = data
        self.proc = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data, "--log-level", "warning", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        match, _ = wait_listening(self.proc)
        self.base, self.port = match.group(1), int(match.group(4))

    def status_kb(self, field):
        """A kB figure of /proc/PID/status: VmHWM (peak resident), VmRSS (resident now)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def peak_rss_kb(self):
        return self.status_kb("VmHWM")

    def rss_kb(self):
        return self.status_kb("VmRSS")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
