"""The Non-Patient Instance Service (PS3.18 §12) against the real server: store, search and retrieve of the
color palettes of the corpus, generated hanging protocols, and a defined procedure protocol, implant
template and inventory, with the matching keys of their PS3.4 query models."""

from __future__ import annotations

import fnmatch
import io
import json
import uuid

import pydicom
import pytest
import requests
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from conftest import CORPUS, REQUEST_TIMEOUT, encode, parse_multipart, tag_value

PALETTES = sorted((CORPUS / "files").glob("data__palettes__*.dcm"))
HANGING_PROTOCOL = "1.2.840.10008.5.1.4.38.1"
CT_DPP = "1.2.840.10008.5.1.4.1.1.200.1"
GENERIC_IMPLANT = "1.2.840.10008.5.1.4.43.1"
INVENTORY = "1.2.840.10008.5.1.4.1.1.201.1"
JSON = "application/dicom+json"


def uid() -> str:
    return "2.25." + str(uuid.uuid4().int)


def multipart(parts: list[bytes], kind: str = "application/dicom") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(b"--" + boundary.encode() + f"\r\nContent-Type: {kind}\r\n\r\n".encode() + p + b"\r\n"
                    for p in parts) + b"--" + boundary.encode() + b"--\r\n"
    return body, f'multipart/related; type="{kind}"; boundary={boundary}'


def store(base: str, resource: str, parts: list[bytes]) -> requests.Response:
    body, content_type = multipart(parts)
    return requests.post(f"{base}/{resource}", data=body, headers={"Content-Type": content_type, "Accept": JSON},
                         timeout=REQUEST_TIMEOUT)


def search(base: str, resource: str, query: str = "", accept: str = JSON) -> requests.Response:
    return requests.get(f"{base}/{resource}{query}", headers={"Accept": accept}, timeout=REQUEST_TIMEOUT)


def part10(ds: Dataset) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    return encode(ds)


def code(value: str, scheme: str = "DCM", meaning: str = "x") -> Dataset:
    c = Dataset()
    c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, scheme, meaning
    return c


def hanging_protocol(name: str, modality: str, priors: int, level: str = "SITE") -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = HANGING_PROTOCOL
    ds.SOPInstanceUID = uid()
    ds.HangingProtocolName = name
    ds.HangingProtocolDescription = f"{name} layout"
    ds.HangingProtocolLevel = level
    ds.HangingProtocolCreator = "Lantern tests"
    ds.HangingProtocolCreationDateTime = "20261207101500"
    definition = Dataset()
    definition.Modality = modality
    definition.Laterality = ""
    definition.AnatomicRegionSequence = Sequence([code("T-D1100", "SRT", "Head")])
    ds.HangingProtocolDefinitionSequence = Sequence([definition])
    ds.NumberOfPriorsReferenced = priors
    ds.NumberOfScreens = 2
    screen = Dataset()
    screen.NumberOfVerticalPixels, screen.NumberOfHorizontalPixels = 2048, 1536
    screen.DisplayEnvironmentSpatialPosition = [0.0, 0.0, 1.0, 1.0]
    screen.ScreenMinimumGrayscaleBitDepth = 10
    ds.NominalScreenDefinitionSequence = Sequence([screen])
    ds.ImageSetsSequence = Sequence([])
    return ds


@pytest.fixture(scope="module")
def palettes(server) -> dict[str, Dataset]:
    r = store(server.url, "color-palettes", [p.read_bytes() for p in PALETTES])
    assert r.status_code == 200, r.text
    return {pydicom.dcmread(p).SOPInstanceUID: pydicom.dcmread(p) for p in PALETTES}


def test_store_color_palettes_of_the_corpus(server, palettes):
    assert len(palettes) == 8
    r = store(server.url, "color-palettes", [p.read_bytes() for p in PALETTES])     # identical again: fine
    assert r.status_code == 200
    referenced = r.json()["00081199"]["Value"]
    assert {tag_value(i, "00081155") for i in referenced} == set(palettes)
    for item in referenced:
        assert tag_value(item, "00081190") == f"{server.url}/color-palettes/{tag_value(item, '00081155')}"
    # They are not patient instances: the studies know nothing of them.
    some = next(iter(palettes))
    q = requests.get(f"{server.url}/instances?SOPInstanceUID={some}", timeout=REQUEST_TIMEOUT)
    assert q.status_code in (200, 204) and (q.status_code == 204 or q.json() == [])


