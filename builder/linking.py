"""Texts + annotations + parsed blocks -> Reader: every reference resolved, anchors placed, terms found."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import PurePosixPath

from builder.anchoring import TextIndex, anchor_selector, fold
from builder.diagnostics import Location, Report
from builder.model import Anchor, Annotations, Link, Note, Selector, SiteConfig, Term, Text
from builder.textblocks import Block, ParsedText


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a glossary term occurs."""

    term: str
    essay: str
    block: int
    start: int
    end: int
    dom_id: str
    linked: bool


@dataclass(frozen=True, slots=True)
class Reader:
    """Everything the renderer needs, resolved, with the look-ups pages make indexed once."""

    config: SiteConfig
    texts: dict[str, Text]
    parsed: dict[str, ParsedText]
    annotations: Annotations
    note_anchors: dict[tuple[str, str], Anchor]
    link_anchors: dict[str, tuple[Anchor, Anchor]]
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)
    """By essay slug, in text order."""
    by_kind: dict[str, tuple[Text, ...]] = field(default_factory=dict)
    anchored_links: tuple[Link, ...] = ()
    notes_of: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    links_of: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    """Links with either end in the text, in file order."""
    debates_by_text: dict[str, tuple[Text, ...]] = field(default_factory=dict)
    """The debates each text belongs to (named in its front matter or listing it), in debate order."""
    text_keys: dict[str, str] = field(default_factory=dict)
    """Content hash of each parsed body (incremental builds key pages by it)."""

    def ordered(self, kind: str) -> list[Text]:
        return list(self.by_kind.get(kind, ()))

    def debates_of(self, essay: Text) -> list[Text]:
        return list(self.debates_by_text.get(essay.slug, ()))

    def links(self) -> tuple[Link, ...]:
        return self.anchored_links


def _indexed(
    config: SiteConfig,
    texts: dict[str, Text],
    annotations: Annotations,
    parsed: dict[str, ParsedText],
    note_anchors: dict[tuple[str, str], Anchor],
    link_anchors: dict[str, tuple[Anchor, Anchor]],
    occurrences: dict[str, list[Occurrence]],
) -> Reader:
    by_kind = {
        kind: tuple(
            sorted(
                (t for t in texts.values() if t.kind == kind),
                key=lambda t: (t.order if t.order is not None else 10_000, t.title.lower(), t.slug),
            )
        )
        for kind in ("essay", "debate", "page")
    }
    anchored = tuple(item for item in annotations.links if item.id in link_anchors)
    notes_of: dict[str, list[Note]] = {}
    for note in annotations.notes:
        notes_of.setdefault(note.essay, []).append(note)
    links_of: dict[str, list[Link]] = {}
    for item in anchored:
        for slug in dict.fromkeys((item.source.essay, item.target.essay)):
            links_of.setdefault(slug, []).append(item)
    debates_by_text = {
        t.slug: tuple(d for d in by_kind["debate"] if d.slug in t.debates or t.slug in d.essays) for t in texts.values()
    }
    return Reader(
        config,
        texts,
        parsed,
        annotations,
        note_anchors,
        link_anchors,
        occurrences,
        by_kind,
        anchored,
        {k: tuple(v) for k, v in notes_of.items()},
        {k: tuple(v) for k, v in links_of.items()},
        debates_by_text,
    )


@dataclass(slots=True)
class LinkMemo:
    """Anchors and term occurrences found in earlier builds, keyed by the text's content hash.

    Only successes are remembered: a quote that failed is searched again, so its
    diagnostic is always reported. `used` collects what this build needed, so the
    cache never grows with stale entries.
    """

    anchors: dict[tuple[str, ...], tuple[int, int, int, bool]] = field(default_factory=dict)
    terms: dict[tuple[str, ...], tuple[list[tuple[str, int, int, int, bool]], list[str]]] = field(default_factory=dict)
    used_anchors: dict[tuple[str, ...], tuple[int, int, int, bool]] = field(default_factory=dict)
    used_terms: dict[tuple[str, ...], tuple[list[tuple[str, int, int, int, bool]], list[str]]] = field(
        default_factory=dict
    )


