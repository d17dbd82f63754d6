"""Rendered images of less common pixel data (issue 15), compared with pydicom's arrays: frame N of multi-frame
colour instances in every layout (native interleaved and planar, 4:2:2, RLE, JPEG-LS, JPEG 2000, fragmented JPEG),
32-bit RGB, segmented palette colour LUTs (PS3.3 §C.7.9.2) against pydicom's `apply_color_lut`, and Deflated
Explicit VR Little Endian images (inflated while streaming), and Structured Reports as text on WADO-RS (instance
and series), WADO-URI `contentType=image/jp2` (a lossless JP2 file), and undecodable pixel data: 406 with the reason before any
response starts, for rendered, thumbnail and single-part transcoding retrieves alike."""

from __future__ import annotations

import copy
import io

import numpy as np
import pydicom
import pytest
import requests
from PIL import Image
from pydicom.encaps import encapsulate, generate_fragmented_frames, generate_frames
from pydicom.pixels import apply_color_lut, convert_color_space
from pydicom.uid import DeflatedExplicitVRLittleEndian, JPEG2000Lossless, JPEGLSLossless, RLELossless, generate_uid

from conftest import CORPUS, REQUEST_TIMEOUT, encode as part10, parse_multipart, stow_raw, with_own_uids
from test_wado_uri import structured_report, wado


def load(name) -> pydicom.Dataset:
    return with_own_uids(CORPUS / "files" / f"data__test_files__{name}.dcm")


def fresh(ds) -> pydicom.Dataset:
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def rgb_two_frames():
    ds = load("SC_rgb_rle_2frame")
    return ds, ds.pixel_array


def native(planar):
    ds, rgb = rgb_two_frames()
    ds.decompress()
    ds.PlanarConfiguration = planar
    ds.PixelData = (np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)) if planar else rgb).tobytes()
    return fresh(ds), rgb


def compressed(uid):
    ds, rgb = rgb_two_frames()
    ds.decompress()
    ds.compress(uid, rgb)
    return fresh(ds), rgb


def ybr_full(planar, rle=False):
    ds, rgb = rgb_two_frames()
    ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
    ds.decompress()
    ds.PhotometricInterpretation = "YBR_FULL"
    ds.PlanarConfiguration = planar
    ds.PixelData = (np.ascontiguousarray(ybr.transpose(0, 3, 1, 2)) if planar else ybr).tobytes()
    if rle:
        ds.compress(RLELossless, ybr)
        ds.PhotometricInterpretation = "YBR_FULL"
    return fresh(ds), convert_color_space(ybr, "YBR_FULL", "RGB")


def ybr_422_native():
    """Two frames of native YBR_FULL_422: two bytes a pixel, so a frame is 2/3 of an RGB one."""
    ds = load("SC_ybr_full_422_uncompressed")
    ds.PixelData = bytes(ds.PixelData) + bytes(255 - b for b in ds.PixelData)
    ds.NumberOfFrames = 2
    return fresh(ds), ds.pixel_array


def jpeg_fragmented():
    """30 JPEG frames of two fragments each and no Basic Offset Table."""
    ds = load("examples_ybr_color")
    expected = ds.pixel_array
    frames = [b"".join(f) for f in generate_fragmented_frames(ds.PixelData, number_of_frames=ds.NumberOfFrames)]
    ds.PixelData = encapsulate(frames, fragments_per_frame=2, has_bot=False)
    return fresh(ds), expected


def jpeg_uneven_fragments():
    """30 JPEG frames, the first split over three fragments, no Basic Offset Table: 32 fragments, which ingest
    cannot assign to frames by counting; the codestream starts (SOI) say where each frame begins."""
    ds = load("examples_ybr_color")
    expected = ds.pixel_array
    frames = [b"".join(f) for f in generate_fragmented_frames(ds.PixelData, number_of_frames=ds.NumberOfFrames)]
    first = frames[0]
    fragments = [first[:1000], first[1000:2000], first[2000:]] + frames[1:]
    ds.PixelData = encapsulate([f + b"\0" * (len(f) % 2) for f in fragments], fragments_per_frame=1, has_bot=False)
    return fresh(ds), expected


def segmented_palette():
    """examples_palette with its tables rewritten as segments of each kind: discrete, linear, indirect."""
    ds = load("examples_palette")
    for colour in ("Red", "Green", "Blue"):
        v = list(np.frombuffer(getattr(ds, f"{colour}PaletteColorLookupTableData"), "<u2").astype(int))
        c_at = 2 + 1 + 3                                        # the word where segment C starts
        words = [0, 1, v[0]]                                    # A: discrete, entry 0
        words += [1, 63, v[63]]                                 # B: linear to entry 63
        words += [0, 64] + v[64:128]                            # C: discrete 64–127
        words += [1, 64, v[191]]                                # D: linear to entry 191
        words += [2, 1, c_at & 0xFFFF, c_at >> 16]              # E: indirect, segment C again: 192–255
        delattr(ds, f"{colour}PaletteColorLookupTableData")
        ds.add_new(f"Segmented{colour}PaletteColorLookupTableData", "OW", np.array(words, "<u2").tobytes())
    expected = apply_color_lut(ds.pixel_array, ds)
    assert expected.shape[-1] == 3
    return fresh(ds), np.floor(expected.astype(np.float64) / 257 + 0.5).astype(np.uint8)


