"""Markdown body -> parsed tokens + numbered Blocks of plain text, with maps back to tokens and lines.

A Block is what DESIGN §3 matches quotes in and §6 numbers: a paragraph, heading, list
item, block quote, table or footnote. Its plain text joins the text children of its
inline tokens; `pieces` map every run of that text back to the child that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

CONTAINERS = {"list_item_open", "blockquote_open", "footnote_open", "table_open"}
LEAVES = {"paragraph_open", "heading_open"}
FOOTNOTE_MARK = re.compile(r"\[\^([^\]\s]{1,20})\]")


def make_markdown() -> MarkdownIt:
    """The only MarkdownIt in the project: CommonMark, no raw HTML, tables, authors' footnotes."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(footnote_plugin).enable("table")
    md.core.ruler.before("footnote_tail", "keep_unreferenced_footnotes", _keep_unreferenced_footnotes)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    return md


def _keep_unreferenced_footnotes(state: Any) -> None:
    """The footnote plugin drops definitions nobody refers to; an author's note must never vanish.

    (A source may print a marker under another number than its note: the note is kept,
    listed after the referenced ones, and marked as having no marker in the text.)
    """
    data = state.env.get("footnotes")
    if not data:
        return
    for key, ident in sorted(data.get("refs", {}).items()):
        if ident == -1:
            new = len(data.setdefault("list", {}))
            data["refs"][key] = new
            data["list"][new] = {"label": key[1:], "count": 0, "unreferenced": True}


def is_safe_url(url: str) -> bool:
    """markdown-it's validateLink: every URL is kept in the tokens, so that `check` sees it and can report it.

    What survives in the HTML is decided by builder/urls.py `classify`, for `check` and the render
    rules alike: http(s), mailto, the editors' text:/term: and relative targets inside the site;
    javascript:, data:, vbscript:, file: … are dropped (with a warning), never emitted.
    """
    return True


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a block's plain text held by one inline child."""

    start: int
    """Offset in the block's plain text."""
    inline: int
    """Index of the inline token in the token list."""
    child: int
    """Index of the child in that inline token."""
    length: int
    wrappable: bool
    """Text children can be split and wrapped; code spans cannot."""


@dataclass(frozen=True, slots=True)
class Block:
    """One numbered block of a text."""

    number: int
    """1-based; the block's id is p<number>."""
    kind: str
    """paragraph | heading | list_item | blockquote | table | footnote"""
    open_index: int
    """Index of the block's opening token."""
    text: str
    line: int
    """1-based line in the content file."""
    pieces: tuple[Piece, ...]
    link_ranges: tuple[tuple[int, int], ...] = ()
    """Ranges of plain text inside links (glossary terms never go there)."""
    section: int = 0
    """Index of the heading section the block lies in."""
    footnote_label: str = ""


class ParsedText:
    """A parsed body: its numbered blocks, and the tokens they were made from.

    The tokens are what rendering needs; everything else (anchoring, terms, views) reads
    only the blocks. A cached build therefore loads tokens lazily, for the pages it renders.
    """

    __slots__ = ("blocks", "unresolved", "_tokens", "_env", "_load")

    def __init__(
        self,
        blocks: tuple[Block, ...],
        unresolved: tuple[str, ...],
        tokens: list[Token] | None = None,
        env: dict[str, Any] | None = None,
        load: Callable[[], tuple[list[Token], dict[str, Any]]] | None = None,
    ) -> None:
        self.blocks = blocks
        self.unresolved = unresolved
        """Labels of `[^n]` markers that have no definition, in text order."""
        self._tokens = tokens
        self._env = env
        self._load = load

    def _loaded(self) -> None:
        if self._tokens is None:
            assert self._load is not None
            self._tokens, self._env = self._load()

    @property
    def tokens(self) -> list[Token]:
        self._loaded()
        assert self._tokens is not None
        return self._tokens

    @property
    def env(self) -> dict[str, Any]:
        self._loaded()
        return self._env or {}


def parse_body(md: MarkdownIt, body: str, body_line: int, unresolved_refs: bool = True) -> ParsedText:
    """Parse once; the same tokens are anchored into and rendered."""
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    _mark_unresolved_refs(tokens)
    unresolved = tuple(
        child.meta["label"]
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "footnote_unresolved"
    )
    return ParsedText(tuple(_blocks(tokens, body_line)), unresolved, tokens, env)


def _mark_unresolved_refs(tokens: list[Token]) -> None:
    """`[^n]` with no definition stays visible, as a marked unresolved reference."""
    for token in tokens:
        if token.type != "inline" or not token.children or "[^" not in token.content:
            continue
        children: list[Token] = []
        for child in token.children:
            if child.type != "text" or "[^" not in child.content:
                children.append(child)
                continue
            pos = 0
            for found in FOOTNOTE_MARK.finditer(child.content):
                if found.start() > pos:
                    children.append(_text(child.content[pos : found.start()]))
                ref = Token("footnote_unresolved", "", 0)
                ref.meta = {"label": found[1]}
                children.append(ref)
                pos = found.end()
            if pos < len(child.content):
                children.append(_text(child.content[pos:]))
        token.children = children


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _blocks(tokens: list[Token], body_line: int) -> list[Block]:
    blocks: list[Block] = []
    depth = 0  # inside a numbered container: its inner paragraphs are part of it
    current: dict[str, Any] | None = None
    section = 0
    line = body_line
    for i, token in enumerate(tokens):
        if token.map:
            line = body_line + token.map[0]
        if depth == 0 and (token.type in CONTAINERS or token.type in LEAVES):
            if token.type == "heading_open":
                section += 1
            current = {
                "open": i,
                "kind": token.type.removesuffix("_open"),
                "line": line,
                "inlines": [],
                "section": section,
                "label": str(token.meta.get("label", "")) if token.meta else "",
            }
        if token.type in CONTAINERS:
            depth += 1
        elif token.type in {t.replace("_open", "_close") for t in CONTAINERS}:
            depth -= 1
        if current is not None and token.type == "inline":
            current["inlines"].append(i)
        closes = token.type.replace("_close", "_open")
        if current is not None and token.nesting == -1 and depth == 0 and (closes in CONTAINERS or closes in LEAVES):
            first = tokens[current["inlines"][0]] if current["inlines"] else None
            if token.type == "footnote_close" and first is not None and first.map:  # footnote_open has no map
                current["line"] = body_line + first.map[0]
            blocks.append(_make_block(len(blocks) + 1, current, tokens))
            current = None
    return blocks


def _make_block(number: int, spec: dict[str, Any], tokens: list[Token]) -> Block:
    parts: list[str] = []
    pieces: list[Piece] = []
    links: list[tuple[int, int]] = []
    offset = 0
    for n, index in enumerate(spec["inlines"]):
        if n:
            parts.append(" ")
            offset += 1
        link_start = -1
        for c, child in enumerate(tokens[index].children or []):
            if child.type == "link_open":
                link_start = offset
            elif child.type == "link_close" and link_start >= 0:
                links.append((link_start, offset))
                link_start = -1
            content = _plain(child)
            if content:
                pieces.append(Piece(offset, index, c, len(content), child.type == "text"))
                parts.append(content)
                offset += len(content)
    return Block(
        number,
        spec["kind"],
        spec["open"],
        "".join(parts),
        spec["line"],
        tuple(pieces),
        tuple(links),
        spec["section"],
        spec["label"],
    )


def _plain(child: Token) -> str:
    if child.type in ("text", "code_inline"):
        return child.content
    if child.type in ("softbreak", "hardbreak"):
        return " "
    return ""
