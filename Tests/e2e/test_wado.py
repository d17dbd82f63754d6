"""WADO-RS: instances, studies and series as stored; metadata (JSON and XML); bulk data; frames;
pixel data; Range; ETag; 404 and 406."""

import base64
import io
from collections import defaultdict
from xml.etree import ElementTree

import pydicom
import pytest
import requests
from pydicom.encaps import generate_frames
from pydicom.tag import Tag

from conftest import (CORPUS_FILES, DUPLICATE_REFUSED, EXPECTED, STORED_FILES, encode, make_client,
                      make_instance, parse_multipart, stow_raw, tag_value, xml_find, xml_local)

ANY_TS = (("application/dicom", "*"),)
NATIVE_LE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1"}
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"


def instance_url(base, f):
    return f"{base}/studies/{f.study}/series/{f.series}/instances/{f.sop}"


def by_name(name):
    return next(f for f in STORED_FILES if f.name == name)


# Files refused in the session server only because an earlier file has the same SOP Instance UID: they
# are checked one at a time on a server started with --duplicates overwrite.
VARIANTS = [f for f in CORPUS_FILES if EXPECTED[f.name] == ("failed", DUPLICATE_REFUSED)]
STORABLE = STORED_FILES + VARIANTS


@pytest.fixture(scope="module")
def overwrite_server(tmp_path_factory):
    from conftest import LanternServer
    s = LanternServer(tmp_path_factory.mktemp("lantern-overwrite"), "--duplicates", "overwrite").start()
    yield s
    s.stop()


@pytest.fixture
def stored(request, stored_corpus, server, overwrite_server, http):
    """(server url, client) where the parametrized file `f` is the stored version of its SOP UID."""
    f = request.getfixturevalue("f")
    if f in VARIANTS:
        r = stow_raw(http, overwrite_server.url, [f.data])
        assert r.status_code == 200, r.text
        return overwrite_server.url, make_client(overwrite_server.url)
    return server.url, make_client(server.url)


STUDIES = defaultdict(list)
SERIES = defaultdict(list)
for _f in STORED_FILES:
    STUDIES[_f.study].append(_f)
    SERIES[(_f.study, _f.series)].append(_f)


