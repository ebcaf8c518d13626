"""`counterpoint check --fix`: drifted quotes re-anchored in place (a diff printed for each), ambiguous ones left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINIMAL

from builder.cli import main

NOTES = "annotations/notes/alpha.yaml"
LINKS = "annotations/links/main.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def check(root: Path, *flags: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["check", "--project", str(root), *flags], catch_exceptions=False)


def test_a_word_inserted_inside_a_quote_is_taken_into_it(project: Path) -> None:
    edit(project, "content/alpha.md", "In the 1975 Helsinki", "In the historic 1975 Helsinki")
    before = (project / NOTES).read_text(encoding="utf-8")
    assert check(project).exit_code == 1
    result = check(project, "--fix")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "--- a/annotations/notes/alpha.yaml\n"
        "+++ b/annotations/notes/alpha.yaml\n"
        "@@ -1,6 +1,6 @@\n"
        " notes:\n"
        "   - id: helsinki-1975\n"
        '-    at: { quote: "In the 1975 Helsinki Final Act" }\n'
        '+    at: { quote: "In the historic 1975 Helsinki Final Act" }\n'
        "     body: |\n"
        "       Signed in 1975 by 35 states at the *Conference on Security and Co-operation in Europe*.\n"
        "   - id: across-emphasis\n"
    )
    assert "--fix: fixed 1 quote(s) in 1 file(s); 0 left as they are" in result.stderr
    after = (project / NOTES).read_text(encoding="utf-8")
    assert after == before.replace("In the 1975 Helsinki", "In the historic 1975 Helsinki")


def test_a_quote_whose_paragraph_moved_and_changed_is_found(project: Path) -> None:
    moved = "Who’s the biggest winner? It’s the [United States](https://example.org/us), an external power that manipulates European security.[^2]\n\n"
    edit(project, "content/alpha.md", moved, "")
    edit(project, "content/alpha.md", "> A quoted passage", moved.replace("Who’s", "Who is") + "> A quoted passage")
    before = (project / LINKS).read_text(encoding="utf-8")
    result = check(project, "--fix")
    assert result.exit_code == 0, result.output
    assert '-    to: { essay: alpha, quote: "Who’s the biggest winner?" }\n' in result.stdout
    assert '+    to: { essay: alpha, quote: "Who is the biggest winner?" }\n' in result.stdout
    assert (project / LINKS).read_text(encoding="utf-8") == before.replace(
        'quote: "Who’s the biggest winner?"', 'quote: "Who is the biggest winner?"'
    )


def test_a_changed_prefix_is_rewritten_and_a_missing_one_added(project: Path) -> None:
    (project / NOTES).write_text(
        "notes:\n"
        "  - id: first\n"
        "    at:\n"
        "      quote: indivisible securty\n"
        "      prefix: 'A first claim about '\n"
        "    body: x  # a comment that stays\n",
        encoding="utf-8",
    )
    edit(project, "content/alpha.md", "A first claim about", "A first claim concerning")
    result = check(project, "--fix")
    assert result.exit_code == 0, result.output
    assert (project / NOTES).read_text(encoding="utf-8") == (
        "notes:\n"
        "  - id: first\n"
        "    at:\n"
        '      quote: "indivisible security"\n'
        '      prefix: "concerning "\n'
        "    body: x  # a comment that stays\n"
    )


def test_an_ambiguous_quote_is_left_alone_with_the_candidates_listed(project: Path) -> None:
    edit(project, "content/alpha.md", "- A second claim — with a dash.", "- A fourth claim about indivisible security.")
    (project / NOTES).write_text(
        "notes:\n  - id: third\n    at: { quote: A third claim about indivisible security }\n    body: x\n",
        encoding="utf-8",
    )
    before = (project / NOTES).read_bytes()
    result = check(project, "--fix")
    assert result.exit_code == 1
    assert "---" not in result.stdout
    assert (
        "annotations/notes/alpha.yaml:3:18: not fixed: 2 passages fit the quote equally well:\n"
        '    content/alpha.md:18 ¶4 "A first claim about indivisible security" (92% like the quote)\n'
        '    content/alpha.md:19 ¶5 "A fourth claim about indivisible security" (91% like the quote)\n'
    ) in result.stderr
    assert "--fix: fixed 0 quote(s) in 0 file(s); 1 left as they are" in result.stderr
    assert "annotations/notes/alpha.yaml:3:18: error: quote matches no passage in 'alpha'" in result.stderr
    assert (project / NOTES).read_bytes() == before


def test_dry_run_prints_the_diff_and_changes_nothing(project: Path) -> None:
    edit(project, "content/alpha.md", "In the 1975 Helsinki", "In the historic 1975 Helsinki")
    before = (project / NOTES).read_bytes()
    result = check(project, "--fix", "--dry-run")
    assert result.exit_code == 1
    assert '+    at: { quote: "In the historic 1975 Helsinki Final Act" }\n' in result.stdout
    assert "--fix: would fix 1 quote(s) in 1 file(s); 0 left as they are" in result.stderr
    assert (project / NOTES).read_bytes() == before


def test_dry_run_without_fix_is_a_usage_error(project: Path) -> None:
    result = check(project, "--dry-run")
    assert result.exit_code == 2
    assert "--dry-run goes with --fix" in result.output


def test_a_sentence_rewritten_beyond_recognition_is_not_fixed(project: Path) -> None:
    edit(project, "content/alpha.md", "In the 1975 Helsinki Final Act, the", "Forty-nine years ago, the")
    before = (project / NOTES).read_bytes()
    result = check(project, "--fix")
    assert result.exit_code == 1
    assert "annotations/notes/alpha.yaml:3:18: not fixed: no passage in 'alpha' is close to the quote" in result.stderr
    assert (project / NOTES).read_bytes() == before
