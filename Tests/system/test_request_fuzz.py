"""A fuzzer over the whole request surface (issue 14: one request must never take the server down).

One server, a few small stored instances (single-frame, multi-frame, one with a bulk data element), the route
table read from the server's own `/openapi.json` (generated from ServiceDescription.swift) plus WADO-URI, then
requests over every route and method with a fixed seed: real and bad UIDs, integers that overflow, frame lists,
the rendering and paging parameters, Range and Accept headers with odd values, odd Content-Types and small
random bodies. The known overflow requests run first, as fixed cases.

Every response must arrive within a per-request timeout, none may be a 5xx other than 503 (nothing stored here
is damaged, so no 500 is legitimate), the process must stay alive, and after the run the server must still
answer a QIDO-RS search. A failing request is minimized (headers, query items and body removed while it still
fails, on a restarted server when it killed the process) before it is reported.

Environment: LANTERN_FUZZ_REQUESTS (random requests, default 18000: about a minute on two cores with a debug
build), LANTERN_FUZZ_SEED (default 14), LANTERN_FUZZ_TIMEOUT (seconds per request, default 30).
"""
import copy
import http.client
import io
import json
import os
import random
import socket
import struct
import subprocess
import threading
import time
import urllib.parse
from collections import deque

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from lantern_server import Server, REPO

CORPUS = os.environ.get("LANTERN_CORPUS", os.path.join(os.path.dirname(REPO), "shared", "corpus"))
COUNT = int(os.environ.get("LANTERN_FUZZ_REQUESTS", "18000"))
SEED = int(os.environ.get("LANTERN_FUZZ_SEED", "14"))
TIMEOUT = float(os.environ.get("LANTERN_FUZZ_TIMEOUT", "30"))
# Rendering in a debug build is slow: the fuzz server renders at most 1024 × 1024 (the default is 4096 × 4096;
# the bound itself is what is under test, not its default).
SERVER_ARGS = ("--max-rendered-pixels", str(1024 * 1024), "--max-parts", "200")
MINIMIZE_SECONDS = 120

# ----------------------------------------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------------------------------------

HUGE = ["9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
        "9223372036854774808", "99999999999999999999", "-1", "-9223372036854775808", "-9223372036854775809",
        "1e400", "0", "1", "2", "00000000000000000000001", "65536", "4294967296", "nan", "", " 1", "+1", "0x10",
        "1.5", "3", "100", "16384", "16385"]
BAD_UIDS = ["1.2.3", "x", "..", "1..2", "0.0", "1.2.3.", ".1", "1" * 65, "1." + "2" * 200, "a%2Fb", "%00", "-1",
            "9223372036854775808", "1,2", "1.2.840.10008.5.1.4.34.5", "*", "%2e%2e", "1\\2", "~", "1 2"]
FRAME_LISTS = ["1", "2", "1,2", "2,1,2", "0", "-1", "1,0,-1,99999999999999999999", "9223372036854775807",
               "9223372036854775808", "18446744073709551616", "1e400", ",", "1,,2", " 1", "1 ", "+1", "",
               "1," * 200 + "1", "4", "5", "3,3,3"]
AE_TITLES = ["FUZZ", "A" * 16, "A" * 17, "%20FUZZ%20", "%00", "a%2Fb", "%25", "LANTERN", "\\\\", "ae\\x"]
MEDIA = ["application/dicom", "application/dicom+json", "application/dicom+xml", "application/json",
         "application/octet-stream", "image/jpeg", "image/png", "image/gif", "image/jls", "image/jp2",
         "image/jphc", "image/dicom-rle", "video/mp4", "video/mpeg", "application/pdf", "text/xml",
         "application/zip", "text/plain", "*/*", "image/*", "application/*", "multipart/related"]
ACCEPTS = [
    "*/*", "image/png;q=1e400", "*/*;q=-1", "image/jpeg;q=0", "image/jpeg;q=0.0001, image/png;q=0.00001",
    "application/dicom;q=0.5;transfer-syntax=*", 'multipart/related; type="application/dicom"',
    'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.4.50',
    'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.70',
    'multipart/related; type="image/jp2"; transfer-syntax=1.2.840.10008.1.2.4.91; q=0.3',
    'multipart/related; type="application/dicom"; transfer-syntax=9223372036854775808',
    "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.5", "application/octet-stream;transfer-syntax=",
    "image/png;q=1;q=0", "image/jpeg;q=.5", "image/jpeg;q=1.0000001", "image/jpeg;q=NaN", "text/html",
    'multipart/related; type="', "multipart/related; type=image/gif; boundary=x", "a/b/c", ";;;,,,", "*",
    ", ".join(MEDIA), "image/jpeg;" + "x=y;" * 200, "application/dicom+json; charset=iso-8859-1",
    "application/zip; transfer-syntax=*", "video/mp4;q=0.9, */*;q=0.1",
]
RANGES = ["bytes=0-", "bytes=-0", "bytes=0-0", "bytes=1-0", "bytes=-1", "bytes=0-18446744073709551616",
          "bytes=-18446744073709551616", "bytes=18446744073709551615-",
          "bytes=18446744073709551615-18446744073709551615",
          "bytes=9223372036854775807-9223372036854775808", "bytes=-9223372036854775808", "bytes=0-1,2-3",
          "bytes=a-b", "bytes=--1", "bytes= 5 - 9 ", "items=0-1", "bytes=99999999999999999999999-",
          "bytes=0-99999999999999999999999"]
