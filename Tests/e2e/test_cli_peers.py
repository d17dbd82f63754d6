"""The `lantern` client against other servers than Lantern itself: Orthanc's DICOMweb plugin (store, query,
retrieve with byte comparison, metadata, rendered images, a clean failure where Orthanc lacks a feature),
and an nginx front with TLS and basic or bearer authentication."""

from __future__ import annotations

import hashlib
import json

from pathlib import Path

import pydicom
import pytest

from cli_support import PDF, jpeg_frame, lantern, outcomes, summary, value
from conftest import CORPUS_FILES, LanternServer
from peers import Orthanc, TLSProxy

# Plain CT/MR/CR series (uncompressed, with file meta) that any archive stores unchanged.
PEER_FILES = [f for f in CORPUS_FILES if "__dicomdirtests__" in f.name and "DICOMDIR" not in f.name
              and "TINY_ALPHA" not in f.name]


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory):
    o = Orthanc(tmp_path_factory.mktemp("orthanc"))
    yield o
    o.stop()


@pytest.fixture(scope="module")
def orthanc_stored(orthanc):
    r = lantern(orthanc.url, "store", *(str(f.path) for f in PEER_FILES), "--concurrency", "2")
    return r


def test_store_query_and_retrieve_against_orthanc(orthanc, orthanc_stored, tmp_path):
    r = orthanc_stored
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r.stdout, "store")["stored"] == len(PEER_FILES)
    assert all(o == "stored" for o, _ in outcomes(r.stdout).values())

    studies = json.loads(lantern(orthanc.url, "query", "studies", "--json").stdout)
    assert {value(s, "0020000D") for s in studies} == {f.study for f in PEER_FILES}
    study = max({f.study for f in PEER_FILES}, key=lambda s: sum(f.study == s for f in PEER_FILES))
    mine = [f for f in PEER_FILES if f.study == study]
    listed = json.loads(lantern(orthanc.url, "query", "instances", "--study", study, "--json").stdout)
    assert {value(i, "00080018") for i in listed} == {f.sop for f in mine}

    got = lantern(orthanc.url, "retrieve", study, "-o", str(tmp_path))
    assert got.returncode == 0, got.stdout + got.stderr
    for f in mine:
        data = (tmp_path / study / f.series / f"{f.sop}.dcm").read_bytes()
        assert hashlib.sha256(data).digest() == hashlib.sha256(f.data).digest(), f.name
    (tmp_path / study / mine[0].series / f"{mine[0].sop}.dcm").unlink()
    again = lantern(orthanc.url, "retrieve", study, "-o", str(tmp_path))
    assert f"1 written, {len(mine) - 1} already present" in again.stdout

    meta = lantern(orthanc.url, "retrieve", study, "--metadata-only", "-o", str(tmp_path))
    assert meta.returncode == 0
    assert len(json.loads((tmp_path / study / "metadata.json").read_text())) == len(mine)


