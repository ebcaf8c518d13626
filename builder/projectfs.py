"""The project folder as untrusted input: list its files and read one, never outside it, never unbounded.

Every file of a project may come from a stranger (a pull request built by CI), so every
loader reads through this module:

- a symbolic link (to a file or a folder) whose target lies outside the project root is
  refused with `path: error: … points outside the project`; one inside is followed;
- only regular files are read: a FIFO, a device or a socket is refused from its `stat`,
  before anything opens it (opening a FIFO for reading would wait for a writer);
- a size limit is enforced while reading (at most `limit + 1` bytes are ever read), so a
  file that lies about its size (`/proc`, a device) cannot grow memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from builder.diagnostics import Location, Report

MAX_FILE_BYTES = 2_000_000
"""Content, annotation, template and static files larger than this are refused (DESIGN §6)."""
MAX_CONFIG_BYTES = 200_000
"""site.toml is a few lines; anything this large is a mistake (or an attack)."""
_CHUNK = 1 << 16


def relative(root: Path, path: Path) -> PurePosixPath:
    """`path` as written in diagnostics: relative to the project root, with forward slashes."""
    try:
        return PurePosixPath(path.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(path.as_posix())


def list_files(
    root: Path, folder: str, report: Report, suffixes: tuple[str, ...] = (), recursive: bool = True
) -> list[Path]:
    """Regular files under `root/folder` (sorted by path), ending in one of `suffixes` (all when empty).

    A missing folder gives []. Symbolic links are followed when their target is inside
    the project; otherwise, and for anything that is not a regular file or a folder, an
    error is recorded and the entry skipped. Returned paths are as listed (under
    `root/folder`, a symlink keeps its own name), never resolved.
    """
    top = root / folder
    real_root = _real(root)
    if real_root is None or not _inside_or_report(root, real_root, top, report):
        return []
    if not top.is_dir():
        return []
    found: list[Path] = []
    pending: list[tuple[Path, frozenset[Path]]] = [(top, frozenset())]
    while pending:
        current, ancestors = pending.pop()
        real = _real(current)
        if real is None or real in ancestors:  # a folder linked into itself is walked once
            continue
        ancestors |= {real}
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            _unreadable(report, relative(root, current), exc)
            continue
        for entry in entries:
            path = Path(entry.path)
            wanted = not suffixes or entry.name.endswith(suffixes)
            if entry.is_symlink() and (wanted or _is_dir(path)):
                if not _inside_or_report(root, real_root, path, report):
                    continue
            if _is_dir(path):
                if recursive:
                    pending.append((path, ancestors))
                continue
            if not wanted:
                continue
            if _is_regular(path):
                found.append(path)
            elif path.exists():
                _not_regular(report, relative(root, path), path)
            else:
                report.error(
                    Location(relative(root, path)),
                    "symbolic link points to nothing",
                    "its target does not exist; remove the link or point it at a file inside the project",
                    code="unreadable",
                )
    return sorted(found, key=lambda p: relative(root, p).parts)


def read_file(root: Path, path: Path, report: Report, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of one file of the project, or None with a diagnostic (outside, not regular, too large, OS error)."""
    rel = relative(root, path)
    real_root = _real(root)
    if real_root is None or not _inside_or_report(root, real_root, path, report):
        return None
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # refused before opening: a FIFO would block the open
            _not_regular(report, rel, path)
            return None
        if info.st_size > limit:
            _too_large(report, rel, f"{info.st_size:,}", limit)
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between stat and open
                _not_regular(report, rel, path)
                return None
            data = _read_bounded(fd, limit)
        finally:
            os.close(fd)
    except OSError as exc:
        _unreadable(report, rel, exc)
        return None
    if len(data) > limit:
        _too_large(report, rel, f"more than {limit:,}", limit)
        return None
    return data


def read_text(root: Path, path: Path, report: Report, limit: int = MAX_FILE_BYTES) -> str | None:
    """read_file, decoded as UTF-8 (a byte-order mark at the start is accepted and dropped)."""
    data = read_file(root, path, report, limit)
    return None if data is None else decode(data, relative(root, path), report)


def decode(data: bytes, rel: PurePosixPath, report: Report) -> str | None:
    """UTF-8 bytes -> text; an undecodable byte is reported at its line, column and byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        before = data[start : exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        report.error(
            Location(rel, line, column),
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}; "
            "it was saved in another encoding)",
            "save the file with the UTF-8 encoding (most editors offer it under 'Save as' or 'Encoding')",
            code="encoding",
        )
        return None


def _read_bounded(fd: int, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to know the file is too large, never more."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None


def _inside_or_report(root: Path, real_root: Path, path: Path, report: Report) -> bool:
    """False (with an error) when `path` resolves outside the project; a missing path is not refused here."""
    try:
        real = path.resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop: reading it reports the OS error
        return True
    if real == real_root or real.is_relative_to(real_root):
        return True
    report.error(
        Location(relative(root, path)),
        "symbolic link points outside the project",
        "only files inside the project folder are read; copy the file into the project instead of linking to it",
        code="outside-project",
    )
    return False


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _kind(path: Path) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "not a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_regular(report: Report, rel: PurePosixPath, path: Path) -> None:
    report.error(
        Location(rel),
        f"not a regular file ({_kind(path)})",
        "only ordinary files are read from a project; remove it or replace it with a file",
        code="not-a-file",
    )


def _too_large(report: Report, rel: PurePosixPath, size: str, limit: int) -> None:
    report.error(
        Location(rel),
        f"file is too large ({size} bytes; the limit is {limit:,})",
        "no input file may be larger than the limit; split a long text into several pages, "
        "or links into several files in annotations/links/",
        code="file-too-large",
    )


def _unreadable(report: Report, rel: PurePosixPath, exc: OSError) -> None:
    report.error(Location(rel), f"cannot read file: {exc.strerror or exc}", code="unreadable")
