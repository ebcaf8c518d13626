"""`counterpoint import FILE`: W3C Web Annotation JSON-LD (e.g. a Hypothesis export) -> notes in annotations/notes/.

Each annotation is read for what a note needs: the page it is on (its target's `source`,
matched to a text's page by the end of the URL, or `--text SLUG`), the words it is about
(a TextQuoteSelector, also inside a FragmentSelector's `refinedBy`; a FragmentSelector
`pN` picks the paragraph when the words occur more than once) and its comment (a
TextualBody's value, or Hypothesis's `text`). It is anchored with `check`'s own rules and
written by builder/annotate.py: appended to `annotations/notes/<slug>.yaml` (every
existing byte unchanged) with the text's own words as the quote and the shortest
prefix/suffix that makes it unique, then the project is checked with it. An annotation
that cannot be placed is listed with the reason, and nothing is written for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import click

from builder.annotate import Annotator, Refused, State
from builder.cli import project_option
from builder.diagnostics import excerpt

FRAGMENT = re.compile(r"p(\d+)")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One annotation of the file, as far as a note needs it."""

    name: str
    """How the listing names it: its id, or its number in the file."""
    source: str
    quote: str
    prefix: str
    suffix: str
    paragraph: int | None
    body: str
    note_id: str
    problem: str = ""
    """Why it cannot be a note at all ("" when it can)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    placed: str
    """`annotations/notes/<slug>.yaml:<line>` where it was written, or ""."""
    reason: str = ""


def annotations_in(data: Any) -> list[dict[str, Any]]:
    """The annotations of a collection, a page, a list (a Hypothesis export) or a single annotation."""
    if isinstance(data, list):
        return [a for item in data for a in annotations_in(item)]
    if not isinstance(data, dict):
        return []
    if "first" in data and isinstance(data["first"], dict):  # AnnotationCollection
        return annotations_in(data["first"])
    if "items" in data:  # AnnotationPage
        return annotations_in(data["items"])
    if "rows" in data:  # a Hypothesis search result
        return annotations_in(data["rows"])
    return [data]


def read_annotation(number: int, item: dict[str, Any]) -> Incoming:
    """What a note needs from one annotation (its `problem` says why it cannot be one)."""
    name = str(item.get("id") or f"annotation {number}")
    motivation = item.get("motivation", "commenting")
    targets = _as_list(item.get("target"))
    resource = next((t for t in targets if isinstance(t, dict)), {"source": targets[0]} if targets else {})
    source = str(resource.get("source") or resource.get("id") or item.get("uri") or "")
    quote, paragraph = _quote_selector(resource.get("selector")), _paragraph(resource.get("selector"))
    body = _comment(item)
    fragment = urlsplit(name).fragment
    note_id = fragment[len("note-") :] if fragment.startswith("note-") else ""
    problem = ""
    if motivation == "linking" or "linking" in _as_list(motivation):
        problem = "it is a link between two passages (motivation 'linking'): import takes notes only"
    elif len(targets) != 1:
        problem = f"it has {len(targets)} targets; a note is about one passage"
    elif quote is None:
        problem = "its target has no TextQuoteSelector (the quoted words are needed to anchor it)"
    elif not body.strip():
        problem = "it has no comment (no TextualBody value or text) to be the note's body"
    exact, prefix, suffix = quote or ("", "", "")
    return Incoming(name, source, exact, prefix, suffix, paragraph, body, note_id, problem)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _selectors(value: Any) -> Iterator[dict[str, Any]]:
    """Every selector, alternatives and refinements included."""
    for selector in _as_list(value):
        if isinstance(selector, dict):
            yield selector
            yield from _selectors(selector.get("refinedBy"))


def _quote_selector(value: Any) -> tuple[str, str, str] | None:
    for s in _selectors(value):
        if s.get("type") in ("TextQuoteSelector", "oa:TextQuoteSelector") and isinstance(s.get("exact"), str):
            return s["exact"], str(s.get("prefix", "")), str(s.get("suffix", ""))
    return None


def _paragraph(value: Any) -> int | None:
    for s in _selectors(value):
        found = FRAGMENT.fullmatch(str(s.get("value", ""))) if s.get("type") == "FragmentSelector" else None
        if found:
            return int(found[1])
    return None


def _comment(item: dict[str, Any]) -> str:
    """The note's Markdown: the commenting (or purpose-less) TextualBody, else Hypothesis's `text`."""
    for body in _as_list(item.get("body")):
        if isinstance(body, str):
            return body
        if isinstance(body, dict) and body.get("purpose", "commenting") in ("commenting", "describing"):
            value = body.get("value", body.get("chars"))
            if isinstance(value, str):
                return value
    text = item.get("text")
    return text if isinstance(text, str) else ""


def text_of(source: str, urls: dict[str, str]) -> str | None:
    """The slug whose page `source` is: the URL's path ends with the page's address in the site."""
    path = unquote(urlsplit(source).path)
    found = [slug for slug, url in urls.items() if path == url or path.endswith("/" + url)]
    return found[0] if len(found) == 1 else None


def import_file(root: Path, data: Any, text: str | None = None) -> list[Outcome]:
    """Place every annotation of `data` as a note of the project at `root`; one outcome each, in file order."""
    annotator = Annotator(root)
    urls = {slug: t.url for slug, t in State.read(root).texts.items()}
    outcomes = []
    for number, item in enumerate(annotations_in(data), 1):
        incoming = read_annotation(number, item)
        outcomes.append(_place(annotator, incoming, urls, text))
    return outcomes


def _place(annotator: Annotator, incoming: Incoming, urls: dict[str, str], text: str | None) -> Outcome:
    if incoming.problem:
        return Outcome(incoming.name, "", incoming.problem)
    slug = text or text_of(incoming.source, urls)
    if slug is None:
        return Outcome(
            incoming.name,
            "",
            f"its page '{excerpt(incoming.source, 60)}' is none of the texts' pages; "
            "name the text with --text SLUG if the file is about one text",
        )
    taken = {n.id for n in State.read(annotator.root).annotations.notes if n.essay == slug}
    request: dict[str, Any] = {
        "kind": "note",
        "text": slug,
        "quote": incoming.quote,
        "prefix": incoming.prefix,
        "suffix": incoming.suffix,
        "body": incoming.body.strip() + "\n",
    }
    if incoming.paragraph is not None:
        request["paragraph"] = incoming.paragraph
    if incoming.note_id and incoming.note_id not in taken and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", incoming.note_id):
        request["id"] = incoming.note_id
    try:
        written = annotator.create(request)
    except Refused as refused:
        first = refused.diagnostics[0] if refused.diagnostics else None
        reason = first.message + (f" ({first.hint.splitlines()[0]})" if first and first.hint else "") if first else ""
        return Outcome(incoming.name, "", reason or "it could not be anchored")
    return Outcome(incoming.name, f"{written.file}:{written.line}")


@click.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@project_option
@click.option("--text", "text", metavar="SLUG", default=None, help="Put every note on this text (whatever its page).")
def import_command(file: Any, project_dir: Path, text: str | None) -> None:
    """Import W3C Web Annotation JSON-LD (e.g. a Hypothesis export) as notes."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"{file.name} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    try:
        if text is not None:
            State.read(project_dir).text(text)
        outcomes = import_file(project_dir, data, text)
    except Refused as refused:
        for d in refused.diagnostics:
            click.echo(f"{d.location}: error: {d.message}" + (f"\n    hint: {d.hint}" if d.hint else ""), err=True)
        raise click.exceptions.Exit(1) from None
    for outcome in outcomes:
        if outcome.placed:
            click.echo(f"imported {outcome.name} -> {outcome.placed}")
        else:
            click.echo(f"not placed: {outcome.name}: {outcome.reason}", err=True)
    placed = sum(1 for o in outcomes if o.placed)
    click.echo(f"{placed} of {len(outcomes)} annotation(s) imported as notes", err=True)
    if placed < len(outcomes):
        raise click.exceptions.Exit(1)
