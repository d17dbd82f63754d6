"""Audit of every BulkDataURI of every stored corpus file (issue 15): the bytes a BulkDataURI answers must be
the value stored for that attribute, at every nesting depth, for every tag.

- Native values: one part, the value's bytes in little endian (PS3.18 §8.7.3.4: `application/octet-stream`
  without a transfer syntax is Explicit VR Little Endian), so values of big-endian instances are compared
  byte-swapped by VR.
- Encapsulated Pixel Data (`bulkdata/{offset}`, docs/server.md: it "answers as `pixeldata`"): one part per
  frame, as stored (`transfer-syntax=*`); a nested encapsulated value (an icon image) is one frame.
- InlineBinary values and the XML metadata's BulkData URIs are checked too: JSON and XML name the same
  values.
"""

import base64
import re

import pydicom
import pytest
from pydicom.encaps import generate_frames

from conftest import (CORPUS_FILES, DUPLICATE_REFUSED, EXPECTED, STORED_FILES, LanternServer, make_client,
                      parse_multipart, stow_raw)

VARIANTS = [f for f in CORPUS_FILES if EXPECTED[f.name] == ("failed", DUPLICATE_REFUSED)]
BIG_ENDIAN = "1.2.840.10008.1.2.2"
DEFLATED = "1.2.840.10008.1.2.1.99"
ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
# Bytes per swapped unit of each VR when a big-endian value is served in little endian.
SWAP = {"OW": 2, "US": 2, "SS": 2, "AT": 2, "OL": 4, "OF": 4, "UL": 4, "SL": 4, "FL": 4,
        "OD": 8, "OV": 8, "FD": 8, "UV": 8, "SV": 8}


@pytest.fixture(scope="module")
def overwrite_server(tmp_path_factory):
    s = LanternServer(tmp_path_factory.mktemp("lantern-audit"), "--duplicates", "overwrite").start()
    yield s
    s.stop()


def little_endian(raw: bytes, vr: str, big_endian: bool, bits_allocated: int | None = None) -> bytes:
    """`raw` as served: a big-endian value swapped by its VR's word (Pixel Data in OW by Bits Allocated)."""
    n = SWAP.get(vr, 1) if big_endian else 1
    if big_endian and bits_allocated and vr == "OW" and bits_allocated > 16:
        n = bits_allocated // 8
    if n == 1:
        return raw
    return b"".join(raw[i:i + n][::-1] for i in range(0, len(raw) - len(raw) % n, n))


def attributes(meta: dict, ds: pydicom.Dataset, path: str = ""):
    """(path, JSON attribute, pydicom raw element) for every attribute, at every depth."""
    for key, attr in meta.items():
        tag = int(key, 16)
        elem = ds.get_item(tag)
        assert elem is not None, f"{path}{key} is in the metadata but not in the file"
        yield path + key, attr, elem
        if attr.get("vr") == "SQ":
            items = ds[tag].value
            assert len(attr.get("Value", [])) == len(items), f"{path}{key}: item count"
            for i, item in enumerate(attr.get("Value", [])):
                yield from attributes(item, items[i], f"{path}{key}[{i}].")


def raw_bytes(elem) -> bytes:
    v = elem.value
    assert isinstance(v, (bytes, bytearray)), f"{elem.tag} was converted: {type(v)}"
    return bytes(v)


def audit(base: str, f, http) -> list[str]:
    """The mismatches of one instance's bulk data, as readable lines (empty: all good)."""
    url = f"{base}/studies/{f.study}/series/{f.series}/instances/{f.sop}"
    r = http.get(url + "/metadata", headers={"Accept": "application/dicom+json"})
    assert r.status_code == 200, r.text
    meta = r.json()[0]
    ds = f.dataset()
    big = f.ts == BIG_ENDIAN
    problems, uris = [], []
    for path, attr, elem in attributes(meta, ds):
        if "InlineBinary" in attr:
            got = base64.b64decode(attr["InlineBinary"])
            if got != little_endian(raw_bytes(elem), elem.VR, big):
                problems.append(f"{path}: InlineBinary differs")
            continue
        if "BulkDataURI" not in attr:
            continue
        uri = attr["BulkDataURI"]
        uris.append(uri)
        r = http.get(uri, headers={"Accept": ACCEPT})
        if r.status_code in (404, 406) and f.ts in (BIG_ENDIAN, DEFLATED):
            # Not served yet for these syntaxes (issue 15, "Missing behaviours": deflated offsets count
            # inflated bytes); an error, never wrong data.
            continue
        if r.status_code != 200:
            problems.append(f"{path}: {uri.rsplit('/', 1)[-1]} answers {r.status_code} {r.text[:200]}")
            continue
        parts = [payload for _, payload in parse_multipart(r.headers["Content-Type"], r.content)]
        raw = raw_bytes(elem)
        if elem.length == 0xFFFFFFFF:  # encapsulated Pixel Data: the frames, as stored
            frames = int(getattr(ds, "NumberOfFrames", 1) or 1) if "[" not in path else 1
            expected = list(generate_frames(raw, number_of_frames=frames))
            if "[" in path:
                expected = [b"".join(expected)]
        else:
            bits = getattr(ds, "BitsAllocated", None) if path == "7FE00010" else None
            expected = [little_endian(raw, elem.VR, big, bits)]
        if parts != expected:
            problems.append(
                f"{path} ({elem.VR}): {uri.rsplit('/', 1)[-1]} gives {[len(p) for p in parts]} bytes, stored "
                f"{[len(e) for e in expected]}" + ("" if [len(p) for p in parts] != [len(e) for e in expected]
                                                   else " (same length, other bytes)"))
    # The XML metadata names the same bulk data.
    r = http.get(url + "/metadata", headers={"Accept": 'multipart/related; type="application/dicom+xml"'})
    assert r.status_code == 200
    xml_uris = re.findall(rb'<BulkData uri="([^"]*)"', r.content)
    if sorted(u.decode().replace("&amp;", "&") for u in xml_uris) != sorted(uris):
        problems.append("the XML metadata's BulkData URIs differ from the JSON's")
    return problems


