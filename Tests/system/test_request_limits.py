"""Cheap requests that would cost a lot (issue 14), over a real socket: the parts of one STOW-RS request are
bounded by `max-parts`, a rendered image by `max-rendered-pixels`; the bounds are answered, not timed."""
import copy
import http.client
import io
import json
import os
import socket
import sqlite3
import threading

import pydicom
import pytest
from pydicom.uid import generate_uid

from lantern_server import Server, REPO

CORPUS = os.environ.get("LANTERN_CORPUS", os.path.join(os.path.dirname(REPO), "shared", "corpus"))
CT = os.path.join(CORPUS, "files", "data__test_files__CT_small.dcm")  # 128 × 128


def start(tmp_path, *args, env=None):
    """A server; its output is drained so that it can never block on a full pipe."""
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        server = Server(str(tmp_path / "data"), *args)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    threading.Thread(target=lambda: [None for _ in server.proc.stdout], daemon=True).start()
    return server


def raw_request(server, method, path, body, headers):
    """(status, header lines, body) read off the socket as sent, however many header fields it has."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=120)
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode() + body)
    data = b""
    while chunk := sock.recv(1 << 16):
        data += chunk
    sock.close()
    top, _, payload = data.partition(b"\r\n\r\n")
    lines = top.split(b"\r\n")
    return int(lines[0].split()[1]), lines[1:], payload


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def instance():
    ds = pydicom.dcmread(CT)
    ds = copy.deepcopy(ds)
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = generate_uid(), generate_uid(), generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return ds, buf.getvalue()


def multipart(parts, part_type="application/dicom", boundary="limitb"):
    body = b"".join(
        b"--" + boundary.encode() + b"\r\nContent-Type: " + part_type.encode() + b"\r\n\r\n" + p + b"\r\n"
        for p in parts)
    return body + b"--" + boundary.encode() + b"--\r\n"


def stow(server, body, related="application/dicom"):
    return request(server, "POST", "/dicomweb/studies", body, {
        "Content-Type": f'multipart/related; type="{related}"; boundary=limitb', "Accept": "application/dicom+json"})


def items(payload, tag):
    return json.loads(payload).get(tag, {}).get("Value", [])


# --------------------------------------------------------------------------------------------------------------
# max-parts
# --------------------------------------------------------------------------------------------------------------

def test_parts_past_max_parts_are_refused_and_the_first_ones_stored(tmp_path):
    # Set through the environment, as a deployment would (LANTERN_MAX_PARTS).
    server = start(tmp_path, env={"LANTERN_MAX_PARTS": "50"})
    try:
        ds, data = instance()
        # One instance, 49 one-byte parts (each refused on its own), then 70 parts past the limit.
        status, payload = stow(server, multipart([data] + [b"x"] * 119))
        assert status == 202, payload
        stored = items(payload, "00081199")
        assert [i["00081155"]["Value"][0] for i in stored] == [ds.SOPInstanceUID]
        failed = items(payload, "00081198")
        assert len(failed) == 49 + 1
        comment = failed[-1]["00000902"]["Value"][0]
        assert "max-parts" in comment and "50" in comment
        # Within the limit, nothing is refused for it.
        status, payload = stow(server, multipart([b"x"] * 50))
        assert status == 409 and len(items(payload, "00081198")) == 50
        assert not any("max-parts" in i.get("00000902", {}).get("Value", [""])[0]
                       for i in items(payload, "00081198"))
        # The connection was read to its end and the server still answers.
        status, payload = request(server, "GET", f"/dicomweb/studies?StudyInstanceUID={ds.StudyInstanceUID}",
                                  headers={"Accept": "application/dicom+json"})
        assert status == 200 and len(json.loads(payload)) == 1
    finally:
        server.stop()


def test_metadata_and_bulk_data_past_max_parts_is_413(tmp_path):
    server = start(tmp_path, "--max-parts", "10")
    try:
        body = (b"--limitb\r\nContent-Type: application/dicom+json\r\n\r\n[{}]\r\n"
                + b"".join(b"--limitb\r\nContent-Type: application/octet-stream\r\nContent-Location: x%d\r\n\r\n"
                           b"x\r\n" % i for i in range(20))
                + b"--limitb--\r\n")
        status, payload = stow(server, body, related="application/dicom+json")
        assert status == 413 and b"max-parts" in payload and b"10" in payload
        # Each data set of the metadata is an instance: `[{},{},…]` describes many in few bytes.
        status, payload = stow(server, multipart([b"[" + b",".join([b"{}"] * 11) + b"]"], "application/dicom+json"),
                               related="application/dicom+json")
        assert status == 413 and b"max-parts" in payload
        status, payload = stow(server, multipart([b"[" + b",".join([b"{}"] * 10) + b"]"], "application/dicom+json"),
                               related="application/dicom+json")
        assert status == 409 and len(items(payload, "00081198")) == 10
        assert request(server, "GET", "/dicomweb/studies")[0] in (200, 204)
    finally:
        server.stop()


def test_a_stow_answer_with_many_failures_stays_readable(tmp_path):
    """Every failed part may be explained, but the answer must stay readable by ordinary clients: Python's
    http.client (under requests and dicomweb-client) refuses more than 100 header fields, and a proxy such as
    nginx refuses a response head larger than its buffer (4–8 KB by default) with a 502."""
    server = start(tmp_path)
    try:
        status, lines, payload = raw_request(
            server, "POST", "/dicomweb/studies", multipart([b"x"] * 500),
            {"Content-Type": 'multipart/related; type="application/dicom"; boundary=limitb',
             "Accept": "application/dicom+json"})
        assert status == 409 and len(items(payload, "00081198")) == 500
        assert len(lines) < 100 and sum(len(l) + 2 for l in lines) < 8192, (
            f"{len(lines)} header fields, {sum(len(l) + 2 for l in lines)} bytes: "
            + b" | ".join(lines[:3]).decode(errors="replace")[:300])
    finally:
        server.stop()


def journaled_keys(tmp_path):
    db = sqlite3.connect(f"file:{tmp_path / 'data' / 'index.sqlite'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM blob_journal").fetchone()[0]
    finally:
        db.close()


def test_tiny_invalid_parts_cost_no_key_and_no_file(tmp_path):
    """A part that is not an instance costs its bytes: it reserves no blob key (journaling is a database write)
    and creates no file, and it is answered (before, each part took a key and a blob file: 24 s for 100,000)."""
    server = start(tmp_path)
    try:
        before = journaled_keys(tmp_path)
        status, _, payload = raw_request(
            server, "POST", "/dicomweb/studies", multipart([b"x"] * 3000 + [b"\0" * 128 + b"DICM"] * 1000),
            {"Content-Type": 'multipart/related; type="application/dicom"; boundary=limitb',
             "Accept": "application/dicom+json"})
        assert status == 409 and len(items(payload, "00081198")) == 4000
        assert journaled_keys(tmp_path) == before
        files = [name for _, _, names in os.walk(tmp_path / "data") for name in names
                 if not name.startswith("index.sqlite") and name != "lantern.lock"]
        assert files == []
        # A real instance after them is stored as ever.
        ds, data = instance()
        assert stow(server, multipart([b"x", data]))[0] == 202
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------------------
# max-rendered-pixels
# --------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendering(tmp_path_factory):
    """A server rendering at most 4096 pixels (64 × 64), with the CT stored."""
    server = start(tmp_path_factory.mktemp("render"), "--max-rendered-pixels", "4096")
    ds, data = instance()
    status, payload = stow(server, multipart([data]))
    assert status == 200, payload
    path = f"/dicomweb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    yield server, path, ds
    server.stop()


def png_size(payload):
    assert payload[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(payload[16:20], "big"), int.from_bytes(payload[20:24], "big")


@pytest.mark.parametrize("resource", ["rendered", "thumbnail", "frames/1/rendered", "frames/1/thumbnail"])
def test_rendered_output_is_bounded(rendering, resource):
    server, path, _ = rendering
    status, payload = request(server, "GET", f"{path}/{resource}?viewport=64,64", headers={"Accept": "image/png"})
    assert status == 200 and png_size(payload) == (64, 64)
    # The bound is on the image made, not on the viewport asked for: a 128 × 128 image in 16384 × 16 is 16 × 16.
    status, payload = request(server, "GET", f"{path}/{resource}?viewport=16384,16", headers={"Accept": "image/png"})
    assert status == 200 and png_size(payload) == (16, 16)
    for viewport in ("65,65", "16384,16384"):
        status, payload = request(server, "GET", f"{path}/{resource}?viewport={viewport}",
                                  headers={"Accept": "image/png"})
        assert status == 400, payload
        assert b"max-rendered-pixels" in payload and b"4096" in payload


def test_rendered_study_and_series_are_bounded(rendering):
    server, path, ds = rendering
    for resource in (f"/dicomweb/studies/{ds.StudyInstanceUID}/rendered",
                     f"/dicomweb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/rendered"):
        status, payload = request(server, "GET", f"{resource}?viewport=16384,16384",
                                  headers={"Accept": 'multipart/related; type="image/png"'})
        assert status == 400 and b"max-rendered-pixels" in payload


def test_wado_uri_rendered_output_is_bounded(rendering):
    server, _, ds = rendering
    base = (f"/wado?requestType=WADO&studyUID={ds.StudyInstanceUID}&seriesUID={ds.SeriesInstanceUID}"
            f"&objectUID={ds.SOPInstanceUID}&contentType=image/png")
    status, payload = request(server, "GET", base + "&rows=64")
    assert status == 200 and png_size(payload) == (64, 64)
    for extra in ("&rows=65", "&columns=16384", "&rows=16384&columns=16384"):
        status, payload = request(server, "GET", base + extra)
        assert status == 400 and b"max-rendered-pixels" in payload, (extra, payload)


def test_default_bound_refuses_a_huge_viewport_before_scaling(tmp_path):
    server = start(tmp_path)
    try:
        ds, data = instance()
        assert stow(server, multipart([data]))[0] == 200
        path = f"/dicomweb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
        status, payload = request(server, "GET", f"{path}/rendered?viewport=16384,16384")
        assert status == 400 and b"16777216 (max-rendered-pixels)" in payload
        # Nothing was rendered at 16384 × 16384 (1 GB of RGBA): the process stayed small.
        assert server.peak_rss_kb() < 400 * 1024
    finally:
        server.stop()


def test_a_frame_list_names_no_more_frames_than_the_instance_has(rendering):
    """`frames/1,1,1,…` would make one short request cost thousands of decodes or renders."""
    server, path, _ = rendering
    octets = {"Accept": "application/octet-stream; transfer-syntax=*"}
    assert request(server, "GET", f"{path}/frames/1", headers=octets)[0] == 200
    for resource in ("frames/1,1", "frames/1,1/rendered", "frames/" + ",".join(["1"] * 5000) + "/thumbnail"):
        accept = octets if resource.count("/") == 1 else {"Accept": "image/png"}
        status, payload = request(server, "GET", f"{path}/{resource}", headers=accept)
        assert status == 400 and b"the instance has 1" in payload, (resource[:40], payload)
