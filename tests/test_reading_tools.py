"""What the built pages carry for the reader's tools: citation meta tags (Highwire Press and Dublin Core,
as Zotero reads them) with and without `base_url`, and the glossary page's weight."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from helpers import run_cli

SITE_TOML = """\
title = "Minimal reader"
language = "en"
{extra}
[perspectives.east]
label = "East"
colour = "#b3261e"

[perspectives.west]
label = "West"
colour = "#1f5fa8"
"""


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "meta" and (name.startswith("citation_") or name.startswith("DC.")):
            self.tags.append((name, a.get("content") or ""))


def meta_tags(page: Path) -> list[tuple[str, str]]:
    parser = _Meta()
    parser.feed(page.read_text("utf-8"))
    return parser.tags


def build(make_project, tmp_path: Path, extra: str = "") -> Path:  # type: ignore[no-untyped-def]
    root = make_project({"site.toml": SITE_TOML.format(extra=extra)})
    out = tmp_path / "site"
    result = run_cli("build", "--project", str(root), "--out", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    return out


def test_an_essay_carries_highwire_and_dublin_core_tags_with_its_published_address(make_project, tmp_path):
    site = build(make_project, tmp_path, 'base_url = "https://example.org/reader/"')
    assert meta_tags(site / "essays" / "alpha.html") == [
        ("citation_title", "Security is indivisible"),
        ("citation_author", "A. Author"),
        ("citation_publication_date", "2024/07/31"),
        ("citation_publisher", "East Review"),
        ("citation_language", "en"),
        ("citation_public_url", "https://example.org/reader/essays/alpha.html"),
        ("DC.title", "Security is indivisible"),
        ("DC.creator", "A. Author"),
        ("DC.date", "2024-07-31"),
        ("DC.publisher", "East Review"),
        ("DC.language", "en"),
        ("DC.type", "Text"),
        ("DC.identifier", "https://example.org/reader/essays/alpha.html"),
    ]
    debate = dict(meta_tags(site / "debates" / "dispute.html"))
    assert debate["citation_title"] == "Who is to blame?"
    assert debate["citation_public_url"] == "https://example.org/reader/debates/dispute.html"
    assert "citation_publisher" not in debate  # a debate is the editors' page, not an outlet's
    assert dict(meta_tags(site / "about.html"))["DC.identifier"] == "https://example.org/reader/about.html"
    assert meta_tags(site / "index.html") == [] and meta_tags(site / "glossary.html") == []


def test_without_base_url_no_address_is_claimed(make_project, tmp_path):
    site = build(make_project, tmp_path)
    names = [name for name, _ in meta_tags(site / "essays" / "alpha.html")]
    assert "citation_title" in names and "DC.title" in names
    assert "citation_public_url" not in names and "DC.identifier" not in names


def test_bundled_glossary_page_weighs_at_most_250_kb(bundled_site):
    size = (bundled_site / "glossary.html").stat().st_size
    assert size <= 250_000, f"glossary.html is {size:,} bytes"
