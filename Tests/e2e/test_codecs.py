"""The library codecs on retrieve (PS3.18 §8.7.3.5; PS3.5 §8.2): every JPEG, JPEG-LS and JPEG 2000 image of the
corpus decoded by the server and compared with the reference decoders (pydicom with GDCM, pylibjpeg-libjpeg,
pylibjpeg-openjpeg and pyjpegls; DCMTK's dcmdjpeg for the one file they all refuse), native images encoded in
every syntax the server produces and decoded by those references, and damaged codestreams that fail per request
without harming the server."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import numpy as np
import pydicom
import pytest
import requests

from conftest import CORPUS, REQUEST_TIMEOUT, encode as part10, parse_multipart, stow_raw, with_own_uids

LE = "1.2.840.10008.1.2.1"
JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_SV1 = (f"1.2.840.10008.1.2.4.{n}" for n in (50, 51, 57, 70))
JLS, JLS_NEAR, J2K, J2K_LOSSY = (f"1.2.840.10008.1.2.4.{n}" for n in (80, 81, 90, 91))
HTJ2K = ["1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"]
LOSSLESS = {JPEG_LOSSLESS, JPEG_SV1, JLS, J2K, HTJ2K[0], HTJ2K[1]}
DECODED = {JPEG_BASELINE, JPEG_EXTENDED, JLS_NEAR, J2K_LOSSY, HTJ2K[2]} | LOSSLESS
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())["files"]
CODEC_FILES = [CORPUS / e["file"] for e in MANIFEST if e["transfer_syntax"] in DECODED and e["has_pixel_data"]]
# Two IDCT implementations may round a sample differently: lossy frames are compared within ±2.
LOSSY_TOLERANCE = 2


def url(base: str, ds) -> str:
    return f"{base}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"


def stored_copy(path) -> tuple[pydicom.Dataset, bytes]:
    """The file with UIDs of its own (some corpus files share them), or as it is when pydicom cannot write it."""
    try:
        ds = with_own_uids(path)
        return ds, part10(ds)
    except Exception:
        data = path.read_bytes()
        return pydicom.dcmread(io.BytesIO(data)), data


def reference_pixels(ds, path):
    """The reference decoders' pixels, or None when none of them can decode the file."""
    try:
        return ds.pixel_array
    except Exception:
        pass
    if ds.file_meta.TransferSyntaxUID in (JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_SV1) \
            and shutil.which("dcmdjpeg"):
        out = subprocess.run(["dcmdjpeg", str(path), "/dev/stdout"], capture_output=True, timeout=60)
        if out.returncode == 0:
            return pydicom.dcmread(io.BytesIO(out.stdout)).pixel_array
    return None


def decoded_photometric(ds) -> str:
    """What the server's decoded data set says (JPEG lossy colour is converted to RGB; so is JPEG 2000's
    multi-component transform)."""
    ts, pi = ds.file_meta.TransferSyntaxUID, ds.PhotometricInterpretation
    if ts in (JPEG_BASELINE, JPEG_EXTENDED) and ds.SamplesPerPixel == 3:
        return "RGB"
    if pi in ("YBR_RCT", "YBR_ICT"):
        return "RGB"
    return pi


def compare(got, expected, lossless: bool) -> None:
    assert got.shape == expected.shape
    if lossless:
        assert np.array_equal(got, expected)
    else:
        difference = np.abs(got.astype(np.int64) - expected.astype(np.int64))
        assert difference.max() <= LOSSY_TOLERANCE, difference.max()


STORED = {p.name: stored_copy(p) for p in CODEC_FILES}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import LanternServer
    server = LanternServer(tmp_path_factory.mktemp("codecs")).start()
    r = stow_raw(requests.Session(), server.url, [data for _, data in STORED.values()])
    assert r.status_code == 200, r.text
    yield server
    server.stop()


def test_the_corpus_has_every_codec():
    syntaxes = {pydicom.dcmread(p, stop_before_pixels=True).file_meta.TransferSyntaxUID for p in CODEC_FILES}
    assert {JPEG_BASELINE, JPEG_EXTENDED, JPEG_SV1, JLS, JLS_NEAR, J2K, J2K_LOSSY} <= syntaxes
    assert len(CODEC_FILES) >= 29


