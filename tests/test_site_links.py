"""Every link of the bundled reader leads somewhere: each href/src of each built HTML file names a file
in the output, and each #fragment an id in that file (DESIGN §6: offline, self-contained, addressable).

Generic on purpose: it reads every .html file the build writes, whatever the page types are, so
a new kind of page is checked the day it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

URL_ATTRIBUTES = {"href", "src", "action", "poster", "data", "cite", "formaction"}
EXTERNAL = re.compile(r"^(https?|mailto):", re.I)


class _Page(HTMLParser):
    """The ids of one HTML file and the URLs it points to, with their line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[int, str, str]] = []  # (line, tag.attribute, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in URL_ATTRIBUTES:
                self.urls.append((line, f"{tag}.{name}", value))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.urls.append((line, f"{tag}.srcset", candidate.split()[0]))


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def broken_links(site: Path) -> Iterator[str]:
    """One line per link that leads nowhere: `page:line: tag.attr 'url': why`."""
    pages: dict[PurePosixPath, _Page] = {}

    def page_at(rel: PurePosixPath) -> _Page:
        if rel not in pages:
            pages[rel] = read_page(site / rel)
        return pages[rel]

    for path in sorted(site.rglob("*.html")):
        rel = PurePosixPath(path.relative_to(site).as_posix())
        for line, where, url in page_at(rel).urls:
            problem = _problem(site, rel, url, page_at)
            if problem:
                yield f"{rel}:{line}: {where} {url!r}: {problem}"


def _problem(site: Path, page: PurePosixPath, url: str, page_at) -> str | None:  # type: ignore[no-untyped-def]
    if EXTERNAL.match(url):
        return None
    if url.startswith("//") or url.startswith("\\\\"):
        return "a network path (protocol-relative URL) in the output"
    parts = urlsplit(url)
    if parts.scheme:
        return f"scheme '{parts.scheme}:' is neither http(s), mailto nor a relative URL"
    target = page
    if parts.path:
        if parts.path.startswith("/"):
            return "an absolute path (breaks under file://)"
        joined: list[str] = []
        for part in (*page.parent.parts, *unquote(parts.path).split("/")):
            if part == "..":
                if not joined:
                    return "points outside the output folder"
                joined.pop()
            elif part not in ("", "."):
                joined.append(part)
        if parts.path.endswith("/") or not joined:
            return "names a folder, not a file"
        target = PurePosixPath(*joined)
        if not (site / target).is_file():
            return f"no file {target} in the output"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in page_at(target).ids:
        return f"no id '{fragment}' in {target}"
    return None


def test_every_link_and_fragment_of_the_bundled_reader_resolves(bundled_site: Path) -> None:
    pages = list(bundled_site.rglob("*.html"))
    assert len(pages) > 10, "the bundled reader built too few pages to be checked"
    broken = list(broken_links(bundled_site))
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(broken[:60])


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("b.html", None),
        ("b.html#x", None),
        ("#own", None),
        ("sub/c.html#y", None),
        ("https://example.org/", None),
        ("mailto:a@example.org", None),
        ("b.html#nosuch", "no id 'nosuch' in b.html"),
        ("#nosuch", "no id 'nosuch' in a.html"),
        ("missing.html", "no file missing.html in the output"),
        ("../outside.html", "points outside the output folder"),
        ("sub/", "names a folder, not a file"),
        ("//evil.example/x", "a network path (protocol-relative URL) in the output"),
        ("javascript:alert(1)", "scheme 'javascript:' is neither http(s), mailto nor a relative URL"),
        ("/etc/passwd", "an absolute path (breaks under file://)"),
    ],
)
def test_the_checker_itself(tmp_path: Path, url: str, problem: str | None) -> None:
    """The checker must find what it is there to find (a checker that passes everything proves nothing)."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_text(f'<p id="own"><a href="{url}">x</a></p>', encoding="utf-8")
    (tmp_path / "b.html").write_text('<h1 id="x">b</h1>', encoding="utf-8")
    (tmp_path / "sub" / "c.html").write_text('<p id="y">c</p>', encoding="utf-8")
    found = [line for line in broken_links(tmp_path) if line.startswith("a.html")]
    assert found == ([] if problem is None else [f"a.html:1: a.href {url!r}: {problem}"])
