"""Helpers for the `lantern` client command tests: running the binary, reading its reports, test files."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import CORPUS, LANTERN_BIN

LINE = re.compile(r"^(stored|warning|failed|skipped)\s+(\S+)(?:\s+([0-9.]+))?")


def lantern(url: str | None, *args: str, timeout: float = 300, **env_extra: str) -> subprocess.CompletedProcess:
    """Runs `lantern ARGS` against `url` (through $LANTERN_URL) and returns the finished process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    if url:
        env["LANTERN_URL"] = url
    env["XDG_STATE_HOME"] = env_extra.pop("XDG_STATE_HOME", "/nonexistent-state-home")
    env.update(env_extra)
    return subprocess.run([str(LANTERN_BIN), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


def outcomes(stdout: str) -> dict[str, tuple[str, str | None]]:
    """The per-file report of `lantern store`: file name → (outcome, SOP Instance UID)."""
    found = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            found[Path(m.group(2).rstrip(":")).name] = (m.group(1), m.group(3))
    return found


def summary(stdout: str, command: str) -> dict[str, int]:
    """The counts of a `store:` or `import:` summary line, by the word that follows each number."""
    line = next(l for l in stdout.splitlines() if l.startswith(command + ":"))
    return {word: int(n) for n, word in re.findall(r"(\d+) (?:\(\d+ with )?([a-z]+)", line)}


def jpeg_frame() -> bytes:
    """A baseline JPEG image: the first frame of a corpus file."""
    import pydicom
    from pydicom.encaps import generate_frames
    ds = pydicom.dcmread(CORPUS / "files" / "data__test_files__SC_rgb_jpeg_dcmtk.dcm")
    return next(generate_frames(ds.PixelData, number_of_frames=1))


PDF = b"%PDF-1.4\n" + b"% a small document\n" * 30 + b"1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def mp4(width: int = 640, height: int = 360, frames: int = 10) -> bytes:
    """An MP4 file with one H.264 (High profile, level 4.0) track of `frames` samples of 1001/30000 s."""
    def be32(v): return v.to_bytes(4, "big")
    def be16(v): return v.to_bytes(2, "big")
    def box(kind, body): return be32(len(body) + 8) + kind.encode() + body
    tkhd = box("tkhd", b"\0\0\0\3" + bytes(20 + 8 + 8 + 36) + be32(width << 16) + be32(height << 16))
    mdhd = box("mdhd", b"\0\0\0\0" + be32(0) + be32(0) + be32(30000) + be32(frames * 1001) + b"\x55\xc4\0\0")
    hdlr = box("hdlr", b"\0\0\0\0" + be32(0) + b"vide" + bytes(12) + b"Video\0")
    avcc = box("avcC", bytes([1, 100, 0, 40, 0xFF, 0xE0, 0]))
    entry = (bytes(6) + be16(1) + bytes(16) + be16(width) + be16(height) + be32(0x480000) + be32(0x480000)
             + be32(0) + be16(1) + bytes(32) + be16(0x18) + b"\xff\xff" + avcc)
    stbl = box("stbl", box("stsd", b"\0\0\0\0" + be32(1) + box("avc1", entry))
               + box("stts", b"\0\0\0\0" + be32(1) + be32(frames) + be32(1001)))
    minf = box("minf", box("vmhd", bytes([0, 0, 0, 1] + [0] * 8)) + stbl)
    moov = box("moov", box("trak", tkhd + box("mdia", mdhd + hdlr + minf)))
    return box("ftyp", b"isom" + be32(0x200) + b"isomavc1") + box("mdat", b"\x33" * 1001) + moov


def value(item: dict, tag: str):
    """The first value of `tag` in a DICOM JSON object (PN as its Alphabetic group)."""
    v = item.get(tag, {}).get("Value", [None])[0]
    return v.get("Alphabetic") if isinstance(v, dict) else v
