"""Reading, round two (issue 10, items 2, 3, 5, 6, 7, 11) in a real browser, from file://: popups that keep
their way out in view, markers that name where they lead, a text's contents and its place in a debate,
the compare view's headers and phone tabs, touch targets, unresolved references, and axe (WCAG 2.2 AA)
on every page type."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import NARROW, WCAG22AA

DESKTOP = {"width": 1400, "height": 1000}
Session = Any  # the `reader` fixture of conftest.py

# a popup's box, its way out, and whether that link is the element really drawn at its centre
POPUP_STATE = """() => {
    const pop = document.querySelector('.cp-pop'), go = pop && pop.querySelector('.cp-pop-go');
    if (!go) return null;
    const r = go.getBoundingClientRect(), p = pop.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {go: [r.left, r.top, r.right, r.bottom], pop: [p.left, p.top, p.right, p.bottom],
            drawn: !!hit && go.contains(hit), text: go.textContent, vw: innerWidth, vh: innerHeight};
}"""


def most_linked_essays(site: Path, count: int = 2) -> list[str]:
    """The essays with the most cross-reference markers (the popups most likely to be crowded)."""
    pages = sorted(
        (p.read_text("utf-8").count('class="ed-marker xref'), f"essays/{p.name}")
        for p in (site / "essays").glob("*.html")
    )
    return [rel for n, rel in pages[-count:] if n]


def box(page: Any, selector_or_handle: Any) -> dict[str, float]:
    handle = page.locator(selector_or_handle) if isinstance(selector_or_handle, str) else selector_or_handle
    return handle.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; }"
    )


# ---------------------------------------------------------------- item 2: popups keep their way out in view


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_cross_reference_popup_shows_its_link(reader: Session, device: str) -> None:
    essays = most_linked_essays(reader.site)
    assert len(essays) == 2, "the corpus has essays with cross-references"
    for rel in essays:
        page = reader.open(rel, DESKTOP if device == "desktop" else NARROW, touch=device == "phone")
        markers = page.locator(".text-body a.xref")
        assert markers.count() >= 10, rel
        for i in range(markers.count()):
            marker = markers.nth(i)
            if device == "phone":
                marker.tap()  # the first tap shows the popup in place
            else:
                marker.focus()  # keyboard: focus opens it
            page.locator(".cp-pop").wait_for(state="visible")
            state = page.evaluate(POPUP_STATE)
            where = f"{rel} marker {i} ({marker.inner_text()!r}) on the {device}"
            assert state, f"{where}: the popup has no link to the passage"
            left, top, right, bottom = state["go"]
            assert state["text"] in ("Read the passage →", "Show it in the other column →"), where
            assert 0 <= left and right <= state["vw"] and 0 <= top and bottom <= state["vh"], (
                f"{where}: the link is outside the window: {state}"
            )
            assert state["drawn"], f"{where}: the link is hidden (scrolled away or covered): {state}"
            if device == "phone":
                m = box(page, marker)
                pop_top = state["pop"][1]
                assert m["y"] >= 0 and m["y"] + m["h"] + 40 <= pop_top, (
                    f"{where}: the sheet covers the marker or the line under it (marker {m}, sheet top {pop_top})"
                )
                assert state["pop"][3] >= state["vh"] - 1, f"{where}: on a phone the popup is a sheet at the bottom"
            page.keyboard.press("Escape")
            page.locator(".cp-pop").wait_for(state="detached")
    reader.check()


def test_a_long_explanation_scrolls_inside_the_popup(reader: Session) -> None:
    rel = most_linked_essays(reader.site)[-1]
    page = reader.open(rel, NARROW, touch=True)
    markers = page.locator(".text-body a.xref")
    for i in range(markers.count()):
        markers.nth(i).tap()
        scroll = page.locator(".cp-pop .cp-pop-scroll")
        if scroll.evaluate("el => el.scrollHeight > el.clientHeight + 1"):
            break
        page.keyboard.press("Escape")
    else:
        pytest.fail("no popup on a phone is long enough to scroll: the test would not show that the link stays")
    go = page.locator(".cp-pop .cp-pop-go")
    before = box(page, go)
    scroll.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    assert box(page, go) == before, "the link to the passage does not move when the explanation scrolls"
    assert scroll.evaluate("el => el.scrollTop > 0"), "the explanation scrolls"
    reader.check()


# ---------------------------------------------------------------- item 3: markers say where they lead


def test_a_marker_shows_the_short_title_of_the_text_it_leads_to(reader: Session) -> None:
    rel = most_linked_essays(reader.site)[-1]
    page = reader.open(rel, DESKTOP)
    marker = page.locator(".text-body a.xref").first
    href = marker.get_attribute("href")
    target = reader.site / "essays" / href.split("#")[0]
    title = re.search(r'<h1 class="text-title">(.*?)</h1>', target.read_text("utf-8"))[1]
    shown = marker.inner_text()
    words = re.match(r"^\S.*?[←→↔] (.+) ¶\d+$", shown)
    assert words, f"the marker reads relation, arrow, title, ¶: {shown!r}"
    short = words[1].rstrip("…")
    assert short and title.startswith(short) and len(words[1]) <= 48, (shown, title)
    # visible: not clipped to a screen reader's 1px box
    title_box = marker.evaluate("el => { const r = el.getBoundingClientRect(); return r.width * r.height; }")
    assert title_box > 200
    assert page.locator(".text-body a.xref .visually-hidden").count() == 0, "no part of the label is hidden"
    # the popup gives the whole title
    marker.focus()
    assert title.replace("&#39;", "'") in page.locator(".cp-pop .cp-pop-title").inner_text().replace("’", "’")
    reader.check()


# ---------------------------------------------------------------- item 5: navigation


def test_contents_and_dialogue_link_at_the_top_lead_into_the_text(reader: Session) -> None:
    rel = most_linked_essays(reader.site)[-1]
    page = reader.open(rel, DESKTOP)
    jump = page.locator(".dialogue-jump a")
    counts = re.fullmatch(r"In dialogue with (\d+) texts?: (\d+) cross-references? ↓", jump.inner_text().strip())
    assert counts, jump.inner_text()
    assert box(page, ".dialogue-jump")["y"] < 1000, "the way to 'In dialogue with' is on the first screen"
    items = page.locator("aside.dialogue li")
    assert items.count() == int(counts[2])
    texts = {
        a.split("#")[0]
        for a in page.locator("aside.dialogue a.dialogue-there").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
    }
    assert len(texts) == int(counts[1])
    jump.click()
    assert page.evaluate("location.hash") == "#dialogue-heading"
    assert page.locator("#dialogue-heading").evaluate(
        "el => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < innerHeight"
    )
    toc = page.locator("nav.toc a")
    headings = page.locator(".text-body h2, .text-body h3, .text-body h4")
    assert toc.count() == headings.count() >= 2, "one entry per heading"
    for i in (0, toc.count() - 1):
        entry = toc.nth(i)
        href = entry.get_attribute("href")
        assert re.fullmatch(r"#p\d+", href)
        heading = page.locator(f"[id='{href[1:]}']")
        assert heading.evaluate("el => /^H[2-6]$/.test(el.tagName)")
        assert entry.inner_text().strip() in heading.inner_text()
        entry.click()
        assert heading.evaluate("el => el.matches(':target')")
    reader.check()


def test_previous_and_next_follow_the_debate(reader: Session) -> None:
    debate = sorted(p for p in (reader.site / "debates").glob("*.html"))[0]
    essays = re.findall(r'<h3 id="card-[^"]+"><a href="\.\./(essays/[^"]+\.html)"', debate.read_text("utf-8"))
    assert len(essays) >= 2
    order = [f"debates/{debate.name}"] + essays
    page = reader.open(order[0], DESKTOP)
    for here, there in zip(order, order[1:]):
        assert page.url.endswith(here)
        head_next = page.locator('head link[rel="next"]').get_attribute("href")
        nav_next = page.locator('nav.sequence a[rel="next"]')
        assert head_next == nav_next.get_attribute("href")
        nav_next.click()
        page.wait_for_url(re.compile(re.escape(there) + "$"))
        back = page.locator('nav.sequence a[rel="prev"]').get_attribute("href")
        assert page.locator('head link[rel="prev"]').get_attribute("href") == back
        assert back.endswith(here.split("/")[-1])
    assert page.locator('head link[rel="next"]').count() == 0, "the last essay of the debate has no next"
    reader.check()


def test_landing_on_a_passage_leaves_room_for_the_sentence_before_it(reader: Session) -> None:
    rel = most_linked_essays(reader.site)[-1]
    page = reader.open(rel, DESKTOP)
    href = page.locator(".text-body a.xref").nth(5).get_attribute("href")
    for viewport in (DESKTOP, NARROW):
        page = reader.open(rel.rsplit("/", 1)[0] + "/" + href, viewport)
        target = page.locator(f"[id='{href.split('#')[1]}']")
        assert target.evaluate("el => el.matches(':target')")
        top = box(page, target)["y"]
        assert 90 <= top <= viewport["height"] / 2, f"the passage lands {top}px from the top at {viewport}"
    reader.check()


# ---------------------------------------------------------------- item 6: compare view


def debate_compare(site: Path) -> str:
    debate = sorted(p for p in (site / "debates").glob("*.html") if 'href="../compare/' in p.read_text("utf-8"))[0]
    return re.search(r'href="\.\./(compare/[^"]+\.html)"', debate.read_text("utf-8"))[1]


def test_compare_column_headers_stay_in_view(reader: Session) -> None:
    rel = debate_compare(reader.site)
    page = reader.open(rel, DESKTOP)
    for side in ("a-", "b-"):
        column = page.locator(f'.compare-side[data-side="{side}"]')
        column.evaluate("el => { el.scrollTop = el.scrollHeight / 2; }")
        bar = column.locator(".compare-bar")
        title = column.get_attribute("aria-label")
        assert bar.inner_text().strip().split("\n")[-1].rstrip("…") in title
        assert bar.locator(".badge").inner_text().strip(), "the perspective, in words"
        assert abs(box(page, bar)["y"] - box(page, column)["y"]) <= 1, "the header sticks to the column's top"
        assert box(page, bar)["y"] >= 0
    reader.check()


def test_compare_on_a_phone_switches_text_on_a_marker(reader: Session) -> None:
    rel = debate_compare(reader.site)
    page = reader.open(rel, NARROW, touch=True)
    tabs = page.locator('.compare-tabs [role="tab"]')
    assert tabs.count() == 2
    a, b = (page.locator(f'.compare-side[data-side="{s}"]') for s in ("a-", "b-"))
    assert a.is_visible() and not b.is_visible(), "one text at a time"
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    reader.axe(page, "compare tabs (phone)", WCAG22AA)
    tabs.nth(1).tap()
    assert b.is_visible() and not a.is_visible()
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    tabs.nth(0).tap()
    assert a.is_visible()
    marker = a.locator("a.xref[data-counterpart]").nth(2)
    counterpart = marker.get_attribute("data-counterpart")
    marker.tap()
    go = page.locator(".cp-pop .cp-pop-go")
    assert go.inner_text() == "Show it in the other column →"
    go.tap()
    target = page.locator(f"[id='{counterpart}']")
    page.wait_for_function("id => document.getElementById(id).classList.contains('is-current')", arg=counterpart)
    assert b.is_visible() and not a.is_visible(), "the jump switched to the other text"
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    t = box(page, target)
    assert 0 <= t["y"] and t["y"] + t["h"] <= NARROW["height"], f"the passage is in view: {t}"
    assert box(page, ".compare-tabs")["y"] == 0, "the tabs stay at the top"
    assert page.url.split("#")[0].endswith(rel)
    reader.check()


# ---------------------------------------------------------------- item 7: touch targets; axe on every page type


TARGETS = """() => {
    const kinds = {'¶ number': '.text-body .pnum', 'note marker': 'a.note-marker', 'footnote marker': 'sup.fn-ref a',
                   'cross-reference': 'a.xref', 'unresolved reference': 'sup.fn-unresolved button'};
    const out = {};
    for (const [kind, sel] of Object.entries(kinds)) {
        const all = [...document.querySelectorAll(sel)].filter(el => el.getClientRects().length);
        out[kind] = [all.length, all.filter(el => { const r = el.getBoundingClientRect();
            return r.width < 24 || r.height < 24; }).slice(0, 3).map(el => el.outerHTML.slice(0, 120))];
    }
    return out;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "phone"])
