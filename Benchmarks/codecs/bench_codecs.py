"""Codec and rendering benchmark: the same requests against Lantern and against Orthanc (with its GDCM plugin),
and the same work done by DCMTK's command-line tools, on one machine in one sitting. Reports p50 latencies and
MB/s of decoded pixels; Benchmarks/codecs/run.sh drives it.

  python3 bench_codecs.py prepare DIR                      the dataset (512 x 512 CT; 32-frame 512 x 512 series
                                                           in JPEG 2000 and JPEG Lossless, encoded by OpenJPEG
                                                           through pydicom and by DCMTK, not by Lantern)
  python3 bench_codecs.py server BASE DIR LABEL OUT.json   store, then time rendered and frame requests
  python3 bench_codecs.py dcmtk DIR OUT.json               dcmj2pnm and dcmdjpeg on the same files
  python3 bench_codecs.py report OUT.md FILE.json...       the table, with ratios to Lantern
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

FRAMES = 32
SIZE = 512
LE = "1.2.840.10008.1.2.1"
J2K = "1.2.840.10008.1.2.4.90"
JPEG_LL = "1.2.840.10008.1.2.4.70"


def prepare(out: str) -> None:
    import numpy as np
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless, generate_uid

    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:SIZE, 0:SIZE]

    def phantom(k: int) -> np.ndarray:
        body = ((x - 256) ** 2 / 200 ** 2 + (y - 256) ** 2 / 160 ** 2) < 1
        bone = ((x - 256 - 4 * np.sin(k / 5)) ** 2 + (y - 300) ** 2) < 40 ** 2
        image = np.where(body, 40, -1000) + np.where(bone, 900, 0) + rng.normal(0, 12, (SIZE, SIZE))
        return (image + 1024).clip(0, 4095).astype(np.uint16)            # 12 bits stored, rescale -1024

    study = generate_uid()

    def dataset(frames: int, name: str) -> Dataset:
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, generate_uid()
        ds.PatientName, ds.PatientID, ds.Modality, ds.SeriesDescription = "Bench^Codec", "BENCH1", "CT", name
        ds.Rows = ds.Columns = SIZE
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.WindowCenter, ds.WindowWidth = -1024, 1, 40, 400
        ds.NumberOfFrames = frames
        ds.PixelData = np.stack([phantom(k) for k in range(frames)]).tobytes()
        return ds

    ct = dataset(1, "rendered")
    del ct.NumberOfFrames
    ct.save_as(f"{out}/ct.dcm", enforce_file_format=True)
    native = dataset(FRAMES, "frames")
    native.save_as(f"{out}/mf_native.dcm", enforce_file_format=True)
    j2k = dataset(FRAMES, "frames j2k")
    j2k.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg")
    j2k.save_as(f"{out}/mf_j2k.dcm", enforce_file_format=True)
    jll = dataset(FRAMES, "frames jpeg lossless")
    jll.save_as(f"{out}/mf_jll_src.dcm", enforce_file_format=True)
    subprocess.run(["dcmcjpeg", "--encode-lossless-sv1", f"{out}/mf_jll_src.dcm", f"{out}/mf_jll.dcm"], check=True)
    os.remove(f"{out}/mf_jll_src.dcm")
    meta = {}
    for name in ("ct", "mf_j2k", "mf_jll"):
        ds = pydicom.dcmread(f"{out}/{name}.dcm", stop_before_pixels=True)
        meta[name] = {"study": ds.StudyInstanceUID, "series": ds.SeriesInstanceUID, "sop": ds.SOPInstanceUID,
                      "ts": ds.file_meta.TransferSyntaxUID}
    json.dump(meta, open(f"{out}/manifest.json", "w"), indent=1)


def connect(base: str):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=60), url.path


def store(base: str, data: str) -> None:
    connection, root = connect(base)
    for name in ("ct", "mf_j2k", "mf_jll"):
        body = open(f"{data}/{name}.dcm", "rb").read()
        boundary = uuid.uuid4().hex
        payload = (f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n").encode() + body + \
            f"\r\n--{boundary}--\r\n".encode()
        connection.request("POST", root + "/studies", payload, {
            "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'})
        response = connection.getresponse()
        response.read()
        assert response.status in (200, 202), (name, response.status)


def timed(base: str, paths: list[str], accept: str, warmup: int = 5) -> dict:
    """Sequential GETs on one connection: p50 / p90 in ms and the bytes of the last body."""
    connection, root = connect(base)
    times: list[float] = []
    size = 0
    for i, path in enumerate(paths[:warmup] + paths):
        start = time.perf_counter()
        connection.request("GET", root + path, headers={"Accept": accept})
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        assert response.status == 200, (path, response.status, body[:200])
        if i >= warmup:
            times.append(elapsed)
        size = len(body)
    times.sort()
    return {"p50_ms": 1000 * statistics.median(times), "p90_ms": 1000 * times[int(0.9 * len(times))],
            "n": len(times), "bytes": size}


def server(base: str, data: str, label: str, out: str) -> None:
    meta = json.load(open(f"{data}/manifest.json"))
    store(base, data)

    def path(name: str) -> str:
        m = meta[name]
        return f"/studies/{m['study']}/series/{m['series']}/instances/{m['sop']}"

    octets = f'multipart/related; type="application/octet-stream"; transfer-syntax={LE}'
    frame_bytes = SIZE * SIZE * 2
    results = {"label": label}
    results["rendered_jpeg"] = timed(base, [path("ct") + "/rendered"] * 100, "image/jpeg")
    for name, key in (("mf_j2k", "frames_j2k_to_le"), ("mf_jll", "frames_jpegll_to_le")):
        frames = [path(name) + f"/frames/{1 + i % FRAMES}" for i in range(96)]
        r = timed(base, frames, octets)
        r["mb_s"] = frame_bytes / (r["p50_ms"] / 1000) / 1e6
        results[key] = r
    json.dump(results, open(out, "w"), indent=1)
    print(json.dumps(results))


def dcmtk(data: str, out: str) -> None:
    """The same work by DCMTK's tools, one process per call (what a script around them would pay)."""
    work = tempfile.mkdtemp()
    results = {"label": "dcmtk"}

    def runs(command: list[str], n: int) -> list[float]:
        times = []
        for _ in range(n + 2):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return sorted(times[2:])

    t = runs(["dcmj2pnm", "--write-jpeg", "--use-window", "1", f"{data}/ct.dcm", f"{work}/ct.jpg"], 20)
    results["rendered_jpeg"] = {"p50_ms": 1000 * statistics.median(t), "n": len(t)}
    # dcmdjpeg decodes the whole instance: the time per frame is the run's over the frames.
    t = runs(["dcmdjpeg", f"{data}/mf_jll.dcm", f"{work}/mf.dcm"], 5)
    per_frame = statistics.median(t) / FRAMES
    results["frames_jpegll_to_le"] = {"p50_ms": 1000 * per_frame, "n": len(t),
                                      "mb_s": SIZE * SIZE * 2 / per_frame / 1e6, "note": "whole instance / frames"}
    results["frames_j2k_to_le"] = {"note": "DCMTK (free toolkit) has no JPEG 2000 codec"}
    json.dump(results, open(out, "w"), indent=1)
    print(json.dumps(results))


