#!/usr/bin/env python3
"""Ratio table of a Benchmarks/dicomweb/run.sh sitting: Lantern against Orthanc, medians over repetitions.

  ratios.py OUTDIR        (OUTDIR/lantern/*.json, OUTDIR/orthanc/*.json, OUTDIR/machine_limits.txt)

"× Orthanc" is always "how many times better Lantern is": throughput Lantern/Orthanc, latency
Orthanc/Lantern. Prints Markdown on stdout.
"""
import glob
import json
import os
import re
import statistics
import sys


def load(folder):
    """{run name without _repN: [result, ...]}"""
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        name = re.sub(r"_rep\d+$", "", os.path.basename(path)[:-5])
        with open(path) as f:
            runs.setdefault(name, []).append(json.load(f))
    return runs


def med(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def stow(runs, name, clients):
    return med([s["instances_per_s"] for r in runs.get(name, []) for s in r.get("stow", [])
                if s["clients"] == clients])


def phase(runs, name, section, key, field):
    return med([(r.get(section, {}).get(key) or {}).get(field) for r in runs.get(name, [])])


def conc(runs, name, clients):
    return med([c["requests_per_s"] for r in runs.get(name, []) for c in r.get("concurrent", [])
                if c["clients"] == clients])


def curl_study(folder):
    """Median of the curl study-retrieve cross-checks (MB/s) in a server's folder."""
    values = []
    for path in glob.glob(os.path.join(folder, "curl_study_*.txt")):
        with open(path) as f:
            text = f.read().strip()
        if text:
            values.append(float(text))
    return med(values)


def rss(runs, name):
    return med([r.get("server_vmhwm_mb") for r in runs.get(name, [])])


def rows(lan, ort, folder):
    """(what, unit, higher_is_better, lantern, orthanc, target)"""
    out = [
        ("STOW, CT set (1,004 × 0.5 MB), 1 client", "inst/s", True, stow(lan, "ct", 1), stow(ort, "ct", 1), 3),
        ("STOW, CT set, 4 clients", "inst/s", True, stow(lan, "ct_stow4", 4), stow(ort, "ct_stow4", 4), 3),
        ("STOW, tiny set (20,000 instances), 4 clients", "inst/s", True, stow(lan, "tiny", 4),
         stow(ort, "tiny", 4), 3),
    ]
    queries = sorted({k for r in lan.get("tiny", []) for k, v in r.get("qido", {}).items()
                      if isinstance(v, dict) and "p50_ms" in v})
    for q in queries:
        out.append(("QIDO on 20,000 instances: " + q, "p50 ms", False, phase(lan, "tiny", "qido", q, "p50_ms"),
                    phase(ort, "tiny", "qido", q, "p50_ms"), 10))
    out += [
        ("Study retrieve, CT set (about 50 instances per study)", "MB/s", True, phase(lan, "ct", "wado", "retrieve_study", "mb_per_s"),
         phase(ort, "ct", "wado", "retrieve_study", "mb_per_s"), 2),
        ("Study retrieve, CT set, measured with curl", "MB/s", True, curl_study(os.path.join(folder, "lantern")),
         curl_study(os.path.join(folder, "orthanc")), 2),
        ("Instance retrieve (0.5 MB)", "p50 ms", False, phase(lan, "ct", "wado", "retrieve_instance", "p50_ms"),
         phase(ort, "ct", "wado", "retrieve_instance", "p50_ms"), None),
        ("Series /metadata, 25 instances", "p50 ms", False, phase(lan, "ct", "wado", "series_metadata", "p50_ms"),
         phase(ort, "ct", "wado", "series_metadata", "p50_ms"), None),
        ("Series /metadata, 1,000 instances", "p50 ms", False,
         phase(lan, "series1000", "wado", "series_metadata", "p50_ms"),
         phase(ort, "series1000", "wado", "series_metadata", "p50_ms"), None),
        ("Study /metadata, CT set", "p50 ms", False, phase(lan, "ct", "wado", "study_metadata", "p50_ms"),
         phase(ort, "ct", "wado", "study_metadata", "p50_ms"), None),
        ("Frame 1 of a single-frame instance", "p50 ms", False, phase(lan, "ct", "wado", "frame_single", "p50_ms"),
         phase(ort, "ct", "wado", "frame_single", "p50_ms"), None),
        ("One frame of a 50-frame instance", "p50 ms", False,
         phase(lan, "ct", "wado", "frame_multiframe", "p50_ms"),
         phase(ort, "ct", "wado", "frame_multiframe", "p50_ms"), None),
        ("Mixed QIDO + WADO load, 1 client", "req/s", True, conc(lan, "ct", 1), conc(ort, "ct", 1), None),
        ("Mixed QIDO + WADO load, 8 clients", "req/s", True, conc(lan, "ct", 8), conc(ort, "ct", 8), None),
        ("Mixed load, 20,000-instance index, 8 clients", "req/s", True, conc(lan, "tiny", 8), conc(ort, "tiny", 8),
         None),
        ("Server peak RSS, CT set run", "MB", False, rss(lan, "ct"), rss(ort, "ct"), None),
        ("Server peak RSS, tiny set run", "MB", False, rss(lan, "tiny"), rss(ort, "tiny"), None),
    ]
    return out


def fmt(v):
    if v is None:
        return "—"
    return "%.2f" % v if v < 10 else "%.0f" % v


def loopback(folder):
    path = os.path.join(folder, "machine_limits.txt")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return med([float(m.group(1)) for m in re.finditer(r"loopback_curl_500MB_run\d+ (\d+) MB/s", f.read())])


def main():
    folder = sys.argv[1]
    lan, ort = load(os.path.join(folder, "lantern")), load(os.path.join(folder, "orthanc"))
    reps = max([len(v) for v in lan.values()] or [0])
    print("Medians over %d repetition(s); each STOW into a fresh server.\n" % reps)
    print("| workload | unit | Lantern | Orthanc | × Orthanc | target |")
    print("|---|---|---:|---:|---:|---|")
    for what, unit, higher, lv, ov, target in rows(lan, ort, folder):
        ratio = None
        if lv and ov:
            ratio = lv / ov if higher else ov / lv
        verdict = ""
        if target and ratio is not None:
            verdict = "≥ %g× %s" % (target, "met" if ratio >= target else "**not met**")
        print("| %s | %s | %s | %s | %s | %s |" % (what, unit, fmt(lv), fmt(ov),
                                                    "%.1f×" % ratio if ratio is not None else "—", verdict))
    lb = loopback(folder)
    study = curl_study(os.path.join(folder, "lantern")) or phase(lan, "ct", "wado", "retrieve_study", "mb_per_s")
    if lb:
        print("\nLoopback ceiling (nginx sendfile → curl, 500 MB): %.0f MB/s; Lantern's study retrieve (curl) is "
              "%.0f%% of it." % (lb, 100.0 * (study or 0) / lb))
    s1000 = phase(lan, "series1000", "wado", "series_metadata", "p50_ms")
    if s1000 is not None:
        print("Series /metadata of 1,000 instances: %.1f ms p50 (target < 50 ms: %s)."
              % (s1000, "met" if s1000 < 50 else "**not met**"))


if __name__ == "__main__":
    main()
