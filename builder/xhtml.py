"""HTML fragments (markdown-it's output, the theme's markup) -> a small element tree -> XHTML text.

The EPUB (builder/epub.py) needs XML: void elements closed (`<br/>`), no named entities
but the five of XML, every attribute quoted. markdown-it writes HTML5 that is already
well nested (every element it opens, it closes), so a stack parser over the standard
library's `html.parser` is enough to read it; the tree is then rewritten for the book
(ids kept, links re-aimed, sidenotes moved out) and serialised here. The tree is a
working value inside one conversion, so it is mutable, unlike the stages' values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
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
