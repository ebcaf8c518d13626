"""builder/debate_map.py: the build-time SVG map of texts and the links between them."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from builder.debate_map import MapEdge, MapNode, map_pairs, render_map

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
                f"{node_list[b].url}#link-{j:03d}-to",
                f"¶{j % 9 + 1}",
                f"¶{j % 7 + 1}",
            )
        )
    return node_list, edge_list


@pytest.fixture(scope="module")
def big() -> tuple[list[MapNode], list[MapEdge], str, ET.Element]:
    nodes, edges = big_map()
    svg = render_map(nodes, edges)
    return nodes, edges, svg, ET.fromstring(svg)


def tiny_map() -> tuple[list[MapNode], list[MapEdge]]:
    """A project with one two-essay debate and one more text: 3 texts, 7 links."""
    nodes = [
        MapNode("cn", "Shared responsibility", "essays/cn.html", "Chinese think tank", "#8a4b08", "d", "One debate"),
        MapNode("eu", "An inflection point", "essays/eu.html", "European think tank", "#1f5fa8", "d", "One debate"),
        MapNode("x", "A third view", "essays/x.html", "News explainer", "#5c5c5c", "", ""),
    ]
    spec = [
        ("cn", "eu", "rebuts"),
        ("cn", "eu", "rebuts"),
        ("eu", "cn", "qualifies"),
        ("eu", "cn", "supports"),
        ("cn", "eu", "same-event"),
        ("x", "cn", "contextualises"),
        ("x", "eu", "rebuts"),
    ]
    edges = [
        MapEdge(
            f"l{i}",
            s,
            t,
            r,
            r.replace("-", " "),
            f"essays/{s}.html#link-l{i}",
            f"essays/{t}.html#link-l{i}-to",
            "¶1",
            "¶2",
        )
        for i, (s, t, r) in enumerate(spec)
    ]
    return nodes, edges


def _items(root: ET.Element, cls: str) -> list[ET.Element]:
    return [a for a in root.iter(f"{SVG}a") if cls in a.get("class", "").split()]


def _rects(root: ET.Element, cls: str) -> list[tuple[float, float, float, float]]:
    return [
        (float(r.get("x", "")), float(r.get("y", "")), float(r.get("width", "")), float(r.get("height", "")))
        for r in root.iter(f"{SVG}rect")
        if r.get("class") == cls
    ]


def _apart(rects: list[tuple[float, float, float, float]]) -> bool:
    return all(
        x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
        for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(rects, 2)
    )


def _words(element: ET.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _label_text(a: ET.Element) -> str:
    return _words(next(t for t in a.iter(f"{SVG}text") if t.get("class") == "cpm-label"))


def test_well_formed_svg_with_a_name(big):
    _, _, _, root = big
    assert root.tag == f"{SVG}svg"
    assert root.get("aria-label") == "Debate map: 25 texts and 100 links between them"
    assert root.get("role") == "group"


def test_every_node_is_a_link_named_by_its_full_title(big):
    nodes, _, _, root = big
    links = {a.get("href"): a for a in _items(root, "cpm-node")}
    assert sorted(links) == sorted(n.url for n in nodes)
    for node in nodes:
        assert links[node.url].findtext(f"{SVG}title", "").startswith(f"{node.title} ({node.perspective_label};")


def test_every_title_is_in_the_svg_text_whole(big):
    """Wrapped over lines, never cut: the box's text is the title, word for word."""
    nodes, _, _, root = big
    links = {a.get("href"): a for a in _items(root, "cpm-node")}
    for node in nodes:
        assert _label_text(links[node.url]) == " ".join(node.title.split())
    assert "…" not in "".join(root.itertext())


def test_boxes_do_not_overlap_and_fit_the_view(big):
    _, _, _, root = big
    boxes = _rects(root, "cpm-box")
    assert len(boxes) == 25 and _apart(boxes)
    _, _, width, height = map(float, root.get("viewBox", "").split())
    assert all(0 <= x and x + w <= width and 0 <= y and y + h <= height for x, y, w, h in boxes)


def test_bundled_size_chips_stay_apart_from_boxes_and_each_other():
    """At the size of the bundled reader (16 texts, 37 linked pairs) every count is readable."""
    nodes, edges = big_map(nodes=16, edges=60, seed=3)
    root = ET.fromstring(render_map(nodes, edges))
    assert _apart(_rects(root, "cpm-box") + _rects(root, "cpm-chip-box"))