def test_search_color_palettes(server, palettes):
    r = search(server.url, "color-palettes")
    assert r.status_code == 200
    found = {tag_value(d, "00080018"): d for d in r.json()}
    assert set(palettes) <= set(found)
    for sop, ds in palettes.items():
        d = found[sop]
        assert tag_value(d, "00700080") == ds.ContentLabel
        assert tag_value(d, "00700081") == ds.ContentDescription
        assert tag_value(d, "00080016") == "1.2.840.10008.5.1.4.39.1"
        assert tag_value(d, "00081190") == f"{server.url}/color-palettes/{sop}"
        assert "00281201" not in d                              # LUT data is not a return key
    # Wildcard matching on Content Label, checked against fnmatch over the files themselves.
    for pattern in ["HOT*", "*LUT*", "PET?20?STEP", "WINTER LUT", "WINTER"]:
        expected = {s for s, ds in palettes.items() if fnmatch.fnmatchcase(ds.ContentLabel, pattern)}
        r = search(server.url, "color-palettes", f"?ContentLabel={pattern.replace(' ', '%20')}")
        got = set() if r.status_code == 204 else {tag_value(d, "00080018") for d in r.json()}
        assert got == expected, pattern
    assert search(server.url, "color-palettes", "?ContentLabel=NOPE").status_code == 204
    everything = search(server.url, "color-palettes", "?ContentLabel=FALL%20LUT&includefield=all").json()[0]
    # includefield=all: every indexed attribute (InstanceCreationDate is no return key of Table X.6-1);
    # the LUT data, bulk data, is left to the retrieve.
    assert "00080012" in everything and "00281201" not in everything
    assert "00080012" not in search(server.url, "color-palettes", "?ContentLabel=FALL%20LUT").json()[0]
    assert search(server.url, "color-palettes", "?NoSuchKey=1").status_code == 400
    page = search(server.url, "color-palettes", "?limit=3&offset=2")
    assert len(page.json()) == 3
    remaining = len(search(server.url, "color-palettes").json()) - 5
    assert f"There are {remaining} additional results" in page.headers["Warning"]
    xml = search(server.url, "color-palettes", "?ContentLabel=PET", 'multipart/related; type="application/dicom+xml"')
    [(_, doc)] = parse_multipart(xml.headers["Content-Type"], xml.content)
    assert b"NativeDicomModel" in doc and b"PET" in doc


