"""Shared test helpers: fixture paths, projects made from files, the CLI run as a user runs it."""

from __future__ import annotations

import contextlib
import fcntl
import textwrap
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner, Result

from builder.cli import main

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "projects" / "minimal"


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@contextlib.contextmanager
def install_lock(folder: Path) -> Iterator[None]:
    """One installer at a time into `folder` (pytest-xdist workers share it); re-check what is there inside."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".install.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
