"""One text, start to finish, in one pass: parse -> anchor -> find terms -> decorate -> body HTML.

This is the per-text stage of the build, and the only one that sees Markdown tokens.
It runs in worker processes for big projects, so its inputs are plain values and its
result is small: the text's block summaries (what search, previews and the glossary
read), its anchors and term occurrences, its notes, its diagnostics, and its body HTML
as a *template*: the parts that depend on other texts or on where the body is shown
(link labels, the page's depth, the id prefix of a compare column) are placeholders
filled in by `bodies.fill`. So a body is rendered once, wherever it appears.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from markdown_it import MarkdownIt

from builder.anchoring import TextIndex, anchor_selector
from builder.bodies import ID_PREFIX, ROOT, end_mark, label_slot, preview_slot
from builder.checks import check_footnotes
from builder.diagnostics import Diagnostic, Report, diagnostic_from, diagnostic_json
from builder.markdown import Marker, Span, decorate, make_markdown, render_markdown, render_tokens
from builder.model import Anchor, Link, Note, Text
from builder.terms import Occurrence, PhraseIndex, terms_in
from builder.textblocks import FOOTNOTE_MARK, parse_body
from builder.urls import Found, links_in, page_folder, placed


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """What the rest of the build needs of a block once its tokens are gone."""

    number: int
    kind: str
    text: str
    line: int
    section: int = 0
    label: str = ""
    level: int = 0
    """A heading's level (1 for h1 … 6 for h6); 0 for other blocks."""


@dataclass(frozen=True, slots=True)
class TextSummary:
    """A text's blocks (plain text, numbers, lines) and its `[^n]` markers without a definition."""

    blocks: tuple[BlockInfo, ...]
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Directory:
    """Where every text and term lives: enough to resolve `text:` and `term:` links from any text."""

    urls: dict[str, str]
    """Text slug -> its page, relative to the site root."""
    terms: dict[str, str]
    """Term id -> the term as printed."""

    def resolve(self, root: str, target: str) -> str | None:
        """`text:<slug>[#p<N>]` / `term:<id>` -> a URL relative to a page at `root` (None if unknown)."""
        scheme, _, rest = target.partition(":")
        name, _, fragment = rest.partition("#")
        if scheme == "text" and name in self.urls:
            return root + self.urls[name] + (f"#{fragment}" if fragment else "")
        if scheme == "term" and name in self.terms:
            return f"{root}glossary.html#{name}"
        return None


