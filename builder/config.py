"""site.toml text -> SiteConfig (frozen), with every problem located at its key's line."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

from builder.diagnostics import Location, Report, excerpt
from builder.model import Perspective, SiteConfig
from builder.projectfs import MAX_CONFIG_BYTES, read_text

CONFIG_NAME = "site.toml"
TOP_KEYS = {
    "title": "the reader's title",
    "language": "language of the texts (BCP 47, e.g. 'en')",
    "output": "output folder, relative to the project (default _site)",
    "description": "one paragraph about the reader, shown on the index",
    "base_url": "the address the reader is published at, e.g. 'https://example.org/reader/' (citations, export)",
    "perspectives": "table of perspectives: [perspectives.<key>] label, colour, description",
    "options": "table of options: glossary_links, compare_pairs",
}
PERSPECTIVE_KEYS = {
    "label": "shown on badges",
    "colour": "CSS hex colour, e.g. '#1f5fa8'",
    "description": "what this perspective means",
}
OPTION_CHOICES = {
    "glossary_links": ("all", "first-in-section", "first-in-page"),
    "compare_pairs": ("linked", "debates"),
}
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def load_config(root: Path, report: Report) -> SiteConfig | None:
    """Read and validate `site.toml` in the project folder."""
    path = root / CONFIG_NAME
    rel = PurePosixPath(CONFIG_NAME)
    if not path.exists() and not path.is_symlink():
        report.error(
            Location(rel),
            "site.toml not found",
            f"run counterpoint in a project folder, or pass --project DIR (looked in {root}); to start one: counterpoint init",
            code="no-config",
        )
        return None
    text = read_text(root, path, report, MAX_CONFIG_BYTES)
    if text is None:
        return None
    return parse_config(text, rel, report)


def parse_config(text: str, rel: PurePosixPath, report: Report) -> SiteConfig | None:
    """Validate site.toml text; pure, so tests pass strings."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_position(exc)
        message = str(exc).split(" (at line")[0]
        report.error(
            Location(rel, line, col),
            f"TOML syntax error: {message}",
            'text values need quotes (label = "West"); tables are written [name]',
            code="toml-syntax",
        )
        return None
    except RecursionError:  # tomllib parses nested arrays recursively
        report.error(
            Location(rel, 1, 1),
            "TOML syntax error: arrays or tables nest too deeply",
            "site.toml needs no nesting deeper than [perspectives.<key>]",
            code="toml-syntax",
        )
        return None
    finder = _KeyFinder(text, rel)
    before = len(report.errors)
    _closed(data, TOP_KEYS, "site.toml", finder, report)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        report.error(
            finder.at("title"), "site.toml needs a 'title' (text)", 'add: title = "My reader"', code="missing-key"
        )
    perspectives = _perspectives(data.get("perspectives", {}), finder, report)
    options = _options(data.get("options", {}), finder, report)
    for key in ("language", "output", "description", "base_url"):
        if key in data and not isinstance(data[key], str):
            report.error(finder.at(key), f"'{key}' must be text", f'put it in quotes: {key} = "..."', code="wrong-type")
    base_url = data.get("base_url", "")
    if isinstance(base_url, str) and base_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base_url):
        report.error(
            finder.at("base_url"),
            f"'base_url' must be an http(s) address, not '{excerpt(base_url)}'",
            'write the full address the site is published at: base_url = "https://example.org/reader/"',
            code="wrong-type",
        )
    if len(report.errors) > before:
        return None
    return SiteConfig(
        title=str(title),
        language=data.get("language", "en"),
        output=data.get("output", "_site"),
        description=data.get("description", ""),
        base_url=_with_slash(base_url) if isinstance(base_url, str) else "",
        perspectives=perspectives,
        **options,
    )


def _with_slash(url: str) -> str:
    """A base address always ends in "/", so relative paths join onto it."""
    return url if not url or url.endswith("/") else url + "/"


def _toml_position(exc: tomllib.TOMLDecodeError) -> tuple[int, int]:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    if line is None:  # before Python 3.14 the position is only in the message
        found = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, col = (int(found[1]), int(found[2])) if found else (1, 1)
    return int(line), int(col or 1)


