"""STOW-RS of metadata plus bulk data (PS3.18 §10.5.1.2.2): a JPEG with DICOM JSON metadata and a PDF with
native XML metadata, as dcm4che's `stowrs` tool sends them; both come back as valid instances."""
import http.client
import json
import os
import subprocess
import urllib.parse

import pydicom
from pydicom.encaps import generate_frames
from pydicom.uid import generate_uid

from lantern_server import BIN, REPO, Server

CORPUS = os.environ.get("LANTERN_CORPUS", os.path.join(os.path.dirname(REPO), "shared", "corpus"))
BOUNDARY = "bulkboundary42"


def post(base, related, parts, study=None):
    body = b""
    for headers, content in parts:
        body += b"--" + BOUNDARY.encode() + b"\r\n"
        for name, value in headers.items():
            body += f"{name}: {value}\r\n".encode()
        body += b"\r\n" + content + b"\r\n"
    body += b"--" + BOUNDARY.encode() + b"--\r\n"
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    path = url.path + "/studies" + (f"/{study}" if study else "")
    conn.request("POST", path, body=body, headers={
        "Content-Type": f'multipart/related; type="{related}"; boundary={BOUNDARY}',
        "Accept": "application/dicom+json"})
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read() or b"{}")


def fetch(url, accept):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", u.path, headers={"Accept": accept})
    resp = conn.getresponse()
    return resp.status, resp.read()


def first_jpeg():
    ds = pydicom.dcmread(os.path.join(CORPUS, "files", "data__test_files__SC_rgb_jpeg_dcmtk.dcm"))
    return ds, next(generate_frames(ds.PixelData, number_of_frames=1))


def test_jpeg_with_json_metadata(tmp_path):
    source, jpeg = first_jpeg()
    study, series, sop = generate_uid(), generate_uid(), generate_uid()
    metadata = [{
        "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.7"]},
        "00080018": {"vr": "UI", "Value": [sop]},
        "00080060": {"vr": "CS", "Value": ["OT"]},
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Bulk^Jpeg"}]},
        "0020000D": {"vr": "UI", "Value": [study]},
        "0020000E": {"vr": "UI", "Value": [series]},
        "7FE00010": {"vr": "OB", "BulkDataURI": "http://localhost/jpeg/1"},
    }]
    server = Server(str(tmp_path / "data"))
    try:
        status, response = post(server.base, "application/dicom+json", [
            ({"Content-Type": "application/dicom+json"}, json.dumps(metadata).encode()),
            ({"Content-Type": "image/jpeg", "Content-Location": "http://localhost/jpeg/1"}, jpeg),
        ])
        assert status == 200, response
        url = response["00081199"]["Value"][0]["00081190"]["Value"][0]
        status, body = fetch(url, "application/dicom; transfer-syntax=*")  # as stored
        assert status == 200
        path = tmp_path / "back.dcm"
        path.write_bytes(body)
        back = pydicom.dcmread(path)
        assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
        assert (back.Rows, back.Columns, back.SamplesPerPixel) == (source.Rows, source.Columns, 3)
        assert next(generate_frames(back.PixelData, number_of_frames=1)).rstrip(b"\0") == jpeg.rstrip(b"\0")
        status, frame = fetch(url + "/frames/1", "image/jpeg")
        assert status == 200 and frame.rstrip(b"\0") == jpeg.rstrip(b"\0")
    finally:
        server.stop()


def test_pdf_with_xml_metadata(tmp_path):
    study, series, sop = generate_uid(), generate_uid(), generate_uid()
    pdf = b"%PDF-1.4\n" + b"% padding so the document is bulk data\n" * 20 + b"1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM">
