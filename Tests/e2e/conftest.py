"""Shared fixtures and helpers for Lantern's end-to-end suite.

The suite starts the real `lantern serve` binary on a random loopback port with a temporary data folder
and drives it with `dicomweb-client` (and raw HTTP where the library cannot express a request).

Environment:
  LANTERN_BIN     the server binary (default: <repo>/.build/debug/lantern)
  LANTERN_CORPUS  the test corpus folder holding manifest.json and files/ (default: <repo>/../shared/corpus)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

REPO = Path(__file__).resolve().parents[2]
LANTERN_BIN = Path(os.environ.get("LANTERN_BIN", REPO / ".build" / "debug" / "lantern"))
CORPUS = Path(os.environ.get("LANTERN_CORPUS", REPO.parent / "shared" / "corpus"))

START_TIMEOUT = 30.0      # seconds for the server to print its listening line
REQUEST_TIMEOUT = 30.0    # seconds for any single HTTP request
STOP_TIMEOUT = 10.0       # seconds between SIGTERM and SIGKILL

LISTENING = re.compile(r"lantern listening on (http://\S+/dicomweb)")

# Failure reasons (PS3.18 Table I.2-2 / PS3.4 status codes).
PROCESSING_FAILURE = 0xC000
MISSING_ATTRIBUTE = 0xA900   # "Data Set does not match SOP Class" / missing UIDs / study mismatch
DUPLICATE_REFUSED = 0x0111   # duplicate SOP Instance

# Corpus files that cannot be read to the end even though the manifest does not flag them as truncated.
UNREADABLE = {
    "data__test_files__MR_truncated.dcm",           # truncated pixel data
    "data__test_files__rtplan_truncated.dcm",        # truncated in a sequence
    "data__test_files__dicomdirtests__DICOMDIR-nooffset.dcm",  # last item runs past end of file
}

UID_PREFIX = "1.2.826.0.1.3680043.10.1234."  # prefix for the suite's synthetic instances


# --------------------------------------------------------------------------------------------------
# The server process
# --------------------------------------------------------------------------------------------------

class LanternServer:
    """One `lantern serve` process on 127.0.0.1:<random> with its own data folder."""

    def __init__(self, data_dir: Path, *extra: str):
        self.data_dir = Path(data_dir)
        self.extra = list(extra)
        self.proc: Optional[subprocess.Popen] = None
        self.url: Optional[str] = None
        self.output: list[str] = []
        self._lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def start(self) -> "LanternServer":
        binary = wait_for_binary()
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--host", "127.0.0.1", "--port", "0", "--data", str(self.data_dir),
             *self.extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, errors="replace", start_new_session=True,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                raise RuntimeError(f"lantern exited ({self.proc.wait()}) before listening:\n" + "".join(self.output))
            m = LISTENING.search(line)
            if m:
                self.url = m.group(1)
                return self
        self.kill()
        raise RuntimeError(f"lantern did not print its listening line within {START_TIMEOUT}s:\n"
                           + "".join(self.output))

    def _pump(self):
        assert self.proc and self.proc.stdout
        for line in self.proc.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    @property
    def origin(self) -> str:
        return self.url.rsplit("/dicomweb", 1)[0]

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])

    def stop(self) -> Optional[int]:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT. Returns the exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)


_binary_missing = False


def wait_for_binary(timeout: float = 120.0) -> Path:
    """The binary may be replaced by a concurrent rebuild: wait for it to be there and executable
    (once; after a first timeout every later server start fails at once)."""
    global _binary_missing
    deadline = time.monotonic() + (0 if _binary_missing else timeout)
    while True:
        if LANTERN_BIN.is_file() and os.access(LANTERN_BIN, os.X_OK):
            _binary_missing = False
            return LANTERN_BIN
        if time.monotonic() >= deadline:
            _binary_missing = True
            pytest.fail(f"lantern binary not found at {LANTERN_BIN} (set LANTERN_BIN)")
        time.sleep(1.0)


class TimeoutSession(requests.Session):
    """A requests session with a default timeout on every request.

    It also drops any explicit Host header: dicomweb-client 0.59.3 sets `Host: 127.0.0.1` without the
    port on its requests, and the server (rightly) builds RetrieveURL and BulkDataURI values from Host,
    which would then point at port 80. Without the header, requests sends the URL's host:port."""

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        headers = kwargs.get("headers")
        if headers:
            kwargs["headers"] = {k: v for k, v in headers.items() if k.lower() != "host"}
        return super().request(method, url, *args, **kwargs)


