"""Reader -> the EPUB's XHTML pages: the front page, one page per text, the glossary.

Each text's body is the one its per-text job rendered (a template with slots, builder/bodies.py),
filled by the Renderer for a page at the site's root with no id prefix, then turned into XHTML
for a reading system by `xhtml.for_book`:

- ids are kept (`p12`, `link-<id>`, `note-<id>`, `t-<term>-<n>`), so a cross-reference or an
  editors' `text:<slug>#p12` link lands on the exact passage of the other file;
- site URLs are re-aimed at the book's files (`essays/x.html#p3` -> `x.xhtml#p3`,
  `glossary.html#term` -> `glossary_terms.xhtml#term`); a link to a site file the book does
  not hold keeps its words and loses its target;
- the authors' footnotes become EPUB 3 footnotes (`<aside epub:type="footnote">`, markers
  `epub:type="noteref"`), which reading systems show as popups;
- the editors' notes, inline sidenotes on the site, become a lettered series at the end of
  the text, under "Editors' notes", their markers in brackets (`[a]`) so they never pass
  for the authors' numbered notes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import Any
from urllib.parse import unquote

from builder import views
from builder.linking import Reader
from builder.markdown import render_markdown
from builder.model import Text
from builder.render import Renderer, affiliation_html
from builder.xhtml import Element, Heading, element, for_book, headings_of, lead_into, serialise

FRONT = "front_page.xhtml"
NAV = "contents_nav.xhtml"
GLOSSARY = "glossary_terms.xhtml"
"""Generated pages' names hold an underscore, which no slug does: they never meet a text's page."""


def page_of(text: Text) -> str:
    """The book file of a text."""
    return f"{text.slug}.xhtml"


def h(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass(frozen=True, slots=True)
class TextPage:
    """One text's page: its XHTML body and its headings."""

    text: Text
    body: str
    headings: tuple[Heading, ...]


class Locator:
    """Site URLs (relative to the site's root) -> the book's hrefs; None for what the book does not hold."""

    def __init__(self, reader: Reader, pictures: Iterable[str]) -> None:
        self.pages = {t.url: page_of(t) for t in reader.texts.values()}
        self.pages |= {"glossary.html": GLOSSARY, "index.html": FRONT}
        self.pictures = book_names(pictures)
        """Site path -> path in the book of each picture the book may hold."""
        self.shown: set[str] = set()
        """Site paths of the pictures some page shows: only these go into the book."""

    def __call__(self, url: str, picture: bool = False) -> str | None:
        """A link's href (a page of the book, or outside it), or with `picture` an image's src."""
        if picture:
            path = unquote(url)
            if path not in self.pictures:
                return None
            self.shown.add(path)
            return self.pictures[path]
        if url.startswith("#") or re.match(r"(https?|mailto):", url):
            return url
        path, hash_, fragment = url.partition("#")
        page = self.pages.get(path)
        return None if page is None else page + hash_ + fragment


def book_names(paths: Iterable[str]) -> dict[str, str]:
    """Site path -> a name in the book that needs no escaping (epubcheck warns of spaces), unique."""
    names: dict[str, str] = {}
    for path in sorted(paths):
        name = re.sub(r"[^A-Za-z0-9._/-]+", "-", path)
        if name in names.values():
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}-{hashlib.sha256(path.encode()).hexdigest()[:8]}{dot}{suffix}"
        names[path] = name
    return names


# ------------------------------------------------------------------ the pages


class Pages:
    """Makes every XHTML body of the book from one Reader."""

    def __init__(self, renderer: Renderer, locate: Locator) -> None:
        self.renderer = renderer
        self.reader = renderer.reader
        self.locate = locate

    def markdown(self, source: str) -> str:
        """Annotation Markdown (a link's note, a definition) as book XHTML."""
        html = render_markdown(self.renderer.md, source, partial(self.renderer.resolve, ""))
        return serialise(for_book(html, self.locate))

    def text(self, text: Text) -> TextPage:
        """A text's page: filled as for a page at the site's root with no id prefix, then made book XHTML."""
        body, notes = self.renderer.text_body(text, "")
        tree = for_book(str(body), self.locate)
        kind = {"debate": "part", "essay": "chapter", "page": "chapter"}[text.kind]
        parts = [
            f'<section epub:type="{kind}" class="text text-{text.kind}">',
            self.header(text),
            serialise(tree),
            self.members(text),
            self.children(text),
            self.dialogue(text),
            self.editor_notes(text, notes),
            "</section>",
        ]
        return TextPage(text, "\n".join(p for p in parts if p), headings_of(tree))

    def header(self, text: Text) -> str:
        """Title, kind and perspective (in words), authors, provenance, debates."""
        reader = self.reader
        lines = ['<header class="text-header">']
        perspective = views.perspective_view(reader, text)["label"]
        kind = {"debate": "Debate", "essay": "", "page": ""}[text.kind]
        label = " · ".join(x for x in (kind, f"Perspective: {perspective}" if perspective else "") if x)
        if label:
            lines.append(f'<p class="text-kind">{h(label)}</p>')
        lines.append(f'<h1 id="title">{h(text.title)}</h1>')
        for author in text.authors:
            affiliation = serialise(for_book(str(affiliation_html(author.affiliation)), self.locate))
            extra = f', <span class="affiliation">{affiliation}</span>' if affiliation else ""
            lines.append(f'<p class="author">{h(author.name)}{extra}</p>')
        facts = []
        if text.kind == "essay":
            facts.append(("Published in", h(text.outlet or "not stated")))
        if text.date or text.kind == "essay":
            facts.append(("Date", h(text.date or "not stated")))
        debates = reader.debates_of(text)
        if debates and text.kind != "debate":
            links = "; ".join(f'<a href="{page_of(d)}">{h(d.title)}</a>' for d in debates)
            facts.append(("Debate" if len(debates) == 1 else "Debates", links))
        if text.source:
            facts.append(("Source", f"<code>{h(text.source)}</code>"))
        if facts:
            lines.append('<dl class="meta">\n' + "\n".join(f"<dt>{k}</dt> <dd>{v}</dd>" for k, v in facts) + "\n</dl>")
        lines.append("</header>")
        return "\n".join(lines)

    def members(self, text: Text) -> str:
        """A debate's texts, after its framing text."""
        members = [self.reader.texts[s] for s in text.essays if s in self.reader.texts]
        if not members:
            return ""
        items = "".join(f"<li>{self.card(t)}</li>" for t in members)
        return f'<section class="members"><h2>Texts in this debate</h2><ol>{items}</ol></section>'

    def children(self, text: Text) -> str:
        """A page's parts (the chapters of a volume), in book order."""
        reader = self.reader
        parts = [t for t in reader.ordered("page") + reader.ordered("debate") if t.parent == text.slug]
        if not parts:
            return ""
        items = "".join(f"<li>{self.card(t)}</li>" for t in parts)
        return f'<section class="members"><h2>Contents</h2><ul>{items}</ul></section>'

    def card(self, text: Text) -> str:
        perspective = views.perspective_view(self.reader, text)["label"]
        byline = views.byline(text) if text.authors else ""
        facts = " · ".join(x for x in (byline, perspective) if x)
        return f'<a href="{page_of(text)}">{h(text.title)}</a>' + (f" ({h(facts)})" if facts else "")

    def dialogue(self, text: Text) -> str:
        """Every cross-reference with an end here: the passage here, the one there, and the editors' note."""
        reader = self.reader
        items = []
        for link in reader.links_of.get(text.slug, ()):
            anchors = reader.link_anchors[link.id]
            for outgoing, here, there in ((True, anchors[0], anchors[1]), (False, anchors[1], anchors[0])):
                if here.essay != text.slug:
                    continue
                label = views.link_label(reader, link, outgoing)
                target = f"{page_of(reader.texts[there.essay])}#{there.dom_id}"
                note = self.markdown(link.note) if link.note.strip() else ""
                items.append(
                    f'<li><a href="#{here.dom_id}">¶{views.passage_number(reader, here)}</a> '
                    f'<a class="xref" href="{h(target)}">{h(label)}</a>{note}</li>'
                )
        if not items:
            return ""
        return (
            '<section class="dialogue"><h2>Cross-references</h2>'
            "<p>Passages of other texts that this one answers or is answered by, chosen by the editors.</p>"
            f"<ul>{''.join(items)}</ul></section>"
        )

    def editor_notes(self, text: Text, notes: list[dict[str, Any]]) -> str:
        if not notes:
            return ""
        out = [
            '<section class="editor-notes" epub:type="endnotes"><h2>Editors’ notes</h2>',
            '<p class="ed-intro">Written by the editors of this reader, not by the author'
            + ("s" if len(text.authors) > 1 else "")
            + "; lettered a, b, c … in the text.</p>",
        ]
        for note in notes:
            tree = for_book(str(note["html"]), self.locate)
            lead: list[Element | str] = [
                element("span", {"class": "ed-label"}, f"Editors’ note {note['letter']}"),
                " ",
                element("a", {"href": f"#noteref-{note['id']}", "class": "ed-where"}, f"(¶{note['block']})"),
            ]
            aside = element("aside", {"epub:type": "endnote", "class": "editor-note", "id": f"note-{note['id']}"})
            aside.children = lead_into(lead, tree.children)
            out.append(serialise(aside))
        out.append("</section>")
        return "\n".join(out)

    def front(self, spine: list[Text]) -> str:
        """The title page: title, description, what the book holds and how to read its marks."""
        reader, config = self.reader, self.reader.config
        essays, debates, pages = (len(reader.ordered(k)) for k in ("essay", "debate", "page"))
        counts = (
            f"{_count(essays, 'text')} in {_count(debates, 'debate')}, {_count(pages, 'page')}; "
            f"{_count(len(reader.note_anchors), 'editors’ note')}, "
            f"{_count(len(reader.link_anchors), 'cross-reference')}, "
            f"{_count(len(reader.annotations.terms), 'glossary term')}."
        )
        perspectives = "".join(
            f"<dt>{h(p.label)}</dt><dd>{h(p.description)}</dd>" for p in config.perspectives if p.description
        )
        parts = [
            '<section epub:type="titlepage" class="front">',
            f"<h1>{h(config.title)}</h1>",
            f'<p class="description">{h(config.description)}</p>' if config.description else "",
            f'<p class="counts">{h(counts)}</p>',
            "<h2>How to read this book</h2><ul>",
            "<li>Every paragraph has a number (¶); cross-references name passages by it.</li>",
            "<li>Superscript numbers are the authors’ own footnotes.</li>",
            "<li>Bracketed letters, [a], are the editors’ notes: they are listed after each text under "
            "“Editors’ notes”, apart from the authors’ words.</li>",
            "<li>Bracketed links such as [rebuts → Title ¶12] lead to the passage of another text that this "
            "passage answers; the other passage links back ([rebutted by ← …]).</li>",
            "<li>Words linked to the glossary are explained at the end of the book.</li></ul>",
            f"<h2>Perspectives</h2><dl>{perspectives}</dl>" if perspectives else "",
            "<h2>Start reading</h2><p>"
            + (f'<a href="{page_of(spine[0])}">{h(spine[0].title)}</a>' if spine else "")
            + "</p>",
            "</section>",
        ]
        return "\n".join(p for p in parts if p)

    def glossary(self) -> str:
        """Every term with its definition, related terms, and each place it occurs (by text, ¶)."""
        reader = self.reader
        found: dict[str, dict[str, list[tuple[int, str]]]] = {}
        for slug, occurrences in reader.occurrences.items():
            for occ in occurrences:
                number = reader.parsed[slug].blocks[occ.block].number
                found.setdefault(occ.term, {}).setdefault(slug, []).append((number, occ.dom_id))
        entries = []
        order = {t.slug: i for i, t in enumerate(reading_order(reader))}
        for term in sorted(reader.annotations.terms, key=lambda t: (t.term.lower(), t.id)):
            parts = [f'<dt id="{h(term.id)}" epub:type="glossterm">{h(term.term)}</dt><dd epub:type="glossdef">']
            if term.expansion:
                parts.append(f'<p class="expansion">{h(term.expansion)}</p>')
            parts.append(self.markdown(term.definition))
            see = [reader.terms_by_id[s] for s in term.see if s in reader.terms_by_id]
            if see:
                links = ", ".join(f'<a href="#{h(s.id)}">{h(s.term)}</a>' for s in see)
                parts.append(f'<p class="see">See also: {links}.</p>')
            places = sorted(found.get(term.id, {}).items(), key=lambda item: order.get(item[0], len(order)))
            if places:
                groups = []
                for slug, spots in places:
                    text = reader.texts[slug]
                    first = {n: dom for n, dom in reversed(spots)}  # one link per paragraph, to its first occurrence
                    numbers = ", ".join(f'<a href="{page_of(text)}#{h(first[n])}">¶{n}</a>' for n in sorted(first))
                    groups.append(f"<i>{h(text.title)}</i> {numbers}")
                parts.append(f'<p class="used-in">Used in: {"; ".join(groups)}.</p>')
            parts.append("</dd>")
            entries.append("".join(parts))
        return (
            '<section epub:type="glossary" class="glossary"><h1 id="glossary">Glossary</h1>'
            "<p>Terms defined by the editors, and where each occurs in the texts.</p>"
            f"<dl>{''.join(entries)}</dl></section>"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def reading_order(reader: Reader) -> list[Text]:
    """Each debate followed by its texts, then the texts of no debate, then the pages."""
    order: list[Text] = []
    placed: set[str] = set()
    for debate in reader.ordered("debate"):
        order.append(debate)
        for slug in debate.essays:
            if slug in reader.texts and slug not in placed and reader.texts[slug].kind == "essay":
                placed.add(slug)
                order.append(reader.texts[slug])
    order += [t for t in reader.ordered("essay") if t.slug not in placed]
    order += reader.ordered("page")
    return order
