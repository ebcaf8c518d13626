"""builder/urls.py: one classification of every Markdown URL, and `check` and the render rules agree on it.

Every link syntax (inline, titled, reference, autolink) is seen, because the check walks the
parsed tokens. The agreement test renders each URL and checks it against what `check` said:
whatever the page drops, `check` reported; whatever `check` accepts, the page shows.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest

from builder.diagnostics import Location, Report
from builder.markdown import make_markdown, render_tokens
from builder.urls import Found, Site, check_tokens, classify, column_in, links_in, site_path

SITE = Site({"alpha": 5, "beta": 3}, ("indivisible-security",))
HERE = Location(PurePosixPath("content/alpha.md"), 10, 1)


@pytest.mark.parametrize(
    ("url", "base", "kind", "emitted"),
    [
        ("text:alpha", "essays/", "text", "text:alpha"),
        ("TEXT:alpha#p3", "essays/", "text", "TEXT:alpha#p3"),
        ("term:indivisible-security", None, "term", "term:indivisible-security"),
        ("https://example.org/x", None, "external", "https://example.org/x"),
        ("mailto:a@example.org", None, "external", "mailto:a@example.org"),
        ("//evil.example/x", "essays/", "external", "https://evil.example/x"),
        ("//evil.example/x", None, "external", "https://evil.example/x"),
        ("javascript:alert(1)", "essays/", "unsafe", "javascript:alert(1)"),
        ("java\tscript:alert(1)", "essays/", "unsafe", "java\tscript:alert(1)"),
        ("data:text/html,x", None, "unsafe", "data:text/html,x"),
        ("file:///etc/passwd", "", "unsafe", "file:///etc/passwd"),
        ("/etc/x.png", "essays/", "outside", "/etc/x.png"),
        ("/%5Cevil.example/x", "essays/", "outside", "/%5Cevil.example/x"),
        ("../../../../etc/x.png", "essays/", "outside", "../../../../etc/x.png"),
        ("../%2e%2e/x.png", "essays/", "outside", "../%2e%2e/x.png"),
        ("../static/x.png", "essays/", "local", "static/x.png"),
        ("beta.html#p2", "essays/", "local", "essays/beta.html#p2"),
        ("static/x.png", "", "local", "static/x.png"),
        ("../x.png", "", "outside", "../x.png"),
        ("#p2", "essays/", "fragment", "#p2"),
        ("#p2", None, "unplaced", "#p2"),
        ("other.html", None, "unplaced", "other.html"),
    ],
)
def test_classify(url: str, base: str | None, kind: str, emitted: str) -> None:
    target = classify(url, base)
    assert (target.kind, target.url) == (kind, emitted)


def test_site_path() -> None:
    assert site_path("essays/", "../static/a b.png?v=1") == "static/a b.png?v=1"
    assert site_path("", "a/./b/../c.png") == "a/c.png"
    assert site_path("essays/", "../../x") is None


def _check(source: str, base: str | None = "essays/") -> list[str]:
    report = Report()
    md = make_markdown()
    check_tokens(md.parse(source, {}), SITE, base, lambda _found: HERE, report, "alpha")
    return [f"{d.severity}: {d.message}" for d in report.diagnostics]


@pytest.mark.parametrize(
    "source",
    [
        "[a](text:nosuch)",
        '[a](text:nosuch "a title")',
        "[a][r]\n\n[r]: text:nosuch",
        '[a][r]\n\n[r]: <text:nosuch> "t"',
        "<text:nosuch>",
        "[[x]](text:nosuch)",
        "*[a](text:nosuch)*",
        "- item [a](text:nosuch)",
        "| h |\n| - |\n| [a](text:nosuch) |",
        "Text.[^1]\n\n[^1]: See [a](text:nosuch).",
    ],
)
def test_an_unknown_text_is_an_error_in_every_link_syntax(source: str) -> None:
    assert _check(source) == ["error: unknown text 'nosuch'"]


def test_paragraphs_terms_and_fragments() -> None:
    assert _check("[a](text:beta#p3) [b](text:beta#p4) [c](text:beta#x)") == [
        "error: link to 'beta#p4' names no paragraph",
        "error: link to 'beta#x' names no paragraph",
    ]
    assert _check("[t](term:indivisible-security) [u](term:nosuch)") == ["error: unknown term 'nosuch'"]
    assert _check("[own](#p5) [none](#p6)") == ["error: link to 'alpha#p6' names no paragraph"]


def test_dropped_urls_and_images_are_reported() -> None:
    assert _check("[a](javascript:alert(1)) <vbscript:x> [b][r]\n\n[r]: data:text/html,x") == [
        "warning: link to 'javascript:alert(1)' removed: only http(s), mailto and relative targets are kept",
        "warning: link to 'vbscript:x' removed: only http(s), mailto and relative targets are kept",
        "warning: link to 'data:text/html,x' removed: only http(s), mailto and relative targets are kept",
    ]
    assert _check("![x](https://example.org/t.png) ![y](//evil.example/y.png)") == [
        "warning: image 'https://example.org/t.png' is not shown: images must be files of the site",
        "warning: image '//evil.example/y.png' is not shown: images must be files of the site",
    ]
    assert _check("![z](../../../../etc/x.png) [p](/etc/passwd)") == [
        "error: image '../../../../etc/x.png' points outside the site",
        "error: link '/etc/passwd' points outside the site",
    ]
    assert _check("[r](other.html)", base=None) == [
        "error: relative link 'other.html' in annotation Markdown cannot lead to the same place from every page"
    ]
    assert _check("[ok](https://example.org) [m](mailto:a@example.org) ![i](../static/i.png) [p](//x.example)") == []


def test_a_long_url_is_shortened_in_the_message() -> None:
    (message,) = _check(f"[a](javascript:{'x' * 500})")
    assert len(message) < 200 and "…" in message


def test_links_in_reports_the_line_and_column_in_the_body() -> None:
    body = "First paragraph.\n\nSecond, with [a\nlink](text:nosuch) inside.\n"
    md = make_markdown()
    (found,) = links_in(md.parse(body, {}))
    assert found == Found("link", "text:nosuch", 2, 4)
    assert column_in(body.splitlines(), found) == (3, 7)


# ------------------------------------------------------------------ check and render agree

AGREEMENT = [
    "[a](text:alpha#p2)",
    "[a](text:nosuch)",
    "[t](term:indivisible-security)",
    "[t](term:nosuch)",
    "[a](javascript:alert(1))",
    "<JavaScript:alert(1)>",
    "[a](//evil.example/x)",
    "[a](/etc/passwd)",
    "[a](../../x.html)",
    "[a](beta.html)",
    "[a](#p2)",
    "[a](https://example.org)",
    "<https://example.org>",
    "![i](../static/i.png)",
    "![i](../../../../etc/x.png)",
    "![i](https://example.org/t.png)",
    "![i](//evil.example/t.png)",
    "![i](javascript:x)",
]


def _resolve(target: str) -> str | None:
    scheme, _, rest = target.partition(":")
    name, _, fragment = rest.partition("#")
    if scheme.lower() == "text" and name in SITE.paragraphs:
        return f"../essays/{name}.html" + (f"#{fragment}" if fragment else "")
    if scheme.lower() == "term" and name in SITE.terms:
        return f"../glossary.html#{name}"
    return None


@pytest.mark.parametrize("source", AGREEMENT)
@pytest.mark.parametrize("base", ["essays/", None])
def test_check_and_render_agree(source: str, base: str | None) -> None:
    md = make_markdown()
    env = {"resolve": _resolve, "base": base, "root": "../", "id_prefix": "a-"}
    html = render_tokens(md, md.parse(source, {}), env)
    dropped = "link-removed" in html or "image-omitted" in html
    reported = _check(source, base)
    assert dropped == bool(reported), (html, reported)
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert re.match(r"^(https://|mailto:|\.\./(essays|static|glossary)|#a-p2$)", url), (source, url)


def test_rendered_urls() -> None:
    md = make_markdown()
    env = {"resolve": _resolve, "base": "essays/", "root": "../", "id_prefix": "b-"}

    def render(source: str) -> str:
        return render_tokens(md, md.parse(source, {}), env).strip()

    assert render("[a](//evil.example/x)") == (
        '<p><a href="https://evil.example/x" rel="noopener noreferrer" class="external">a</a></p>'
    )
    assert render("[a](beta.html#p2)") == '<p><a href="../essays/beta.html#p2">a</a></p>'
    assert render("[a](#p2)") == '<p><a href="#b-p2">a</a></p>'
    assert render("![i](../static/i.png)") == '<p><img src="../static/i.png" alt="i" loading="lazy"></p>'
    assert render("![i](../../../../etc/x.png)") == '<p><span class="image-omitted">[image: i]</span></p>'
    assert render('[a][r]\n\n[r]: text:beta "t"') == '<p><a class="internal" href="../essays/beta.html">a</a></p>'
    assert render("[a](javascript:alert(1))") == '<p><a class="link-removed">a</a></p>'


# ------------------------------------------------------------------ authors' footnotes and notes in headings


def test_a_footnote_without_a_marker_has_no_back_link() -> None:
    md = make_markdown()
    env: dict[str, object] = {}
    tokens = md.parse("Text.[^1]\n\n[^1]: One.\n[^3]: Three, printed without a marker.\n", env)
    html = render_tokens(md, tokens, {"footnotes": env["footnotes"]})
    assert 'href="#fnref-1"' in html and 'id="fnref-1"' in html
    assert "fnref-3" not in html


def test_a_note_marker_in_a_heading_puts_its_note_after_the_heading() -> None:
    from builder.markdown import Marker, Span, decorate
    from builder.textblocks import parse_body

    md = make_markdown()
    parsed = parse_body(md, "## A heading\n\nA paragraph.\n", 1)
    marker = Marker("note", "#note-n", "a", "Editor note a", dom_id="m-n", html="The note.")
    span = Span(0, 2, 9, "anchor", "anchor-n", markers=(marker,))
    html = render_tokens(md, decorate(parsed, [span]), {})
    heading = re.search(r"<h2.*?</h2>", html, re.S)
    assert heading and 'class="note-marker' not in heading[0].replace("ed-marker note-marker", "")
    assert 'role="note"' not in heading[0] and 'href="#note-n"' in heading[0]
    assert re.search(r'</h2><span class="sidenote" id="note-n" role="note"', html)
