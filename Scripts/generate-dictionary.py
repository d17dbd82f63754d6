#!/usr/bin/env python3
"""Generate Lantern's DICOM data dictionary tables from pydicom's dictionaries.

Usage (from anywhere):

    python3 Scripts/generate-dictionary.py [--any-version] [--check]

Writes, overwriting:

    Sources/DICOMDictionary/Generated/StandardDictionary.swift   PS3.6 §6 data elements (+ repeating groups)
    Sources/DICOMDictionary/Generated/UIDRegistry.swift          PS3.6 Annex A UIDs
    Sources/DICOMDictionary/Generated/PrivateDictionary.swift    vendors' private dictionaries
    Sources/DICOMDictionary/Generated/TagConstants.swift         `Tag.patientName`-style constants, one per keyword

Source of truth: pydicom's shipped tables (`pydicom._dicom_dict.DicomDictionary`,
`RepeatersDictionary`, `pydicom._uid_dict.UID_dictionary`, `pydicom._private_dict.private_dictionaries`).
The generated output is pinned to one pydicom version (PINNED_PYDICOM below); if pydicom is not installed
the script installs that version with pip, and it refuses another installed version unless --any-version
is given. --check regenerates in memory and exits 1 if any generated file would change.

Why the tables are text, not Swift array literals: an array literal of ~5,000 structs holding strings
takes the Swift 6.3 compiler well over a minute and more than 24 GB of memory to type-check and lower.
One raw multi-line string literal per table compiles in a moment; the hand-written Swift code in
Sources/DICOMDictionary parses each table once, lazily, the first time it is used.

Table format (one entry a line, fields separated by '|', which no pydicom field contains):

    StandardDictionary  PATTERN|VRS|VM|KEYWORD|NAME|RETIRED
    UIDRegistry         UID|KEYWORD|TYPE|RETIRED|NAME
    PrivateDictionary   lines '@CREATOR' start a creator's block, then PATTERN|VRS|VM|RETIRED|NAME

PATTERN is eight characters GGGGEEEE: upper-case hex digits, or a lower-case 'x' for a nibble that may take
any value (repeating groups such as 60xx3000, private elements such as 0019xx0A). VRS is the VR codes joined
by '/' ('US/SS' for pydicom's 'US or SS'), empty when pydicom gives 'NONE' (the item and delimitation tags,
which have no VR: PS3.5 §7.5). RETIRED is 1 or 0.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import subprocess
import sys

PINNED_PYDICOM = "3.0.1"

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "Sources", "DICOMDictionary", "Generated")

# The cases of DICOMCore's `VR` enum (PS3.5 §6.2, Table 6.2-1). Any other code in pydicom's data is an error.
KNOWN_VRS = set(
    "AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split()
)

PATTERN_RE = re.compile(r"^[0-9A-Fa-fXx]{8}$")
FORBIDDEN_IN_FIELDS = ("|", "\n", "\r", '"""')


def load_pydicom(any_version: bool):
    """Import pydicom, installing the pinned version with pip when it is missing."""
    try:
        import pydicom  # noqa: F401
    except ImportError:
        print(
            f"generate-dictionary: pydicom is not installed; installing pydicom=={PINNED_PYDICOM} with pip "
            f"(the generated tables are pinned to that version).",
            file=sys.stderr,
        )
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", f"pydicom=={PINNED_PYDICOM}"])
        importlib.invalidate_caches()
    import pydicom

    if pydicom.__version__ != PINNED_PYDICOM and not any_version:
        sys.exit(
            f"generate-dictionary: pydicom {pydicom.__version__} is installed, but the tables are pinned to "
            f"{PINNED_PYDICOM}. Install it (python3 -m pip install pydicom=={PINNED_PYDICOM}), or pass "
            f"--any-version to generate from {pydicom.__version__} and update PINNED_PYDICOM."
        )
    from pydicom import _dicom_dict, _private_dict, _uid_dict

    return pydicom.__version__, _dicom_dict, _uid_dict, _private_dict


