"""One `check`, every problem: a broken file stops only what depends on it (issue 11, item 3).

A new editor planted 7 mistakes in 4 files; `check` must report all 7 in its first run,
not 3 and then, once those are fixed, the other 4. And a file that cannot be read at all
must not make what names it look "unknown": that is said once, on the `not checked:` line.
"""

from __future__ import annotations

import pytest
from helpers import run_cli

SEVEN_MISTAKES = {
    # content/beta.md: a misspelt perspective (1) and a misspelt debate (2)
    "content/beta.md": """---
title: "Security is not a bargain"
authors:
  - name: B. Writer
perspective: wset
date: 2024
debates: [dispsute]
---
For Beijing, the war in Ukraine is an opportunity to weaken the West. Indivisible security has been used to justify spheres of influence.
""",
    # notes: a misspelt key (3: one error, not also "missing 'quote'") and a quote with a typo (4)
    "annotations/notes/alpha.yaml": """notes:
  - id: helsinki-1975
    at: { qoute: "In the 1975 Helsinki Final Act" }
    body: Signed in 1975.
  - id: across-emphasis
    at: { quote: "principle of indivisble security" }
    body: A quote with a typo.
""",
    # links: a misspelt relation (5, a shape error) and a misspelt essay (6, a reference error)
    "annotations/links/main.yaml": """links:
  - id: who-gains
    relation: rebutts
    from: { essay: beta, quote: "For Beijing, the war in Ukraine is an opportunity" }
    to: { essay: alpha, quote: "Who’s the biggest winner?" }
  - id: helsinki
    relation: same-event
    from: { essay: alpah, quote: "Helsinki Final Act, 1 August 1975." }
    to: { essay: beta, quote: "Indivisible security has been used" }
""",
    # glossary: a misspelt `see` (7)
    "annotations/glossary.yaml": """terms:
  - id: indivisible-security
    term: Indivisible security
    match: [indivisible security, security is indivisible]
    definition: The principle that one state's security should not come at another's expense.
    see: [helsinki-final-akt]
  - id: helsinki-final-act
    term: Helsinki Final Act
    definition: The 1975 final act of the CSCE.
""",
}


@pytest.fixture
def in_project(make_project, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def make(files: dict[str, str]) -> None:
        monkeypatch.chdir(make_project(files))

    return make


def test_seven_mistakes_in_four_files_are_reported_in_one_run(in_project) -> None:  # type: ignore[no-untyped-def]
    in_project(SEVEN_MISTAKES)
    result = run_cli("check", "--project", ".")
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]
    assert problems == [
        "annotations/glossary.yaml:6:11: error: unknown term 'helsinki-final-akt'",
        "annotations/links/main.yaml:3:15: error: 'relation' must be one of the allowed values, not 'rebutts'",
        "annotations/links/main.yaml:8:20: error: unknown essay 'alpah'",
        "annotations/notes/alpha.yaml:3:11: error: unknown key 'qoute' in 'at'",
        "annotations/notes/alpha.yaml:6:18: error: quote matches no passage in 'alpha'",
        "content/beta.md:5:14: error: unknown perspective 'wset'",
        "content/beta.md:7:11: error: unknown debate 'dispsute'",
    ]
    lines = result.stderr.splitlines()
    assert lines[lines.index(problems[3]) + 1] == "    hint: did you mean 'quote'?"
    assert lines[-2:] == [
        "not checked: 1 note of annotations/notes/alpha.yaml (its entry has errors); "
        "1 link of annotations/links/main.yaml (its entry has errors)",
        "7 error(s), 0 warning(s)",
    ]


def test_fixing_the_seven_mistakes_leaves_nothing_hidden(in_project) -> None:  # type: ignore[no-untyped-def]
    fixed = {
        path: text.replace("wset", "west")
        .replace("dispsute", "dispute")
        .replace("qoute", "quote")
        .replace("indivisble", "indivisible")
        .replace("rebutts", "rebuts")
        .replace("alpah", "alpha")
        .replace("final-akt", "final-act")
        for path, text in SEVEN_MISTAKES.items()
    }
    in_project(fixed)
    result = run_cli("check", "--project", ".")
    assert result.stderr == ""
    assert result.stdout == "ok: no errors, 0 warning(s)\n"
    assert result.exit_code == 0


BROKEN_BETA = {
    # the title's quotes are not closed: beta's front matter cannot be parsed
    "content/beta.md": '---\ntitle: "Security is not a bargain\nperspective: west\ndebates: [dispute]\n---\nFor Beijing.\n',
    "annotations/notes/beta.yaml": 'notes:\n  - id: x\n    at: { quote: "For Beijing" }\n    body: A note.\n',
    # and a real mistake elsewhere, which must still be found
    "content/alpha.md": "---\ntitle: Alpha\nperspective: east\ndebates: [dispute]\n---\n"
    "See [the other essay](text:beta) and [the other one](text:gamma).\n",
    "annotations/links/main.yaml": """links:
  - id: who-gains
    relation: rebuts
    from: { essay: beta, quote: "For Beijing" }
    to: { essay: alpha, quote: "See" }
""",
    "annotations/notes/alpha.yaml": 'notes:\n  - id: see\n    at: { quote: "the othr essay" }\n    body: A note.\n',
}


def test_what_names_a_broken_text_is_not_called_unknown(in_project) -> None:  # type: ignore[no-untyped-def]
    in_project(BROKEN_BETA)
    result = run_cli("check", "--project", ".")
    assert result.exit_code == 1
    text = result.stderr
    # beta exists: the debate listing it, the link, the notes file and `text:beta` are not "unknown"
    assert "'beta'" not in text.replace("in 'beta' (its file", "")
    problems = [line for line in text.splitlines() if ": error: " in line or ": warning: " in line]
    assert problems == [
        "annotations/notes/alpha.yaml:3:18: error: quote matches no passage in 'alpha'",
        "content/alpha.md:6:54: error: unknown text 'gamma'",
        "content/beta.md:5:1: error: YAML syntax error: found unexpected end of stream",
    ]
    assert text.splitlines()[-2] == (
        "not checked: content/beta.md (its front matter has a YAML syntax error); "
        "1 note and 1 link anchored in 'beta' (its file could not be loaded); "
        "whether each glossary term occurs in the texts (a text could not be loaded)"
    )


def test_a_notes_file_that_does_not_parse_is_counted_once(in_project) -> None:  # type: ignore[no-untyped-def]
    notes = (
        'notes:\n  - id: a\n    at: { quote: "Who" }\n    body: One.\n  - id: b\n    at: { quote: "x" \n    body: [\n'
    )
    in_project({"annotations/notes/alpha.yaml": notes})
    result = run_cli("check", "--project", ".")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "not checked: 2 notes of annotations/notes/alpha.yaml (the file has a YAML syntax error)",
        "1 error(s), 0 warning(s)",
    ]


def test_github_format_says_what_was_not_checked(in_project) -> None:  # type: ignore[no-untyped-def]
    in_project(SEVEN_MISTAKES)
    result = run_cli("check", "--project", ".", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "::notice::not checked: 1 note of annotations/notes/alpha.yaml (its entry has errors); "
        "1 link of annotations/links/main.yaml (its entry has errors)"
    )
    assert sum(line.startswith("::error ") for line in result.stdout.splitlines()) == 7
