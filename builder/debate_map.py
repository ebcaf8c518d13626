"""Texts and the links between them -> an inline <svg> debate map, laid out at build time.

Layout: texts are boxes in two columns, grouped by debate under a titled panel (groups
stay whole where the columns can be balanced). Links are curves through the space
between the columns, so they never run under a title: a link between the columns is
an S-curve, a link within a column bulges into the middle, further for texts further
apart. Each box side spreads its link ends over its height, sorted by where the other
end is, and links between the same pair bulge by different amounts, so parallel links
stay apart. A relation is told by colour AND dash pattern (and arrowhead), a perspective
by colour AND a short code printed on the box; the legend spells both out.

Everything is a link: a box to its text, a curve to the passage that makes the link.
No script: hovering or focusing a box fades the other links (CSS :has, where supported).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 1000
COLUMN_X = (20, 680)
BOX_W = 300
BOX_H = 30
ROW_H = 38
HEADER_H = 30
GROUP_GAP = 16
TOP = 20
SWATCH_W = 36
FONT = 13
OTHER_GROUP_TITLE = "Other texts"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class MapNode:
    """One text on the map."""

    slug: str
    """Unique key; edges name nodes by it."""
    title: str
    """Full title; shortened on the box, whole in the tooltip and accessible name."""
    url: str
    """Relative to the page holding the map, e.g. "essays/x.html"."""
    perspective_label: str
    """The perspective's label, printed in the legend."""
    colour: str
    """The perspective's CSS colour, e.g. "#b3261e"."""
    group: str
    """Slug of the debate the node is drawn with ("" -> "Other texts")."""
    group_title: str
    """Title of that debate."""


@dataclass(frozen=True, slots=True)
class MapEdge:
    """One link between two texts."""

    id: str
    """The link's id; unique on the map."""
    source: str
    """Slug of the node the link starts from (the one that rebuts, supports, ...)."""
    target: str
    """Slug of the node it points at."""
    relation: str
    """rebuts | supports | qualifies | contextualises | same-event."""
    label: str
    """Verb shown to readers, e.g. "rebuts"."""
    url: str
    """The source passage, e.g. "essays/x.html#link-id"."""


@dataclass(frozen=True, slots=True)
class RelationStyle:
    """How one relation is drawn: never by colour alone."""

    colour: str
    dash: str
    """stroke-dasharray, "" for solid."""
    directed: bool
    legend: str


RELATIONS: dict[str, RelationStyle] = {
    "rebuts": RelationStyle("#c0392b", "", True, "rebuts"),
    "supports": RelationStyle("#1a7f4b", "10 4", True, "supports"),
    "qualifies": RelationStyle("#a86400", "4 3", True, "qualifies"),
    "contextualises": RelationStyle("#1f5fa8", "1.5 3.5", True, "contextualises"),
    "same-event": RelationStyle("#7b4fa0", "12 4 2 4", False, "same event"),
}
FALLBACK_RELATION = RelationStyle("#555555", "6 6", True, "other")


@dataclass(frozen=True, slots=True)
class Box:
    """Where one node is drawn; `side` is +1 for the left column, -1 for the right."""

    x: float
    y: float
    side: int

    @property
    def inner_x(self) -> float:
        """The x of the side facing the middle, where links attach."""
        return self.x + BOX_W if self.side > 0 else self.x


@dataclass(frozen=True, slots=True)
class Panel:
    """A debate's background panel and title in one column."""

    title: str
    x: float
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class Layout:
    boxes: dict[str, Box]
    panels: tuple[Panel, ...]
    height: float