TRANSFER_SYNTAXES = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99",
                     "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80",
                     "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
                     "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.5",
                     "1.2.840.10008.1.2.4.110", "*", "x", "1.2.3"]
VIEWPORTS = ["64,64", "1,1", "16,16", "128,128", "300,20", "16384,16384", "16385,1", "0,0", "-1,5",
             "9223372036854775807,1", "18446744073709551616,1", "64,64,0,0,32,32", "64,64,,,,", "64,64,1e400,0,1,1",
             "64,64,0,0,-1e308,5", "64,64,0,0,1e-300,1e-300", "64,64,1e308,1e308,1,1", "64,64,0,0,-64,-64",
             "1024,1024", "1025,1024", "16384,16", "64", "64,64,1,1", "nan,nan", "64,64,nan,0,1,1",
             "64,64,0,0,0,5", "64,64,-1,0,5,5"]
WINDOWS = ["40,400,linear", "1e400,1,linear", "0,0,linear", "nan,1,sigmoid", "1,-1,linear-exact",
           "a,b,c", "9223372036854775808,9223372036854775808,linear", "1,1e-320,sigmoid", "1,1e308,linear-exact",
           "1,1", "-1e308,1e308,sigmoid"]
REGIONS = ["0,0,1,1", "0,0,1e400,1", "0.5,0.5,0.25,0.25", "-0,0,1,1", "nan,0,1,1", "0,0,0.0000001,0.0000001",
           "0,0,1", "0.999999,0.999999,1,1", "1,1,1,1"]
MATCH_KEYS = {
    "PatientName": ["*", "A*", "?" * 64, "^", "=", "\\\\", "D" * 2000],
    "StudyDate": ["20200101-20201231", "99999999-", "-00000000", "20201301", "2020", "-", "19000101-99991231"],
    "StudyTime": ["000000-235959.999999", "25", "120000.9999999999"],
    "InstanceNumber": HUGE,
    "NumberOfFrames": HUGE,
    "00200013": HUGE,
    "Modality": ["CT", "MR\\CT", "", "*"],
    "00100020": ["x", "*", "P-1"],
    "AccessionNumber": ["", "?"],
    "StudyInstanceUID": BAD_UIDS,
    "SeriesInstanceUID": BAD_UIDS,
    "SOPInstanceUID": BAD_UIDS,
    "ProcedureStepState": ["SCHEDULED", "x"],
    "ScheduledProcedureStepStartDateTime": ["20261207090000-", "99999999999999.999999+9999"],
    "ReferencedRequestSequence.AccessionNumber": ["x"],
    "00081111.00081150": ["1.2"],
}
JSON_BODIES = [b"{}", b"[]", b"[{}]", b"null", b"[null]", b'"x"', b"[" * 200 + b"]" * 200,
               b"[" * 5000, b'[{"00081199":{"vr":"SQ","Value":[' * 5000,
               b'[{"00100010":{"vr":"PN","Value":[{"Alphabetic":"x"}]}}]',
               b'[{"00741000":{"vr":"CS","Value":["9223372036854775808"]}}]',
               b'[{"00280010":{"vr":"US","Value":[18446744073709551616]}}]',
               b'[{"00280010":{"vr":"US","Value":[1e400]}}]', b'[{"7FE00010":{"vr":"OB","BulkDataURI":"x"}}]',
               b'[{"00081199":{"vr":"SQ","Value":[' + b"{}," * 100 + b"{}]}}]",
               b'[{"00741200":{"vr":"CS","Value":["HIGH"]}, "00741000":{"vr":"CS","Value":["IN PROGRESS"]}}]',
               b'{"00081195":{"vr":"UI","Value":["1.2.3"]},"00741000":{"vr":"CS","Value":["COMPLETED"]}}']
XML_BODIES = [b"<NativeDicomModel/>", b"<NativeDicomModel>", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>',
              b'<NativeDicomModel><DicomAttribute tag="00280010" vr="US"><Value number="99999999999999999999">1'
              b"</Value></DicomAttribute></NativeDicomModel>", b"<" * 3000,
              b"<NativeDicomModel>" + b'<DicomAttribute tag="00081199" vr="SQ"><Item number="1">' * 5000]


# ----------------------------------------------------------------------------------------------------------
# Instances
# ----------------------------------------------------------------------------------------------------------

def part10(ds):
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def make_instances():
    """(study, series, sop, bytes) for: CT single-frame, a 4-frame native MR, an instance with a large
    Encapsulated Document (bulk data besides Pixel Data), and a victim the fuzzer may delete."""
    out = []
    ct = pydicom.dcmread(os.path.join(CORPUS, "files", "data__test_files__CT_small.dcm"))
    study = generate_uid()
    ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SOPInstanceUID = study, generate_uid(), generate_uid()
    ct.file_meta.MediaStorageSOPInstanceUID = ct.SOPInstanceUID
    out.append(ct)

    mf = Dataset()
    mf.file_meta = FileMetaDataset()
    mf.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    mf.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    mf.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    mf.SOPInstanceUID = generate_uid()
    mf.file_meta.MediaStorageSOPInstanceUID = mf.SOPInstanceUID
    mf.StudyInstanceUID, mf.SeriesInstanceUID = study, generate_uid()
    mf.PatientName, mf.PatientID, mf.Modality, mf.InstanceNumber = ct.PatientName, ct.PatientID, "MR", 1
    mf.Rows, mf.Columns, mf.NumberOfFrames = 32, 32, 4
    mf.SamplesPerPixel, mf.PhotometricInterpretation = 1, "MONOCHROME2"
    mf.BitsAllocated, mf.BitsStored, mf.HighBit, mf.PixelRepresentation = 16, 12, 11, 0
    mf.FrameTime = "1e300"
    mf.PixelData = bytes(random.Random(1).randrange(256) for _ in range(32 * 32 * 2 * 4))
    out.append(mf)

    bulk = copy.deepcopy(ct)
    bulk.StudyInstanceUID, bulk.SeriesInstanceUID, bulk.SOPInstanceUID = generate_uid(), generate_uid(), generate_uid()
    bulk.file_meta.MediaStorageSOPInstanceUID = bulk.SOPInstanceUID
    bulk.add_new(0x00420011, "OB", bytes(range(256)) * 32)  # Encapsulated Document, 8 KB
    bulk.add_new(0x00880200, "SQ", [])
    out.append(bulk)

    victim = copy.deepcopy(ct)
    victim.StudyInstanceUID, victim.SeriesInstanceUID, victim.SOPInstanceUID = (
        generate_uid(), generate_uid(), generate_uid())
    victim.file_meta.MediaStorageSOPInstanceUID = victim.SOPInstanceUID
    out.append(victim)
    return [(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID, part10(ds)) for ds in out]