def test_rendered_images_from_orthanc(orthanc, orthanc_stored, tmp_path):
    from PIL import Image
    f = next(f for f in PEER_FILES if "CT" in f.name)
    r = lantern(orthanc.url, "retrieve", f.study, f.series, "--rendered", "-o", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    image = Image.open(tmp_path / f.study / f.series / f"{f.sop}.jpg")
    ds = f.dataset()
    assert image.format == "JPEG" and image.size == (ds.Columns, ds.Rows)
    png = lantern(orthanc.url, "retrieve", f.study, f.series, f.sop, "--frames", "1", "--rendered", "--media-type",
                  "image/png", "-o", str(tmp_path))
    assert png.returncode == 0, png.stderr
    assert Image.open(tmp_path / f.study / f.series / f.sop / "frame-1.png").format == "PNG"


def test_wrapped_files_are_built_by_the_client_when_the_server_refuses_metadata_and_bulk(orthanc, tmp_path):
    (tmp_path / "doc.pdf").write_bytes(PDF)
    (tmp_path / "photo.jpg").write_bytes(jpeg_frame())
    r = lantern(orthanc.url, "store", str(tmp_path / "doc.pdf"), str(tmp_path / "photo.jpg"), "-m", "PatientID=ORTH-WRAP",
                "-m", "PatientName=Built^Here")
    assert r.returncode == 0, r.stdout + r.stderr
    got = outcomes(r.stdout)
    assert got["doc.pdf"][0] == got["photo.jpg"][0] == "warning"
    assert "built by the client" in r.stdout and "HTTP 415" in r.stdout
    studies = json.loads(lantern(orthanc.url, "query", "studies", "-k", "PatientID=ORTH-WRAP", "--json").stdout)
    assert len(studies) == 1 and value(studies[0], "00100010") == "Built^Here"
    study = value(studies[0], "0020000D")
    assert lantern(orthanc.url, "retrieve", study, "-o", str(tmp_path / "out")).returncode == 0
    by_sop = {p.stem: pydicom.dcmread(p) for p in (tmp_path / "out").rglob("*.dcm")}
    pdf, photo = by_sop[got["doc.pdf"][1]], by_sop[got["photo.jpg"][1]]
    assert pdf.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1" and pdf.EncapsulatedDocument[: len(PDF)] == PDF
    assert photo.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50" and photo.Rows > 0
    assert not list(Path("/tmp").glob("lantern-build-*/*")), "built instances are removed once sent"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    server = LanternServer(tmp_path_factory.mktemp("behind-proxy")).start()
    front = TLSProxy(tmp_path_factory.mktemp("nginx"), server.url)
    yield front
    front.stop()
    server.stop()


def test_basic_authentication_over_tls(proxy, tmp_path):
    f = PEER_FILES[0]
    auth = ["--user", f"{proxy.USER}:{proxy.PASSWORD}", "--cacert", str(proxy.cert)]
    stored = lantern(proxy.basic_url, "store", str(f.path), *auth)
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert outcomes(stored.stdout)[f.name][0] == "stored"
    got = lantern(proxy.basic_url, "retrieve", f.study, "-o", str(tmp_path), *auth)
    assert got.returncode == 0, got.stderr
    assert (tmp_path / f.study / f.series / f"{f.sop}.dcm").read_bytes() == f.data

    anonymous = lantern(proxy.basic_url, "query", "studies", "--cacert", str(proxy.cert))
    assert anonymous.returncode == 1 and "HTTP 401" in anonymous.stderr
    wrong = lantern(proxy.basic_url, "query", "studies", "--user", "cli:nope", "--cacert", str(proxy.cert))
    assert wrong.returncode == 1 and "HTTP 401" in wrong.stderr
    from_env = lantern(proxy.basic_url, "query", "studies", "--user", proxy.USER, "--cacert", str(proxy.cert),
                       LANTERN_PASSWORD=proxy.PASSWORD)
    assert from_env.returncode == 0 and f.study in from_env.stdout


def test_tls_verification(proxy):
    auth = ["--user", f"{proxy.USER}:{proxy.PASSWORD}"]
    untrusted = lantern(proxy.basic_url, "query", "studies", *auth)
    assert untrusted.returncode == 1 and "HTTP" not in untrusted.stderr, "an unknown certificate is refused"
    insecure = lantern(proxy.basic_url, "query", "studies", *auth, "--insecure")
    assert insecure.returncode == 0, insecure.stderr


def test_bearer_token(proxy):
    ca = ["--cacert", str(proxy.cert)]
    assert lantern(proxy.bearer_url, "query", "studies", "--token", proxy.TOKEN, *ca).returncode == 0
    assert lantern(proxy.bearer_url, "query", "studies", *ca, LANTERN_TOKEN=proxy.TOKEN).returncode == 0
    refused = lantern(proxy.bearer_url, "query", "studies", "--token", "wrong", *ca)
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr
