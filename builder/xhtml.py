"""The site's HTML (markdown-it's output with Counterpoint's markup) -> a small element tree -> the book's XHTML.

The EPUB (builder/epub.py) needs XML: void elements closed (`<br/>`), no named entities
but the five of XML, every attribute quoted. markdown-it writes HTML5 that is already
well nested (every element it opens, it closes), so a stack parser over the standard
library's `html.parser` is enough to read it; the tree is then rewritten for the book
(ids kept, links re-aimed, sidenotes moved out) and serialised here. The tree is a
working value inside one conversion, so it is mutable, unlike the stages' values.

`for_book` is the rewriting: see builder/epub_pages.py for what a reader of the book sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser

Locate = Callable[..., str | None]
"""A site URL (from the site's root) -> the book's href; with `picture=True`, an image's src; None: not in the book."""
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCKS = frozenset({"p", "ul", "ol", "blockquote", "pre", "table", "div", "dl", "h1", "h2", "h3", "h4", "h5", "h6"})
HEADING = re.compile(r"h([1-6])")
PARAGRAPH_ID = re.compile(r"p\d+")
DROPPED_ATTRS = frozenset({"loading", "aria-describedby"})
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


@dataclass(slots=True)
class Element:
    """One element: its tag, attributes in source order, and children (elements and text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def has_class(self, name: str) -> bool:
        return name in self.classes()

    def text(self) -> str:
        """The text inside, tags dropped."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()


def element(tag: str, attrs: dict[str, str] | None = None, *children: Element | str) -> Element:
    return Element(tag, dict(attrs or {}), list(children))


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#fragment")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Element(tag, {name: value if value is not None else name for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {n: v if v is not None else n for n, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        # close up to the matching element; a stray end tag (none open) is dropped
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def parse_fragment(html: str) -> Element:
    """An HTML fragment as a tree under a `#fragment` root (comments and doctypes dropped)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(value: str) -> str:
    return escape_text(value).replace('"', "&quot;")


def serialise(node: Element | str) -> str:
    """XHTML text of a node (a `#fragment` root serialises as its children)."""
    if isinstance(node, str):
        return escape_text(node)
    inner = "".join(serialise(c) for c in node.children)
    if node.tag == "#fragment":
        return inner
    attrs = "".join(f' {name}="{escape_attr(value)}"' for name, value in node.attrs.items())
    if node.tag in VOID:
        return f"<{node.tag}{attrs}/>"
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


def rewrite(node: Element, rule: Callable[[Element], list[Element | str] | None]) -> None:
    """Apply `rule` to every element below `node`, children first; a list it returns replaces the element."""
    out: list[Element | str] = []
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
            continue
        rewrite(child, rule)
        replaced = rule(child)
        out.extend([child] if replaced is None else replaced)
    node.children = out


def document(title: str, language: str, body: str, stylesheet: str = "style.css", body_type: str = "") -> str:
    """A whole XHTML content document for the EPUB (UTF-8, the epub: namespace declared)."""
    typed = f' epub:type="{escape_attr(body_type)}"' if body_type else ""
    lang = escape_attr(language)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{lang}" xml:lang="{lang}">\n'
        f'<head>\n<meta charset="UTF-8"/>\n<title>{escape_text(title)}</title>\n'
        f'<link rel="stylesheet" type="text/css" href="{escape_attr(stylesheet)}"/>\n</head>\n'
        f"<body{typed}>\n{body}\n</body>\n</html>\n"
    )


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of a text's body, for the navigation document."""

    level: int
    id: str
    title: str


# ------------------------------------------------------------------ XHTML for the book


def for_book(html: str, locate: Locate) -> Element:
    """A body (or a note) as the book shows it; see the module docstring."""
    tree = parse_fragment(html)
    rewrite(tree, partial(_book_element, locate))
    return tree


def _book_element(locate: Locate, el: Element) -> list[Element | str] | None:
    for name in [n for n in el.attrs if n.startswith("data-") or n in DROPPED_ATTRS]:
        del el.attrs[name]
    classes = el.classes()
    if el.tag == "span" and "sidenote" in classes:
        return []  # the editors' notes are listed after the text
    if el.tag == "span" and classes and classes[0].startswith("sn-"):
        return [element(classes[0][3:], {}, *el.children)]  # a note's block, made inline for a sidenote
    if el.tag == "a":
        return _book_link(locate, el, classes)
    if el.tag == "img":
        src = locate(el.attrs.get("src", ""), picture=True)
        if src is None:
            return [element("span", {"class": "image-omitted"}, f"[image: {el.attrs.get('alt', '')}]")]
        el.attrs["src"] = src
    if el.tag == "section" and "footnotes" in classes:
        _footnotes(el)
    return None


def _book_link(locate: Locate, el: Element, classes: list[str]) -> list[Element | str] | None:
    if "pnum" in classes:  # the ¶ number: the block keeps its id; a link to itself is no use in a book
        return [element("span", {"class": "pnum"}, *el.children)]
    if "note-marker" in classes:
        letter = el.text().replace("Editor note ", "").strip()
        el.attrs["epub:type"] = "noteref"
        el.attrs["aria-label"] = f"Editors’ note {letter}"
        el.children = [f"[{letter}]"]
        return None
    if el.attrs.get("role") == "doc-noteref":
        el.attrs["epub:type"] = "noteref"
    href = locate(el.attrs["href"]) if "href" in el.attrs else None
    if href is None:
        return [element("span", {"class": el.attrs.get("class", "link-removed")}, *el.children)]
    el.attrs["href"] = href
    if "xref" in classes:
        el.children = [f"[{el.text()}]"]
    return None


def _footnotes(section: Element) -> None:
    """The authors' notes: each `<li>` of the list becomes an `<aside epub:type="footnote">`."""
    section.attrs["epub:type"] = "footnotes"
    section.attrs.pop("aria-labelledby", None)
    out: list[Element | str] = []
    for child in section.children:
        if isinstance(child, Element) and child.tag == "ol":
            out += [_footnote(li) for li in child.children if isinstance(li, Element) and li.tag == "li"]
        else:
            out.append(child)
    section.children = out


def _footnote(li: Element) -> Element:
    lead: list[Element | str] = []
    rest = list(li.children)
    while rest and not (isinstance(rest[0], Element) and rest[0].tag in BLOCKS):
        lead.append(rest.pop(0))
    note_id = ""
    spaced: list[Element | str] = []
    for item in lead:
        if isinstance(item, str):
            continue
        if item.has_class("fn-label"):
            note_id = item.attrs.pop("id", "")
        elif item.has_class("pnum") and "id" in li.attrs:
            item.attrs["id"] = li.attrs["id"]  # the block's id (¶ number) stays on its number
        spaced += [item, " "]
    lead = spaced[:-1]
    aside = element("aside", {"epub:type": "footnote", "class": "footnote", "id": note_id})
    aside.children = lead_into(lead, rest)
    return aside


def lead_into(lead: list[Element | str], blocks: list[Element | str]) -> list[Element | str]:
    """`lead` (phrasing) put at the start of the first paragraph of `blocks`, or in a paragraph of its own."""
    first = next((b for b in blocks if isinstance(b, Element)), None)
    if first is not None and first.tag == "p":
        first.children = [*lead, " ", *first.children]
        return blocks
    return [element("p", {}, *lead), *blocks]


def headings_of(tree: Element) -> tuple[Heading, ...]:
    """The body's headings with an id (the authors' notes' heading is the book's, not the text's)."""
    out = []
    for el in tree.walk():
        level = HEADING.fullmatch(el.tag)
        if level and PARAGRAPH_ID.fullmatch(el.attrs.get("id", "")):
            words = "".join(
                c if isinstance(c, str) else c.text()
                for c in el.children
                if isinstance(c, str) or not ({"pnum", "note-marker", "xref"} & set(c.classes()))
            )
            out.append(Heading(int(level[1]), el.attrs["id"], " ".join(words.split())))
    return tuple(out)
