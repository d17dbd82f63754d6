#!/usr/bin/env bash
# `lantern import` against the server's own STOW ceiling: for each dataset and repetition, a fresh Lantern
# server takes the dataset once from the shared harness (../shared/bench, STOW-RS, 4 clients, 10 instances
# per request, bodies prebuilt in memory) and once from `lantern import` (4 requests in flight, 10 instances
# per request, files read from the page cache), in alternating order. Both store into empty servers.
#
#   Benchmarks/client/run.sh [OUTDIR]          (default .build-bench/client)
#
# Environment: BENCH (default ../shared/bench), LANTERN_BIN (default: a release build in .build-release),
# REPS (default 3), CT_DATA (/tmp/dw-ct), TINY_DATA (/tmp/dw-tiny), SKIP_TINY=1.
# Writes OUTDIR/results.tsv (dataset, repetition, method, instances/s, MB/s) and OUTDIR/ratios.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
BENCH=${BENCH:-$REPO/../shared/bench}
OUT=${1:-$REPO/.build-bench/client}
REPS=${REPS:-3}
CT=${CT_DATA:-/tmp/dw-ct}
TINY=${TINY_DATA:-/tmp/dw-tiny}
mkdir -p "$OUT"

python3 -c 'import numpy, pydicom' 2>/dev/null || python3 -m pip install -q numpy "pydicom==3.0.1"
[ -f "$CT/manifest.json" ] || python3 "$BENCH/gen_dataset.py" --quiet --out "$CT"
[ "${SKIP_TINY:-0}" = 1 ] || [ -f "$TINY/manifest.json" ] || python3 "$BENCH/gen_dataset.py" --quiet --mode tiny --out "$TINY"
if [ -z "${LANTERN_BIN:-}" ]; then
    swift build -c release --product lantern --scratch-path .build-release >/dev/null || exit 1
    LANTERN_BIN=$REPO/.build-release/release/lantern
fi

# Every run stores into a folder of its own, removed only at the end (see Benchmarks/dicomweb/run.sh).
SCRATCH=$OUT/scratch
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
RUN=0
source "$REPO/Benchmarks/lantern_server.sh"
start() {
    RUN=$((RUN + 1))
    lantern_start "$SCRATCH/data-$RUN" "$OUT/server.log"
}
trap lantern_stop EXIT
quiet() { python3 "$BENCH/wait_quiet.py" --max-busy 0.3 --timeout "${QUIET_TIMEOUT:-60}" >/dev/null; }

# harness DATASET REP: the shared harness's STOW-RS, 4 clients.
harness() {
    start || exit 1
    quiet
    python3 "$BENCH/bench.py" --base "$LBASE" --data "$2" --pid "$LPID" --phases stow --stow-clients 4 \
        --label "harness $1" --out "$OUT/harness-$1-$3.json" >/dev/null 2>"$OUT/harness-$1-$3.log"
    python3 - "$OUT/harness-$1-$3.json" "$1" "$3" >>"$OUT/results.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["stow"][0]
print(f"{sys.argv[2]}\t{sys.argv[3]}\tharness\t{r['instances_per_s']:.1f}\t{r['mb_per_s']:.1f}")
PY
    lantern_stop
}

# client DATASET DIR REP: `lantern import`, 4 requests in flight, 10 instances per request.
client() {
    start || exit 1
    quiet
    "$LANTERN_BIN" import "$2" --url "$LBASE" --journal "$SCRATCH/journal-$RUN" --concurrency 4 --batch 10 \
        --no-progress >"$OUT/import-$1-$3.txt" 2>&1
    python3 - "$OUT/import-$1-$3.txt" "$1" "$3" >>"$OUT/results.tsv" <<'PY'
import re, sys
line = next(l for l in open(sys.argv[1]) if l.startswith("import: ") and "stored" in l)
mbs, ips = re.search(r"\(([\d.]+) MB/s, ([\d.]+) instances/s\)", line).groups()
print(f"{sys.argv[2]}\t{sys.argv[3]}\timport\t{float(ips):.1f}\t{float(mbs):.1f}")
PY
    lantern_stop
}

: >"$OUT/results.tsv"
sets="ct"
[ "${SKIP_TINY:-0}" = 1 ] || sets="ct tiny"
for r in $(seq 1 "$REPS"); do
    for set in $sets; do
        dir=$CT
        [ "$set" = tiny ] && dir=$TINY
        if [ $((r % 2)) = 1 ]; then harness "$set" "$dir" "$r"; client "$set" "$dir" "$r"
        else client "$set" "$dir" "$r"; harness "$set" "$dir" "$r"; fi
    done
done
rm -rf "$SCRATCH"
python3 - "$OUT/results.tsv" >"$OUT/ratios.md" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print("| Dataset | Harness STOW (inst/s, MB/s) | lantern import (inst/s, MB/s) | import / harness |")
print("|---|---|---|---|")
for ds in dict.fromkeys(r[0] for r in rows):
    h = [r for r in rows if r[0] == ds and r[2] == "harness"]
    c = [r for r in rows if r[0] == ds and r[2] == "import"]
    hi, hm = statistics.median(float(r[3]) for r in h), statistics.median(float(r[4]) for r in h)
    ci, cm = statistics.median(float(r[3]) for r in c), statistics.median(float(r[4]) for r in c)
    print(f"| {ds} ({len(h)} reps, medians) | {hi:.0f}, {hm:.0f} | {ci:.0f}, {cm:.0f} | {ci / hi:.2f} |")
PY
cat "$OUT/ratios.md"