# ------------------------------------------------------------------------------------------------
# Instances, series and studies, as stored
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("f", STORABLE, ids=lambda f: f.name)
def test_retrieve_instance_as_stored(f, stored, http):
    base, client = stored
    got = client.retrieve_instance(f.study, f.series, f.sop, media_types=ANY_TS)
    orig = f.dataset()
    assert got.file_meta == orig.file_meta
    assert got == orig  # element for element
    # and the bytes are the file sent
    r = http.get(instance_url(base, f),
                 headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'})
    assert r.status_code == 200
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert len(parts) == 1
    headers, payload = parts[0]
    assert headers["content-type"].replace(" ", "") == f"application/dicom;transfer-syntax={f.ts}"
    assert payload == f.data


NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"}
EXPLICIT_LE = "1.2.840.10008.1.2.1"


@pytest.mark.parametrize("f", [f for f in STORABLE if f.ts in NATIVE], ids=lambda f: f.name)
def test_retrieve_instance_converted_to_explicit_le(f, stored):
    """Native instances convert to Explicit VR Little Endian on request, values unchanged."""
    base, client = stored
    got = client.retrieve_instance(f.study, f.series, f.sop, media_types=(("application/dicom", EXPLICIT_LE),))
    assert got.file_meta.TransferSyntaxUID == EXPLICIT_LE
    orig = f.dataset()
    assert sorted(got.keys()) == sorted(orig.keys())
    for elem in orig:
        if elem.VR == "SQ" or elem.tag == 0x7FE00010:
            continue
        assert got[elem.tag].value == elem.value, elem.tag
    if "PixelData" in orig and f.ts != "1.2.840.10008.1.2.2":
        assert got.PixelData == orig.PixelData


def test_retrieve_instance_default_accept_native(stored_corpus, client):
    f = by_name("data__test_files__CT_small.dcm")
    got = client.retrieve_instance(f.study, f.series, f.sop)  # the library's default Accept
    assert got == f.dataset()


def test_retrieve_instance_bare_application_dicom(stored_corpus, server, http):
    f = by_name("data__test_files__JPEG2000.dcm") if any(
        x.name == "data__test_files__JPEG2000.dcm" for x in STORED_FILES) else STORED_FILES[0]
    # Without a transfer syntax: the standard default, Explicit VR Little Endian (PS3.18 §8.7.3.5.2).
    r = http.get(instance_url(server.url, f), headers={"Accept": "application/dicom"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].replace(" ", "") == "application/dicom;transfer-syntax=1.2.840.10008.1.2.1"
    back = pydicom.dcmread(io.BytesIO(r.content))
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert back.SOPInstanceUID == f.sop
    # transfer-syntax=* keeps what is stored, byte for byte.
    r = http.get(instance_url(server.url, f), headers={"Accept": "application/dicom; transfer-syntax=*"})
    assert r.status_code == 200 and r.content == f.data


def test_default_transfer_syntax_converts_what_it_can_and_keeps_the_rest(server_factory, tmp_path):
    """A study of a JPEG image and an MPEG-2 video (no decoder) asked for without a transfer syntax: the JPEG
    comes in Explicit VR Little Endian, the video as stored; `default-transfer-syntax = as-stored` keeps both
    as stored."""
    from pydicom.encaps import encapsulate
    jpeg = by_name("data__test_files__SC_rgb_jpeg_dcmtk.dcm")
    video = make_instance(study=jpeg.study)
    source = jpeg.dataset()
    for keyword in ("PatientName", "PatientID", "IssuerOfPatientID"):
        if keyword in source:
            setattr(video, keyword, source.data_element(keyword).value)
        elif keyword in video:
            delattr(video, keyword)
    video.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"
    video.PixelData = encapsulate([b"\x00\x00\x01\xb3" + b"\0" * 28])
    video["PixelData"].VR = "OB"
    video_bytes = encode(video)
    for setting, expected in (("explicit", "1.2.840.10008.1.2.1"), ("as-stored", jpeg.ts)):
        conf = tmp_path / f"{setting}.conf"
        conf.write_text(f"default-transfer-syntax = {setting}\n")
        s = server_factory("--config", str(conf))
        session = requests.Session()
        assert stow_raw(session, s.url, [jpeg.data, video_bytes]).status_code == 200
        r = session.get(f"{s.url}/studies/{jpeg.study}",
                        headers={"Accept": 'multipart/related; type="application/dicom"'}, timeout=30)
        assert r.status_code == 200, r.text
        syntaxes = {}
        for headers, payload in parse_multipart(r.headers["Content-Type"], r.content):
            back = pydicom.dcmread(io.BytesIO(payload))
            syntaxes[back.SOPInstanceUID] = back.file_meta.TransferSyntaxUID
        assert syntaxes == {jpeg.sop: expected, video.SOPInstanceUID: "1.2.840.10008.1.2.4.100"}, setting


def study_param(study):
    return pytest.param(study, id=study[-24:])


@pytest.mark.parametrize("study", [study_param(s) for s in sorted(STUDIES)])
def test_retrieve_study(study, stored_corpus, client):
    got = {ds.SOPInstanceUID: ds for ds in client.retrieve_study(study, media_types=ANY_TS)}
    expected = {f.sop: f for f in STUDIES[study]}
    assert sorted(got) == sorted(expected)
    for sop, f in expected.items():
        assert got[sop] == f.dataset()


def test_retrieve_series(stored_corpus, client):
    (study, series), files = max(((k, v) for k, v in SERIES.items() if len({f.ts for f in v}) == 1),
                                 key=lambda kv: len(kv[1]))
    assert len(files) > 1
    got = {ds.SOPInstanceUID: ds for ds in client.retrieve_series(study, series, media_types=ANY_TS)}
    assert sorted(got) == sorted(f.sop for f in files)
    for f in files:
        assert got[f.sop] == f.dataset()


def test_retrieve_series_mixed_transfer_syntaxes(stored_corpus, client):
    (study, series), files = next((k, v) for k, v in SERIES.items() if len({f.ts for f in v}) > 1)
    got = {ds.SOPInstanceUID: ds for ds in client.retrieve_series(study, series, media_types=ANY_TS)}
    assert sorted(got) == sorted(f.sop for f in files)


def test_unsupported_transfer_syntax_is_406(stored_corpus, server, http):
    # A syntax no codec produces: JPEG XL (the codecs: test_codecs.py, test_transcode.py).
    f = by_name("data__test_files__CT_small.dcm")
    r = http.get(instance_url(server.url, f), headers={
        "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.110'})
    assert r.status_code == 406 and "1.2.840.10008.1.2.4.110" in r.text
    f = next(f for f in STORED_FILES if f.entry["encapsulated"])
    r = http.get(instance_url(server.url, f), headers={
        "Accept": f'multipart/related; type="application/dicom"; transfer-syntax={f.ts}'})
    assert r.status_code == 200


def test_unacceptable_media_type_is_406(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    assert http.get(instance_url(server.url, f), headers={"Accept": "application/json"}).status_code == 406
    assert http.get(instance_url(server.url, f) + "/metadata",
                    headers={"Accept": "application/dicom"}).status_code == 406
    # native frames cannot be sent as JPEG XL: no encoder
    assert http.get(instance_url(server.url, f) + "/frames/1",
                    headers={"Accept": 'multipart/related; type="image/jxl"'}).status_code == 406


def test_unknown_uids_are_404(stored_corpus, server, client, http):
    f = by_name("data__test_files__CT_small.dcm")
    unknown = "1.2.3.4.5.6.7.8.9"
    for url in [f"{server.url}/studies/{unknown}",
                f"{server.url}/studies/{unknown}/metadata",
                f"{server.url}/studies/{f.study}/series/{unknown}",
                f"{server.url}/studies/{f.study}/series/{unknown}/metadata",
                f"{server.url}/studies/{f.study}/series/{f.series}/instances/{unknown}",
                f"{server.url}/studies/{f.study}/series/{f.series}/instances/{unknown}/metadata",
                f"{server.url}/studies/{f.study}/series/{f.series}/instances/{unknown}/frames/1",
                f"{server.url}/studies/{unknown}/series/{f.series}/instances/{f.sop}"]:
        assert http.get(url).status_code == 404, url
    with pytest.raises(requests.HTTPError) as e:
        client.retrieve_instance(f.study, f.series, unknown)
    assert e.value.response.status_code == 404


def test_etag_and_if_none_match(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    for url, accept in [(instance_url(server.url, f), 'multipart/related; type="application/dicom"'),
                        (instance_url(server.url, f) + "/metadata", "application/dicom+json"),
                        (f"{server.url}/studies/{f.study}/metadata", "application/dicom+json")]:
        r = http.get(url, headers={"Accept": accept})
        assert r.status_code == 200
        etag = r.headers.get("ETag")
        assert etag, url
        r2 = http.get(url, headers={"Accept": accept, "If-None-Match": etag})
        assert r2.status_code == 304, url
        assert r2.content == b""
        r3 = http.get(url, headers={"Accept": accept, "If-None-Match": '"something-else"'})
        assert r3.status_code == 200


# ------------------------------------------------------------------------------------------------
# Metadata
# ------------------------------------------------------------------------------------------------

AMBIGUOUS_VR = {"UN", "US or SS", "OB or OW", "US or OW", "US or SS or OW"}


def compare_metadata(meta: dict, ds: pydicom.Dataset, where="") -> None:
    expected = {f"{int(t):08X}": ds.get_item(t) for t in ds.keys() if Tag(t).element != 0}
    got = {k: v for k, v in meta.items() if int(k[4:], 16) != 0}
    assert sorted(got) == sorted(expected), where
    for key, attr in got.items():
        elem = ds[int(key, 16)]
        if elem.VR not in AMBIGUOUS_VR and attr["vr"] != "UN":
            assert attr["vr"] == elem.VR, f"{where}{key}"
        if elem.VR == "UI" and elem.value and "Value" in attr:
            values = elem.value if isinstance(elem.value, pydicom.multival.MultiValue) else [elem.value]
            assert attr["Value"] == [str(v) for v in values], f"{where}{key}"
        if elem.VR == "SQ" and attr["vr"] == "SQ":
            items = attr.get("Value", [])
            assert len(items) == len(elem.value), f"{where}{key}"
            for i, (mi, di) in enumerate(zip(items, elem.value)):
                compare_metadata(mi, di, f"{where}{key}[{i}].")


def metadata_param(f):
    marks = []
    return pytest.param(f, id=f.name, marks=marks)


@pytest.mark.parametrize("f", [metadata_param(f) for f in STORED_FILES])
def test_instance_metadata_json(f, stored_corpus, client):
    meta = client.retrieve_instance_metadata(f.study, f.series, f.sop)
    compare_metadata(meta, f.dataset())


def test_study_and_series_metadata_json(stored_corpus, client):
    study, files = max(STUDIES.items(), key=lambda kv: len(kv[1]))
    metas = client.retrieve_study_metadata(study)
    assert sorted(tag_value(m, "00080018") for m in metas) == sorted(f.sop for f in files)
    (study, series), files = max(SERIES.items(), key=lambda kv: len(kv[1]))
    metas = client.retrieve_series_metadata(study, series)
    assert sorted(tag_value(m, "00080018") for m in metas) == sorted(f.sop for f in files)
    for m in metas:
        assert tag_value(m, "0020000E") == series


@pytest.mark.parametrize("level", ["study", "series", "instance"])
def test_metadata_xml(level, stored_corpus, server, http):
    (study, series), files = max(SERIES.items(), key=lambda kv: len(kv[1]))
    url = {"study": f"{server.url}/studies/{study}",
           "series": f"{server.url}/studies/{study}/series/{series}",
           "instance": f"{server.url}/studies/{study}/series/{series}/instances/{files[0].sop}"}[level]
    r = http.get(url + "/metadata", headers={"Accept": 'multipart/related; type="application/dicom+xml"'})
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    sops = []
    for headers, payload in parts:
        assert headers["content-type"].startswith("application/dicom+xml")
        root = ElementTree.fromstring(payload)
        assert xml_local(root.tag) == "NativeDicomModel"
        sops.append(xml_find(root, "DicomAttribute[@tag='00080018']/Value").text)
    expected = [f.sop for f in STUDIES[study]] if level == "study" else (
        [f.sop for f in files] if level == "series" else [files[0].sop])
    assert sorted(sops) == sorted(expected)


# ------------------------------------------------------------------------------------------------
# Bulk data
# ------------------------------------------------------------------------------------------------

def raw_value(elem) -> bytes:
    """The value bytes as in the file (RawDataElement before conversion)."""
    v = elem.value
    assert isinstance(v, (bytes, bytearray)), f"{elem.tag} was converted: {type(v)}"
    return bytes(v)


def bulk_elements(meta: dict, ds: pydicom.Dataset, path=""):
    """(path, uri or InlineBinary bytes, raw bytes) for every BulkDataURI and InlineBinary, recursively in
    sequences."""
    for key, attr in meta.items():
        tag = int(key, 16)
        if "BulkDataURI" in attr:
            yield path + key, attr["BulkDataURI"], raw_value(ds.get_item(tag))
        elif "InlineBinary" in attr:
            yield path + key, base64.b64decode(attr["InlineBinary"]), raw_value(ds.get_item(tag))
        elif attr.get("vr") == "SQ":
            for i, item in enumerate(attr.get("Value", [])):
                yield from bulk_elements(item, ds[tag].value[i], f"{path}{key}[{i}].")


NATIVE_LE_FILES = [f for f in STORABLE if f.ts in NATIVE_LE]
OCTETS = ("application/octet-stream",)


def bulk_param(f):
    return pytest.param(f, id=f.name)


@pytest.mark.parametrize("f", [bulk_param(f) for f in NATIVE_LE_FILES])
def test_bulkdata_uris_resolve(f, stored):
    base, client = stored
    meta = client.retrieve_instance_metadata(f.study, f.series, f.sop)
    ds = f.dataset()
    found = list(bulk_elements(meta, ds))
    if f.entry["has_pixel_data"]:
        assert "7FE00010" in meta, "PixelData is in the metadata"
        assert {"BulkDataURI", "InlineBinary"} & set(meta["7FE00010"]), "PixelData has its value"
    for path, uri, expected in found:
        if isinstance(uri, bytes):
            assert uri == expected, path
            continue
        assert uri.startswith(base + "/studies/"), uri
        got = b"".join(client.retrieve_bulkdata(uri, media_types=OCTETS))
        assert got == expected, path


def test_bulkdata_range_206(stored_corpus, client, http):
    f = by_name("data__test_files__CT_small.dcm")
    meta = client.retrieve_instance_metadata(f.study, f.series, f.sop)
    uri = meta["7FE00010"]["BulkDataURI"]
    pixels = f.dataset().PixelData
    r = http.get(uri, headers={"Accept": "application/octet-stream", "Range": "bytes=10-19"})
    assert r.status_code == 206, r.text
    assert r.content == pixels[10:20]
    assert r.headers["Content-Range"] == f"bytes 10-19/{len(pixels)}"
    r = http.get(uri, headers={"Accept": "application/octet-stream", "Range": f"bytes={len(pixels) - 5}-"})
    assert r.status_code == 206
    assert r.content == pixels[-5:]
    r = http.get(uri, headers={"Accept": "application/octet-stream"})
    assert r.status_code == 200 and r.content == pixels
    r = http.get(uri, headers={"Accept": "application/octet-stream",
                               "Range": f"bytes={len(pixels) + 10}-{len(pixels) + 20}"})
    assert r.status_code == 416


# ------------------------------------------------------------------------------------------------
# Frames and pixel data
# ------------------------------------------------------------------------------------------------

def expected_frames(f) -> list[bytes]:
    ds = f.dataset()
    n = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if f.entry["encapsulated"]:
        return list(generate_frames(ds.PixelData, number_of_frames=n))
    size = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated // 8
    px = ds.PixelData
    return [px[i * size:(i + 1) * size] for i in range(n)]


FRAME_FILES = [f for f in STORABLE if f.entry["has_pixel_data"] and (
    f.entry["encapsulated"] or (f.ts in NATIVE_LE and f.entry["BitsAllocated"] >= 8))
    and f.name != "data__test_files__badVR.dcm"]  # NumberOfFrames "1A"


@pytest.mark.parametrize("f", FRAME_FILES, ids=lambda f: f.name)
def test_frames(f, stored):
    base, client = stored
    frames = expected_frames(f)
    numbers = list(range(1, len(frames) + 1))
    if f.entry["encapsulated"]:
        got = client.retrieve_instance_frames(f.study, f.series, f.sop, numbers,
                                              media_types=(("application/octet-stream", "*"),))
    else:
        got = client.retrieve_instance_frames(f.study, f.series, f.sop, numbers, media_types=OCTETS)
    assert len(got) == len(frames)
    for i, (g, e) in enumerate(zip(got, frames)):
        assert g == e, f"frame {i + 1}"


def test_frames_subset_and_order(client):
    ds = make_instance(rows=3, cols=5, frames=5)
    client.store_instances([ds])
    size = 3 * 5 * 2
    frames = [ds.PixelData[i * size:(i + 1) * size] for i in range(5)]
    got = client.retrieve_instance_frames(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID,
                                          [3, 1, 5], media_types=OCTETS)
    assert got == [frames[2], frames[0], frames[4]]


def test_client_default_accept_for_frames_and_bulkdata(stored_corpus, client):
    f = by_name("data__test_files__CT_small.dcm")
    frames = client.retrieve_instance_frames(f.study, f.series, f.sop, [1])
    assert frames == expected_frames(f)
    uri = client.retrieve_instance_metadata(f.study, f.series, f.sop)["7FE00010"]["BulkDataURI"]
    assert b"".join(client.retrieve_bulkdata(uri)) == f.dataset().PixelData


def test_frame_out_of_range(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    accept = {"Accept": 'multipart/related; type="application/octet-stream"'}
    r = http.get(instance_url(server.url, f) + "/frames/2", headers=accept)
    assert r.status_code in (400, 404), r.status_code
    r = http.get(instance_url(server.url, f) + "/frames/0", headers=accept)
    assert r.status_code == 400


def test_jpeg_frame_in_its_own_media_type(stored_corpus, server, http):
    f = next(f for f in FRAME_FILES if f.ts == JPEG_BASELINE)
    r = http.get(instance_url(server.url, f) + "/frames/1",
                 headers={"Accept": 'multipart/related; type="image/jpeg"'})
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert len(parts) == 1
    assert parts[0][0]["content-type"].replace(" ", "").startswith("image/jpeg")
    assert f"transfer-syntax={JPEG_BASELINE}" in parts[0][0]["content-type"].replace(" ", "")
    assert parts[0][1] == expected_frames(f)[0]



def test_fallback_to_the_stored_syntax_sends_stored_bytes(stored_corpus, server, http):
    # JPEG baseline cannot hold 16-bit frames, so the first choice gives way to the second, the frame as stored
    # (JPEG 2000): its bytes must be the stored codestream, not a decoded frame under the stored label.
    f = next(f for f in STORED_FILES if f.ts in ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91")
             and f.entry["BitsAllocated"] == 16 and f.entry["has_pixel_data"])
    accept = (f'multipart/related; type="image/jpeg"; transfer-syntax={JPEG_BASELINE}, '
              f'multipart/related; type="image/jp2"; transfer-syntax={f.ts}; q=0.5')
    r = http.get(instance_url(server.url, f) + "/frames/1", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert "image/jp2" in parts[0][0]["content-type"]
    assert parts[0][1] == expected_frames(f)[0]


PIXELDATA_FILES = ["data__test_files__CT_small.dcm", "data__test_files__rtdose.dcm",
                   "data__test_files__examples_ybr_color.dcm", "data__test_files__SC_rgb_rle_2frame.dcm",
                   "data__test_files__JPEG2000.dcm"]


@pytest.mark.parametrize("f", [f for f in STORABLE if f.name in PIXELDATA_FILES], ids=lambda f: f.name)
def test_pixeldata(f, stored, http):
    base, client = stored
    accept = 'multipart/related; type="application/octet-stream"' + (
        "; transfer-syntax=*" if f.entry["encapsulated"] else "")
    r = http.get(instance_url(base, f) + "/pixeldata", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert b"".join(p for _, p in parts) == b"".join(expected_frames(f))
