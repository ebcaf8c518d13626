"""[RenderedPage] + static/ -> the output folder, written beside it and swapped in atomically.

The only module that touches the output folder. It refuses to replace a folder it did
not create (no marker file) unless that folder is empty, and never writes outside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from builder.diagnostics import Location, Report
from builder.render import RenderedPage

MARKER = ".counterpoint-site"
MARKER_TEXT = "This folder was built by counterpoint; `counterpoint build` may replace it.\n"


def check_output_folder(out_dir: Path, project: Path, report: Report) -> bool:
    """True when `out_dir` may be (re)placed; otherwise an error says why."""
    where = Location(
        PurePosixPath(os.path.relpath(out_dir, project)) if out_dir.is_absolute() else PurePosixPath(str(out_dir))
    )
    resolved = out_dir.resolve()
    if resolved == project.resolve() or project.resolve().is_relative_to(resolved):
        report.error(
            where, "the output folder contains the project itself", "choose another --out folder", code="output-refused"
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


def write_output(
    pages: Iterable[RenderedPage],
    static_dirs: list[Path],
    out_dir: Path,
    before_swap: Callable[[], None] = lambda: None,
) -> int:
    """Write everything into a temporary sibling folder, then swap it in place of `out_dir`.

    `before_swap` runs after the last page: it raises when rendering found problems, and
    then the staging folder is removed and the old output stays as it was.
    """
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for static in static_dirs:  # theme first, project's static/ overrides it file by file
            if static.is_dir():
                shutil.copytree(static, staging / "static", dirs_exist_ok=True)
        count = 0
        for page in pages:
            target = staging / Path(*page.path.parts)
            if page.reuse is not None:
                _link(page.reuse, target)
            else:
                _write(target, page.content.encode("utf-8"))
            count += 1
        before_swap()
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _swap(staging, out_dir)
        return count
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _link(old: Path, target: Path) -> None:
    """An unchanged page: a hard link to the previous build's file (a copy where links are not possible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, target)
    except OSError:
        shutil.copyfile(old, target)


def _swap(staging: Path, out_dir: Path) -> None:
    """Rename the old folder aside, the new one in, then delete the old one."""
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
