"""Parsed tokens + decorations (anchors, markers, terms, ¶ numbers) -> HTML, through markdown-it render rules.

`decorate` returns a new token list: text children are split where an anchor or a
glossary term starts or ends and wrapped, the way markdown-it's linkify splits a text
token into link_open / text / link_close. Where a quote crosses emphasis or a link,
each text run gets its own <mark>, so the HTML stays well nested.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from builder.textblocks import Block, ParsedText
from builder.textblocks import make_markdown as _base_markdown
from builder.urls import classify


@dataclass(frozen=True, slots=True)
class Marker:
    """A small link placed right after a wrapped passage: a note marker or a link marker."""

    kind: Literal["note", "link"]
    href: str
    label: str
    """Visible text, e.g. "rebuts → Title ¶12" or "note"."""
    title: str
    dom_id: str = ""
    relation: str = ""
    preview: str = ""
    """The other passage's words (link previews)."""
    html: str = ""
    """Notes: the note's body, already rendered (trusted, phrasing content only)."""


@dataclass(frozen=True, slots=True)
class Span:
    """A range of a block's plain text to wrap."""

    block: int
    start: int
    end: int
    kind: Literal["anchor", "term"]
    dom_id: str
    classes: str = ""
    href: str = ""
    """Terms: the glossary URL when this occurrence links; "" for an unlinked occurrence."""
    title: str = ""
    markers: tuple[Marker, ...] = ()


def make_markdown() -> MarkdownIt:
    """The project's MarkdownIt with Counterpoint's render rules."""
    md = _base_markdown()
    for name, rule in RULES.items():
        md.add_render_rule(name, rule)
    return md


def esc(value: str) -> str:
    return html.escape(value, quote=True)


def safe_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-") or "x"


# ------------------------------------------------------------------ decoration


def decorate(parsed: ParsedText, spans: Sequence[Span], id_prefix: str = "") -> list[Token]:
    """A new token list with ¶ numbers, block ids, anchors, markers and terms inserted."""
    by_inline: dict[int, list[tuple[Block, Span]]] = {}
    blocks = parsed.blocks
    for span in spans:
        block = blocks[span.block]
        for inline in {p.inline for p in block.pieces if p.start < span.end and p.start + p.length > span.start}:
            by_inline.setdefault(inline, []).append((block, span))
        # a marker must appear even when the passage ends in a code span or similar
    openers = {b.open_index: b for b in blocks}
    out: list[Token] = []
    for i, token in enumerate(parsed.tokens):
        opener = openers.get(i)
        if opener is not None:
            out.extend(_open_block(token, opener, id_prefix))
            continue
        if token.type == "inline" and i in by_inline:
            out.append(_split_inline(token, i, by_inline[i], id_prefix))
            continue
        out.append(token)
        if token.type == "table_close" and _table_block(out):
            out.append(Token("cp_block_close", "div", -1))
    return out


def _table_block(out: list[Token]) -> bool:
    depth = 0
    for token in reversed(out):
        if token.type == "table_close":
            depth += 1
        elif token.type == "table_open":
            depth -= 1
            if depth == 0:
                return True
    return False


def _open_block(token: Token, block: Block, prefix: str) -> list[Token]:
    dom_id = f"{prefix}p{block.number}"
    pnum = Token("cp_pnum", "", 0)
    pnum.meta = {"id": dom_id, "number": block.number}
    if block.kind == "table":
        wrapper = Token("cp_block_open", "div", 1)
        wrapper.attrs = {"id": dom_id, "class": "block table-block"}
        return [wrapper, pnum, token]
    opened = token.copy()
    opened.attrs = dict(token.attrs) | {"id": dom_id}
    return [opened, pnum]


def _split_inline(token: Token, index: int, spans: list[tuple[Block, Span]], prefix: str) -> Token:
    block = spans[0][0]
    piece_of = {p.child: p for p in block.pieces if p.inline == index}
    children: list[Token] = []
    started: set[str] = set()
    for c, child in enumerate(token.children or []):
        piece = piece_of.get(c)
        if piece is None or not piece.wrappable:
            children.append(child)
            if piece is not None:
                children.extend(_markers_ending_in(piece, [s for _, s in spans], prefix))
            continue
        children.extend(_split_text(child, piece, [s for _, s in spans], started, prefix))
    new = token.copy()
    new.children = children
    return new


def _markers_ending_in(piece: Any, spans: list[Span], prefix: str) -> list[Token]:
    end = piece.start + piece.length
    return [_marker_token(m, prefix) for s in spans if piece.start < s.end <= end for m in s.markers]


