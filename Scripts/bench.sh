#!/usr/bin/env bash
# DICOM engine benchmark: Lantern against DCMTK (dcmdump, dcm2json, dcm2xml) on the same files, whole
# process, release build, in one sitting. Prints a markdown table of medians and ratios (docs/benchmarks.md).
#   RUNS=20 Scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
out=.build-bench
corpus=${LANTERN_CORPUS:-../shared/corpus}/files

need=()
for p in dcmtk hyperfine; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if ((${#need[@]})); then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
python3 -c 'import numpy, pydicom' 2>/dev/null || python3 -m pip install -q numpy "pydicom==3.0.1"

swift build -c release --product lantern >/dev/null
lantern=$(swift build -c release --show-bin-path)/lantern
mkdir -p "$out"
[ -f "$out/data/multiframe_50m.dcm" ] || python3 Benchmarks/make_engine_data.py "$out/data"
ls "$corpus"/*.dcm >"$out/corpus.txt"

hf() { # name, lantern command, dcmtk command
    hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$out/$1.json" -n lantern "$2" -n dcmtk "$3" >/dev/null 2>&1 ||
        hyperfine --warmup 2 --runs "$RUNS" -i --export-json "$out/$1.json" -n lantern "$2" -n dcmtk "$3" >/dev/null
}
loop() { echo "bash -c 'while read -r f; do $1 \"\$f\" >/dev/null 2>&1 || true; done <$out/corpus.txt'"; }

hf header_ct "$lantern dump --stop-at-pixel-data $out/data/ct_512k.dcm" "dcmdump +sb PixelData $out/data/ct_512k.dcm"
hf header_mf "$lantern dump --stop-at-pixel-data $out/data/multiframe_50m.dcm" "dcmdump +sb PixelData $out/data/multiframe_50m.dcm"
hf full_mf "$lantern dump $out/data/multiframe_50m.dcm" "dcmdump +M $out/data/multiframe_50m.dcm"
hf json_mf "$lantern dump --format json $out/data/multiframe_50m.dcm" "dcm2json $out/data/multiframe_50m.dcm"
hf json_corpus "$(loop "$lantern dump --format json")" "$(loop dcm2json)"
hf xml_corpus "$(loop "$lantern dump --format xml")" "$(loop dcm2xml)"

python3 - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
rows = [("header_ct", "header parse, 512 KB CT (stop at Pixel Data)"),
        ("header_mf", "header parse, 50 MB multi-frame (stop at Pixel Data)"),
        ("full_mf", "full parse + text dump, 50 MB multi-frame"),
        ("json_mf", "DICOM JSON, 50 MB multi-frame (pixels inline, base64)"),
        ("json_corpus", "DICOM JSON of all 191 corpus files (one process each)"),
        ("xml_corpus", "Native XML of all 191 corpus files (one process each)")]
print("| workload | Lantern median | DCMTK median | DCMTK / Lantern |")
print("|---|---:|---:|---:|")
for key, label in rows:
    res = {r["command"]: r for r in json.load(open(out / f"{key}.json"))["results"]}
    l, d = res["lantern"]["median"], res["dcmtk"]["median"]
    print(f"| {label} | {l*1000:.1f} ms | {d*1000:.1f} ms | {d/l:.2f}× |")
PY
