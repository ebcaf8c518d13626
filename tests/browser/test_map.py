"""The debate map in Chromium over file://: legend in view, one Tab stop with arrow keys inside,
a selected line lists its links, a text alternative with a row per link, dark mode, phone, axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(WIDE, id="desktop"), pytest.param(NARROW, id="phone")]
Session = Any  # the `reader` fixture of conftest.py

ACTIVE = "() => { const a = document.activeElement; return a ? (a.id || a.getAttribute('href') || a.tagName) : null; }"


def links_in_map_data(reader: Session) -> int:
    """How many links the map's page lists: the sum of the counts in the table's group headers."""
    html = (reader.site / "map.html").read_text("utf-8")
    return len(re.findall(r'<tr class="map-link">', html))


def tab_into_map(page: Any) -> None:
    """Focus the control just before the map, then Tab once."""
    page.locator(".map-legend").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('a[href=\"#map-links\"]').focus()")
    page.keyboard.press("Tab")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_legend_visible_and_map_inside_its_frame(reader: Session, viewport: dict[str, int]) -> None:
    page = reader.open("map.html", viewport)
    legend = page.locator(".map-legend")
    box = legend.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
    assert legend.is_visible() and "rebuts" in legend.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1"), (
        "the page itself never scrolls sideways"
    )
    frame = page.locator(".map-frame").bounding_box()
    assert frame and frame["x"] + frame["width"] <= viewport["width"] + 1, "the map scrolls inside its frame"
    if viewport is NARROW:
        assert frame["height"] <= viewport["height"], "on a phone the frame is shorter than the screen"
    reader.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_one_tab_stop_arrows_move_and_an_edge_lists_its_links(reader: Session, viewport: dict[str, int]) -> None:
    page = reader.open("map.html", viewport)
    tab_into_map(page)
    first = page.evaluate(ACTIVE)
    assert first and first.startswith("cpm-n-"), first
    assert page.locator("svg.cpm [tabindex='0']").count() == 1
    # the arrow keys move the selection inside the map ...
    seen = [first]
    for key in ["ArrowRight", "ArrowDown", "ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"]:
        page.keyboard.press(key)
        seen.append(page.evaluate(ACTIVE))
        assert page.locator("svg.cpm [tabindex='0']").count() == 1
    assert len(set(seen)) >= 4, seen
    # ... to a line; Enter lists its links beside the map, each leading to a passage
    page.evaluate("() => document.querySelector('svg.cpm .cpm-edge').focus()")
    edge = page.locator("svg.cpm .cpm-edge.is-current")
    pair = edge.get_attribute("data-pair")
    expected = page.locator(f"#{pair} tr.map-link").count()
    page.keyboard.press("Enter")
    panel = page.locator("#map-detail")
    assert panel.is_visible()
    assert panel.locator("li").count() == expected > 0
    assert all(
        "#link-" in (href or "")
        for href in panel.locator("li a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    )
    assert page.evaluate(ACTIVE) == "map-detail", "Enter moves on to the links"
    # the selected line shows it: drawn in the focus colour
    colour = edge.locator(".cpm-line").evaluate("el => getComputedStyle(el).stroke")
    focus = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--focus')")
    assert colour != page.locator(".cpm-edge:not(.is-current) .cpm-line").first.evaluate(
        "el => getComputedStyle(el).stroke"
    )
    assert focus
    # one more Tab leaves the map's links behind: the next stop is in the panel, not another map item
    page.keyboard.press("Escape")
    assert page.evaluate(ACTIVE) == edge.get_attribute("href") or page.evaluate(
        "() => document.activeElement.classList.contains('cpm-edge')"
    )
    page.keyboard.press("Tab")
    assert not page.evaluate("() => !!document.activeElement.closest('svg.cpm')"), "the map is one Tab stop"
    reader.check()


def test_clicking_an_edge_lists_its_links(reader: Session) -> None:
    page = reader.open("map.html", WIDE)
    chip = page.locator("svg.cpm .cpm-edge .cpm-chip").first
    edge = page.locator("svg.cpm .cpm-edge").first
    pair = edge.get_attribute("data-pair")
    chip.click()
    assert page.locator("#map-detail li").count() == page.locator(f"#{pair} tr.map-link").count()
    assert page.evaluate("location.hash") == "", "with the script, selecting does not jump to the table"
    reader.check()


def test_text_alternative_has_a_row_per_link_each_leading_to_its_passages(reader: Session) -> None:
    page = reader.open("map.html", WIDE)
    rows = page.locator("table.map-table tr.map-link")
    assert rows.count() == links_in_map_data(reader) > 100
    svg_label = page.locator("svg.cpm").get_attribute("aria-label")
    assert svg_label.endswith(f"{rows.count()} links between them")
    groups = page.locator("table.map-table tbody")
    assert groups.count() == page.locator("svg.cpm .cpm-edge").count(), "one group per line on the map"
    hrefs = rows.first.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert len(hrefs) == 2 and all("#link-" in h for h in hrefs)
    target = hrefs[1]
    rows.first.locator("a").nth(1).click()
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    assert page.locator(f"[id='{target.split('#')[1]}']").count() == 1
    reader.check()


def test_nodes_lead_to_their_texts(reader: Session) -> None:
    page = reader.open("map.html", WIDE)
    node = page.locator("svg.cpm a.cpm-node").first
    href = node.get_attribute("href")
    node.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert page.locator("article.text h1").inner_text().strip()
    reader.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_dark_mode_has_no_white_panel(reader: Session, viewport: dict[str, int]) -> None:
    page = reader.open("map.html", viewport, dark=True)
    white = page.evaluate("""() => {
        const light = c => { const m = c.match(/\\d+(\\.\\d+)?/g); return m && m.length >= 3 && +m[0] > 200 && +m[1] > 200 && +m[2] > 200
            && (m.length < 4 || +m[3] > 0.5); };
        const found = [];
        for (const el of document.querySelectorAll('.map, .map *, .map-links, .map-links *')) {
            const s = getComputedStyle(el);
            if (light(s.backgroundColor)) found.push(el.tagName + '.' + el.getAttribute('class') + ' bg ' + s.backgroundColor);
            if (el instanceof SVGElement && !(el instanceof SVGTextElement) && !(el instanceof SVGTSpanElement) && light(s.fill)
                && el.getBBox && el.getBBox().width > 40) found.push(el.tagName + '.' + el.getAttribute('class') + ' fill ' + s.fill);
        }
        return found;
    }""")
    assert not white, white[:10]
    reader.axe(page, f"map (dark, {viewport['width']} px)")
    reader.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_map_passes_axe(reader: Session, viewport: dict[str, int]) -> None:
    page = reader.open("map.html", viewport)
    reader.axe(page, f"map ({viewport['width']} px)")
    tab_into_map(page)
    page.keyboard.press("ArrowRight")
    reader.axe(page, f"map with a selection ({viewport['width']} px)")
    reader.check()
