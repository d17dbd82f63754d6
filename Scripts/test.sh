#!/usr/bin/env bash
# Every test, in order: Swift unit and corpus tests, the Python comparison against pydicom, a short fuzz
# run. Ends with one summary line, "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${LANTERN_BIN:-.build/debug/lantern}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

swift test --skip-build --parallel 2>&1 | tee "$logs/swift.log"
swift_status=${PIPESTATUS[0]}
LANTERN_BIN=$BIN python3 -m pytest -q Tests/python Tests/e2e Tests/system 2>&1 | tee "$logs/python.log"
python_status=${PIPESTATUS[0]}
Scripts/fuzz.sh short
fuzz_status=$?

swift_passed=$(grep -oE "Test run with [0-9]+ tests? .*passed" "$logs/swift.log" | grep -oE "[0-9]+" | head -1)
swift_failed=$(grep -oE "Test run with [0-9]+ tests? .*failed" "$logs/swift.log" | grep -oE "[0-9]+" | head -1)
py_passed=$(grep -oE "[0-9]+ passed" "$logs/python.log" | tail -1 | grep -oE "[0-9]+")
py_failed=$(grep -oE "[0-9]+ failed" "$logs/python.log" | tail -1 | grep -oE "[0-9]+")
passed=$(( ${swift_passed:-0} + ${py_passed:-0} ))
failed=$(( ${swift_failed:-0} + ${py_failed:-0} ))
if [ $swift_status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
if [ $python_status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo "fuzz: $([ $fuzz_status -eq 0 ] && echo clean || echo FAILED)"
echo "tests: $passed passed, $failed failed"
[ $swift_status -eq 0 ] && [ $python_status -eq 0 ] && [ $fuzz_status -eq 0 ]