@pytest.mark.parametrize("f", STORED_FILES + VARIANTS, ids=lambda f: f.name)
def test_every_bulkdata_uri_returns_the_stored_value(f, stored_corpus, server, overwrite_server, http):
    if f in VARIANTS:
        r = stow_raw(http, overwrite_server.url, [f.data])
        assert r.status_code == 200, r.text
        base = overwrite_server.url
    else:
        base = server.url
    problems = audit(base, f, http)
    assert not problems, "\n".join(problems)


def test_overlay_file_pixel_data_is_whole(stored_corpus, server, http):
    """The reported case: an MR with overlay data (60xx,3000) and an icon image (nested Pixel Data)."""
    f = next(f for f in STORED_FILES if f.name == "data__test_files__examples_overlay.dcm")
    meta = make_client(server.url).retrieve_instance_metadata(f.study, f.series, f.sop)
    ds = f.dataset()
    for key, expected in (("7FE00010", ds.PixelData), ("60003000", ds[0x60003000].value)):
        r = http.get(meta[key]["BulkDataURI"], headers={"Accept": "application/octet-stream"})
        assert r.status_code == 200
        assert len(r.content) == len(expected) and r.content == expected, key
    icon = meta["00880200"]["Value"][0]["7FE00010"]["BulkDataURI"]
    r = http.get(icon, headers={"Accept": "application/octet-stream"})
    assert r.content == ds.IconImageSequence[0].PixelData


def test_nested_encapsulated_pixel_data(server, http):
    """An encapsulated icon image (Icon Image Sequence of a JPEG instance): its BulkDataURI has no length
    (`bulkdata/{offset}`) and answers its one frame, as stored (it was a 404)."""
    import io

    from pydicom.dataset import Dataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import generate_uid

    from conftest import CORPUS, CorpusFile

    ds = pydicom.dcmread(CORPUS / "files" / "data__test_files__SC_rgb_jpeg_dcmtk.dcm")
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    icon = Dataset()
    for k in ("SamplesPerPixel", "PhotometricInterpretation", "Rows", "Columns", "BitsAllocated", "BitsStored",
              "HighBit", "PixelRepresentation"):
        setattr(icon, k, getattr(ds, k))
    icon.PixelData = encapsulate([frame[:200], frame[200:] + b"\0" * 300])  # two fragments, one frame
    icon["PixelData"].VR = "OB"
    icon["PixelData"].is_undefined_length = True
    ds.IconImageSequence = [icon]
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    assert stow_raw(http, server.url, [data]).status_code == 200
    f = CorpusFile({"StudyInstanceUID": ds.StudyInstanceUID, "SeriesInstanceUID": ds.SeriesInstanceUID,
                    "SOPInstanceUID": ds.SOPInstanceUID, "transfer_syntax": ds.file_meta.TransferSyntaxUID},
                   None, data)
    assert audit(server.url, f, http) == []
    meta = http.get(f"{server.url}/studies/{f.study}/series/{f.series}/instances/{f.sop}/metadata").json()[0]
    uri = meta["00880200"]["Value"][0]["7FE00010"]["BulkDataURI"]
    r = http.get(uri, headers={"Accept": "image/jpeg"})
    assert r.status_code == 200 and r.content == frame + b"\0" * 300
    # Never decoded with the instance's geometry: a request for native pixels is refused.
    assert http.get(uri, headers={"Accept": "application/octet-stream"}).status_code == 406