def render_map(nodes: Sequence[MapNode], edges: Sequence[MapEdge], *, id_prefix: str = "cpm") -> str:
    """Return an inline <svg> element (string) drawn at build time.

    Pass a different `id_prefix` for each map on one page (marker ids must be unique).
    """
    _check_edges(nodes, edges)
    layout = _layout(_grouped(nodes))
    codes = _perspective_codes(nodes)
    edges = sorted(edges, key=_edge_key)
    legend_y = layout.height + 10
    legend, height = _legend(nodes, codes, legend_y, id_prefix)
    parts = [
        _svg_open(len(nodes), len(edges), height),
        _style(len(nodes)),
        _markers(id_prefix),
        *(_panel(panel) for panel in layout.panels),
        *_nodes_and_edges(nodes, edges, layout, codes, id_prefix),
        legend,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _nodes_and_edges(
    nodes: Sequence[MapNode], edges: list[MapEdge], layout: Layout, codes: dict[str, str], id_prefix: str
) -> Iterable[str]:
    """Each box followed by the links that start from it, in reading order (column by
    column, top down): that is the order of Tab and of a screen reader. Links never run
    under a box, so drawing them after it hides nothing."""
    by_slug = {node.slug: node for node in nodes}
    order = {node.slug: i for i, node in enumerate(nodes)}
    titles = {node.slug: node.title for node in nodes}
    drawn = _edges(edges, layout.boxes, order, titles, id_prefix)
    for slug, box in layout.boxes.items():
        yield _node(by_slug[slug], box, codes, order[slug])
        outgoing = [svg for edge, svg in zip(edges, drawn) if edge.source == slug]
        if outgoing:
            yield '<g class="cpm-links">' + "".join(outgoing) + "</g>"


def _check_edges(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> None:
    """Refuse edges to unknown nodes and duplicate slugs: they are the caller's bug."""
    slugs = [node.slug for node in nodes]
    if len(set(slugs)) != len(slugs):
        raise ValueError("debate map: duplicate node slugs")
    for edge in edges:
        for end in (edge.source, edge.target):
            if end not in set(slugs):
                raise ValueError(f"debate map: link {edge.id!r} names unknown text {end!r}")


def _edge_key(edge: MapEdge) -> tuple[str, str, str, str]:
    return (edge.source, edge.target, edge.relation, edge.id)


# ---- layout -------------------------------------------------------------------------


def _grouped(nodes: Sequence[MapNode]) -> list[tuple[str, list[MapNode]]]:
    """Groups in order of first appearance ("Other texts" last), members in input order."""
    groups: dict[str, list[MapNode]] = {}
    titles: dict[str, str] = {}
    for node in nodes:
        groups.setdefault(node.group, []).append(node)
        titles.setdefault(node.group, node.group_title or node.group or OTHER_GROUP_TITLE)
    keys = [key for key in groups if key] + ([""] if "" in groups else [])
    return [(titles[key], groups[key]) for key in keys]


def _layout(groups: list[tuple[str, list[MapNode]]]) -> Layout:
    """Split the groups over two columns of about equal height and place every box."""
    runs = [(title, [node.slug for node in members]) for title, members in groups]
    left, right = _split_columns(runs)
    boxes: dict[str, Box] = {}
    panels: list[Panel] = []
    heights = [
        _place_column(column, x, side, boxes, panels)
        for column, x, side in ((left, COLUMN_X[0], 1), (right, COLUMN_X[1], -1))
    ]
    return Layout(boxes, tuple(panels), max(heights))


Run = tuple[str, list[str]]
Flat = list[tuple[str, str, bool]]
"""(group title, slug, first of its group) for every node, top to bottom."""


def _split_columns(runs: list[Run]) -> tuple[list[Run], list[Run]]:
    """Cut the sequence of nodes in two; cutting inside a group costs a repeated header."""
    flat = [(title, slug, i == 0) for title, members in runs for i, slug in enumerate(members)]
    best = min(range(len(flat) + 1), key=lambda cut: (_imbalance(flat, cut), cut))
    return _runs(flat[:best], continued=False), _runs(flat[best:], continued=True)


def _imbalance(flat: Flat, cut: int) -> float:
    left = _column_height(_runs(flat[:cut], continued=False))
    right = _column_height(_runs(flat[cut:], continued=True))
    inside_group = 0 < cut < len(flat) and not flat[cut][2]
    return abs(left - right) + (3 * ROW_H if inside_group else 0)


def _runs(flat: Flat, *, continued: bool) -> list[Run]:
    """Regroup a slice of (group title, slug, starts group) into runs with headers."""
    runs: list[Run] = []
    for title, slug, starts in flat:
        if starts or not runs:
            label = title if starts or not continued else f"{title} (continued)"
            runs.append((label, []))
        runs[-1][1].append(slug)
    return runs


def _column_height(runs: list[Run]) -> float:
    return sum(HEADER_H + ROW_H * len(members) + GROUP_GAP for _, members in runs)


def _place_column(runs: list[Run], x: float, side: int, boxes: dict[str, Box], panels: list[Panel]) -> float:
    """Place one column's panels and boxes top-down; return the column's bottom."""
    y = float(TOP)
    for title, members in runs:
        height = HEADER_H + ROW_H * len(members)
        panels.append(Panel(title, x - 10, y, height))
        for i, slug in enumerate(members):
            boxes[slug] = Box(x, y + HEADER_H + ROW_H * i, side)
        y += height + GROUP_GAP
    return y


# ---- edges --------------------------------------------------------------------------


def _edges(
    edges: list[MapEdge], boxes: dict[str, Box], order: dict[str, int], titles: dict[str, str], id_prefix: str
) -> list[str]:
    """Every link drawn, in the order of `edges`."""
    ports = _ports(edges, boxes)
    spread = _parallel_index(edges)
    drawn = []
    for i, edge in enumerate(edges):
        start, end = ports[(i, "source")], ports[(i, "target")]
        path = _curve(boxes[edge.source], start, boxes[edge.target], end, spread[i], edge.source == edge.target)
        drawn.append(_edge(edge, path, order, titles, id_prefix))
    return drawn


def _ports(edges: list[MapEdge], boxes: dict[str, Box]) -> dict[tuple[int, str], float]:
    """The y where each link end meets its box: spread over the box, ordered by the far end."""
    ends: dict[str, list[tuple[float, int, str]]] = {}
    for i, edge in enumerate(edges):
        far_of_source = boxes[edge.target].y + (0.5 if edge.source == edge.target else 0)
        ends.setdefault(edge.source, []).append((far_of_source, i, "source"))
        ends.setdefault(edge.target, []).append((boxes[edge.source].y, i, "target"))
    ports: dict[tuple[int, str], float] = {}
    for slug, items in ends.items():
        items.sort()
        step = (BOX_H - 6) / max(len(items) - 1, 1)
        for k, (_, i, which) in enumerate(items):
            offset = 3 + step * k if len(items) > 1 else BOX_H / 2
            ports[(i, which)] = boxes[slug].y + offset
    return ports


def _parallel_index(edges: list[MapEdge]) -> list[int]:
    """For each link, how many links between the same two texts came before it."""
    seen: dict[frozenset[str], int] = {}
    result = []
    for edge in edges:
        pair = frozenset((edge.source, edge.target))
        result.append(seen.get(pair, 0))
        seen[pair] = result[-1] + 1
    return result


def _curve(a: Box, ya: float, b: Box, yb: float, parallel: int, loop: bool) -> str:
    """A cubic Bézier from box a's inner side to box b's, leaving and arriving level."""
    xa, xb = a.inner_x, b.inner_x
    if loop:
        reach = 45.0 + 14 * parallel
    elif a.side != b.side:
        reach = abs(xb - xa) * 0.4 + 14 * parallel
    else:
        reach = min(40 + 0.4 * abs(yb - ya), 240.0) + 14 * parallel
    ca = xa + a.side * reach
    cb = xb + b.side * reach
    return f"M{_n(xa)} {_n(ya)}C{_n(ca)} {_n(ya)} {_n(cb)} {_n(yb)} {_n(xb)} {_n(yb)}"


def _edge(edge: MapEdge, path: str, order: dict[str, int], titles: dict[str, str], id_prefix: str) -> str:
    style = RELATIONS.get(edge.relation, FALLBACK_RELATION)
    name = _edge_name(edge, titles)
    marker = f' marker-end="url(#{id_prefix}-arrow-{_relation_id(edge.relation)})"' if style.directed else ""
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    ends = sorted({order[edge.source], order[edge.target]})
    classes = " ".join(["cpm-edge", *(f"cpm-t{n}" for n in ends)])
    return (
        f'<a href="{_attr(edge.url)}" class="{classes}" aria-label="{_attr(name)}">'
        f"<title>{_text(name)}</title>"
        f'<path class="cpm-hit" d="{path}"/>'
        f'<path class="cpm-line" d="{path}" stroke="{style.colour}"{dash}{marker}/></a>'
    )


def _edge_name(edge: MapEdge, titles: dict[str, str]) -> str:
    """ "A rebuts B"; a same-event link reads the same both ways."""
    source, target = titles[edge.source], titles[edge.target]
    if not RELATIONS.get(edge.relation, FALLBACK_RELATION).directed:
        return f"{source} and {target}: {edge.label}"
    return f"{source} {edge.label} {target}"


def _relation_id(relation: str) -> str:
    return relation if relation in RELATIONS else "other"


# ---- nodes, panels ------------------------------------------------------------------


def _node(node: MapNode, box: Box, codes: dict[str, str], index: int) -> str:
    label = node.perspective_label or "no perspective"
    name = f"{node.title} ({label})"
    room = BOX_W - SWATCH_W - 4
    short = _shorten(node.title, room - 12)
    return (
        f'<a href="{_attr(node.url)}" class="cpm-node cpm-n{index}">'
        f"<title>{_text(name)}</title>"
        f'<rect class="cpm-box" x="{_n(box.x)}" y="{_n(box.y)}" width="{BOX_W}" height="{BOX_H}"'
        f' rx="4" fill="#ffffff" stroke="{_attr(node.colour)}" stroke-width="1.5"/>'
        + _swatch(box.x, box.y, BOX_H, node.colour, codes[label])
        + _clipped(
            box.x + SWATCH_W,
            box.y,
            room,
            BOX_H,
            f'<text x="8" y="{_n(BOX_H / 2 + FONT * 0.35)}" class="cpm-label" fill="#1a1a1a">{_text(short)}</text>',
        )
        + "</a>"
    )


def _clipped(x: float, y: float, width: float, height: float, content: str) -> str:
    """A nested viewport: if a reader's font runs wider than estimated, text is cut, not spilt."""
    return f'<svg x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" overflow="hidden">{content}</svg>'


def _swatch(x: float, y: float, height: float, colour: str, code: str) -> str:
    """A coloured block carrying the perspective's code, so colour is never alone."""
    ink = _ink_on(colour)
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{SWATCH_W}" height="{_n(height)}" rx="4"'
        f' fill="{_attr(colour)}"/>'
        f'<text x="{_n(x + SWATCH_W / 2)}" y="{_n(y + height / 2 + 4)}" text-anchor="middle"'
        f' font-size="11" font-weight="700" fill="{ink}">{_text(code)}</text>'
    )


def _panel(panel: Panel) -> str:
    title = _shorten(panel.title, BOX_W, size=13.5, bold=True)
    heading = (
        f'<text x="10" y="20" font-weight="700" font-size="13.5" fill="#333333">'
        f"{_text(title)}<title>{_text(panel.title)}</title></text>"
    )
    return (
        f'<g class="cpm-group"><rect x="{_n(panel.x)}" y="{_n(panel.y)}" width="{BOX_W + 20}"'
        f' height="{_n(panel.height)}" rx="6" fill="#f3f1ec"/>'
        + _clipped(panel.x, panel.y, BOX_W + 16, HEADER_H, heading)
        + "</g>"
    )


def _perspective_codes(nodes: Sequence[MapNode]) -> dict[str, str]:
    """A short, unique code per perspective label: its initials ("Chinese think tank" -> CTT)."""
    codes: dict[str, str] = {}
    for node in nodes:
        label = node.perspective_label or "no perspective"
        if label in codes:
            continue
        words = [w for w in label.replace("-", " ").split() if w[:1].isalnum()]
        code = "".join(w[0] for w in words[:3]).upper() or "?"
        if len(code) == 1 and words:
            code = words[0][:2].capitalize()
        base, n = code, 2
        while code in codes.values():
            code, n = f"{base}{n}", n + 1
        codes[label] = code
    return codes


# ---- legend -------------------------------------------------------------------------


def _legend(nodes: Sequence[MapNode], codes: dict[str, str], y: float, id_prefix: str) -> tuple[str, float]:
    """Relations (line, dash, arrow, word) then perspectives (colour, code, word)."""
    parts = ['<g class="cpm-legend">', _legend_title("Links", 20, y + 16)]
    for i, (relation, style) in enumerate(RELATIONS.items()):
        parts.append(_relation_sample(20 + i * 190, y + 38, relation, style, id_prefix))
    parts.append(
        f'<text x="20" y="{_n(y + 66)}" font-size="12" fill="#444444">Arrows point from'
        " the text that answers to the text it answers; click a line for the passage.</text>"
    )
    parts.append(_legend_title("Perspectives", 20, y + 96))
    seen: dict[str, str] = {}
    for node in nodes:
        seen.setdefault(node.perspective_label or "no perspective", node.colour)
    for i, (label, colour) in enumerate(seen.items()):
        col, row = i % 3, i // 3
        parts.append(_perspective_sample(20 + col * 320, y + 108 + row * 30, label, colour, codes))
    parts.append("</g>")
    rows = (len(seen) + 2) // 3
    return "\n".join(parts), y + 108 + rows * 30 + 12


def _legend_title(text: str, x: float, y: float) -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" font-weight="700" fill="#1a1a1a">{_text(text)}</text>'


def _relation_sample(x: float, y: float, relation: str, style: RelationStyle, id_prefix: str) -> str:
    marker = f' marker-end="url(#{id_prefix}-arrow-{relation})"' if style.directed else ""
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (
        f'<path d="M{_n(x)} {_n(y)}H{_n(x + 48)}" fill="none" stroke="{style.colour}"'
        f' stroke-width="2.5"{dash}{marker}/>'
        f'<text x="{_n(x + 58)}" y="{_n(y + 4.5)}" fill="#1a1a1a">{_text(style.legend)}</text>'
    )


def _perspective_sample(x: float, y: float, label: str, colour: str, codes: dict[str, str]) -> str:
    return (
        _swatch(x, y, 22, colour, codes[label]) + f'<text x="{_n(x + SWATCH_W + 8)}" y="{_n(y + 15.5)}" fill="#1a1a1a">'
        f"{_text(_shorten(label, 270))}</text>"
    )


# ---- the svg element ----------------------------------------------------------------


def _svg_open(node_count: int, edge_count: int, height: float) -> str:
    label = f"Debate map: {node_count} texts and {edge_count} links between them"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cpm" viewBox="0 0 {WIDTH} {_n(height)}"'
        f' width="{WIDTH}" height="{_n(height)}" style="max-width:100%;height:auto"'
        f' font-family="{_attr(FONT_FAMILY)}" font-size="{FONT}" aria-label="{_attr(label)}">'
    )


