"""Shared fixtures (helpers live in helpers.py, importable from every test module)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import MINIMAL, write_files


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


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own reader, built once per test session into a temporary folder (no cache)."""
    from helpers import REPO, run_cli

    out = tmp_path_factory.mktemp("bundled") / "site"
    result = run_cli("build", "--project", str(REPO), "--out", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    return out
