"""Rendered and thumbnail resources (PS3.18 §10.4.1.1.3–4, §8.3.5): images decoded with Pillow and compared with a
reference rendering computed here from pydicom's arrays (Modality LUT, VOI window by the PS3.3 §C.11.2.1.2
formulas, MONOCHROME1 inversion, palette colour), viewports, animations, multipart studies, thumbnails, documents and
video passed through, and every parameter error."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
import requests
from PIL import Image

from conftest import CORPUS, REQUEST_TIMEOUT, encode as part10, parse_multipart, stow_raw, with_own_uids

FILES = {
    "ct": "data__test_files__CT_small.dcm",                   # signed 16-bit, rescale, no window
    "mr": "data__test_files__MR_small.dcm",                   # window 600/1600
    "cr": "data__test_files__dicomdirtests__77654033__CR1__6154.dcm",   # MONOCHROME1, rescale 0.684/200
    "overlay": "data__test_files__examples_overlay.dcm",      # two windows: the first is used
    "rgb": "data__test_files__examples_rgb_color.dcm",
    "palette": "data__test_files__examples_palette.dcm",
    "cine": "data__test_files__examples_ybr_color.dcm",       # 30 JPEG frames, YBR_FULL_422
    "j2k": "data__test_files__MR_small_jp2klossless.dcm",
}


def load(name) -> pydicom.Dataset:
    return with_own_uids(CORPUS / "files" / name)


STORED = {key: load(name) for key, name in FILES.items()}


def url(base, ds) -> str:
    return f"{base}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import LanternServer
    server = LanternServer(tmp_path_factory.mktemp("rendered")).start()
    r = stow_raw(requests.Session(), server.url, [part10(ds) for ds in STORED.values()])
    assert r.status_code == 200, r.text
    yield server
    server.stop()


def get(server, ds, suffix, accept="image/png", **kw):
    return requests.get(url(server.url, ds) + suffix, headers={"Accept": accept}, timeout=REQUEST_TIMEOUT, **kw)


def image(r) -> np.ndarray:
    assert r.status_code == 200, r.text
    return np.asarray(Image.open(io.BytesIO(r.content)))


def window(x, center, width, function="linear"):
    """PS3.3 §C.11.2.1.2 and §C.11.2.1.3, to 0–255."""
    if function == "linear":
        y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255
        y = np.where(x <= center - 0.5 - (width - 1) / 2, 0, np.where(x > center - 0.5 + (width - 1) / 2, 255, y))
    elif function == "linear-exact":
        y = ((x - center) / width + 0.5) * 255
        y = np.where(x <= center - width / 2, 0, np.where(x > center + width / 2, 255, y))
    else:
        y = 255 / (1 + np.exp(-4 * (x - center) / width))
    return np.floor(np.clip(y, 0, 255) + 0.5).astype(np.uint8)


def modality(ds) -> np.ndarray:
    return ds.pixel_array.astype(np.float64) * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))


@pytest.mark.parametrize("function", ["linear", "linear-exact", "sigmoid"])
def test_requested_window_matches_the_reference(server, function):
    ds = STORED["ct"]
    got = image(get(server, ds, f"/rendered?window=40,400,{function}"))
    expected = window(modality(ds), 40, 400, function)
    assert got.shape == expected.shape
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= (1 if function == "sigmoid" else 0)


def test_default_voi_is_the_data_sets_then_the_frames_range(server):
    mr = STORED["mr"]
    assert np.array_equal(image(get(server, mr, "/rendered")), window(modality(mr), 600, 1600))
    overlay = STORED["overlay"]                                  # the first of two windows
    assert np.array_equal(image(get(server, overlay, "/rendered")), window(modality(overlay), 450, 790))
    ct = STORED["ct"]                                            # no window: the frame's range, linear-exact
    values = modality(ct)
    low, high = values.min(), values.max()
    expected = window(values, (low + high) / 2, high - low, "linear-exact")
    assert np.array_equal(image(get(server, ct, "/rendered")), expected)


def test_monochrome1_is_inverted_after_the_window(server):
    cr = STORED["cr"]
    expected = 255 - window(modality(cr), 1600, 2800)
    assert np.array_equal(image(get(server, cr, "/rendered")), expected)


def test_colour_rendering(server):
    rgb = STORED["rgb"]
    assert np.array_equal(image(get(server, rgb, "/rendered")), rgb.pixel_array)
    palette = STORED["palette"]
    lut = pydicom.pixels.apply_color_lut(palette.pixel_array, palette)
    expected = np.floor(lut.astype(np.float64) / 257 + 0.5).astype(np.uint8)
    assert np.array_equal(image(get(server, palette, "/rendered")), expected)
    # JPEG Baseline YBR_FULL_422, decoded then rendered: the reference decoders' RGB.
    cine = STORED["cine"]
    got = image(get(server, cine, "/frames/7/rendered"))
    assert np.abs(got.astype(int) - cine.pixel_array[6].astype(int)).max() <= 2


def test_jpeg_and_quality(server):
    ds = STORED["mr"]
    good = get(server, ds, "/rendered?quality=95", accept="image/jpeg")
    poor = get(server, ds, "/rendered?quality=5", accept="image/jpeg")
    assert good.headers["Content-Type"] == "image/jpeg" and good.content[:2] == b"\xff\xd8"
    assert len(poor.content) < len(good.content)
    assert np.abs(image(good).astype(int) - window(modality(ds), 600, 1600).astype(int)).mean() < 2
    # Without an Accept range that names a type, JPEG (the default of Table 8.7.4-1).
    assert get(server, ds, "/rendered", accept="*/*").headers["Content-Type"] == "image/jpeg"
    # quality on a lossless type is ignored with a warning.
    r = get(server, ds, "/rendered?quality=50")
    assert r.status_code == 200 and "quality" in r.headers.get("Warning", "")


def test_viewport(server):
    cine = STORED["cine"]                                        # 320 × 240
    assert image(get(server, cine, "/frames/1/rendered?viewport=64,64")).shape == (48, 64, 3)
    assert image(get(server, cine, "/frames/1/rendered?viewport=640,1000")).shape == (480, 640, 3)
    # A region: 100 × 50 pixels from (20, 10), at its own size, is exactly that crop.
    full = image(get(server, cine, "/frames/1/rendered"))
    crop = image(get(server, cine, "/frames/1/rendered?viewport=100,50,20,10,100,50"))
    assert np.array_equal(crop, full[10:60, 20:120])
    # A negative width flips horizontally; a negative height vertically.
    flipped = image(get(server, cine, "/frames/1/rendered?viewport=100,50,20,10,-100,-50"))
    assert np.array_equal(flipped, crop[::-1, ::-1])
    # Missing sx, sy take 0; missing sw, sh reach the edges.
    corner = image(get(server, cine, "/frames/1/rendered?viewport=160,120,,,160,120"))
    assert np.array_equal(corner, full[:120, :160])


def test_multi_frame_instance_is_an_animation(server):
    cine = STORED["cine"]
    r = get(server, cine, "/rendered", accept="image/gif")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/gif"
    gif = Image.open(io.BytesIO(r.content))
    assert gif.n_frames == 30 and gif.size == (320, 240)
    # As JPEG or PNG: its first frame.
    first = image(get(server, cine, "/rendered"))
    assert np.array_equal(first, image(get(server, cine, "/frames/1/rendered")))


def test_several_frames_and_studies_are_multipart(server):
    cine = STORED["cine"]
    r = get(server, cine, "/frames/3,1/rendered", accept='multipart/related; type="image/png"')
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert [h["content-location"].rsplit("/", 2)[-2] for h, _ in parts] == ["3", "1"]
    frames = [np.asarray(Image.open(io.BytesIO(p))) for _, p in parts]
    assert np.array_equal(frames[1], image(get(server, cine, "/frames/1/rendered")))
    # A single-part type for several frames or a study is not acceptable (§10.4.4).
    assert get(server, cine, "/frames/3,1/rendered").status_code == 406
    ds = STORED["mr"]
    r = requests.get(f"{server.url}/studies/{ds.StudyInstanceUID}/rendered",
                     headers={"Accept": 'multipart/related; type="image/jpeg"'}, timeout=REQUEST_TIMEOUT)
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert len(parts) == 1 and parts[0][0]["content-type"] == "image/jpeg"
    assert parts[0][0]["content-location"].endswith(f"/instances/{ds.SOPInstanceUID}/rendered")


def test_annotations_are_burned_in(server):
    ds = STORED["ct"]
    plain = image(get(server, ds, "/rendered"))
    patient = image(get(server, ds, "/rendered?annotation=patient"))
    both = image(get(server, ds, "/rendered?annotation=patient,technique"))
    assert patient.shape == plain.shape
    # The patient lines are at the top; the bottom is untouched until the technique lines are asked for.
    assert not np.array_equal(patient[:30], plain[:30]) and np.array_equal(patient[-30:], plain[-30:])
    assert not np.array_equal(both[-30:], plain[-30:])
    r = get(server, ds, "/rendered?annotation=patient,ruler")
    assert r.status_code == 200 and "ruler" in r.headers["Warning"]


def test_thumbnails(server):
    cine = STORED["cine"]
    for suffix in ("/thumbnail", "/frames/5/thumbnail"):
        got = image(get(server, cine, suffix, accept="image/jpeg"))
        assert got.shape == (96, 128, 3)
    base = f"{server.url}/studies/{cine.StudyInstanceUID}"
    for address in (base + "/thumbnail", f"{base}/series/{cine.SeriesInstanceUID}/thumbnail"):
        r = requests.get(address, headers={"Accept": "image/png"}, timeout=REQUEST_TIMEOUT)
        assert image(r).shape == (96, 128, 3)
    got = image(get(server, cine, "/thumbnail?viewport=40,40"))
    assert got.shape == (30, 40, 3)
    small = STORED["mr"]                                        # 64 × 64: not enlarged
    assert image(get(server, small, "/thumbnail")).shape == (64, 64)
    assert get(server, cine, "/thumbnail?viewport=40,40,0,0,10,10").status_code == 400


@pytest.mark.parametrize("suffix,status", [
    ("/rendered?window=40,400", 400), ("/rendered?window=40,0,linear", 400), ("/rendered?window=a,b,linear", 400),
    ("/rendered?window=40,400,cubic", 400), ("/rendered?quality=0", 400), ("/rendered?quality=101", 400),
    ("/rendered?viewport=0,10", 400), ("/rendered?viewport=10", 400), ("/rendered?viewport=10,10,1,2,0,5", 400),
    ("/rendered?annotation=", 400), ("/frames/2/rendered", 404), ("/frames/x/rendered", 400),
    ("/rendered?viewport=10,10,100,100,10,10", 400), ("/rendered?viewport=10,10,-1,0,5,5", 400)])
def test_parameter_errors(server, suffix, status):
    assert get(server, STORED["mr"], suffix).status_code == status


def test_not_acceptable(server):
    r = get(server, STORED["mr"], "/rendered", accept="application/dicom")
    assert r.status_code == 406 and "image/jpeg" in r.text


def test_documents_and_video_pass_through(server):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"    # odd length
    ds = load(FILES["mr"])
    del ds.PixelData
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf + b"\0"
    video = load(FILES["cine"])
    video.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.102"
    stream = bytes(range(256)) * 40
    video.PixelData = pydicom.encaps.encapsulate([stream[:5000], stream[5000:]])
    assert stow_raw(requests.Session(), server.url, [part10(ds), part10(video)]).status_code == 200
    r = get(server, ds, "/rendered", accept="application/pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf" and r.content == pdf
    assert get(server, ds, "/rendered", accept="image/jpeg").status_code == 406
    r = get(server, video, "/rendered", accept="video/mp4")
    assert r.status_code == 200 and r.headers["Content-Type"] == "video/mp4" and r.content == stream


def test_gif_holds_the_same_pixels_as_png(server):
    """The LZW stream decodes (Pillow) to exactly the rendered grey levels; colour goes through the 6 × 7 × 6 cube."""
    for key in ("mr", "ct", "cr"):
        ds = STORED[key]
        png = image(get(server, ds, "/rendered"))
        gif = np.asarray(Image.open(io.BytesIO(get(server, ds, "/rendered", accept="image/gif").content)).convert("L"))
        assert np.array_equal(gif, png)
    rgb = STORED["rgb"]
    png = image(get(server, rgb, "/rendered")).astype(int)
    gif = np.asarray(Image.open(io.BytesIO(get(server, rgb, "/rendered", accept="image/gif").content)).convert("RGB"))
    assert np.abs(gif.astype(int) - png).max() <= 26            # half a step of the coarsest axis (255 / 5)


def test_big_endian_frames_render_like_little_endian_ones(server):
    raw = (CORPUS / "files" / "data__test_files__MR_small_bigendian.dcm").read_bytes()
    ds = pydicom.dcmread(io.BytesIO(raw))
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.2"
    assert stow_raw(requests.Session(), server.url, [raw]).status_code == 200
    assert np.array_equal(image(get(server, ds, "/rendered")), window(modality(ds), 600, 1600))


def test_icc_profile_is_embedded_on_request(server):
    """iccprofile=yes (PS3.18 §8.3.5.1.5): the image's ICC Profile in the PNG (iCCP) or JPEG (APP2); none by
    default; GIF cannot carry one (400); a colour-space change is not supported (400)."""
    ds = load(FILES["rgb"])
    profile = pydicom.dcmread(CORPUS / "files" / "data__palettes__spring.dcm").ICCProfile
    ds.ICCProfile = profile
    assert stow_raw(requests.Session(), server.url, [part10(ds)]).status_code == 200
    for accept in ("image/png", "image/jpeg"):
        r = get(server, ds, "/rendered?iccprofile=yes", accept=accept)
        assert r.status_code == 200, r.text
        assert Image.open(io.BytesIO(r.content)).info.get("icc_profile") == profile
        assert np.array_equal(image(r), image(get(server, ds, "/rendered", accept=accept)))
        assert "icc_profile" not in Image.open(io.BytesIO(get(server, ds, "/rendered", accept=accept).content)).info
    assert get(server, ds, "/rendered?iccprofile=yes", accept="image/gif").status_code == 400
    assert get(server, ds, "/rendered?iccprofile=srgb").status_code == 400
    r = get(server, STORED["mr"], "/rendered?iccprofile=yes")
    assert r.status_code == 200 and "ICC" in r.headers["Warning"]
