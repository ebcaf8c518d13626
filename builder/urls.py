"""What a URL written in Markdown is, decided in one place for `check` and for the render rules.

Every link and image of a text body or of annotation Markdown (note bodies, link notes,
glossary definitions) goes through `classify`: `check` reports from it (`check_tokens`,
walking the parsed tokens, so inline, titled, reference and autolinks are all seen) and
markdown.py's render rules emit from it. The two can therefore never disagree: what
`check` accepts is what the page shows, and what the page drops, `check` has reported.

| kind       | written as                                    | rendered                | check                   |
| ---------- | --------------------------------------------- | ----------------------- | ----------------------- |
| `text`     | `text:<slug>`, `text:<slug>#p<N>`             | URL relative to page    | error if unknown        |
| `term`     | `term:<id>`                                   | glossary URL            | error if unknown        |
| `external` | `http(s):`, `mailto:`; `//host/x` as `https:` | external link           | images: warning, dropped |
| `local`    | a relative path, from the text's own page     | page's root + site path | error if it leaves site |
| `fragment` | `#p<N>` in a body                             | `#` + page's id prefix  | error if no paragraph   |
| `unplaced` | a relative path or `#…` in annotations        | dropped                 | error                   |
| `outside`  | `/abs/path`, `../` past the site's root       | dropped                 | error                   |
| `unsafe`   | any other scheme (`javascript:`, `data:` …)   | dropped                 | warning                 |

A protocol-relative URL (`//host/x`) would be a network path under file:// (a UNC path on
Windows): it is treated as the external link it was meant to be, `https://host/x`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote

from markdown_it.token import Token

from builder.diagnostics import Location, Report, report_unknown

if TYPE_CHECKING:
    from builder.model import Annotations, Text

Kind = Literal["text", "term", "external", "local", "fragment", "unplaced", "outside", "unsafe"]
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
EXTERNAL_SCHEMES = ("http", "https", "mailto")
PARAGRAPH = re.compile(r"p(\d+)")
SHOWN = 80
"""At most this many characters of a URL are quoted in a message."""


@dataclass(frozen=True, slots=True)
class Target:
    """A classified URL."""

    kind: Kind
    url: str
    """`external`: what to emit (`//host/x` becomes `https://host/x`); `local`: the path from the site's root
    (a page prefixes its own root); the URL as written otherwise."""
    name: str = ""
    """The text's slug or the term's id (`text`, `term`)."""
    fragment: str = ""


def classify(url: str, base: str | None) -> Target:
    """What `url` is on a page whose folder is `base` ("" for the site's root, "essays/" …).

    `base` is None for Markdown shown on pages at several depths (annotations): a
    relative URL there cannot lead to the same place from every page.
    """
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url)  # browsers ignore these inside a scheme
    scheme = SCHEME.match(cleaned)
    if scheme is not None:
        name = scheme[1].lower()
        rest = cleaned[scheme.end() :]
        if name in ("text", "term"):
            slug, _, fragment = rest.partition("#")
            return Target(name, url, unquote(slug), unquote(fragment))  # type: ignore[arg-type]
        if name in EXTERNAL_SCHEMES:
            return Target("external", url)
        return Target("unsafe", url)
    if cleaned.startswith(("//", "\\\\", "/\\", "\\/")):
        return Target("external", "https:" + "//" + cleaned.lstrip("/\\"))
    if cleaned.startswith(("/", "\\")):
        return Target("outside", url)
    if base is None:
        return Target("unplaced", url)
    path, _, fragment = url.partition("#")
    if not path:
        return Target("fragment", url, fragment=unquote(fragment))
    in_site = site_path(base, path)
    if in_site is None:
        return Target("outside", url)
    return Target("local", in_site + (f"#{fragment}" if fragment else ""), fragment=unquote(fragment))


def site_path(base: str, path: str) -> str | None:
    """`path` (relative to the folder `base`) as a path from the site's root; None when it leaves the site."""
    path, query, rest = path.partition("?")
    parts: list[str] = [p for p in base.split("/") if p]
    for part in re.split(r"[/\\]", path):
        if unquote(part) == "..":
            if not parts:
                return None
            parts.pop()
        elif unquote(part) not in ("", "."):
            parts.append(part)
    folder = "/" if parts and path.endswith("/") else ""
    return "/".join(parts) + folder + query + rest


def page_folder(url: str) -> str:
    """The folder of a page at `url` ("essays/x.html" -> "essays/", "x.html" -> "")."""
    return url.rpartition("/")[0] + "/" if "/" in url else ""


def is_external(url: str) -> bool:
    return classify(url, "").kind == "external"


# ------------------------------------------------------------------ check


@dataclass(frozen=True, slots=True)
class Site:
    """What internal links may name: each text's number of paragraphs, and the glossary's term ids."""

    paragraphs: dict[str, int]
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Found:
    """One link or image in parsed tokens."""

    kind: Literal["link", "image"]
    url: str
    line: int
    """0-based line of the inline token's first line (in the parsed source), or -1."""
    end_line: int
    column: int = 0
    """Once placed (`placed`): 1-based column of the URL on `line`, now its own line; 0 before."""


def placed(found: Found, lines: Sequence[str]) -> Found:
    """`found` with the exact line and column of its URL in the source `lines`."""
    offset, column = column_in(lines, found)
    return Found(found.kind, found.url, offset, offset, column)


def links_in(tokens: Sequence[Token]) -> Iterator[Found]:
    """Every link and image, in source order, whatever the syntax (inline, titled, reference, autolink)."""
    for token in tokens:
        if token.type != "inline":
            continue
        start, end = token.map if token.map else (-1, -1)
        for child in _walk(token.children or []):
            if child.type == "link_open":
                yield Found("link", str(child.attrs.get("href", "")), start, end)
            elif child.type == "image":
                yield Found("image", str(child.attrs.get("src", "")), start, end)


def _walk(children: list[Token]) -> Iterator[Token]:
    for child in children:
        yield child
        if child.children:  # an image's alt text holds tokens too
            yield from _walk(child.children)


def check_tokens(
    tokens: Sequence[Token],
    site: Site,
    base: str | None,
    locate: Callable[[Found], Location],
    report: Report,
    slug: str = "",
) -> None:
    """Report every link or image of `tokens` (the body of `slug`, or annotation Markdown) that the
    reader would drop or that leads nowhere."""
    check_found(links_in(tokens), site, base, locate, report, slug)


def check_found(
    founds: Iterable[Found],
    site: Site,
    base: str | None,
    locate: Callable[[Found], Location],
    report: Report,
    slug: str = "",
) -> None:
    """`check_tokens` on links already collected (a text's per-text job collects them from its tokens)."""
    for found in founds:
        target = classify(found.url, base)
        where = locate(found)
        shown = found.url if len(found.url) <= SHOWN else found.url[: SHOWN - 1] + "…"
        what = found.kind
        if target.kind == "text":
            _check_text(target, site, where, report)
        elif target.kind == "term":
            if target.name not in site.terms:
                report_unknown(report, "term", target.name, list(site.terms), where)
        elif target.kind == "fragment":
            _check_paragraph(slug, target.fragment, site.paragraphs.get(slug, 0), where, report)
        elif target.kind == "unsafe":
            report.warning(
                where,
                f"{what} to '{shown}' removed: only http(s), mailto and relative targets are kept",
                "link to a web page with https://…, to a text with text:<slug>, to a term with term:<id>",
                code="unsafe-url",
            )
        elif target.kind == "outside":
            report.error(
                where,
                f"{what} '{shown}' points outside the site",
                "give a relative path to a file of the site, written from the text's page (from an essay: ../static/x.png)",
                code="outside-site",
            )
        elif target.kind == "unplaced":
            report.error(
                where,
                f"relative {what} '{shown}' in annotation Markdown cannot lead to the same place from every page",
                "link to a text with text:<slug>#p<N>, to a term with term:<id>, or to a web page with https://…",
                code="relative-url",
            )
        if found.kind == "image" and target.kind in ("external", "text", "term"):
            report.warning(
                where,
                f"image '{shown}' is not shown: images must be files of the site",
                "put the image in static/ and give its relative path (the reader never loads remote files)",
                code="remote-image",
            )


def _check_text(target: Target, site: Site, where: Location, report: Report) -> None:
    count = site.paragraphs.get(target.name)
    if count is None:
        report_unknown(report, "text", target.name, list(site.paragraphs), where)
    elif target.fragment:
        _check_paragraph(target.name, target.fragment, count, where, report)


def _check_paragraph(name: str, fragment: str, count: int, where: Location, report: Report) -> None:
    number = PARAGRAPH.fullmatch(fragment)
    if number is not None and 1 <= int(number[1]) <= count:
        return
    report.error(
        where,
        f"link to '{name}#{fragment}' names no paragraph",
        f"'{name}' has paragraphs p1 to p{count}",
        code="unknown-reference",
    )


def column_in(lines: Sequence[str], found: Found) -> tuple[int, int]:
    """(0-based line offset within `lines`, 1-based column) where `found`'s URL is written, best effort."""
    start = max(found.line, 0)
    end = max(found.end_line, start + 1)
    needles = [found.url, unquote(found.url)]
    # in the block first; then anywhere (a reference link's URL is on its definition's line)
    for offset in [*range(start, min(end, len(lines))), *range(len(lines))]:
        for needle in needles:
            col = lines[offset].find(needle) if needle else -1
            if col >= 0:
                return offset, col + 1
    return start, 1


def check_links(
    annotations: Annotations,
    texts: dict[str, Text],
    paragraphs: dict[str, int],
    body_links: dict[str, list[Found]],
    report: Report,
) -> None:
    """Every link and image of every text body (`body_links`: `links_in` of each parsed body), note,
    link note and glossary definition, against `paragraphs` (each text's number of paragraphs).

    A typed link from a text to itself is refused too: its two ends would be one page's
    passages, its dialogue entry listed twice under one id.
    """
    from builder.textblocks import make_markdown  # textblocks asks this module what a safe URL is

    site = Site(paragraphs, tuple(t.id for t in annotations.terms))
    for slug in sorted(body_links):
        text = texts[slug]
        lines = text.body.splitlines()

        def locate(found: Found, text: Text = text, lines: list[str] = lines) -> Location:
            if found.column:  # placed by the text's own job, which had its body
                return Location(text.path, text.body_line + found.line, found.column)
            offset, column = column_in(lines, found)
            return Location(text.path, text.body_line + offset, column)

        check_found(body_links[slug], site, page_folder(text.url), locate, report, slug)
    for item in annotations.links:
        if item.source.essay == item.target.essay and item.source.essay in texts:
            report.error(
                item.target.essay_location or item.location,
                f"link '{item.id}' joins '{item.target.essay}' to itself",
                "a link joins passages of two texts; within one text, write a note that links to text:<slug>#p<N>",
                code="self-link",
            )
    md = make_markdown()
    sources = (
        [(n.body, n.location) for n in annotations.notes]
        + [(k.note, k.location) for k in annotations.links]
        + [(t.definition, t.location) for t in annotations.terms]
    )
    for markdown, location in sources:
        if "[" in markdown or "<" in markdown:  # without either, Markdown holds no link or image to check
            check_tokens(md.parse(markdown, {}), site, None, partial(_at, location), report)


def _at(location: Location, _found: Found) -> Location:
    """Annotation Markdown is reported at its entry (the YAML keeps no position inside a text block)."""
    return location
