import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
CORPUS = pathlib.Path(os.environ.get("LANTERN_CORPUS", REPO.parent / "shared" / "corpus"))
LANTERN_BIN = pathlib.Path(os.environ.get("LANTERN_BIN", REPO / ".build" / "debug" / "lantern"))
if not LANTERN_BIN.is_absolute():
    LANTERN_BIN = REPO / LANTERN_BIN
CORPUS_FILES = sorted((CORPUS / "files").glob("*.dcm"))