def test_markers_and_paragraph_numbers_are_at_least_24px(reader: Session, viewport: dict[str, int]) -> None:
    seen: dict[str, int] = {}
    with_footnotes = next(
        f"essays/{p.name}"
        for p in sorted((reader.site / "essays").glob("*.html"))
        if 'class="fn-ref"' in p.read_text("utf-8")
    )
    for rel in sorted({unresolved_essay(reader.site), most_linked_essays(reader.site)[-1], with_footnotes}):
        page = reader.open(rel, viewport)
        for kind, (count, small) in page.evaluate(TARGETS).items():
            seen[kind] = seen.get(kind, 0) + count
            assert not small, f"{rel}: {kind} smaller than 24×24 at {viewport}: {small}"
    assert all(seen.values()), f"every kind of marker was measured: {seen}"
    reader.check()


PAGE_TYPES = ["index", "essay", "debate", "page", "compare", "composer", "glossary", "map", "search"]


def page_of_type(site: Path, kind: str) -> str:
    if kind in ("index", "glossary", "map", "search"):
        return f"{kind}.html"
    if kind == "composer":
        essays = sorted(p.stem for p in (site / "essays").glob("*.html"))
        return f"compare.html?a={essays[0]}&b={essays[-1]}"
    if kind == "page":
        return sorted(
            p.name for p in site.glob("*.html") if p.stem not in ("index", "glossary", "map", "search", "compare")
        )[0]
    if kind == "compare":
        return debate_compare(site)
    return (
        most_linked_essays(site)[-1]
        if kind == "essay"
        else sorted(f"debates/{p.name}" for p in (site / "debates").glob("*.html"))[0]
    )


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "phone"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_wcag22aa_on_every_page_type(reader: Session, kind: str, viewport: dict[str, int]) -> None:
    rel = page_of_type(reader.site, kind)
    page = reader.open(rel, viewport)
    reader.axe(page, f"{kind} ({rel}) at {viewport['width']}×{viewport['height']}", WCAG22AA)
    reader.check()