def rgb_32bit(native=False):
    ds = load("SC_rgb_rle_32bit_2frame")
    expected = (ds.pixel_array >> 24).astype(np.uint8)
    if native:
        ds.decompress()
        fresh(ds)
    return ds, expected


def grey_32bit():
    """RT Dose, 32-bit unsigned, RLE: no window, so the frame's own range (LINEAR_EXACT)."""
    ds = load("rtdose_rle")
    values = ds.pixel_array.astype(np.float64)
    expected = []
    for frame in values:
        low, high = frame.min(), frame.max()
        y = ((frame - (low + high) / 2) / max(high - low, 1) + 0.5) * 255
        expected.append(np.floor(np.clip(y, 0, 255) + 0.5).astype(np.uint8))
    return ds, np.stack(expected)


CASES = {
    "native-interleaved": native(0),
    "native-planar": native(1),
    "jpeg-ls": compressed(JPEGLSLossless),
    "jpeg-2000": compressed(JPEG2000Lossless),
    "ybr-full-interleaved": ybr_full(0),
    "ybr-full-planar": ybr_full(1),
    "ybr-full-rle": ybr_full(0, rle=True),
    "ybr-422-native": ybr_422_native(),
    "jpeg-fragmented": jpeg_fragmented(),
    "jpeg-uneven-fragments": jpeg_uneven_fragments(),
    "rgb-32bit-rle": rgb_32bit(),
    "rgb-32bit-native": rgb_32bit(native=True),
    "grey-32bit-rle": grey_32bit(),
}
PALETTE = segmented_palette()


def deflated_two_frames():
    ds, rgb = native(1)                                          # planar, to read every byte of the frames
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    return fresh(ds), rgb


DEFLATED = {"grey": (load("image_dfl"), None), "rgb-2-frames": deflated_two_frames()}


def reports():
    """Two reports of one series."""
    first = structured_report()
    second = copy.deepcopy(first)
    second.ContentSequence[0].TextValue = "Second opinion"
    return [first, fresh(second)]


REPORTS = reports()


def undecodable(name, keep):
    """The first frame of a corpus instance cut to `keep` bytes (a truncated codestream)."""
    ds = load(name)
    frames = list(generate_frames(ds.PixelData, number_of_frames=int(getattr(ds, "NumberOfFrames", 1) or 1)))
    frames[0] = frames[0][:keep(len(frames[0]))]
    ds.PixelData = encapsulate(frames)
    return ds


