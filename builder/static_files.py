"""The site's static/ folder: the theme's files, overridden file by file by the project's static/.

The theme's static files are part of the generator and trusted. The project's are not
(DESIGN §6): they are listed through projectfs, so a symbolic link (to a file or a folder)
that leads outside the project is refused with `static/…: error: symbolic link points
outside the project`, anything that is not a regular file (a FIFO, a device) is refused,
and a file larger than MAX_STATIC_BYTES is refused; none of it reaches the output. The
copy itself is bounded too (copy_static_file), in case a file changes after it was listed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

from builder.diagnostics import Location, Report
from builder.projectfs import list_files, relative

STATIC = "static"
MAX_STATIC_BYTES = 20_000_000
"""Pictures, fonts and PDFs are larger than texts; anything larger than this is a mistake (or an attack)."""
_CHUNK = 1 << 20

StaticFile = tuple[PurePosixPath, Path]
"""(path in the output folder, file to copy there)."""


def collect_static(
    theme_static: Path, project_root: Path, report: Report, skip: Path | None = None
) -> list[StaticFile]:
    """Every static file to publish, sorted by its path in the output (`static/…`).

    Problems with the project's files are reported and those files left out. `skip` is a
    folder (the output) whose files are never collected, should it lie inside static/.
    """
    files: dict[PurePosixPath, Path] = {}
    if theme_static.is_dir():
        for path in sorted(theme_static.rglob("*")):
            if path.is_file():
                files[PurePosixPath(STATIC, *path.relative_to(theme_static).parts)] = path
    skipped = skip.absolute() if skip is not None else None
    for path in list_files(project_root, STATIC, report):
        if skipped is not None and path.absolute().is_relative_to(skipped):
            continue
        rel = relative(project_root, path)
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            report.error(Location(rel), f"cannot read file: {exc.strerror or exc}", code="unreadable")
            continue
        if size > MAX_STATIC_BYTES:
            report.error(
                Location(rel),
                f"static file is too large ({size:,} bytes; the limit is {MAX_STATIC_BYTES:,})",
                "make it smaller (compress the picture, subset the font), or link to it on the web instead",
                code="file-too-large",
            )
            continue
        files[rel] = path
    return sorted(files.items())


def copy_static_file(source: Path, target: Path, limit: int = MAX_STATIC_BYTES) -> None:
    """Copy one collected file; OSError when it is no longer a regular file or has grown past `limit`."""
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        copied = 0
        with open(target, "wb") as out:
            while chunk := os.read(fd, _CHUNK):
                copied += len(chunk)
                if copied > limit:
                    raise OSError(errno.EFBIG, "file grew past the size limit while being copied", str(source))
                out.write(chunk)
    finally:
        os.close(fd)