# ---------------------------------------------------------------- item 11: unresolved references


def unresolved_essay(site: Path) -> str:
    found = [
        f"essays/{p.name}" for p in sorted((site / "essays").glob("*.html")) if "fn-unresolved" in p.read_text("utf-8")
    ]
    assert found, "the corpus has a text with unresolved references"
    return found[0]


def test_unresolved_reference_explained_by_keyboard_and_touch(reader: Session) -> None:
    rel = unresolved_essay(reader.site)
    page = reader.open(rel, DESKTOP)
    ref = page.locator("sup.fn-unresolved button").first
    label = ref.inner_text().strip("[]")
    assert ref.evaluate("el => el.tabIndex") == 0, "a stop in the Tab order"
    assert page.locator("sup.fn-unresolved[title]").count() == 0, "no hover-only tooltip left"
    ref.focus()
    pop = page.locator(".cp-pop")
    pop.wait_for(state="visible")
    assert f"Reference {label}" in pop.text_content()
    assert "gives no text" in pop.inner_text()
    page.keyboard.press("Escape")
    pop.wait_for(state="detached")
    page = reader.open(rel, NARROW, touch=True)
    page.locator("sup.fn-unresolved button").nth(3).tap()
    page.locator(".cp-pop").wait_for(state="visible")
    assert "gives no text" in page.locator(".cp-pop").inner_text()
    reader.check()
