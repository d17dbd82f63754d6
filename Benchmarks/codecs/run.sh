#!/usr/bin/env bash
# Codec and rendering benchmark: rendered 512×512 CT as JPEG, and frames transcoded from JPEG 2000 and from
# JPEG Lossless to Explicit VR Little Endian, against Lantern, Orthanc with its GDCM plugin (Debian `orthanc`,
# `orthanc-dicomweb`, `orthanc-gdcm`) and DCMTK's command-line tools (`dcmtk`), one after the other.
#
#   Benchmarks/codecs/run.sh [OUTDIR]          (default .build-bench/codecs)
#
# Environment: BENCH (harness folder, default ../shared/bench), LANTERN_BIN (default: a release build in
# .build-release), SKIP_ORTHANC=1. Writes OUTDIR/{lantern,orthanc,dcmtk}.json and OUTDIR/codecs.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
BENCH=${BENCH:-$REPO/../shared/bench}
OUT=${1:-$REPO/.build-bench/codecs}
DATA=${CODEC_DATA:-/tmp/lantern-codec-bench}
PY="python3 $REPO/Benchmarks/codecs/bench_codecs.py"
mkdir -p "$OUT"

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=()
for p in dcmtk orthanc orthanc-dicomweb orthanc-gdcm; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    $SUDO rm -f /usr/sbin/policy-rc.d
fi
[ -f "$DATA/manifest.json" ] || $PY prepare "$DATA" || exit 1

if [ -z "${LANTERN_BIN:-}" ]; then
    swift build -c release --product lantern --scratch-path .build-release >/dev/null || exit 1
    LANTERN_BIN=$REPO/.build-release/release/lantern
fi
export LANTERN_BIN
source "$REPO/Benchmarks/lantern_server.sh"
SCRATCH=$(mktemp -d)
OW=$SCRATCH/orthanc
cleanup() { lantern_stop; [ -f "$OW/orthanc.pid" ] && "$BENCH/orthanc/stop_orthanc.sh" "$OW" >/dev/null 2>&1; rm -rf "$SCRATCH"; }
trap cleanup EXIT

quiet() { python3 "$BENCH/wait_quiet.py" --max-busy 0.3 --timeout "${QUIET_TIMEOUT:-60}" >/dev/null; }

quiet
lantern_start "$SCRATCH/lantern" "$OUT/lantern.log"
$PY server "$LBASE" "$DATA" lantern "$OUT/lantern.json" || exit 1
lantern_stop

if [ "${SKIP_ORTHANC:-0}" != 1 ]; then
    quiet
    "$BENCH/orthanc/start_orthanc.sh" "$OW" --fresh --gdcm >/dev/null || exit 1
    $PY server http://127.0.0.1:8042/dicom-web "$DATA" orthanc "$OUT/orthanc.json" || exit 1
    "$BENCH/orthanc/stop_orthanc.sh" "$OW" >/dev/null 2>&1
fi

quiet
$PY dcmtk "$DATA" "$OUT/dcmtk.json" || exit 1
$PY report "$OUT/codecs.md" "$OUT/lantern.json" $( [ -f "$OUT/orthanc.json" ] && [ "${SKIP_ORTHANC:-0}" != 1 ] && echo "$OUT/orthanc.json") "$OUT/dcmtk.json"