def check_field(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise SystemExit(f"generate-dictionary: {what}: expected a string, got {value!r}")
    for bad in FORBIDDEN_IN_FIELDS:
        if bad in value:
            raise SystemExit(f"generate-dictionary: {what}: field {value!r} contains {bad!r}")
    return value


def normalize_pattern(pattern: str, what: str) -> str:
    """Upper-case hex digits, lower-case 'x' wildcards."""
    if not PATTERN_RE.match(pattern):
        raise SystemExit(f"generate-dictionary: {what}: unexpected tag pattern {pattern!r}")
    return "".join("x" if c in "xX" else c.upper() for c in pattern)


def pattern_value_and_mask(pattern: str) -> tuple[int, int]:
    value = int(pattern.replace("x", "0"), 16)
    mask = int("".join("0" if c == "x" else "F" for c in pattern), 16)
    return value, mask


def normalize_vrs(vr: str, what: str) -> str:
    """'US or SS' -> 'US/SS'; pydicom's private 'OB_OW' -> 'OB/OW'; 'NONE' -> ''."""
    if vr == "NONE":
        return ""
    codes = [c.strip() for c in re.split(r"\s+or\s+|_", vr)]
    for code in codes:
        if code not in KNOWN_VRS:
            raise SystemExit(f"generate-dictionary: {what}: unknown VR {code!r} in {vr!r}")
    return "/".join(codes)


def retired_flag(value: str, what: str) -> str:
    if value not in ("", "Retired"):
        raise SystemExit(f"generate-dictionary: {what}: unexpected retired field {value!r}")
    return "1" if value == "Retired" else "0"


def header(version: str, what: str) -> str:
    return (
        f"// GENERATED by Scripts/generate-dictionary.py from pydicom {version}'s dictionaries. Do not edit.\n"
        f"// swift-format-ignore-file\n"
        f"//\n"
        f"// {what}\n"
        f"// Format and parsing: see Scripts/generate-dictionary.py and Sources/DICOMDictionary/TableParsing.swift.\n"
    )


def swift_table(name: str, doc: str, lines: list[str]) -> str:
    body = "\n".join(lines)
    if '"""#' in body:
        raise SystemExit(f"generate-dictionary: {name}: table text would end the raw string literal early")
    # The closing delimiter sits in column 0, so no indentation is stripped from the lines.
    return f'    /// {doc}\n    static let {name}: String = #"""\n{body}\n"""#\n'


def standard_dictionary(version: str, dicom_dict) -> tuple[str, dict]:
    stats = {}
    rows = []
    keywords: dict[str, str] = {}
    for tag in sorted(dicom_dict.DicomDictionary):
        vr, vm, name, retired, keyword = dicom_dict.DicomDictionary[tag]
        what = f"DicomDictionary[{tag:08X}]"
        pattern = f"{tag:08X}"
        rows.append((tag, 0xFFFFFFFF, pattern, vr, vm, keyword, name, retired, what))
    repeaters = []
    for key in dicom_dict.RepeatersDictionary:
        vr, vm, name, retired, keyword = dicom_dict.RepeatersDictionary[key]
        what = f"RepeatersDictionary[{key!r}]"
        pattern = normalize_pattern(key, what)
        value, mask = pattern_value_and_mask(pattern)
        repeaters.append((value, mask, pattern, vr, vm, keyword, name, retired, what))
    # Most specific mask first, then by tag: the order in which the lookup tries repeating entries.
    repeaters.sort(key=lambda r: (-bin(r[1]).count("1"), r[0], r[1]))

    def line(row) -> str:
        _, _, pattern, vr, vm, keyword, name, retired, what = row
        if keyword:
            if keyword in keywords:
                raise SystemExit(f"generate-dictionary: keyword {keyword} is used by {keywords[keyword]} and {what}")
            keywords[keyword] = what
        fields = [
            pattern,
            normalize_vrs(check_field(vr, what), what),
            check_field(vm, what),
            check_field(keyword, what),
            check_field(name, what),
            retired_flag(retired, what),
        ]
        return "|".join(fields)

    standard_lines = [line(r) for r in rows]
    repeater_lines = [line(r) for r in repeaters]
    stats["standard"] = len(standard_lines)
    stats["repeating"] = len(repeater_lines)
    stats["no VR"] = sorted(r[2] for r in rows + repeaters if r[3] == "NONE")
    stats["no keyword"] = sorted(r[2] for r in rows + repeaters if not r[5])

    text = header(
        version,
        "Data elements of PS3.6 §6 (Registry of DICOM Data Elements) and PS3.7 Annex E (command elements).\n"
        "// Line format: PATTERN|VRS|VM|KEYWORD|NAME|RETIRED (PATTERN: GGGGEEEE, 'x' = any nibble).",
    )
    text += "\nextension StandardTables {\n"
    text += swift_table(
        "standardText",
        f"The {len(standard_lines)} data elements with one fixed tag, sorted by tag.",
        standard_lines,
    )
    text += "\n"
    text += swift_table(
        "repeatingText",
        f"The {len(repeater_lines)} repeating-group and masked entries (PS3.5 §7.6), most specific mask first.",
        repeater_lines,
    )
    text += "}\n\n"
    text += "extension DataDictionary {\n"
    text += "    /// The release of pydicom whose dictionaries the tables of this module were generated from.\n"
    text += f'    public static let sourceVersion = "pydicom {version}"\n'
    text += "}\n"
    return text, stats


SWIFT_RESERVED = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
    "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
    "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
    "super", "self", "Self", "throw", "throws", "true", "try", "Type", "Protocol", "any", "some",
}


