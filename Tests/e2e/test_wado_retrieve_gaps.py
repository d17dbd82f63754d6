"""WADO-RS retrieve behaviours of issue 15: transfer syntax on every frame and bulk data part, Accept with
several media ranges on frames, byte ranges on a single instance."""

import pytest

from conftest import STORED_FILES, parse_multipart

EXPLICIT_LE = "1.2.840.10008.1.2.1"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"


def by_name(name):
    return next(f for f in STORED_FILES if f.name == name)


def instance_url(base, f):
    return f"{base}/studies/{f.study}/series/{f.series}/instances/{f.sop}"


def squeeze(value: str) -> str:
    return value.replace(" ", "").replace('"', "")


def native_frame(f, i=0):
    ds = f.dataset()
    size = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated // 8
    return ds.PixelData[i * size:(i + 1) * size]


# ------------------------------------------------------------------------------------------------
# 1. Parts carry their transfer syntax (PS3.18 §8.7.3.4)
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("resource", ["frames/1", "pixeldata"])
def test_native_frame_parts_name_explicit_le(resource, stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    r = http.get(f"{instance_url(server.url, f)}/{resource}",
                 headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    assert r.status_code == 200, r.text
    assert f"transfer-syntax={EXPLICIT_LE}" in squeeze(r.headers["Content-Type"])
    parts = parse_multipart(r.headers["Content-Type"], r.content)
    assert len(parts) == 1
    assert squeeze(parts[0][0]["content-type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    assert parts[0][1] == native_frame(f)


def test_bare_frame_and_bulk_data_name_explicit_le(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    r = http.get(f"{instance_url(server.url, f)}/frames/1", headers={"Accept": "application/octet-stream"})
    assert r.status_code == 200, r.text
    assert squeeze(r.headers["Content-Type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    meta = http.get(f"{instance_url(server.url, f)}/metadata", headers={"Accept": "application/dicom+json"}).json()[0]
    uri = meta["7FE00010"]["BulkDataURI"]
    r = http.get(uri, headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    assert r.status_code == 200, r.text
    (headers, payload), = parse_multipart(r.headers["Content-Type"], r.content)
    assert squeeze(headers["content-type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    assert payload == f.dataset().PixelData


def test_decoded_frame_parts_name_explicit_le(stored_corpus, server, http):
    f = next(f for f in STORED_FILES if f.ts == JPEG_BASELINE and f.entry["has_pixel_data"])
    r = http.get(f"{instance_url(server.url, f)}/frames/1",
                 headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    assert r.status_code == 200, r.text
    (headers, _), = parse_multipart(r.headers["Content-Type"], r.content)
    assert squeeze(headers["content-type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    # As stored: the stored syntax.
    r = http.get(f"{instance_url(server.url, f)}/frames/1",
                 headers={"Accept": 'multipart/related; type="application/octet-stream"; transfer-syntax=*'})
    assert r.status_code == 200, r.text
    (headers, _), = parse_multipart(r.headers["Content-Type"], r.content)
    assert squeeze(headers["content-type"]) == f"application/octet-stream;transfer-syntax={JPEG_BASELINE}"


# ------------------------------------------------------------------------------------------------
# 2. Accept with several media ranges
# ------------------------------------------------------------------------------------------------

SEVERAL = ('multipart/related; type="application/octet-stream"; transfer-syntax=*, '
           f'multipart/related; type="image/jpeg"; transfer-syntax={JPEG_BASELINE}')


def test_several_ranges_on_16_bit_frames(stored_corpus, server, http):
    """JPEG baseline cannot hold 16-bit frames: the octet-stream range answers instead of a 406."""
    f = by_name("data__test_files__CT_small.dcm")
    r = http.get(f"{instance_url(server.url, f)}/frames/1", headers={"Accept": SEVERAL})
    assert r.status_code == 200, r.text
    (headers, payload), = parse_multipart(r.headers["Content-Type"], r.content)
    assert squeeze(headers["content-type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    assert payload == native_frame(f)
    # In the other order too: the first range that can be produced.
    reverse = ", ".join(reversed(SEVERAL.split(", ")))
    r = http.get(f"{instance_url(server.url, f)}/frames/1", headers={"Accept": reverse})
    assert r.status_code == 200, r.text
    (headers, payload), = parse_multipart(r.headers["Content-Type"], r.content)
    assert payload == native_frame(f)


def test_several_ranges_on_8_bit_frames(stored_corpus, server, http):
    f = next(f for f in STORED_FILES if f.ts == JPEG_BASELINE and f.entry["has_pixel_data"])
    r = http.get(f"{instance_url(server.url, f)}/frames/1", headers={"Accept": SEVERAL})
    assert r.status_code == 200, r.text
    (headers, payload), = parse_multipart(r.headers["Content-Type"], r.content)
    assert f"transfer-syntax={JPEG_BASELINE}" in squeeze(headers["content-type"])
    assert payload[:2] == b"\xff\xd8"


def test_only_impossible_ranges_are_406_with_the_reason(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    r = http.get(f"{instance_url(server.url, f)}/frames/1",
                 headers={"Accept": f'multipart/related; type="image/jpeg"; transfer-syntax={JPEG_BASELINE}'})
    assert r.status_code == 406, r.text


# ------------------------------------------------------------------------------------------------
# 3. Byte ranges on a single instance (application/dicom)
# ------------------------------------------------------------------------------------------------

def test_instance_byte_ranges(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    url = instance_url(server.url, f)
    accept = {"Accept": "application/dicom; transfer-syntax=*"}
    whole = http.get(url, headers=accept)
    assert whole.status_code == 200 and whole.content == f.data
    assert whole.headers["Accept-Ranges"] == "bytes"
    n = len(f.data)
    r = http.get(url, headers={**accept, "Range": "bytes=128-131"})
    assert r.status_code == 206, r.text
    assert r.content == b"DICM" == f.data[128:132]
    assert r.headers["Content-Range"] == f"bytes 128-131/{n}"
    assert r.headers["Content-Length"] == "4"
    r = http.get(url, headers={**accept, "Range": "bytes=-100"})
    assert r.status_code == 206 and r.content == f.data[-100:]
    assert r.headers["Content-Range"] == f"bytes {n - 100}-{n - 1}/{n}"
    r = http.get(url, headers={**accept, "Range": f"bytes={n - 10}-"})
    assert r.status_code == 206 and r.content == f.data[-10:]
    r = http.get(url, headers={**accept, "Range": f"bytes=100-{n + 1000}"})
    assert r.status_code == 206 and r.content == f.data[100:]
    r = http.get(url, headers={**accept, "Range": f"bytes={n}-{n + 10}"})
    assert r.status_code == 416
    assert r.headers["Content-Range"] == f"bytes */{n}"
    # The default transfer syntax of a bare application/dicom is as stored here, so ranges apply too.
    r = http.get(url, headers={"Accept": "application/dicom", "Range": "bytes=0-127"})
    assert r.status_code == 206 and r.content == f.data[:128]


def test_multi_fragment_frame_byte_range(stored_corpus, server, http):
    """A stored frame in several fragments is one representation: a Range spans fragments."""
    from pydicom.encaps import generate_fragments
    for f in STORED_FILES:
        if not f.entry["encapsulated"] or not f.entry["has_pixel_data"]:
            continue
        ds = f.dataset()
        if int(getattr(ds, "NumberOfFrames", 1) or 1) != 1:
            continue
        fragments = list(generate_fragments(ds.PixelData))[1:]  # the Basic Offset Table left out
        if len(fragments) < 2:
            continue
        frame = b"".join(fragments)
        r = http.get(f"{instance_url(server.url, f)}/frames/1",
                     headers={"Accept": "application/octet-stream; transfer-syntax=*", "Range": "bytes=2-"})
        if r.status_code != 206:
            continue
        assert r.content == frame[2:], f.name
        assert len(fragments[0]) > 2
        assert r.headers["Content-Range"] == f"bytes 2-{len(frame) - 1}/{len(frame)}"
        return
    pytest.fail("no encapsulated frame answered a range")


# ------------------------------------------------------------------------------------------------
# 4. Explicit VR Big Endian: frames and bulk data sent little endian (PS3.18 §8.7.3.4)
# ------------------------------------------------------------------------------------------------

BIG_ENDIAN = "1.2.840.10008.1.2.2"


def little_endian_pixels(ds) -> bytes:
    """pydicom's pixel values as little endian bytes, in the stored order of samples."""
    arr = ds.pixel_array
    if ds.SamplesPerPixel > 1 and ds.get("PlanarConfiguration", 0) == 1:
        arr = arr.transpose(2, 0, 1) if arr.ndim == 3 else arr.transpose(0, 3, 1, 2)
    return arr.astype(arr.dtype.newbyteorder("<")).tobytes()


def metadata(http, base, study, series, sop):
    r = http.get(f"{base}/studies/{study}/series/{series}/instances/{sop}/metadata",
                 headers={"Accept": "application/dicom+json"})
    assert r.status_code == 200, r.text
    return r.json()[0]


def get_octets(http, uri, **headers):
    return http.get(uri, headers={"Accept": "application/octet-stream", **headers})


@pytest.mark.parametrize("name", ["data__test_files__MR_small_bigendian.dcm",
                                  "data__test_files__ExplVR_BigEnd.dcm"])
def test_big_endian_frames_pixeldata_and_bulk_data(name, server, http):
    import io

    import pydicom

    from conftest import CORPUS_FILES, encode, stow_raw, with_own_uids
    f = next(f for f in CORPUS_FILES if f.name == name)
    assert f.ts == BIG_ENDIAN
    data = encode(with_own_uids(f.path))  # own UIDs: MR_small_bigendian shares MR_small's
    r = stow_raw(http, server.url, [data])
    assert r.status_code == 200, r.text
    ds = pydicom.dcmread(io.BytesIO(data))
    assert not ds.is_little_endian
    expected = little_endian_pixels(ds)
    url = f"{server.url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    r = get_octets(http, f"{url}/frames/1")
    assert r.status_code == 200, r.text
    assert squeeze(r.headers["Content-Type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    assert r.content == expected
    r = http.get(f"{url}/pixeldata", headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    assert r.status_code == 200, r.text
    assert b"".join(p for _, p in parse_multipart(r.headers["Content-Type"], r.content)) == expected
    uri = metadata(http, server.url, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)[
        "7FE00010"]["BulkDataURI"]
    r = get_octets(http, uri)
    assert r.status_code == 200 and r.content == expected
    # A range that starts and ends inside words.
    r = get_octets(http, uri, Range="bytes=3-10")
    assert r.status_code == 206 and r.content == expected[3:11]


def big_endian_instance():
    """A 16-bit big endian image with palette LUT data, an overlay and a nested FD value, all bulk data."""
    import numpy as np
    from pydicom.dataset import Dataset
    from pydicom.uid import ExplicitVRBigEndian

    from conftest import make_instance
    ds = make_instance(rows=16, cols=16, frames=2)
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
    values = np.arange(16 * 16 * 2, dtype=">u2") * 257
    ds.PixelData = values.tobytes()
    ds["PixelData"].VR = "OW"
    ds.RedPaletteColorLookupTableDescriptor = [256, 0, 16]
    ds.RedPaletteColorLookupTableData = (np.arange(256, dtype=">u2") * 255 + 1).tobytes()
    ds["RedPaletteColorLookupTableData"].VR = "OW"
    ds.add_new(0x60000010, "US", 64)
    ds.add_new(0x60000011, "US", 64)
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60003000, "OW", bytes(range(256)) * 2)
    item = Dataset()
    item.add_new(0x00660016, "OF", np.arange(100, dtype=">f4").tobytes())  # Point Coordinates Data
    item.add_new(0x00660040, "OL", (np.arange(100, dtype=">u4") * 65537).tobytes())  # Long Primitive Point Index
    ds.add_new(0x00660002, "SQ", [item])  # Surface Sequence
    return ds


def test_big_endian_bulk_data_by_vr(server, http):
    import io

    import numpy as np
    import pydicom

    from conftest import encode, stow_raw
    data = encode(big_endian_instance())
    r = stow_raw(http, server.url, [data])
    assert r.status_code == 200, r.text
    ds = pydicom.dcmread(io.BytesIO(data))
    assert not ds.is_little_endian
    meta = metadata(http, server.url, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)

    def swapped(raw: bytes, dtype: str) -> bytes:
        return np.frombuffer(raw, dtype=">" + dtype).astype("<" + dtype).tobytes()

    checks = {
        "00281201": swapped(ds.RedPaletteColorLookupTableData, "u2"),
        "60003000": swapped(ds[0x60003000].value, "u2"),
        "7FE00010": little_endian_pixels(ds),
    }
    for tag, expected in checks.items():
        uri = meta[tag]["BulkDataURI"]
        r = get_octets(http, uri)
        assert r.status_code == 200, (tag, r.text)
        assert r.content == expected, tag
    item = ds[0x00660002].value[0]
    for tag, dtype in (("00660016", "f4"), ("00660040", "u4")):
        expected = swapped(item[int(tag, 16)].value, dtype)
        uri = meta["00660002"]["Value"][0][tag]["BulkDataURI"]
        r = get_octets(http, uri)
        assert r.status_code == 200 and r.content == expected, tag
        r = get_octets(http, uri, Range="bytes=5-20")
        assert r.status_code == 206 and r.content == expected[5:21], tag
    # Frames, in any order.
    url = f"{server.url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    r = http.get(f"{url}/frames/2,1", headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    assert r.status_code == 200, r.text
    pixels = little_endian_pixels(ds)
    assert [p for _, p in parse_multipart(r.headers["Content-Type"], r.content)] == [pixels[512:], pixels[:512]]


# ------------------------------------------------------------------------------------------------
# 5. Deflated Explicit VR Little Endian: frames and bulk data, inflated while streaming
# ------------------------------------------------------------------------------------------------

DEFLATED = "1.2.840.10008.1.2.1.99"


def test_deflated_corpus_image_frames_and_pixel_data(stored_corpus, server, http):
    f = next(f for f in STORED_FILES if f.ts == DEFLATED and f.entry["has_pixel_data"])
    ds = f.dataset()
    expected = little_endian_pixels(ds)
    url = instance_url(server.url, f)
    r = get_octets(http, f"{url}/frames/1")
    assert r.status_code == 200, r.text
    assert squeeze(r.headers["Content-Type"]) == f"application/octet-stream;transfer-syntax={EXPLICIT_LE}"
    assert r.content == expected
    r = http.get(f"{url}/pixeldata", headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    assert r.status_code == 200, r.text
    assert b"".join(p for _, p in parse_multipart(r.headers["Content-Type"], r.content)) == expected
    uri = metadata(http, server.url, f.study, f.series, f.sop)["7FE00010"]["BulkDataURI"]
    r = get_octets(http, uri)
    assert r.status_code == 200 and r.content == expected
    r = get_octets(http, uri, Range="bytes=-1000")
    assert r.status_code == 206 and r.content == expected[-1000:]
    assert get_octets(http, f"{url}/frames/2").status_code == 404


def deflated_instance():
    """A 3-frame 16-bit deflated image with palette LUT data and a nested OF value, all bulk data."""
    import numpy as np
    from pydicom.dataset import Dataset
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    from conftest import make_instance
    ds = make_instance(rows=16, cols=16, frames=3)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.PixelData = (np.arange(16 * 16 * 3, dtype="<u2") * 97).tobytes()
    ds.RedPaletteColorLookupTableDescriptor = [256, 0, 16]
    ds.RedPaletteColorLookupTableData = (np.arange(256, dtype="<u2") * 255 + 1).tobytes()
    ds["RedPaletteColorLookupTableData"].VR = "OW"
    item = Dataset()
    item.add_new(0x00660016, "OF", np.arange(100, dtype="<f4").tobytes())
    ds.add_new(0x00660002, "SQ", [item])
    return ds


def test_deflated_frames_and_bulk_data(server, http):
    import io
    import re

    import pydicom

    from conftest import encode, stow_raw
    data = encode(deflated_instance())
    r = stow_raw(http, server.url, [data])
    assert r.status_code == 200, r.text
    ds = pydicom.dcmread(io.BytesIO(data))
    assert ds.file_meta.TransferSyntaxUID == DEFLATED
    url = f"{server.url}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    pixels = ds.PixelData
    frame = [pixels[i * 512:(i + 1) * 512] for i in range(3)]
    multipart = {"Accept": 'multipart/related; type="application/octet-stream"'}
    r = http.get(f"{url}/frames/3,1,2", headers=multipart)
    assert r.status_code == 200, r.text
    assert [p for _, p in parse_multipart(r.headers["Content-Type"], r.content)] == [frame[2], frame[0], frame[1]]
    r = http.get(f"{url}/pixeldata", headers=multipart)
    assert [p for _, p in parse_multipart(r.headers["Content-Type"], r.content)] == frame
    r = get_octets(http, f"{url}/frames/2", Range="bytes=100-199")
    assert r.status_code == 206 and r.content == frame[1][100:200]
    meta = metadata(http, server.url, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    values = {
        meta["00281201"]["BulkDataURI"]: ds.RedPaletteColorLookupTableData,
        meta["00660002"]["Value"][0]["00660016"]["BulkDataURI"]: ds[0x00660002].value[0][0x00660016].value,
        meta["7FE00010"]["BulkDataURI"]: pixels,
    }
    for uri, expected in values.items():
        r = get_octets(http, uri)
        assert r.status_code == 200, (uri, r.text)
        assert r.content == expected, uri
    # A BulkDataURI that names no value of the inflated data set is a 404 before any byte is sent.
    uri = meta["00281201"]["BulkDataURI"]
    offset, length = map(int, re.search(r"bulkdata/(\d+)-(\d+)$", uri).groups())
    base = uri[:uri.rindex("/") + 1]
    assert get_octets(http, f"{base}{offset + 2}-{length}").status_code == 404
    assert get_octets(http, f"{base}{offset}-{length + 2}").status_code == 404
    assert get_octets(http, f"{base}{10 ** 9}-{length}").status_code == 404


# ------------------------------------------------------------------------------------------------
# 6. QIDO-RS: Type 2 return keys are returned zero-length when the stored entity has no value
# ------------------------------------------------------------------------------------------------

STUDY_TYPE_2 = {"00080020": "DA", "00080030": "TM", "00080050": "SH", "00080061": "CS", "00080090": "PN",
                "00100010": "PN", "00100020": "LO", "00100030": "DA", "00100040": "CS", "00200010": "SH"}
SERIES_TYPE_2 = {"00080060": "CS", "00200011": "IS"}
INSTANCE_TYPE_2 = {"00200013": "IS"}


def test_qido_type_2_keys_are_returned_empty(server, http):
    from conftest import encode, stow_raw
    from pydicom.dataset import Dataset

    from conftest import make_instance
    ds = make_instance()
    for keyword in ("PatientName", "PatientID", "StudyDate", "StudyTime", "AccessionNumber",
                    "ReferringPhysicianName", "StudyID", "Modality", "SeriesNumber", "InstanceNumber"):
        delattr(ds, keyword)
    r = stow_raw(http, server.url, [encode(ds)])
    assert r.status_code == 200, r.text
    json = {"Accept": "application/dicom+json"}

    def check(results, wanted):
        assert len(results) == 1, results
        for tag, vr in wanted.items():
            assert tag in results[0], tag
            assert results[0][tag] == {"vr": vr}, (tag, results[0][tag])
        Dataset.from_json(results[0])  # a standard reader loads it

    study = ds.StudyInstanceUID
    check(http.get(f"{server.url}/studies?StudyInstanceUID={study}", headers=json).json(), STUDY_TYPE_2)
    check(http.get(f"{server.url}/studies/{study}/series", headers=json).json(), SERIES_TYPE_2)
    check(http.get(f"{server.url}/series?StudyInstanceUID={study}", headers=json).json(),
          {**SERIES_TYPE_2, **STUDY_TYPE_2})
    check(http.get(f"{server.url}/studies/{study}/series/{ds.SeriesInstanceUID}/instances", headers=json).json(),
          INSTANCE_TYPE_2)
    check(http.get(f"{server.url}/instances?StudyInstanceUID={study}", headers=json).json(),
          {**INSTANCE_TYPE_2, **SERIES_TYPE_2, **STUDY_TYPE_2})
    # includefield adds attributes; the Type 2 defaults stay.
    check(http.get(f"{server.url}/studies?StudyInstanceUID={study}&includefield=00081030", headers=json).json(),
          STUDY_TYPE_2)
    # Values that are stored are returned as stored.
    full = make_instance()
    assert stow_raw(http, server.url, [encode(full)]).status_code == 200
    got = http.get(f"{server.url}/studies?StudyInstanceUID={full.StudyInstanceUID}", headers=json).json()[0]
    assert got["00100020"]["Value"] == ["E2E-SYN"]
    assert got["00080061"]["Value"] == ["OT"]