def box(kind, body):
    return struct.pack(">I", len(body) + 8) + kind.encode() + body


def mp4(frames=10, entries=None, width=64, height=48):
    """An MP4 file with one H.264 track (as Tests/ArchiveTests/BulkIngestVideoTests.swift), its `stts`
    entries given as (count, delta) pairs and its entry count as written (which may lie)."""
    be32, be16 = (lambda v: struct.pack(">I", v & 0xFFFFFFFF)), (lambda v: struct.pack(">H", v & 0xFFFF))
    entries = entries if entries is not None else [(frames, 1001)]
    tkhd = box("tkhd", b"\0\0\0\3" + bytes(72) + be32(width << 16) + be32(height << 16))
    mdhd = box("mdhd", b"\0" * 4 + be32(0) + be32(0) + be32(30000) + be32(frames * 1001) + b"\x55\xc4\0\0")
    hdlr = box("hdlr", b"\0" * 4 + be32(0) + b"vide" + bytes(12) + b"Video\0")
    avcc = box("avcC", bytes([1, 100, 0, 40, 0xFF, 0xE0, 0x00]))
    entry = (bytes(6) + be16(1) + bytes(16) + be16(width) + be16(height) + be32(0x480000) + be32(0x480000)
             + be32(0) + be16(1) + bytes(32) + be16(0x18) + b"\xff\xff" + avcc)
    stsd = box("stsd", b"\0" * 4 + be32(1) + box("avc1", entry))
    count = len(entries) if not entries or entries[0] != "lie" else 0xFFFFFFFF
    pairs = [e for e in entries if e != "lie"]
    stts = box("stts", b"\0" * 4 + be32(count) + b"".join(be32(n) + be32(d) for n, d in pairs))
    minf = box("minf", box("vmhd", bytes([0, 0, 0, 1] + [0] * 8)) + box("stbl", stsd + stts))
    moov = box("moov", box("trak", tkhd + box("mdia", mdhd + hdlr + minf)))
    return box("ftyp", b"isom" + be32(0x200) + b"isomavc1") + box("mdat", b"\x33" * 101) + moov


def crafted_media():
    """(media type, bytes) the bulk data parsers read from STOW bodies, with lengths and counts that overflow."""
    largest = b"\0\0\0\1" + b"moov" + b"\xff" * 8  # a 64-bit box size of 2^64 - 1
    jp2_signature = b"\0\0\0\x0cjP  \r\n\x87\n"
    return [
        ("video/mp4", mp4()),  # valid: stored
        ("video/mp4", box("ftyp", b"isom") + largest),
        ("video/mp4", box("ftyp", b"isom") + box("free", b"") + largest),
        ("video/mp4", mp4(entries=[(0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF)])),
        ("video/mp4", mp4(entries=["lie", (1, 1)])),  # 2^32 - 1 entries said, one there
        ("video/mp4", mp4(frames=1, entries=[(1, 0xFFFFFFFF)])),
        ("image/jp2", jp2_signature + b"\0\0\0\1jp2c" + b"\xff" * 8),
        ("image/jp2", jp2_signature + box("ftyp", b"jp2 ") + b"\0\0\0\1jp2c" + b"\xff" * 8),
        ("image/jp2", b"\xff\x4f\xff\x51" + b"\xff" * 60),
        ("image/jpeg", b"\xff\xd8\xff\xc0\xff\xff" + b"\xff" * 40),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\xff\xff\xff\xffIHDR" + b"\0" * 20),
        ("video/mpeg", b"\0\0\1\xb3" + b"\xff" * 12 + b"\0\0\1\xb7"),
    ]


def bulk_request(kind, data, index):
    """A STOW-RS request of metadata and one bulk data part: Pixel Data from `data`."""
    sop_class = "1.2.840.10008.5.1.4.1.1.77.1.4.1" if kind.startswith("video") else "1.2.840.10008.5.1.4.1.1.7"
    metadata = [{
        "00080016": {"vr": "UI", "Value": [sop_class]},
        "00080018": {"vr": "UI", "Value": [f"2.25.{index + 1}{SEED}"]},
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Bulk^Fuzz"}]},
        "0020000D": {"vr": "UI", "Value": [f"2.25.{index + 1}{SEED}1"]},
        "0020000E": {"vr": "UI", "Value": [f"2.25.{index + 1}{SEED}2"]},
        "7FE00010": {"vr": "OB", "BulkDataURI": "media"},
    }]
    body = (b"--fuzzb\r\nContent-Type: application/dicom+json\r\n\r\n" + json.dumps(metadata).encode()
            + b"\r\n--fuzzb\r\nContent-Type: " + kind.encode() + b"\r\nContent-Location: media\r\n\r\n" + data
            + b"\r\n--fuzzb--\r\n")
    return Request("POST", "/dicomweb/studies", [], [
        ("Content-Type", 'multipart/related; type="application/dicom+json"; boundary=fuzzb'),
        ("Accept", "application/dicom+json")], body)


