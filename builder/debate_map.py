"""Texts and the links between them -> the debate map: an inline <svg> laid out at build time, and its pairs.

Layout: perspectives are columns, debates are rows (texts in no debate last), so the sides
of a debate stand apart and each debate reads across. Column order is chosen, among all
orders when there are few perspectives, to keep lines out of the boxes they would cross;
ties go to the alphabetical order of the labels, so the result is deterministic. Titles
are wrapped in full inside their boxes, never cut.

All the links between two texts are ONE edge: a line whose width grows with their number,
arrowheads telling the direction(s), and a chip that says "2 rebuts · 1 qualifies". An
edge is a link to its pair's rows in the text alternative (`map_pairs`), which map.js
shows beside the map when the edge is selected.

No colour is declared here: relations take theirs from the CSS variables (--rebuts, …)
through the `rel-<relation>` classes, perspectives from site.toml.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from builder.specs import RELATIONS

MARGIN = 12
BOX_W = 184
GUTTER = 96
PAD = 8
STRIPE = 5
FONT = 13.5
LINE = 17
CHIP_FONT = 12
CHIP_LINE = 15
CHIP_MAX = 180
BAND_FONT = 14.5
ROW_GAP = 58
CELL_GAP = 10
OTHER_GROUP_TITLE = "Other texts"
CHIP_STOPS = tuple(0.5 + sign * k / 25 for k in range(11) for sign in ((1,) if k == 0 else (-1, 1)))
"""Where along its line a chip may sit, from the middle outwards (0.1 to 0.9)."""
MAX_PERMUTED_COLUMNS = 6
"""Up to this many perspectives every column order is tried (720); beyond, neighbours are swapped."""


@dataclass(frozen=True, slots=True)
class MapNode:
    """One text on the map."""

    slug: str
    """Unique key; edges name nodes by it."""
    title: str
    """Full title, wrapped on the box."""
    url: str
    """Relative to the page holding the map, e.g. "essays/x.html"."""
    perspective_label: str
    """The perspective's label: the node's column."""
    colour: str
    """The perspective's CSS colour, e.g. "#b3261e" (a stripe on the box and the column header)."""
    group: str
    """Slug of the debate the node is drawn with: its row ("" -> "Other texts", last)."""
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
    """Verb shown to readers, e.g. "rebuts", "same event"."""
    url: str
    """The source passage, e.g. "essays/x.html#link-id"."""
    target_url: str = ""
    """The target passage, e.g. "essays/y.html#link-id-to"."""
    source_place: str = ""
    """Where in the source text, e.g. "¶12"."""
    target_place: str = ""
    """Where in the target text."""


@dataclass(frozen=True, slots=True)
class MapPair:
    """Two texts and every link between them: one edge on the map, one group of rows in the text alternative."""

    id: str
    """DOM id of the group, "pair-<slug>--<slug>" (slugs never hold "--")."""
    a: MapNode
    b: MapNode
    """In map reading order: a comes first."""
    links: tuple[MapEdge, ...]
    """In relation order, then by id."""

    @property
    def counts(self) -> list[tuple[str, int, str]]:
        """(relation, count, words) in relation order, e.g. ("rebuts", 2, "2 rebuts")."""
        found = [(r, sum(1 for link in self.links if link.relation == r)) for r in _relation_order(self.links)]
        return [(r, n, f"{n} {_label(r, self.links)}") for r, n in found if n]

    @property
    def summary(self) -> str:
        return " · ".join(words for _, _, words in self.counts)


