"""STOW-RS: the whole corpus, duplicates, partial success, content types, response formats."""

from xml.etree import ElementTree

import pydicom
import pytest


from conftest import (CORPUS_FILES, DUPLICATE_REFUSED, EXPECTED, MISSING_ATTRIBUTE, PROCESSING_FAILURE,
                      TimeoutSession, encode, make_client, make_instance, new_uid, stow_raw, tag_value, tag_values,
                      xml_find, xml_local)

REFERENCED = "00081199"
FAILED = "00081198"
RETRIEVE_URL = "00081190"
SOP_CLASS = "00081150"
SOP_INSTANCE = "00081155"
FAILURE_REASON = "00081197"
ERROR_COMMENT = "00000902"


def by_name(name):
    return next(f for f in CORPUS_FILES if f.name == name)


@pytest.mark.parametrize("f", CORPUS_FILES, ids=lambda f: f.name)
def test_store_corpus_file(f, stored_corpus, server):
    """Each corpus file gets its proper outcome: stored, or refused with the right reason (never a 5xx)."""
    result = stored_corpus[f.name]
    outcome, reason = EXPECTED[f.name]
    body = result.body
    assert result.content_type.startswith("application/dicom+json"), result
    if outcome == "stored":
        assert result.status == 200
        assert FAILED not in body or not tag_values(body, FAILED)
        refs = tag_values(body, REFERENCED)
        assert len(refs) == 1, body
        ref = refs[0]
        assert tag_value(ref, SOP_INSTANCE) == f.sop
        assert tag_value(ref, SOP_CLASS) == f.entry["sop_class_uid"]
        assert tag_value(ref, RETRIEVE_URL) == (
            f"{server.url}/studies/{f.study}/series/{f.series}/instances/{f.sop}")
        assert tag_value(body, RETRIEVE_URL) == f"{server.url}/studies/{f.study}"
    else:
        assert result.status == 409, (result.status, body)
        assert not tag_values(body, REFERENCED)
        failed = tag_values(body, FAILED)
        assert len(failed) == 1, body
        assert tag_value(failed[0], FAILURE_REASON) == reason, failed[0]
        assert tag_value(failed[0], ERROR_COMMENT), "a failure carries an ErrorComment"
        if reason == DUPLICATE_REFUSED:
            assert tag_value(failed[0], SOP_INSTANCE) == f.sop


def test_error_comments_are_plain_lo_values(stored_corpus):
    """ErrorComment is LO in the default character set: ASCII, at most 64 characters. (An earlier
    build sent 'PS3.10 \u00a7' UTF-8-encoded twice, as '\u00c2\u00a7'.)"""
    for name, result in stored_corpus.items():
        for failed in tag_values(result.body, FAILED):
            comment = tag_value(failed, ERROR_COMMENT)
            assert comment.isascii() and len(comment) <= 64, (name, comment)


def test_resend_identical_file_succeeds(stored_corpus, server, http):
    f = by_name("data__test_files__CT_small.dcm")
    r = stow_raw(http, server.url, [f.data])
    assert r.status_code == 200, r.text
    ref = tag_values(r.json(), REFERENCED)[0]
    assert tag_value(ref, SOP_INSTANCE) == f.sop
    assert tag_value(ref, RETRIEVE_URL) == (
        f"{server.url}/studies/{f.study}/series/{f.series}/instances/{f.sop}")
    assert tag_value(r.json(), RETRIEVE_URL) == f"{server.url}/studies/{f.study}"


def test_same_sop_uid_different_bytes_is_refused(server, client, http):
    ds = make_instance()
    client.store_instances([ds])
    ds.PatientName = "Changed^Name"
    r = stow_raw(http, server.url, [encode(ds)])
    assert r.status_code == 409, r.text
    failed = tag_values(r.json(), FAILED)
    assert tag_value(failed[0], FAILURE_REASON) == DUPLICATE_REFUSED
    assert tag_value(failed[0], SOP_INSTANCE) == ds.SOPInstanceUID
    # the first version is kept
    got = client.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    assert str(got.PatientName) == "E2E^Synthetic"


def test_duplicates_reject_refuses_identical(server_factory):
    s = server_factory("--duplicates", "reject")
    http = TimeoutSession()
    data = encode(make_instance())
    assert stow_raw(http, s.url, [data], ).status_code == 200
    r = stow_raw(http, s.url, [data])
    assert r.status_code == 409
    assert tag_value(tag_values(r.json(), FAILED)[0], FAILURE_REASON) == DUPLICATE_REFUSED


def test_duplicates_overwrite_replaces(server_factory):
    s = server_factory("--duplicates", "overwrite")
    client = make_client(s.url)
    ds = make_instance()
    client.store_instances([ds])
    ds.PatientName = "Over^Written"
    client.store_instances([ds])
    got = client.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    assert str(got.PatientName) == "Over^Written"
    found = client.search_for_instances(search_filters={"SOPInstanceUID": ds.SOPInstanceUID})
    assert len(found) == 1


