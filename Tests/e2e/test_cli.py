"""The `lantern` client commands against a real Lantern server: store (Part 10 and wrapped files), query,
retrieve (instances, metadata, frames, transfer syntax, resume) and import (resume after kill -9, duplicates,
progress). Each test drives the built binary as a user would; the server is a real process on loopback."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pydicom
import pytest
import requests

from cli_support import PDF, jpeg_frame, lantern, mp4, outcomes, summary, value
from conftest import CORPUS, CORPUS_FILES, EXPECTED, LANTERN_BIN, LanternServer, first_stored

SOP_COUNT = Counter(f.sop for f in CORPUS_FILES)
# Non-patient storage SOP Classes (PS3.18 §12): `lantern store` sends them to their category's resource.
NON_PATIENT = {
    "1.2.840.10008.5.1.4.39.1": "color-palettes", "1.2.840.10008.5.1.4.1.1.200.1": "defined-procedure-protocols",
    "1.2.840.10008.5.1.4.1.1.200.7": "defined-procedure-protocols", "1.2.840.10008.5.1.4.38.1": "hanging-protocols",
    "1.2.840.10008.5.1.4.43.1": "implant-templates", "1.2.840.10008.5.1.4.44.1": "implant-templates",
    "1.2.840.10008.5.1.4.45.1": "implant-templates", "1.2.840.10008.5.1.4.1.1.201.1": "inventories",
}


def non_patient(f) -> bool:
    return f.entry.get("sop_class_uid") in NON_PATIENT and f.entry["has_file_meta"] and bool(f.sop)


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory):
    s = LanternServer(tmp_path_factory.mktemp("cli-server")).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def stored(cli_server):
    """The corpus folder stored with `lantern store` (batches of 7, 3 requests at a time)."""
    r = lantern(cli_server.url, "store", str(CORPUS / "files"), "--batch", "7", "--concurrency", "3")
    return r, outcomes(r.stdout)


def test_store_corpus_reports_every_file(stored):
    r, got = stored
    assert r.returncode == 1, "the corpus has files the server refuses, so the exit status is 1"
    for f in CORPUS_FILES:
        outcome, sop = got[f.name]
        if SOP_COUNT[f.sop] > 1:
            continue  # which copy of a shared SOP Instance UID wins depends on arrival order
        if non_patient(f):
            assert outcome == "stored", (f.name, r.stdout)
        elif EXPECTED[f.name][0] == "stored":
            assert outcome == "stored", (f.name, r.stdout)
            assert sop == f.sop
        else:
            assert outcome in ("failed", "skipped"), (f.name, outcome)
    counts = summary(r.stdout, "store")
    assert counts["stored"] == sum(1 for o, _ in got.values() if o in ("stored", "warning"))
    assert counts["failed"] == sum(1 for o, _ in got.values() if o == "failed") > 0
    failed_line = next(l for l in r.stdout.splitlines() if l.startswith("failed"))
    assert ": " in failed_line, "a failure carries its reason"


def test_every_stored_instance_is_found_by_query(cli_server, stored):
    _, got = stored
    npi = {f.sop: NON_PATIENT[f.entry["sop_class_uid"]] for f in CORPUS_FILES if non_patient(f)}
    assert npi, "the corpus has non-patient objects (colour palettes)"
    reported = {sop for o, sop in got.values() if o in ("stored", "warning")}
    q = lantern(cli_server.url, "query", "instances", "--json", "--limit", "1000")
    assert q.returncode == 0, q.stderr
    found = {value(i, "00080018") for i in json.loads(q.stdout)}
    assert found == reported - set(npi)
    for sop, resource in npi.items():
        r = requests.get(f"{cli_server.url}/{resource}/{sop}", headers={"Accept": "application/dicom+json"},
                         timeout=30)
        assert r.status_code == 200, (resource, sop, r.status_code)
    for f in first_stored(CORPUS_FILES):
        if SOP_COUNT[f.sop] == 1:
            assert f.sop in found


def test_query_table_csv_and_json_agree(cli_server, stored):
    j = lantern(cli_server.url, "query", "studies", "--json")
    c = lantern(cli_server.url, "query", "studies", "--csv", "-i", "StudyID")
    t = lantern(cli_server.url, "query", "studies")
    assert j.returncode == c.returncode == t.returncode == 0
    studies = json.loads(j.stdout)
    rows = list(csv.reader(io.StringIO(c.stdout)))
    assert rows[0][:3] == ["StudyInstanceUID", "StudyDate", "PatientName"] and rows[0][-1] == "StudyID"
    assert {r[0] for r in rows[1:]} == {value(s, "0020000D") for s in studies}
    table = t.stdout.splitlines()
    assert table[0].startswith("StudyInstanceUID  ") and len(table) == len(studies) + 1
    assert f"{len(studies)} results" in t.stderr


def test_query_matching_limit_and_scope(cli_server, stored):
    r = lantern(cli_server.url, "query", "studies", "-k", "PatientName=Lestrade*", "--csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert len(rows) == 2 and rows[1][2] == "Lestrade^G", r.stdout
    study = rows[1][0]
    limited = lantern(cli_server.url, "query", "instances", "--study", study, "--limit", "3", "--json")
    assert len(json.loads(limited.stdout)) == 3
    series = lantern(cli_server.url, "query", "series", "--study", study, "--json")
    assert [value(s, "00201209") for s in json.loads(series.stdout)] == [12]
    bad = lantern(cli_server.url, "query", "studies", "-k", "StudyDate=notadate")
    assert bad.returncode == 1 and "HTTP 400" in bad.stderr


def largest_stored_study(got):
    by_study = {}
    for f in first_stored(CORPUS_FILES):
        if SOP_COUNT[f.sop] == 1 and got.get(f.name, ("",))[0] == "stored":
            by_study.setdefault(f.study, []).append(f)
    return max(by_study.values(), key=len)


def test_retrieve_study_gives_the_stored_bytes_and_resumes(cli_server, stored, tmp_path):
    files = largest_stored_study(stored[1])
    study = files[0].study
    r = lantern(cli_server.url, "retrieve", study, "-o", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"retrieve: {len(files)} written, 0 already present, 0 failed" in r.stdout
    for f in files:
        path = tmp_path / study / f.series / f"{f.sop}.dcm"
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(f.data).digest(), f.name
    for f in files[:2]:
        (tmp_path / study / f.series / f"{f.sop}.dcm").unlink()
    again = lantern(cli_server.url, "retrieve", study, "-o", str(tmp_path))
    assert f"retrieve: 2 written, {len(files) - 2} already present, 0 failed" in again.stdout
    assert not list(tmp_path.rglob(".incoming-*"))
    emptied = tmp_path / study / files[2].series / f"{files[2].sop}.dcm"
    emptied.write_bytes(b"")  # what a crash right after the rename can leave
    third = lantern(cli_server.url, "retrieve", study, "-o", str(tmp_path))
    assert f"retrieve: 1 written, {len(files) - 1} already present" in third.stdout
    assert emptied.read_bytes() == files[2].data
    bad = lantern(cli_server.url, "retrieve", "../../etc", "-o", str(tmp_path))
    assert bad.returncode != 0 and "not a UID" in bad.stderr
    one = files[0]
    single = lantern(cli_server.url, "retrieve", study, one.series, one.sop, "-o", str(tmp_path / "single"))
    assert single.returncode == 0
    assert (tmp_path / "single" / study / one.series / f"{one.sop}.dcm").read_bytes() == one.data


def test_retrieve_pages_through_a_server_that_caps_its_results(stored, server_factory, tmp_path):
    """With --max-results 5 the listing comes in pages cut by the server (Warning 299); none is lost."""
    server = server_factory("--max-results", "5")
    files = largest_stored_study(stored[1])
    assert lantern(server.url, "store", *(str(f.path) for f in files)).returncode == 0
    one = files[0]
    assert lantern(server.url, "retrieve", one.study, one.series, one.sop, "-o", str(tmp_path)).returncode == 0
    # One instance present: the rest is fetched instance by instance, from the paged listing.
    r = lantern(server.url, "retrieve", one.study, "-o", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"retrieve: {len(files) - 1} written, 1 already present" in r.stdout and len(files) > 5
    q = lantern(server.url, "query", "instances", "--study", files[0].study)
    assert "warning:" in q.stderr and len(q.stdout.splitlines()) == 6


def test_retrieve_metadata_frames_and_transfer_syntax(cli_server, stored, tmp_path):
    files = largest_stored_study(stored[1])
    study = files[0].study
    m = lantern(cli_server.url, "retrieve", study, "--metadata-only", "-o", str(tmp_path))
    assert m.returncode == 0, m.stderr
    assert len(json.loads((tmp_path / study / "metadata.json").read_text())) == len(files)

    ct = next(f for f in CORPUS_FILES if f.name == "data__test_files__CT_small.dcm")
    fr = lantern(cli_server.url, "retrieve", ct.study, ct.series, ct.sop, "--frames", "1", "-o", str(tmp_path))
    assert fr.returncode == 0, fr.stderr
    frame = (tmp_path / ct.study / ct.series / ct.sop / "frame-1.raw").read_bytes()
    ds = ct.dataset()
    assert frame == ds.PixelData[: ds.Rows * ds.Columns * 2]

    be = next(f for f in CORPUS_FILES if f.name == "data__test_files__ExplVR_BigEnd.dcm")
    ts = lantern(cli_server.url, "retrieve", be.study, be.series, be.sop, "--transfer-syntax",
                 "1.2.840.10008.1.2.1", "-o", str(tmp_path / "le"))
    assert ts.returncode == 0, ts.stderr
    back = pydicom.dcmread(tmp_path / "le" / be.study / be.series / f"{be.sop}.dcm")
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert back.pixel_array.tolist() == be.dataset().pixel_array.tolist()

    missing = lantern(cli_server.url, "retrieve", "1.2.3.4.5.6.7", "-o", str(tmp_path))
    assert missing.returncode == 1 and "no instances" in missing.stderr


def test_store_wraps_jpeg_pdf_and_mp4_with_attributes(cli_server, tmp_path):
    (tmp_path / "photo.jpg").write_bytes(jpeg_frame())
    (tmp_path / "report.pdf").write_bytes(PDF)
    (tmp_path / "clip.mp4").write_bytes(mp4())
    (tmp_path / "notes.txt").write_text("not wrappable\n")
    r = lantern(cli_server.url, "store", *(str(tmp_path / n) for n in ("photo.jpg", "report.pdf", "clip.mp4", "notes.txt")),
                "-m", "PatientName=Wrap^Test", "-m", "PatientID=WRAP-1", "-m", "StudyDescription=Wrapped, by the CLI",
                "-m", "00080050=ACC-7")
    assert r.returncode == 0, r.stdout + r.stderr
    got = outcomes(r.stdout)
    assert [got[n][0] for n in ("photo.jpg", "report.pdf", "clip.mp4", "notes.txt")] == ["stored"] * 3 + ["skipped"]

    q = lantern(cli_server.url, "query", "studies", "-k", "PatientID=WRAP-1", "-i", "StudyDescription", "--json")
    studies = json.loads(q.stdout)
    assert len(studies) == 1
    study = studies[0]
    assert value(study, "00201208") == 3
    assert set(study["00080061"]["Value"]) == {"OT", "XC", "DOC"}
    assert value(study, "00081030") == "Wrapped, by the CLI" and value(study, "00080050") == "ACC-7"
    uid = value(study, "0020000D")
    out = tmp_path / "out"
    assert lantern(cli_server.url, "retrieve", uid, "-o", str(out)).returncode == 0
    by_sop = {p.stem: pydicom.dcmread(p) for p in out.rglob("*.dcm")}
    assert set(by_sop) == {got[n][1] for n in ("photo.jpg", "report.pdf", "clip.mp4")}
    pdf = by_sop[got["report.pdf"][1]]
    assert pdf.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1" and pdf.EncapsulatedDocument[: len(PDF)] == PDF
    photo = by_sop[got["photo.jpg"][1]]
    assert photo.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7" and photo.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
    assert str(photo.PatientName) == "Wrap^Test" and photo.AccessionNumber == "ACC-7"
    video = by_sop[got["clip.mp4"][1]]
    assert video.SOPClassUID == "1.2.840.10008.5.1.4.1.1.77.1.4.1" and video.Columns == 640
    assert photo.SeriesInstanceUID != video.SeriesInstanceUID != pdf.SeriesInstanceUID


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_store_wrap_with_a_metadata_file(cli_server, tmp_path, kind):
    patient = f"META-{kind}"
    if kind == "json":
        meta = tmp_path / "meta.json"
        meta.write_text(json.dumps({"00100020": {"vr": "LO", "Value": ["FROM-FILE"]},
                                    "00100010": {"vr": "PN", "Value": [{"Alphabetic": "File^Name"}]},
                                    "00081030": {"vr": "LO", "Value": ["described in a file"]}}))
    else:
        meta = tmp_path / "meta.xml"
        meta.write_text('<?xml version="1.0" encoding="UTF-8"?><NativeDicomModel>'
                        '<DicomAttribute tag="00100020" vr="LO"><Value number="1">FROM-FILE</Value></DicomAttribute>'
                        '<DicomAttribute tag="00100010" vr="PN"><PersonName number="1"><Alphabetic>'
                        '<FamilyName>File</FamilyName><GivenName>Name</GivenName></Alphabetic></PersonName>'
                        '</DicomAttribute><DicomAttribute tag="00081030" vr="LO"><Value number="1">'
                        'described in a file</Value></DicomAttribute></NativeDicomModel>')
    (tmp_path / "doc.pdf").write_bytes(PDF)
    r = lantern(cli_server.url, "store", str(tmp_path / "doc.pdf"), "--metadata", str(meta), "-m", f"PatientID={patient}")
    assert r.returncode == 0, r.stdout + r.stderr
    studies = json.loads(lantern(cli_server.url, "query", "studies", "-k", f"PatientID={patient}", "-i", "StudyDescription",
                                 "--json").stdout)
    assert len(studies) == 1, "-m overrides the metadata file"
    assert value(studies[0], "00100010") == "File^Name" and value(studies[0], "00081030") == "described in a file"


def test_store_build_locally_sends_part10(cli_server, tmp_path):
    (tmp_path / "clip.mp4").write_bytes(mp4(320, 240, 5))
    r = lantern(cli_server.url, "store", str(tmp_path / "clip.mp4"), "--build-locally", "-m", "PatientID=LOCAL-1")
    assert r.returncode == 0, r.stdout + r.stderr
    status, sop = outcomes(r.stdout)["clip.mp4"]
    assert status == "stored"
    instances = json.loads(lantern(cli_server.url, "query", "instances", "-k", "PatientID=LOCAL-1", "-i",
                                   "0020000D", "-i", "0020000E", "--json").stdout)
    assert [value(i, "00080018") for i in instances] == [sop]
    study, series = value(instances[0], "0020000D"), value(instances[0], "0020000E")
    assert lantern(cli_server.url, "retrieve", study, series, sop, "-o", str(tmp_path)).returncode == 0
    video = pydicom.dcmread(tmp_path / study / series / f"{sop}.dcm")
    assert video.Columns == 320 and video.file_meta.TransferSyntaxUID.startswith("1.2.840.10008.1.2.4.10")


def test_a_named_sop_instance_uid_wraps_one_file_only(cli_server, tmp_path):
    (tmp_path / "a.pdf").write_bytes(PDF)
    (tmp_path / "b.pdf").write_bytes(PDF)
    r = lantern(cli_server.url, "store", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf"), "-m",
                "SOPInstanceUID=1.2.826.0.1.3680043.10.1234.77")
    assert r.returncode != 0 and "one instance" in r.stderr


def test_a_success_status_without_a_stow_result_confirms_nothing(tmp_path):
    """A front that answers 200 with an HTML page (a login portal, a wrong URL) stores nothing: files are
    reported failed and the import journal stays empty."""
    import http.server
    import threading

    class Portal(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b"<html><body>Please log in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    portal = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{portal.server_address[1]}/dicomweb"
        ct = CORPUS / "files" / "data__test_files__CT_small.dcm"
        r = lantern(url, "store", str(ct))
        assert r.returncode == 1 and "not a STOW-RS result" in r.stdout, r.stdout
        (tmp_path / "tree").mkdir()
        shutil.copy(ct, tmp_path / "tree" / "ct.dcm")
        journal = tmp_path / "j"
        i = lantern(url, "import", str(tmp_path / "tree"), "--journal", str(journal))
        assert i.returncode == 1 and summary(i.stdout, "import")["stored"] == 0
        assert journal.read_text() == ""
    finally:
        portal.shutdown()


def test_store_usage_errors_and_unreachable_server(tmp_path):
    missing = lantern(None, "store", str(tmp_path / "nope.dcm"))
    assert missing.returncode != 0 and "nope.dcm" in missing.stderr
    bad = lantern(None, "store", str(CORPUS / "files" / "data__test_files__CT_small.dcm"), "-m", "NoSuchKeyword=1")
    assert bad.returncode != 0 and "NoSuchKeyword" in bad.stderr
    closed = lantern("http://127.0.0.1:9/dicomweb", "store", str(CORPUS / "files" / "data__test_files__CT_small.dcm"))
    assert closed.returncode == 1
    assert outcomes(closed.stdout)["data__test_files__CT_small.dcm"][0] == "failed"


# --------------------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------------------

def import_tree(root: Path) -> tuple[Path, set[str]]:
    """A folder tree of distinct instances (in subfolders), one second copy of an instance, a text file, and a
    hidden folder (left out, as hidden files are)."""
    files = [f for f in first_stored(CORPUS_FILES) if SOP_COUNT[f.sop] == 1 and EXPECTED[f.name][0] == "stored"]
    tree = root / "archive"
    for i, f in enumerate(files):
        folder = tree / f"disk{i % 3}" / ("study-" + (f.study or "none")[-8:])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f.name).write_bytes(f.data)
    (tree / "disk0" / "copy-of-first.dcm").write_bytes(files[0].data)
    (tree / "README.txt").write_text("exported from PACS\n")
    (tree / ".trash").mkdir()
    (tree / ".trash" / "old.dcm").write_bytes(files[1].data)
    return tree, {f.sop for f in files}


def server_sops(url):
    r = lantern(url, "query", "instances", "--json", "--limit", "1000")
    return [value(i, "00080018") for i in json.loads(r.stdout)]


def test_import_resumes_after_kill_without_duplicates(tmp_path, server_factory):
    server = server_factory()
    tree, sops = import_tree(tmp_path)
    journal = tmp_path / "state" / "import.journal"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env["LANTERN_URL"] = server.url
    proc = subprocess.Popen([str(LANTERN_BIN), "import", str(tree), "--journal", str(journal), "--batch", "1",
                             "--concurrency", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first = proc.stderr.readline()  # the first plain progress line: a tenth of the files is done
    while first and not first.startswith("import: "):  # files skipped are named before it
        first = proc.stderr.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert first.startswith("import: ") and "files" in first, first
    recorded = journal.read_text().splitlines()
    assert 0 < len(recorded) < len(sops), "killed part way"

    r = lantern(server.url, "import", str(tree), "--journal", str(journal))
    assert r.returncode == 0, r.stdout + r.stderr
    counts = summary(r.stdout, "import")
    assert counts["imported"] == len(recorded) and counts["duplicates"] == 1 and counts["not"] == 1
    assert counts["failed"] == 0
    # Skipped files are named: the text file, and the second copy with the first copy it duplicates.
    assert "README.txt: not a DICOM file" in r.stderr, r.stderr
    assert "duplicate" in r.stderr, r.stderr
    assert counts["stored"] == len(sops) - len(recorded)
    on_server = server_sops(server.url)
    assert sorted(on_server) == sorted(sops), "every instance once"
    assert len({line.split("\t")[3] for line in journal.read_text().splitlines()}) == len(sops)

    again = lantern(server.url, "import", str(tree), "--journal", str(journal))
    counts = summary(again.stdout, "import")
    assert counts["stored"] == 0 and counts["imported"] == len(sops)


def test_import_default_journal_and_restart(tmp_path, server_factory):
    server = server_factory()
    tree, sops = import_tree(tmp_path)
    state = tmp_path / "xdg"
    r = lantern(server.url, "import", str(tree), XDG_STATE_HOME=str(state))
    assert r.returncode == 0, r.stderr
    journals = list((state / "lantern").glob("import-*.journal"))
    assert len(journals) == 1 and f"journal: {journals[0]}" in r.stdout
    again = lantern(server.url, "import", str(tree), "--restart", XDG_STATE_HOME=str(state))
    assert summary(again.stdout, "import")["stored"] == len(sops), "--restart sends everything again"
    assert sorted(server_sops(server.url)) == sorted(sops)


def test_import_draws_a_progress_bar_on_a_terminal(tmp_path, server_factory):
    server = server_factory()
    tree, _ = import_tree(tmp_path)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env["LANTERN_URL"] = server.url
    proc = subprocess.Popen([str(LANTERN_BIN), "import", str(tree), "--journal", str(tmp_path / "j"), "--batch", "2",
                             "--concurrency", "1"], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0
    assert b"\r\x1b[K[" in seen and b"ETA" in seen and b"MB/s" in seen, seen[-400:]


def test_delete_asks_refuses_without_yes_and_deletes(cli_server, tmp_path):
    from conftest import encode, make_instance
    a = make_instance()
    b = make_instance(study=a.StudyInstanceUID, series=a.SeriesInstanceUID)
    for ds in (a, b):
        path = tmp_path / f"{ds.SOPInstanceUID}.dcm"
        path.write_bytes(encode(ds))
    assert lantern(cli_server.url, "store", str(tmp_path)).returncode == 0
    # Not on a terminal and without --yes: nothing is deleted.
    r = lantern(cli_server.url, "delete", a.StudyInstanceUID)
    assert r.returncode == 2 and "--yes" in r.stderr
    found = lantern(cli_server.url, "query", "instances", "--study", a.StudyInstanceUID, "--json")
    assert len(json.loads(found.stdout)) == 2
    # One instance, then the study; a second delete says there is nothing there.
    r = lantern(cli_server.url, "delete", a.StudyInstanceUID, a.SeriesInstanceUID, a.SOPInstanceUID, "--yes")
    assert r.returncode == 0, r.stderr
    found = lantern(cli_server.url, "query", "instances", "--study", a.StudyInstanceUID, "--json")
    assert [x["00080018"]["Value"][0] for x in json.loads(found.stdout)] == [b.SOPInstanceUID]
    assert lantern(cli_server.url, "delete", a.StudyInstanceUID, "-y").returncode == 0
    r = lantern(cli_server.url, "delete", a.StudyInstanceUID, "--yes")
    assert r.returncode == 1 and "nothing is stored" in r.stderr


def test_delete_confirms_on_a_terminal(cli_server, tmp_path):
    from conftest import encode, make_instance
    ds = make_instance()
    (tmp_path / "one.dcm").write_bytes(encode(ds))
    assert lantern(cli_server.url, "store", str(tmp_path)).returncode == 0
    for answer, code in ((b"n\n", 1), (b"y\n", 0)):
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["LANTERN_URL"] = cli_server.url
            os.execv(str(LANTERN_BIN), [str(LANTERN_BIN), "delete", ds.StudyInstanceUID])
        seen = b""
        deadline = time.time() + 30
        while b"[y/N]" not in seen and time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                seen += os.read(fd, 1024)
        os.write(fd, answer)
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                continue
            try:
                if not os.read(fd, 1024):
                    break
            except OSError:
                break
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == code, seen
        os.close(fd)
    found = lantern(cli_server.url, "query", "studies", "-k", f"StudyInstanceUID={ds.StudyInstanceUID}", "--json")
    assert json.loads(found.stdout or "[]") == []


def test_client_errors_are_plain_sentences(cli_server):
    r = lantern("http://127.0.0.1:1/dicomweb", "query", "studies")
    assert r.returncode == 1
    assert "cannot connect to 127.0.0.1:1" in r.stderr and "errno" not in r.stderr
    root = cli_server.url.rsplit("/dicomweb", 1)[0]
    r = lantern(root, "query", "studies")
    assert r.returncode == 1 and "/dicomweb" in r.stderr, r.stderr


def test_import_sends_the_first_file_in_path_order_of_an_instance_held_twice(tmp_path, server_factory):
    """Several files with one SOP Instance UID: whatever the concurrency, the first in path order is sent and
    the others are reported as its duplicates, by name."""
    from conftest import encode, make_instance
    base = make_instance()
    tree = tmp_path / "tree"
    names = []
    for n in range(12):
        ds = make_instance(study=base.StudyInstanceUID, series=base.SeriesInstanceUID, sop=base.SOPInstanceUID)
        ds.PatientID = f"COPY-{n:02d}"
        folder = tree / f"d{n % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"f{n:02d}.dcm"
        path.write_bytes(encode(ds))
        names.append(path)
    others = [make_instance() for _ in range(20)]
    for ds in others:
        (tree / "d1" / f"{ds.SOPInstanceUID}.dcm").write_bytes(encode(ds))
    first = sorted(str(p.relative_to(tree)) for p in names)[0]
    expected = pydicom.dcmread(tree / first).PatientID
    for attempt in range(2):
        server = server_factory()
        r = lantern(server.url, "import", str(tree), "--journal", str(tmp_path / f"j{attempt}"), "--batch", "1",
                    "--concurrency", "4")
        assert r.returncode == 0, r.stdout + r.stderr
        counts = summary(r.stdout, "import")
        assert counts["duplicates"] == 11 and counts["stored"] == 21, r.stdout
        assert r.stderr.count("duplicate") == 11, r.stderr
        meta = requests.get(f"{server.url}/studies/{base.StudyInstanceUID}/series/{base.SeriesInstanceUID}/"
                            f"instances/{base.SOPInstanceUID}/metadata", timeout=30).json()
        assert meta[0]["00100020"]["Value"][0] == expected


def test_retrieved_files_are_named_by_what_they_hold(cli_server, stored, tmp_path):
    """A JPEG frame retrieved as stored is `.jpg`; --rendered on a study holding a PDF writes the PDF as
    `.pdf` next to the images, each instance in its own rendered type."""
    jpeg = next(f for f in CORPUS_FILES if f.name == "data__test_files__SC_rgb_jpeg_dcmtk.dcm")
    r = lantern(cli_server.url, "retrieve", jpeg.study, jpeg.series, jpeg.sop, "--frames", "1", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    frame = tmp_path / jpeg.study / jpeg.series / jpeg.sop / "frame-1.jpg"
    assert frame.read_bytes()[:2] == b"\xff\xd8"

    from conftest import encode, make_instance
    image = make_instance()
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "image.dcm").write_bytes(encode(image))
    (folder / "report.pdf").write_bytes(PDF)
    assert lantern(cli_server.url, "store", str(folder / "image.dcm")).returncode == 0
    # The PDF joins the stored study and takes its patient (the server refuses another patient's instance).
    s = lantern(cli_server.url, "store", str(folder / "report.pdf"), "-m", f"StudyInstanceUID={image.StudyInstanceUID}")
    assert s.returncode == 0, s.stdout + s.stderr
    out = tmp_path / "rendered"
    r = lantern(cli_server.url, "retrieve", image.StudyInstanceUID, "--rendered", "-o", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    written = sorted(p.suffix for p in (out / image.StudyInstanceUID).rglob("*") if p.is_file())
    assert written == [".jpg", ".pdf"], (written, s.stdout, r.stdout, r.stderr)
    pdf = next((out / image.StudyInstanceUID).rglob("*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("fmt", ["text", "json", "xml"])
def test_dump_of_a_truncated_file_prints_what_it_read_then_the_error(tmp_path, fmt):
    """As dcmdump does: the elements before the damage, then the error on standard error, exit status 1."""
    source = (CORPUS / "files" / "data__test_files__CT_small.dcm").read_bytes()
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(source[:2000])
    r = lantern(None, "dump", "--format", fmt, str(cut))
    assert r.returncode == 1
    assert "truncated" in r.stderr and "cut.dcm" in r.stderr
    marker = {"text": "PatientName", "json": '"00100010"', "xml": 'tag="00100010"'}[fmt]
    assert marker in r.stdout, r.stdout[:500]
