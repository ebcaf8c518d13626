"""Reader -> template views: relative URLs, labels, dialogue panels, contents and sequences, computed here, not in templates."""

from __future__ import annotations

import re
from typing import Any

from builder.linking import Reader
from builder.model import Anchor, Link, Text
from builder.terms import Occurrence

INVERSE = {
    "rebuts": "rebutted by",
    "supports": "supported by",
    "qualifies": "qualified by",
    "contextualises": "contextualised by",
    "same-event": "same event as",
}
RELATION_ORDER = ("rebuts", "supports", "qualifies", "contextualises", "same-event")


def passage_number(reader: Reader, anchor: Anchor) -> int:
    return reader.parsed[anchor.essay].blocks[anchor.block].number


def passage_words(reader: Reader, anchor: Anchor, width: int = 280) -> str:
    text = reader.parsed[anchor.essay].blocks[anchor.block].text
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


SHORT_TITLE = 40
"""At most this many characters of a title name it on a marker (the `short_title` key's limit too)."""


def short_title(text: Text) -> str:
    """A few words naming a text on a marker: its `short_title`, else the title before a colon, else cut at a word."""
    if text.short_title:
        return text.short_title
    title = " ".join(text.title.split())
    head = re.split(r"(?<=\?)\s|:\s", title, maxsplit=1)[0]
    if head != title and 8 <= len(head) <= SHORT_TITLE:
        return head
    if len(title) <= SHORT_TITLE + 8:  # a title barely over the limit reads better whole than cut
        return title
    cut = title[: SHORT_TITLE - 1].rsplit(" ", 1)[0].rstrip(",;:–—-(")
    return cut + "…"


def link_label(reader: Reader, link: Link, outgoing: bool) -> str:
    """What a marker says: the relation, an arrow, the other text's short title and its ¶ ("rebuts → Title ¶2")."""
    other = link.target if outgoing else link.source
    anchor = reader.link_anchors[link.id][1 if outgoing else 0]
    title = short_title(reader.texts[other.essay])
    relation = link.relation if outgoing else INVERSE[link.relation]
    arrow = "→" if outgoing else "←"
    if link.relation == "same-event":
        relation, arrow = "same event", "↔"
    return f"{relation} {arrow} {title} ¶{passage_number(reader, anchor)}"


def link_href(reader: Reader, link: Link, outgoing: bool, root: str) -> str:
    other = link.target if outgoing else link.source
    dom = f"link-{link.id}-to" if outgoing else f"link-{link.id}"
    return f"{root}{reader.texts[other.essay].url}#{dom}"


def dialogue(reader: Reader, text: Text, root: str) -> list[dict[str, Any]]:
    """ "In dialogue with": every text this one links to or is linked from, grouped by relation."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for link in reader.links_of.get(text.slug, ()):
        for outgoing in (True, False):
            mine = link.source if outgoing else link.target
            other = link.target if outgoing else link.source
            if mine.essay != text.slug:
                continue
            relation = link.relation if outgoing or link.relation == "same-event" else INVERSE[link.relation]
            anchors = reader.link_anchors[link.id]
            here, there = (anchors[0], anchors[1]) if outgoing else (anchors[1], anchors[0])
            groups.setdefault(relation, []).append(
                {
                    "essay": reader.texts[other.essay].title,
                    "perspective": perspective_view(reader, reader.texts[other.essay]),
                    "href": link_href(reader, link, outgoing, root),
                    "here_href": f"#{here.dom_id}",
                    "here_number": passage_number(reader, here),
                    "there_number": passage_number(reader, there),
                    "quote": other.quote,
                    "note_html": "",
                    "id": link.id,
                }
            )
    order = list(RELATION_ORDER) + [INVERSE[r] for r in RELATION_ORDER]
    return [
        {"relation": r, "items": sorted(groups[r], key=lambda i: (i["essay"], i["here_number"]))}
        for r in sorted(groups, key=order.index)
    ]


def perspective_view(reader: Reader, text: Text) -> dict[str, str]:
    p = reader.config.perspective(text.perspective)
    if p is None:
        return {"key": "", "label": "", "colour": ""}
    return {"key": p.key, "label": p.label, "colour": p.colour}


def byline(text: Text) -> str:
    return ", ".join(a.name for a in text.authors) or "not stated"


def occurrences_context(reader: Reader, occ: Occurrence, words: int = 6) -> tuple[str, str, str]:
    """A few words either side of an occurrence, keeping the spaces that touch the term."""
    text = reader.parsed[occ.essay].blocks[occ.block].text
    head, tail = text[: occ.start], text[occ.end :]
    before = " ".join(head.split()[-words:]) + (" " if head[-1:].isspace() else "")
    after = (" " if tail[:1].isspace() else "") + " ".join(tail.split()[:words])
    return before, text[occ.start : occ.end], after


def toc(reader: Reader, text: Text) -> list[dict[str, Any]]:
    """A text's headings, in order, each leading to its block (`#p<N>`), a lower heading nested in the one
    above it (`children`): its table of contents."""
    top: list[dict[str, Any]] = []
    open_: list[tuple[int, list[dict[str, Any]]]] = [(0, top)]
    for b in reader.parsed[text.slug].blocks:
        if b.kind != "heading" or not b.text.strip():
            continue
        while len(open_) > 1 and open_[-1][0] >= b.level:
            open_.pop()
        item: dict[str, Any] = {"number": b.number, "title": b.text, "href": f"#p{b.number}", "children": []}
        open_[-1][1].append(item)
        open_.append((b.level, item["children"]))
    return top


def sequence(reader: Reader, text: Text, root: str) -> dict[str, Any] | None:
    """Previous and next in a debate's reading order: the debate's page, then its essays (None outside a debate).

    An essay in several debates follows the first of them."""
    debate = text if text.kind == "debate" else next(iter(reader.debates_of(text)), None)
    if debate is None:
        return None
    order = [debate] + [reader.texts[s] for s in debate.essays if s in reader.texts]
    slugs = [t.slug for t in order]
    if text.slug not in slugs:
        return None
    at = slugs.index(text.slug)

    def item(other: Text) -> dict[str, str]:
        return {"title": other.title, "url": root + other.url, "kind": other.kind}

    return {
        "debate": item(debate),
        "prev": item(order[at - 1]) if at > 0 else None,
        "next": item(order[at + 1]) if at + 1 < len(order) else None,
    }


def dialogue_counts(groups: list[dict[str, Any]]) -> dict[str, int]:
    """How many cross-references a text's "In dialogue with" lists, and with how many texts."""
    items = [item for group in groups for item in group["items"]]
    return {"links": len(items), "texts": len({item["href"].split("#")[0] for item in items})}
