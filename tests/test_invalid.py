"""One broken project per error class: `counterpoint check` must print exactly the expected diagnostics.

Each folder in tests/invalid/ is an overlay on tests/projects/minimal with one defect
(tests/invalid/README.md says how a case is written):

    expected.txt          stderr of `counterpoint check` (text format), exactly
    expected-strict.txt   stderr of `counterpoint check --strict`, exactly
    expected-github.txt   stdout of `counterpoint check --format github`, exactly
    expected.json         stdout of `counterpoint check --format json`, as JSON
    DELETE                paths (one a line) removed from the copy of minimal
    PAD                   `path bytes` lines: that file is padded to exactly that size
    XFAIL                 the reason a case is known to fail (an engine bug to fix)

Run with UPDATE_EXPECTED=1 to rewrite the expected files from what `check` prints now;
review the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from helpers import MINIMAL, TESTS, run_cli

INVALID = TESTS / "invalid"
META = {
    "expected.txt",
    "expected-strict.txt",
    "expected-github.txt",
    "expected.json",
    "DELETE",
    "PAD",
    "XFAIL",
    "README.md",
}
CASES = sorted(p for p in INVALID.iterdir() if p.is_dir())
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"
DIAGNOSTIC = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.+)$"
)
SUMMARY = re.compile(r"^(\d+) error\(s\), (\d+) warning\(s\)$|^ok: no errors, (\d+) warning\(s\)$")


def build_case(case: Path, root: Path) -> Path:
    """Copy minimal to `root`, remove what DELETE lists, lay the case's files over it, pad what PAD lists."""
    shutil.copytree(MINIMAL, root)
    for rel in _lines(case / "DELETE"):
        target = root / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_file() and not (len(rel.parts) == 1 and rel.name in META):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / rel)
    for line in _lines(case / "PAD"):
        rel, size = line.rsplit(" ", 1)
        target = root / rel
        data = target.read_bytes() if target.exists() else b""
        filler = int(size) - len(data) - 2  # a YAML comment line: "#" + spaces + "\n"
        assert filler >= 0, f"{case.name}/PAD: {rel} is already larger than {size} bytes"
        target.write_bytes(data + b"#" + b" " * filler + b"\n")
    return root


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    """Run `counterpoint check --project .` inside the built case, as an editor would."""
    root = build_case(case, tmp_path / "project")
    monkeypatch.chdir(root)  # paths in messages and hints are then relative and stable
    result = run_cli("check", "--project", ".", *args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result


def _params(name: str, flags: tuple[str, ...] = ()) -> list[object]:
    params = []
    for case in CASES:
        if (case / name).is_file() or (UPDATE and name == "expected.txt"):
            xfail = _lines(case / "XFAIL")
            marks = [pytest.mark.xfail(reason=" ".join(xfail), strict=True)] if xfail else []
            params.append(pytest.param(case, flags, id=" ".join((case.name,) + flags), marks=marks))
    return params


def _compare(case: Path, name: str, actual: str) -> None:
    expected_file = case / name
    if UPDATE and not (case / "XFAIL").is_file():  # an XFAIL case's expected output is written by hand
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(("case", "flags"), _params("expected.txt") + _params("expected-strict.txt", ("--strict",)))
def test_check_prints_expected_diagnostics(
    case: Path, flags: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(case, tmp_path, monkeypatch, *flags)
    name = "expected-strict.txt" if flags else "expected.txt"
    _compare(case, name, result.stderr + result.stdout)
    summary = SUMMARY.match((result.stderr + result.stdout).splitlines()[-1])
    assert summary, "the last line counts errors and warnings"
    assert result.exit_code == (1 if summary[1] else 0)
    # problems go to stderr; only the "ok" answer goes to stdout
    assert result.stdout == ("" if summary[1] else summary[0] + "\n")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_fails_check_in_some_mode(case: Path) -> None:
    """A case is a defect: `check` (or, for a warning, `check --strict`) must exit 1 on it."""
    outputs = [
        (case / name).read_text(encoding="utf-8")
        for name in ("expected.txt", "expected-strict.txt")
        if (case / name).is_file()
    ]
    assert outputs, f"{case.name} has no expected.txt or expected-strict.txt"
    assert any(re.search(r"^[1-9]\d* error\(s\)", text, re.M) for text in outputs)
    for text in outputs:
        for line in text.splitlines()[:-1]:
            assert (
                DIAGNOSTIC.match(line)
                or line.startswith("    hint: ")
                or line.startswith("          ")
                or line.startswith("not checked: ")
            ), line


@pytest.mark.parametrize(("case", "flags"), _params("expected-github.txt"))
def test_github_format(case: Path, flags: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(case, tmp_path, monkeypatch, "--format", "github")
    assert result.exit_code == 1
    assert result.stderr == ""
    _compare(case, "expected-github.txt", result.stdout)


@pytest.mark.parametrize(("case", "flags"), _params("expected.json"))
def test_json_format(case: Path, flags: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(case, tmp_path, monkeypatch, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    if UPDATE:
        (case / "expected.json").write_text(result.stdout, encoding="utf-8")
    assert json.loads(result.stdout) == json.loads((case / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_json_shape_is_the_documented_one(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CONTRIBUTING.md documents this shape as stable: scripts rely on it."""
    if (case / "XFAIL").is_file():
        pytest.skip("known engine bug; see XFAIL")
    payload = json.loads(check(case, tmp_path, monkeypatch, "--format", "json", "--strict").stdout)
    assert list(payload) == ["version", "errors", "warnings", "diagnostics"]
    assert payload["version"] == 1
    assert payload["errors"] == sum(d["severity"] == "error" for d in payload["diagnostics"]) >= 1
    for d in payload["diagnostics"]:
        assert list(d) == ["severity", "code", "path", "line", "column", "message", "hint"]
        assert d["severity"] in ("error", "warning")
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", d["code"])
        assert isinstance(d["line"], int) and isinstance(d["column"], int) and d["line"] >= 1 and d["column"] >= 1
        assert isinstance(d["message"], str) and (d["hint"] is None or isinstance(d["hint"], str))


# ---------------------------------------------------------------- `build` only: the output folder

OUTPUT_REFUSED = [
    ("the project itself", ".", "the output folder contains the project itself"),
    ("a folder above the project", "..", "the output folder contains the project itself"),
    ("a file", "site.toml", "the output path is a file, not a folder"),
    (
        "a folder it did not build",
        "../elsewhere",
        "refusing to replace a non-empty folder that counterpoint did not build",
    ),
    ("an input folder of the project", "content", "the output folder is inside the project's content/ folder"),
    ("a folder inside static/", "static/site", "the output folder is inside the project's static/ folder"),
]


@pytest.mark.parametrize(
    ("out", "message"), [(o, m) for _, o, m in OUTPUT_REFUSED], ids=[i for i, _, _ in OUTPUT_REFUSED]
)
def test_build_refuses_an_output_folder_it_must_not_replace(
    out: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    monkeypatch.chdir(root)
    if out == "../elsewhere":  # somebody's folder beside the project
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = run_cli("build", "--project", ".", "--out", out, "--no-cache")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{out}:1:1: error: {message}"
    assert lines[1].startswith("    hint: choose another --out folder")
    assert lines[-1] == "1 error(s), 0 warning(s)"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before, "nothing was written"