def _split_text(child: Token, piece: Any, spans: list[Span], started: set[str], prefix: str) -> list[Token]:
    lo, hi = piece.start, piece.start + piece.length
    cuts = {lo, hi}
    for s in spans:
        cuts.update(x for x in (s.start, s.end) if lo < x < hi)
    points = sorted(cuts)
    out: list[Token] = []
    for a, b in zip(points, points[1:]):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        out.extend(_segment(child.content[a - lo : b - lo], covering, started, prefix))
        for s in spans:
            if s.end == b:
                out.extend(_marker_token(m, prefix) for m in s.markers)
    return out


def _segment(content: str, covering: list[Span], started: set[str], prefix: str) -> list[Token]:
    terms = [s for s in covering if s.kind == "term"]
    anchors = sorted((s for s in covering if s.kind == "anchor"), key=lambda s: (s.start, -s.end, s.dom_id))
    opens: list[Token] = []
    closes: list[Token] = []
    for s in terms[:1] + anchors:
        first = s.dom_id not in started
        started.add(s.dom_id)
        tag = ("a" if s.href else "span") if s.kind == "term" else "mark"
        open_ = Token(f"cp_{s.kind}_open", tag, 1)
        open_.attrs = {"class": s.classes}
        if first:
            open_.attrs["id"] = prefix + s.dom_id
        if s.href:
            open_.attrs["href"] = s.href
        if s.title:
            open_.attrs["title"] = s.title
        if s.kind == "anchor":
            open_.attrs["data-anchor"] = prefix + s.dom_id
        opens.append(open_)
        closes.insert(0, Token(f"cp_{s.kind}_close", tag, -1))
    text = Token("text", "", 0)
    text.content = content
    return opens + [text] + closes


def _marker_token(marker: Marker, prefix: str) -> Token:
    token = Token("cp_marker", "", 0)
    token.meta = {"marker": marker, "prefix": prefix}
    return token


# ------------------------------------------------------------------ render rules


def _render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    attrs = "".join(f' {k}="{esc(str(v))}"' for k, v in token.attrs.items() if v != "")
    return f"<{token.tag}{attrs}>"


def _render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f"</{tokens[idx].tag}>"