def _closed(table: dict[str, Any], allowed: dict[str, str], where: str, finder: _KeyFinder, report: Report) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
            report.error(finder.at(key), f"unknown key '{excerpt(key)}' in {where}", hint, code="unknown-key")


def _perspectives(table: Any, finder: _KeyFinder, report: Report) -> tuple[Perspective, ...]:
    if not isinstance(table, dict):
        report.error(
            finder.at("perspectives"), "'perspectives' must be a table", "[perspectives.my-key]", code="wrong-type"
        )
        return ()
    result = []
    for key in sorted(table):
        entry = table[key]
        where = f"[perspectives.{excerpt(key)}]"
        if not SLUG.fullmatch(key):
            suggestion = "-".join(re.findall(r"[a-z0-9]+", key.lower())) or "my-key"
            report.error(
                finder.at(key),
                f"perspective key '{excerpt(key)}' is not a valid slug",
                f"use lower-case letters, digits and hyphens, e.g. [perspectives.{suggestion}]",
                code="bad-value",
            )
        if not isinstance(entry, dict):
            report.error(
                finder.at(key),
                f"{where} must be a table with label and colour",
                f'write it as [perspectives.{key}] with label = "..." and colour = "#1f5fa8" below',
                code="wrong-type",
            )
            continue
        _closed(entry, PERSPECTIVE_KEYS, where, finder, report)
        label, colour = entry.get("label"), entry.get("colour")
        if not isinstance(label, str) or not label.strip():
            report.error(
                finder.at(key), f"{where} needs a 'label' (text)", 'add: label = "Shown on badges"', code="missing-key"
            )
        if colour is None:
            report.error(
                finder.at(key),
                f"{where} needs a 'colour'",
                'add: colour = "#1f5fa8" (# and six hex digits)',
                code="missing-key",
            )
        elif not isinstance(colour, str) or not COLOUR.fullmatch(colour):
            report.error(
                finder.at("colour", after=key),
                f"'colour' in {where} must be like '#1f5fa8', not '{excerpt(colour)}'",
                "write # and six hex digits (0-9, a-f), two each for red, green and blue",
                code="bad-value",
            )
        description = entry.get("description", "")
        if not isinstance(description, str):
            report.error(
                finder.at("description", after=key),
                f"'description' in {where} must be text",
                'put it in quotes: description = "..."',
                code="wrong-type",
            )
        result.append(Perspective(key, str(label), str(colour), str(description)))
    return tuple(result)


def _options(table: Any, finder: _KeyFinder, report: Report) -> dict[str, Any]:
    if not isinstance(table, dict):
        report.error(
            finder.at("options"),
            "'options' must be a table",
            "write [options] and its keys below it",
            code="wrong-type",
        )
        return {}
    _closed(table, {k: "" for k in OPTION_CHOICES}, "[options]", finder, report)
    result = {}
    for key, choices in OPTION_CHOICES.items():
        if key in table:
            if table[key] not in choices:
                report.error(
                    finder.at(key),
                    f"[options] {key} must be one of the allowed values, not '{excerpt(table[key])}'",
                    f"choose one of: {', '.join(choices)}",
                    code="bad-choice",
                )
            else:
                result[key] = table[key]
    return result


class _KeyFinder:
    """tomllib keeps no positions: find the line where a key is written (else 1:1)."""

    def __init__(self, text: str, rel: PurePosixPath) -> None:
        self.lines = text.splitlines()
        self.rel = rel

    def at(self, key: str, after: str | None = None) -> Location:
        start = 0
        if after is not None:
            start = next((i for i, line in enumerate(self.lines) if re.search(rf"\b{re.escape(after)}\b", line)), 0)
        pattern = re.compile(rf"^\s*(\[+\s*)?([\w.-]*\.)?\"?{re.escape(key)}\"?\s*(=|\]|\.)")
        for i in range(start, len(self.lines)):
            found = pattern.search(self.lines[i])
            if found:
                return Location(self.rel, i + 1, self.lines[i].index(key) + 1)
        return Location(self.rel, 1, 1)