def report(out: str, files: list[str]) -> None:
    runs = [json.load(open(f)) for f in files]
    lantern = next(r for r in runs if r["label"] == "lantern")
    rows = [("rendered_jpeg", "rendered 512×512 CT as JPEG"),
            ("frames_j2k_to_le", "frame, JPEG 2000 lossless → Explicit VR LE"),
            ("frames_jpegll_to_le", "frame, JPEG Lossless SV1 → Explicit VR LE")]
    lines = ["| workload | " + " | ".join(f"{r['label']} p50 ms (MB/s)" for r in runs)
             + " | " + " | ".join(f"{r['label']} / lantern (time)" for r in runs if r is not lantern) + " |",
             "|---" * (1 + len(runs) + len(runs) - 1) + "|"]
    for key, title in rows:
        cells, ratios = [], []
        for r in runs:
            v = r.get(key, {})
            if "p50_ms" not in v:
                cells.append("n/a")
                if r is not lantern:
                    ratios.append("n/a")
                continue
            cells.append(f"{v['p50_ms']:.2f}" + (f" ({v['mb_s']:.0f})" if "mb_s" in v else ""))
            if r is not lantern:
                ratios.append(f"{v['p50_ms'] / lantern[key]['p50_ms']:.1f}×")
        lines.append(f"| {title} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    open(out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"prepare": lambda: prepare(*args), "server": lambda: server(*args), "dcmtk": lambda: dcmtk(*args),
     "report": lambda: report(args[0], args[1:])}[command]()
