"""The built site as one deterministic zip for offline readers (`counterpoint build --zip`).

Every file of the site lies under one top folder named after the zip's stem
(`reader.zip` -> `reader/index.html`), so unzipping gives one folder whose index.html opens
from disk. Entries are sorted, folders get their own entries, timestamps are 1980-01-01,
permissions 0644 (files) and 0755 (folders), content deflated: the same site gives a
byte-identical zip. The zip is written beside its destination and moved into place, so a
failure never leaves half an archive. Symbolic links and the build's marker file are left
out; a zip written inside the site folder is never put into itself.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from builder.write import MARKER

EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
DIR_MODE = 0o040755
UNIX = 3


def site_files(site_dir: Path, exclude: Path | None = None) -> list[PurePosixPath]:
    """Regular files of the site, relative and sorted (no symlinks, no build marker)."""
    files = []
    for path in site_dir.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if exclude is not None and path.absolute() == exclude:
            continue
        relative = PurePosixPath(path.relative_to(site_dir).as_posix())
        if relative == PurePosixPath(MARKER):
            continue
        files.append(relative)
    return sorted(files, key=lambda p: p.parts)


def _info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.create_system = UNIX
    info.external_attr = mode << 16
    if mode == DIR_MODE:
        info.external_attr |= 0x10  # MS-DOS directory flag
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(site_dir: Path, zip_path: Path) -> None:
    """Zip `site_dir` into `zip_path` under one top folder named after the zip's stem, deterministically."""
    if not site_dir.is_dir():
        raise FileNotFoundError(f"no site folder at {site_dir}")
    zip_path = zip_path.absolute()
    top = PurePosixPath(zip_path.stem)
    if not zip_path.stem or zip_path.stem in (".", ".."):
        raise ValueError(f"cannot name the archive's top folder after '{zip_path.name}'")
    files = site_files(site_dir, exclude=zip_path)
    folders = sorted(
        {parent for f in files for parent in f.parents if parent != PurePosixPath(".")}, key=lambda p: p.parts
    )
    entries = [(top / folder, True) for folder in [PurePosixPath(".")] + folders]
    entries += [(top / f, False) for f in files]
    entries.sort(key=lambda e: e[0].parts)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{zip_path.name}.", suffix=".tmp", dir=zip_path.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for name, is_folder in entries:
                if is_folder:
                    archive.writestr(_info(f"{name}/", DIR_MODE), b"")
                else:
                    data = (site_dir / Path(*name.relative_to(top).parts)).read_bytes()
                    archive.writestr(_info(str(name), FILE_MODE), data, compresslevel=9)
        os.chmod(temp, 0o644)
        os.replace(temp, zip_path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