def link(
    config: SiteConfig,
    texts: list[Text],
    annotations: Annotations,
    parsed: dict[str, ParsedText],
    report: Report,
    text_keys: dict[str, str] | None = None,
    memo: LinkMemo | None = None,
) -> Reader:
    """Resolve references, anchor every note and link, find glossary terms."""
    by_slug = {t.slug: t for t in texts}
    keys = text_keys or {}
    memo = memo if memo is not None else LinkMemo()
    _check_text_references(by_slug, report)
    indexes = {slug: TextIndex.of(slug, by_slug[slug].path, p.blocks) for slug, p in parsed.items()}
    anchor = partial(_anchor_memo, memo, keys)
    note_anchors = _anchor_notes(annotations.notes, indexes, report, anchor)
    link_anchors = _anchor_links(annotations.links, indexes, report, anchor)
    _check_terms(annotations.terms, report)
    _check_internal_links(annotations, by_slug, parsed, report)
    occurrences = find_terms(annotations.terms, by_slug, parsed, indexes, config, report, keys, memo)
    reader = _indexed(config, by_slug, annotations, parsed, note_anchors, link_anchors, occurrences)
    return replace(reader, text_keys=dict(text_keys or {}))


def _unknown(kind: str, value: str, choices: list[str], location: Location, report: Report) -> None:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else f"known {kind}s: {', '.join(sorted(choices)[:12])}" + (" …" if len(choices) > 12 else "")
    )
    report.error(location, f"unknown {kind} '{value}'", hint, code="unknown-reference")


def _check_text_references(texts: dict[str, Text], report: Report) -> None:
    debates = [s for s, t in texts.items() if t.kind == "debate"]
    essays = [s for s, t in texts.items() if t.kind == "essay"]
    for text in texts.values():
        for key, kind, known in (("debates", "debate", debates), ("essays", "essay", essays)):
            default = text.locations.get(key, text.locations[""])
            places = text.item_locations.get(key, ())
            for i, slug in enumerate(getattr(text, key)):
                if slug not in known:
                    _unknown(kind, slug, known, places[i] if i < len(places) else default, report)
        if text.parent and text.parent not in texts:
            _unknown("text", text.parent, list(texts), text.locations.get("parent", text.locations[""]), report)


def _index_for(slug: str, indexes: dict[str, TextIndex], location: Location, report: Report) -> TextIndex | None:
    index = indexes.get(slug)
    if index is None:
        _unknown("essay", slug, list(indexes), location, report)
    return index


def _anchor_memo(
    memo: LinkMemo, keys: dict[str, str], selector: Selector, index: TextIndex, dom_id: str, report: Report
) -> Anchor | None:
    """anchor_selector, remembered per (text content, selector)."""
    key = (keys.get(index.slug, ""), selector.quote, selector.prefix, selector.suffix)
    found = memo.anchors.get(key) if key[0] else None
    if found is not None:
        memo.used_anchors[key] = found
        return Anchor(index.slug, found[0], found[1], found[2], dom_id, found[3])
    anchor = anchor_selector(selector, index, dom_id, report)
    if anchor is not None and key[0]:
        memo.used_anchors[key] = (anchor.block, anchor.start, anchor.end, anchor.normalised_only)
    return anchor


def _anchor_notes(
    notes: tuple[Note, ...],
    indexes: dict[str, TextIndex],
    report: Report,
    anchor_one: Callable[..., Anchor | None] = anchor_selector,
) -> dict[tuple[str, str], Anchor]:
    anchors = {}
    reported: set[str] = set()
    for note in notes:
        index = indexes.get(note.essay)
        if index is None:
            if note.essay not in reported:
                reported.add(note.essay)
                where = Location(PurePosixPath("annotations/notes") / f"{note.essay}.yaml")
                close = difflib.get_close_matches(note.essay, list(indexes), n=1, cutoff=0.6)
                report.error(
                    where,
                    f"notes file names unknown essay '{note.essay}'",
                    (
                        f"rename it to {close[0]}.yaml"
                        if close
                        else "a notes file is named after the essay: annotations/notes/<essay-slug>.yaml"
                    ),
                    code="unknown-reference",
                )
            continue
        anchor = anchor_one(note.at, index, f"anchor-note-{note.id}", report)
        if anchor is not None:
            anchors[(note.essay, note.id)] = anchor
    return anchors