def test_retrieve_color_palette(server, palettes):
    path = next(p for p in PALETTES if p.name.endswith("hotiron.dcm"))
    ds = pydicom.dcmread(path)
    url = f"{server.url}/color-palettes/{ds.SOPInstanceUID}"
    # DICOM JSON is the default (PS3.18 Table 12.1.3-1), the whole data set with its LUT data inline.
    r = requests.get(url, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(JSON)
    [doc] = r.json()
    back = Dataset.from_json(doc)
    assert back.ContentLabel == "HOT_IRON"
    assert back.RedPaletteColorLookupTableData == ds.RedPaletteColorLookupTableData
    assert back.BluePaletteColorLookupTableDescriptor == ds.BluePaletteColorLookupTableDescriptor
    # The instance itself, byte for byte.
    r = requests.get(url, headers={"Accept": "application/dicom"}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and r.content == path.read_bytes()
    r = requests.get(url, headers={"Accept": 'multipart/related; type="application/dicom"'}, timeout=REQUEST_TIMEOUT)
    [(_, payload)] = parse_multipart(r.headers["Content-Type"], r.content)
    assert payload == path.read_bytes()
    r = requests.get(url, headers={"Accept": 'multipart/related; type="application/dicom+xml"'},
                     timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and b"HOT_IRON" in r.content
    r = requests.get(url, headers={"Accept": "application/dicom+xml"}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and r.content.startswith(b"<?xml") and b"HOT_IRON" in r.content
    assert requests.get(url, headers={"Accept": "image/png"}, timeout=REQUEST_TIMEOUT).status_code == 406
    assert requests.get(f"{server.url}/color-palettes/{uid()}", timeout=REQUEST_TIMEOUT).status_code == 404
    # A palette is not a hanging protocol.
    assert requests.get(f"{server.url}/hanging-protocols/{ds.SOPInstanceUID}",
                        timeout=REQUEST_TIMEOUT).status_code == 404


def test_store_refuses_other_sop_classes(server, palettes):
    palette = PALETTES[0].read_bytes()
    r = store(server.url, "hanging-protocols", [palette])
    assert r.status_code == 409
    [failed] = r.json()["00081198"]["Value"]
    assert tag_value(failed, "00081197") == 0x0122
    ct = next(p for p in (CORPUS / "files").glob("*CT_small.dcm"))
    r = store(server.url, "color-palettes", [ct.read_bytes()])
    assert r.status_code == 409 and tag_value(r.json()["00081198"]["Value"][0], "00081197") == 0x0122
    # One refused among stored ones: 202 with the failure listed.
    hp = part10(hanging_protocol("Mixed", "CT", 0))
    r = store(server.url, "hanging-protocols", [hp, palette])
    assert r.status_code == 202
    # A store to /{npi}/{uid} takes that instance only.
    other = hanging_protocol("Other", "CT", 0)
    r = requests.post(f"{server.url}/hanging-protocols/{uid()}", data=part10(other),
                      headers={"Content-Type": "application/dicom", "Accept": JSON}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 409
    assert requests.post(f"{server.url}/hanging-protocols", data=b"not dicom",
                         headers={"Content-Type": "text/plain"}, timeout=REQUEST_TIMEOUT).status_code == 415
    # A SOP Instance UID names one instance: not a study instance and a non-patient one at once.
    twin = hanging_protocol("Twin", "CT", 0)
    assert store(server.url, "hanging-protocols", [part10(twin)]).status_code == 200
    twin.StudyInstanceUID, twin.SeriesInstanceUID = uid(), uid()
    r = requests.post(f"{server.url}/studies", data=part10(twin),
                      headers={"Content-Type": "application/dicom", "Accept": JSON}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 409 and tag_value(r.json()["00081198"]["Value"][0], "00081197") == 0x0111


def test_hanging_protocols_store_search_retrieve(server):
    tag = uuid.uuid4().hex[:6].upper()
    protocols = [hanging_protocol(f"{tag} CHEST PA", "CR", 1), hanging_protocol(f"{tag} HEAD CT", "CT", 0),
                 hanging_protocol(f"{tag} BRAIN MR", "MR", 2, level="USER_GROUP")]
    # Each one to its own resource, as a single application/dicom body.
    for hp in protocols:
        r = requests.post(f"{server.url}/hanging-protocols/{hp.SOPInstanceUID}", data=part10(hp),
                          headers={"Content-Type": "application/dicom", "Accept": JSON}, timeout=REQUEST_TIMEOUT)
        assert r.status_code == 200, r.text
        assert tag_value(r.json()["00081199"]["Value"][0], "00081190").endswith(
            f"/hanging-protocols/{hp.SOPInstanceUID}")

    def names(query: str) -> set[str]:
        r = search(server.url, "hanging-protocols", query)
        assert r.status_code in (200, 204), r.text
        return set() if r.status_code == 204 else {tag_value(d, "00720002") for d in r.json()}

    assert names(f"?HangingProtocolName={tag}*") == {hp.HangingProtocolName for hp in protocols}
    assert names(f"?HangingProtocolName={tag}*&HangingProtocolDefinitionSequence.Modality=MR") == {f"{tag} BRAIN MR"}
    assert names(f"?HangingProtocolName={tag}*&NumberOfPriorsReferenced=1") == {f"{tag} CHEST PA"}
    assert names(f"?HangingProtocolName={tag}*&HangingProtocolLevel=USER_GROUP") == {f"{tag} BRAIN MR"}
    assert names(f"?HangingProtocolName={tag}*&HangingProtocolCreationDateTime=20260101-20261231") == \
        {hp.HangingProtocolName for hp in protocols}
    assert names(f"?HangingProtocolName={tag}*&HangingProtocolCreationDateTime=2025") == set()
    [match] = search(server.url, "hanging-protocols", f"?HangingProtocolName={tag}%20HEAD%20CT").json()
    # The keys of PS3.4 Table U.6-1 are returned, the rest is not.
    for keyword_tag in ["00720002", "00720004", "00720006", "00720008", "0072000A", "0072000C", "00720014",
                        "00720100", "00720102"]:
        assert keyword_tag in match, keyword_tag
    assert "00720020" not in match                              # ImageSetsSequence
    assert "00720020" in search(server.url, "hanging-protocols",
                                f"?HangingProtocolName={tag}%20HEAD%20CT&includefield=ImageSetsSequence").json()[0]
    ds = Dataset.from_json(requests.get(f"{server.url}/hanging-protocols/{protocols[2].SOPInstanceUID}",
                                        timeout=REQUEST_TIMEOUT).json()[0])
    assert ds.HangingProtocolDefinitionSequence[0].Modality == "MR"
    assert ds.NominalScreenDefinitionSequence[0].NumberOfVerticalPixels == 2048


def test_other_categories(server):
    # A defined procedure protocol stored as DICOM JSON metadata (no bulk data), with no study at all.
    dpp = {
        "00080016": {"vr": "UI", "Value": [CT_DPP]}, "00080018": {"vr": "UI", "Value": [uid()]},
        "00181030": {"vr": "LO", "Value": ["Low dose chest"]},
        "00700084": {"vr": "PN", "Value": [{"Alphabetic": "Physicist^Pat"}]},
        "00080012": {"vr": "DA", "Value": ["20261201"]}, "00080013": {"vr": "TM", "Value": ["101500"]},
        "00080221": {"vr": "CS", "Value": ["CT"]},
    }
    body, content_type = multipart([json.dumps([dpp]).encode()], JSON)
    r = requests.post(f"{server.url}/defined-procedure-protocols", data=body,
                      headers={"Content-Type": content_type, "Accept": JSON}, timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200, r.text
    r = search(server.url, "defined-procedure-protocols", "?ProtocolName=Low*&EquipmentModality=CT")
    [found] = r.json()
    assert tag_value(found, "00080018") == dpp["00080018"]["Value"][0]
    assert tag_value(found, "00700084") == {"Alphabetic": "Physicist^Pat"}
    assert search(server.url, "defined-procedure-protocols",
                  "?InstanceCreationDate=20261201-&InstanceCreationTime=100000-").status_code == 200
    # An implant template and an inventory, as Part 10.
    implant = Dataset()
    implant.SOPClassUID, implant.SOPInstanceUID = GENERIC_IMPLANT, uid()
    implant.Manufacturer, implant.ImplantName, implant.ImplantPartNumber = "Acme", "Hip stem 12", "HS-12"
    implant.EffectiveDateTime = "20260601000000"
    assert store(server.url, "implant-templates", [part10(implant)]).status_code == 200
    [hit] = search(server.url, "implant-templates", "?Manufacturer=Acme&ImplantName=Hip*").json()
    assert tag_value(hit, "00221097") == "HS-12"
    inventory = Dataset()
    inventory.SOPClassUID, inventory.SOPInstanceUID = INVENTORY, uid()
    inventory.ContentDate, inventory.ContentTime, inventory.InventoryCompletionStatus = "20261207", "120000", "COMPLETE"
    assert store(server.url, "inventories", [part10(inventory)]).status_code == 200
    [hit] = search(server.url, "inventories", f"?SOPInstanceUID={inventory.SOPInstanceUID}").json()
    assert tag_value(hit, "00080426") == "COMPLETE"
    got = requests.get(f"{server.url}/inventories/{inventory.SOPInstanceUID}", headers={"Accept": "application/dicom"},
                       timeout=REQUEST_TIMEOUT)
    assert pydicom.dcmread(io.BytesIO(got.content)).InventoryCompletionStatus == "COMPLETE"


def test_non_patient_instances_survive_a_restart(server_factory, tmp_path):
    data = tmp_path / "npi"
    first = server_factory(data_dir=data)
    assert store(first.url, "color-palettes", [PALETTES[0].read_bytes()]).status_code == 200
    first.stop()
    second = server_factory(data_dir=data)
    sop = pydicom.dcmread(PALETTES[0]).SOPInstanceUID
    r = requests.get(f"{second.url}/color-palettes/{sop}", headers={"Accept": "application/dicom"},
                     timeout=REQUEST_TIMEOUT)
    assert r.status_code == 200 and r.content == PALETTES[0].read_bytes()