def _pnum(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    return (
        f'<a class="pnum" href="#{esc(meta["id"])}" aria-label="Paragraph {meta["number"]}" '
        f'data-ed="">{meta["number"]}</a> '
    )


def _marker(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    m: Marker = tokens[idx].meta["marker"]
    prefix = tokens[idx].meta["prefix"]
    href = "#" + prefix + m.href[1:] if m.href.startswith("#") else m.href
    dom = f' id="{esc(prefix + m.dom_id)}"' if m.dom_id else ""
    if m.kind == "note":
        note_id = esc(href[1:])
        sidenote = (
            f'<span class="sidenote" id="{note_id}" role="note" data-ed="">'
            f'<span class="sidenote-label">Editor note {esc(m.label)}</span> {m.html} '
            f'<a class="sidenote-back" href="#{esc(prefix + m.dom_id)}" aria-label="Back to the text">↩</a></span>'
        )
        held = env.get("after_heading")
        if held is not None:  # a note is no part of a heading (role=note is not allowed there): it follows it
            held.append(sidenote)
            sidenote = ""
        return (
            f'<a class="ed-marker note-marker" data-ed=""{dom} href="{esc(href)}" aria-describedby="{note_id}">'
            f'<span class="visually-hidden">Editor note </span>{esc(m.label)}</a>{sidenote}'
        )
    preview = f' data-preview="{esc(m.preview)}"' if m.preview else ""
    return (
        f'<a class="ed-marker xref xref-{esc(m.relation)}" data-ed=""{dom} href="{esc(href)}"'
        f' data-relation="{esc(m.relation)}"{preview}>{esc(m.label)}</a>'
    )


def _heading_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    env["after_heading"] = []
    return str(self.renderToken(tokens, idx, options, env))


def _heading_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """The heading, then the sidenotes of the note markers inside it."""
    held = env.pop("after_heading", None) or []
    return str(self.renderToken(tokens, idx, options, env)).rstrip("\n") + "".join(held) + "\n"


def _footnote_ref(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    label = str(meta["label"])
    prefix = env.get("id_prefix", "")
    ref_id = f"{prefix}fnref-{safe_id(label)}" + (f"-{meta['subId']}" if meta.get("subId") else "")
    return (
        f'<sup class="fn-ref" data-label="{esc(label)}"><a href="#{prefix}fn-{esc(safe_id(label))}" id="{ref_id}" '
        f'role="doc-noteref" aria-label="Note {esc(label)}">{esc(label)}</a></sup>'
    )


def _footnote_unresolved(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    label = esc(tokens[idx].meta["label"])
    return (
        f'<sup class="fn-unresolved" data-label="{label}" title="Reference {label}: the source gives no text '
        f'for this reference">[{label}]</sup>'
    )


def _footnote_block_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    prefix = env.get("id_prefix", "")
    return (
        f'<section class="footnotes" aria-labelledby="{prefix}notes-heading">'
        f'<h2 id="{prefix}notes-heading">Authors’ notes</h2>\n<ol class="footnote-list">\n'
    )


def _footnote_block_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</ol>\n</section>\n"


def _footnote_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    label = str(token.meta["label"])
    prefix = env.get("id_prefix", "")
    block_id = token.attrs.get("id", "")
    id_attr = f' id="{esc(str(block_id))}"' if block_id else ""
    data = env.get("footnotes", {}).get("list", {}).get(token.meta.get("id"), {})
    unreferenced = (
        '<span class="fn-unreferenced" data-ed="">(no marker with this number in the text)</span> '
        if data.get("unreferenced") and label not in env.get("header_refs", ())
        else ""
    )
    return (
        f'<li class="footnote"{id_attr}><span class="fn-label" id="{prefix}fn-{esc(safe_id(label))}">'
        f"{esc(label)}</span>{unreferenced}"
    )


def _footnote_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</li>\n"


def _footnote_anchor(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """The ↩ back to the note's marker; none for a note with no marker in the text (it would lead nowhere)."""
    meta = tokens[idx].meta
    if env.get("footnotes", {}).get("list", {}).get(meta.get("id"), {}).get("unreferenced"):
        return ""
    label = str(meta["label"])
    prefix = env.get("id_prefix", "")
    ref_id = f"{prefix}fnref-{safe_id(label)}" + (f"-{meta['subId']}" if meta.get("subId") else "")
    return f' <a href="#{ref_id}" class="fn-back" aria-label="Back to the text of note {esc(label)}">↩</a>'


def _image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """Only images inside the site are shown; anything else becomes its alt text (offline guarantee).

    What is inside the site is builder/urls.py's decision, the same one `check` reports from.
    """
    token = tokens[idx]
    src = str(token.attrs.get("src", ""))
    alt = esc(self.renderInlineAsText(token.children or [], options, env))
    target = classify(src, env.get("base"))
    if target.kind != "local":
        return f'<span class="image-omitted">[image: {alt}]</span>'
    return f'<img src="{esc(env.get("root", "") + target.url)}" alt="{alt}" loading="lazy">'


def _link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """A link as builder/urls.py classifies it; whatever it would drop renders as <a class="link-removed">."""
    href = str(tokens[idx].attrs.get("href", ""))
    target = classify(href, env.get("base"))
    if target.kind in ("text", "term"):  # an editors' link into the reader
        resolve = env.get("resolve")
        resolved = resolve(href) if resolve else None
        return f'<a class="internal" href="{esc(resolved)}">' if resolved else '<a class="link-removed">'
    if target.kind == "external":
        return f'<a href="{esc(target.url)}" rel="noopener noreferrer" class="external">'
    if target.kind == "local":
        return f'<a href="{esc(env.get("root", "") + target.url)}">'
    if target.kind == "fragment":  # ids in a body carry the page's prefix (compare views)
        return f'<a href="#{esc(env.get("id_prefix", "") + target.fragment)}">'
    return '<a class="link-removed">'


RULES = {
    "cp_anchor_open": _render_open,
    "cp_anchor_close": _render_close,
    "cp_term_open": _render_open,
    "cp_term_close": _render_close,
    "cp_block_open": _render_open,
    "cp_block_close": _render_close,
    "cp_pnum": _pnum,
    "cp_marker": _marker,
    "heading_open": _heading_open,
    "heading_close": _heading_close,
    "footnote_ref": _footnote_ref,
    "footnote_unresolved": _footnote_unresolved,
    "footnote_block_open": _footnote_block_open,
    "footnote_block_close": _footnote_block_close,
    "footnote_open": _footnote_open,
    "footnote_close": _footnote_close,
    "footnote_anchor": _footnote_anchor,
    "image": _image,
    "link_open": _link_open,
}


def render_tokens(md: MarkdownIt, tokens: list[Token], env: dict[str, Any] | None = None) -> str:
    return str(md.renderer.render(tokens, md.options, env or {}))


def render_markdown(md: MarkdownIt, source: str, resolve: Any = None) -> str:
    """Annotation Markdown (notes, definitions) -> HTML; no raw HTML, no footnote ids colliding.

    `resolve` turns the editors' `text:<slug>#p<N>` and `term:<id>` links into relative URLs.
    """
    env: dict[str, Any] = {"id_prefix": "ann-", "resolve": resolve}
    return render_tokens(md, md.parse(source, env), env)
