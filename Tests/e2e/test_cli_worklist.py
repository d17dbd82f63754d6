"""`lantern worklist`: the command-line UPS-RS user agent against the real server — create, list, claim,
complete, cancel, subscribe and watch the event channel (PS3.18 §11)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import requests

from cli_support import lantern
from conftest import LANTERN_BIN, LanternServer


@pytest.fixture(scope="module")
def wl(tmp_path_factory):
    server = LanternServer(tmp_path_factory.mktemp("worklist-cli")).start()
    yield server.url
    server.stop()


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_lifecycle_from_the_command_line(wl):
    ok(lantern(wl, "worklist", "subscribe", "CLIWATCH"))
    uid = ok(lantern(wl, "worklist", "create", "--label", "CT head", "--priority", "HIGH",
                     "-m", "PatientName=Doe^Jane", "-m", "PatientID=P-7"))
    assert uid.startswith("2.25.")
    listed = ok(lantern(wl, "worklist", "list", "-k", "PatientID=P-7"))
    assert uid in listed and "SCHEDULED" in listed and "HIGH" in listed and "Doe^Jane" in listed
    transaction = ok(lantern(wl, "worklist", "claim", uid))
    assert transaction.startswith("2.25.")
    # Someone else's cancellation request reaches the subscriber; the state does not change.
    ok(lantern(wl, "worklist", "cancel", uid, "--reason", "Patient left"))
    ok(lantern(wl, "worklist", "complete", uid, "--transaction", transaction, "--station", "CT01"))
    state = requests.get(f"{wl}/workitems/{uid}", timeout=30).json()[0]
    assert state["00741000"]["Value"] == ["COMPLETED"]
    performed = state["00741216"]["Value"][0]
    assert performed["00404028"]["Value"][0]["00080100"]["Value"] == ["CT01"]
    watched = ok(lantern(wl, "worklist", "watch", "CLIWATCH", "--count", "4", timeout=60)).splitlines()
    assert watched[0] == f"state {uid} SCHEDULED READY"
    assert watched[1] == f"state {uid} IN PROGRESS READY"
    assert watched[2].startswith(f"cancel-requested {uid}") and "Patient left" in watched[2]
    assert watched[3] == f"state {uid} COMPLETED READY"
    # Errors are reported with the server's reason and exit status 1.
    again = lantern(wl, "worklist", "complete", uid, "--transaction", "1.2.3")
    assert again.returncode == 1 and "no longer be updated" in again.stderr
    late = lantern(wl, "worklist", "cancel", uid)
    assert late.returncode == 1 and "already COMPLETED" in late.stderr


def test_owner_cancel_json_watch_and_unsubscribe(wl):
    uid = ok(lantern(wl, "worklist", "create", "--label", "MR knee", "--uid", "1.2.826.0.1.3680043.10.1234.77"))
    assert uid == "1.2.826.0.1.3680043.10.1234.77"
    channel = ok(lantern(wl, "worklist", "subscribe", "OWNER", "--workitem", uid, "--lock"))
    assert channel.startswith("ws://") and channel.endswith("/subscribers/OWNER")
    transaction = ok(lantern(wl, "worklist", "claim", uid, "--transaction", "1.2.826.0.1.3680043.10.1234.78"))
    assert transaction == "1.2.826.0.1.3680043.10.1234.78"
    ok(lantern(wl, "worklist", "cancel", uid, "--transaction", transaction))
    reports = [json.loads(line) for line in
               ok(lantern(wl, "worklist", "watch", "OWNER", "--count", "3", "--json", timeout=60)).splitlines()]
    assert [r["00741000"]["Value"][0] for r in reports] == ["SCHEDULED", "IN PROGRESS", "CANCELED"]
    assert all(r["00001000"]["Value"] == [uid] for r in reports)
    ok(lantern(wl, "worklist", "subscribe", "OWNER", "--workitem", uid, "--remove"))
    gone = lantern(wl, "worklist", "subscribe", "OWNER", "--workitem", uid, "--remove")
    assert gone.returncode == 1 and "404" in gone.stderr


def test_filtered_subscription_and_usage_errors(wl):
    ok(lantern(wl, "worklist", "subscribe", "CTFILTER", "--filter", "ProcedureStepLabel=CTF*"))
    ct = ok(lantern(wl, "worklist", "create", "--label", "CTF chest"))
    ok(lantern(wl, "worklist", "create", "--label", "US abdomen"))
    line = ok(lantern(wl, "worklist", "watch", "CTFILTER", "--count", "1", timeout=60))
    assert line == f"state {ct} SCHEDULED READY"
    bad = lantern(wl, "worklist", "subscribe", "AE", "--workitem", "1.2", "--filter", "A=b")
    assert bad.returncode != 0 and "exclude" in bad.stderr
    missing = lantern(wl, "worklist", "create", "--label", "x", "-m", "NoSuchKeyword=1")
    assert missing.returncode != 0
    unreachable = lantern("http://127.0.0.1:9/dicomweb", "worklist", "list")
    assert unreachable.returncode == 1 and "error" in unreachable.stderr
