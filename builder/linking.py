"""Texts + annotations -> per-text jobs; per-text results -> the Reader: every reference resolved.

`plan` decides, before any text is parsed, what each text's job contains (its notes,
the ends of links that lie in it) and reports what can be known without parsing
(unknown texts, empty link quotes). `resolve` joins the per-text results into the
`Reader` that pages are drawn from, and checks what needs every text at once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from builder.diagnostics import Location, Report, report_unknown
from builder.model import Anchor, Annotations, Link, Note, SiteConfig, Term, Text
from builder.terms import Occurrence, PhraseIndex, term_phrases, warn_unfound
from builder.textwork import Directory, LinkEnd, Shared, TextJob, TextResult, TextSummary, end_key
from builder.urls import check_links


@dataclass(frozen=True, slots=True)
class Reader:
    """Everything the pages are drawn from, resolved, with the look-ups pages make indexed once.

    It holds no Markdown tokens and no HTML: each text's body was rendered by its
    per-text job, and only the text's block summaries (`parsed`) live to the end.
    """

    config: SiteConfig
    texts: dict[str, Text]
    parsed: dict[str, TextSummary]
    """Each text's blocks, by slug."""
    annotations: Annotations
    note_anchors: dict[tuple[str, str], Anchor]
    link_anchors: dict[str, tuple[Anchor, Anchor]]
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)
    """By text slug, in text order."""
    by_kind: dict[str, tuple[Text, ...]] = field(default_factory=dict)
    anchored_links: tuple[Link, ...] = ()
    notes_of: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    links_of: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    """Links with either end in the text, in file order."""
    debates_by_text: dict[str, tuple[Text, ...]] = field(default_factory=dict)
    """The debates each text belongs to (named in its front matter or listing it), in debate order."""
    notes_view: dict[str, tuple[dict[str, object], ...]] = field(default_factory=dict)
    """Each text's notes as its page lists them (letter, html template, ¶)."""
    terms_by_id: dict[str, Term] = field(default_factory=dict)

    def ordered(self, kind: str) -> list[Text]:
        return list(self.by_kind.get(kind, ()))

    def debates_of(self, essay: Text) -> list[Text]:
        return list(self.debates_by_text.get(essay.slug, ()))

    def links(self) -> tuple[Link, ...]:
        return self.anchored_links


def plan(
    config: SiteConfig, texts: list[Text], annotations: Annotations, report: Report
) -> tuple[list[TextJob], Shared]:
    """One job per text, and what every job shares; problems knowable before parsing are reported here."""
    by_slug = {t.slug: t for t in texts}
    _check_text_references(by_slug, report)
    _check_terms(annotations.terms, report)
    notes: dict[str, list[Note]] = {}
    reported: set[str] = set()
    for note in annotations.notes:
        if note.essay in by_slug:
            notes.setdefault(note.essay, []).append(note)
        elif note.essay not in reported and not report.is_unavailable("essay", note.essay):
            reported.add(note.essay)
            where = Location(PurePosixPath("annotations/notes") / f"{note.essay}.yaml")
            close = difflib.get_close_matches(note.essay, list(by_slug), n=1, cutoff=0.6)
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
    ends: dict[str, list[LinkEnd]] = {}
    for item in annotations.links:
        usable = True
        for selector in (item.source, item.target):
            if selector.essay not in by_slug:
                report_unknown(
                    report, "essay", selector.essay, list(by_slug), selector.essay_location or selector.location
                )
                usable = False
        if not usable:  # a link is shown at both ends or at neither
            continue
        ends.setdefault(item.source.essay, []).append(LinkEnd(item, True, by_slug[item.target.essay].url))
        ends.setdefault(item.target.essay, []).append(LinkEnd(item, False, by_slug[item.source.essay].url))
    directory = Directory({t.slug: t.url for t in texts}, {t.id: t.term for t in annotations.terms})
    shared = Shared(PhraseIndex.of(term_phrases(annotations.terms)), config.glossary_links, directory, report.strict)
    jobs = [TextJob(t, tuple(notes.get(t.slug, ())), tuple(ends.get(t.slug, ()))) for t in texts]
    return jobs, shared


def resolve(
    config: SiteConfig,
    texts: list[Text],
    annotations: Annotations,
    results: dict[str, TextResult],
    report: Report,
) -> Reader:
    """Join the per-text results: anchors of both ends of each link, occurrences, indexes for the pages."""
    by_slug = {t.slug: t for t in texts}
    for slug in sorted(results):
        report.diagnostics.extend(results[slug].diagnostics)
    note_anchors = {
        (slug, note_id): anchor for slug, result in results.items() for note_id, anchor in result.note_anchors.items()
    }
    link_anchors: dict[str, tuple[Anchor, Anchor]] = {}
    for item in annotations.links:
        source = results.get(item.source.essay)
        target = results.get(item.target.essay)
        if source is None or target is None:
            continue
        a = source.end_anchors.get(end_key(item.id, True))
        b = target.end_anchors.get(end_key(item.id, False))
        if a is not None and b is not None:
            link_anchors[item.id] = (a, b)
    occurrences = {slug: list(result.occurrences) for slug, result in sorted(results.items())}
    found: set[str] = {phrase for result in results.values() for phrase in result.found_phrases}
    if annotations.terms:
        blocks = (block.text for result in results.values() for block in result.summary.blocks)
        warn_unfound(annotations.terms, found, report, blocks)
    parsed = {slug: result.summary for slug, result in results.items()}
    body_links = {slug: list(result.links) for slug, result in results.items()}
    # links and images in bodies, notes, link notes and definitions must lead somewhere (builder/urls.py)
    check_links(annotations, by_slug, {slug: len(p.blocks) for slug, p in parsed.items()}, body_links, report)
    by_kind = {
        kind: tuple(
            sorted(
                (t for t in texts if t.kind == kind),
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
        t.slug: tuple(d for d in by_kind["debate"] if d.slug in t.debates or t.slug in d.essays) for t in texts
    }
    return Reader(
        config,
        by_slug,
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
        {slug: result.notes for slug, result in results.items()},
        {t.id: t for t in annotations.terms},
    )


def _check_text_references(texts: dict[str, Text], report: Report) -> None:
    debates = [s for s, t in texts.items() if t.kind == "debate"]
    essays = [s for s, t in texts.items() if t.kind == "essay"]
    for text in texts.values():
        for key, kind, known in (("debates", "debate", debates), ("essays", "essay", essays)):
            default = text.locations.get(key, text.locations[""])
            places = text.item_locations.get(key, ())
            for i, slug in enumerate(getattr(text, key)):
                if slug not in known:
                    report_unknown(report, kind, slug, known, places[i] if i < len(places) else default)
        if text.parent and text.parent not in texts:
            report_unknown(report, "text", text.parent, list(texts), text.locations.get("parent", text.locations[""]))


def _check_terms(terms: tuple[Term, ...], report: Report) -> None:
    ids = [t.id for t in terms]
    for term in terms:
        for see, location in zip(term.see, term.see_locations):
            if see not in ids:
                report_unknown(report, "term", see, ids, location)
            elif see == term.id:
                report.warning(location, f"term '{term.id}' lists itself in 'see'", "remove it", code="self-reference")
