"""The build cache: per-text results by content key, and the ledger of the pages now in the output.

One SQLite file per (project, output folder), holding only text and JSON: reading it
runs no code, whatever a pull request puts there (no pickle, marshal or shelve). Two
tables matter:

- `texts`: a text's per-text result (JSON) and body template, keyed by the hash of
  everything that result depends on (`TextJob.key`); valid for any output.
- `pages`: for each file in the output folder, the key of the inputs it was made from,
  and in `meta` the id of the build that wrote that folder. A page is reused only when
  the folder's marker file names the same build id: any other output (built without
  the cache, by another project, by a build killed before it could record itself)
  means a full build.

A cache that is corrupt, truncated, of another format or engine, or not ours at all is
discarded with one warning line; it never stops a build and never yields a wrong page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from builder import modeljson
from builder.diagnostics import Diagnostic, Report, diagnostic_from, diagnostic_json

if TYPE_CHECKING:
    from builder.textwork import TextResult

CACHE_DIR = ".counterpoint-cache"
FORMAT = "counterpoint-cache-3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (key TEXT PRIMARY KEY, result TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class CacheUnusable(Exception):
    """The cache file cannot be trusted; it is discarded."""


@dataclass
class Store:
    """An open cache. `temporary()` makes one that lives only for one build (check, --no-cache)."""

    path: Path
    engine: str
    connection: sqlite3.Connection
    persistent: bool = True
    used: set[str] = field(default_factory=set)
    used_files: set[str] = field(default_factory=set)
    build_id: str = ""
    """The build whose output the `pages` table describes ("" when none)."""

    @classmethod
    def open(cls, project: Path, out_dir: Path, engine: str, warn: Callable[[str], None]) -> Store:
        """The project's cache for `out_dir`; a damaged or foreign one is replaced by an empty one."""
        folder = project / CACHE_DIR
        name = hashlib.sha256(str(out_dir.absolute()).encode()).hexdigest()[:16]
        path = folder / f"build-{name}.sqlite3"
        try:
            folder.mkdir(exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.is_file() or ignore.is_symlink():
                ignore.unlink(missing_ok=True)
                ignore.write_text("*\n", encoding="utf-8")
        except OSError as exc:
            warn(f"warning: cannot use the cache folder {folder} ({exc.strerror}); building without it")
            return cls.temporary(engine)
        if path.is_symlink() or (path.exists() and not path.is_file()):  # not ours to read: remove it
            warn(f"warning: discarded the cache {path.relative_to(project)}: it is not a regular file")
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        try:
            return cls._connect(path, engine, str(out_dir.absolute()))
        except (sqlite3.Error, CacheUnusable, OSError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, CacheUnusable) else "it is damaged"
            if not isinstance(exc, CacheUnusable) or exc.args[0] != "made by another version":
                warn(f"warning: discarded the cache {path.relative_to(project)}: {reason}; this build starts afresh")
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            try:
                return cls._connect(path, engine, str(out_dir.absolute()))
            except (sqlite3.Error, CacheUnusable, OSError):
                return cls.temporary(engine)

    @classmethod
    def temporary(cls, engine: str) -> Store:
        folder = Path(tempfile.mkdtemp(prefix="counterpoint-"))
        store = cls._connect(folder / "build.sqlite3", engine, "")
        store.persistent = False
        return store

    @classmethod
    def _connect(cls, path: Path, engine: str, out_dir: str) -> Store:
        fresh = not path.exists()
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode=DELETE")
            connection.execute("PRAGMA synchronous=NORMAL")
            if fresh:
                connection.executescript(SCHEMA)
                connection.executemany(
                    "INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("engine", engine), ("out", out_dir)]
                )
            meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
            if meta.get("format") != FORMAT or meta.get("out") != out_dir:
                raise CacheUnusable("it is not a cache of this format or of this output folder")
            if meta.get("engine") != engine:
                raise CacheUnusable("made by another version")
            if connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise CacheUnusable("it is damaged")
        except BaseException:
            connection.close()
            raise
        return cls(path, engine, connection, build_id=str(meta.get("build", "")))

    # -------------------------------------------------------------- per-text results

    def text(self, key: str) -> TextResult | None:
        """The result stored under `key`, or None; a row that does not decode is unusable."""
        row = self.connection.execute("SELECT result FROM texts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        from builder.textwork import TextResult  # the per-text stage's modules load only when texts are processed

        try:
            result = TextResult.from_json(json.loads(row[0]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CacheUnusable("a stored result does not decode") from exc
        self.used.add(key)
        return result

    def body(self, key: str) -> str:
        row = self.connection.execute("SELECT body FROM texts WHERE key = ?", (key,)).fetchone()
        if row is None or not isinstance(row[0], str):
            raise CacheUnusable("a stored body is missing")
        return row[0]

    def put_texts(self, items: Iterable[tuple[str, TextResult, str]]) -> None:
        rows = []
        for key, result, body in items:
            self.used.add(key)
            rows.append((key, json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")), body))
        with self._transaction():
            self.connection.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)", rows)

    # -------------------------------------------------------------- the page ledger

    def pages(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT path, key FROM pages").fetchall())

    def record_output(
        self, build_id: str, pages: dict[str, str], inputs: str = "", diagnostics: list[Diagnostic] | None = None
    ) -> None:
        """After the swap: the output folder now holds these pages, written by build `build_id` from the
        inputs whose snapshot is `inputs`, with these diagnostics (warnings)."""
        shown = json.dumps([diagnostic_json(d) for d in diagnostics or []], ensure_ascii=False)
        with self._transaction():
            self.connection.execute("DELETE FROM pages")
            self.connection.executemany("INSERT INTO pages VALUES (?, ?)", sorted(pages.items()))
            self.connection.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("build", build_id), ("inputs", inputs), ("diagnostics", shown)],
            )
            if self.used:  # forget results of text versions this build no longer has
                self.connection.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                self.connection.execute("DELETE FROM used")
                self.connection.executemany("INSERT INTO used VALUES (?)", [(k,) for k in self.used])
                self.connection.execute("DELETE FROM texts WHERE key NOT IN (SELECT key FROM used)")
            if self.used_files:  # and files as they no longer are
                self.connection.execute("CREATE TEMP TABLE IF NOT EXISTS used_files (key TEXT PRIMARY KEY)")
                self.connection.execute("DELETE FROM used_files")
                self.connection.executemany("INSERT INTO used_files VALUES (?)", [(k,) for k in self.used_files])
                self.connection.execute("DELETE FROM files WHERE key NOT IN (SELECT key FROM used_files)")
        self.build_id = build_id

    def unchanged(self, inputs: str, out_build_id: str) -> list[Diagnostic] | None:
        """The last build's diagnostics when it read exactly these inputs and wrote the output now there;
        None when anything differs (then the build must run)."""
        if not inputs or not self.build_id or self.build_id != out_build_id:
            return None
        meta = dict(
            self.connection.execute("SELECT name, value FROM meta WHERE name IN ('inputs', 'diagnostics')").fetchall()
        )
        if meta.get("inputs") != inputs:
            return None
        try:
            return [diagnostic_from(d) for d in json.loads(meta.get("diagnostics", "[]"))]
        except (ValueError, KeyError, TypeError) as exc:
            raise CacheUnusable("stored diagnostics do not decode") from exc

    def forget_output(self) -> None:
        """Before a swap: whatever happens next, the old ledger no longer describes the folder."""
        with self._transaction():
            self.connection.execute("DELETE FROM meta WHERE name IN ('build', 'inputs')")
        self.build_id = ""

    @contextlib.contextmanager
    def _transaction(self):  # type: ignore[no-untyped-def]
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()
        if not self.persistent:
            shutil.rmtree(self.path.parent, ignore_errors=True)


@dataclass
class PageLedger:
    """Which pages of the previous output can be kept, and the keys of the pages of this build."""

    out_dir: Path
    previous: dict[str, str] = field(default_factory=dict)
    """Path -> input key of each file in the output folder (empty unless the folder is the ledger's build)."""
    written: dict[str, str] = field(default_factory=dict)
    rendered: int = 0
    reused: int = 0

    def reusable(self, path: str, key: str) -> Path | None:
        """The file in the current output folder, when it was written from the same inputs."""
        old = self.out_dir / path
        if self.previous.get(path) == key and old.is_file() and not old.is_symlink():
            self.reused += 1
            self.written[path] = key
            return old
        return None

    def record(self, path: str, key: str) -> None:
        self.rendered += 1
        self.written[path] = key

    def build_id(self, static_key: str) -> str:
        """The id of this build's output: a hash of every page's inputs and of the static files."""
        digest = hashlib.sha256(static_key.encode())
        for path, key in sorted(self.written.items()):
            digest.update(f"{path}\0{key}\n".encode())
        return digest.hexdigest()[:32]


INPUT_FOLDERS = ("content", "annotations", "templates", "static")


def inputs_snapshot(project: Path, *extra: str) -> str:
    """A hash of what every input file of the project is now: path, type, size, inode, change times.

    Any write to a file changes its ctime (which no tool can set back), so an unchanged
    snapshot means unchanged inputs; a build whose snapshot equals the last one's, into
    the output that build wrote, has nothing to do.
    """
    digest = hashlib.sha256("\0".join(extra).encode())
    entries: list[Path] = [project / "site.toml"]
    for folder in INPUT_FOLDERS:
        pending = [project / folder]
        while pending:
            current = pending.pop()
            entries.append(current)
            try:
                with os.scandir(current) as listing:
                    for entry in listing:
                        if entry.is_dir():  # follows links: a linked folder's files are inputs too
                            pending.append(Path(entry.path))
                        else:
                            entries.append(Path(entry.path))
            except OSError:
                continue
    for path in sorted(entries):
        facts: tuple[int, ...]
        try:
            own = os.lstat(path)
            seen = os.stat(path) if stat.S_ISLNK(own.st_mode) else own
            facts = (
                own.st_mode,
                own.st_ino,
                own.st_ctime_ns,
                seen.st_mode,
                seen.st_ino,
                seen.st_size,
                seen.st_mtime_ns,
                seen.st_ctime_ns,
            )
        except OSError:
            facts = (-1,)
        digest.update(f"{path.relative_to(project).as_posix()}\0{facts}\n".encode())
    return digest.hexdigest()


V = TypeVar("V")


@dataclass
class FileMemo:
    """Loaded input files remembered by their bytes: an unchanged file is not parsed and validated again.

    Only files that loaded without a single diagnostic are remembered (a file with problems
    is loaded, and reported, every time). Values go through `modeljson`, so a row that does
    not decode is a damaged cache, never a wrong value.
    """

    store: Store
    seen: int = 0
    hits: int = 0
    pending: list[tuple[str, str]] = field(default_factory=list)

    def load(
        self,
        root: Path,
        path: Path,
        context: str,
        cls: type[V],
        report: Report,
        load: Callable[[], list[V]],
    ) -> list[V]:
        """`load()`'s entries of the file at `path`, from the cache when its bytes (and `context`) are the same."""
        from builder.projectfs import MAX_FILE_BYTES, read_file

        self.seen += 1
        data = read_file(root, path, Report(), MAX_FILE_BYTES)
        if data is None:  # unreadable, refused or too large: the loader reports it
            return load()
        key = hashlib.sha256(f"{cls.__name__}\0{path.relative_to(root).as_posix()}\0{context}\0".encode() + data)
        self.store.used_files.add(key.hexdigest())
        row = self.store.connection.execute("SELECT value FROM files WHERE key = ?", (key.hexdigest(),)).fetchone()
        if row is not None:
            try:
                values = [modeljson.load(cls, item) for item in json.loads(row[0])]
            except (ValueError, TypeError, KeyError) as exc:
                raise CacheUnusable("a stored file does not decode") from exc
            self.hits += 1
            return values
        before = (len(report.diagnostics), len(report.skipped))
        values = load()
        if (len(report.diagnostics), len(report.skipped)) == before:
            dumped = json.dumps([modeljson.dump(v) for v in values], ensure_ascii=False, separators=(",", ":"))
            self.pending.append((key.hexdigest(), dumped))
        return values

    def flush(self) -> None:
        """Store what was loaded this time (one transaction)."""
        if self.pending:
            with self.store._transaction():
                self.store.connection.executemany("INSERT OR REPLACE INTO files VALUES (?, ?)", self.pending)
            self.pending = []