def test_store_instances_public_api_roundtrip(client):
    """dicomweb-client's own store_instances (pydicom-encoded) then retrieve_instance."""
    study = new_uid()
    datasets = [make_instance(study=study, InstanceNumber=i) for i in range(1, 4)]
    result = client.store_instances(datasets, study_instance_uid=study)
    assert len(result.ReferencedSOPSequence) == 3
    assert "FailedSOPSequence" not in result
    for ds in datasets:
        got = client.retrieve_instance(study, ds.SeriesInstanceUID, ds.SOPInstanceUID)
        assert got == ds
        assert got.file_meta.TransferSyntaxUID == ds.file_meta.TransferSyntaxUID


def test_partial_success_is_202(server, http):
    good = make_instance()
    no_uids = by_name("data__test_files__UN_sequence.dcm")
    r = stow_raw(http, server.url, [encode(good), no_uids.data])
    assert r.status_code == 202, r.text
    body = r.json()
    assert [tag_value(x, SOP_INSTANCE) for x in tag_values(body, REFERENCED)] == [good.SOPInstanceUID]
    failed = tag_values(body, FAILED)
    assert len(failed) == 1 and tag_value(failed[0], FAILURE_REASON) == MISSING_ATTRIBUTE


def test_study_mismatch_with_url_is_refused(server, http, client):
    ds = make_instance()
    other = new_uid()
    r = stow_raw(http, server.url, [encode(ds)], study=other)
    assert r.status_code == 409, r.text
    failed = tag_values(r.json(), FAILED)
    assert tag_value(failed[0], FAILURE_REASON) == MISSING_ATTRIBUTE
    assert tag_value(failed[0], SOP_INSTANCE) == ds.SOPInstanceUID
    assert client.search_for_instances(search_filters={"SOPInstanceUID": ds.SOPInstanceUID}) == []


def test_store_to_matching_study_url(server, http):
    ds = make_instance()
    r = stow_raw(http, server.url, [encode(ds)], study=ds.StudyInstanceUID)
    assert r.status_code == 200, r.text


def test_bare_application_dicom_body(server, http, client):
    ds = make_instance()
    r = http.post(f"{server.url}/studies", data=encode(ds),
                  headers={"Content-Type": "application/dicom", "Accept": "application/dicom+json"})
    assert r.status_code == 200, r.text
    got = client.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    assert got == ds


def test_wrong_content_type_is_415(server, http):
    r = http.post(f"{server.url}/studies", data=encode(make_instance()),
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 415


def test_multipart_with_no_part_is_400(server, http):
    r = http.post(f"{server.url}/studies", data=b"--b--\r\n",
                  headers={"Content-Type": 'multipart/related; type="application/dicom"; boundary=b'})
    assert r.status_code == 400


def test_xml_response(server, http):
    ds = make_instance()
    r = stow_raw(http, server.url, [encode(ds)], accept="application/dicom+xml")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/dicom+xml")
    root = ElementTree.fromstring(r.content)
    assert xml_local(root.tag) == "NativeDicomModel"
    seq = xml_find(root, "DicomAttribute[@tag='00081199']")
    assert seq is not None
    uid = xml_find(seq, "Item/DicomAttribute[@tag='00081155']/Value")
    assert uid is not None and uid.text == ds.SOPInstanceUID


def test_public_url_in_retrieve_url(server_factory):
    s = server_factory("--public-url", "https://pacs.example.org")
    ds = make_instance()
    r = stow_raw(TimeoutSession(), s.url, [encode(ds)])
    assert r.status_code == 200
    url = tag_value(tag_values(r.json(), REFERENCED)[0], RETRIEVE_URL)
    assert url == (f"https://pacs.example.org/dicomweb/studies/{ds.StudyInstanceUID}/series/"
                   f"{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}")


def test_file_without_preamble_is_refused_or_served_as_part10(server, http, client):
    ds = make_instance()
    data = encode(ds)[128 + 4:]  # drop preamble and "DICM"
    r = stow_raw(http, server.url, [data])
    if r.status_code == 409:
        assert tag_value(tag_values(r.json(), FAILED)[0], FAILURE_REASON) == PROCESSING_FAILURE
        return
    assert r.status_code == 200, r.text
    got = client.retrieve_instance(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    assert got == ds


def test_long_failure_comments_come_whole_in_warning_headers(server, http):
    """An Error Comment is an LO (64 characters): the whole explanation comes in a Warning header."""
    from conftest import encode, make_instance, stow_raw
    ds = make_instance()
    del ds.StudyInstanceUID
    del ds.SeriesInstanceUID
    r = stow_raw(http, server.url, [encode(ds)])
    assert r.status_code == 409, r.text
    warnings = r.headers.get("Warning", "")
    assert "StudyInstanceUID" in warnings and "SeriesInstanceUID" in warnings, warnings
    assert warnings.startswith("299 ")