def make_client(url: str) -> DICOMwebClient:
    client = DICOMwebClient(url, session=TimeoutSession())
    client.set_http_retry_params(retry=False)
    return client


@pytest.fixture
def server_factory(tmp_path_factory):
    """Starts extra servers with special options; all are stopped at teardown."""
    servers: list[LanternServer] = []

    def start(*extra: str, data_dir: Optional[Path] = None) -> LanternServer:
        d = data_dir or tmp_path_factory.mktemp("lantern-data")
        s = LanternServer(d, *extra).start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    s = LanternServer(tmp_path_factory.mktemp("lantern-session")).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def client(server) -> DICOMwebClient:
    return make_client(server.url)


@pytest.fixture(scope="session")
def http(server) -> TimeoutSession:
    return TimeoutSession()


# --------------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------------

@dataclass
class CorpusFile:
    entry: dict
    path: Path
    data: bytes = field(repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def study(self) -> Optional[str]:
        return self.entry["StudyInstanceUID"]

    @property
    def series(self) -> Optional[str]:
        return self.entry["SeriesInstanceUID"]

    @property
    def sop(self) -> Optional[str]:
        return self.entry["SOPInstanceUID"]

    @property
    def ts(self) -> str:
        return self.entry["transfer_syntax"]

    def dataset(self, **kw) -> Dataset:
        return pydicom.dcmread(io.BytesIO(self.data), **kw)


def load_corpus() -> list[CorpusFile]:
    manifest = CORPUS / "manifest.json"
    if not manifest.is_file():
        pytest.skip(f"corpus not found at {CORPUS} (set LANTERN_CORPUS)", allow_module_level=True)
    files = []
    for entry in json.loads(manifest.read_text())["files"]:
        path = CORPUS / entry["file"]
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
        files.append(CorpusFile(entry, path, data))
    return files


CORPUS_FILES = load_corpus() if (CORPUS / "manifest.json").is_file() else []


def expected_outcomes(files: list[CorpusFile]) -> dict[str, tuple[str, Optional[int]]]:
    """Each file's proper outcome when the corpus is stored in manifest order, one file per request,
    under the default --duplicates accept-identical: ("stored", None) or ("failed", reason)."""
    seen: dict[str, str] = {}
    out = {}
    for f in files:
        e = f.entry
        if not e["has_file_meta"] or "no-meta" in e["categories"] or f.name in UNREADABLE:
            out[f.name] = ("failed", PROCESSING_FAILURE)
        elif e["missing_uids"]:
            out[f.name] = ("failed", MISSING_ATTRIBUTE)
        elif f.sop in seen and seen[f.sop] != e["sha256"]:
            out[f.name] = ("failed", DUPLICATE_REFUSED)
        else:
            seen.setdefault(f.sop, e["sha256"])
            out[f.name] = ("stored", None)
    return out


EXPECTED = expected_outcomes(CORPUS_FILES)


def first_stored(files: list[CorpusFile]) -> list[CorpusFile]:
    """The files whose bytes the server keeps: the first stored file of each SOP Instance UID."""
    seen, out = set(), []
    for f in files:
        if EXPECTED[f.name][0] == "stored" and f.sop not in seen:
            seen.add(f.sop)
            out.append(f)
    return out


STORED_FILES = first_stored(CORPUS_FILES)


@dataclass
class StoreResult:
    status: int
    body: dict
    content_type: str


def stow_raw(http: requests.Session, url: str, parts: list[bytes], study: Optional[str] = None,
             accept: str = "application/dicom+json") -> requests.Response:
    """POST parts as multipart/related; type="application/dicom"."""
    boundary = uuid.uuid4().hex
    body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + p + b"\r\n"
                    for p in parts) + b"--" + boundary.encode() + b"--\r\n"
    target = f"{url}/studies" + (f"/{study}" if study else "")
    return http.post(target, data=body, headers={
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
        "Accept": accept})


