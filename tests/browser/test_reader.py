"""The built reader in a real browser, from file:// with no network: reading, popups by keyboard,
following cross-references, the compare view, search, and axe-core on every page type (the map: test_map.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import WCAG22AA

POPUP = ".cp-pop"
WIDE = {"width": 1400, "height": 900}
NARROW = {"width": 390, "height": 844}
Session = Any  # the `reader` fixture of conftest.py


# ---------------------------------------------------------------- helpers


def pages_with(site: Path, folder: str, needle: str) -> list[str]:
    """Relative paths of built pages in `folder` whose HTML contains `needle`, in name order."""
    return [f"{folder}/{p.name}" for p in sorted((site / folder).glob("*.html")) if needle in p.read_text("utf-8")]


def first_page_with(site: Path, folder: str, needle: str) -> str:
    found = pages_with(site, folder, needle)
    assert found, f"no page in {folder}/ contains {needle!r}: the corpus should exercise this feature"
    return found[0]


def in_viewport(page: Any, selector_or_handle: Any, within: str | None = None) -> bool:
    """Is the element's box at least partly inside the window (and inside `within`'s visible box)?"""
    handle = page.locator(selector_or_handle) if isinstance(selector_or_handle, str) else selector_or_handle
    return bool(
        handle.evaluate(
            """(el, within) => {
        const r = el.getBoundingClientRect();
        const box = within ? document.querySelector(within).getBoundingClientRect()
                           : {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
        return r.bottom > Math.max(0, box.top) && r.top < Math.min(innerHeight, box.bottom)
            && r.right > box.left && r.left < box.right;
    }""",
            within,
        )
    )


def tab_to(page: Any, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching `selector` (the first one) has the focus, as a keyboard user would."""
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    # start from the element just before it, so the walk stays short on long pages
    page.evaluate(
        """(sel) => {
        const el = document.querySelector(sel);
        const all = [...document.querySelectorAll('a[href], button, input, [tabindex]:not([tabindex="-1"])')];
        const i = all.indexOf(el);
        if (i > 0) all[i - 1].focus(); else document.body.focus();
    }""",
        selector,
    )
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def popup(page: Any) -> Any:
    return page.locator(POPUP)


# ---------------------------------------------------------------- reading


def test_index_to_debate_to_essay(reader: Session) -> None:
    page = reader.open("index.html")
    assert page.locator("h1").first.inner_text().strip()
    entries = page.locator(".debate-entry")
    assert entries.count() >= 1
    # every opposing essay on the index is labelled by its perspective in words, not only by colour
    for badge in page.locator(".debate-entry .opposing .badge").all():
        assert badge.inner_text().strip()
    reader.axe(page, "index", WCAG22AA)
    entries.first.locator("h3 a").click()
    page.wait_for_url(re.compile(r"/debates/[^/]+\.html$"))
    assert page.locator(".card").count() >= 2
    assert page.locator(".framing .text-body").inner_text().strip()
    reader.axe(page, "debate page", WCAG22AA)
    card = page.locator(".card h3 a").first
    title = card.inner_text().strip()
    card.click()
    page.wait_for_url(re.compile(r"/essays/[^/]+\.html$"))
    assert page.locator("h1").inner_text().strip() == title
    header = page.locator(".text-header")
    assert header.locator(".badge").inner_text().strip(), "the perspective badge has a label"
    assert header.locator(".meta").inner_text().strip()
    assert page.locator(".text-body .pnum").count() > 3
    assert page.locator("aside.dialogue h2").inner_text().strip() == "In dialogue with"
    reader.axe(page, "essay", WCAG22AA)
    reader.check()


def test_essay_axe_dark_and_narrow(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="sidenote"')
    page = reader.open(rel, dark=True)
    reader.axe(page, f"{rel} (dark)", WCAG22AA)
    page = reader.open(rel, NARROW)
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1"), "no sideways scrolling on a phone"
    reader.axe(page, f"{rel} (narrow)", WCAG22AA)
    reader.check()


def test_footnote_popup_by_keyboard(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="fn-ref"')
    page = reader.open(rel)
    ref = "sup.fn-ref a"
    href = page.locator(ref).first.get_attribute("href")
    endnote = page.locator(f"li.footnote:has({href.replace('#', '#')})")
    expected = endnote.inner_text().strip().split("\n")[-1][:30]
    tab_to(page, ref)
    assert popup(page).count() == 1, "focus opens the authors' note"
    assert popup(page).is_visible()
    assert expected.strip()[:20] in popup(page).inner_text(), "the popup shows the endnote's text"
    assert page.locator(ref).first.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert popup(page).count() == 0, "Esc closes it"
    assert page.locator(ref).first.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert popup(page).count() == 1 and popup(page).is_visible(), "Enter opens it"
    assert page.url.endswith(rel), "Enter opens the popup instead of jumping away"
    reader.axe(page, "essay with a footnote popup", WCAG22AA)
    page.keyboard.press("Escape")
    assert popup(page).count() == 0
    # a pointer resting on the reference opens it too, and leaving closes it
    page.locator(ref).first.hover()
    popup(page).wait_for(state="visible")
    page.mouse.move(0, 0)
    popup(page).wait_for(state="detached")
    # the endnotes are there as well, and the popup's link leads to them
    assert page.locator("section.footnotes li.footnote").count() >= 1
    reader.check()


def test_glossary_popup_by_keyboard(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="term"')
    page = reader.open(rel)
    term = page.locator("a.term").first
    term_id = term.get_attribute("href").split("#")[1]
    definition = page.evaluate("id => window.COUNTERPOINT_GLOSSARY[id]", term_id)
    assert definition, "glossary-data.js is loaded"
    tab_to(page, "a.term")
    box = popup(page)
    assert box.is_visible()
    assert definition["term"] in box.inner_text()
    assert "editor" in box.inner_text().lower(), "the editors' voice is labelled"
    page.keyboard.press("Escape")
    assert box.count() == 0
    page.keyboard.press("Enter")
    assert popup(page).is_visible()
    # Tab moves into the popup, to the link to the full entry; following it lands on the entry
    page.keyboard.press("Tab")
    go = popup(page).locator("a.cp-pop-go")
    assert go.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(f"glossary.html#{term_id}") + "$"))
    assert page.locator(f"[id='{term_id}']").evaluate("el => el.matches(':target')")
    reader.check()


def test_link_preview_by_keyboard(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'data-preview="')
    page = reader.open(rel)
    marker = page.locator("a.xref[data-preview]").first
    preview = marker.get_attribute("data-preview")
    tab_to(page, "a.xref[data-preview]")
    box = popup(page)
    assert box.is_visible()
    assert preview[:40] in box.inner_text()
    assert marker.get_attribute("data-relation")
    assert "editor" in box.inner_text().lower() and "cross-reference" in box.inner_text().lower()
    page.keyboard.press("Escape")
    assert box.count() == 0
    reader.check()


def test_popups_open_on_tap(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="fn-ref"')
    page = reader.open(rel, NARROW, touch=True)
    page.locator("sup.fn-ref a").first.tap()
    popup(page).wait_for(state="visible")
    assert page.url.endswith(rel), "a tap on a footnote reference opens it in place"
    rel = first_page_with(reader.site, "essays", 'data-preview="')
    page = reader.open(rel, NARROW, touch=True)
    marker = page.locator("a.xref[data-preview]").first
    href = marker.get_attribute("href")
    marker.tap()
    popup(page).wait_for(state="visible")
    assert page.url.endswith(rel), "the first tap on a cross-reference shows the preview"
    popup(page).locator("a.cp-pop-go").tap()
    page.wait_for_url(re.compile(re.escape(href.split("/")[-1]) + "$"))
    reader.check()


def test_follow_a_rebuttal_to_the_highlighted_passage(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'data-relation="rebuts"')
    page = reader.open(rel)
    selector = 'a.xref[data-relation="rebuts"]'
    target_id = page.locator(selector).first.get_attribute("href").split("#")[1]
    tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape("#" + target_id) + "$"))
    page.wait_for_load_state()
    assert page.evaluate("location.hash") == "#" + target_id
    mark = page.locator(f"[id='{target_id}']")
    assert mark.evaluate("el => el.matches('mark.anchor:target')")
    background = mark.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the landed-on passage is highlighted"
    assert in_viewport(page, f"[id='{target_id}']")
    reader.axe(page, "essay landed on a passage", WCAG22AA)
    reader.check()


def test_paragraph_number_copies_a_permalink(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="pnum"')
    page = reader.open(rel)
    pnum = page.locator(".text-body .pnum").nth(2)
    block_id = pnum.get_attribute("href")[1:]
    pnum.click()
    toast = page.locator(".cp-toast")
    assert toast.is_visible()
    text = toast.inner_text()
    assert "copied" in text.lower() or "copy this link" in text.lower()
    assert toast.locator("input").input_value().endswith(f"{rel}#{block_id}")
    assert page.evaluate("location.hash") == "#" + block_id
    reader.check()


def test_editor_notes_in_the_margin_and_inline(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="sidenote"')
    page = reader.open(rel, WIDE)
    note = page.locator(".text-body .sidenote").first
    body = page.locator(".text-body").bounding_box()
    assert note.is_visible()
    assert note.bounding_box()["x"] >= body["x"] + body["width"] - 1, "sidenotes sit in the right margin"
    assert note.evaluate("el => getComputedStyle(el).fontFamily") != page.locator(".text-body p").first.evaluate(
        "el => getComputedStyle(el).fontFamily"
    ), "the editors' voice is set in another face"
    assert "editor note" in note.inner_text().lower()
    page = reader.open(rel, NARROW)
    note = page.locator(".text-body .sidenote").first
    marker = page.locator("a.note-marker").first
    assert not note.is_visible(), "on a phone the note waits under its marker"
    assert marker.get_attribute("aria-expanded") == "false"
    tab_to(page, "a.note-marker")
    page.keyboard.press("Enter")
    assert note.is_visible() and marker.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert not note.is_visible()
    reader.check()


def test_editor_notes_without_javascript(reader: Session) -> None:
    rel = first_page_with(reader.site, "essays", 'class="sidenote"')
    page = reader.open(rel, NARROW, javascript=False)
    note_id = page.locator("a.note-marker").first.get_attribute("href")[1:]
    note = page.locator(f"[id='{note_id}']")
    assert not note.is_visible()
    page.locator("a.note-marker").first.click()
    assert note.is_visible(), ":target shows the note without JavaScript"
    reader.check()


# ---------------------------------------------------------------- compare view


def debate_compare(site: Path) -> str:
    debate = first_page_with(site, "debates", 'href="../compare/')
    match = re.search(r'href="\.\./(compare/[^"]+\.html)"', (site / debate).read_text("utf-8"))
    assert match
    return match[1]


def test_compare_view_brings_the_counterpart_into_view(reader: Session) -> None:
    rel = debate_compare(reader.site)
    page = reader.open(rel, WIDE)
    sides = page.locator(".compare-side")
    assert sides.count() == 2
    left, right = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert left["x"] + left["width"] <= right["x"] + 1, "two columns side by side"
    assert page.locator(".compare-side mark.anchor-link").count() >= 2
    reader.axe(page, "compare", WCAG22AA)
    # the last linked marker on the left, so its counterpart is likely far down the right column
    markers = page.locator('.compare-side[data-side="a-"] a.xref[data-counterpart]')
    assert markers.count() >= 1, "the debate's pair has cross-references between its essays"
    marker = markers.nth(markers.count() - 1)
    counterpart = marker.get_attribute("data-counterpart")
    assert counterpart.startswith("b-")
    marker.scroll_into_view_if_needed()
    before = page.url
    marker.focus()
    page.keyboard.press("Enter")
    target = page.locator(f"[id='{counterpart}']")
    page.wait_for_function("id => document.getElementById(id).classList.contains('is-current')", arg=counterpart)
    assert page.url.split("#")[0] == before.split("#")[0], "the marker does not leave the compare view"
    assert in_viewport(page, target.element_handle(), '.compare-side[data-side="b-"]'), (
        "the counterpart is in view in the other column"
    )
    assert in_viewport(page, marker.element_handle()), "the marker's own side did not move away"
    reader.check()


def test_compare_view_stacks_on_a_phone_and_works_without_javascript(reader: Session) -> None:
    rel = debate_compare(reader.site)
    page = reader.open(rel, NARROW, javascript=False)
    a, b = (page.locator(".compare-side").nth(i).bounding_box() for i in (0, 1))
    assert b["y"] >= a["y"] + a["height"] - 1, "stacked on a phone without JavaScript (with it: tabs, test_reading.py)"
    page = reader.open(rel, NARROW)
    reader.axe(page, "compare (narrow)", WCAG22AA)
    page = reader.open(rel, WIDE, javascript=False)
    a, b = (page.locator(".compare-side").nth(i).bounding_box() for i in (0, 1))
    assert a["x"] + a["width"] <= b["x"] + 1, "still two columns without JavaScript"
    pnum = page.locator('.compare-side[data-side="b-"] .pnum').nth(3)
    block = pnum.get_attribute("href")[1:]
    pnum.click()
    assert page.locator(f"[id='{block}']").evaluate("el => el.matches(':target')")
    assert in_viewport(page, f"[id='{block}']", '.compare-side[data-side="b-"]')
    reader.check()


# ---------------------------------------------------------------- search, map, glossary


def test_search_and_follow_a_result_to_the_paragraph(reader: Session) -> None:
    page = reader.open("search.html")
    reader.axe(page, "search (empty)", WCAG22AA)
    page.fill("#search-input", "de-risk")
    page.keyboard.press("Enter")
    hits = page.locator("#search-results li.search-hit")
    hits.first.wait_for()
    marked = " ".join(page.locator("#search-results mark").all_inner_texts()).lower()
    assert "de-risk" in marked or "derisk" in marked
    reader.axe(page, "search results", WCAG22AA)
    result = page.locator("#search-results li.search-hit-text a").first
    href = result.get_attribute("href")
    match = re.search(r"#(p\d+)$", href)
    assert match, href
    result.click()
    page.wait_for_url(re.compile(re.escape(href.split("/")[-1]) + "$"))
    assert page.evaluate("location.hash") == "#" + match[1]
    block = page.locator(f"[id='{match[1]}']")
    assert block.evaluate("el => el.matches(':target')")
    assert in_viewport(page, f"[id='{match[1]}']")
    text = block.inner_text().lower()
    assert "de-risk" in text or "derisk" in text
    # the search box in every page's header leads to the same results
    page.fill("#site-search-q", "derisking")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=derisking$"))
    page.locator("#search-results li.search-hit").first.wait_for()
    assert page.input_value("#search-input") == "derisking"
    reader.check()


def test_glossary_page(reader: Session) -> None:
    page = reader.open("glossary.html")
    letters = page.locator("nav.letters a")
    assert letters.count() >= 2
    reader.axe(page, "glossary", WCAG22AA)
    letter = letters.nth(1)
    letter.click()
    assert page.locator(letter.get_attribute("href")).evaluate("el => el.matches(':target')")
    entry = page.locator(".term-entry:has(.concordance li a)").first
    assert entry.get_attribute("id")
    assert entry.locator(".concordance-perspective").count() >= 1, "occurrences are grouped by perspective"
    link = entry.locator(".concordance li a").first
    assert link.is_visible(), "the first occurrences of each perspective are shown, the rest folded"
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    occurrence = href.split("#")[1]
    assert page.evaluate("location.hash") == "#" + occurrence
    assert in_viewport(page, f"[id='{occurrence}']")
    reader.check()


@pytest.mark.parametrize("kind", ["page", "dark-index"])
def test_other_pages_pass_axe(reader: Session, kind: str) -> None:
    if kind == "page":
        pages = sorted(
            p.name
            for p in reader.site.glob("*.html")
            if p.name not in {"index.html", "glossary.html", "map.html", "search.html", "compare.html"}
        )
        assert pages, "the corpus has plain pages (foreword, preface, …)"
        page = reader.open(pages[0])
        assert page.locator("article.text h1").inner_text().strip()
        reader.axe(page, pages[0], WCAG22AA)
    else:
        page = reader.open("index.html", dark=True)
        reader.axe(page, "index (dark)", WCAG22AA)
    reader.check()
