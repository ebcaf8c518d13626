"""`counterpoint stats`: what the editorial layer covers, per essay, and what an editor may want to tighten.

Text output (the default) is a table with aligned columns, then three lists: terms found
nowhere, essays with no links, quotes that match only after normalisation; then the balance
tables: links by pair of perspectives and relation, and notes per 1,000 words per text.

`--format json` prints one object with this stable shape (`version` changes only when a
key is removed or changes meaning; new keys may be added)::

    {
      "version": 1,
      "title": "Minimal reader",                  # site.toml title
      "totals": {"essays": 2, "notes": 3, "links": 2, "terms": 2, "occurrences": 6},
      "texts": [                                   # every essay (reading order), then any debate
        {                                          # or page that carries notes, links or terms
          "slug": "alpha", "kind": "essay", "title": "…", "perspective": "east",
          "notes": 3,                              # editor notes anchored in this text
          "links_out": {"total": 1, "by_relation": {"rebuts": 0, "supports": 0, "qualifies": 0,
                                                    "contextualises": 0, "same-event": 1}},
          "links_in":  {"total": 1, "by_relation": {...same five keys...}},
          "glossary":  {"total": 5, "by_term": {"helsinki-final-act": 2, "indivisible-security": 3}},
          "words": 70,                             # words of the text's blocks (see below)
          "notes_per_1000_words": 42.9             # notes * 1000 / words, one decimal; 0 if no words
        }
      ],
      "balance": {
        "links": [                                 # one row per (from, to) pair of perspectives,
          {"from": "west", "to": "east",           # most links first, then by from and to
           "total": 1, "by_relation": {...the five relations...}}
        ]
      },
      "terms_found_nowhere": [{"id": "…", "term": "…", "path": "annotations/glossary.yaml",
                               "line": 7, "column": 5}],
      "essays_without_links": ["slug", …],
      "normalised_quotes": [                       # sorted by path, line, column
        {"kind": "note" | "link", "id": "winner", "end": "at" | "from" | "to",
         "essay": "alpha", "paragraph": 3,         # the p<n> id of the block in the page
         "path": "annotations/notes/alpha.yaml", "line": 3, "column": 18,   # the `quote:`
         "text_path": "content/alpha.md", "text_line": 16,                  # the block in the text
         "quote": "what the editor wrote", "text": "the exact words in the essay"}
      ]
    }

A link counts as "out" at its `from` essay and "in" at its `to` essay (a `same-event`
link too, although it reads the same both ways). Glossary occurrences are those the
reader marks (outside headings and links), whether or not they link to the glossary.
The balance table pairs the perspectives of a link's `from` and `to` texts (`-` in text
output, null in JSON, for a text without one), so that "east → west" and "west → east"
are two rows. Words are runs of letters and digits (with inner apostrophes and hyphens)
in every numbered block of the text: headings, paragraphs, list items, quotes, tables and
footnotes, as the reader shows them.
Exit codes: 0 ok, 1 the project has errors (the report goes to stderr), 2 usage.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from builder.cli import project_option
from builder.diagnostics import Report, run_reporting
from builder.linking import Reader
from builder.model import Anchor, Selector, Text
from builder.pipeline import Project, load_reader
from builder.views import RELATION_ORDER

STATS_FORMAT_VERSION = 1
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _relation_counts() -> dict[str, int]:
    return {relation: 0 for relation in RELATION_ORDER}


def _text_entry(text: Text, reader: Reader) -> dict[str, Any]:
    links_out, links_in = _relation_counts(), _relation_counts()
    for item in reader.links_of.get(text.slug, ()):
        if item.source.essay == text.slug:
            links_out[item.relation] += 1
        if item.target.essay == text.slug:
            links_in[item.relation] += 1
    by_term: dict[str, int] = {}
    for occurrence in reader.occurrences.get(text.slug, []):
        by_term[occurrence.term] = by_term.get(occurrence.term, 0) + 1
    notes = sum(1 for (essay, _) in reader.note_anchors if essay == text.slug)
    words = sum(len(WORD.findall(block.text)) for block in reader.parsed[text.slug].blocks)
    return {
        "slug": text.slug,
        "kind": text.kind,
        "title": text.title,
        "perspective": text.perspective,
        "notes": notes,
        "links_out": {"total": sum(links_out.values()), "by_relation": links_out},
        "links_in": {"total": sum(links_in.values()), "by_relation": links_in},
        "glossary": {"total": sum(by_term.values()), "by_term": dict(sorted(by_term.items()))},
        "words": words,
        "notes_per_1000_words": round(notes * 1000 / words, 1) if words else 0.0,
    }


def _balance(reader: Reader) -> list[dict[str, Any]]:
    """Links counted by the perspectives of their two ends, most links first."""
    pairs: dict[tuple[str | None, str | None], dict[str, int]] = {}
    for item in reader.links():
        key = (reader.texts[item.source.essay].perspective, reader.texts[item.target.essay].perspective)
        pairs.setdefault(key, _relation_counts())[item.relation] += 1
    rows = [
        {"from": a, "to": b, "total": sum(counts.values()), "by_relation": counts} for (a, b), counts in pairs.items()
    ]
    return sorted(rows, key=lambda r: (-r["total"], r["from"] or "", r["to"] or ""))


def _is_empty(entry: dict[str, Any]) -> bool:
    return not (
        entry["notes"] or entry["links_out"]["total"] or entry["links_in"]["total"] or entry["glossary"]["total"]
    )


def _normalised(kind: str, ident: str, end: str, selector: Selector, anchor: Anchor, reader: Reader) -> dict[str, Any]:
    block = reader.parsed[anchor.essay].blocks[anchor.block]
    location = selector.location
    return {
        "kind": kind,
        "id": ident,
        "end": end,
        "essay": anchor.essay,
        "paragraph": block.number,
        "path": str(location.path),
        "line": location.line,
        "column": location.column,
        "text_path": str(reader.texts[anchor.essay].path),
        "text_line": block.line,
        "quote": selector.quote,
        "text": block.text[anchor.start : anchor.end],
    }


def collect_stats(reader: Reader) -> dict[str, Any]:
    """The stats of a linked Reader, in the shape documented above."""
    texts = [_text_entry(t, reader) for t in reader.ordered("essay")]
    for kind in ("debate", "page"):
        texts += [e for e in (_text_entry(t, reader) for t in reader.ordered(kind)) if not _is_empty(e)]
    found = {o.term for occurrences in reader.occurrences.values() for o in occurrences}
    nowhere = [
        {"id": t.id, "term": t.term, "path": str(t.location.path), "line": t.location.line, "column": t.location.column}
        for t in reader.annotations.terms
        if t.id not in found
    ]
    unlinked = [
        e["slug"] for e in texts if e["kind"] == "essay" and not (e["links_out"]["total"] or e["links_in"]["total"])
    ]
    quotes = [
        _normalised("note", note.id, "at", note.at, anchor, reader)
        for note in reader.annotations.notes
        for anchor in [reader.note_anchors.get((note.essay, note.id))]
        if anchor is not None and anchor.normalised_only
    ]
    for item in reader.links():
        source, target = reader.link_anchors[item.id]
        for end, selector, anchor in (("from", item.source, source), ("to", item.target, target)):
            if anchor.normalised_only:
                quotes.append(_normalised("link", item.id, end, selector, anchor, reader))
    quotes.sort(key=lambda q: (q["path"], q["line"], q["column"], q["kind"], q["id"], q["end"]))
    occurrences = sum(len(o) for o in reader.occurrences.values())
    return {
        "version": STATS_FORMAT_VERSION,
        "title": reader.config.title,
        "totals": {
            "essays": len(reader.ordered("essay")),
            "notes": len(reader.note_anchors),
            "links": len(reader.links()),
            "terms": len(reader.annotations.terms),
            "occurrences": occurrences,
        },
        "texts": texts,
        "terms_found_nowhere": sorted(nowhere, key=lambda t: (t["path"], t["line"], t["column"], t["id"])),
        "essays_without_links": unlinked,
        "normalised_quotes": quotes,
        "balance": {"links": _balance(reader)},
    }


def _relations(counts: dict[str, Any]) -> str:
    parts = [f"{relation} {n}" for relation, n in counts["by_relation"].items() if n]
    return ", ".join(parts) if parts else "-"


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_stats_text(stats: dict[str, Any]) -> str:
    """The stats as aligned columns and lists, for a terminal."""
    totals = stats["totals"]
    lines = [
        f"{stats['title']}: {totals['essays']} essays, {totals['notes']} notes, {totals['links']} links, "
        f"{totals['terms']} terms ({totals['occurrences']} occurrences)",
        "",
    ]
    rows = [["text", "kind", "perspective", "notes", "links out", "links in", "glossary", "title"]]
    for e in stats["texts"]:
        rows.append(
            [
                e["slug"],
                e["kind"],
                e["perspective"] or "-",
                str(e["notes"]),
                _relations(e["links_out"]),
                _relations(e["links_in"]),
                str(e["glossary"]["total"]),
                e["title"],
            ]
        )
    lines += _table(rows, right={3, 6})
    nowhere = stats["terms_found_nowhere"]
    lines += ["", f"Terms found nowhere ({len(nowhere)})" + (":" if nowhere else ": none")]
    lines += [f"  {t['path']}:{t['line']}:{t['column']}: {t['id']} ({t['term']})" for t in nowhere]
    unlinked = stats["essays_without_links"]
    lines += ["", f"Essays with no links ({len(unlinked)})" + (": " + ", ".join(unlinked) if unlinked else ": none")]
    quotes = stats["normalised_quotes"]
    lines += ["", f"Quotes that match only after normalisation ({len(quotes)})" + (":" if quotes else ": none")]
    for q in quotes:
        end = "" if q["kind"] == "note" else f" ({q['end']})"
        lines.append(
            f"  {q['path']}:{q['line']}:{q['column']}: {q['kind']} '{q['id']}'{end} in {q['essay']} "
            f"¶{q['paragraph']} ({q['text_path']}:{q['text_line']})"
        )
        lines.append(f"    quote: {q['quote']}")
        lines.append(f"    text:  {q['text']}")
    return "\n".join(lines + _balance_lines(stats))


def _balance_lines(stats: dict[str, Any]) -> list[str]:
    """The balance tables: links by pair of perspectives and relation; notes per 1,000 words."""
    relations = list(_relation_counts())
    lines = ["", "Balance: links by perspective of their two ends (from → to)", ""]
    rows = [["from", "to", "links", *relations]]
    for pair in stats["balance"]["links"]:
        counts = [str(pair["by_relation"][r]) for r in relations]
        rows.append([pair["from"] or "-", pair["to"] or "-", str(pair["total"]), *counts])
    lines += _table(rows, right=set(range(2, 3 + len(relations)))) if len(rows) > 1 else ["  no links"]
    lines += ["", "Balance: notes per 1,000 words", ""]
    rows = [["text", "perspective", "words", "notes", "per 1,000 words"]]
    for e in stats["texts"]:
        rows.append(
            [e["slug"], e["perspective"] or "-", str(e["words"]), str(e["notes"]), f"{e['notes_per_1000_words']:.1f}"]
        )
    return lines + _table(rows, right={2, 3, 4})


@click.command("stats")
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats_command(project_dir: Path, fmt: str) -> None:
    """Count notes, links and glossary occurrences per essay; list what to tighten."""
    report = Report()
    reader = run_reporting(lambda: load_reader(Project(project_dir), report), report)
    stats = collect_stats(reader)
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        click.echo(format_stats_text(stats))