def swift_name(keyword: str) -> str:
    """A keyword in lowerCamelCase: the leading capitals lowered, but for the first letter of the next word
    (`PatientName` → `patientName`, `SOPClassUID` → `sopClassUID`, `RTPlanLabel` → `rtPlanLabel`)."""
    run = len(keyword) - len(keyword.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if run == 0:
        name = keyword
    elif run == len(keyword) or run == 1:
        name = keyword[:run].lower() + keyword[run:]
    else:
        name = keyword[: run - 1].lower() + keyword[run - 1 :]
    return f"`{name}`" if name in SWIFT_RESERVED else name


def tag_constants(version: str, dicom_dict, core_names: set[str]) -> tuple[str, dict]:
    """`Tag.patientName`-style constants for every fixed tag with a keyword (PS3.6 §6, PS3.7 Annex E), except
    those DICOMCore declares itself."""
    lines = []
    seen: dict[str, int] = {}
    skipped = 0
    for tag in sorted(dicom_dict.DicomDictionary):
        vr, vm, name, retired, keyword = dicom_dict.DicomDictionary[tag]
        if not keyword:
            continue
        constant = swift_name(keyword)
        if constant.strip("`") in core_names:
            skipped += 1
            continue
        if constant in seen:
            raise SystemExit(f"generate-dictionary: constant {constant} for {tag:08X} and {seen[constant]:08X}")
        seen[constant] = tag
        note = ", retired" if retired else ""
        lines.append(f"    /// {check_field(name, keyword)} ({tag >> 16:04X},{tag & 0xFFFF:04X}), {vr}{note}.")
        lines.append(f"    @inlinable public static var {constant}: Tag {{ Tag(0x{tag >> 16:04X}_{tag & 0xFFFF:04X}) }}")
    text = header(version, "Named tags: one constant per keyword of PS3.6 §6 and PS3.7 Annex E (fixed tags).")
    text += "\nimport DICOMCore\n\nextension Tag {\n" + "\n".join(lines) + "\n}\n"
    return text, {"constants": len(seen), "in DICOMCore": skipped}


def core_tag_names() -> set[str]:
    """The constants DICOMCore's Tag.swift declares by hand (the generated file must not declare them again)."""
    path = os.path.join(REPO_ROOT, "Sources", "DICOMCore", "Tag.swift")
    with open(path, encoding="utf-8") as f:
        return set(re.findall(r"public static let (\w+) = Tag\(", f.read()))


def uid_sort_key(uid: str):
    return [int(p) if p.isdigit() else p for p in uid.split(".")]


def uid_registry(version: str, uid_dict) -> tuple[str, dict]:
    lines = []
    keywords: dict[str, str] = {}
    types: dict[str, int] = {}
    for uid in sorted(uid_dict.UID_dictionary, key=uid_sort_key):
        entry = uid_dict.UID_dictionary[uid]
        if len(entry) != 5:
            raise SystemExit(f"generate-dictionary: UID_dictionary[{uid!r}]: expected 5 fields, got {entry!r}")
        name, uid_type, _info, retired, keyword = entry
        what = f"UID_dictionary[{uid!r}]"
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", uid):
            raise SystemExit(f"generate-dictionary: {what}: not a UID")
        if keyword:
            if keyword in keywords:
                raise SystemExit(f"generate-dictionary: UID keyword {keyword} is used by {keywords[keyword]} and {uid}")
            keywords[keyword] = uid
        types[uid_type] = types.get(uid_type, 0) + 1
        lines.append(
            "|".join(
                [
                    uid,
                    check_field(keyword, what),
                    check_field(uid_type, what),
                    retired_flag(retired, what),
                    check_field(name, what),
                ]
            )
        )
    text = header(
        version,
        "Unique identifiers of PS3.6 Annex A (Registry of DICOM Unique Identifiers).\n"
        "// Line format: UID|KEYWORD|TYPE|RETIRED|NAME, sorted by UID component.",
    )
    text += "\nextension UIDTables {\n"
    text += swift_table("registryText", f"The {len(lines)} registered UIDs.", lines)
    text += "}\n"
    return text, {"uids": len(lines), "types": dict(sorted(types.items()))}


def private_dictionary(version: str, private_dict) -> tuple[str, dict]:
    """Private dictionaries. pydicom lists most elements as 'ggggxxee' (any block, PS3.5 §7.8.1), a few with a
    wildcard group 'ggxxxxee', some with an explicit block 'ggggbbee', and some, taken from sources that give
    only the element's offset in its block, as 'gggg00ee'. A private data element is never in (gggg,0000-00FF),
    so 'gggg00ee' is rewritten here as 'ggggxxee' (the entry then matches in any block); when that duplicates an
    existing 'ggggxxee' key with the same content it is dropped, and a conflicting duplicate is an error.
    """
    lines = []
    stats = {"creators": 0, "entries": 0, "offset-only rewritten": 0, "duplicates dropped": 0, "other masks": []}
    for creator in sorted(private_dict.private_dictionaries):
        check_field(creator, f"private creator {creator!r}")
        if creator != creator.strip() or creator.startswith("@") or not creator:
            raise SystemExit(f"generate-dictionary: unexpected private creator {creator!r}")
        entries: dict[str, tuple[str, ...]] = {}
        for key, entry in private_dict.private_dictionaries[creator].items():
            what = f"private_dictionaries[{creator!r}][{key!r}]"
            if len(entry) != 4:
                raise SystemExit(f"generate-dictionary: {what}: expected 4 fields, got {entry!r}")
            vr, vm, name, retired = entry
            pattern = normalize_pattern(key, what)
            if re.fullmatch(r"[0-9A-F]{4}00[0-9A-F]{2}", pattern):
                pattern = pattern[:4] + "xx" + pattern[6:]
                stats["offset-only rewritten"] += 1
            fields = (
                normalize_vrs(check_field(vr, what), what),
                check_field(vm, what),
                retired_flag(retired, what),
                check_field(name, what),
            )
            if pattern in entries:
                if entries[pattern] != fields:
                    raise SystemExit(f"generate-dictionary: {what}: conflicts with {pattern}: {entries[pattern]!r}")
                stats["duplicates dropped"] += 1
                continue
            entries[pattern] = fields
            if not (
                re.fullmatch(r"[0-9A-F]{4}xx[0-9A-F]{2}", pattern)
                or re.fullmatch(r"[0-9A-F]{2}xxxx[0-9A-F]{2}", pattern)
                or re.fullmatch(r"[0-9A-F]{8}", pattern)
            ):
                stats["other masks"].append(f"{creator}: {key}")
        stats["creators"] += 1
        lines.append("@" + creator)
        for pattern in sorted(entries):
            lines.append("|".join((pattern,) + entries[pattern]))
            stats["entries"] += 1
    text = header(
        version,
        "Private data element dictionaries of equipment vendors (PS3.5 §7.8), by private creator.\n"
        "// Lines '@CREATOR' open a creator's block; entries: PATTERN|VRS|VM|RETIRED|NAME (PATTERN: GGGGEEEE,\n"
        "// 'x' = any nibble; 'gggg00ee' entries of pydicom, offsets without a block, are written 'ggggxxee').",
    )
    text += "\nextension PrivateTables {\n"
    text += swift_table(
        "privateText",
        f"{stats['entries']} private elements of {stats['creators']} creators, creators and patterns sorted.",
        lines,
    )
    text += "}\n"
    return text, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--any-version", action="store_true", help="accept a pydicom other than the pinned one")
    parser.add_argument("--check", action="store_true", help="exit 1 if the generated files are out of date")
    args = parser.parse_args()

    version, dicom_dict, uid_dict, private_dict = load_pydicom(args.any_version)
    outputs = {}
    outputs["StandardDictionary.swift"], std_stats = standard_dictionary(version, dicom_dict)
    outputs["UIDRegistry.swift"], uid_stats = uid_registry(version, uid_dict)
    outputs["PrivateDictionary.swift"], priv_stats = private_dictionary(version, private_dict)
    outputs["TagConstants.swift"], tag_stats = tag_constants(version, dicom_dict, core_tag_names())

    os.makedirs(OUT_DIR, exist_ok=True)
    stale = []
    for filename, text in outputs.items():
        path = os.path.join(OUT_DIR, filename)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            stale.append(filename)
            if not args.check:
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)

    print(f"pydicom {version}")
    print(f"  standard: {std_stats['standard']} entries, {std_stats['repeating']} repeating/masked entries")
    print(f"  entries without VR (pydicom 'NONE'): {', '.join(std_stats['no VR'])}")
    print(f"  entries without keyword: {', '.join(std_stats['no keyword'])}")
    print(f"  UIDs: {uid_stats['uids']}; types: {uid_stats['types']}")
    print(f"  tag constants: {tag_stats['constants']} (and {tag_stats['in DICOMCore']} declared in DICOMCore)")
    print(
        f"  private: {priv_stats['entries']} entries of {priv_stats['creators']} creators; "
        f"{priv_stats['offset-only rewritten']} 'gggg00ee' keys rewritten as 'ggggxxee', "
        f"{priv_stats['duplicates dropped']} identical duplicates dropped"
    )
    if priv_stats["other masks"]:
        print(f"  private keys with unusual masks (kept, never matched by lookups): {len(priv_stats['other masks'])}")
        for item in priv_stats["other masks"]:
            print(f"    {item}")
    if args.check:
        if stale:
            print(f"out of date: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("generated files are up to date")
    else:
        print(f"wrote {len(stale)} changed file(s) to {os.path.relpath(OUT_DIR, REPO_ROOT)}: {', '.join(stale) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
