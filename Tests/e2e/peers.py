"""Real peer servers for the client tests, on loopback with free ports, each in its own folder:
Orthanc with its DICOMweb plugin (Debian `orthanc`, `orthanc-dicomweb`), and nginx (`nginx-light`) as a TLS
and authentication front of a Lantern server. Scripts/install-deps.sh installs both."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30, context=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}):\n{log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2, context=context)
            return
        except urllib.error.HTTPError:
            return  # it answers (401 from an authenticating proxy, say)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class Orthanc:
    """Orthanc 1.10 + DICOMweb plugin; refuses remote clients (RemoteAccessAllowed false)."""

    def __init__(self, folder: Path):
        if shutil.which("Orthanc") is None:
            pytest.fail("Orthanc is not installed: run Scripts/install-deps.sh")
        listing = subprocess.run(["dpkg", "-L", "orthanc-dicomweb"], capture_output=True, text=True).stdout
        plugin = next((line for line in listing.splitlines() if line.endswith("libOrthancDicomWeb.so")), None)
        assert plugin, "the orthanc-dicomweb plugin is not installed"
        self.port = free_port()
        (folder / "storage").mkdir(parents=True)
        (folder / "index").mkdir()
        config = {
            "Name": "LANTERN-CLI-TEST", "StorageDirectory": str(folder / "storage"),
            "IndexDirectory": str(folder / "index"), "Plugins": [plugin], "HttpPort": self.port,
            "RemoteAccessAllowed": False, "AuthenticationEnabled": False, "DicomServerEnabled": False,
            "HttpDescribeErrors": True, "SaveJobs": False,
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": False},
        }
        (folder / "orthanc.json").write_text(json.dumps(config))
        self.log = folder / "orthanc.log"
        self.proc = subprocess.Popen(["Orthanc", str(folder / "orthanc.json")], stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/dicom-web"
        wait_for(self.url + "/studies", self.proc, self.log)

    def stop(self):
        stop(self.proc)


class TLSProxy:
    """nginx in front of `upstream` (a service root): https with a self-signed certificate for 127.0.0.1, one
    port asking for basic credentials and one for a bearer token."""

    USER, PASSWORD, TOKEN = "cli", "s3cret pass", "t0k3n-abc"

    def __init__(self, folder: Path, upstream: str):
        for tool in ("nginx", "openssl"):
            if shutil.which(tool) is None:
                pytest.fail(f"{tool} is not installed: run Scripts/install-deps.sh")
        folder.mkdir(parents=True, exist_ok=True)
        self.cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(self.cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        (folder / "htpasswd").write_text(f"{self.USER}:{{PLAIN}}{self.PASSWORD}\n")
        self.basic_port, self.bearer_port = free_port(), free_port()
        origin = upstream.rsplit("/dicomweb", 1)[0]
        common = f"""
            ssl_certificate {self.cert}; ssl_certificate_key {key};
            client_max_body_size 0; proxy_request_buffering off; proxy_buffering off;
            proxy_http_version 1.1; proxy_set_header Host $host:$server_port;"""
        # Workers run as `nobody` when nginx starts as root, and could not read the test's private folder.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = f"""
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{self.basic_port} ssl; {common}
        location /dicomweb/ {{
            auth_basic "lantern"; auth_basic_user_file {folder}/htpasswd;
            proxy_pass {origin};
        }}
    }}
    server {{
        listen 127.0.0.1:{self.bearer_port} ssl; {common}
        location /dicomweb/ {{
            if ($http_authorization != "Bearer {self.TOKEN}") {{ return 401; }}
            proxy_pass {origin};
        }}
    }}
}}
"""
        (folder / "nginx.conf").write_text(conf)
        self.log = folder / "error.log"
        self.proc = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g",
                                      "daemon off;"], stdout=subprocess.DEVNULL, stderr=self.log.open("a"),
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.basic_url = f"https://127.0.0.1:{self.basic_port}/dicomweb"
        self.bearer_url = f"https://127.0.0.1:{self.bearer_port}/dicomweb"
        import ssl
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        wait_for(self.basic_url + "/studies", self.proc, self.log, context=insecure)

    def stop(self):
        stop(self.proc)
