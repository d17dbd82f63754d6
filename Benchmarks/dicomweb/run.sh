#!/usr/bin/env bash
# DICOMweb benchmark: the same workloads against Lantern and against Orthanc (Debian `orthanc` +
# `orthanc-dicomweb`), in one sitting, with the shared harness (../shared/bench). Every STOW runs into a
# fresh, empty server; each server is stopped (by PID) before the next starts.
#
#   Benchmarks/dicomweb/run.sh [OUTDIR]          (default .build-bench/dicomweb)
#
# Environment: BENCH (harness folder, default ../shared/bench), LANTERN_BIN (default: a release build in
# .build-release), SKIP_ORTHANC=1, REPS (default 2), QUIET_TIMEOUT (seconds to wait for an idle machine).
# Writes one JSON file per run under OUTDIR/{lantern,orthanc}/ and OUTDIR/ratios.md (see ratios.py).
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
BENCH=${BENCH:-$REPO/../shared/bench}
OUT=${1:-$REPO/.build-bench/dicomweb}
REPS=${REPS:-2}
CT=${CT_DATA:-/tmp/dw-ct}
TINY=${TINY_DATA:-/tmp/dw-tiny}
S1000=${SERIES_DATA:-/tmp/dw-series1000}
B="python3 $BENCH/bench.py"
mkdir -p "$OUT/lantern" "$OUT/orthanc"

python3 -c 'import numpy, pydicom' 2>/dev/null || python3 -m pip install -q numpy "pydicom==3.0.1"
[ -f "$CT/manifest.json" ] || python3 "$BENCH/gen_dataset.py" --quiet --out "$CT"
[ -f "$TINY/manifest.json" ] || python3 "$BENCH/gen_dataset.py" --quiet --mode tiny --out "$TINY"
# One series of 1,000 small CT instances: the series /metadata target.
[ -f "$S1000/manifest.json" ] || python3 "$BENCH/gen_dataset.py" --quiet --out "$S1000" --studies 1 --series 1 \
    --instances 1000 --rows 64 --cols 64 --multiframe 0

if [ -z "${LANTERN_BIN:-}" ]; then
    swift build -c release --product lantern --scratch-path .build-release >/dev/null || exit 1
    LANTERN_BIN=$REPO/.build-release/release/lantern
fi

quiet() { python3 "$BENCH/wait_quiet.py" --max-busy 0.3 --timeout "${QUIET_TIMEOUT:-60}" >/dev/null; }

# Every run stores into a folder of its own, removed only at the end: deleting tens of thousands of files
# makes ext4 skip the "recently deleted" inodes on every file created for minutes afterwards, which would
# slow whichever server runs next (seen here: 2x the server CPU per instance).
SCRATCH=$OUT/scratch
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
RUN=0

# --- Lantern ---------------------------------------------------------------------------------------
source "$REPO/Benchmarks/lantern_server.sh"
lantern_start_run() {
    RUN=$((RUN + 1))
    lantern_start "$SCRATCH/lantern-$RUN" "$OUT/lantern.log"
}

# --- Orthanc (the harness's own scripts) -----------------------------------------------------------
OW=""
orthanc_start() {
    RUN=$((RUN + 1))
    OW=$SCRATCH/orthanc-$RUN
    if ! command -v Orthanc >/dev/null || ! dpkg -s orthanc-dicomweb >/dev/null 2>&1; then
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq orthanc \
            orthanc-dicomweb >/dev/null
    fi
    OPID=$("$BENCH/orthanc/start_orthanc.sh" "$OW") || return 1
    OBASE=http://127.0.0.1:8042/dicom-web
}
orthanc_stop() { [ -n "$OW" ] && "$BENCH/orthanc/stop_orthanc.sh" "$OW" >/dev/null 2>&1; }

cleanup() { lantern_stop; orthanc_stop; }
trap cleanup EXIT

# curl_study BASE DATA: median MB/s of 10 retrieves of the first study (after 2 warm-up), one per line.
curl_study() {
    local study
    study=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/manifest.json"));
i=m["instances"] if isinstance(m,dict) else m; print(i[0]["study"])' "$2")
    for _ in $(seq 1 12); do
        curl -s -o /dev/null -H 'Accept: multipart/related; type="application/dicom"' -w '%{speed_download}\n' \
            "$1/studies/$study"
    done | tail -10 | sort -n | awk '{ v[NR] = $1 } END { printf "%.0f\n", (v[5] + v[6]) / 2 / 1e6 }'
}

# run SERVER NAME DATA BENCH-ARGS...: fresh server, one bench.py run, server stopped.
run() {
    local server=$1 name=$2 data=$3
    shift 3
    if [ "$server" = lantern ]; then
        lantern_start_run || return 1
        base=$LBASE pid=$LPID
    else
        orthanc_start || return 1
        base=$OBASE pid=$OPID
    fi
    quiet
    echo "== $server $name" >&2
    $B --base "$base" --data "$data" --pid "$pid" --label "$server $name" --no-rendered \
        --out "$OUT/$server/$name.json" "$@" >/dev/null
    # The harness's Python client tops out near the study retrieve rates: cross-check with curl.
    if [[ $name == ct_rep* ]]; then
        curl_study "$base" "$data" >"$OUT/$server/curl_study_${name#ct_}.txt"
    fi
    if [ "$server" = lantern ]; then lantern_stop; else orthanc_stop; fi
}

servers="lantern orthanc"
[ "${SKIP_ORTHANC:-0}" = 1 ] && servers=lantern
for r in $(seq 1 "$REPS"); do
    for s in $servers; do
        run "$s" "ct_rep$r" "$CT" --stow-clients 1 --conc-clients 1,8
        run "$s" "ct_stow4_rep$r" "$CT" --phases stow --stow-clients 4
        run "$s" "tiny_rep$r" "$TINY" --phases stow,qido,conc --stow-clients 4 --conc-clients 8
        run "$s" "series1000_rep$r" "$S1000" --phases stow,wado --stow-clients 4 --study-n 5
    done
done
# The machine's loopback ceiling (nginx -> curl), for "within 2x of loopback".
if [ -x "$BENCH/limits/machine_limits.sh" ] && [ "${SKIP_LIMITS:-0}" != 1 ]; then
    if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light wrk curl >/dev/null
    fi
    "$BENCH/limits/machine_limits.sh" >"$OUT/machine_limits.txt" 2>&1 || true
fi
python3 "$REPO/Benchmarks/dicomweb/ratios.py" "$OUT" | tee "$OUT/ratios.md"
rm -rf "$SCRATCH"
