"""`mypy --strict` on builder/ (settings in pyproject.toml), as STYLE.md asks: types are checked, not hoped for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import REPO


def test_builder_is_mypy_strict_clean(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "mypy"), "builder"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
