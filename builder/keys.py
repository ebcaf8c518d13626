"""Content keys: stable hashes of what a result was made from (the cache and the page ledger compare them)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def key_of(*parts: Any) -> str:
    """A stable hash of JSON-able values (objects with `cache_key` or `__html__` are hashed by those)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_key_default, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _key_default(value: Any) -> Any:
    if hasattr(value, "cache_key"):
        return value.cache_key
    if hasattr(value, "__html__"):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return repr(value)


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
