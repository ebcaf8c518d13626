"""`counterpoint stats` on the minimal project: exact counts, the three lists, the JSON shape, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from helpers import MINIMAL

from builder.stats import stats_command

RELATIONS = ["rebuts", "supports", "qualifies", "contextualises", "same-event"]


def run_stats(*args: str) -> Result:
    return CliRunner().invoke(stats_command, list(args), catch_exceptions=False)


def stats_json(project: Path = MINIMAL) -> dict:  # type: ignore[type-arg]
    result = run_stats("--project", str(project), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_exact_counts_per_essay() -> None:
    stats = stats_json()
    assert stats["version"] == 1
    assert stats["totals"] == {"essays": 2, "notes": 3, "links": 2, "terms": 2, "occurrences": 6}
    by_slug = {t["slug"]: t for t in stats["texts"]}
    assert list(by_slug) == ["alpha", "beta"]  # debates and pages with nothing on them are left out
    alpha = by_slug["alpha"]
    assert (alpha["title"], alpha["kind"], alpha["perspective"]) == ("Security is indivisible", "essay", "east")
    assert alpha["notes"] == 3
    assert alpha["links_out"] == {"total": 1, "by_relation": dict.fromkeys(RELATIONS, 0) | {"same-event": 1}}
    assert alpha["links_in"] == {"total": 1, "by_relation": dict.fromkeys(RELATIONS, 0) | {"rebuts": 1}}
    assert alpha["glossary"] == {"total": 5, "by_term": {"helsinki-final-act": 2, "indivisible-security": 3}}
    beta = by_slug["beta"]
    assert beta["notes"] == 0
    assert beta["links_out"]["by_relation"]["rebuts"] == 1
    assert beta["links_in"]["by_relation"]["same-event"] == 1
    assert beta["glossary"] == {"total": 1, "by_term": {"indivisible-security": 1}}
    assert list(beta["links_out"]["by_relation"]) == RELATIONS  # every relation, always, in a fixed order


def test_normalised_quote_is_listed_with_location_and_exact_text() -> None:
    quotes = stats_json()["normalised_quotes"]
    assert quotes == [
        {
            "kind": "note",
            "id": "winner",
            "end": "at",
            "essay": "alpha",
            "paragraph": 3,
            "path": "annotations/notes/alpha.yaml",
            "line": 10,
            "column": 18,
            "text_path": "content/alpha.md",
            "text_line": 16,
            "quote": "Who's the biggest winner? It's the United States, an external",
            "text": "Who\u2019s the biggest winner? It\u2019s the United States, an external",
        }
    ]


def test_text_output_has_aligned_columns_and_lists() -> None:
    result = run_stats("--project", str(MINIMAL))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("text "))
    header, table = lines[at], lines[at + 1 : lines.index("", at)]  # the per-text table ends at a blank line
    rows = [line for line in table if line.startswith(("alpha ", "beta "))]
    assert len(rows) == 2
    for column in ("notes", "links out", "links in", "glossary", "title"):
        at = header.index(column)
        assert all(row[at - 1] == " " for row in rows), column  # every column starts at the same place
    assert rows[0].split()[:4] == ["alpha", "essay", "east", "3"]
    assert "same-event 1" in rows[0] and "rebuts 1" in rows[0]
    assert "Terms found nowhere (0): none" in lines
    assert "Essays with no links (0): none" in lines
    assert "  annotations/notes/alpha.yaml:10:18: note 'winner' in alpha ¶3 (content/alpha.md:16)" in lines
    assert "    text:  Who\u2019s the biggest winner? It\u2019s the United States, an external" in lines


def test_unused_term_and_unlinked_essay(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project(
        {
            "annotations/links/main.yaml": "links: []\n",
            "annotations/glossary.yaml": """
            terms:
              - id: indivisible-security
                term: Indivisible security
                match: [indivisible security]
                definition: A principle.
              - id: spheres
                term: Spheres of interest
                definition: Not in any text.
            """,
        }
    )
    stats = stats_json(project)
    assert [t["id"] for t in stats["terms_found_nowhere"]] == ["spheres"]
    assert stats["terms_found_nowhere"][0]["path"] == "annotations/glossary.yaml"
    assert stats["essays_without_links"] == ["alpha", "beta"]
    text = run_stats("--project", str(project)).stdout
    assert "Essays with no links (2): alpha, beta" in text
    assert "spheres (Spheres of interest)" in text


def test_project_with_errors_exits_1(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project(
        {
            "annotations/notes/alpha.yaml": """
        notes:
          - id: x
            at: { quote: "no such words anywhere" }
            body: Broken.
        """
        }
    )
    result = run_stats("--project", str(project))
    assert result.exit_code == 1
    assert "annotations/notes/alpha.yaml:3:18: error: quote matches no passage in 'alpha'" in result.stderr
    assert result.stdout == ""


def test_usage_error_exits_2() -> None:
    assert run_stats("--format", "xml").exit_code == 2


def test_balance_counts_links_by_pair_of_perspectives_and_relation() -> None:
    pairs = stats_json()["balance"]["links"]
    none = dict.fromkeys(RELATIONS, 0)
    # beta (west) rebuts alpha (east); alpha (east) → beta (west) is a same-event link: two directed rows
    assert pairs == [
        {"from": "east", "to": "west", "total": 1, "by_relation": none | {"same-event": 1}},
        {"from": "west", "to": "east", "total": 1, "by_relation": none | {"rebuts": 1}},
    ]


def test_notes_per_thousand_words() -> None:
    by_slug = {t["slug"]: t for t in stats_json()["texts"]}
    # alpha: 23 + 2 + 15 + 6 + 6 + 6 words in its body blocks, 6 + 6 in its two footnotes
    assert (by_slug["alpha"]["words"], by_slug["alpha"]["notes"]) == (70, 3)
    assert by_slug["alpha"]["notes_per_1000_words"] == 42.9  # 3 * 1000 / 70
    assert (by_slug["beta"]["words"], by_slug["beta"]["notes_per_1000_words"]) == (38, 0.0)


def test_text_output_has_the_balance_tables() -> None:
    lines = run_stats("--project", str(MINIMAL)).stdout.splitlines()
    start = lines.index("Balance: links by perspective of their two ends (from → to)")
    header, east_west, west_east = lines[start + 2 : start + 5]
    assert header.split() == ["from", "to", "links", *RELATIONS]
    assert east_west.split() == ["east", "west", "1", "0", "0", "0", "0", "1"]
    assert west_east.split() == ["west", "east", "1", "1", "0", "0", "0", "0"]
    assert header.index("same-event") + len("same-event") == len(east_west)  # numbers right-aligned under their heading
    start = lines.index("Balance: notes per 1,000 words")
    assert lines[start + 2].split() == ["text", "perspective", "words", "notes", "per", "1,000", "words"]
    assert lines[start + 3].split() == ["alpha", "east", "70", "3", "42.9"]
    assert lines[start + 4].split() == ["beta", "west", "38", "0", "0.0"]


def test_balance_of_a_project_without_links(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"annotations/links/main.yaml": "links: []\n"})
    assert stats_json(project)["balance"] == {"links": []}
    assert "  no links" in run_stats("--project", str(project)).stdout.splitlines()
