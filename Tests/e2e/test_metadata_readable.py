"""Metadata that standard clients can read (issue 15): every stored corpus instance's DICOM JSON loads with
pydicom's `Dataset.from_json`, including instances holding values that break their VR (badVR.dcm: IS `1A`),
which PS3.18 §F.2.3 cannot carry as a JSON Number nor as a JSON String; they are written as empty values
(`null`), or without `Value` when no valid value is left (docs/conformance-statement.md)."""

import pydicom
import pytest

from conftest import STORED_FILES, make_client, tag_value


def instance_url(base, f):
    return f"{base}/studies/{f.study}/series/{f.series}/instances/{f.sop}"


@pytest.mark.parametrize("f", STORED_FILES, ids=lambda f: f.name)
def test_metadata_loads_in_pydicom(f, stored_corpus, server, http):
    r = http.get(instance_url(server.url, f) + "/metadata", headers={"Accept": "application/dicom+json"})
    assert r.status_code == 200
    [meta] = r.json()
    ds = pydicom.Dataset.from_json(meta, bulk_data_uri_handler=lambda tag, vr, uri: b"")
    for elem in ds.iterall():  # every value converts, nested ones too
        _ = elem.value
    assert ds.SOPInstanceUID == f.sop


def test_invalid_integer_string_is_left_out_and_the_rest_kept(stored_corpus, server, http):
    f = next(f for f in STORED_FILES if f.name == "data__test_files__badVR.dcm")
    original = f.dataset()
    assert original[0x00280008].value == "1A"  # NumberOfFrames, not an integer
    for url in (instance_url(server.url, f) + "/metadata", f"{server.url}/studies/{f.study}/metadata"):
        found = [m for m in http.get(url, headers={"Accept": "application/dicom+json"}).json()
                 if tag_value(m, "00080018") == f.sop]
        assert len(found) == 1
        meta = found[0]
        assert meta["00280008"] == {"vr": "IS"}          # present, no valid value
        ds = pydicom.Dataset.from_json(meta, bulk_data_uri_handler=lambda tag, vr, uri: b"")
        assert ds.NumberOfFrames is None
        assert ds.SeriesNumber == original.SeriesNumber == 1
        assert list(ds.ImagePositionPatient) == pytest.approx([float(v) for v in original.ImagePositionPatient])
        assert list(ds.GridFrameOffsetVector) == pytest.approx([float(v) for v in original.GridFrameOffsetVector])
    # dicomweb-client reads it too, and the instance itself keeps the original bytes.
    client = make_client(server.url)
    assert client.retrieve_instance_metadata(f.study, f.series, f.sop)["00280008"] == {"vr": "IS"}
    stored = client.retrieve_instance(f.study, f.series, f.sop, media_types=(("application/dicom", "*"),))
    assert stored[0x00280008].value == "1A"
