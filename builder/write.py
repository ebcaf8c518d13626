"""[RenderedPage] + static files -> the output folder, written beside it and swapped in atomically.

The only module that touches the output folder. It refuses to replace a folder it did
not create (no marker file) unless that folder is empty, and never writes outside it
and its own staging siblings (`.<name>.new-*`). One build at a time writes a given
folder (a lock file `.<name>.lock` beside it). The swap exchanges the staging and the
output folder in one `renameat2(RENAME_EXCHANGE)` where the system has it, so at every
instant the output's name holds a complete build, the old or the new; elsewhere a build
killed between its two renames leaves the old folder aside, and the next build puts it
back before anything else. Whatever a killed build left beside the output is removed by
the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from builder.diagnostics import Location, Report
from builder.static_files import StaticFile, copy_static_file

if TYPE_CHECKING:
    from builder.render import RenderedPage

MARKER = ".counterpoint-site"
MARKER_TEXT = "This folder was built by counterpoint; `counterpoint build` may replace it.\n"
INPUT_FOLDERS = ("content", "annotations", "templates", "static")


def check_output_folder(out_dir: Path, project: Path, report: Report) -> bool:
    """True when `out_dir` may be (re)placed; otherwise an error says why."""
    where = Location(
        PurePosixPath(os.path.relpath(out_dir, project)) if out_dir.is_absolute() else PurePosixPath(str(out_dir))
    )
    resolved = out_dir.resolve()
    root = project.resolve()
    if resolved == root or root.is_relative_to(resolved):
        report.error(
            where, "the output folder contains the project itself", "choose another --out folder", code="output-refused"
        )
        return False
    for folder in INPUT_FOLDERS:
        if resolved.is_relative_to(root / folder):
            report.error(
                where,
                f"the output folder is inside the project's {folder}/ folder",
                "choose another --out folder, outside the project's input folders (the default is _site/)",
                code="output-refused",
            )
            return False
    if out_dir.exists() and not out_dir.is_dir():
        report.error(
            where, "the output path is a file, not a folder", "choose another --out folder", code="output-refused"
        )
        return False
    if out_dir.is_dir() and not (out_dir / MARKER).is_file() and any(out_dir.iterdir()):
        report.error(
            where,
            "refusing to replace a non-empty folder that counterpoint did not build",
            f"choose another --out folder, or empty it (it has no {MARKER} marker file)",
            code="output-refused",
        )
        return False
    return True


def build_id_of(out_dir: Path) -> str:
    """The id of the build that wrote the folder now at `out_dir` ("" if none is recorded)."""
    try:
        text = (out_dir / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    for line in text.splitlines():
        if line.startswith("build: "):
            return line.removeprefix("build: ").strip()
    return ""


@contextlib.contextmanager
def output_lock(out_dir: Path, notify: Callable[[str], None]) -> Iterator[None]:
    """Hold the folder's lock; a second build into the same folder waits, saying why."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = out_dir.parent / f".{out_dir.name}.lock"
    told = False
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not told:
                notify(f"another build is writing into {out_dir}; waiting for it to finish")
                told = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed that lock file as it finished: take a fresh one
    try:
        recover(out_dir)
        yield
    finally:
        lock.unlink(missing_ok=True)  # while still holding it, so a waiter sees the file is gone and retries
        os.close(fd)


def recover(out_dir: Path) -> None:
    """Undo what killed builds left: put an output moved aside back, remove staging folders."""
    parent, name = out_dir.parent, out_dir.name
    old = sorted(parent.glob(f".{name}.old-*"))
    if not out_dir.exists():
        for candidate in old:
            if (candidate / MARKER).is_file():
                os.replace(candidate, out_dir)
                break
    for leftover in sorted(parent.glob(f".{name}.new-*")) + sorted(parent.glob(f".{name}.old-*")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def write_output(
    pages: Iterable[RenderedPage],
    static_files: list[StaticFile],
    out_dir: Path,
    build_id: Callable[[], str],
    before_swap: Callable[[], None] = lambda: None,
) -> int:
    """Write everything into a staging sibling folder, then swap it in place of `out_dir`.

    `before_swap` runs after the last page: it raises when rendering found problems, and
    then the staging folder is removed and the old output stays as it was. `build_id`
    is asked after the last page too; it goes into the marker file.
    """
    out_dir = out_dir.absolute()
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a site folder is like any other
        for path, source in static_files:
            copy_static_file(source, staging / Path(*path.parts))
        count = 0
        made: set[Path] = {staging}
        for page in pages:
            target = staging / Path(*page.path.parts)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if page.reuse is not None:
                _link(page.reuse, target)
            elif page.parts is not None:
                with open(target, "wb") as handle:
                    for part in page.parts():
                        handle.write(part.encode("utf-8"))
            else:
                target.write_bytes(page.content.encode("utf-8"))
            count += 1
        before_swap()
        (staging / MARKER).write_text(f"{MARKER_TEXT}build: {build_id()}\n", encoding="utf-8")
        _swap(staging, out_dir)
        return count
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _link(old: Path, target: Path) -> None:
    """An unchanged page: a hard link to the previous build's file (a copy where links are not possible)."""
    try:
        os.link(old, target)
    except OSError:
        shutil.copyfile(old, target)


def _swap(staging: Path, out_dir: Path) -> None:
    """Exchange the two folders atomically where possible; otherwise rename the old aside, the new in."""
    if out_dir.exists() and _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous output
        return
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError:
        if old is not None:
            os.replace(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(a, b, RENAME_EXCHANGE) (Linux 3.15+): both names stay taken at every instant."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # not supported here: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))