def _style(node_count: int) -> str:
    """Interaction only; everything static is in presentation attributes."""
    fades = "\n".join(
        f".cpm:has(.cpm-n{i}:hover,.cpm-n{i}:focus) .cpm-edge:not(.cpm-t{i}){{opacity:.12}}" for i in range(node_count)
    )
    return (
        "<style>\n"
        ".cpm .cpm-line{fill:none;stroke-width:1.6;stroke-opacity:.8}\n"
        ".cpm .cpm-hit{fill:none;stroke:#000;stroke-opacity:0;stroke-width:9;pointer-events:stroke}\n"
        ".cpm .cpm-edge:hover .cpm-line,.cpm .cpm-edge:focus .cpm-line{stroke-width:3.5;stroke-opacity:1}\n"
        ".cpm .cpm-node:hover .cpm-box,.cpm .cpm-node:focus .cpm-box{stroke-width:3;fill:#fffbe6}\n"
        ".cpm .cpm-node:hover .cpm-label,.cpm .cpm-node:focus .cpm-label{text-decoration:underline}\n"
        f"{fades}\n</style>"
    )


def _markers(id_prefix: str) -> str:
    defs = ["<defs>"]
    for relation, style in (*RELATIONS.items(), ("other", FALLBACK_RELATION)):
        if style.directed:
            defs.append(
                f'<marker id="{_attr(id_prefix)}-arrow-{relation}" viewBox="0 0 10 8" refX="10"'
                ' refY="4" markerWidth="10" markerHeight="8" markerUnits="userSpaceOnUse"'
                f' orient="auto"><path d="M0 0L10 4L0 8z" fill="{style.colour}"/></marker>'
            )
    defs.append("</defs>")
    return "".join(defs)


