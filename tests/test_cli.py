"""The command line as editors and CI use it: exit codes 0/1/2, the three formats, --strict."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import MINIMAL, run_cli

from builder import __version__

BROKEN_NOTE = """
notes:
  - id: helsinki-1975
    at: { quote: "In the 1976 Helsinki Final Act" }
    body: Wrong year.
"""


def test_check_ok_exits_0() -> None:
    result = run_cli("check", "--project", str(MINIMAL))
    assert result.exit_code == 0
    assert result.stdout == "ok: no errors, 0 warning(s)\n"  # the answer a script reads; stderr is for problems
    assert result.stderr == ""


def test_check_problem_exits_1_with_location_and_hint(make_project) -> None:
    project = make_project({"annotations/notes/alpha.yaml": BROKEN_NOTE})
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "annotations/notes/alpha.yaml:3:18: error: quote matches no passage in 'alpha'"
    assert lines[1].startswith('    hint: closest: content/alpha.md:12 ¶1 "')
    assert "1975 Helsinki Final Act" in lines[1]


def test_usage_error_exits_2() -> None:
    assert run_cli("check", "--format", "xml").exit_code == 2
    assert run_cli("no-such-command").exit_code == 2


def test_github_format(make_project) -> None:
    project = make_project({"annotations/notes/alpha.yaml": BROKEN_NOTE})
    result = run_cli("check", "--project", str(project), "--format", "github")
    assert result.exit_code == 1
    line = result.stdout.splitlines()[0]
    assert line.startswith(
        "::error file=annotations/notes/alpha.yaml,line=3,col=18::quote matches no passage in 'alpha'"
    )
    assert "%0Ahint: closest:" in line


def test_json_format_is_stable(make_project) -> None:
    project = make_project({"annotations/notes/alpha.yaml": BROKEN_NOTE})
    result = run_cli("check", "--project", str(project), "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["version"] == 1 and payload["errors"] == 1 and payload["warnings"] == 0
    assert payload["diagnostics"][0] | {"hint": None} == {
        "severity": "error",
        "code": "quote-not-found",
        "path": "annotations/notes/alpha.yaml",
        "line": 3,
        "column": 18,
        "message": "quote matches no passage in 'alpha'",
        "hint": None,
    }


def test_json_format_ok_project() -> None:
    result = run_cli("check", "--project", str(MINIMAL), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"version": 1, "errors": 0, "warnings": 0, "diagnostics": []}


def test_strict_turns_warnings_into_errors(make_project) -> None:
    glossary = (
        (MINIMAL / "annotations/glossary.yaml").read_text()
        + """
  - id: unused
    term: Nowhere to be found
    definition: A term no text uses.
"""
    )
    project = make_project({"annotations/glossary.yaml": glossary})
    relaxed = run_cli("check", "--project", str(project))
    assert relaxed.exit_code == 0
    assert "warning: term 'unused' occurs in no text" in relaxed.stderr
    strict = run_cli("check", "--project", str(project), "--strict")
    assert strict.exit_code == 1
    assert "error: term 'unused' occurs in no text" in strict.stderr


def test_build_then_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_cli("build", "--project", str(MINIMAL), "--out", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    assert (out / "essays" / "alpha.html").is_file()
    assert (out / ".counterpoint-site").is_file()


def test_version_and_help() -> None:
    assert __version__ in run_cli("--version").output
    help_text = run_cli("--help").output
    for command in ("build", "check", "schema"):
        assert command in help_text


def test_schema_is_json_with_the_three_files() -> None:
    schema = json.loads(run_cli("schema").output)
    keys = {
        next(iter(definition["properties"])) for name, definition in schema["$defs"].items() if name != "front_matter"
    }
    assert keys == {"notes", "links", "terms"}
    for kind, key in (("notes", "notes"), ("links", "links"), ("glossary", "terms")):
        assert json.loads(run_cli("schema", kind).output)["required"] == [key]
    assert run_cli("schema", "notess").exit_code == 2


def test_python_dash_m_builder(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--project", str(MINIMAL)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_build_zip_writes_one_archive_that_opens_offline(tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "site"
    result = run_cli("build", "--project", str(MINIMAL), "--out", str(out), "--no-cache", "--zip")
    assert result.exit_code == 0, result.output
    archive = tmp_path / "site.zip"
    assert f"wrote {archive}" in result.stderr
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert "site/index.html" in names and "site/essays/alpha.html" in names
        assert z.read("site/index.html") == (out / "index.html").read_bytes()


def test_progress_only_on_a_terminal_and_only_for_long_builds() -> None:
    import io

    from builder.progress import Progress

    quiet = io.StringIO()
    p = Progress(enabled=False, stream=quiet, delay=0)
    p.stage("rendering pages", 3)
    p.advance()
    assert quiet.getvalue() == ""
    short = io.StringIO()
    p = Progress(enabled=True, stream=short, delay=60)  # a build shorter than the delay shows nothing
    p.stage("rendering pages", 3)
    p.advance()
    assert short.getvalue() == ""
    shown = io.StringIO()
    p = Progress(enabled=True, stream=shown, delay=0)
    p.stage("rendering pages", 3)
    p.finish()
    assert "rendering pages 0/3" in shown.getvalue()
    assert shown.getvalue().endswith("\r\033[K")


def test_build_prints_no_progress_when_not_on_a_terminal(tmp_path: Path) -> None:
    result = run_cli("build", "--project", str(MINIMAL), "--out", str(tmp_path / "site"), "--no-cache")
    assert "\r" not in result.stderr and "rendering pages" not in result.stderr
