"""Shared fixtures: projects made from files, the CLI run as a user runs it."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
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


@pytest.fixture
def make_project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """make_project(files={...}, base=MINIMAL) -> a project folder in tmp_path."""
    def make(files: dict[str, str] | None = None, base: Path | None = MINIMAL) -> Path:
        root = tmp_path / "project"
        if base is not None:
            shutil.copytree(base, root)
        root.mkdir(exist_ok=True)
        return write_files(root, files or {})
    return make


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)
