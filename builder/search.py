"""Search documents -> search-index.js, a classic script that sets window.COUNTERPOINT_SEARCH.

The index is loaded by a plain `<script src>` tag so that search works from `file://`
(no fetch, no modules). It holds the documents themselves, not an inverted index:
`static/search.js` normalises and scans them in the browser. Measured on 3,000
paragraphs of ~60 words: the file is 1.3 MB (0.44 MB gzipped), about the text itself;
the first search tokenises everything in ~140 ms, later ones take 10-20 ms (node 20).
An inverted index would ADD 0.8 MB (document ids) to 1.5 MB (with positions for
ranking and snippets), since snippets need the text anyway.
Keeping all normalisation in one place (the script) also means Python and JavaScript
can never disagree on what a word is.

Shape (keys sorted, no spaces):
    {"docs": [[page, fragment, kind, label, text], ...],
     "kinds": ["text", "note", "term"],
     "pages": [[path, title], [path, title, perspective, authors, outlet], ...],
     "perspectives": [[key, label, colour], ...],
     "v": 2}
`page` indexes `pages`, `kind` indexes `kinds`; a result's URL is `path + fragment`.
A text's page carries its perspective (an index into `perspectives`, -1 for none), its
authors and its outlet, once per page rather than per paragraph: the script searches
each text's title, authors and outlet as one more document and ranks those first.
Documents keep the caller's order (reading order), which breaks ties between results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

DocKind = Literal["text", "note", "term"]
KINDS: tuple[DocKind, ...] = ("text", "note", "term")
INDEX_VERSION = 2
INDEX_FILENAME = "search-index.js"
"""Where the index goes, relative to the site root; static/search.js loads this name."""


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One searchable passage: a paragraph, an editor note or a glossary definition."""

    url: str
    """Relative to the site root, e.g. "essays/ch1-eu-inflection-point.html#p12"."""
    title: str
    """What the result is headed with, e.g. the essay title."""
    kind: DocKind
    """What sort of passage this is; the result list styles each kind."""
    label: str
    """Where in the page, e.g. "¶12", "Editor note", "Glossary"."""
    text: str
    """Plain text of the paragraph, note or definition."""


@dataclass(frozen=True, slots=True)
class SearchText:
    """A text's page as search shows it: its title, authors and outlet are searched too."""

    url: str
    """Relative to the site root, e.g. "essays/gt-indivisible-security.html"."""
    title: str
    perspective: tuple[str, str, str] | None
    """(key, label, colour) of the text's perspective, or None."""
    authors: str = ""
    """The authors' names as printed, e.g. "Yang Sheng, Bai Yunyi"."""
    outlet: str = ""


def render_search_index(docs: Sequence[SearchDoc], texts: Sequence[SearchText] = ()) -> str:
    """Return a classic-script JS file body that assigns window.COUNTERPOINT_SEARCH = {...}."""
    return "".join(search_index_parts(docs, texts))


def search_index_parts(docs: Iterable[SearchDoc], texts: Sequence[SearchText] = ()) -> Iterator[str]:
    """`render_search_index` piece by piece, the same bytes: a big reader's index is never whole in memory.

    The keys come in sorted order (docs, kinds, pages, perspectives, v), and each row is
    dumped on its own: JSON of a list is its items' JSON joined by commas.
    """
    perspectives: dict[tuple[str, str, str], int] = {}
    pages: dict[tuple[str, str], list[object]] = {}
    for text in texts:
        p = -1 if text.perspective is None else perspectives.setdefault(text.perspective, len(perspectives))
        pages[(text.url, text.title)] = [text.url, text.title, p, text.authors, text.outlet]
    number = {key: n for n, key in enumerate(pages)}
    yield 'window.COUNTERPOINT_SEARCH={"docs":['
    batch: list[list[object]] = []
    first = True
    for doc in docs:
        path, _, fragment = doc.url.partition("#")
        if (path, doc.title) not in number:
            number[(path, doc.title)] = len(pages)
            pages[(path, doc.title)] = [path, doc.title]
        anchor = f"#{fragment}" if fragment else ""
        batch.append([number[(path, doc.title)], anchor, KINDS.index(doc.kind), doc.label, doc.text])
        if len(batch) >= 512:
            yield ("" if first else ",") + _script_safe_json(batch)[1:-1]  # a batch's items, without its brackets
            batch, first = [], False
    if batch:
        yield ("" if first else ",") + _script_safe_json(batch)[1:-1]
    rest = _script_safe_json(
        {
            "kinds": list(KINDS),
            "pages": list(pages.values()),
            "perspectives": [list(p) for p in perspectives],
            "v": INDEX_VERSION,
        }
    )
    yield "]," + rest[1:] + ";\n"


def _script_safe_json(value: object) -> str:
    """Deterministic JSON that cannot end a <script> element or break old JS parsers."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" and ">" only occur inside JSON strings, where \u escapes mean the same thing;
    # this rules out "</script>" and "<!--" wherever the index ends up being inlined.
    # U+2028/2029 are legal in JSON strings but were line terminators in JS before ES2019.
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text
