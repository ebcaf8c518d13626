"""`counterpoint init`: a new project that checks strictly and builds, and a folder's existing files left alone."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import REPO, run_cli

from builder import __version__
from builder.config import OPTION_CHOICES, PERSPECTIVE_KEYS, TOP_KEYS
from builder.schema import annotations_schema, kind_schema

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(?P<path>\S+)$", re.M)
EXAMPLE_PAGES = [
    "index.html",
    "essays/keep-the-ferry.html",
    "essays/build-the-bridge.html",
    "debates/ferry-or-bridge.html",
    "compare/build-the-bridge--keep-the-ferry.html",
    "about.html",
    "glossary.html",
]


def init(folder: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from builder.cli import main

    return CliRunner().invoke(main, ["init", str(folder), *args], input=input, catch_exceptions=False)


def test_init_checks_strictly_and_builds_the_example(tmp_path: Path) -> None:
    project = tmp_path / "reader"
    made = init(project, "--no-input")
    assert made.exit_code == 0, made.output
    checked = run_cli("check", "--strict", "--project", str(project))
    assert checked.exit_code == 0, checked.output
    assert "no errors, 0 warning(s)" in checked.output
    out = tmp_path / "out"
    built = run_cli("build", "--strict", "--no-cache", "--project", str(project), "--out", str(out))
    assert built.exit_code == 0, built.output
    for page in EXAMPLE_PAGES:
        assert (out / page).is_file(), page
    ferry = (out / "essays" / "keep-the-ferry.html").read_text(encoding="utf-8")
    bridge = (out / "essays" / "build-the-bridge.html").read_text(encoding="utf-8")
    assert 'id="note-ferry-charter"' in ferry
    assert 'id="link-who-pays-the-toll"' in bridge and "rebuts → Keep the ferry" in bridge
    glossary = (out / "glossary.html").read_text(encoding="utf-8")
    assert 'id="toll"' in glossary and 'id="ferry-charter"' in glossary
    assert not (project / "_site").exists(), "init writes sources only"


def test_the_example_texts_are_labelled_as_examples(tmp_path: Path) -> None:
    init(tmp_path, "--no-input")
    for name in ("keep-the-ferry.md", "build-the-bridge.md", "ferry-or-bridge.md"):
        text = (tmp_path / "content" / name).read_text(encoding="utf-8")
        assert "EXAMPLE" in text and "written for" in text, name


def test_the_files_of_a_new_project(tmp_path: Path) -> None:
    made = init(tmp_path, "--no-input")
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == [
        ".github/workflows/counterpoint.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        "annotations/glossary.yaml",
        "annotations/links/example.yaml",
        "annotations/notes/keep-the-ferry.yaml",
        "content/about.md",
        "content/build-the-bridge.md",
        "content/ferry-or-bridge.md",
        "content/keep-the-ferry.md",
        "schema/annotations.schema.json",
        "schema/glossary.schema.json",
        "schema/links.schema.json",
        "schema/notes.schema.json",
        "site.toml",
    ]
    for name in written:
        assert f"  {name}\n" in made.output
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "_site/" in ignored and ".counterpoint-cache/" in ignored


def test_schema_lines_point_at_the_written_schema(tmp_path: Path) -> None:
    init(tmp_path, "--no-input")
    files = sorted((tmp_path / "annotations").rglob("*.yaml"))
    assert len(files) == 3
    for path in files:
        kind = {"notes": "notes", "links": "links"}.get(path.parent.name, "glossary")
        schema = tmp_path / "schema" / f"{kind}.schema.json"
        found = SCHEMA_LINE.search(path.read_text(encoding="utf-8"))
        assert found, f"{path.name} has no yaml-language-server line"
        assert (path.parent / found["path"]).resolve() == schema.resolve(), path
        assert json.loads(schema.read_text(encoding="utf-8")) == kind_schema(kind)
    combined = tmp_path / "schema" / "annotations.schema.json"
    assert json.loads(combined.read_text(encoding="utf-8")) == annotations_schema()


def test_site_toml_explains_every_key_and_option(tmp_path: Path) -> None:
    init(tmp_path, "--no-input", "--title", "Ferries")
    text = (tmp_path / "site.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["title"] == "Ferries"
    for key in [*TOP_KEYS, *PERSPECTIVE_KEYS, *OPTION_CHOICES]:
        assert re.search(rf"(^|\W){re.escape(key)}\b", text), f"site.toml does not mention '{key}'"
    for option, choices in OPTION_CHOICES.items():
        for choice in choices:
            assert f'"{choice}"' in text, f"site.toml does not explain {option} = {choice!r}"


def test_pre_commit_and_ci_are_pinned_to_this_version(tmp_path: Path) -> None:
    init(tmp_path, "--no-input")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["rev"] == f"v{__version__}"
    hook_ids = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert [hook["id"] for hook in repo["hooks"]] == ["counterpoint-check"]
    assert "counterpoint-check" in hook_ids
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "counterpoint.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(run.startswith("counterpoint check") for run in runs)
    assert any(run.startswith("counterpoint build") for run in runs)
    assert any(f"@v{__version__}" in run for run in runs if run.startswith("pip install"))


def test_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    made = init(tmp_path, "--no-input")
    assert made.exit_code == 2
    assert "is not empty (notes.txt)" in made.output and "--force" in made.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_folder_with_only_git_counts_as_empty(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert init(tmp_path, "--no-input").exit_code == 0
    assert (tmp_path / "site.toml").is_file()


def test_force_skips_existing_files_and_names_them(tmp_path: Path) -> None:
    mine = 'title = "Mine"\n'
    (tmp_path / "site.toml").write_text(mine, encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "about.md").write_text("---\ntitle: Mine\nkind: page\n---\nMine.\n", encoding="utf-8")
    made = init(tmp_path, "--no-input", "--force")
    assert made.exit_code == 0, made.output
    assert "skipped site.toml: it already exists (not overwritten)" in made.output
    assert "skipped content/about.md: it already exists (not overwritten)" in made.output
    assert (tmp_path / "site.toml").read_text(encoding="utf-8") == mine
    assert (tmp_path / "content" / "about.md").read_text(encoding="utf-8").endswith("Mine.\n")
    assert (tmp_path / "content" / "keep-the-ferry.md").is_file()
    again = init(tmp_path, "--no-input", "--force")
    assert again.exit_code == 0
    assert "wrote 0 file(s)" in again.output and again.output.count("skipped ") == 15


def test_perspectives_and_title_from_flags(tmp_path: Path) -> None:
    made = init(
        tmp_path,
        "--no-input",
        "--title",
        'The "crossing" question',
        "--perspective",
        "river-folk:River folk: east bank:#112233",
        "--perspective",
        "mayor:The mayor:#AA5500",
    )
    assert made.exit_code == 0, made.output
    config = tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))
    assert config["title"] == 'The "crossing" question'
    assert config["perspectives"] == {
        "river-folk": {"label": "River folk: east bank", "colour": "#112233"},
        "mayor": {"label": "The mayor", "colour": "#AA5500"},
    }
    assert "perspective: river-folk" in (tmp_path / "content" / "keep-the-ferry.md").read_text(encoding="utf-8")
    assert "perspective: mayor" in (tmp_path / "content" / "build-the-bridge.md").read_text(encoding="utf-8")
    checked = run_cli("check", "--strict", "--project", str(tmp_path))
    assert checked.exit_code == 0, checked.output


def test_one_perspective_serves_both_example_texts(tmp_path: Path) -> None:
    assert init(tmp_path, "--no-input", "--perspective", "all:Everyone:#123456").exit_code == 0
    assert run_cli("check", "--strict", "--project", str(tmp_path)).exit_code == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("West:West:#112233", "perspective key 'West' is not a valid slug"),
        ("west:West:blue", "colour 'blue' of perspective 'west' must be # and six hex digits"),
        ("west", "'west' is not key:Label:#colour"),
        ("west::#112233", "perspective 'west' needs a label"),
    ],
)
def test_a_bad_perspective_flag_is_a_usage_error(tmp_path: Path, value: str, message: str) -> None:
    made = init(tmp_path / "new", "--no-input", "--perspective", value)
    assert made.exit_code == 2
    assert message in made.output
    assert not (tmp_path / "new").exists()


def test_prompts_ask_for_title_and_perspectives(tmp_path: Path) -> None:
    answers = "Ferries and bridges\n\nwest:West:blue\nwest:West bank:#1f5fa8\neast:East bank:#b3261e\n\n"
    made = init(tmp_path, input=answers)
    assert made.exit_code == 0, made.output
    assert "Title of the reader [My reader]:" in made.output
    assert "Perspective 1 [townsfolk:Townsfolk:#1f5fa8]:" in made.output
    assert "colour 'blue' of perspective 'west' must be # and six hex digits" in made.output  # asked again
    config = tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))
    assert config["title"] == "Ferries and bridges"
    assert list(config["perspectives"]) == ["townsfolk", "west", "east"]
    assert run_cli("check", "--strict", "--project", str(tmp_path)).exit_code == 0


def test_no_input_asks_nothing(tmp_path: Path) -> None:
    made = init(tmp_path, "--no-input", input="")
    assert made.exit_code == 0
    assert "[My reader]" not in made.output
    config = tomllib.loads((tmp_path / "site.toml").read_text(encoding="utf-8"))
    assert config["title"] == "My reader" and list(config["perspectives"]) == ["townsfolk", "council"]


def test_an_empty_folder_points_at_init(tmp_path: Path) -> None:
    checked = run_cli("check", "--project", str(tmp_path))
    assert checked.exit_code == 1
    assert "site.toml not found" in checked.output and "counterpoint init" in checked.output