@dataclass(frozen=True, slots=True)
class Shared:
    """What every text of one build is processed with."""

    phrases: PhraseIndex
    glossary_links: str
    directory: Directory
    strict: bool

    @property
    def key(self) -> str:
        """Changes whenever anything here would change some text's result."""
        data = [
            sorted(self.phrases.owner.items()),
            self.glossary_links,
            sorted(self.directory.urls.items()),
            sorted(self.directory.terms.items()),
            self.strict,
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LinkEnd:
    """One end of a typed link that lies in the text being processed."""

    link: Link
    outgoing: bool
    """True at the link's `from` passage, False at its `to` passage."""
    other_url: str
    """The page of the other end's text, relative to the site root."""


@dataclass(frozen=True, slots=True)
class TextJob:
    text: Text
    notes: tuple[Note, ...]
    ends: tuple[LinkEnd, ...]

    def key(self, shared_key: str, engine: str) -> str:
        """Hash of everything the result depends on (the cache's key for this text)."""
        text = self.text
        data = [
            engine,
            shared_key,
            text.slug,
            text.kind,
            text.body,
            text.body_line,
            str(text.path),
            text.unresolved_refs,
            [a.affiliation for a in text.authors],
            [_note_key(n) for n in self.notes],
            [[_link_key(e.link), e.outgoing, e.other_url] for e in self.ends],
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _selector_key(selector: Any) -> list[Any]:
    return [selector.essay, selector.quote, selector.prefix, selector.suffix, str(selector.location)]


def _note_key(note: Note) -> list[Any]:
    return [note.id, note.body, _selector_key(note.at), str(note.location)]


def _link_key(link: Link) -> list[Any]:
    return [link.id, link.relation, _selector_key(link.source), _selector_key(link.target), str(link.location)]


@dataclass(frozen=True, slots=True)
class TextResult:
    """Everything the build keeps of one text after its per-text stage."""

    slug: str
    summary: TextSummary
    note_anchors: dict[str, Anchor]
    """Note id -> where it is anchored."""
    end_anchors: dict[str, Anchor]
    """`<link id>+` (from end) or `<link id>~` (to end) -> where it is anchored."""
    occurrences: tuple[Occurrence, ...]
    found_phrases: tuple[str, ...]
    notes: tuple[dict[str, Any], ...]
    """The notes as the page lists them: id, letter, html (a body template), block number."""
    diagnostics: tuple[Diagnostic, ...]
    links: tuple[Found, ...] = ()
    """Every link and image of the body (checked once every text's paragraphs are known)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "blocks": [[b.number, b.kind, b.text, b.line, b.section, b.label, b.level] for b in self.summary.blocks],
            "unresolved": list(self.summary.unresolved),
            "note_anchors": {k: _anchor_json(a) for k, a in self.note_anchors.items()},
            "end_anchors": {k: _anchor_json(a) for k, a in self.end_anchors.items()},
            "occurrences": [[o.term, o.block, o.start, o.end, o.dom_id, o.linked] for o in self.occurrences],
            "found_phrases": list(self.found_phrases),
            "notes": list(self.notes),
            "diagnostics": [diagnostic_json(d) for d in self.diagnostics],
            "links": [[f.kind, f.url, f.line, f.end_line, f.column] for f in self.links],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextResult:
        """The inverse of `to_json`; raises KeyError/TypeError/ValueError on anything malformed."""
        slug = str(data["slug"])
        blocks = tuple(
            BlockInfo(int(n), str(k), str(t), int(line), int(s), str(lab), int(lev))
            for n, k, t, line, s, lab, lev in data["blocks"]
        )
        return cls(
            slug,
            TextSummary(blocks, tuple(str(u) for u in data["unresolved"])),
            {str(k): _anchor_from(slug, v) for k, v in data["note_anchors"].items()},
            {str(k): _anchor_from(slug, v) for k, v in data["end_anchors"].items()},
            tuple(
                Occurrence(str(t), slug, int(b), int(s), int(e), str(d), bool(linked))
                for t, b, s, e, d, linked in data["occurrences"]
            ),
            tuple(str(p) for p in data["found_phrases"]),
            tuple(
                {"id": str(n["id"]), "letter": str(n["letter"]), "html": str(n["html"]), "block": int(n["block"])}
                for n in data["notes"]
            ),
            tuple(diagnostic_from(d) for d in data["diagnostics"]),
            tuple(_found_from(f) for f in data["links"]),
        )


def _found_from(value: list[Any]) -> Found:
    kind, url, line, end_line, column = value
    if kind not in ("link", "image"):
        raise ValueError(f"bad link kind {kind!r}")
    return Found(kind, str(url), int(line), int(end_line), int(column))


def _anchor_json(anchor: Anchor) -> list[Any]:
    return [anchor.block, anchor.start, anchor.end, anchor.dom_id, anchor.normalised_only]


def _anchor_from(slug: str, value: list[Any]) -> Anchor:
    block, start, end, dom_id, normalised = value
    return Anchor(slug, int(block), int(start), int(end), str(dom_id), bool(normalised))


end_key = end_mark


# ------------------------------------------------------------------ the work itself

_MD: MarkdownIt | None = None


def _markdown() -> MarkdownIt:
    """One MarkdownIt per process (workers make their own)."""
    global _MD
    if _MD is None:
        _MD = make_markdown()
    return _MD


def process_text(job: TextJob, shared: Shared) -> tuple[TextResult, str]:
    """The text's result and its body template."""
    md = _markdown()
    text = job.text
    report = Report(strict=shared.strict)
    parsed = parse_body(md, text.body, text.body_line)
    lines = text.body.splitlines()
    check_footnotes([text], {text.slug: parsed}, report)
    index = TextIndex.of(text.slug, text.path, parsed.blocks)
    note_anchors: dict[str, Anchor] = {}
    for note in job.notes:
        anchor = anchor_selector(note.at, index, f"anchor-note-{note.id}", report)
        if anchor is not None:
            note_anchors[note.id] = anchor
    end_anchors: dict[str, Anchor] = {}
    for end in job.ends:
        selector = end.link.source if end.outgoing else end.link.target
        dom_id = f"link-{end.link.id}" + ("" if end.outgoing else "-to")
        anchor = anchor_selector(selector, index, dom_id, report)
        if anchor is not None:
            end_anchors[end_key(end.link.id, end.outgoing)] = anchor
    found, phrases = terms_in(parsed, index, shared.phrases, shared.glossary_links)
    occurrences = tuple(
        Occurrence(term, text.slug, b, start, end, f"t-{term}-{i + 1}", linked)
        for i, (term, b, start, end, linked) in enumerate(found)
    )
    blocks = tuple(
        BlockInfo(
            b.number, b.kind, b.text, b.line, b.section, b.footnote_label, _level(parsed.tokens[b.open_index].tag)
        )
        for b in parsed.blocks
    )
    spans, notes = _spans(job, shared, blocks, note_anchors, end_anchors, occurrences, md)
    header_refs = {m[1] for a in text.authors for m in FOOTNOTE_MARK.finditer(a.affiliation)}
    env = {
        "id_prefix": ID_PREFIX,
        "footnotes": parsed.env.get("footnotes", {}),
        "header_refs": header_refs,
        "root": ROOT,  # links in a body: builder/urls.py (relative paths are written from the text's own page)
        "base": page_folder(text.url),
        "resolve": partial(shared.directory.resolve, ROOT),
    }
    body = render_tokens(md, decorate(parsed, spans, ID_PREFIX), env)
    result = TextResult(
        text.slug,
        TextSummary(blocks, parsed.unresolved),
        note_anchors,
        end_anchors,
        occurrences,
        tuple(phrases),
        tuple(notes),
        tuple(report.diagnostics),
        tuple(placed(found, lines) for found in links_in(parsed.tokens)),
    )
    return result, body


def _spans(
    job: TextJob,
    shared: Shared,
    blocks: tuple[BlockInfo, ...],
    note_anchors: dict[str, Anchor],
    end_anchors: dict[str, Anchor],
    occurrences: tuple[Occurrence, ...],
    md: MarkdownIt,
) -> tuple[list[Span], list[dict[str, Any]]]:
    """Everything to wrap in the text: note anchors, the ends of links that lie here, glossary occurrences."""
    from builder.render import inline_html  # render imports views, which need this module's types

    spans: list[Span] = []
    notes: list[dict[str, Any]] = []
    resolve = partial(shared.directory.resolve, ROOT)
    placed = sorted(
        ((note_anchors[n.id], n) for n in job.notes if n.id in note_anchors),
        key=lambda an: (an[0].block, an[0].start, an[1].id),
    )
    for i, (anchor, note) in enumerate(placed):
        letter = note_letter(i)
        html = inline_html(render_markdown(md, note.body, resolve))
        marker = Marker("note", f"#note-{note.id}", letter, f"note {letter}", dom_id=f"noteref-{note.id}", html=html)
        spans.append(
            Span(
                anchor.block, anchor.start, anchor.end, "anchor", anchor.dom_id, "anchor anchor-note", markers=(marker,)
            )
        )
        notes.append({"id": note.id, "letter": letter, "html": html, "block": blocks[anchor.block].number})
    for end in job.ends:
        here = end_anchors.get(end_key(end.link.id, end.outgoing))
        if here is None:
            continue
        link = end.link
        there = f"link-{link.id}-to" if end.outgoing else f"link-{link.id}"
        label = label_slot(link.id, end.outgoing)
        marker = Marker(
            "link",
            f"{ROOT}{end.other_url}#{there}",
            label,
            label,
            relation=link.relation,
            preview=preview_slot(link.id, end.outgoing),
        )
        classes = f"anchor anchor-link rel-{link.relation}"
        spans.append(Span(here.block, here.start, here.end, "anchor", here.dom_id, classes, markers=(marker,)))
    for occ in occurrences:
        href = f"{ROOT}glossary.html#{occ.term}" if occ.linked else ""
        spans.append(
            Span(
                occ.block,
                occ.start,
                occ.end,
                "term",
                occ.dom_id,
                "term" if occ.linked else "term-occ",
                href,
                shared.directory.terms.get(occ.term, "") if occ.linked else "",
            )
        )
    return spans, notes


def _level(tag: str) -> int:
    """h1 … h6 -> 1 … 6; any other tag -> 0."""
    return int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit() else 0


def note_letter(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: editor notes are lettered, never numbered with the authors' notes."""
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return letters