def multipart(parts, boundary, part_type="application/dicom"):
    body = b""
    for p in parts:
        body += b"--" + boundary.encode() + b"\r\nContent-Type: " + part_type.encode() + b"\r\n\r\n" + p + b"\r\n"
    return body + b"--" + boundary.encode() + b"--\r\n"


# ----------------------------------------------------------------------------------------------------------
# Requests
# ----------------------------------------------------------------------------------------------------------

class Request:
    def __init__(self, method, path, query=(), headers=(), body=b""):
        self.method = method
        self.path = path  # below the host, already encoded, without the query
        self.query = list(query)  # (name, value), values raw (encoded on sending)
        self.headers = list(headers)
        self.body = body

    def target(self):
        if not self.query:
            return self.path
        encoded = "&".join(
            urllib.parse.quote(n, safe=".,*") + "=" + urllib.parse.quote(v, safe=".,*-") for n, v in self.query)
        return self.path + "?" + encoded

    def describe(self):
        text = f"{self.method} {self.target()}"
        for name, value in self.headers:
            text += f"\n  {name}: {value[:300]}"
        if self.body:
            text += f"\n  body ({len(self.body)} bytes): {self.body[:300]!r}"
        return text

    def variants(self):
        """Smaller requests, smallest steps last: without each header, each query item, the body."""
        for i in range(len(self.headers)):
            yield Request(self.method, self.path, self.query, self.headers[:i] + self.headers[i + 1:], self.body)
        for i in range(len(self.query)):
            yield Request(self.method, self.path, self.query[:i] + self.query[i + 1:], self.headers, self.body)
        if self.body:
            yield Request(self.method, self.path, self.query, self.headers, b"")
            half = len(self.body) // 2
            if half:
                yield Request(self.method, self.path, self.query, self.headers, self.body[:half])
                yield Request(self.method, self.path, self.query, self.headers, self.body[half:])


