"""Safe YAML text -> values that remember their Location, validated against declared shapes.

The shapes (`Obj`, `Str`, `ListOf`, ...) are declared once in `specs.py`; this module
validates against them and `schema.py` turns the same declarations into JSON Schema, so
the validator and the schema editors see cannot drift.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from builder.diagnostics import Location, Report, excerpt

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (same nodes and marks, several times faster)."""
MAX_NODES = 200_000
"""YAML nodes visited per file; bounds alias ("billion laughs") expansion."""


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Str:
    """A string, optionally closed by a pattern or a list of choices."""

    pattern: str | None = None
    pattern_hint: str = ""
    choices: tuple[str, ...] = ()
    max_length: int = 100_000
    markdown: bool = False


@dataclass(frozen=True, slots=True)
class Int:
    """An integer."""

    minimum: int | None = None


@dataclass(frozen=True, slots=True)
class Bool:
    """true or false."""


@dataclass(frozen=True, slots=True)
class DateLike:
    """A date as precise as the source allows: YYYY, YYYY-MM or YYYY-MM-DD."""


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list of items of one shape; a single item is accepted when `single_ok`."""

    item: Spec
    single_ok: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """One key of an object, with the docstring editors see in completion."""

    name: str
    spec: Spec
    doc: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Obj:
    """A mapping with a closed set of keys (unknown keys are errors)."""

    title: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


Spec = Str | Int | Bool | DateLike | ListOf | Obj


class LocatedList(list[Any]):
    """A validated list that also knows where each item was written (for diagnostics about one item)."""

    def __init__(self, items: list[Any], locations: list[Location]) -> None:
        super().__init__(items)
        self.locations = locations

    def location(self, index: int, default: Location) -> Location:
        return self.locations[index] if index < len(self.locations) else default


@dataclass(frozen=True, slots=True)
class Record:
    """A validated mapping: values by key, where each key's value was read, and the object's own place."""

    location: Location
    values: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    clean: bool = True
    """False when a problem was reported inside it: what depends on it is then not checked."""

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def loc(self, name: str) -> Location:
        return self.locations.get(name, self.location)


# ---------------------------------------------------------------- loading


def compose(text: str, rel: PurePosixPath, report: Report, line_offset: int = 0) -> yaml.Node | None:
    """Parse YAML safely into a node tree (positions kept); syntax errors become diagnostics."""
    try:
        return yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        report.error(Location(rel, line, col), f"YAML syntax error: {problem}", _yaml_hint(problem), code="yaml-syntax")
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. NUL
        before = _text_before(text, exc.position)
        line = before.count("\n") + 1 + line_offset
        col = len(before) - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        report.error(
            Location(rel, line, col),
            f"character U+{code:04X} is not allowed in YAML",
            "remove it: YAML files may not contain control characters such as NUL",
            code="yaml-syntax",
        )
    return None


def _text_before(text: str, position: int) -> str:
    """The text before a ReaderError's position: libyaml counts UTF-8 bytes, PyYAML's reader characters."""
    if SAFE_LOADER is yaml.SafeLoader:
        return text[:position]
    return text.encode("utf-8")[:position].decode("utf-8", "replace")


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return 'a value containing ": " must be quoted, e.g. quote: "Title: subtitle"'
    if "found character '\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each key needs a colon; check the line above for an unclosed quote"
    return "check indentation and quoting around this position"


@dataclass(slots=True)
class Validator:
    """Checks a node tree against a Spec, recording every problem, not just the first."""

    rel: PurePosixPath
    report: Report
    line_offset: int = 0
    visited: int = 0
    constructor: yaml.constructor.SafeConstructor = field(default_factory=yaml.constructor.SafeConstructor)

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.rel, mark.line + 1 + self.line_offset, mark.column + 1)

    def check(self, node: yaml.Node, spec: Spec, what: str) -> Any:
        """Return the plain value (Record for objects), or None after reporting a problem."""
        self.visited += 1
        if self.visited > MAX_NODES:
            if self.visited == MAX_NODES + 1:
                self.report.error(
                    self.loc(node),
                    "YAML document is too large or nests aliases too deeply",
                    "remove YAML anchors/aliases (&name, *name)",
                    code="file-too-large",
                )
            return None
        if self._tagged(node, what):
            return None
        if isinstance(spec, Obj):
            return self._object(node, spec, what)
        if isinstance(spec, ListOf):
            return self._list(node, spec, what)
        return self._scalar(node, spec, what)

    def _tagged(self, node: yaml.Node, what: str) -> bool:
        """Explicit YAML tags (`!foo x`, `!!int 3`) are refused: values are read as written, never converted."""
        if node.tag == _plain_tag(node):
            return False
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.report.error(
            self.loc(node),
            f"{what}: YAML tags such as '{tag}' are not allowed",
            "remove the tag (the word starting with '!'); to keep a value that looks like a number, "
            "a date or true/false as text, put it in quotes",
            code="yaml-tag",
        )
        return True

    def _type_error(self, node: yaml.Node, what: str, expected: str, hint: str | None = None) -> None:
        found = _describe(node)
        self.report.error(self.loc(node), f"{what} must be {expected}, not {found}", hint, code="wrong-type")

    def _object(self, node: yaml.Node, spec: Obj, what: str) -> Record | None:
        if not isinstance(node, yaml.MappingNode):
            keys = ", ".join(f.name for f in spec.fields)
            self._type_error(node, what, f"a mapping ({spec.title})", f"write it as key: value pairs; its keys: {keys}")
            return None
        record = Record(self.loc(node))
        before = len(self.report.diagnostics)
        unknown: list[str] = []
        for key_node, value_node in node.value:
            if self._tagged(key_node, f"a key of {what}"):
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.report.error(
                    self.loc(key_node),
                    f"{what}: keys must be plain names",
                    f"use one of: {', '.join(f.name for f in spec.fields)}",
                    code="wrong-type",
                )
                continue
            fld = spec.field(key)
            if fld is None:
                self._unknown_key(key_node, key, spec, what)
                unknown.append(key)
                continue
            if key in record.locations:
                self.report.error(
                    self.loc(key_node),
                    f"{what}: key '{excerpt(key)}' appears twice",
                    f"the first '{excerpt(key)}' is on line {record.locations[key].line}; keep one",
                    code="duplicate-key",
                )
                continue
            record.locations[key] = self.loc(value_node)
            value = self.check(value_node, fld.spec, f"'{key}'")
            if value is not None:
                record.values[key] = value
        missing = [f.name for f in spec.fields if f.required and f.name not in record.locations]
        for name in missing:
            if any(_closest(key, spec) == name for key in unknown):  # `qoute:` is one mistake, said once
                continue
            self.report.error(
                record.location,
                f"{what} is missing the required key '{name}'",
                _field_hint(spec.field(name)),
                code="missing-key",
            )
        if len(self.report.diagnostics) == before:
            return record
        return Record(record.location, record.values, record.locations, clean=False)

    def _unknown_key(self, key_node: yaml.Node, key: str, spec: Obj, what: str) -> None:
        names = [f.name for f in spec.fields]
        close = _closest(key, spec)
        hint = f"did you mean '{close}'?" if close else f"allowed keys: {', '.join(names)}"
        self.report.error(self.loc(key_node), f"unknown key '{excerpt(key)}' in {what}", hint, code="unknown-key")

    def _list(self, node: yaml.Node, spec: ListOf, what: str) -> LocatedList | None:
        if not isinstance(node, yaml.SequenceNode):
            if spec.single_ok and isinstance(node, yaml.ScalarNode):
                item = self.check(node, spec.item, what)
                return None if item is None else LocatedList([item], [self.loc(node)])
            self._type_error(node, what, "a list", "write [a, b] or one '- item' per line")
            return None
        items = [
            (self.check(item, spec.item, f"item {i + 1} of {what}"), self.loc(item))
            for i, item in enumerate(node.value)
        ]
        kept = [(value, where) for value, where in items if value is not None]
        return LocatedList([v for v, _ in kept], [w for _, w in kept])

    def _scalar(self, node: yaml.Node, spec: Spec, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self._type_error(node, what, _expected(spec), _type_hint(spec))
            return None
        try:
            value = self.constructor.construct_object(node)  # safe constructor, scalars only
        except (yaml.YAMLError, ValueError, OverflowError):  # e.g. 2024-13-45 looks like a date but is none
            value = node.value
        if isinstance(spec, Bool):
            return value if isinstance(value, bool) else self._type_error(node, what, "true or false", _type_hint(spec))
        if isinstance(spec, Int):
            if isinstance(value, bool) or not isinstance(value, int):
                return self._type_error(node, what, "a whole number", _type_hint(spec))
            if spec.minimum is not None and value < spec.minimum:
                self.report.error(
                    self.loc(node),
                    f"{what} must be at least {spec.minimum}",
                    f"write a whole number from {spec.minimum} up",
                    code="wrong-type",
                )
                return None
            return value
        if isinstance(spec, DateLike):
            return self._date(node, value, what)
        assert isinstance(spec, Str)
        if not isinstance(value, str):  # a number, date, true/false or nothing: never converted to text
            return self._type_error(node, what, "text", _type_hint(spec))
        return self._string(node, value, spec, what)

    def _string(self, node: yaml.Node, value: str, spec: Str, what: str) -> str | None:
        if len(value) > spec.max_length:
            self.report.error(
                self.loc(node),
                f"{what} is too long ({len(value):,} characters; at most {spec.max_length:,})",
                "shorten it",
                code="too-long",
            )
            return None
        if spec.choices and value not in spec.choices:
            close = difflib.get_close_matches(value, spec.choices, n=1, cutoff=0.5)
            hint = (f"did you mean '{close[0]}'? " if close else "") + f"choose one of: {', '.join(spec.choices)}"
            self.report.error(
                self.loc(node),
                f"{what} must be one of the allowed values, not '{excerpt(value)}'",
                hint,
                code="bad-choice",
            )
            return None
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            self.report.error(
                self.loc(node), f"{what} is not valid: '{excerpt(value)}'", spec.pattern_hint or None, code="bad-value"
            )
            return None
        if not value.strip():
            self.report.error(
                self.loc(node), f"{what} is empty", "write the text, or remove the key if it is optional", code="empty"
            )
            return None
        return value

    def _date(self, node: yaml.Node, value: Any, what: str) -> str | None:
        if isinstance(value, _dt.date):
            return value.isoformat()[:10]
        text = str(value) if value is not None else ""
        if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", text):
            return text
        self.report.error(
            self.loc(node),
            f"{what} must be a date, not '{excerpt(node.value)}'",
            "write YYYY, YYYY-MM or YYYY-MM-DD, as precise as the source allows",
            code="bad-value",
        )
        return None


def _closest(key: str, spec: Obj) -> str | None:
    """The declared key a misspelt one most likely meant, if any."""
    close = difflib.get_close_matches(key, [f.name for f in spec.fields], n=1, cutoff=0.6)
    return close[0] if close else None


_RESOLVER = yaml.resolver.Resolver()
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


def _plain_tag(node: yaml.Node) -> str:
    """The tag YAML gives this node without an explicit tag: plain scalars by their look, quoted ones text."""
    if isinstance(node, yaml.MappingNode):
        return MAP_TAG
    if isinstance(node, yaml.SequenceNode):
        return SEQ_TAG
    implicit = (False, True) if getattr(node, "style", None) else (True, False)
    return str(_RESOLVER.resolve(yaml.ScalarNode, node.value, implicit))  # type: ignore[no-untyped-call]


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "empty"
    return f"'{excerpt(node.value)}'"


def _expected(spec: Spec) -> str:
    return {Str: "text", Int: "a whole number", Bool: "true or false", DateLike: "a date"}.get(type(spec), "a value")


def _type_hint(spec: Spec) -> str | None:
    if isinstance(spec, Str):
        return "write text; put it in quotes if it looks like a number, a date, true/false, or starts with [ or {"
    if isinstance(spec, Bool):
        return "write true or false"
    if isinstance(spec, Int):
        return "write a number without quotes, e.g. 3"
    return None


def _field_hint(fld: Field | None) -> str | None:
    return f"add '{fld.name}:' — {fld.doc}" if fld else None


def load_document(text: str, rel: PurePosixPath, spec: Obj, report: Report, line_offset: int = 0) -> Record | None:
    """YAML text -> a validated Record (or None, with diagnostics recorded)."""
    before = len(report.errors)
    node = compose(text, rel, report, line_offset)
    if node is None:
        if len(report.errors) == before:  # no syntax error: the document is empty
            required = ", ".join(f"'{f.name}:'" for f in spec.fields if f.required)
            report.error(
                Location(rel, 1 + line_offset, 1),
                f"{spec.title} is empty",
                f"it needs at least {required}",
                code="empty",
            )
        return None
    validator = Validator(rel, report, line_offset)
    record = validator.check(node, spec, spec.title)
    return None if validator.visited > MAX_NODES else record  # a document cut short is not used at all
