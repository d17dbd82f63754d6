"""Crash safety (issue 3): `kill -9` during a 200-instance STOW, restart, and check that every acknowledged
instance is retrievable byte for byte, that nothing incomplete is visible, and that no orphan blob remains."""
import http.client
import io
import json
import os
import random
import threading
import time
import urllib.parse

import pydicom
from pydicom.uid import generate_uid

from lantern_server import Server, REPO

CORPUS = os.environ.get("LANTERN_CORPUS", os.path.join(os.path.dirname(REPO), "shared", "corpus"))
BOUNDARY = "crashtestboundary"


def make_instances(n):
    source = pydicom.dcmread(os.path.join(CORPUS, "files", "data__test_files__CT_small.dcm"))
    study = generate_uid()
    out = []
    for i in range(n):
        ds = source.copy()
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = generate_uid(entropy_srcs=[study, str(i // 50)])
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = i + 1
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append((ds.SOPInstanceUID, buf.getvalue()))
    return study, out


def stow(base, batch, timeout=30):
    body = b"".join(
        b"--" + BOUNDARY.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n"
        for _, data in batch) + b"--" + BOUNDARY.encode() + b"--\r\n"
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    conn.request("POST", url.path + "/studies", body=body, headers={
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={BOUNDARY}',
        "Accept": "application/dicom+json"})
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, payload


def get(base, path, accept):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", url.path + path, headers={"Accept": accept})
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, payload


def single_part(payload, content_type_header):
    boundary = content_type_header.split("boundary=")[1].split(";")[0].strip('"')
    parts = payload.split(b"--" + boundary.encode())
    part = parts[1]
    return part.split(b"\r\n\r\n", 1)[1][:-2]


def test_kill9_during_stow_loses_nothing_acknowledged(tmp_path):
    data = str(tmp_path / "data")
    study, instances = make_instances(200)
    batches = [instances[i:i + 10] for i in range(0, 200, 10)]
    acknowledged = []
    server = Server(data)
    stop = threading.Event()

    def client():
        for batch in batches:
            if stop.is_set():
                return
            try:
                status, payload = stow(server.base, batch)
            except Exception:
                return
            if status == 200:
                acknowledged.extend(uid for uid, _ in batch)

    worker = threading.Thread(target=client)
    worker.start()
    # Kill while requests are in flight: after a few acknowledged batches, at a random moment.
    deadline = time.time() + 60
    while len(acknowledged) < 40 and time.time() < deadline and worker.is_alive():
        time.sleep(0.005)
    time.sleep(random.uniform(0.0, 0.05))
    server.kill9()
    stop.set()
    worker.join(timeout=60)
    assert len(acknowledged) >= 40, "the server acknowledged too little before the kill"
    assert len(acknowledged) < 200, "the kill came after the whole STOW; nothing was tested"

    server = Server(data)
    try:
        status, payload = get(server.base, f"/studies/{study}/instances?limit=1000", "application/dicom+json")
        assert status == 200
        visible = {item["00080018"]["Value"][0] for item in json.loads(payload)}
        by_uid = dict(instances)
        missing = set(acknowledged) - visible
        assert not missing, f"{len(missing)} acknowledged instances lost"
        # Anything visible beyond the acknowledged ones must be a complete instance (its batch was committed
        # just before the kill), and every visible instance must read back exactly.
        series_of = {}
        for item in json.loads(payload):
            series_of[item["00080018"]["Value"][0]] = item["0020000E"]["Value"][0]
        for uid in visible:
            path = f"/studies/{study}/series/{series_of[uid]}/instances/{uid}"
            url = urllib.parse.urlsplit(server.base)
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            conn.request("GET", url.path + path, headers={"Accept": 'multipart/related; type="application/dicom"'})
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            assert resp.status == 200
            assert single_part(body, resp.getheader("Content-Type")) == by_uid[uid], f"instance {uid} differs"
        # No orphan: every object in the blob folder belongs to a visible instance (2 objects each: the instance and its metadata sidecar).
        files = []
        for root, _, names in os.walk(os.path.join(data, "blobs")):
            files += names
        keys = {name.split(".")[0] for name in files}
        assert len(keys) == len(visible), f"{len(keys) - len(visible)} orphaned blob keys after recovery"
        assert not os.listdir(os.path.join(data, "tmp"))
    finally:
        server.stop()
