"""WADO-RS representations beyond the stored bytes: Supplement 211 zip, conversions among native transfer
syntaxes (PS3.18 §8.7.3.5), and a graceful stop on SIGTERM."""
import http.client
import io
import os
import signal
import urllib.parse
import zipfile

import pydicom

from lantern_server import REPO, Server

CORPUS = os.environ.get("LANTERN_CORPUS", os.path.join(os.path.dirname(REPO), "shared", "corpus"))
FILES = ["data__test_files__CT_small.dcm", "data__test_files__examples_rgb_color.dcm", "data__test_files__ExplVR_BigEnd.dcm"]


def request(base, method, path, body=None, headers=None):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request(method, u.path + path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def store_all(server):
    stored = []
    for name in FILES:
        data = open(os.path.join(CORPUS, "files", name), "rb").read()
        resp, _ = request(server.base, "POST", "/studies", data, {"Content-Type": "application/dicom"})
        assert resp.status == 200
        stored.append((pydicom.dcmread(io.BytesIO(data)), data))
    return stored


def instance_path(ds):
    return f"/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"


def test_zip_conversions_and_sigterm(tmp_path):
    server = Server(str(tmp_path / "data"))
    try:
        stored = store_all(server)
        for ds, data in stored:
            resp, body = request(server.base, "GET", f"/studies/{ds.StudyInstanceUID}", headers={"Accept": "application/zip"})
            assert resp.status == 200 and resp.getheader("Content-Type") == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(body))
            assert archive.testzip() is None
            entries = {info.filename.split("/")[-1]: archive.read(info) for info in archive.infolist()}
            assert entries[f"{ds.SOPInstanceUID}.dcm"] == data

            for syntax in ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"]:
                resp, body = request(server.base, "GET", instance_path(ds),
                                     headers={"Accept": f"application/dicom; transfer-syntax={syntax}"})
                assert resp.status == 200, body
                back = pydicom.dcmread(io.BytesIO(body))
                assert back.file_meta.TransferSyntaxUID == syntax
                for element in ds:
                    if element.tag == 0x7FE00010:
                        assert (back.pixel_array == ds.pixel_array).all()
                    else:
                        assert back[element.tag].value == element.value, f"{element.tag} differs in {syntax}"
            # A syntax no codec produces (JPEG XL): 406 with the reason.
            resp, body = request(server.base, "GET", instance_path(ds),
                                 headers={"Accept": "application/dicom; transfer-syntax=1.2.840.10008.1.2.4.110"})
            assert resp.status == 406 and b"1.2.840.10008.1.2.4.110" in body
    finally:
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=20) == 0, "lantern did not stop cleanly on SIGTERM"
