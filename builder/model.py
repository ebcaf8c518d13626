"""Frozen values the stages share: texts, annotations, anchors and the linked Reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

from builder.diagnostics import Location

Kind = Literal["essay", "debate", "page"]
Relation = Literal["rebuts", "supports", "qualifies", "contextualises", "same-event"]


@dataclass(frozen=True, slots=True)
class Perspective:
    """A point of view a text speaks from (site.toml [perspectives])."""

    key: str
    label: str
    colour: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """site.toml, validated."""

    title: str
    language: str = "en"
    output: str = "_site"
    description: str = ""
    base_url: str = ""
    """Where the reader is published ("" when not set): citations and the export use it; always ends in "/"."""
    perspectives: tuple[Perspective, ...] = ()
    glossary_links: Literal["all", "first-in-section", "first-in-page"] = "first-in-section"
    """Which occurrences of a term link to the glossary."""
    compare_pairs: Literal["linked", "debates"] = "linked"
    """Which essay pairs get a compare view: every linked pair, or only each debate's essays."""

    def perspective(self, key: str) -> Perspective | None:
        return next((p for p in self.perspectives if p.key == key), None)


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    affiliation: str = ""


@dataclass(frozen=True, slots=True)
class Text:
    """One content file: an essay, a debate or a page."""

    slug: str
    kind: Kind
    title: str
    path: PurePosixPath
    body: str
    body_line: int
    """1-based line of the body's first line in the file."""
    authors: tuple[Author, ...] = ()
    perspective: str = ""
    outlet: str = ""
    date: str = ""
    source: str = ""
    debates: tuple[str, ...] = ()
    essays: tuple[str, ...] = ()
    parent: str = ""
    order: int | None = None
    unresolved_refs: bool = False
    summary: str = ""
    short_title: str = ""
    """A few words naming the text on cross-reference markers ("" when not set: a shortened title is used)."""
    locations: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)
    """Where each front-matter key was written."""
    item_locations: dict[str, tuple[Location, ...]] = field(default_factory=dict, compare=False, hash=False)
    """Where each item of `debates:` and `essays:` was written."""

    @property
    def url(self) -> str:
        """Path of the page in the site, relative to the root."""
        folder = {"essay": "essays/", "debate": "debates/", "page": ""}[self.kind]
        return f"{folder}{self.slug}.html"


@dataclass(frozen=True, slots=True)
class Selector:
    """A passage named by quoting it (W3C TextQuoteSelector)."""

    essay: str
    quote: str
    prefix: str = ""
    suffix: str = ""
    location: Location = Location(PurePosixPath("?"))
    """Where the `quote:` was written."""
    essay_location: Location | None = None
    """Where a link end's `essay:` was written (notes name their essay by the file)."""


@dataclass(frozen=True, slots=True)
class Note:
    """An editor note anchored in one text."""

    id: str
    essay: str
    at: Selector
    body: str
    location: Location


@dataclass(frozen=True, slots=True)
class Link:
    """A typed, directed cross-reference between two passages."""

    id: str
    relation: Relation
    source: Selector
    target: Selector
    note: str
    location: Location


@dataclass(frozen=True, slots=True)
class Term:
    """A glossary entry."""

    id: str
    term: str
    definition: str
    location: Location
    kind: str = "concept"
    expansion: str = ""
    match: tuple[str, ...] = ()
    see: tuple[str, ...] = ()
    see_locations: tuple[Location, ...] = ()
    match_locations: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class Annotations:
    notes: tuple[Note, ...] = ()
    links: tuple[Link, ...] = ()
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a selector matched: block index and character range in the block's plain text."""

    essay: str
    block: int
    start: int
    end: int
    dom_id: str
    normalised_only: bool = False
    """True when the quote matched only after quote/dash/space normalisation."""