# ---- small helpers ------------------------------------------------------------------


def _shorten(text: str, width: float, size: float = FONT, bold: bool = False) -> str:
    """Cut `text` at a word to fit `width` px at `size` px, marking the cut with "…"."""
    size *= 1.1 if bold else 1.0
    if _text_width(text, size) <= width:
        return text
    # Pieces end before a space or after a hyphen, so "confidence-building" may become
    # "confidence…" rather than vanish whole.
    pieces = [p for p in re.split(r"(?<=-)|(?= )", text) if p]
    kept = ""
    for piece in pieces:
        if _text_width((kept + piece).rstrip(_TRIM) + "…", size) > width:
            break
        kept += piece
    if kept.endswith("-") and len(kept.rsplit(" ", 1)[-1]) <= 4:
        kept = kept[: -len(kept.rsplit(" ", 1)[-1])]  # not "de…" from "de-escalating"
    if not kept.strip():  # the first word alone is too long: cut it by characters
        kept = text
        while kept and _text_width(kept + "…", size) > width:
            kept = kept[:-1]
    return kept.rstrip(_TRIM) + "…"


_TRIM = " ,;:.–—-&"
"""What a cut title should not end with before its ellipsis."""


def _text_width(text: str, size: float) -> float:
    """A cautious width estimate: advance widths (in em) close to DejaVu Sans, the widest
    common sans-serif; narrower faces just leave a little room."""
    return size * sum(_advance(char) for char in text)


def _advance(char: str) -> float:
    for chars, em in (
        ("iljI.,:;'!| ", 0.32),
        ("ft-()[]", 0.4),
        ("r", 0.42),
        ("sczvxyk", 0.58),
        ("mw", 0.92),
        ("MW", 0.99),
    ):
        if char in chars:
            return em
    return 0.75 if char.isupper() else 0.64


def _ink_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (white if it is not #rgb/#rrggbb)."""
    digits = colour.strip().lstrip("#")
    if not colour.strip().startswith("#") or len(digits) not in (3, 6):
        return "#ffffff"
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    try:
        r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return "#ffffff"
    luminance = 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)
    return "#000000" if luminance > 0.18 else "#ffffff"


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else float(((channel + 0.055) / 1.055) ** 2.4)


def _n(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zero: short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _text(value: str) -> str:
    return escape(value, quote=False)
