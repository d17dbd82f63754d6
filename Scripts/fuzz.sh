#!/usr/bin/env bash
# libFuzzer runs over the parser, the JSON, XML, QIDO and multipart decoders, the RLE codec and the library codecs.
#   Scripts/fuzz.sh short   — a fixed number of runs per target from a fixed seed (part of `make test`): the
#                             same inputs on every machine, so a CI run is reproducible; FUZZ_SECONDS caps it
#   Scripts/fuzz.sh long    — FUZZ_SECONDS (default 600) per target, random seed, corpus kept in .build-fuzz/corpus
# Seeds: the shared corpus files, and their JSON and XML dumps. Crashes are written to fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-short}
seconds=${FUZZ_SECONDS:-20}
[ "$mode" = long ] && seconds=${FUZZ_SECONDS:-600}
corpus_src=${LANTERN_CORPUS:-../shared/corpus}/files
scratch=.build-fuzz

mkdir -p "$scratch"
swift build -c release --product lantern-fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLANTERN_FUZZ -Xcc -fsanitize=fuzzer-no-link,address >"$scratch/build.log" 2>&1 || { tail -80 "$scratch/build.log"; exit 1; }
bin="$scratch/release/lantern-fuzz"
lantern=${LANTERN_BIN:-.build/debug/lantern}

mkdir -p fuzz-artifacts "$scratch/corpus/parser" "$scratch/corpus/json" "$scratch/corpus/xml" "$scratch/corpus/qido" \
    "$scratch/corpus/multipart" "$scratch/corpus/rle" "$scratch/corpus/codecs"
cp -n "$corpus_src"/*.dcm "$scratch/corpus/parser/" 2>/dev/null || true
if [ -x "$lantern" ]; then
    for f in "$corpus_src"/*.dcm; do
        n=$(basename "$f" .dcm)
        [ -s "$scratch/corpus/json/$n.json" ] || "$lantern" dump --format json "$f" >"$scratch/corpus/json/$n.json" 2>/dev/null || true
        [ -s "$scratch/corpus/xml/$n.xml" ] || "$lantern" dump --format xml "$f" >"$scratch/corpus/xml/$n.xml" 2>/dev/null || true
    done
fi

# QIDO seeds: query strings of every matching kind.
i=0
for q in "PatientName=Smith*" "StudyDate=20200101-20201231&StudyTime=0800-" "StudyInstanceUID=1.2.3,1.2.4\\1.2.5" \
    "00100020=&includefield=all&limit=10&offset=5" "ReferencedStudySequence.ReferencedSOPInstanceUID=1.2" \
    "AcquisitionDateTime=20200101120000.000000+0100-&fuzzymatching=true" "Modality=CT&includefield=00080020,PatientAge"; do
    printf '%s' "$q" >"$scratch/corpus/qido/seed$i"; i=$((i + 1))
done

# Multipart seeds: boundary line, then a body with a preamble, two parts (one binary) and an epilogue.
printf 'b0undary\r\npreamble\r\n--b0undary\r\nContent-Type: application/dicom\r\n\r\nDICM\x00\x01\r\n--b0undary  \r\nContent-Location: a\r\n\r\n\r\n--b0undary--\r\nepilogue' >"$scratch/corpus/multipart/seed0"
printf 'x\r\n--x\r\n\r\n\r\n--x--' >"$scratch/corpus/multipart/seed1"

# RLE seeds: the corpus RLE frames, each after the four bytes that give the fuzz target its geometry.
python3 - "$corpus_src" "$scratch/corpus/rle" <<'PY' || true
import glob, sys, pydicom
from pydicom.encaps import generate_frames
for path in glob.glob(sys.argv[1] + "/*.dcm"):
    try:
        ds = pydicom.dcmread(path)
        if ds.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.5" or ds.Rows > 128 or ds.Columns > 128:
            continue
        head = bytes([ds.Rows - 1, ds.Columns - 1, 0 if ds.SamplesPerPixel == 1 else 1, [8, 16, 32].index(ds.BitsAllocated)])
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        for i, frame in enumerate(generate_frames(ds.PixelData, number_of_frames=frames)):
            open(f"{sys.argv[2]}/{path.split('/')[-1]}-{i}", "wb").write(head + frame)
    except Exception:
        pass
PY

# Codec seeds: the corpus JPEG, JPEG-LS and JPEG 2000 frames, each after the six bytes of the fuzz target's
# transfer syntax and geometry (the lists match FuzzTargets.codecSyntaxes).
python3 - "$corpus_src" "$scratch/corpus/codecs" <<'PY' || true
import glob, sys, pydicom
from pydicom.encaps import generate_frames
syntaxes = ["1.2.840.10008.1.2.4." + s for s in "50 51 57 70 80 81 90 91 201 203".split()]
for path in glob.glob(sys.argv[1] + "/*.dcm"):
    try:
        ds = pydicom.dcmread(path)
        ts = ds.file_meta.TransferSyntaxUID
        if ts not in syntaxes or ds.Rows > 1024 or ds.Columns > 1024 or ds.BitsAllocated not in (8, 16):
            continue
        flags = (ds.BitsAllocated == 16) | (ds.SamplesPerPixel == 3) << 1 | (ds.BitsStored == ds.BitsAllocated - 4) << 2 \
            | ds.PixelRepresentation << 3
        head = bytes([syntaxes.index(ts), (ds.Rows - 1) >> 8, (ds.Rows - 1) & 255, (ds.Columns - 1) >> 8,
                      (ds.Columns - 1) & 255, flags])
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        for i, frame in enumerate(generate_frames(ds.PixelData, number_of_frames=frames)):
            if i < 2 and len(frame) < 200_000:
                open(f"{sys.argv[2]}/{path.split('/')[-1]}-{i}", "wb").write(head + frame)
    except Exception:
        pass
PY

status=0
for target in parser json xml qido multipart rle codecs; do
    echo "fuzz: $target for ${seconds}s"
    max_len=65536
    [ $target = codecs ] && max_len=262144
    budget=(-max_total_time="$seconds")
    [ "$mode" = short ] && budget+=(-runs="${FUZZ_RUNS:-3000}" -seed=1)
    LANTERN_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$bin" "$scratch/corpus/$target" \
        "${budget[@]}" -max_len=$max_len -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="fuzz-artifacts/$target-" -print_final_stats=1 >"$scratch/$target.log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|ERROR|SUMMARY" "$scratch/$target.log" | sed "s/^/  $target: /" || true
    if [ $status -ne 0 ]; then tail -50 "$scratch/$target.log"; echo "fuzz: $target FAILED"; exit $status; fi
done
echo "fuzz: no crash, leak or timeout"
