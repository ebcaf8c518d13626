"""The reader's tools in Chromium over file://: search (titles and authors first, whole words first,
filters, an empty state, the words highlighted where a result leads), the glossary's filter and folded
occurrences, the citation dialog and ¶ permalinks, and what a printed page shows."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 390, "height": 844}
Session = Any  # the `reader` fixture of conftest.py


def search(page: Any, query: str) -> Any:
    """Type a query as a reader does; return the result items once they are shown."""
    page.fill("#search-input", query)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "q => document.querySelector('.search-status') && document.querySelector('.search-status').textContent.includes(q)",
        arg=query,
    )
    return page.locator("#search-results li.search-hit")


# ---------------------------------------------------------------- search


def test_an_author_leads_to_the_article_and_the_page_highlights_the_words(reader: Session) -> None:
    page = reader.open("search.html")
    hits = search(page, "Yang Sheng")
    first = hits.first
    assert (
        first.locator(".search-hit-title").inner_text()
        == "China encourages Europe to build ‘indivisible security’ mechanism with Russia"
    )
    assert first.locator(".search-hit-label").text_content().lower() == "title and authors"
    assert first.locator(".search-hit-perspective").text_content() == "Chinese state media"
    assert [m.lower() for m in first.locator("mark").all_inner_texts()] == ["yang", "sheng"]
    href = first.locator("a").get_attribute("href")
    assert href.startswith("essays/gt-indivisible-security.html?hl="), href
    assert unquote(href.split("hl=")[1]) == "Yang Sheng"
    first.locator("a").click()
    page.wait_for_url(re.compile(r"essays/gt-indivisible-security\.html\?hl="))
    page.locator("mark.search-hl").first.wait_for()
    marked = page.locator("mark.search-hl").all_inner_texts()
    assert marked[:2] == ["Yang", "Sheng"], marked
    assert page.locator(".author-name mark.search-hl").count() == 2, "the byline shows the highlighted name"
    bar = page.locator(".search-hl-bar")
    assert "Yang Sheng" in bar.inner_text()
    bar.locator("a").click()
    page.wait_for_url(re.compile(r"gt-indivisible-security\.html$"))
    assert page.locator("mark.search-hl").count() == 0
    reader.check()


def test_a_title_is_found_and_ranked_first(reader: Session) -> None:
    page = reader.open("search.html")
    hits = search(page, "Inflection point")
    assert (
        hits.first.locator(".search-hit-title")
        .inner_text()
        .startswith("EU-China relations post-Summit: Inflection point")
    )
    assert "search-hit-about" in hits.first.get_attribute("class")
    reader.check()


def test_whole_words_rank_above_prefixes(reader: Session) -> None:
    page = reader.open("search.html")
    hits = search(page, "Wang Yi")
    snippets = hits.locator(".search-hit-snippet").all_inner_texts()
    assert "Wang Yiwei" in " ".join(snippets), "the corpus has a Wang Yiwei, found by the prefix"
    first_yiwei = next(i for i, s in enumerate(snippets) if "Wang Yiwei" in s)
    whole = [i for i, s in enumerate(snippets) if re.search(r"Wang Yi\b", s)]
    assert whole and max(whole) < first_yiwei, snippets[: first_yiwei + 1]
    reader.check()


def test_filters_by_kind_and_perspective(reader: Session) -> None:
    page = reader.open("search.html")
    hits = search(page, "security")
    total = hits.count()
    kinds = set(hits.evaluate_all("els => els.map(e => e.className.match(/search-hit-(text|note|term)/)[1])"))
    assert kinds == {"text", "note", "term"}
    page.select_option("#search-kind", "note")
    page.wait_for_function("() => document.querySelector('.search-status').textContent.includes('among editor notes')")
    assert hits.count() > 0
    assert hits.evaluate_all("els => els.every(e => e.classList.contains('search-hit-note'))")
    assert all(label == "Editor note" for label in hits.locator(".search-hit-label").all_text_contents())
    page.select_option("#search-kind", "")
    page.select_option("#search-perspective", "chinese-state-media")
    page.wait_for_function("() => document.querySelector('.search-status').textContent.includes('Chinese state media')")
    shown = hits.locator(".search-hit-perspective").all_text_contents()
    assert shown and set(shown) == {"Chinese state media"} and len(shown) == hits.count() < total
    page.select_option("#search-kind", "term")
    page.wait_for_function("() => document.querySelector('.search-status').textContent.startsWith('No results')")
    assert re.fullmatch(
        r"No results for “security” among the glossary, Chinese state media; \d+ without the filters\.",
        page.inner_text(".search-status"),
    )
    reader.axe(page, "search with filters")
    reader.check()


def test_empty_state_and_examples_from_the_project(reader: Session) -> None:
    page = reader.open("search.html")
    help_box = page.locator("#search-help")
    assert help_box.is_visible()
    assert "de-risk" not in page.content().lower(), "no example hard-coded from the bundled corpus"
    examples = help_box.locator("a")
    assert examples.count() >= 2
    words = examples.all_inner_texts()
    glossary = (reader.site / "glossary.html").read_text("utf-8")
    assert f"<dfn>{words[0]}</dfn>" in glossary, "the first example is one of the project's glossary terms"
    examples.first.click()
    page.wait_for_url(re.compile(r"search\.html\?q="))
    page.locator("#search-results li.search-hit").first.wait_for()
    assert page.input_value("#search-input") == words[0]
    assert not help_box.is_visible()
    search(page, "xyzzyqq")
    assert page.inner_text(".search-status") == (
        "No results for “xyzzyqq”. Try fewer words, or only the start of a word."
    )
    reader.check()
