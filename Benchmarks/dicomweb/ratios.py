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
    def both(measure, *args):
        """The same measure on Lantern's runs and on Orthanc's."""
        return measure(lan, *args), measure(ort, *args)

    def wado(what, run, key, field="p50_ms", unit="p50 ms", higher=False, target=None):
        return (what, unit, higher, *both(phase, run, "wado", key, field), target)

    out = [
        ("STOW, CT set (1,004 × 0.5 MB), 1 client", "inst/s", True, *both(stow, "ct", 1), 3),
        ("STOW, CT set, 4 clients", "inst/s", True, *both(stow, "ct_stow4", 4), 3),
        ("STOW, tiny set (20,000 instances), 4 clients", "inst/s", True, *both(stow, "tiny", 4), 3),
    ]
    queries = sorted({k for r in lan.get("tiny", []) for k, v in r.get("qido", {}).items()
                      if isinstance(v, dict) and "p50_ms" in v})
    for q in queries:
        out.append(("QIDO on 20,000 instances: " + q, "p50 ms", False, *both(phase, "tiny", "qido", q, "p50_ms"),
                    10))
    out += [
        wado("Study retrieve, CT set (about 50 instances per study)", "ct", "retrieve_study", "mb_per_s", "MB/s",
             True, 2),
        ("Study retrieve, CT set, measured with curl", "MB/s", True, curl_study(os.path.join(folder, "lantern")),
         curl_study(os.path.join(folder, "orthanc")), 2),
        wado("Instance retrieve (0.5 MB)", "ct", "retrieve_instance"),
        wado("Series /metadata, 25 instances", "ct", "series_metadata"),
        wado("Series /metadata, 1,000 instances", "series1000", "series_metadata"),
        wado("Study /metadata, CT set", "ct", "study_metadata"),
        wado("Frame 1 of a single-frame instance", "ct", "frame_single"),
        wado("One frame of a 50-frame instance", "ct", "frame_multiframe"),
        ("Mixed QIDO + WADO load, 1 client", "req/s", True, *both(conc, "ct", 1), None),
        ("Mixed QIDO + WADO load, 8 clients", "req/s", True, *both(conc, "ct", 8), None),
        ("Mixed load, 20,000-instance index, 8 clients", "req/s", True, *both(conc, "tiny", 8), None),
        ("Server peak RSS, CT set run", "MB", False, *both(rss, "ct"), None),
        ("Server peak RSS, tiny set run", "MB", False, *both(rss, "tiny"), None),
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
