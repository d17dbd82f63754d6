"""WADO-URI (PS3.18 §9) at /wado: Retrieve DICOM Instance with transferSyntax and anonymize=yes (PS3.15 Basic
Profile), Retrieve Rendered Instance with every rendering parameter (checked against a reference rendering
computed here), Grayscale Softcopy Presentation States, documents and Structured Reports as text, and a 400
with the reason for each missing, malformed or contradictory parameter."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
import requests
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from conftest import CORPUS, REQUEST_TIMEOUT, encode, stow_raw, with_own_uids

MR = with_own_uids(CORPUS / "files" / "data__test_files__MR_small.dcm")                 # 64 × 64, window 600/1600
CINE = with_own_uids(CORPUS / "files" / "data__test_files__examples_ybr_color.dcm")      # 30 frames
J2K = with_own_uids(CORPUS / "files" / "data__test_files__MR_small_jp2klossless.dcm")
PRIVATE = with_own_uids(CORPUS / "files" / "data__test_files__CT_small.dcm")             # has private tags
TWIN = with_own_uids(CORPUS / "files" / "data__test_files__CT_small.dcm")                # same study as PRIVATE
TWIN.StudyInstanceUID = PRIVATE.StudyInstanceUID


def modality(ds):
    return ds.pixel_array.astype(np.float64) * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))


def linear(x, center, width):
    y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255
    y = np.where(x <= center - 0.5 - (width - 1) / 2, 0, np.where(x > center - 0.5 + (width - 1) / 2, 255, y))
    return np.floor(np.clip(y, 0, 255) + 0.5).astype(np.uint8)


def code(value, scheme, meaning):
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return Sequence([item])


def structured_report() -> Dataset:
    ds = with_own_uids(CORPUS / "files" / "data__test_files__MR_small.dcm")
    for keyword in [e.keyword for e in ds if e.tag.group in (0x0018, 0x0028, 0x7FE0) or e.keyword.startswith("Window")]:
        if keyword:
            delattr(ds, keyword)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"
    ds.Modality = "SR"
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = code("18748-4", "LN", "Diagnostic Imaging Report")
    finding = Dataset()
    finding.RelationshipType, finding.ValueType = "CONTAINS", "TEXT"
    finding.ConceptNameCodeSequence = code("121071", "DCM", "Finding")
    finding.TextValue = "No <acute> abnormality & nothing else"
    size = Dataset()
    size.RelationshipType, size.ValueType = "CONTAINS", "NUM"
    size.ConceptNameCodeSequence = code("121206", "DCM", "Distance")
    measured = Dataset()
    measured.NumericValue = "12.5"
    measured.MeasurementUnitsCodeSequence = code("mm", "UCUM", "millimeter")
    size.MeasuredValueSequence = Sequence([measured])
    ds.ContentSequence = Sequence([finding, size])
    return ds


def presentation_state(image: Dataset, *, rotation=90, shape="INVERSE", window=(300, 600), refer=True) -> Dataset:
    ds = Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.11.1"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = image.StudyInstanceUID, pydicom.uid.generate_uid()
    ds.PatientName, ds.PatientID, ds.Modality = image.PatientName, image.PatientID, "PR"
    series = Dataset()
    series.SeriesInstanceUID = image.SeriesInstanceUID
    referenced = Dataset()
    referenced.ReferencedSOPClassUID = image.SOPClassUID
    referenced.ReferencedSOPInstanceUID = image.SOPInstanceUID if refer else pydicom.uid.generate_uid()
    series.ReferencedImageSequence = Sequence([referenced])
    ds.ReferencedSeriesSequence = Sequence([series])
    voi = Dataset()
    voi.WindowCenter, voi.WindowWidth = window
    ds.SoftcopyVOILUTSequence = Sequence([voi])
    ds.PresentationLUTShape = shape
    ds.ImageRotation = rotation
    ds.ImageHorizontalFlip = "N"
    return ds


SR = structured_report()
PR = presentation_state(MR)
PR_OTHER = presentation_state(MR, refer=False)
PR_FLIP = presentation_state(MR, rotation=90, shape="IDENTITY")
PR_FLIP.ImageHorizontalFlip = "Y"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import LanternServer
    server = LanternServer(tmp_path_factory.mktemp("wado-uri")).start()
    burned = with_own_uids(CORPUS / "files" / "data__test_files__MR_small.dcm")
    burned.BurnedInAnnotation = "YES"
    server.burned = burned
    r = stow_raw(requests.Session(), server.url,
                 [encode(ds) for ds in (MR, CINE, J2K, PRIVATE, TWIN, SR, PR, PR_OTHER, PR_FLIP, burned)])
    assert r.status_code == 200, r.text
    server.root = server.url.rsplit("/", 1)[0]                  # /wado sits beside the DICOMweb root
    yield server
    server.stop()


def wado(server, ds, accept=None, **params):
    query = {"requestType": "WADO", "studyUID": ds.StudyInstanceUID, "seriesUID": ds.SeriesInstanceUID,
             "objectUID": ds.SOPInstanceUID, **params}
    headers = {"Accept": accept} if accept else {}
    return requests.get(f"{server.root}/wado", params=query, headers=headers, timeout=REQUEST_TIMEOUT)


def image(r) -> np.ndarray:
    assert r.status_code == 200, r.text
    return np.asarray(Image.open(io.BytesIO(r.content)))


def test_dicom_instance_in_explicit_vr_little_endian_by_default(server):
    r = wado(server, J2K, contentType="application/dicom")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/dicom"
    back = pydicom.dcmread(io.BytesIO(r.content))
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert np.array_equal(back.pixel_array, J2K.pixel_array)
    r = wado(server, MR, contentType="application/dicom", transferSyntax="1.2.840.10008.1.2.4.80")
    back = pydicom.dcmread(io.BytesIO(r.content))
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.80"
    assert np.array_equal(back.pixel_array, MR.pixel_array)
    r = wado(server, MR, contentType="application/dicom", transferSyntax="1.2.840.10008.1.2.4.110")
    assert r.status_code == 406 and "1.2.840.10008.1.2.4.110" in r.text


def test_anonymize_applies_the_basic_profile(server):
    got = [pydicom.dcmread(io.BytesIO(wado(server, ds, contentType="application/dicom", anonymize="yes").content))
           for ds in (PRIVATE, TWIN)]
    for back, original in zip(got, (PRIVATE, TWIN)):
        assert back.PatientName == "ANONYMOUS" and back.PatientID == "" and back.get("PatientBirthDate", "") == ""
        assert back.PatientIdentityRemoved == "YES" and "Basic" in back.DeidentificationMethod
        assert back.SOPInstanceUID != original.SOPInstanceUID
        assert back.SOPInstanceUID == back.file_meta.MediaStorageSOPInstanceUID
        assert back.SOPInstanceUID.startswith("2.25.")
        assert back.StudyInstanceUID != original.StudyInstanceUID
        assert not any(e.tag.is_private for e in back)
        assert "InstitutionName" not in back and "ReferringPhysicianName" in back and back.ReferringPhysicianName == ""
        assert np.array_equal(back.pixel_array, original.pixel_array)
    assert any(e.tag.is_private for e in PRIVATE)
    # One study stays one study; two instances stay two.
    assert got[0].StudyInstanceUID == got[1].StudyInstanceUID and got[0].SOPInstanceUID != got[1].SOPInstanceUID
    r = wado(server, server.burned, contentType="application/dicom", anonymize="yes")
    assert r.status_code == 406 and "burned-in" in r.text


def test_rendered_by_default_and_with_parameters(server):
    r = wado(server, MR)                                        # no contentType, no Accept: JPEG
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    assert wado(server, MR, accept="*/*").headers["Content-Type"] == "image/jpeg"
    full = image(wado(server, MR, contentType="image/png"))
    assert np.array_equal(full, linear(modality(MR), 600, 1600))
    windowed = image(wado(server, MR, contentType="image/png", windowCenter="500", windowWidth="1000"))
    assert np.array_equal(windowed, linear(modality(MR), 500, 1000))
    region = image(wado(server, MR, contentType="image/png", region="0.25,0.5,0.75,1.0"))
    assert np.array_equal(region, full[32:64, 16:48])
    assert image(wado(server, MR, contentType="image/png", rows="32", columns="32")).shape == (32, 32)
    assert image(wado(server, CINE, contentType="image/png", columns="160")).shape == (120, 160, 3)
    assert image(wado(server, CINE, contentType="image/png", rows="60", columns="1000")).shape == (60, 80, 3)
    fifth = image(wado(server, CINE, contentType="image/png", frameNumber="5"))
    assert np.abs(fifth.astype(int) - CINE.pixel_array[4].astype(int)).max() <= 2
    assert wado(server, CINE, contentType="image/gif").headers["Content-Type"] == "image/gif"
    r = wado(server, MR, contentType="image/jpeg", imageQuality="10")
    assert len(r.content) < len(wado(server, MR, contentType="image/jpeg", imageQuality="100").content)
    # q weights choose among the types, in contentType and in Accept; q=0 excludes; image/* is JPEG.
    r = wado(server, MR, contentType="image/jpeg;q=0.5,image/png")
    assert r.headers["Content-Type"] == "image/png"
    assert wado(server, MR, accept="image/png, application/dicom;q=0.1").headers["Content-Type"] == "image/png"
    assert wado(server, MR, accept="application/dicom, image/png;q=0.5").headers["Content-Type"] == "application/dicom"
    assert wado(server, MR, accept="image/*").headers["Content-Type"] == "image/jpeg"
    assert wado(server, MR, contentType="image/jpeg;q=0,image/png;q=0.2").headers["Content-Type"] == "image/png"
    annotated = image(wado(server, MR, contentType="image/png", annotation="patient"))
    assert not np.array_equal(annotated, full)


def test_presentation_state_is_applied(server):
    r = wado(server, MR, contentType="image/png", presentationUID=PR.SOPInstanceUID,
             presentationSeriesUID=PR.SeriesInstanceUID)
    expected = np.rot90(255 - linear(modality(MR), 300, 600), k=-1)      # VOI, INVERSE, then 90° clockwise
    assert np.array_equal(image(r), expected)
    # Rotation first, then the horizontal flip (PS3.3 Table C.10-6).
    r = wado(server, MR, contentType="image/png", presentationUID=PR_FLIP.SOPInstanceUID,
             presentationSeriesUID=PR_FLIP.SeriesInstanceUID)
    assert np.array_equal(image(r), np.fliplr(np.rot90(linear(modality(MR), 300, 600), k=-1)))
    r = wado(server, MR, contentType="image/png", presentationUID=PR_OTHER.SOPInstanceUID,
             presentationSeriesUID=PR_OTHER.SeriesInstanceUID)
    assert r.status_code == 400 and "does not reference" in r.text
    r = wado(server, MR, contentType="image/png", presentationUID=pydicom.uid.generate_uid(),
             presentationSeriesUID=PR.SeriesInstanceUID)
    assert r.status_code == 400


def test_documents_and_reports_as_text(server):
    r = wado(server, SR, contentType="text/plain")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert "Diagnostic Imaging Report" in r.text and "  Finding: No <acute> abnormality" in r.text
    assert "Distance: 12.5 mm" in r.text
    r = wado(server, SR)                                         # the Text category's default
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<li>Finding: No &lt;acute&gt; abnormality &amp; nothing else</li>" in r.text
    assert wado(server, SR, contentType="image/jpeg").status_code == 406
    r = wado(server, SR, contentType="application/dicom")
    assert pydicom.dcmread(io.BytesIO(r.content)).SOPInstanceUID == SR.SOPInstanceUID


@pytest.mark.parametrize("params,reason", [
    ({"requestType": None}, "requestType"), ({"requestType": "WADO-RS"}, "requestType"),
    ({"objectUID": None}, "objectUID"), ({"studyUID": "1.2.x"}, "studyUID"),
    ({"contentType": "image/*"}, "wildcards"), ({"contentType": "application/dicom,image/jpeg"}, "mixed"),
    ({"contentType": "application/dicom;transfer-syntax=1.2.840.10008.1.2.1"}, "parameters"),
    ({"contentType": "application/dicom", "rows": "10"}, "rendered"),
    ({"contentType": "application/dicom", "windowCenter": "1", "windowWidth": "2"}, "rendered"),
    ({"contentType": "application/dicom", "imageQuality": "50"}, "lossy"),
    ({"contentType": "application/dicom", "anonymize": "no"}, "yes"),
    ({"contentType": "image/jpeg", "anonymize": "yes"}, "application/dicom"),
    ({"contentType": "image/jpeg", "transferSyntax": "1.2.840.10008.1.2.1"}, "application/dicom"),
    ({"windowCenter": "40"}, "together"), ({"windowCenter": "40", "windowWidth": "0"}, "at least 1"),
    ({"region": "0.5,0.5,0.4,0.9"}, "region"), ({"region": "0,0,1"}, "region"), ({"rows": "0"}, "rows"),
    ({"imageQuality": "0"}, "imageQuality"), ({"frameNumber": "2"}, "frameNumber"),
    ({"presentationUID": "1.2.3"}, "together"),
])
def test_parameter_errors(server, params, reason):
    query = {"requestType": "WADO", "studyUID": MR.StudyInstanceUID, "seriesUID": MR.SeriesInstanceUID,
             "objectUID": MR.SOPInstanceUID}
    for key, value in params.items():
        if value is None:
            query.pop(key)
        else:
            query[key] = value
    r = requests.get(f"{server.root}/wado", params=query, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 400 and reason in r.text, r.text


def test_unknown_instance_is_404(server):
    r = requests.get(f"{server.root}/wado", params={
        "requestType": "WADO", "studyUID": MR.StudyInstanceUID, "seriesUID": MR.SeriesInstanceUID,
        "objectUID": "1.2.3.4.5"}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 404
