"""`counterpoint import FILE`: Web Annotation JSON-LD (our export, a Hypothesis export) -> notes, appended."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli

from builder.diagnostics import Report
from builder.pipeline import Project, load_reader

BASE = "https://example.org/reader/"


def notes_as_placed(project: Path) -> dict[str, tuple[str, int, int, int, str]]:
    """Each note of the project: id -> (essay, block, start, end, body), as the build anchors it."""
    reader = load_reader(Project(project), Report())
    return {
        n.id: (n.essay, a.block, a.start, a.end, n.body.strip())
        for n in reader.annotations.notes
        for a in [reader.note_anchors[(n.essay, n.id)]]
    }


def test_export_then_import_gives_the_same_notes(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project()
    before = notes_as_placed(project)
    exported = tmp_path / "annotations.jsonld"
    assert run_cli("export", "--project", str(project), "--base-url", BASE, "--out", str(exported)).exit_code == 0
    (project / "annotations" / "notes" / "alpha.yaml").unlink()
    result = run_cli("import", str(exported), "--project", str(project))
    assert result.stdout.splitlines() == [
        f"imported {BASE}essays/alpha.html#note-helsinki-1975 -> annotations/notes/alpha.yaml:2",
        f"imported {BASE}essays/alpha.html#note-across-emphasis -> annotations/notes/alpha.yaml:6",
        f"imported {BASE}essays/alpha.html#note-winner -> annotations/notes/alpha.yaml:10",
    ]
    # the two links are listed, with the reason, and make the exit code 1
    assert result.stderr.splitlines() == [
        f"not placed: {BASE}essays/alpha.html#link-helsinki: it is a link between two passages "
        "(motivation 'linking'): import takes notes only",
        f"not placed: {BASE}essays/beta.html#link-who-gains: it is a link between two passages "
        "(motivation 'linking'): import takes notes only",
        "3 of 5 annotation(s) imported as notes",
    ]
    assert result.exit_code == 1
    assert notes_as_placed(project) == before
    check = run_cli("check", "--project", str(project), "--strict")
    assert check.exit_code == 0, check.output


HYPOTHESIS = [
    {  # "indivisible security" occurs four times in alpha: the prefix and suffix pick the list item
        "id": "hyp-1",
        "uri": BASE + "essays/alpha.html",
        "text": "Which claim? The first of two.",
        "tags": ["claims"],
        "target": [
            {
                "source": BASE + "essays/alpha.html",
                "selector": [
                    {"type": "RangeSelector", "startContainer": "/main[1]/ul[1]/li[1]", "startOffset": 17},
                    {"type": "TextPositionSelector", "start": 412, "end": 432},
                    {
                        "type": "TextQuoteSelector",
                        "exact": "indivisible security",
                        "prefix": "A first claim about ",
                        "suffix": ".",
                    },
                ],
            }
        ],
    },
    {  # a quote the text does not have
        "id": "hyp-2",
        "uri": BASE + "essays/alpha.html",
        "text": "A misremembered quote.",
        "target": [
            {
                "source": BASE + "essays/alpha.html",
                "selector": [{"type": "TextQuoteSelector", "exact": "The world is divisible"}],
            }
        ],
    },
    {  # a page that is none of the texts
        "id": "hyp-3",
        "uri": "https://elsewhere.example/news.html",
        "text": "Elsewhere.",
        "target": [
            {
                "source": "https://elsewhere.example/news.html",
                "selector": [{"type": "TextQuoteSelector", "exact": "news"}],
            }
        ],
    },
]


def test_a_hypothesis_export_is_appended_with_a_unique_quote(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project()
    notes_file = project / "annotations" / "notes" / "alpha.yaml"
    existing = notes_file.read_bytes()
    source = tmp_path / "hypothesis.json"
    source.write_text(json.dumps(HYPOTHESIS), encoding="utf-8")
    result = run_cli("import", str(source), "--project", str(project))
    assert result.exit_code == 1
    assert result.stdout == "imported hyp-1 -> annotations/notes/alpha.yaml:12\n"
    errors = result.stderr.splitlines()
    assert errors[0].startswith("not placed: hyp-2: quote matches no passage in 'alpha' (closest: content/alpha.md:12 ")
    assert errors[1] == (
        "not placed: hyp-3: its page 'https://elsewhere.example/news.html' is none of the texts' pages; "
        "name the text with --text SLUG if the file is about one text"
    )
    assert errors[2] == "1 of 3 annotation(s) imported as notes"
    written = notes_file.read_bytes()
    assert written.startswith(existing), "every existing byte stays as it was"
    assert written[len(existing) :].decode() == (
        "  - id: indivisible-security\n"
        "    at:\n"
        '      quote: "indivisible security"\n'
        '      prefix: "about "\n'  # the fewest words that single it out
        '    body: "Which claim? The first of two."\n'
    )
    placed = notes_as_placed(project)["indivisible-security"]
    reader = load_reader(Project(project), Report())
    block = reader.parsed["alpha"].blocks[placed[1]]
    assert block.text == "A first claim about indivisible security."
    assert block.text[placed[2] : placed[3]] == "indivisible security"


def test_text_option_and_a_file_that_is_not_json(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project()
    one = {
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": "On a copy of the page."},
        "target": {
            "source": "file:///home/me/alpha-copy.html",
            "selector": {"type": "TextQuoteSelector", "exact": "Who gains"},
        },
    }
    source = tmp_path / "one.jsonld"
    source.write_text(json.dumps(one), encoding="utf-8")
    assert run_cli("import", str(source), "--project", str(project)).exit_code == 1  # the page is not a text's
    result = run_cli("import", str(source), "--project", str(project), "--text", "alpha")
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported annotation 1 -> annotations/notes/alpha.yaml:12\n"
    assert notes_as_placed(project)["who-gains"][4] == "On a copy of the page."
    unknown = run_cli("import", str(source), "--project", str(project), "--text", "gamma")
    assert unknown.exit_code == 1 and "unknown text 'gamma'" in unknown.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = run_cli("import", str(broken), "--project", str(project))
    assert result.exit_code == 2 and "is not JSON" in result.stderr


@pytest.mark.parametrize(
    ("annotation", "reason"),
    [
        ({"target": {"source": BASE + "essays/alpha.html"}, "bodyValue": "x"}, "its target has no TextQuoteSelector"),
        (
            {
                "target": {
                    "source": BASE + "essays/alpha.html",
                    "selector": {"type": "TextQuoteSelector", "exact": "Who"},
                }
            },
            "it has no comment",
        ),
    ],
    ids=["no quote", "no comment"],
)
def test_what_cannot_be_a_note_says_why(annotation: dict[str, Any], reason: str, make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project()
    source = tmp_path / "a.json"
    source.write_text(json.dumps(annotation), encoding="utf-8")
    before = (project / "annotations" / "notes" / "alpha.yaml").read_bytes()
    result = run_cli("import", str(source), "--project", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"not placed: annotation 1: {reason}")
    assert (project / "annotations" / "notes" / "alpha.yaml").read_bytes() == before