@pytest.mark.parametrize("path", CODEC_FILES, ids=lambda p: p.name)
def test_corpus_image_decoded_to_native(server, path):
    original, _ = STORED[path.name]
    syntax = original.file_meta.TransferSyntaxUID
    expected = reference_pixels(original, path)
    address = url(server.url, original)
    if expected is None:
        # No reference decodes it (a damaged codestream): the server refuses it per request and carries on.
        r = requests.get(address + "/frames/1", headers={"Accept": "application/octet-stream"}, timeout=REQUEST_TIMEOUT)
        assert r.status_code == 406 and "cannot be converted" in r.text, r.text
        assert requests.get(f"{server.url}/studies", timeout=REQUEST_TIMEOUT).status_code in (200, 204)
        return
    r = requests.get(address, headers={"Accept": f"application/dicom; transfer-syntax={LE}"}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200, r.text
    back = pydicom.dcmread(io.BytesIO(r.content))
    assert back.file_meta.TransferSyntaxUID == LE
    assert back.PhotometricInterpretation == decoded_photometric(original)
    compare(back.pixel_array, expected, syntax in LOSSLESS)
    for element in original:
        if element.tag not in (0x7FE00010, 0x00280004, 0x00280006) and element.VR != "SQ" \
                and element.tag.element != 0:                           # group lengths are not written
            assert back[element.tag].value == element.value, element.keyword


def test_frames_decoded_one_at_a_time(server):
    """Frames of a 30-frame JPEG Baseline YBR_FULL_422 instance, decoded in the order asked, as RGB."""
    original, _ = STORED["data__test_files__examples_ybr_color.dcm"]
    expected = original.pixel_array
    r = requests.get(url(server.url, original) + "/frames/30,2,17",
                     headers={"Accept": 'multipart/related; type="application/octet-stream"'}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert len(parts) == 3
    for (_, payload), number in zip(parts, (30, 2, 17)):
        frame = np.frombuffer(payload, dtype=np.uint8).reshape(expected.shape[1:])
        compare(frame, expected[number - 1], lossless=False)
    # A JPEG 2000 frame as a bare body, and the stored frame with transfer-syntax=*.
    original, _ = STORED["data__test_files__MR_small_jp2klossless.dcm"]
    r = requests.get(url(server.url, original) + "/frames/1", headers={"Accept": "application/octet-stream"},
                     timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and r.content == original.pixel_array.astype("<i2").tobytes()
    r = requests.get(url(server.url, original) + "/frames/1", headers={"Accept": "image/jp2"}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/jp2") and r.content[:2] == b"\xff\x4f"


# Sources for the encoders: native images of each kind (8-bit grey, 16-bit signed, 8-bit RGB in both planar
# configurations, 16-bit RGB, a palette), and codec-stored images decoded first.
ENCODE_SOURCES = ["data__test_files__CT_small.dcm", "data__test_files__MR_small.dcm",
                  "data__test_files__examples_rgb_color.dcm", "data__test_files__examples_palette.dcm",
                  "data__test_files__examples_overlay.dcm", "data__test_files__dicomdirtests__77654033__CR1__6154.dcm",
                  "data__charset_files__chrFren.dcm", "data__test_files__SC_rgb_small_odd.dcm",
                  "data__test_files__SC_rgb_rle_2frame.dcm", "data__test_files__MR_small_jp2klossless.dcm",
                  "data__test_files__examples_ybr_color.dcm"]


@pytest.fixture(scope="module")
def sources(server):
    stored = {}
    for name in ENCODE_SOURCES:
        if name in STORED:
            stored[name] = STORED[name][0]
            continue
        ds, data = stored_copy(CORPUS / "files" / name)
        assert stow_raw(requests.Session(), server.url, [data]).status_code == 200
        stored[name] = ds
    return stored


def reference_of(ds):
    """The pixels a source holds, as the reference decoders give them (RGB for decoded lossy colour)."""
    return ds.pixel_array


@pytest.mark.parametrize("target", [JPEG_LOSSLESS, JPEG_SV1, JLS, J2K, HTJ2K[0], HTJ2K[1]])
@pytest.mark.parametrize("name", ENCODE_SOURCES)
def test_lossless_encoding_round_trips(server, sources, name, target):
    original = sources[name]
    r = requests.get(url(server.url, original), headers={"Accept": f"application/dicom; transfer-syntax={target}"},
                     timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200, r.text
    back = pydicom.dcmread(io.BytesIO(r.content))
    assert back.file_meta.TransferSyntaxUID == target
    assert "LossyImageCompression" not in back or back.LossyImageCompression == getattr(
        original, "LossyImageCompression", None)
    expected = reference_of(original)
    compare(back.pixel_array, expected, lossless=original.file_meta.TransferSyntaxUID in LOSSLESS | {LE, "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"})
    if original.get("SamplesPerPixel", 1) > 1:
        assert back.PlanarConfiguration == 0


@pytest.mark.parametrize("target,method,check", [
    (JPEG_BASELINE, "ISO_10918_1", "mean"), (JPEG_EXTENDED, "ISO_10918_1", "mean"),
    (JLS_NEAR, "ISO_14495_1", "near"), (J2K_LOSSY, "ISO_15444_1", "rms"), (HTJ2K[2], "ISO_15444_15", "rms")])
@pytest.mark.parametrize("name", ["data__test_files__examples_rgb_color.dcm", "data__charset_files__chrFren.dcm",
                                  "data__test_files__CT_small.dcm", "data__test_files__examples_overlay.dcm"])
def test_lossy_encoding_is_marked(server, sources, name, target, method, check):
    """Lossy targets are produced only when asked for, with Lossy Image Compression set (PS3.3 §C.7.6.1.1.5)."""
    original = sources[name]
    r = requests.get(url(server.url, original), headers={"Accept": f"application/dicom; transfer-syntax={target}"},
                     timeout=REQUEST_TIMEOUT)
    if target in (JPEG_BASELINE, JPEG_EXTENDED) and (
            original.PixelRepresentation == 1 or original.BitsStored > (8 if target == JPEG_BASELINE else 12)):
        assert r.status_code == 406 and "unsigned samples of up to" in r.text
        return
    if target == JLS_NEAR and original.PixelRepresentation == 1:
        assert r.status_code == 406 and "signed samples" in r.text
        return
    assert r.status_code == 200, r.text
    back = pydicom.dcmread(io.BytesIO(r.content))
    assert back.LossyImageCompression == "01"
    assert method in back.LossyImageCompressionMethod
    if target in (JPEG_BASELINE, JPEG_EXTENDED) and original.SamplesPerPixel == 3:
        assert back.PhotometricInterpretation == "YBR_FULL"
    got = back.pixel_array.astype(np.float64)
    expected = original.pixel_array.astype(np.float64)
    span = float(2 ** original.BitsStored)
    if check == "near":
        assert np.abs(got - expected).max() <= 2                # NEAR = 2 bounds every sample
    elif check == "mean":
        assert np.abs(got - expected).mean() < 0.02 * span
    else:
        assert np.sqrt(((got - expected) ** 2).mean()) < 0.02 * span
    # Without an explicit lossy request the instance stays as stored or lossless.
    r = requests.get(url(server.url, original), headers={"Accept": "application/dicom"}, timeout=REQUEST_TIMEOUT)
    assert pydicom.dcmread(io.BytesIO(r.content)).get("LossyImageCompression") != "01"


@pytest.mark.parametrize("media_type,syntax", [("image/jls", JLS), ("image/jp2", J2K), ("image/jpeg", JPEG_SV1)])
def test_frames_encoded_in_the_asked_media_type(server, sources, media_type, syntax):
    """Native frames, and frames decoded from another codec, re-encoded one at a time (PS3.18 Table 8.7.3-4:
    the media type's default transfer syntax)."""
    for name in ("data__test_files__SC_rgb_rle_2frame.dcm", "data__test_files__MR_small_jp2klossless.dcm"):
        original = sources[name]
        if original.file_meta.TransferSyntaxUID == syntax:
            continue
        frames = int(getattr(original, "NumberOfFrames", 1) or 1)
        numbers = ",".join(str(n) for n in range(1, frames + 1))
        r = requests.get(url(server.url, original) + f"/frames/{numbers}",
                         headers={"Accept": f'multipart/related; type="{media_type}"'}, timeout=REQUEST_TIMEOUT)
        assert r.status_code == 200, r.text
        parts = parse_multipart(r.headers["Content-Type"], r.content)
        assert all(f"transfer-syntax={syntax}" in h["content-type"].replace(" ", "") for h, _ in parts)
        wrapped = pydicom.dcmread(io.BytesIO(part10(original)))
        wrapped.file_meta.TransferSyntaxUID = syntax
        wrapped.PhotometricInterpretation = decoded_photometric(original)
        wrapped.PixelData = pydicom.encaps.encapsulate([p for _, p in parts])
        assert np.array_equal(wrapped.pixel_array, original.pixel_array)


DAMAGE = [("data__test_files__MR_small_jp2klossless.dcm", "JPEG 2000"),
          ("data__test_files__SC_rgb_jpeg_dcmtk.dcm", "JPEG"),
          ("data__test_files__SC_rgb_jpeg_gdcm.dcm", "JPEG"),
          ("data__test_files__JPGExtended.dcm", "JPEG"),
          ("data__test_files__MR_small_jpeg_ls_lossless.dcm", "JPEG-LS")]


@pytest.mark.parametrize("name,codec", DAMAGE)
@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_damaged_codestreams_fail_per_request(server, name, codec, damage):
    ds, _ = stored_copy(CORPUS / "files" / name)
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    encoded = list(pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=frames))
    frame = bytearray(encoded[0])
    if damage == "truncated":
        frame = frame[: len(frame) // 2]
    else:
        # Header kept, entropy-coded data overwritten with a pattern no codec accepts as complete.
        start = len(frame) // 3
        frame[start:] = bytes((i * 97 + 13) % 256 for i in range(len(frame) - start))
    encoded[0] = bytes(frame)
    ds.PixelData = pydicom.encaps.encapsulate(encoded)
    assert stow_raw(requests.Session(), server.url, [part10(ds)]).status_code == 200
    r = requests.get(url(server.url, ds) + "/frames/1", headers={"Accept": "application/octet-stream"},
                     timeout=REQUEST_TIMEOUT)
    if damage == "truncated":
        assert r.status_code == 406 and codec in r.text, r.text
    else:
        assert r.status_code in (200, 406), r.text              # garbage may still be a codestream
    assert requests.get(f"{server.url}/studies", timeout=REQUEST_TIMEOUT).status_code == 200
    assert server.proc.poll() is None


def test_encoders_refuse_what_they_cannot_hold(server, sources):
    """406 with the reason, before anything is sent."""
    ct = sources["data__test_files__CT_small.dcm"]
    r = requests.get(url(server.url, ct), headers={"Accept": f"application/dicom; transfer-syntax={JPEG_BASELINE}"},
                     timeout=REQUEST_TIMEOUT)
    assert r.status_code == 406 and "JPEG Baseline" in r.text
    r = requests.get(url(server.url, ct) + "/frames/1",
                     headers={"Accept": f'image/jpeg; transfer-syntax={JPEG_BASELINE}'}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 406 and "JPEG Baseline" in r.text


def test_a_bad_jpeg_header_does_not_poison_later_decodes(server):
    """A frame whose start-of-frame says height 0 fails; the JPEG decoder of that codec thread is replaced, so
    good JPEG frames still decode afterwards, on every thread."""
    ds, _ = stored_copy(CORPUS / "files" / "data__test_files__SC_rgb_jpeg_dcmtk.dcm")
    frame = bytearray(next(pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=1)))
    sof = frame.find(b"\xff\xc0")
    frame[sof + 5:sof + 7] = b"\x00\x00"
    ds.PixelData = pydicom.encaps.encapsulate([bytes(frame)])
    assert stow_raw(requests.Session(), server.url, [part10(ds)]).status_code == 200
    good, _ = STORED["data__test_files__SC_rgb_jpeg_dcmtk.dcm"]
    for _ in range(4):
        r = requests.get(url(server.url, ds) + "/frames/1", headers={"Accept": "application/octet-stream"},
                         timeout=REQUEST_TIMEOUT)
        assert r.status_code == 406, r.text
    for _ in range(6):
        r = requests.get(url(server.url, good) + "/frames/1", headers={"Accept": "application/octet-stream"},
                         timeout=REQUEST_TIMEOUT)
        assert r.status_code == 200, r.text