def _anchor_links(
    links: tuple[Link, ...],
    indexes: dict[str, TextIndex],
    report: Report,
    anchor_one: Callable[..., Anchor | None] = anchor_selector,
) -> dict[str, tuple[Anchor, Anchor]]:
    anchors = {}
    for item in links:
        ends = []
        for selector, dom_id in ((item.source, f"link-{item.id}"), (item.target, f"link-{item.id}-to")):
            index = _index_for(selector.essay, indexes, selector.essay_location or selector.location, report)
            ends.append(None if index is None else anchor_one(selector, index, dom_id, report))
        if ends[0] is not None and ends[1] is not None:
            anchors[item.id] = (ends[0], ends[1])
    return anchors


INTERNAL_LINK = re.compile(r"\]\((text|term):([^)#\s]*)(?:#([^)\s]*))?\)")


def _check_internal_links(
    annotations: Annotations, texts: dict[str, Text], parsed: dict[str, ParsedText], report: Report
) -> None:
    """`[…](text:slug#p12)` and `[…](term:id)` in notes, link notes and definitions must lead somewhere."""
    terms = [t.id for t in annotations.terms]
    sources = (
        [(n.body, n.location) for n in annotations.notes]
        + [(k.note, k.location) for k in annotations.links]
        + [(t.definition, t.location) for t in annotations.terms]
    )
    for markdown, location in sources:
        for found in INTERNAL_LINK.finditer(markdown):
            scheme, name, fragment = found[1], found[2], found[3] or ""
            if scheme == "term" and name not in terms:
                _unknown("term", name, terms, location, report)
            elif scheme == "text" and name not in texts:
                _unknown("text", name, list(texts), location, report)
            elif scheme == "text" and fragment:
                number = re.fullmatch(r"p(\d+)", fragment)
                count = len(parsed[name].blocks)
                if number is None or not 1 <= int(number[1]) <= count:
                    report.error(
                        location,
                        f"link to '{name}#{fragment}' names no paragraph",
                        f"'{name}' has paragraphs p1 to p{count}",
                        code="unknown-reference",
                    )


def _check_terms(terms: tuple[Term, ...], report: Report) -> None:
    ids = [t.id for t in terms]
    for term in terms:
        for see, location in zip(term.see, term.see_locations):
            if see not in ids:
                _unknown("term", see, ids, location, report)
            elif see == term.id:
                report.warning(location, f"term '{term.id}' lists itself in 'see'", "remove it", code="self-reference")


def term_phrases(terms: tuple[Term, ...]) -> list[tuple[str, str]]:
    """(phrase, term id), longest phrase first: the longest match wins."""
    pairs = {(phrase.strip(), t.id) for t in terms for phrase in (t.match or (t.term,)) if phrase.strip()}
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0].lower(), p[1]))


WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Term phrases by their first word, longest first: a text is scanned once, word by word.

    (One big regex alternation of every phrase is simple but slow in Python's engine,
    which tries each alternative at each position.)
    """

    by_first_word: dict[str, tuple[str, ...]]
    owner: dict[str, str]

    @classmethod
    def of(cls, pairs: list[tuple[str, str]]) -> PhraseIndex:
        by_first: dict[str, list[str]] = {}
        owner: dict[str, str] = {}
        for phrase, term in pairs:
            key = fold(phrase).text.lower().strip()
            first = WORD.match(key)
            if first is None or key in owner:
                continue
            owner[key] = term
            by_first.setdefault(first[0], []).append(key)
        return cls({w: tuple(sorted(ps, key=lambda p: (-len(p), p))) for w, ps in by_first.items()}, owner)

    def scan(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Non-overlapping (start, end, phrase) in folded text: whole words, case-insensitive, longest first."""
        lower = text.lower()
        if len(lower) != len(text):  # a character whose lower case is longer: offsets would drift
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        pos = 0
        for word in WORD.finditer(lower):
            if word.start() < pos:
                continue
            for phrase in self.by_first_word.get(word[0], ()):
                end = word.start() + len(phrase)
                if lower.startswith(phrase, word.start()) and (end == len(lower) or not _is_word(lower[end])):
                    yield word.start(), end, phrase
                    pos = end
                    break


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def find_terms(
    terms: tuple[Term, ...],
    texts: dict[str, Text],
    parsed: dict[str, ParsedText],
    indexes: dict[str, TextIndex],
    config: SiteConfig,
    report: Report,
    text_keys: dict[str, str] | None = None,
    memo: LinkMemo | None = None,
) -> dict[str, list[Occurrence]]:
    """Every occurrence of every term, outside headings and links; which ones link follows the site option."""
    pairs = term_phrases(terms)
    phrases = PhraseIndex.of(pairs)
    found_phrases: set[str] = set()
    result: dict[str, list[Occurrence]] = {}
    if not phrases.owner:
        return result
    memo = memo if memo is not None else LinkMemo()
    phrases_key = repr((pairs, config.glossary_links))
    for slug in sorted(parsed):
        key = ((text_keys or {}).get(slug, ""), phrases_key)
        cached = memo.terms.get(key) if key[0] else None
        if cached is None:
            cached = _terms_in(parsed[slug], indexes[slug], phrases, config)
        if key[0]:
            memo.used_terms[key] = cached
        found, keys_found = cached
        result[slug] = [
            Occurrence(term, slug, b, start, end, f"t-{term}-{i + 1}", linked)
            for i, (term, b, start, end, linked) in enumerate(found)
        ]
        found_phrases.update(keys_found)
    _warn_unfound(terms, found_phrases, report)
    return result


def _terms_in(
    parsed: ParsedText, index: TextIndex, phrases: PhraseIndex, config: SiteConfig
) -> tuple[list[tuple[str, int, int, int, bool]], list[str]]:
    """(term, block, start, end, linked) for one text, and the phrases found in it."""
    seen: set[tuple[str, int]] = set()
    found: list[tuple[str, int, int, int, bool]] = []
    keys: set[str] = set()
    for b, (block, folded) in enumerate(zip(parsed.blocks, index.folded)):
        if block.kind == "heading":
            continue
        for fstart, fend, key in phrases.scan(folded.text):
            term = phrases.owner[key]
            start, end = folded.origin[fstart], folded.origin[fend - 1] + 1
            if (
                _in_link(block.link_ranges, start, end)
                or not _wrappable(block, start, end)
                or _in_address(block.text, start, end)
            ):
                continue
            keys.add(key)
            scope = {"all": (term, len(found)), "first-in-page": (term, 0), "first-in-section": (term, block.section)}[
                config.glossary_links
            ]
            linked = scope not in seen
            seen.add(scope)
            found.append((term, b, start, end, linked))
    return found, sorted(keys)


def _in_link(ranges: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in ranges)


def _in_address(text: str, start: int, end: int) -> bool:
    """Never inside a web or mail address written out in a citation ("europa.eu", "wto.org/…")."""
    word_start = text.rfind(" ", 0, start) + 1
    word_end = text.find(" ", end)
    word = text[word_start:] if word_end < 0 else text[word_start:word_end]
    return (
        "://" in word
        or "www." in word
        or "@" in word
        or bool(re.search(r"[a-z0-9-]\.(eu|org|com|int|net|gov|cn|edu|info|io)\b", word, re.I))
    )


def _wrappable(block: Block, start: int, end: int) -> bool:
    """A term is wrapped only inside one text run (never across markup)."""
    pieces = block.pieces
    return any(p.wrappable and p.start <= start and end <= p.start + p.length for p in pieces)


def _warn_unfound(terms: tuple[Term, ...], found: set[str], report: Report) -> None:
    for term in terms:
        phrases = [p for p in (term.match or (term.term,)) if p.strip()]
        missing = [p for p in phrases if fold(p).text.lower().strip() not in found]
        if phrases and len(missing) == len(phrases):
            report.warning(
                term.location,
                f"term '{term.id}' occurs in no text",
                "check the match phrases, or remove the term",
                code="unused-term",
            )
        else:
            places = dict(zip(term.match, term.match_locations))
            for phrase in missing:
                report.warning(
                    places.get(phrase, term.location),
                    f"match phrase '{phrase}' of term '{term.id}' is found nowhere",
                    "remove the phrase or correct its spelling",
                    code="unused-phrase",
                )
