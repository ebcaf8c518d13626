"""The reader's tools in Chromium over file://: search (titles and authors first, whole words first,
filters, an empty state, the words highlighted where a result leads), the glossary's filter and folded
occurrences, the citation dialog and ¶ permalinks, and what a printed page shows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
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


# ---------------------------------------------------------------- glossary


def test_glossary_filter(reader: Session) -> None:
    page = reader.open("glossary.html")
    entries = page.locator(".term-entry")
    total = entries.count()
    box = page.locator("#glossary-filter")
    assert box.is_visible()
    box.fill("Coercion")
    status = page.locator("#glossary-filter-status")
    visible = page.locator(".term-entry:visible")
    assert 0 < visible.count() < total
    assert status.inner_text() == f"{visible.count()} of {total} entries shown."
    for text in visible.all_inner_texts():
        assert "coercion" in text.lower()
    assert page.locator(".letters li:visible").count() < page.locator(".letters li").count()
    box.fill("zzzqqq")
    assert visible.count() == 0 and status.inner_text() == "No entry contains “zzzqqq”."
    box.fill("")
    assert visible.count() == total and status.inner_text() == ""
    reader.axe(page, "glossary")
    reader.check()


def test_glossary_shows_a_few_occurrences_per_perspective_and_folds_the_rest(reader: Session) -> None:
    page = reader.open("glossary.html")
    entry = page.locator(".term-entry", has=page.locator("dfn", has_text=re.compile(r"^AI$")))
    assert "occurrences in the texts" in entry.locator(".concordance-count").inner_text()
    groups = entry.locator(".concordance-group")
    assert groups.count() >= 2, "AI occurs in texts of several perspectives"
    for i in range(groups.count()):
        shown = groups.nth(i).locator(":scope > ul > li")
        assert 1 <= shown.count() <= 2 and shown.first.is_visible()
    more = entry.locator("details.concordance-more").first
    assert not more.evaluate("el => el.open")
    hidden_link = more.locator("a").first
    assert not hidden_link.is_visible(), "occurrences beyond the first few are folded away"
    more.locator("summary").click()
    assert hidden_link.is_visible()
    href = hidden_link.get_attribute("href")
    number = hidden_link.inner_text()
    assert re.fullmatch(r"essays/[a-z0-9-]+\.html#p" + number, href), href
    hidden_link.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert page.locator(f"[id='p{number}']").evaluate("el => el.matches(':target')")
    reader.check()


# ---------------------------------------------------------------- citation


def test_cite_dialog_and_permalink_name_the_published_address(browser: Any, tmp_path: Any) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from helpers import MINIMAL, run_cli

    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    toml = root / "site.toml"
    toml.write_text('base_url = "https://example.org/reader/"\n' + toml.read_text("utf-8"), encoding="utf-8")
    out = tmp_path / "site"
    assert run_cli("build", "--project", str(root), "--out", str(out), "--no-cache").exit_code == 0
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((out / "essays" / "alpha.html").as_uri())
    page.get_by_role("button", name="Cite").click()
    dialog = page.locator("dialog.cite-dialog")
    assert dialog.is_visible() and dialog.locator("h2").inner_text() == "Cite this text"
    assert page.input_value("#cite-plain") == (
        "A. Author. “Security is indivisible.” East Review, 2024-07-31. https://example.org/reader/essays/alpha.html"
    )
    assert page.input_value("#cite-bibtex") == (
        "@misc{a2024security,\n"
        "  author = {{A. Author}},\n"
        "  title = {{Security is indivisible}},\n"
        "  howpublished = {East Review},\n"
        "  year = {2024},\n"
        "  month = {7},\n"
        "  url = {https://example.org/reader/essays/alpha.html}\n"
        "}"
    )
    dialog.get_by_role("button", name="Close").click()
    # a ¶ number copies the published address of that paragraph, and Cite then cites the paragraph
    page.locator("a.pnum[href='#p2']").click()
    toast = page.locator(".cite-toast")
    assert toast.inner_text().startswith("Link to ¶2 copied.") or toast.inner_text().startswith("Copy this link")
    assert toast.locator("input").input_value() == "https://example.org/reader/essays/alpha.html#p2"
    assert page.evaluate("location.hash") == "#p2"
    page.get_by_role("button", name="Cite").click()
    assert dialog.locator("h2").inner_text() == "Cite ¶2 of this text"
    assert page.input_value("#cite-plain").endswith("2024-07-31. ¶ 2. https://example.org/reader/essays/alpha.html#p2")
    assert errors == []
    context.close()


def test_without_base_url_the_reader_is_told_the_link_is_a_local_file(reader: Session) -> None:
    page = reader.open("essays/gt-indivisible-security.html")
    page.locator("a.pnum").nth(2).click()
    toast = page.locator(".cite-toast")
    assert "this file on your computer: it opens only here" in toast.inner_text()
    assert toast.locator("input").input_value().startswith("file:///")
    page.get_by_role("button", name="Cite").click()
    plain = page.input_value("#cite-plain")
    assert plain.startswith(
        "Yang Sheng. “China encourages Europe to build ‘indivisible security’ mechanism with Russia.”"
    )
    assert "file:" not in plain and "¶ 3." in plain
    page.keyboard.press("Escape")
    page.goto(reader.url("essays/ch1-eu-inflection-point.html"))
    page.get_by_role("button", name="Cite").click()
    assert "“EU-China relations post-Summit: Inflection point or reflection point on China's narratives?” European" in (
        page.input_value("#cite-plain")
    ), "a title's own question mark ends it"
    assert "no published web address" in page.locator(".cite-note").inner_text()
    reader.axe(page, "cite dialog")
    reader.check()


# ---------------------------------------------------------------- print

AFTER_CONTENT = """() => [...document.querySelectorAll('main a, main a *')].map(el =>
    getComputedStyle(el, '::after').content + ' ' + getComputedStyle(el, '::before').content)"""


def test_print_shows_no_file_paths_notes_at_the_end_and_no_widgets(reader: Session) -> None:
    page = reader.open("essays/ch1-eu-inflection-point.html", WIDE)
    page.emulate_media(media="print")
    text = page.evaluate("document.querySelector('main').innerText")
    generated = " ".join(page.evaluate(AFTER_CONTENT))
    for printed in (text, generated):
        assert ".html" not in printed and "file:" not in printed and "../" not in printed
    # a cross-reference prints its relation, the other text's title and ¶
    xref = page.locator("a.xref-rebuts").first
    assert re.fullmatch(r"rebuts → .+ ¶\d+", xref.inner_text().strip()), xref.inner_text()
    assert xref.evaluate("el => getComputedStyle(el, '::after').content") == '"]"'
    # editor notes: never inside a sentence; lettered at the end, in the markers' order
    assert page.locator(".text-body .sidenote:visible").count() == 0
    markers = [m.strip()[-1] for m in page.locator(".text-body a.note-marker").all_inner_texts()]
    notes = page.locator(".print-notes li")
    assert notes.count() == len(markers) >= 5
    assert (
        [b.strip() for b in notes.locator("b").all_inner_texts()] == markers == ["a", "b", "c", "d", "e"] + markers[5:]
    )
    first = page.locator(".text-body .sidenote").first.text_content()
    assert "Tianjin" in first and "Tianjin" in notes.first.inner_text()
    body = page.locator(".text-body").bounding_box()
    assert page.locator(".print-notes").bounding_box()["y"] >= body["y"] + body["height"] - 1
    # widgets are not printed
    for widget in (".site-search", ".cite-action", ".compare-links", ".legend"):
        assert page.locator(widget).count() == 0 or not page.locator(widget).first.is_visible(), widget
    page.emulate_media(media="screen")
    assert not page.locator(".print-notes").is_visible(), "on screen the notes sit beside their markers"
    reader.check()