class Target:
    """The fuzzed server: restarted on the same data folder when a request killed it (for minimizing)."""

    def __init__(self, data):
        self.data = data
        self.log = deque(maxlen=400)
        self.start()

    def start(self):
        self.crashing = False  # set as soon as the server prints that it traps (it then prints for seconds)
        self.server = Server(self.data, *SERVER_ARGS)
        proc = self.server.proc

        def drain():  # the server's output must never fill the pipe and block it
            for line in proc.stdout:
                self.log.append(line.rstrip())
                if "crashed" in line or "Fatal error" in line:
                    self.crashing = True

        threading.Thread(target=drain, daemon=True).start()

    def alive(self):
        return self.server.proc.poll() is None

    def send(self, request, timeout=TIMEOUT):
        """(status or None, failure kind or None, detail)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.putrequest(request.method, request.target(), skip_accept_encoding=True)
            names = {n.lower() for n, _ in request.headers}
            for name, value in request.headers:
                conn.putheader(name, value)
            if request.body or request.method in ("POST", "PUT"):
                if "content-length" not in names:
                    conn.putheader("Content-Length", str(len(request.body)))
            conn.endheaders(request.body or None)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (socket.timeout, TimeoutError):
            return None, "timeout", f"no complete response within {timeout:.0f} s"
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            conn.close()
            # A trapping process keeps running, even answering others, for seconds while it prints its
            # backtrace: its first line says so; a server that does not answer a search hangs.
            time.sleep(0.5)
            if self.crashing or not self.answers():
                try:
                    self.server.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    return None, "timeout", f"{type(error).__name__}: {error}, then no answer to a search"
                return None, "died", self.death()
            return None, "cut", f"{type(error).__name__}: {error}"
        finally:
            conn.close()
        if not self.alive() or self.crashing:
            return status, "died", self.death()
        if 500 <= status <= 599 and status != 503:
            return status, "5xx", f"status {status} after {time.monotonic() - started:.2f} s"
        return status, None, ""

    def answers(self):
        """Whether the server answers a small search within a few seconds."""
        if not self.alive():
            return False
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        try:
            conn.request("GET", "/dicomweb/studies?limit=1")
            conn.getresponse().read()
            return True
        except (ConnectionError, http.client.HTTPException, OSError):
            return False
        finally:
            conn.close()

    def death(self):
        # The backtrace takes a few seconds to print: wait for the process to end, then keep the lines that
        # say why (the trap's message and the first frames in Lantern's own sources).
        try:
            self.server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.5)
        lines = list(self.log)
        own = os.path.join(REPO, "Sources") + os.sep
        why = [l for l in lines if "Fatal error" in l or "crashed" in l or own in l][:10]
        return (f"the server process ended ({self.server.proc.returncode}); its output says:\n    "
                + "\n    ".join(why or lines[-12:]))

    def ensure_running(self):
        if not self.alive() or self.crashing:
            if self.alive():
                self.server.proc.kill()
            self.server.proc.wait(timeout=10)
            self.start()

    def stop(self):
        self.server.stop()


def minimize(target, request, kind):
    """The smallest variant of `request` that still fails the same way, alone, on a running server."""
    deadline = time.monotonic() + MINIMIZE_SECONDS
    timeout = min(TIMEOUT, 10) if kind != "timeout" else TIMEOUT

    def fails(candidate):
        target.ensure_running()
        _, k, _ = target.send(candidate, timeout=timeout)
        return k == kind

    if not fails(request):
        return request, False
    current = request
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for candidate in current.variants():
            if time.monotonic() >= deadline:
                break
            if fails(candidate):
                current, progress = candidate, True
                break
    return current, True


# ----------------------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------------------

class Generator:
    def __init__(self, rng, routes, stored, references, workitem):
        self.rng = rng
        self.routes = routes  # (method, path template, query names, request types)
        self.stored = stored  # (study, series, sop)
        self.references = references  # (study, series, sop, reference)
        self.workitem = workitem

    def pick(self, values):
        return self.rng.choice(values)

    def fresh_uid(self):
        """A valid UID no stored object has, from the seed (so a run repeats)."""
        return "2.25." + str(self.rng.getrandbits(96))

    def mix(self, good, bad):
        """A good value half the time, so that requests get past validation into the work."""
        return self.pick(good) if self.rng.random() < 0.5 else self.pick(bad)

    def uid_triple(self):
        study, series, sop = self.pick(self.stored)
        r = self.rng.random()
        if r < 0.65:
            return study, series, sop
        choice = self.rng.randrange(3)
        bad = self.pick(BAD_UIDS + [self.fresh_uid()])
        return tuple(bad if i == choice else v for i, v in enumerate((study, series, sop)))

    def path(self, template, method):
        study, series, sop = self.uid_triple()
        values = {"study": study, "series": series, "instance": sop}
        reference = None
        if "{reference}" in template and self.references and self.rng.random() < 0.6:
            values["study"], values["series"], values["instance"], reference = self.pick(self.references)
        if method == "DELETE":
            # Never the stored instances (the victim's study is deleted by a fixed case).
            values = {k: self.pick(BAD_UIDS + [self.fresh_uid()]) for k in values}
        segments = []
        for segment in template.strip("/").split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                if name in values:
                    value = values[name]
                elif name == "frames":
                    value = self.mix(["1", "2", "1,2", "4,3", "1,1"], FRAME_LISTS)
                elif name == "reference":
                    value = reference or self.reference_value()
                elif name == "workitem":
                    value = self.pick([self.workitem] * 4 + BAD_UIDS + ["1.2.840.10008.5.1.4.34.5",
                                                                       "1.2.840.10008.5.1.4.34.5.1"])
                elif name == "aetitle":
                    value = self.pick(AE_TITLES)
                    segments.append(value)  # already percent-encoded where needed
                    continue
                else:
                    value = self.pick(BAD_UIDS + [self.fresh_uid(), self.pick(self.stored)[2]])
                segments.append(urllib.parse.quote(value, safe=".,-%"))
            else:
                segments.append(segment)
        return "/dicomweb/" + "/".join(segments)

    def reference_value(self):
        real = [r for *_, r in self.references] or ["0-1"]
        base = self.pick(real)
        offset = base.split("-")[0]
        return self.pick([
            base, offset, f"{offset}-{self.pick(HUGE)}", f"{self.pick(HUGE)}-{self.pick(HUGE)}",
            f"{self.pick(HUGE)}", "0-18446744073709551615", "18446744073709551615-1", "1-2-3", "-", "--1",
            f"{offset}-0", "0-0", f"{offset}-{10 ** 30}",
        ])

    def query_value(self, name):
        table = {
            "limit": HUGE, "offset": HUGE, "quality": HUGE,
            "includefield": ["all", "PatientName", "00100010", "x", "0010,0010", "00081111.00081150", "all,all"],
            "fuzzymatching": ["true", "false", "TRUE", ""],
            "accept": ACCEPTS + MEDIA,
            "annotation": ["patient", "technique", "patient,technique", "", ",", "x" * 100, "patient,patient"],
            "viewport": VIEWPORTS, "window": WINDOWS,
            "iccprofile": ["yes", "no", "srgb", "adobergb", "x", ""],
            "workitem": BAD_UIDS + [self.fresh_uid()], "transaction": BAD_UIDS + [self.fresh_uid()],
            "deletionlock": ["true", "false", "x"],
            "filter": ["ProcedureStepLabel=x", "x", "=", "Modality=CT", "00741000=9223372036854775808"],
            "charset": ["utf-8", "iso-8859-1", "x", "*"],
        }
        if name in table:
            return self.pick(table[name])
        if name in MATCH_KEYS:
            return self.pick(MATCH_KEYS[name])
        return self.pick(HUGE + BAD_UIDS)

    def query(self, names, matching):
        items = []
        candidates = list(names) + ["limit", "offset"]
        if matching:
            candidates += list(MATCH_KEYS)
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3, 5])):
            name = self.pick(candidates + ["nosuchparameter", "00100010", "x" * 100])
            items.append((name, self.query_value(name)))
        if self.rng.random() < 0.05 and items:
            items.append(items[0])  # repeated
        return items

    def body(self, request_types):
        r = self.rng.random()
        boundary = self.pick(["fuzzb", "x" * 70, "a b", "=", "--"])
        if r < 0.25:
            types = request_types or ["application/dicom"]
            kind = self.pick(types)
            if "multipart" in kind:
                inner = kind.split('type="')[1].rstrip('"') if 'type="' in kind else "application/dicom"
                count = self.rng.choice([0, 1, 2, 5, 20, 300])
                parts = [self.small_part(inner, tiny=count > 20) for _ in range(count)]
                body = multipart(parts, boundary, inner)
                if self.rng.random() < 0.2:
                    body = body[: self.rng.randrange(len(body) + 1)]
                return f'{kind}; boundary="{boundary}"', body
            return kind, self.small_part(kind)
        if r < 0.5:
            return self.pick(["application/dicom+json", "application/json"]), self.pick(JSON_BODIES)
        if r < 0.6:
            return "application/dicom+xml", self.pick(XML_BODIES)
        content_type = self.pick([
            'multipart/related; type="application/dicom"; boundary=', 'multipart/related; boundary=x',
            'multipart/related; type="application/dicom"; boundary="unterminated', "application/dicom; charset=utf-8",
            "", "text/plain", 'multipart/related; type="application/dicom+json"; boundary=b',
            'multipart/related; type="application/dicom"; boundary=' + "b" * 71,
            'multipart/related; type="application/octet-stream"; boundary=b', "application/dicom+json; q=0",
            "multipart/related; type=application/dicom; boundary=b; boundary=c",
        ])
        return content_type, self.rng.randbytes(self.rng.choice([0, 1, 7, 132, 600, 2000]))

    def small_part(self, kind, tiny=False):
        if "json" in kind:
            return self.pick(JSON_BODIES[:7] if tiny else JSON_BODIES)
        if "xml" in kind:
            return self.pick(XML_BODIES[:2] if tiny else XML_BODIES)
        r = self.rng.random()
        if r < 0.4 or tiny:
            return self.rng.randbytes(self.rng.choice([0, 1, 2, 128, 132]))
        if r < 0.7:
            return b"\0" * 128 + b"DICM" + self.rng.randbytes(self.rng.choice([0, 4, 12, 64]))
        # A stored instance cut short, or with bytes flipped
        data = bytearray(self.pick(self.instances_bytes))
        if self.rng.random() < 0.5:
            return bytes(data[: self.rng.randrange(len(data))])
        for _ in range(self.rng.choice([1, 4, 16])):
            data[self.rng.randrange(len(data))] = self.rng.randrange(256)
        return bytes(data)

    def headers(self, method, path, answers=()):
        headers = []
        r = self.rng.random()
        if r < 0.35 and answers:
            headers.append(("Accept", self.pick(answers)))  # what the route says it answers
        elif r < 0.8:
            headers.append(("Accept", self.pick(ACCEPTS + MEDIA)))
        if self.rng.random() < (0.6 if ("bulkdata" in path or "frames" in path) else 0.1):
            headers.append(("Range", self.pick(RANGES)))
        if self.rng.random() < 0.05:
            headers.append(("If-None-Match", self.pick(['"x"', "*", "W/" + '"' * 20])))
        return headers

    def request(self, index):
        method, template, names, request_types, matching, answers = self.routes[index % len(self.routes)]
        if method == "POST" and template == "/studies" and self.rng.random() < 0.3:
            kind, data = self.pick(crafted_media())
            data = bytearray(data)
            for _ in range(self.rng.choice([0, 1, 3, 8])):  # a few bytes of lengths and counts changed
                data[self.rng.randrange(len(data))] = self.pick([0, 1, 0x7F, 0x80, 0xFF, self.rng.randrange(256)])
            if self.rng.random() < 0.3:
                data = data[: self.rng.randrange(len(data) + 1)]
            return bulk_request(kind, bytes(data), self.rng.randrange(10 ** 6))
        if template == "/wado":
            return self.wado()
        path = self.path(template, method)
        query = self.query(names, matching)
        headers = self.headers(method, path, answers)
        body = b""
        if method in ("POST", "PUT") and self.rng.random() < 0.9:
            content_type, body = self.body(request_types)
            if content_type:
                headers.append(("Content-Type", content_type))
        return Request(method, path, query, headers, body)

    def wado(self):
        study, series, sop = self.uid_triple()
        if self.rng.random() < 0.5:
            study, series, sop = self.pick(self.stored)
        query = [("requestType", self.pick(["WADO"] * 8 + ["wado", ""])), ("studyUID", study),
                 ("seriesUID", series), ("objectUID", sop)]
        dicom = self.rng.random() < 0.25
        rendered = self.mix(["image/jpeg", "image/png", "image/gif"], [
            "image/jpeg;q=1e400", "*/*", "image/gif,image/png;q=0.5", "application/pdf", "text/html",
            "image/jpeg;q=-1", "application/dicom,image/jpeg"])
        query.append(("contentType", "application/dicom" if dicom else rendered))
        options = {
            "frameNumber": (["1", "2", "4"], HUGE), "rows": (["64", "100", "1024"], HUGE + ["1025"]),
            "columns": (["64", "1024", "7"], HUGE), "region": (["0,0,0.5,0.5", "0.25,0,1,0.75"], REGIONS),
            "windowCenter": (["40", "-1000.5"], HUGE), "windowWidth": (["400", "1"], HUGE),
            "imageQuality": (["50", "1", "100"], HUGE), "annotation": (["patient", "technique"], ["x", ""]),
            "presentationUID": ([], BAD_UIDS), "presentationSeriesUID": ([], BAD_UIDS), "charset": (["utf-8"], ["x"]),
        }
        if dicom:
            options = {"transferSyntax": (TRANSFER_SYNTAXES[:14], TRANSFER_SYNTAXES[14:]),
                       "anonymize": (["yes"], ["no", ""]), "imageQuality": (["50"], HUGE)}
        for name in self.rng.sample(sorted(options), min(len(options), self.rng.choice([0, 1, 2, 3, 4]))):
            good, bad = options[name]
            query.append((name, self.mix(good or bad, bad)))
        if self.rng.random() < 0.1:
            query.pop(self.rng.randrange(len(query)))
        return Request("GET", "/wado", query, self.headers("GET", "/wado"))


def routes_from(openapi):
    routes = []
    for path, operations in sorted(openapi["paths"].items()):
        if path == "/wado":
            continue  # beside the service root, with parameters of its own: Generator.wado
        for method, operation in sorted(operations.items()):
            if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                continue  # path-level fields (`parameters`, `summary`)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            matching = "matchingKeys" in names
            names = [n for n in names if n != "matchingKeys"]
            types = list(operation.get("requestBody", {}).get("content", {}))
            answers = sorted({t for r in operation.get("responses", {}).values() for t in r.get("content", {})})
            routes.append((method.upper(), path, names, types, matching, answers))
        routes.append(("OPTIONS", path, [], [], False, []))
    routes += [("GET", "/wado", [], [], False, [])] * 5  # one path, many parameters
    return routes


def fixed_cases(stored, references, instances):
    """The known overflow and amplification requests (issue 14), first."""
    (ct_study, ct_series, ct_sop), (mf_study, mf_series, mf_sop) = stored[0], stored[1]
    ct = f"/dicomweb/studies/{ct_study}/series/{ct_series}/instances/{ct_sop}"
    mf = f"/dicomweb/studies/{mf_study}/series/{mf_series}/instances/{mf_sop}"
    cases = []
    for level in ("studies", "series", "instances"):
        for offset in ("9223372036854774808", "9223372036854775807", "9223372036854775808", "18446744073709551616",
                       "99999999999999999999999999"):
            cases.append(Request("GET", f"/dicomweb/{level}", [("offset", offset)]))
        cases.append(Request("GET", f"/dicomweb/{level}", [("offset", "9223372036854775807"), ("limit", "1000")]))
        cases.append(Request("GET", f"/dicomweb/{level}", [("limit", "9223372036854775807"), ("offset", "1")]))
        cases.append(Request("GET", f"/dicomweb/{level}", [("limit", "18446744073709551616"),
                                                            ("PatientName", "*")]))
    cases.append(Request("GET", f"/dicomweb/studies/{ct_study}/series", [("offset", "9223372036854774808")]))
    cases.append(Request("GET", f"/dicomweb/studies/{ct_study}/instances", [("offset", "9223372036854775807"),
                                                                            ("limit", "9223372036854775807")]))
    cases.append(Request("GET", "/dicomweb/workitems", [("offset", "9223372036854775807"), ("limit", "1")]))
    cases.append(Request("GET", "/dicomweb/color-palettes", [("offset", "18446744073709551616")]))
    octet = [("Accept", "application/octet-stream; transfer-syntax=*")]
    for frames in ("1,0,-1,99999999999999999999", "9223372036854775807", "9223372036854775808",
                   "18446744073709551616", "99999999999999999999"):
        cases.append(Request("GET", f"{mf}/frames/{frames}"))
        cases.append(Request("GET", f"{mf}/frames/{frames}/rendered"))
        cases.append(Request("GET", f"{mf}/frames/{frames}/thumbnail"))
    for study, series, sop, reference in references[:2]:
        base = f"/dicomweb/studies/{study}/series/{series}/instances/{sop}/bulkdata"
        offset = reference.split("-")[0]
        for ref in ("0-18446744073709551615", "18446744073709551615-18446744073709551615",
                    f"{offset}-18446744073709551615", "9223372036854775807-9223372036854775807",
                    f"{offset}-99999999999999999999", "99999999999999999999"):
            cases.append(Request("GET", f"{base}/{ref}", headers=octet))
        for rng in ("bytes=0-18446744073709551616", "bytes=-18446744073709551616", "bytes=18446744073709551615-",
                    "bytes=9223372036854775807-9223372036854775808", "bytes=0-99999999999999999999999"):
            cases.append(Request("GET", f"{base}/{reference}", headers=octet + [("Range", rng)]))
    for rng in ("bytes=0-18446744073709551616", "bytes=-18446744073709551616", "bytes=18446744073709551615-"):
        cases.append(Request("GET", f"{mf}/frames/1", headers=octet + [("Range", rng)]))
    for viewport in ("16384,16384", "9223372036854775807,1", "18446744073709551616,18446744073709551616"):
        cases.append(Request("GET", f"{ct}/rendered", [("viewport", viewport)]))
        cases.append(Request("GET", f"{ct}/thumbnail", [("viewport", viewport)]))
        cases.append(Request("GET", f"/dicomweb/studies/{ct_study}/rendered", [("viewport", viewport)]))
    cases.append(Request("GET", f"{mf}/rendered", [("viewport", "16384,16384")], [("Accept", "image/gif")]))
    cases.append(Request("GET", f"{mf}/rendered", [], [("Accept", "image/gif")]))  # Frame Time 1e300
    cases.append(Request("GET", f"{ct}/rendered", [("quality", "9223372036854775808"), ("window", "1e400,1,linear")]))
    wado = [("requestType", "WADO"), ("studyUID", ct_study), ("seriesUID", ct_series), ("objectUID", ct_sop)]
    for extra in ([("rows", "16384"), ("columns", "16384")], [("rows", "16384")], [("columns", "16384")],
                  [("frameNumber", "9223372036854775808")], [("region", "0,0,1e400,1")],
                  [("rows", "9223372036854775808")], [("imageQuality", "18446744073709551616")]):
        cases.append(Request("GET", "/wado", wado + [("contentType", "image/jpeg")] + extra))
    many = multipart([b"x"] * 1000, "fuzzb")
    cases.append(Request("POST", "/dicomweb/studies", [], [
        ("Content-Type", 'multipart/related; type="application/dicom"; boundary=fuzzb')], many))
    cases.append(Request("POST", "/dicomweb/studies", [], [
        ("Content-Type", 'multipart/related; type="application/dicom+json"; boundary=fuzzb')],
        multipart([b"x"] * 1000, "fuzzb", "application/octet-stream")))
    for n, (kind, data) in enumerate(crafted_media()):
        cases.append(bulk_request(kind, data, n))
    cases.append(Request("GET", f"{ct}/rendered", [("window", "9223372036854775808,9223372036854775808,linear"),
                                                   ("annotation", "patient,technique")]))
    victim_study = instances[3][0]
    cases.append(Request("DELETE", f"/dicomweb/studies/{victim_study}"))
    return cases


# ----------------------------------------------------------------------------------------------------------
# The test
# ----------------------------------------------------------------------------------------------------------

def plain(target, method, path, headers=None, body=b""):
    conn = http.client.HTTPConnection("127.0.0.1", target.server.port, timeout=TIMEOUT)
    conn.request(method, path, body=body or None, headers=headers or {})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def bulk_references(target, stored):
    """(study, series, sop, reference) for every BulkDataURI in the stored instances' metadata."""
    found = []
    for study, series, sop in stored:
        status, payload = plain(target, "GET", f"/dicomweb/studies/{study}/series/{series}/instances/{sop}/metadata",
                                {"Accept": "application/dicom+json"})
        assert status == 200, payload

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "BulkDataURI" and "/bulkdata/" in value:
                        found.append((study, series, sop, value.rsplit("/bulkdata/", 1)[1]))
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(json.loads(payload))
    return found


