"""builder/debate_map.py: the build-time SVG map of texts and the links between them."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET

import pytest

from builder.debate_map import MapEdge, MapNode, render_map

SVG = "{http://www.w3.org/2000/svg}"
RELATIONS = ["rebuts", "supports", "qualifies", "contextualises", "same-event"]
PERSPECTIVES = [
    ("Chinese think tank", "#b3261e"),
    ("European think tank", "#1f4e9c"),
    ("Chinese state media", "#e8a33d"),
    ("EU official", "#2e7d32"),
    ("Transatlantic analysis", "#6a1b9a"),
    ("News explainer", "#00838f"),
]
GROUPS = [
    ("ch1-summit", "Chapter 1: After the summit"),
    ("ch2-hotspots", "Chapter 2: Hotspots"),
    ("ch3-trust", "Chapter 3: Trust"),
    ("ch4-green", "Chapter 4: Green subsidies"),
    ("ch5-research", "Chapter 5: Research security"),
    ("ch6-ai", "Chapter 6: AI governance"),
    ("indivisible-security", "Indivisible security & the war in Ukraine"),
    ("", ""),
]
TITLES = [
    "Post-Summit China-EU relations: Shared responsibility for the future",
    "An inflection point",
    "China-NATO Relations Reach Breakdown",
    'Telling stories well: <research> & "security" in a fractured world',
    "Frontier AI",
]


def big_map(nodes: int = 25, edges: int = 100, seed: int = 7) -> tuple[list[MapNode], list[MapEdge]]:
    """A worst case: random links between texts in eight groups, deterministic."""
    rnd = random.Random(seed)
    node_list = []
    for i in range(nodes):
        group, group_title = GROUPS[min(i // 3, len(GROUPS) - 1)]
        label, colour = PERSPECTIVES[i % len(PERSPECTIVES)]
        node_list.append(
            MapNode(
                f"text-{i:02d}",
                f"{rnd.choice(TITLES)} {i}",
                f"essays/text-{i:02d}.html",
                label,
                colour,
                group,
                group_title,
            )
        )
    edge_list = []
    for j in range(edges):
        a = rnd.randrange(nodes)
        b = (a + 1 + rnd.randrange(nodes - 1)) % nodes
        relation = RELATIONS[j % len(RELATIONS)]
        edge_list.append(
            MapEdge(
                f"link-{j:03d}",
                node_list[a].slug,
                node_list[b].slug,
                relation,
                relation.replace("-", " "),
                f"{node_list[a].url}#link-{j:03d}",
            )
        )
    return node_list, edge_list


@pytest.fixture(scope="module")
def big() -> tuple[list[MapNode], list[MapEdge], str, ET.Element]:
    nodes, edges = big_map()
    svg = render_map(nodes, edges)
    return nodes, edges, svg, ET.fromstring(svg)


def _links(root: ET.Element, cls: str) -> list[ET.Element]:
    return [a for a in root.iter(f"{SVG}a") if cls in a.get("class", "").split()]


def _boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    return [
        (float(r.get("x", "")), float(r.get("y", "")), float(r.get("width", "")), float(r.get("height", "")))
        for r in root.iter(f"{SVG}rect")
        if r.get("class") == "cpm-box"
    ]


def test_well_formed_svg_with_a_name(big):
    _, _, _, root = big
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-label") == "Debate map: 25 texts and 100 links between them"
    assert root.get("role") is None
    assert root.get("viewBox", "").startswith("0 0 1000 ")


def test_every_node_is_a_named_link(big):
    nodes, _, _, root = big
    links = _links(root, "cpm-node")
    assert [a.get("href") for a in links] == [n.url for n in nodes]
    for node, a in zip(nodes, links):
        name = f"{node.title} ({node.perspective_label})"
        assert a.get("aria-label") is None  # named by its <title>, so the visible label is part of the name (axe)
        assert a.findtext(f"{SVG}title") == name
        assert a.find(f"{SVG}rect") is not None


def test_every_edge_is_a_named_link(big):
    nodes, edges, _, root = big
    titles = {n.slug: n.title for n in nodes}
    links = _links(root, "cpm-edge")
    assert sorted(a.get("href", "") for a in links) == sorted(e.url for e in edges)
    names = {a.get("href"): a.findtext(f"{SVG}title") for a in links}
    for edge in edges:
        if edge.relation == "same-event":
            expected = f"{titles[edge.source]} and {titles[edge.target]}: same event"
        else:
            expected = f"{titles[edge.source]} {edge.label} {titles[edge.target]}"
        assert names[edge.url] == expected
    assert all(a.get("aria-label") == a.findtext(f"{SVG}title") for a in links)


def test_relations_differ_in_colour_and_dash_and_only_directed_ones_have_arrows(big):
    _, edges, _, root = big
    relation_of = {e.url: e.relation for e in edges}
    seen: dict[str, set[tuple[str | None, str | None, str | None]]] = {}
    for a in _links(root, "cpm-edge"):
        line = next(p for p in a.iter(f"{SVG}path") if p.get("class") == "cpm-line")
        style = (line.get("stroke"), line.get("stroke-dasharray"), line.get("marker-end"))
        seen.setdefault(relation_of[a.get("href", "")], set()).add(style)
    assert all(len(styles) == 1 for styles in seen.values())
    styles = [next(iter(seen[r])) for r in RELATIONS]
    assert len({s[0] for s in styles}) == 5 and len({s[1] for s in styles}) == 5
    assert [s[2] is not None for s in styles] == [True, True, True, True, False]


def test_legend_names_every_relation_and_perspective(big):
    _, _, _, root = big
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "cpm-legend")
    words = {t.text for t in legend.iter(f"{SVG}text")}
    assert {"rebuts", "supports", "qualifies", "contextualises", "same event"} <= words
    assert {label for label, _ in PERSPECTIVES} <= words
    assert {"CTT", "ETT", "CSM", "EO", "TA", "NE"} <= words  # the codes printed on the boxes


def test_node_boxes_do_not_overlap_and_fit_the_view(big):
    _, _, _, root = big
    boxes = _boxes(root)
    assert len(boxes) == 25
    for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(boxes, 2):
        assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
    _, _, width, height = map(float, root.get("viewBox", "").split())
    assert all(0 <= x and x + w <= width and 0 <= y and y + h <= height for x, y, w, h in boxes)


def test_text_is_at_least_11px_at_1000px(big):
    _, _, svg, root = big
    assert root.get("viewBox", "").split()[2] == "1000"
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 11


def test_long_titles_are_shortened_with_the_full_title_kept(big):
    nodes, _, _, root = big
    shortened = 0
    for node, a in zip(nodes, _links(root, "cpm-node")):
        shown = [t.text or "" for t in a.iter(f"{SVG}text")][1]  # [0] is the perspective code
        if shown != node.title:
            shortened += 1
            assert shown.endswith("…") and node.title.startswith(shown[:-1])
            assert a.findtext(f"{SVG}title", "").startswith(node.title)
    assert shortened > 0


def test_text_is_escaped(big):
    _, _, svg, root = big
    assert "<research>" not in svg and "&lt;research&gt;" in svg
    assert any('<research> & "security"' in (a.findtext(f"{SVG}title") or "") for a in root.iter(f"{SVG}a"))


def test_deterministic_and_independent_of_edge_order(big):
    nodes, edges, svg, _ = big
    assert render_map(nodes, edges) == svg
    assert render_map(nodes, list(reversed(edges))) == svg


def test_parallel_links_are_drawn_apart():
    nodes, _ = big_map(nodes=2, edges=0)
    edges = [MapEdge(f"l{i}", "text-00", "text-01", r, r, f"x.html#l{i}") for i, r in enumerate(RELATIONS)]
    root = ET.fromstring(render_map(nodes, edges))
    paths = [p.get("d") for p in root.iter(f"{SVG}path") if p.get("class") == "cpm-line"]
    assert len(paths) == 5 and len(set(paths)) == 5


def test_groups_stay_whole_and_a_big_group_is_continued():
    nodes, edges = big_map()
    root = ET.fromstring(render_map(nodes, edges))
    titles = [g.findtext(f".//{SVG}title") for g in root.iter(f"{SVG}g") if g.get("class") == "cpm-group"]
    assert titles == [title or "Other texts" for _, title in GROUPS]
    one_group = [MapNode(f"n{i}", f"Text {i}", f"n{i}.html", "Editors", "#333", "", "") for i in range(12)]
    root = ET.fromstring(render_map(one_group, []))
    titles = [g.findtext(f".//{SVG}title") for g in root.iter(f"{SVG}g") if g.get("class") == "cpm-group"]
    assert titles == ["Other texts", "Other texts (continued)"]
    assert len(_boxes(root)) == 12


def test_self_links_and_empty_maps_render():
    nodes, _ = big_map(nodes=3, edges=0)
    loop = MapEdge("self", "text-00", "text-00", "qualifies", "qualifies", "x.html#self")
    ET.fromstring(render_map(nodes, [loop]))
    assert ET.fromstring(render_map([], [])).get("aria-label") == "Debate map: 0 texts and 0 links between them"


def test_unknown_text_is_a_caller_bug():
    nodes, _ = big_map(nodes=2, edges=0)
    with pytest.raises(ValueError, match="'nope'"):
        render_map(nodes, [MapEdge("l", "text-00", "nope", "rebuts", "rebuts", "x.html#l")])


def test_marker_ids_follow_the_prefix():
    nodes, edges = big_map(nodes=3, edges=3)
    svg = render_map(nodes, edges, id_prefix="map2")
    assert 'id="map2-arrow-rebuts"' in svg and 'id="cpm-arrow' not in svg


def test_reading_order_is_column_by_column_with_each_texts_links_after_it():
    nodes = [
        MapNode(f"n{i}", f"Text {i}", f"n{i}.html", "Editors", "#333", g, g.upper())
        for i, g in enumerate(["a", "b", "a", "b", ""])
    ]
    edges = [
        MapEdge("l1", "n4", "n0", "rebuts", "rebuts", "n4.html#l1"),
        MapEdge("l2", "n0", "n1", "supports", "supports", "n0.html#l2"),
    ]
    root = ET.fromstring(render_map(nodes, edges))
    hrefs = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert hrefs == ["n0.html", "n0.html#l2", "n2.html", "n1.html", "n3.html", "n4.html", "n4.html#l1"]
