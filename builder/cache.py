"""Incremental builds: parsed texts and rendered pages remembered by the hash of everything they depend on.

A page is reused only when the key of its inputs — the engine's own code, the templates,
the site settings, the page's view (headers, cross-references, dialogue …) and the keys
of the texts it shows (their parsed body plus every anchor, marker and term wrapped into
it) — equals the key it had when the file now in the output folder was written. The old
file is then hard-linked into the new output instead of being rendered again, so a
rebuild after one edit renders only the pages that edit reaches, and the result is
byte-identical to a clean build (tests/test_incremental.py checks exactly that).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from builder.linking import LinkMemo
from builder.textblocks import ParsedText

CACHE_DIR = ".counterpoint-cache"
FORMAT = 1


def _dump(path: Path, value: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def _load_tokens(path: Path) -> Any:
    with open(path, "rb") as handle:
        return pickle.load(handle)  # our own cache file, keyed by content hash


def fingerprint_files(*folders: Path) -> str:
    """Hash of every file under the folders (names and bytes), in a fixed order."""
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


def key_of(*parts: Any) -> str:
    """A stable hash of JSON-able values (objects with `cache_key` or `__html__` are hashed by those)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_key_default, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _key_default(value: Any) -> Any:
    if hasattr(value, "cache_key"):
        return value.cache_key
    if hasattr(value, "__html__"):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return repr(value)


@dataclass(slots=True)
class BuildCache:
    """The cache folder of one project and the output folder it describes."""

    root: Path
    out_dir: Path
    engine: str = field(default_factory=engine_fingerprint)
    previous: dict[str, str] = field(default_factory=dict)
    """Page path -> input key of the file now in the output folder."""
    written: dict[str, str] = field(default_factory=dict)
    rendered: int = 0
    reused: int = 0
    memo: LinkMemo | None = None
    used_parsed: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, project: Path, out_dir: Path) -> BuildCache:
        cache = cls(project / CACHE_DIR / "build", out_dir.absolute())
        manifest = cache.manifest
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if (
                data.get("format") == FORMAT
                and data.get("engine") == cache.engine
                and data.get("out_dir") == str(cache.out_dir)
                and (cache.out_dir / ".counterpoint-site").is_file()
            ):
                cache.previous = dict(data.get("pages", {}))
        except (OSError, ValueError):
            pass
        return cache

    @property
    def manifest(self) -> Path:
        """One manifest per output folder, so `build` and `serve` (which writes elsewhere) keep theirs."""
        return self.root / f"pages-{hashlib.sha256(str(self.out_dir).encode()).hexdigest()[:16]}.json"

    # ---------------------------------------------------------------- parsed texts

    def parsed(self, body: str, body_line: int) -> tuple[str, ParsedText | None]:
        """A body parsed before by the same engine: its blocks now, its tokens when a page needs them."""
        key = key_of(self.engine, body, body_line)
        self.used_parsed.add(key)
        folder = self.root / "parsed"
        try:
            with open(folder / f"{key}.blocks", "rb") as handle:
                blocks, unresolved = pickle.load(handle)  # our own cache file, keyed by content hash
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
            return key, None
        if not (folder / f"{key}.tokens").is_file():
            return key, None
        return key, ParsedText(blocks, unresolved, load=partial(_load_tokens, folder / f"{key}.tokens"))

    def store_parsed(self, key: str, parsed: ParsedText) -> None:
        folder = self.root / "parsed"
        folder.mkdir(parents=True, exist_ok=True)
        _dump(folder / f"{key}.tokens", (parsed.tokens, parsed.env))
        _dump(folder / f"{key}.blocks", (parsed.blocks, parsed.unresolved))

    def _prune_parsed(self) -> None:
        """Forget parses of text versions this build no longer has (the cache stays the project's size)."""
        folder = self.root / "parsed"
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name.split(".")[0] not in self.used_parsed:
                    path.unlink(missing_ok=True)

    # ---------------------------------------------------------------- anchors and terms

    def link_memo(self) -> LinkMemo:
        try:
            with open(self.root / "link-memo.pickle", "rb") as handle:
                memo = pickle.load(handle)  # our own cache file
            if isinstance(memo, LinkMemo):
                return LinkMemo(memo.used_anchors, memo.used_terms)
        except (OSError, pickle.PickleError, EOFError, AttributeError, TypeError):
            pass
        return LinkMemo()

    def store_link_memo(self, memo: LinkMemo) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / ".link-memo.tmp"
        with open(temporary, "wb") as handle:
            pickle.dump(
                LinkMemo(used_anchors=memo.used_anchors, used_terms=memo.used_terms),
                handle,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(temporary, self.root / "link-memo.pickle")

    # ---------------------------------------------------------------- pages

    def reusable(self, path: str, key: str) -> Path | None:
        """The file in the current output folder, when it was written from the same inputs."""
        old = self.out_dir / path
        if self.previous.get(path) == key and old.is_file():
            self.reused += 1
            self.written[path] = key
            return old
        return None

    def record(self, path: str, key: str) -> None:
        self.rendered += 1
        self.written[path] = key

    def save(self) -> None:
        """After the swap: remember which inputs the files now in the output folder came from."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.memo is not None:
            self.store_link_memo(self.memo)
        self._prune_parsed()
        ignore = self.root.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        data = {"format": FORMAT, "engine": self.engine, "out_dir": str(self.out_dir), "pages": self.written}
        temporary = self.root / ".pages.json.tmp"
        temporary.write_text(json.dumps(data, sort_keys=True, indent=0), encoding="utf-8")
        os.replace(temporary, self.manifest)
