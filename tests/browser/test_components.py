"""Components checked in a real Chromium: the debate map's text layout and the search page from file://."""

from __future__ import annotations

import shutil

from test_debate_map import big_map
from test_search import DOCS, SEARCH_JS

from builder.debate_map import render_map
from builder.search import SearchDoc, render_search_index


def test_map_titles_fit_their_boxes(browser, tmp_path):
    """The width estimate behind the map's title wrapping, checked against a real text layout."""
    nodes, edges = big_map()
    page_path = tmp_path / "map.html"
    page_path.write_text('<!doctype html><meta charset="utf-8"><body>' + render_map(nodes, edges), encoding="utf-8")
    script = """() => [...document.querySelectorAll('.cpm-node')].map(a => {
        const box = a.querySelector('.cpm-box').getBoundingClientRect();
        const label = a.querySelector('.cpm-label').getBoundingClientRect();
        return box.right - label.right;
    })"""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(page_path.as_uri())
    room = page.evaluate(script)
    page.close()
    assert len(room) == len(nodes) and min(room) >= 4, room


SEARCH_PAGE = """<!doctype html>
<html lang="en" data-root="../"><head><meta charset="utf-8"><title>Search</title></head>
<body>
<form class="site-search" action="../search.html" role="search"><input name="q" type="search"></form>
<form id="search-form"><input id="search-input" type="search"></form>
<div id="search-results" aria-live="polite"></div>
<script src="../search.js"></script>
</body></html>
"""


def test_search_page_from_file_url(browser, tmp_path):
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "search-index.js").write_text(
        render_search_index(
            DOCS + [SearchDoc("essays/d.html#p9", "<b>Bold</b> title", "text", "¶9", "<img src=x> de-risking")]
        ),
        encoding="utf-8",
    )
    shutil.copy(SEARCH_JS, site / "search.js")
    page_path = site / "sub" / "search.html"  # a page one level down: root is "../"
    page_path.write_text(SEARCH_PAGE, encoding="utf-8")
    if True:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_path.as_uri() + "?q=de-risk")
        page.wait_for_selector("#search-results li")
        assert page.input_value("#search-input") == "de-risk"
        hrefs = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.getAttribute('href'))")
        assert sorted(hrefs) == [  # the query travels along, for the page to highlight
            "../essays/a.html?hl=de-risk#p1",
            "../essays/b.html?hl=de-risk#p2",
            "../essays/d.html?hl=de-risk#p9",
        ]
        marks = page.eval_on_selector_all("#search-results mark", "ms => ms.map(m => m.textContent)")
        assert sorted(marks) == ["Derisking", "de-risking", "de-risking"]
        assert page.locator("#search-results img, #search-results b").count() == 0  # text, not HTML
        assert "<b>Bold</b> title" in page.inner_text("#search-results")
        page.fill("#search-input", "Berzina")
        page.wait_for_function("document.querySelectorAll('#search-results li').length === 2")
        assert "2 results" in page.inner_text(".search-status")
        page.fill("#search-input", "xyzzy")
        page.wait_for_function("document.querySelector('.search-status').textContent.startsWith('No results')")
        assert errors == []
        page.close()
