"""`counterpoint export`: the editorial layer (notes and links) as W3C Web Annotation JSON-LD.

See https://www.w3.org/TR/annotation-model/. The output is one AnnotationCollection whose
first (and only) AnnotationPage embeds every annotation; keys are sorted, notes come first
(by essay slug, then position in the essay, then id), then links (by id). The same
project always exports byte-identical JSON, which a JSON-LD processor expands without
dropping a triple: every id and source is absolute, so the export needs the address the
site is published at (`base_url` in site.toml, or `--base-url`).

Annotation ids are the page's URL plus the id the built site gives the note or link
("https://example.org/reader/essays/alpha.html#note-winner"), so they resolve.

A note::

    {"id": "<base>essays/alpha.html#note-winner", "type": "Annotation", "motivation": "commenting",
     "creator": {"type": "Organization", "name": "editors"},
     "body": {"type": "TextualBody", "purpose": "commenting", "format": "text/markdown",
              "language": "en", "value": "<the note's Markdown>"},
     "target": PASSAGE}

A link (the `from` passage is the target, the `to` passage the first body; the relation a
semantic tag whose IRI is `<base>vocab#<relation>`, documented in docs/reference.md)::

    {"id": "<base>essays/beta.html#link-who-gains", "type": "Annotation", "motivation": "linking",
     "creator": {...},
     "body": [PASSAGE,
              {"type": "TextualBody", "purpose": "commenting", ...note...},    # when the link has a note
              {"type": "SpecificResource", "purpose": "tagging", "source": "<base>vocab#rebuts"}],
     "target": PASSAGE}

where PASSAGE is the numbered paragraph, refined by the words in it::

    {"type": "SpecificResource", "source": "<base>essays/alpha.html",
     "selector": {"type": "FragmentSelector", "value": "p3", "conformsTo": "http://tools.ietf.org/rfc/rfc3236",
                  "refinedBy": {"type": "TextQuoteSelector", "exact": "<the anchored words, as in the text>",
                                "prefix": "<up to 32 characters before them in the paragraph>",
                                "suffix": "<up to 32 characters after them>"}}}

prefix/suffix are taken from the paragraph's plain text around the match (at least 32
characters, more when the editor's own prefix/suffix was longer), and left out when the
passage starts or ends the paragraph.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import click

from builder.cli import project_option
from builder.diagnostics import Report, run_reporting
from builder.linking import Reader
from builder.model import Anchor, Link, Note, Selector
from builder.pipeline import Project, load_reader

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
HTML_FRAGMENT = "http://tools.ietf.org/rfc/rfc3236"
"""The fragment syntax of HTML (`#p3` names the element with id p3), as the model's FragmentSelector table names it."""
CONTEXT_CHARS = 32
CREATOR = {"type": "Organization", "name": "editors"}
VOCAB = "vocab#"
"""The relations' IRIs are `<base_url>vocab#<relation>` (docs/reference.md, "export")."""


def relation_iri(base_url: str, relation: str) -> str:
    return f"{base_url}{VOCAB}{relation}"


def passage(reader: Reader, anchor: Anchor, selector: Selector, base_url: str) -> dict[str, Any]:
    """A SpecificResource for an anchored passage: the paragraph, refined by the quoted words in it."""
    block = reader.parsed[anchor.essay].blocks[anchor.block]
    before = max(CONTEXT_CHARS, len(selector.prefix.strip()) + 1)
    after = max(CONTEXT_CHARS, len(selector.suffix.strip()) + 1)
    quote = {
        "type": "TextQuoteSelector",
        "exact": block.text[anchor.start : anchor.end],
        "prefix": block.text[max(0, anchor.start - before) : anchor.start],
        "suffix": block.text[anchor.end : anchor.end + after],
    }
    return {
        "type": "SpecificResource",
        "source": base_url + reader.texts[anchor.essay].url,
        "selector": {
            "type": "FragmentSelector",
            "value": f"p{block.number}",
            "conformsTo": HTML_FRAGMENT,
            "refinedBy": {key: value for key, value in quote.items() if value},
        },
    }


def _markdown_body(value: str, language: str) -> dict[str, Any]:
    return {
        "type": "TextualBody",
        "purpose": "commenting",
        "format": "text/markdown",
        "language": language,
        "value": value.strip(),
    }


def note_annotation(reader: Reader, note: Note, anchor: Anchor, base_url: str) -> dict[str, Any]:
    return {
        "id": f"{base_url}{reader.texts[note.essay].url}#note-{note.id}",
        "type": "Annotation",
        "motivation": "commenting",
        "creator": dict(CREATOR),
        "body": _markdown_body(note.body, reader.config.language),
        "target": passage(reader, anchor, note.at, base_url),
    }


def link_annotation(reader: Reader, link: Link, base_url: str) -> dict[str, Any]:
    source, target = reader.link_anchors[link.id]
    body: list[dict[str, Any]] = [passage(reader, target, link.target, base_url)]
    if link.note.strip():
        body.append(_markdown_body(link.note, reader.config.language))
    body.append({"type": "SpecificResource", "purpose": "tagging", "source": relation_iri(base_url, link.relation)})
    return {
        "id": f"{base_url}{reader.texts[link.source.essay].url}#link-{link.id}",
        "type": "Annotation",
        "motivation": "linking",
        "creator": dict(CREATOR),
        "body": body,
        "target": passage(reader, source, link.source, base_url),
    }


def export_annotations(reader: Reader, base_url: str) -> dict[str, Any]:
    """Every anchored note and link as one AnnotationCollection (see the module docstring)."""
    if not base_url.endswith("/"):
        base_url += "/"
    notes = sorted(
        (
            (anchor, note)
            for note in reader.annotations.notes
            for anchor in [reader.note_anchors.get((note.essay, note.id))]
            if anchor is not None
        ),
        key=lambda an: (an[1].essay, an[0].block, an[0].start, an[1].id),
    )
    items = [note_annotation(reader, note, anchor, base_url) for anchor, note in notes]
    items += [link_annotation(reader, link, base_url) for link in sorted(reader.links(), key=lambda x: x.id)]
    collection_id = f"{base_url}annotations.jsonld"
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"{reader.config.title}: editors' notes and links",
        "total": len(items),
        "first": {"id": f"{collection_id}#page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def dumps(data: dict[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, UTF-8 kept, final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write a file beside its destination, then move it into place."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _check_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if not value:
        return ""
    if not value.lower().startswith(("http://", "https://")) or " " in value:
        raise click.BadParameter("must be an http(s) URL, e.g. https://example.org/reader/")
    return value


@click.command("export")
@project_option
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("-"),
    show_default=True,
    help="File to write; '-' for standard output.",
)
@click.option(
    "--base-url",
    "base_url",
    default=None,
    callback=_check_base_url,
    metavar="URL",
    help="Where the site is published (default: site.toml's base_url); ids and URLs are made absolute from it.",
)
def export_command(project_dir: Path, out: Path, base_url: str) -> None:
    """Export all notes and links as W3C Web Annotation JSON-LD."""
    report = Report()
    reader = run_reporting(lambda: load_reader(Project(project_dir), report), report)
    base_url = base_url or reader.config.base_url
    if not base_url:
        raise click.UsageError(
            "export needs the address the site is published at, so that every id is absolute "
            "(a JSON-LD processor drops relative ones): set base_url in site.toml "
            '(base_url = "https://example.org/reader/") or pass --base-url URL'
        )
    text = dumps(export_annotations(reader, base_url))
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        write_atomically(out, text)
        click.echo(f"exported {len(reader.note_anchors) + len(reader.links())} annotations to {out}", err=True)