def test_no_request_takes_the_server_down(tmp_path):
    rng = random.Random(SEED)
    instances = make_instances()
    target = Target(str(tmp_path / "data"))
    failures = []
    try:
        status, payload = plain(target, "POST", "/dicomweb/studies", {
            "Content-Type": 'multipart/related; type="application/dicom"; boundary=fuzzb',
            "Accept": "application/dicom+json"}, multipart([b for *_, b in instances], "fuzzb"))
        assert status == 200, payload
        stored = [(s, se, i) for s, se, i, _ in instances[:3]]
        references = bulk_references(target, stored)
        assert any(r[2] == stored[2][2] for r in references), "the bulk data instance has no BulkDataURI"
        workitem = "2.25." + str(rng.getrandbits(100))
        body = json.dumps([{
            "00741000": {"vr": "CS", "Value": ["SCHEDULED"]}, "00741200": {"vr": "CS", "Value": ["MEDIUM"]},
            "00741204": {"vr": "LO", "Value": ["fuzz"]}, "00404005": {"vr": "DT", "Value": ["20261207090000"]},
            "00404041": {"vr": "CS", "Value": ["READY"]}, "00404025": {"vr": "SQ", "Value": []},
            "00404034": {"vr": "SQ", "Value": []}}]).encode()
        plain(target, "POST", f"/dicomweb/workitems?workitem={workitem}",
              {"Content-Type": "application/dicom+json"}, body)

        status, payload = plain(target, "GET", "/openapi.json")
        assert status == 200
        routes = routes_from(json.loads(payload))
        generator = Generator(rng, routes, stored, references, workitem)
        generator.instances_bytes = [b for *_, b in instances]

        cases = fixed_cases(stored, references, instances)
        requests = cases + [generator.request(i) for i in range(COUNT)]
        statuses = {}
        unreadable = []  # answers a client could not read (not a failure here: printed for a look)
        started = time.monotonic()
        for n, request in enumerate(requests):
            status, kind, detail = target.send(request)
            statuses[status] = statuses.get(status, 0) + 1
            if kind == "cut":
                unreadable.append(f"{detail}: {request.method} {request.target()[:120]}")
            if kind in ("died", "5xx", "timeout"):
                failures.append((n, request, kind, detail))
                break  # one failure is reported, minimized
        elapsed = time.monotonic() - started
        print(f"fuzz: {len(requests)} requests ({len(cases)} fixed) in {elapsed:.1f} s, seed {SEED}; "
              f"statuses {dict(sorted(statuses.items(), key=lambda kv: str(kv[0])))}")
        for line in unreadable[:5]:
            print(f"fuzz: no readable answer: {line}")

        if failures:
            n, request, kind, detail = failures[0]
            smallest, reproduced = minimize(target, request, kind)
            message = (f"request #{n} ({'fixed case' if n < len(cases) else 'random'}, seed {SEED}) failed: "
                       f"{kind}: {detail}\n{request.describe()}\n")
            if reproduced:
                message += f"minimized, it still fails alone:\n{smallest.describe()}"
            else:
                message += "alone it does not fail: an earlier request is involved"
            raise AssertionError(message)

        assert target.alive()
        status, payload = plain(target, "GET", "/dicomweb/studies?PatientName=*",
                                {"Accept": "application/dicom+json"})
        assert status == 200, payload
        found = {s["0020000D"]["Value"][0] for s in json.loads(payload)}
        assert stored[0][0] in found and stored[2][0] in found
    finally:
        target.stop()