@pytest.fixture(scope="session")
def stored_corpus(server, client, http) -> dict[str, StoreResult]:
    """Stores every corpus file, in manifest order, one per request. Files expected to be stored go
    through dicomweb-client's multipart encoder (byte-exact); the others through raw requests since the
    client raises on 409 without exposing the failure body."""
    results = {}
    for f in CORPUS_FILES:
        if EXPECTED[f.name][0] == "stored":
            ds = client._http_post_multipart_application_dicom(f"{server.url}/studies", [f.data])
            results[f.name] = StoreResult(200, ds.to_json_dict(), "application/dicom+json")
        else:
            r = stow_raw(http, server.url, [f.data])
            try:
                body = r.json()
            except ValueError:
                body = {"_text": r.text}
            results[f.name] = StoreResult(r.status_code, body, r.headers.get("Content-Type", ""))
    return results


# --------------------------------------------------------------------------------------------------
# Synthetic instances
# --------------------------------------------------------------------------------------------------

def new_uid() -> str:
    return generate_uid(prefix=UID_PREFIX)


def make_instance(study: Optional[str] = None, series: Optional[str] = None, sop: Optional[str] = None,
                  rows: int = 4, cols: int = 4, frames: int = 1, **attrs) -> Dataset:
    """A small native Explicit VR Little Endian CT-like instance with 16-bit pixel data."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    meta.MediaStorageSOPInstanceUID = sop or new_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID_PREFIX + "1"
    ds = Dataset()
    ds.file_meta = meta
    ds.preamble = b"\x00" * 128  # so that dicomweb-client's plain dcmwrite() makes a Part 10 file
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study or new_uid()
    ds.SeriesInstanceUID = series or new_uid()
    ds.PatientName = "E2E^Synthetic"
    ds.PatientID = "E2E-SYN"
    ds.StudyDate = "20200101"
    ds.StudyTime = "120000"
    ds.Modality = "OT"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.AccessionNumber = ""
    ds.StudyID = "1"
    ds.ReferringPhysicianName = ""
    for k, v in attrs.items():
        setattr(ds, k, v)
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = bytes((i * 7 + 3) % 256 for i in range(rows * cols * 2 * frames))
    return ds


def encode(ds: Dataset) -> bytes:
    b = io.BytesIO()
    ds.save_as(b, enforce_file_format=True)
    return b.getvalue()


def with_own_uids(path) -> Dataset:
    """A corpus file with study, series and SOP Instance UIDs of its own (several corpus files share theirs)."""
    ds = pydicom.dcmread(path)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = pydicom.uid.generate_uid(), pydicom.uid.generate_uid()
    return ds


NS = "{http://dicom.nema.org/PS3.19/models/NativeDICOM}"


def xml_find(node, path: str):
    """ElementTree find on a Native DICOM Model document, with or without its namespace."""
    found = node.find(path)
    if found is None:
        found = node.find("/".join(NS + p if p[0].isalpha() else p for p in path.split("/")))
    return found


def xml_local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def tag_value(item: dict, tag: str):
    """First value of a DICOM JSON attribute, or None."""
    v = item.get(tag, {}).get("Value")
    return v[0] if v else None


def tag_values(item: dict, tag: str) -> list:
    return item.get(tag, {}).get("Value", [])


def parse_multipart(content_type: str, body: bytes) -> list[tuple[dict, bytes]]:
    """Splits a multipart/related body into (headers, payload) parts."""
    m = re.search(r'boundary="?([^";,\s]+)"?', content_type)
    assert m, f"no boundary in {content_type!r}"
    delim = b"--" + m.group(1).encode()
    chunks = body.split(delim)
    assert chunks[-1].strip() in (b"--", b""), "missing close delimiter"
    assert chunks[-1].startswith(b"--"), "missing close delimiter"
    parts = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n")
        head, _, payload = chunk[2:].partition(b"\r\n\r\n")
        assert payload.endswith(b"\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            if line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        parts.append((headers, payload[:-2]))
    return parts
