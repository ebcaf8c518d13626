"""Pages drawn from the whole Reader: the debate map (SVG built in Python) and search (index as a classic script)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from builder import views
from builder.debate_map import MapEdge, MapNode, map_pairs, relation_words, render_map
from builder.keys import key_of
from builder.search import SearchDoc, SearchText, search_index_parts
from builder.specs import RELATIONS

if TYPE_CHECKING:
    from builder.render import RenderedPage, Renderer


def extra_pages(r: Renderer) -> list[RenderedPage | None]:
    from builder.render import LazyBody

    nodes, edges = map_graph(r)
    svg = LazyBody(key_of("map", nodes, edges), partial(render_map, nodes, edges))
    relations = [(rel, relation_words(rel)) for rel in RELATIONS if any(e.relation == rel for e in edges)]
    texts = search_texts(r)
    return [
        r.page("map.html", "map.html", svg=svg, pairs=map_pairs(nodes, edges), relations=relations),
        r.page("search.html", "search.html", examples=search_examples(r)),
        r.data_stream("search-index.js", search_key(r, texts), lambda: search_index_parts(search_docs(r), texts)),
    ]


def search_key(r: Renderer, texts: list[SearchText]) -> str:
    """What the index is made of, cheaply: each text's content key stands for its paragraphs."""
    reader = r.reader
    notes = [(n.essay, n.id, n.body) for n in reader.annotations.notes if (n.essay, n.id) in reader.note_anchors]
    terms = [(t.id, t.term, t.expansion, t.definition) for t in reader.annotations.terms]
    bodies = [
        (slug, reader.texts[slug].url, reader.texts[slug].title, r.body_keys.get(slug))
        for slug in sorted(reader.parsed)
    ]
    return key_of("search", bodies, notes, terms, texts)


def map_graph(r: Renderer) -> tuple[list[MapNode], list[MapEdge]]:
    reader = r.reader
    nodes = []
    for text in reader.ordered("essay"):
        p = views.perspective_view(reader, text)
        debates = reader.debates_of(text)
        group = debates[0] if debates else None
        nodes.append(
            MapNode(
                text.slug,
                text.title,
                text.url,
                p["label"] or "No perspective",
                p["colour"] or "#666666",
                group.slug if group else "",
                group.title if group else "",
            )
        )
    # rows of the map follow the debates' order, and each debate's own order of its texts
    rank_of = {d.slug: (i, d.essays) for i, d in enumerate(reader.ordered("debate"))}
    nodes.sort(key=lambda n: (n.group not in rank_of, *_place_in(rank_of.get(n.group, (0, ())), n.slug)))
    edges = [
        MapEdge(
            link.id,
            link.source.essay,
            link.target.essay,
            link.relation,
            relation_words(link.relation),
            views.link_href(reader, link, False, ""),
            views.link_href(reader, link, True, ""),
            f"¶{views.passage_number(reader, reader.link_anchors[link.id][0])}",
            f"¶{views.passage_number(reader, reader.link_anchors[link.id][1])}",
        )
        for link in reader.links()
        if reader.texts[link.source.essay].kind == "essay" and reader.texts[link.target.essay].kind == "essay"
    ]
    return nodes, edges


def _place_in(debate: tuple[int, tuple[str, ...]], slug: str) -> tuple[int, int]:
    """(the debate's rank, the text's rank in it): texts a debate does not list come after those it does."""
    rank, essays = debate
    return rank, essays.index(slug) if slug in essays else len(essays)


def plain(markdown: str) -> str:
    """Markdown of a note or definition -> the words a reader sees (links keep their text, not their URL)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`#>]+", "", text).strip()


def search_docs(r: Renderer) -> Iterator[SearchDoc]:
    """Every searchable passage, in reading order, one at a time."""
    reader = r.reader
    for slug, parsed in sorted(reader.parsed.items()):
        text = reader.texts[slug]
        yield from (
            SearchDoc(f"{text.url}#p{b.number}", text.title, "text", f"¶{b.number}", b.text)
            for b in parsed.blocks
            if b.text.strip()
        )
    for note in reader.annotations.notes:
        anchor = reader.note_anchors.get((note.essay, note.id))
        if anchor is not None:
            text = reader.texts[note.essay]
            yield (SearchDoc(f"{text.url}#note-{note.id}", text.title, "note", "Editor note", plain(note.body)))
    for term in reader.annotations.terms:
        yield (
            SearchDoc(
                f"glossary.html#{term.id}",
                term.term,
                "term",
                "Glossary",
                f"{term.term} {term.expansion} {plain(term.definition)}",
            )
        )


def search_texts(r: Renderer) -> list[SearchText]:
    """Every text's title, authors and outlet (searched as well, and ranked first)."""
    reader = r.reader
    out = []
    for slug in sorted(reader.parsed):
        text = reader.texts[slug]
        p = reader.config.perspective(text.perspective)
        out.append(
            SearchText(
                text.url,
                text.title,
                (p.key, p.label, p.colour) if p else None,
                ", ".join(a.name for a in text.authors),
                text.outlet,
            )
        )
    return out


def search_examples(r: Renderer) -> list[str]:
    """Words to try on the search page, from this project: its most frequent glossary terms and an author."""
    reader = r.reader
    count: dict[str, int] = {}
    for occs in reader.occurrences.values():
        for occ in occs:
            count[occ.term] = count.get(occ.term, 0) + 1
    terms = sorted(reader.annotations.terms, key=lambda t: (-count.get(t.id, 0), t.term.lower()))
    examples = [t.term for t in terms[:2]]
    authors = [a.name for t in reader.ordered("essay") for a in t.authors]
    return examples + authors[:1]
