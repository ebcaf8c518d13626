"""Content keys: stable hashes of what a result was made from (the cache and the page ledger compare them)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def key_of(*parts: Any) -> str:
    """A hash of values by their `repr`: strings, numbers, lists, dicts (in their insertion order), frozen
    dataclasses, Markup, and objects whose repr names their own content key (a body filled when printed).

    `repr` is computed in C for all of these, so a page's key costs little next to rendering it. A value
    whose repr is not the same in every run (a set of strings, an object shown by its address) gives a
    new key each time: its page is then rendered again, never wrongly kept.
    """
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint_files(*folders: Path) -> str:
    """Hash of every file under the folders (names and bytes), in a fixed order: the engine's own code and theme."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def engine_fingerprint() -> str:
    """Changes whenever Counterpoint's own code or theme changes: nothing cached survives an upgrade."""
    return fingerprint_files(Path(__file__).parent)