<DicomAttribute tag="00080016" vr="UI" keyword="SOPClassUID"><Value number="1">1.2.840.10008.5.1.4.1.1.104.1</Value></DicomAttribute>
<DicomAttribute tag="00080018" vr="UI" keyword="SOPInstanceUID"><Value number="1">{sop}</Value></DicomAttribute>
<DicomAttribute tag="00080060" vr="CS" keyword="Modality"><Value number="1">DOC</Value></DicomAttribute>
<DicomAttribute tag="0020000D" vr="UI" keyword="StudyInstanceUID"><Value number="1">{study}</Value></DicomAttribute>
<DicomAttribute tag="0020000E" vr="UI" keyword="SeriesInstanceUID"><Value number="1">{series}</Value></DicomAttribute>
<DicomAttribute tag="00420011" vr="OB" keyword="EncapsulatedDocument"><BulkData uri="report.pdf"/></DicomAttribute>
</NativeDicomModel>""".encode()
    server = Server(str(tmp_path / "data"))
    try:
        status, response = post(server.base, "application/dicom+xml", [
            ({"Content-Type": "application/dicom+xml"}, xml),
            ({"Content-Type": "application/pdf", "Content-Location": "report.pdf"}, pdf),
        ], study=study)
        assert status == 200, response
        url = response["00081199"]["Value"][0]["00081190"]["Value"][0]
        status, body = fetch(url, "application/dicom")
        assert status == 200
        path = tmp_path / "doc.dcm"
        path.write_bytes(body)
        back = pydicom.dcmread(path)
        assert back.MIMETypeOfEncapsulatedDocument == "application/pdf"
        assert back.EncapsulatedDocument[:len(pdf)] == pdf
        # The document is bulk data in the metadata, and its URI resolves to the PDF bytes.
        status, meta = fetch(url + "/metadata", "application/dicom+json")
        uri = json.loads(meta)[0]["00420011"]["BulkDataURI"]
        status, bulk = fetch(uri, "application/octet-stream")
        assert status == 200 and bulk[:len(pdf)] == pdf
    finally:
        server.stop()


def test_unresolved_bulk_reference_fails_alone(tmp_path):
    metadata = [{
        "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.7"]},
        "00080018": {"vr": "UI", "Value": [generate_uid()]},
        "0020000D": {"vr": "UI", "Value": [generate_uid()]},
        "0020000E": {"vr": "UI", "Value": [generate_uid()]},
        "7FE00010": {"vr": "OB", "BulkDataURI": "missing"},
    }]
    server = Server(str(tmp_path / "data"))
    try:
        status, response = post(server.base, "application/dicom+json", [
            ({"Content-Type": "application/dicom+json"}, json.dumps(metadata).encode())])
        assert status == 409
        assert response["00081198"]["Value"][0]["00081197"]["Value"][0] == 0xC000
    finally:
        server.stop()


def test_scratch_folder_is_its_own_setting_left_empty_and_private(tmp_path):
    """`--scratch` chooses where bulk parts wait (issue 16); a crash's leftovers are swept at start, a request
    leaves nothing behind, and a second server given the same scratch folder is refused, naming it."""
    source, jpeg = first_jpeg()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "scratch-left-by-a-crash").write_bytes(b"x" * 1000)
    (scratch / "notes.txt").write_bytes(b"a file of the user's")
    server = Server(str(tmp_path / "data"), "--scratch", str(scratch))
    try:
        assert sorted(os.listdir(scratch)) == ["lantern.lock", "notes.txt"], \
            "the start sweeps what a crash left, and only that"
        metadata = [{
            "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.7"]},
            "00080018": {"vr": "UI", "Value": [generate_uid()]},
            "0020000D": {"vr": "UI", "Value": [generate_uid()]},
            "0020000E": {"vr": "UI", "Value": [generate_uid()]},
            "7FE00010": {"vr": "OB", "BulkDataURI": "jpeg"},
        }]
        status, response = post(server.base, "application/dicom+json", [
            ({"Content-Type": "application/dicom+json"}, json.dumps(metadata).encode()),
            ({"Content-Type": "image/jpeg", "Content-Location": "jpeg"}, jpeg),
        ])
        assert status == 200, response
        # A request whose metadata is unreadable fails, and its bulk part goes too.
        status, _ = post(server.base, "application/dicom+json", [
            ({"Content-Type": "application/dicom+json"}, b"[{"),
            ({"Content-Type": "image/jpeg", "Content-Location": "jpeg"}, jpeg),
        ])
        assert status == 409
        assert sorted(os.listdir(scratch)) == ["lantern.lock", "notes.txt"], "no scratch file outlives its request"
        assert not os.path.exists(tmp_path / "data" / "tmp"), "the data folder's default scratch is not used"
        second = subprocess.run(
            [BIN, "serve", "--port", "0", "--data", str(tmp_path / "other"), "--scratch", str(scratch)],
            capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"scratch folder {scratch} is in use" in second.stdout + second.stderr
    finally:
        server.stop()