def short_native():
    """Native Pixel Data half as long as Rows × Columns say (the value itself is whole)."""
    ds = load("MR_small")
    ds.PixelData = ds.PixelData[: len(ds.PixelData) // 2]
    return ds


UNDECODABLE = {
    "jpeg": undecodable("SC_rgb_jpeg_dcmtk", lambda n: n // 2),
    "jpeg-2000": undecodable("MR_small_jp2klossless", lambda n: n // 2),
    "rle": undecodable("SC_rgb_rle_2frame", lambda n: 80),
    "native-short": short_native(),
}


def mixed_series():
    """Undecodable images first and between good ones, in one series: stored in this order."""
    members = [undecodable("SC_rgb_jpeg_dcmtk", lambda n: n // 2), load("MR_small"),
               undecodable("SC_rgb_rle_2frame", lambda n: 80), load("CT_small")]
    for ds in members[1:]:
        ds.StudyInstanceUID, ds.SeriesInstanceUID = members[0].StudyInstanceUID, members[0].SeriesInstanceUID
        ds.PatientID, ds.PatientName = members[0].PatientID, members[0].PatientName
    return members


MIXED = mixed_series()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import LanternServer
    server = LanternServer(tmp_path_factory.mktemp("rendered-pixels")).start()
    server.root = server.url.rsplit("/", 1)[0]                  # for WADO-URI, beside the DICOMweb root
    stored = [ds for ds, _ in CASES.values()] + [PALETTE[0]] + [ds for ds, _ in DEFLATED.values()] + REPORTS
    stored += list(UNDECODABLE.values())
    r = stow_raw(requests.Session(), server.url, [part10(ds) for ds in stored])
    assert r.status_code == 200, r.text
    for ds in MIXED:                                             # one at a time: storage order
        r = stow_raw(requests.Session(), server.url, [part10(ds)])
        assert r.status_code == 200, r.text
    yield server
    server.stop()


def get(server, ds, suffix, accept="image/png"):
    url = f"{server.url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    return requests.get(url + suffix, headers={"Accept": accept}, timeout=REQUEST_TIMEOUT)


def image(r) -> np.ndarray:
    assert r.status_code == 200, r.text
    return np.asarray(Image.open(io.BytesIO(r.content)))


@pytest.mark.parametrize("case", list(CASES))
def test_every_frame_of_multi_frame_colour(server, case):
    ds, expected = CASES[case]
    tolerance = 2 if case in ("jpeg-fragmented", "jpeg-uneven-fragments") else 1 if "ybr" in case else 0  # lossy
    for number in (1, 2) if len(expected) < 30 else (1, 2, 17, 30):
        got = image(get(server, ds, f"/frames/{number}/rendered"))
        assert got.shape == expected[number - 1].shape
        assert np.abs(got.astype(int) - expected[number - 1].astype(int)).max() <= tolerance, (case, number)


def test_frames_of_uneven_fragments_are_their_codestreams(server):
    """Plain /frames/N (as stored) of fragments ingest could not assign: each frame is one whole codestream."""
    from pydicom.encaps import generate_fragments
    ds, _ = CASES["jpeg-uneven-fragments"]
    fragments = list(generate_fragments(ds.PixelData))[1:]     # the first item is the (empty) offset table
    codestreams = [b"".join(fragments[:3])] + fragments[3:]
    for number in (1, 2, 30):
        r = get(server, ds, f"/frames/{number}", accept='multipart/related; type="application/octet-stream"; '
                                                        'transfer-syntax=*')
        assert r.status_code == 200, (number, r.status_code, r.text[:200])
        [(_, payload)] = parse_multipart(r.headers["Content-Type"], r.content)
        assert payload == codestreams[number - 1], number


def test_32_bit_rgb_rendered_and_thumbnail(server):
    ds, expected = CASES["rgb-32bit-rle"]
    assert np.array_equal(image(get(server, ds, "/rendered")), expected[0])
    assert np.array_equal(image(get(server, ds, "/thumbnail")), expected[0])   # 2 frames: the middle is 1
    r = get(server, ds, "/rendered", accept="image/jpeg")
    assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"


def test_segmented_palette_matches_pydicom(server):
    ds, expected = PALETTE
    assert np.array_equal(image(get(server, ds, "/rendered")), expected)
    thumbnail = image(get(server, ds, "/thumbnail"))
    assert thumbnail.shape[2] == 3 and max(thumbnail.shape[:2]) == 128


def test_deflated_images_render(server):
    grey, _ = DEFLATED["grey"]
    assert grey.file_meta.TransferSyntaxUID == DeflatedExplicitVRLittleEndian
    values = grey.pixel_array.astype(np.float64)                 # no window, no rescale: the frame's range
    low, high = values.min(), values.max()
    expected = np.floor(np.clip(((values - (low + high) / 2) / (high - low) + 0.5) * 255, 0, 255) + 0.5)
    got = image(get(server, grey, "/rendered"))
    assert got.shape == values.shape and np.abs(got.astype(int) - expected.astype(int)).max() <= 1
    assert np.array_equal(image(get(server, grey, "/frames/1/rendered")), got)
    thumbnail = image(get(server, grey, "/thumbnail"))
    assert max(thumbnail.shape) <= 128
    assert get(server, grey, "/frames/2/rendered").status_code == 404
    ds, rgb = DEFLATED["rgb-2-frames"]
    for number in (1, 2):
        assert np.array_equal(image(get(server, ds, f"/frames/{number}/rendered")), rgb[number - 1])
    assert np.array_equal(image(get(server, ds, "/thumbnail")), rgb[0])
    assert get(server, ds, "/rendered", accept="image/gif").status_code == 200      # an animation of both
    series = requests.get(f"{server.url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/rendered",
                          headers={"Accept": 'multipart/related; type="image/png"'}, timeout=REQUEST_TIMEOUT)
    assert series.status_code == 200


def test_structured_reports_render_as_text(server):
    first, second = REPORTS
    r = get(server, first, "/rendered", accept="text/plain")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert "Diagnostic Imaging Report" in r.text and "Distance: 12.5 mm" in r.text
    for accept in ("*/*", "text/html", "text/html, text/plain;q=0.5"):
        r = get(server, first, "/rendered", accept=accept)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html"), accept
        assert "<li>Finding: No &lt;acute&gt; abnormality &amp; nothing else</li>" in r.text
    assert get(server, first, "/rendered", accept="image/jpeg").status_code == 406
    assert get(server, first, "/thumbnail").status_code == 406
    series = f"{server.url}/studies/{first.StudyInstanceUID}/series/{first.SeriesInstanceUID}/rendered"
    for accept, kind in ((None, "text/html"), ('multipart/related; type="text/plain"', "text/plain")):
        r = requests.get(series, headers={"Accept": accept} if accept else {}, timeout=REQUEST_TIMEOUT)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("multipart/related") and kind in r.headers["Content-Type"]
        parts = parse_multipart(r.headers["Content-Type"], r.content)
        assert [h["content-type"].split(";")[0] for h, _ in parts] == [kind, kind]
        assert sorted(h["content-location"].split("/instances/")[1] for h, _ in parts) == sorted(
            f"{ds.SOPInstanceUID}/rendered" for ds in REPORTS)
        texts = b"".join(body for _, body in parts).decode()
        assert "No &lt;acute&gt;" in texts or "No <acute>" in texts
        assert "Second opinion" in texts
    r = requests.get(series, headers={"Accept": 'multipart/related; type="image/jpeg"'}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 406
    study = f"{server.url}/studies/{first.StudyInstanceUID}/rendered"
    assert requests.get(study, timeout=REQUEST_TIMEOUT).status_code == 200


def test_wado_uri_renders_jpeg_2000(server):
    for ds in (CASES["native-interleaved"][0], DEFLATED["grey"][0]):
        r = wado(server, ds, contentType="image/jp2", frameNumber=2 if ds is CASES["native-interleaved"][0] else 1)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "image/jp2"
        assert r.content[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" and b"ftypjp2 " in r.content[:32]
        jp2 = np.asarray(Image.open(io.BytesIO(r.content)))
        png = wado(server, ds, contentType="image/png", frameNumber=2 if ds is CASES["native-interleaved"][0] else 1)
        assert np.array_equal(jp2, image(png))                  # lossless: the same pixels as PNG
    ds = CASES["native-interleaved"][0]
    r = wado(server, ds, contentType="image/jp2", rows=16)      # scaled like any rendered image
    assert np.asarray(Image.open(io.BytesIO(r.content))).shape[0] == 16
    r = wado(server, ds, contentType="image/jp2", imageQuality=50)  # lossless: quality ignored with a warning
    assert r.status_code == 200 and "Warning" in r.headers
    assert wado(server, ds, contentType="image/jp2,image/png;q=0.5").headers["Content-Type"] == "image/jp2"


@pytest.mark.parametrize("case", list(UNDECODABLE))
def test_undecodable_pixel_data_is_406_before_the_response(server, case):
    """PS3.18 Table 10.4.3-1: no acceptable representation can be produced (406, the reason in the body), not a
    server error; and never a 200 whose body stops short: single-part responses decode the first frame first."""
    ds = UNDECODABLE[case]
    for suffix, accept in (("/rendered", "image/png"), ("/rendered", "image/jpeg"), ("/frames/1/rendered", "image/png"),
                           ("/thumbnail", "image/jpeg")):
        r = get(server, ds, suffix, accept=accept)
        assert r.status_code == 406 and "cannot be converted" in r.text, (suffix, r.status_code, r.text)
    assert wado(server, ds, contentType="image/png").status_code == 406
    if case == "native-short":                                  # encoding it needs the whole frame
        r = get(server, ds, "", accept="application/dicom; transfer-syntax=1.2.840.10008.1.2.4.80")
        assert r.status_code == 406, (r.status_code, r.text)
    if case != "native-short":                                  # native to native needs no decoding: sent whole
        le = "1.2.840.10008.1.2.1"
        for accept in (f"application/dicom; transfer-syntax={le}",
                       f'multipart/related; type="application/dicom"; transfer-syntax={le}'):
            r = get(server, ds, "", accept=accept)
            assert r.status_code == 406 and "cannot be converted" in r.text, (accept, r.status_code)
        r = wado(server, ds, contentType="application/dicom")  # Explicit VR Little Endian by default (§9.4)
        assert r.status_code == 406, r.status_code
        r = get(server, ds, "", accept="application/dicom; transfer-syntax=*")   # as stored: still served
        assert r.status_code == 200 and pydicom.dcmread(io.BytesIO(r.content)).SOPInstanceUID == ds.SOPInstanceUID
    assert server.proc.poll() is None


def test_undecodable_images_are_left_out_of_a_series(server):
    first = MIXED[0]
    series = f"{server.url}/studies/{first.StudyInstanceUID}/series/{first.SeriesInstanceUID}/rendered"
    r = requests.get(series, headers={"Accept": 'multipart/related; type="image/png"'}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    locations = [h["content-location"].split("/instances/")[1] for h, _ in parts]
    assert locations == [f"{MIXED[1].SOPInstanceUID}/rendered", f"{MIXED[3].SOPInstanceUID}/rendered"]
    assert np.asarray(Image.open(io.BytesIO(parts[0][1]))).shape == MIXED[1].pixel_array.shape
