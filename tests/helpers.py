"""Shared test helpers: fixture paths, projects made from files, the CLI run as a user runs it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.cli import main

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINIMAL = TESTS / "projects" / "minimal"
TOOLS = Path(tempfile.gettempdir()) / "counterpoint-test-tools"
"""Where tests install the npm tools they run (axe-core, vnu-jar): never the checkout."""


def tool_unavailable(what: str, reason: str) -> None:
    """Skip loudly on a developer's machine; fail in CI, where .ci/run provides every tool."""
    message = f"{what} NOT RUN: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this is an error)", pytrace=False)
    warnings.warn(message, stacklevel=3)
    sys.stderr.write(f"\n{'!' * 72}\n{message}\n{'!' * 72}\n")
    pytest.skip(message)


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