def test_columns_are_perspectives_and_rows_are_debates(big):
    nodes, _, _, root = big
    xs = {(a.get("href"), float(next(r for r in a.iter(f"{SVG}rect")).get("x", ""))) for a in _items(root, "cpm-node")}
    column_of = dict(xs)
    by_perspective: dict[str, set[float]] = {}
    for node in nodes:
        by_perspective.setdefault(node.perspective_label, set()).add(column_of[node.url])
    assert all(len(x) == 1 for x in by_perspective.values())
    assert len({next(iter(x)) for x in by_perspective.values()}) == len(PERSPECTIVES)
    headers = [_words(t) for t in root.iter(f"{SVG}text") if t.get("class") == "cpm-column-label"]
    assert sorted(headers) == sorted(label for label, _ in PERSPECTIVES)
    bands = [_words(t) for t in root.iter(f"{SVG}text") if t.get("class") == "cpm-band-title"]
    assert bands == [title or "Other texts" for _, title in GROUPS]


def test_one_edge_per_pair_with_its_counts(big):
    nodes, edges, _, root = big
    expected: dict[frozenset[str], Counter[str]] = {}
    for edge in edges:
        expected.setdefault(frozenset((edge.source, edge.target)), Counter())[edge.relation] += 1
    drawn = _items(root, "cpm-edge")
    assert len(drawn) == len(expected)
    slug_of_id = {f"cpm-n-{n.slug}": n.slug for n in nodes}
    for a in drawn:
        pair = frozenset((slug_of_id[a.get("data-a", "")], slug_of_id[a.get("data-b", "")]))
        counts = expected.pop(pair)
        chip = _words(next(g for g in a.iter(f"{SVG}g") if g.get("class") == "cpm-chip"))
        shown = dict(
            (word, int(n))
            for n, word in re.findall(r"(\d+) (rebuts|supports|qualifies|contextualises|same event)", chip)
        )
        assert shown == {r.replace("-", " "): n for r, n in counts.items()}, chip
        assert a.get("href", "").startswith("#pair-")
        name = a.findtext(f"{SVG}title", "")
        assert " ".join(name.split(" between ")[0].replace("·", "").split()) == chip, (name, chip)
    assert not expected


def test_pairs_list_every_link_once_for_the_text_alternative(big):
    nodes, edges, svg, _ = big
    pairs = map_pairs(nodes, edges)
    assert sum(len(p.links) for p in pairs) == len(edges)
    assert sorted(link.id for p in pairs for link in p.links) == sorted(e.id for e in edges)
    assert len({p.id for p in pairs}) == len(pairs)
    assert all(f'href="#{p.id}"' in svg for p in pairs)
    for pair in pairs:
        assert pair.summary == " · ".join(words for _, _, words in pair.counts)
        assert all({link.source, link.target} <= {pair.a.slug, pair.b.slug} for link in pair.links)


def test_tiny_project_one_debate_title_once_and_one_labelled_edge():
    nodes, edges = tiny_map()
    svg = render_map(nodes, edges)
    root = ET.fromstring(svg)
    assert svg.count("One debate") == 1
    assert len(_items(root, "cpm-node")) == 3 and _apart(_rects(root, "cpm-box") + _rects(root, "cpm-chip-box"))
    pairs = {p.id: p for p in map_pairs(nodes, edges)}
    assert pairs["pair-cn--eu"].summary == "2 rebuts · 1 supports · 1 qualifies · 1 same event"
    assert len(_items(root, "cpm-edge")) == 3
    cn_eu = next(a for a in _items(root, "cpm-edge") if a.get("href") == "#pair-cn--eu")
    line = next(p for p in cn_eu.iter(f"{SVG}path") if p.get("class") == "cpm-line")
    assert line.get("marker-start") and line.get("marker-end"), "links go both ways: arrowheads at both ends"


def test_a_single_debate_draws_no_band():
    nodes, edges = tiny_map()
    nodes = [n for n in nodes if n.group]
    svg = render_map(nodes, [e for e in edges if "x" not in (e.source, e.target)])
    assert "One debate" not in svg  # the page says it; the map would only repeat it


def test_one_tab_stop_and_positions_for_the_arrow_keys(big):
    _, _, _, root = big
    items = [a for a in root.iter(f"{SVG}a")]
    assert [a.get("tabindex") for a in items].count("0") == 1
    assert all(a.get("tabindex") in ("0", "-1") for a in items)
    assert all(float(a.get("data-x", "")) >= 0 and float(a.get("data-y", "")) >= 0 for a in items)


def test_no_colour_declared_for_relations(big):
    """Relation colours come from the CSS variables (one declaration), through rel-* classes."""
    _, _, svg, _ = big
    for relation in RELATIONS:
        assert f"rel-{relation}" in svg
    assert "#c0392b" not in svg and "#1a7f4b" not in svg and "<style" not in svg


def test_text_is_escaped(big):
    _, _, svg, root = big
    assert "<research>" not in svg and "&lt;research&gt;" in svg
    assert any('<research> & "security"' in _words(a) for a in _items(root, "cpm-node"))


def test_deterministic_and_independent_of_edge_order(big):
    nodes, edges, svg, _ = big
    assert render_map(nodes, edges) == svg
    assert render_map(nodes, list(reversed(edges))) == svg


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
    assert 'id="map2-arrow"' in svg and 'id="cpm-arrow' not in svg
