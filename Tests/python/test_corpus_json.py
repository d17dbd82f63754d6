"""`lantern dump --format json` against pydicom's `Dataset.to_json_dict` on every corpus file.

Every non-binary element must match: same tags, same VR, same values (numbers compared as numbers,
person names by component group). Binary values (InlineBinary) are compared separately by the Swift
round-trip tests. Files that Lantern refuses must be refused cleanly (exit code 1, an error line naming
the byte offset), never by a crash.
"""

import json
import math
import subprocess
import warnings

import pydicom
import pytest

from corpus_env import CORPUS_FILES, LANTERN_BIN

BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}

# Damaged on purpose (see the corpus manifest): Lantern reports an error instead of a partial data set.
EXPECTED_FAILURES = {
    "data__test_files__MR_truncated.dcm",
    "data__test_files__rtplan_truncated.dcm",
    "data__test_files__no_meta.dcm",
    "data__test_files__dicomdirtests__DICOMDIR-nooffset.dcm",
}


def run_dump(path):
    return subprocess.run(
        [str(LANTERN_BIN), "dump", "--format", "json", str(path)], capture_output=True, timeout=120
    )


def pydicom_json(path):
    """pydicom's JSON, and the tags pydicom cannot convert (invalid values such as IS "1A")."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(str(path), force=True)
        theirs = ds.to_json_dict(bulk_data_threshold=1 << 40, suppress_invalid_tags=True)
        invalid = {f"{int(e.tag):08X}": e for e in ds if f"{int(e.tag):08X}" not in theirs}
        return theirs, invalid


def same_number(a, b):
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return a == b
    if math.isnan(fa) and math.isnan(fb):
        return True
    return fa == fb or math.isclose(fa, fb, rel_tol=1e-6, abs_tol=1e-12)


def compare_values(vr, ours, theirs, where):
    assert len(ours) == len(theirs), f"{where}: {len(ours)} values vs pydicom's {len(theirs)}: {ours!r} vs {theirs!r}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        w = f"{where}[{i}]"
        if vr == "SQ":
            compare_objects(a, b, w)
        elif vr == "PN":
            a = {k: v for k, v in (a or {}).items() if v}
            b = {k: v for k, v in (b or {}).items() if v}
            assert a == b, f"{w}: {a!r} vs pydicom {b!r}"
        elif vr in {"IS", "DS", "FL", "FD", "SL", "SS", "UL", "US", "SV", "UV"}:
            assert (a is None and b in (None, "")) or same_number(a, b), f"{w}: {a!r} vs pydicom {b!r}"
        else:
            if isinstance(b, str):
                b = b.rstrip(" \x00")
            assert (a if a is not None else "") == (b if b is not None else ""), f"{w}: {a!r} vs pydicom {b!r}"


def compare_objects(ours, theirs, where=""):
    theirs_tags = {t for t, e in theirs.items() if e.get("vr") not in BINARY_VRS}
    ours_tags = {t for t, e in ours.items() if e.get("vr") not in BINARY_VRS}
    assert ours_tags == theirs_tags, f"{where}: tags only ours {sorted(ours_tags - theirs_tags)}, only pydicom's {sorted(theirs_tags - ours_tags)}"
    for tag in sorted(theirs_tags):
        a, b = ours[tag], theirs[tag]
        w = f"{where}/{tag}"
        assert a["vr"] == b["vr"], f"{w}: VR {a['vr']} vs pydicom {b['vr']}"
        compare_values(a["vr"], a.get("Value", []), b.get("Value", []), w)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_dump_json_matches_pydicom(path):
    result = run_dump(path)
    assert result.returncode in (0, 1), f"crashed: exit {result.returncode}\n{result.stderr.decode()[-2000:]}"
    if path.name in EXPECTED_FAILURES:
        assert result.returncode == 1
        message = result.stderr.decode()
        assert "error:" in message and "at byte" in message, message
        return
    assert result.returncode == 0, result.stderr.decode()
    ours = json.loads(result.stdout)
    assert isinstance(ours, dict)
    assert not any(t.startswith("0002") for t in ours), "file meta must not be in the data set JSON"
    theirs, invalid = pydicom_json(path)
    for tag, element in invalid.items():
        # Lantern keeps values pydicom cannot convert, as the strings they are.
        assert tag in ours, f"{tag} ({element.keyword}) is missing"
        if element.VR in ("IS", "DS"):
            # Not a number: written as an empty value (null), and an attribute without a valid value has no
            # Value, so that standard readers load the rest (PS3.18 §F.2.3, issue 15).
            assert all(v is None for v in ours[tag].get("Value", [])), f"{tag}: {ours[tag]}"
        elif element.VR != "SQ":  # pydicom drops a whole sequence when one nested value is invalid
            raw = element.value if isinstance(element.value, str) else str(element.value)
            assert ours[tag].get("Value") == [raw.strip()], f"{tag}: {ours[tag]} vs raw {raw!r}"
        del ours[tag]
    compare_objects(ours, theirs)


def test_corpus_present():
    assert len(CORPUS_FILES) >= 191
