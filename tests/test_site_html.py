"""The bundled reader is valid HTML: the Nu HTML Checker (vnu.jar) reports no error in any built page.

The checker comes from the npm package `vnu-jar` and runs on Java. The fixture installs it once
into a folder under the system's temporary directory (never into the checkout); `.ci/run`
installs Java and npm on a fresh machine. Without Java or npm the test skips with a loud
reason on a developer's machine, and fails when the environment variable CI is set.
Generic on purpose: the checker reads every .html file of the output, whatever the page types.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import TOOLS, install_lock, tool_unavailable

VNU_VERSION = "26.9.27"
VNU_DIR = TOOLS / f"vnu-jar-{VNU_VERSION}"
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def unavailable(reason: str) -> None:
    tool_unavailable("NU HTML CHECKER", reason)


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The command that runs the Nu checker, installing `vnu-jar` from npm once if needed."""
    java = shutil.which("java")
    if java is None:
        unavailable("no `java` on PATH (apt-get install default-jre-headless)")
    with install_lock(VNU_DIR):
        _install_vnu()
    return [str(java), "-jar", str(VNU_JAR)]


def _install_vnu() -> None:
    if not VNU_JAR.is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed, so vnu-jar cannot be installed")
        VNU_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [str(npm), "install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts"]
            + ["--prefix", str(VNU_DIR), f"vnu-jar@{VNU_VERSION}"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 or not VNU_JAR.is_file():
            unavailable(
                f"`npm install vnu-jar@{VNU_VERSION}` failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            )


def nu_errors(vnu: list[str], folder: Path) -> list[str]:
    """One line per error the Nu checker finds in any HTML file under `folder`: `page:line: message`."""
    result = subprocess.run(
        [*vnu, "--errors-only", "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu checker gave no JSON (exit {result.returncode}):\n{result.stderr[-3000:]}", pytrace=False)
    lines = []
    for m in messages:
        page = m.get("url", "?").removeprefix(folder.as_uri()).removeprefix("file:" + str(folder)).lstrip("/")
        lines.append(f"{page}:{m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')}")
    return sorted(lines)


def test_the_bundled_reader_has_no_nu_html_checker_errors(vnu: list[str], bundled_site: Path) -> None:
    errors = nu_errors(vnu, bundled_site)
    assert not errors, f"{len(errors)} Nu HTML Checker error(s):\n" + "\n".join(errors[:60])


def test_the_checker_finds_an_error(vnu: list[str], tmp_path: Path) -> None:
    """A checker that cannot fail proves nothing: a note inside a heading is reported."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        '<body><h1>T<span role="note">n</span></h1></body></html>',
        encoding="utf-8",
    )
    errors = nu_errors(vnu, tmp_path)
    assert len(errors) == 1 and errors[0].startswith("bad.html:1: error: ") and "role=note" in errors[0]