def map_pairs(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> list[MapPair]:
    """Every linked pair of texts, in reading order of the map (row by row, then column)."""
    _check_edges(nodes, edges)
    rank = {slug: i for i, slug in enumerate(_reading_order(nodes, edges))}
    by_slug = {node.slug: node for node in nodes}
    grouped: dict[tuple[str, str], list[MapEdge]] = {}
    for edge in edges:
        ends = sorted((edge.source, edge.target), key=rank.__getitem__)
        grouped.setdefault((ends[0], ends[1]), []).append(edge)
    order = {r: i for i, r in enumerate(RELATIONS)}
    return [
        MapPair(
            f"pair-{a}--{b}",
            by_slug[a],
            by_slug[b],
            tuple(sorted(links, key=lambda e: (order.get(e.relation, len(order)), e.relation, e.id))),
        )
        for (a, b), links in sorted(grouped.items(), key=lambda item: (rank[item[0][0]], rank[item[0][1]]))
    ]


def render_map(nodes: Sequence[MapNode], edges: Sequence[MapEdge], *, id_prefix: str = "cpm") -> str:
    """Return the map as an inline <svg> element (string). Give each map on one page its own `id_prefix`."""
    pairs = map_pairs(nodes, edges)
    columns = _column_order(nodes, edges)
    layout = _layout(nodes, columns, pairs)
    routes = _routes(pairs, layout)
    chips = _place_chips(pairs, routes, layout)
    first = _reading_order(nodes, edges)[:1]
    partners: dict[str, int] = {}
    for pair in pairs:
        for slug in {pair.a.slug, pair.b.slug}:
            partners[slug] = partners.get(slug, 0) + 1
    parts = [
        _svg_open(layout, len(nodes), len(edges)),
        _markers(id_prefix),
        '<g class="cpm-edges">',
        *(_edge(pair, routes[pair.id], chips[pair.id], id_prefix) for pair in pairs),
        "</g>",
        *_headers(layout),
        '<g class="cpm-nodes">',
        *(_node(node, layout.boxes[node.slug], partners, first) for node in _by_reading_order(nodes, columns)),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def relation_words(relation: str) -> str:
    """The word readers see for a relation: "same-event" -> "same event"."""
    return relation.replace("-", " ")


def _relation_order(links: Iterable[MapEdge]) -> list[str]:
    known = list(RELATIONS)
    return known + sorted({link.relation for link in links} - set(known))


def _label(relation: str, links: Sequence[MapEdge]) -> str:
    return next((link.label for link in links if link.relation == relation and link.label), relation_words(relation))


def _check_edges(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> None:
    """Refuse edges to unknown nodes and duplicate slugs: they are the caller's bug."""
    slugs = [node.slug for node in nodes]
    known = set(slugs)
    if len(known) != len(slugs):
        raise ValueError("debate map: duplicate node slugs")
    for edge in edges:
        for end in (edge.source, edge.target):
            if end not in known:
                raise ValueError(f"debate map: link {edge.id!r} names unknown text {end!r}")


# ---- layout -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    """Where one text is drawn, with its title already wrapped."""

    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    row: int
    column: int

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True, slots=True)
class Band:
    """A debate's title across the map, above its row (`lines` empty when there is one row only)."""

    y: float
    lines: tuple[str, ...]
    top: float
    """Where the row's boxes start."""
    bottom: float
    """Where the row's tallest cell ends."""


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    colour: str
    x: float
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    boxes: dict[str, Box]
    columns: tuple[Column, ...]
    bands: tuple[Band, ...]
    header_h: float
    width: float
    height: float


def _groups(nodes: Sequence[MapNode]) -> list[str]:
    """Row keys in order of first appearance, texts in no debate last."""
    keys = list(dict.fromkeys(node.group for node in nodes))
    return [key for key in keys if key] + ([""] if "" in keys else [])


def _reading_order(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> list[str]:
    """Row by row, then by column, then as given: the order of the text alternative and of the first Tab."""
    return [node.slug for node in _by_reading_order(nodes, _column_order(nodes, edges))]


def _by_reading_order(nodes: Sequence[MapNode], columns: Sequence[str]) -> list[MapNode]:
    rows = {key: i for i, key in enumerate(_groups(nodes))}
    column = {label: i for i, label in enumerate(columns)}
    return sorted(nodes, key=lambda n: (rows[n.group], column[n.perspective_label]))


def _layout(nodes: Sequence[MapNode], order: Sequence[str], pairs: Sequence[MapPair]) -> Layout:
    """Rows of debates, columns of perspectives in the given order; busy rows get more room below for chips."""
    gaps = _row_gaps(nodes, pairs)
    column_of = {label: i for i, label in enumerate(order)}
    groups = _groups(nodes)
    titles = {node.group: node.group_title or node.group or OTHER_GROUP_TITLE for node in nodes}
    width = 2 * MARGIN + len(order) * BOX_W + max(len(order) - 1, 0) * GUTTER
    colours = {node.perspective_label: node.colour for node in nodes}
    columns = tuple(
        Column(label, colours[label], _column_x(i), tuple(_wrap(label, BOX_W - 14, 13, bold=True)))
        for i, label in enumerate(order)
    )
    header_h = max((len(c.lines) for c in columns), default=1) * LINE + 14
    boxes: dict[str, Box] = {}
    bands = []
    y: float = MARGIN + header_h + 6
    for row, key in enumerate(groups):
        band_lines = tuple(_wrap(titles[key], width - 2 * MARGIN, BAND_FONT, bold=True)) if len(groups) > 1 else ()
        band_y = y
        y += len(band_lines) * (BAND_FONT + 5) + (10 if band_lines else 0)
        bottom = y
        for column in range(len(order)):
            cell_y: float = y
            for node in (n for n in nodes if n.group == key and column_of[n.perspective_label] == column):
                lines = tuple(_wrap(node.title, BOX_W - 2 * PAD - STRIPE, FONT))
                box = Box(_column_x(column), cell_y, BOX_W, 2 * PAD + len(lines) * LINE - 2, lines, row, column)
                boxes[node.slug] = box
                cell_y += box.h + CELL_GAP
            bottom = max(bottom, cell_y - CELL_GAP)
        bands.append(Band(band_y, band_lines, y, bottom))
        y = bottom + gaps[row]
    return Layout(boxes, columns, tuple(bands), header_h, width, y - (gaps[-1] if gaps else 0) + MARGIN + 30)


def _row_gaps(nodes: Sequence[MapNode], pairs: Sequence[MapPair]) -> list[float]:
    """Room below each row: more for each line that starts there and goes down or stays in the row."""
    rows = _row_slots(nodes)
    gaps = [float(ROW_GAP)] * len(_groups(nodes))
    for pair in pairs:
        ra, rb = rows[pair.a.slug][0], rows[pair.b.slug][0]
        if pair.a.slug != pair.b.slug:
            gaps[min(ra, rb)] += _chip_size(pair)[1] + 6 if ra == rb else 7
    return [min(gap, ROW_GAP + 320) for gap in gaps]


def _column_x(column: int) -> float:
    return MARGIN + column * (BOX_W + GUTTER)


def _column_order(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> list[str]:
    """The order of the perspective columns that makes the fewest lines cross a box, then the shortest lines."""
    labels = sorted({node.perspective_label for node in nodes})
    if len(labels) < 3 or not edges:
        return labels
    place = _row_slots(nodes)
    ends = sorted({tuple(sorted((e.source, e.target))) for e in edges if e.source != e.target})
    links = [(place[a], place[b]) for a, b in ends]

    def cost(order: Sequence[str]) -> tuple[int, int]:
        column = {label: i for i, label in enumerate(order)}
        return _column_cost(links, place, column)

    if len(labels) <= MAX_PERMUTED_COLUMNS:
        return list(min(itertools.permutations(labels), key=lambda order: (cost(list(order)), order)))
    best = labels
    improved = True
    while improved:  # swap neighbours while it helps: deterministic, and ends (the cost falls each time)
        improved = False
        for i in range(len(best) - 1):
            trial = best[:i] + [best[i + 1], best[i]] + best[i + 2 :]
            if cost(trial) < cost(best):
                best, improved = trial, True
    return best


Slot = tuple[int, str]
"""(row, perspective label) of a text."""


def _row_slots(nodes: Sequence[MapNode]) -> dict[str, Slot]:
    rows = {key: i for i, key in enumerate(_groups(nodes))}
    return {node.slug: (rows[node.group], node.perspective_label) for node in nodes}


def _column_cost(links: list[tuple[Slot, Slot]], place: dict[str, Slot], column: dict[str, int]) -> tuple[int, int]:
    """(cells a straight line between the two texts passes through, total columns spanned).

    Rows are treated as evenly spaced: a rough picture, but it ranks orders the same way.
    """
    occupied = {(row, column[label]) for row, label in place.values()}
    crossed = span = 0
    for (ra, pa), (rb, pb) in links:
        ca, cb = column[pa], column[pb]
        span += abs(ca - cb)
        if ca == cb or abs(ca - cb) == 1:
            continue
        if ra == rb:  # drawn as an arc under the row when anything is in between
            crossed += any((ra, c) in occupied for c in range(min(ca, cb) + 1, max(ca, cb)))
            continue
        for c in range(min(ca, cb) + 1, max(ca, cb)):
            t = (c - ca) / (cb - ca)
            row = ra + t * (rb - ra)
            crossed += sum((r, c) in occupied for r in {int(row), int(row + 0.999)})
    return crossed, span


# ---- routes: where each edge runs -----------------------------------------------------


Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Route:
    """A cubic Bézier; `start_arrow`/`end_arrow` say which ends get arrowheads."""

    points: tuple[Point, Point, Point, Point]
    start_arrow: bool
    end_arrow: bool

    def at(self, t: float) -> tuple[float, float]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        u = 1 - t
        return (
            u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
            u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
        )

    @property
    def d(self) -> str:
        (x0, y0), *rest = self.points
        return f"M{_n(x0)} {_n(y0)}C" + " ".join(f"{_n(x)} {_n(y)}" for x, y in rest)


def _routes(pairs: Sequence[MapPair], layout: Layout) -> dict[str, Route]:
    """Each pair's line: between facing sides; an arc beside a column; an arc under a row; a loop."""
    boxes = layout.boxes
    kinds = {pair.id: _kind(boxes[pair.a.slug], boxes[pair.b.slug], layout, _chip_size(pair)[0]) for pair in pairs}
    ports = _ports(pairs, kinds, boxes)
    under_depth: dict[int, float] = {}
    """Per row, how far below it the next arc runs: each arc leaves room for its chip."""
    under_count: dict[int, int] = {}
    routes = {}
    for pair in sorted(pairs, key=lambda p: abs(boxes[p.a.slug].column - boxes[p.b.slug].column)):
        a, b = boxes[pair.a.slug], boxes[pair.b.slug]
        kind = kinds[pair.id]
        forward, backward = _directions(pair)
        if kind == "loop":
            x, y = a.x + a.w, a.y + a.h / 2
            points = ((x, y - 6), (x + 34, y - 26), (x + 34, y + 26), (x, y + 6))
        elif kind == "under":
            depth = under_depth.get(a.row, 0.0)
            level = under_count.get(a.row, 0)
            under_count[a.row] = level + 1
            under_depth[a.row] = depth + _chip_size(pair)[1] + 6
            left, right = (a, b) if a.column < b.column else (b, a)
            bottom = layout.bands[a.row].bottom + 24 + depth
            shift = 0.06 * (level % 5)
            x0, x1 = left.x + left.w * (0.82 - shift), right.x + right.w * (0.18 + shift)
            points = ((x0, left.y + left.h), (x0, bottom), (x1, bottom), (x1, right.y + right.h))
            if left is b:
                points = (points[3], points[2], points[1], points[0])
        else:
            (xa, ya), (xb, yb) = ports[(pair.id, pair.a.slug)], ports[(pair.id, pair.b.slug)]
            if kind == "column":
                side = 1 if xa > a.x else -1
                reach = min(28 + 0.18 * abs(yb - ya), GUTTER * 0.7)
                points = ((xa, ya), (xa + side * reach, ya), (xb + side * reach, yb), (xb, yb))
            else:
                reach = max(abs(xb - xa) * 0.45, 24)
                sa = 1 if xb > xa else -1
                points = ((xa, ya), (xa + sa * reach, ya), (xb - sa * reach, yb), (xb, yb))
        routes[pair.id] = Route(points, backward, forward)
    return routes


def _kind(a: Box, b: Box, layout: Layout, chip_w: float) -> str:
    """Texts in one row are joined under the row when a box stands between them or the chip has no room."""
    if a is b:
        return "loop"
    if a.column == b.column:
        return "column"
    if a.row == b.row:
        (low, high) = sorted((a, b), key=lambda box: box.column)
        between = any(box.row == a.row and low.column < box.column < high.column for box in layout.boxes.values())
        if between or high.x - (low.x + low.w) - 24 < chip_w:
            return "under"
    return "side"


def _directions(pair: MapPair) -> tuple[bool, bool]:
    """(some link goes a -> b, some link goes b -> a), counting directed relations only."""
    directed = [link for link in pair.links if link.relation != "same-event"]
    forward = any(link.source == pair.a.slug for link in directed)
    backward = any(link.source == pair.b.slug for link in directed)
    return forward, backward


def _ports(pairs: Sequence[MapPair], kinds: dict[str, str], boxes: dict[str, Box]) -> dict[tuple[str, str], Point]:
    """Where each side-attached line meets its box: spread over the side, ordered by the other end's height."""
    ends: dict[tuple[str, int], list[tuple[float, float, str]]] = {}
    for pair in pairs:
        kind = kinds[pair.id]
        if kind not in ("side", "column"):
            continue
        a, b = boxes[pair.a.slug], boxes[pair.b.slug]
        for here, there, slug in ((a, b, pair.a.slug), (b, a, pair.b.slug)):
            if kind == "column":
                side = -1 if here.column > 0 and here.column == _last_column(boxes) else 1
            else:
                side = 1 if there.column > here.column else -1
            ends.setdefault((slug, side), []).append((there.cy, there.cx, pair.id))
    ports: dict[tuple[str, str], Point] = {}
    for (slug, side), items in ends.items():
        box = boxes[slug]
        items.sort()
        x = box.x + box.w if side > 0 else box.x
        for k, (_, _, pair_id) in enumerate(items):
            ports[(pair_id, slug)] = (x, box.y + box.h * (k + 1) / (len(items) + 1))
    return ports


def _last_column(boxes: dict[str, Box]) -> int:
    return max((box.column for box in boxes.values()), default=0)


# ---- chips: the counts on each edge ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chip:
    x: float
    y: float
    w: float
    h: float
    lines: tuple[tuple[tuple[str, str], ...], ...]
    """Per line, (relation, words) items."""


Rect = tuple[float, float, float, float]


def _place_chips(pairs: Sequence[MapPair], routes: dict[str, Route], layout: Layout) -> dict[str, Chip]:
    """Put each edge's chip on its line where it covers no box and no other chip; the busiest edges first."""
    # boxes with room for the arrowheads at their sides, and the debate titles
    obstacles: list[Rect] = [(b.x - 12, b.y - 4, b.w + 24, b.h + 8) for b in layout.boxes.values()]
    obstacles += [
        (MARGIN, band.y + i * (BAND_FONT + 5), _text_width(line, BAND_FONT * 1.08) + 8, BAND_FONT + 8)
        for band in layout.bands
        for i, line in enumerate(band.lines)
    ]
    fixed, placed = _Grid(obstacles), _Grid([])
    chips = {}
    for pair in sorted(pairs, key=lambda p: (-len(p.links), p.id)):
        w, h, lines = _chip_size(pair)
        best: tuple[float, Rect] | None = None
        for t in CHIP_STOPS:
            cx, cy = routes[pair.id].at(t)
            rect = (cx - w / 2, cy - h / 2, w, h)
            clash = fixed.overlap(rect) * 4 + placed.overlap(rect)
            clash += _outside(rect, layout)
            if best is None or clash < best[0]:
                best = (clash, rect)
            if clash == 0:
                break
        assert best is not None
        x, y, _, _ = best[1]
        placed.add(best[1])
        chips[pair.id] = Chip(x, y, w, h, lines)
    return chips


class _Grid:
    """Rectangles bucketed by the cells they cover, so a big map checks a chip only against its neighbours."""

    CELL = 160.0

    def __init__(self, rects: Iterable[Rect]) -> None:
        self.cells: dict[tuple[int, int], list[Rect]] = {}
        for rect in rects:
            self.add(rect)

    def _cells(self, rect: Rect) -> Iterable[tuple[int, int]]:
        x, y, w, h = rect
        for i in range(int(x // self.CELL), int((x + w) // self.CELL) + 1):
            for j in range(int(y // self.CELL), int((y + h) // self.CELL) + 1):
                yield i, j

    def add(self, rect: Rect) -> None:
        for cell in self._cells(rect):
            self.cells.setdefault(cell, []).append(rect)

    def overlap(self, rect: Rect) -> float:
        """The summed overlap of `rect` with every stored rectangle (each counted once)."""
        near = {id(o): o for cell in self._cells(rect) for o in self.cells.get(cell, ())}
        return sum(_overlap(rect, o) for o in near.values())


def _chip_size(pair: MapPair) -> tuple[float, float, tuple[tuple[tuple[str, str], ...], ...]]:
    lines = _chip_lines(pair)
    w = max(sum(_item_width(words) for _, words in line) + 10 * (len(line) - 1) for line in lines) + 12
    return w, len(lines) * CHIP_LINE + 7, lines


def _chip_lines(pair: MapPair) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The counts, as many to a line as fit in CHIP_MAX."""
    lines: list[list[tuple[str, str]]] = [[]]
    for relation, _, words in pair.counts:
        line = lines[-1]
        if line and sum(_item_width(w) + 10 for _, w in line) + _item_width(words) > CHIP_MAX:
            lines.append(line := [])
        line.append((relation, words))
    return tuple(tuple(line) for line in lines)


def _item_width(words: str) -> float:
    return 12 + _text_width(words, CHIP_FONT)


def _overlap(a: Rect, b: Rect) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(rect: Rect, layout: Layout) -> float:
    x, y, w, h = rect
    return 1000.0 * (x < 0 or y < 0 or x + w > layout.width or y + h > layout.height)


# ---- drawing --------------------------------------------------------------------------


def _svg_open(layout: Layout, node_count: int, edge_count: int) -> str:
    """The root: named, described by the page's #map-keys, and out of the Tab order itself
    (Chromium otherwise gives the <svg> a Tab stop of its own before its first link)."""
    label = f"Debate map: {node_count} texts and {edge_count} links between them"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cpm" viewBox="0 0 {_n(layout.width)} {_n(layout.height)}"'
        f' width="{_n(layout.width)}" height="{_n(layout.height)}" role="group" aria-label="{_attr(label)}"'
        ' aria-describedby="map-keys" tabindex="-1">'
    )


def _markers(id_prefix: str) -> str:
    """One arrowhead, drawn in the edge colour by CSS; the start one is the same, reversed."""
    return (
        f'<defs><marker id="{_attr(id_prefix)}-arrow" class="cpm-arrow" viewBox="0 0 10 10" refX="9" refY="5"'
        ' markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0 0L10 5L0 10z"/></marker></defs>'
    )


def _headers(layout: Layout) -> Iterable[str]:
    """Perspective names over the columns, debate titles across the rows."""
    for column in layout.columns:
        yield (
            f'<g class="cpm-column"><rect x="{_n(column.x)}" y="{MARGIN}" width="{BOX_W}" height="4" rx="2"'
            f' fill="{_attr(column.colour)}"/>'
            + _lines(column.x, MARGIN + 4 + LINE, column.lines, LINE, "cpm-column-label")
            + "</g>"
        )
    for band in layout.bands:
        if band.lines:
            yield (
                f'<g class="cpm-band"><line x1="{MARGIN}" x2="{_n(layout.width - MARGIN)}" y1="{_n(band.y)}"'
                f' y2="{_n(band.y)}"/>'
                + _lines(MARGIN, band.y + BAND_FONT + 2, band.lines, BAND_FONT + 5, "cpm-band-title")
                + "</g>"
            )


def _lines(x: float, y: float, lines: Sequence[str], step: float, cls: str) -> str:
    # spaces between the lines keep words apart in the text a browser copies or finds
    spans = " ".join(f'<tspan x="{_n(x)}" y="{_n(y + i * step)}">{_text(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text class="{cls}">{spans}</text>'


def _node(node: MapNode, box: Box, partner_counts: dict[str, int], first: list[str]) -> str:
    partners = partner_counts.get(node.slug, 0)
    name = f"{node.title} ({node.perspective_label}; linked with {partners} text{'s' if partners != 1 else ''})"
    tab = "0" if node.slug in first else "-1"
    return (
        f'<a href="{_attr(node.url)}" class="cpm-item cpm-node" id="cpm-n-{_attr(node.slug)}" tabindex="{tab}"'
        f' data-x="{_n(box.cx)}" data-y="{_n(box.cy)}">'
        f"<title>{_text(name)}</title>"
        f'<rect class="cpm-box" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" rx="4"/>'
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{STRIPE}" height="{_n(box.h)}" rx="2"'
        f' fill="{_attr(node.colour)}"/>'
        + _lines(box.x + STRIPE + PAD, box.y + PAD + FONT - 1, box.lines, LINE, "cpm-label")
        + "</a>"
    )


def _edge(pair: MapPair, route: Route, chip: Chip, id_prefix: str) -> str:
    name = f"{pair.summary} between {pair.a.title} and {pair.b.title}"
    arrow = f"url(#{_attr(id_prefix)}-arrow)"
    markers = (f' marker-start="{arrow}"' if route.start_arrow else "") + (
        f' marker-end="{arrow}"' if route.end_arrow else ""
    )
    width = 1.4 + 0.45 * min(len(pair.links), 10)
    cx, cy = chip.x + chip.w / 2, chip.y + chip.h / 2
    return (
        f'<a href="#{pair.id}" class="cpm-item cpm-edge" tabindex="-1" data-pair="{pair.id}"'
        f' data-a="cpm-n-{_attr(pair.a.slug)}" data-b="cpm-n-{_attr(pair.b.slug)}"'
        f' data-x="{_n(cx)}" data-y="{_n(cy)}">'
        f"<title>{_text(name)}</title>"
        f'<path class="cpm-hit" d="{route.d}"/>'
        f'<path class="cpm-line" d="{route.d}" stroke-width="{_n(width)}"{markers}/>' + _chip(chip) + "</a>"
    )


def _chip(chip: Chip) -> str:
    parts = [
        f'<g class="cpm-chip"><rect class="cpm-chip-box" x="{_n(chip.x)}" y="{_n(chip.y)}" width="{_n(chip.w)}" height="{_n(chip.h)}"'
        ' rx="4"/>'
    ]
    for i, line in enumerate(chip.lines):
        x, y = chip.x + 6, chip.y + 4 + i * CHIP_LINE
        for relation, words in line:
            parts.append(
                f'<rect class="cpm-swatch rel-{_attr(relation)}" x="{_n(x)}" y="{_n(y + 3.5)}" width="8" height="8"/>'
                f'<text x="{_n(x + 12)}" y="{_n(y + 11)}">{_text(words)}</text>'
            )
            x += _item_width(words) + 10
    parts.append("</g>")
    return "".join(parts)


# ---- text measure -----------------------------------------------------------------------


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Break `text` at spaces into lines of at most `width` px; a word wider than a line gets a line of its own."""
    size *= 1.08 if bold else 1.0
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


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


def _n(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zero: short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _text(value: str) -> str:
    return escape(value, quote=False)
