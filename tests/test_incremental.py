"""Incremental builds: after each kind of edit, a cached rebuild equals a clean build byte for byte,
and renders only the pages the edit reaches."""

from __future__ import annotations

import filecmp
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import MINIMAL, REPO, run_cli


def build(project: Path, out: Path, *flags: str) -> tuple[int, int]:
    """(pages rendered, pages reused) as the build reports them."""
    result = run_cli("build", "--project", str(project), "--out", str(out), *flags)
    assert result.exit_code == 0, result.output
    found = re.search(r"\((\d+) pages rendered, (\d+) unchanged\)", result.stderr)
    assert found, result.stderr
    return int(found[1]), int(found[2])


def same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not (cmp.left_only or cmp.right_only or mismatch or errors) and all(
        same_tree(a / sub, b / sub) for sub in cmp.common_dirs
    )


def append(path: str, text: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        with open(project / path, "a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def substitute(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        target = project / path
        text = target.read_text(encoding="utf-8")
        assert old in text
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


EDITS = {
    "note added": append("annotations/notes/beta.yaml", ""),  # replaced below: beta has no notes file
    "note body changed": substitute(
        "annotations/notes/alpha.yaml", "A quote that crosses emphasis.", "A quote that crosses *emphasis*, edited."
    ),
    "link relation changed": substitute("annotations/links/main.yaml", "relation: rebuts", "relation: qualifies"),
    "link removed": substitute("annotations/links/main.yaml", "  - id: helsinki", "  - id: helsinki-renamed"),
    "glossary term added": append(
        "annotations/glossary.yaml",
        """
  - id: spheres-of-influence
    term: Spheres of influence
    definition: Regions where one power claims a say over its neighbours.
""",
    ),
    "word changed in an essay": substitute("content/beta.md", "to weaken the West", "to weaken the western alliance"),
    "essay title changed": substitute(
        "content/beta.md", 'title: "Security is not a bargain"', 'title: "Security is no bargain"'
    ),
    "debate questions changed": substitute("content/dispute.md", "Who benefits from the war?", "Who gains?"),
    "site setting changed": substitute("site.toml", 'glossary_links = "first-in-section"', 'glossary_links = "all"'),
    "template overridden": lambda project: (
        (project / "templates" / "partials").mkdir(parents=True)
        or (project / "templates" / "partials" / "colophon.html").write_text("<p>Our own colophon.</p>\n")
    ),
}
EDITS["note added"] = lambda project: (project / "annotations" / "notes" / "beta.yaml").write_text(
    'notes:\n  - id: remedies\n    at: { quote: "raise the costs" }\n    body: A new note.\n', encoding="utf-8"
)


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_rebuild_after_edit_equals_clean_build(tmp_path: Path, edit: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    first_rendered, first_reused = build(project, tmp_path / "site")
    assert first_reused == 0
    assert build(project, tmp_path / "site") == (0, first_rendered)  # nothing changed: nothing rendered

    EDITS[edit](project)
    rendered, reused = build(project, tmp_path / "site")
    build(project, tmp_path / "clean", "--no-cache")
    assert same_tree(tmp_path / "site", tmp_path / "clean")
    assert rendered >= 1


def test_a_note_in_one_essay_does_not_rerender_the_other(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    build(project, tmp_path / "site")
    EDITS["note body changed"](project)
    rendered, reused = build(project, tmp_path / "site")
    # alpha's page, the compare view, the debate's card list is unaffected; beta's page is reused
    assert reused >= 3 and rendered <= 4
    assert (tmp_path / "site" / "essays" / "beta.html").stat().st_nlink >= 1


def test_cache_ignored_for_another_output_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    first, _ = build(project, tmp_path / "one")
    assert build(project, tmp_path / "two") == (first, 0)


def test_repository_project_note_edit(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(
        REPO,
        project,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "_site", ".counterpoint-cache", "node_modules", ".axe", "__pycache__"
        ),
    )
    total, _ = build(project, tmp_path / "site")
    notes = project / "annotations" / "notes" / "gt-indivisible-security.yaml"
    notes.write_text(
        notes.read_text(encoding="utf-8").replace("body: |", "body: |\n      (Edited.)", 1), encoding="utf-8"
    )
    rendered, reused = build(project, tmp_path / "site")
    build(project, tmp_path / "clean", "--no-cache")
    assert same_tree(tmp_path / "site", tmp_path / "clean")
    assert rendered < total / 4
