"""Problems as data: Location, Diagnostic, Report, and the text / github / json formatters."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal, TypeVar

import click

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where a value was read from."""

    path: PurePosixPath
    """File, relative to the project folder."""
    line: int = 1
    """1-based line."""
    column: int = 1
    """1-based column, in characters."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the input, with a hint that says how to fix it."""

    severity: Severity
    location: Location
    message: str
    """What is wrong, in the editor's words."""
    hint: str | None = None
    """How to fix it: closest matches, valid choices."""
    code: str = "invalid"
    """Stable machine-readable class of the problem (documented in CONTRIBUTING.md)."""

    def as_dict(self) -> dict[str, object]:
        """The shape `check --format json` prints (documented in CONTRIBUTING.md)."""
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "path": str(loc.path),
            "line": loc.line,
            "column": loc.column,
            "message": self.message,
            "hint": self.hint,
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (str(loc.path), loc.line, loc.column, self.message)


EXCERPT_WIDTH = 80
"""At most this many characters of a value written in a file are quoted in a message."""


def excerpt(value: object, width: int = EXCERPT_WIDTH) -> str:
    """A value as a message quotes it: on one line and short, so no diagnostic ever prints a whole file."""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


class BuildFailed(click.ClickException):
    """The one exception that crosses the CLI: the input has problems (exit code 1)."""

    exit_code = 1

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} problem(s) found; nothing was written.")

    def show(self, file: object = None) -> None:  # the report was already printed
        return None


@dataclass(slots=True)
class Report:
    """Collects diagnostics across a stage; `raise_if_errors` stops between stages."""

    strict: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """What could not be checked because a file it depends on is broken, one phrase each (`not_checked`)."""
    unavailable: dict[str, set[str]] = field(default_factory=dict)
    """Names that exist but could not be loaded, by kind ("text", "term"); "*" stands for every name."""

    def error(self, location: Location, message: str, hint: str | None = None, code: str = "invalid") -> None:
        self.diagnostics.append(Diagnostic("error", location, message, hint, code))

    def warning(self, location: Location, message: str, hint: str | None = None, code: str = "invalid") -> None:
        severity: Severity = "error" if self.strict else "warning"
        self.diagnostics.append(Diagnostic(severity, location, message, hint, code))

    def mark(self) -> tuple[int, int, dict[str, set[str]]]:
        """The report as it is now, to `rewind` to (a stage run again must not report twice)."""
        return len(self.diagnostics), len(self.skipped), {k: set(v) for k, v in self.unavailable.items()}

    def rewind(self, mark: tuple[int, int, dict[str, set[str]]]) -> None:
        del self.diagnostics[mark[0] :]
        del self.skipped[mark[1] :]
        self.unavailable = {k: set(v) for k, v in mark[2].items()}

    def not_checked(self, what: str) -> None:
        """Record what a broken file keeps from being checked, e.g. "2 notes of annotations/notes/a.yaml (…)"."""
        self.skipped.append(what)

    def mark_unavailable(self, kind: Literal["text", "term"], name: str) -> None:
        """`name` exists but could not be loaded: a reference to it is not checked, never "unknown"."""
        self.unavailable.setdefault(kind, set()).add(name)

    def is_unavailable(self, kind: str, name: str) -> bool:
        """True when a reference of this kind ("essay", "debate", "text", "term") names something broken."""
        names = self.unavailable.get("term" if kind == "term" else "text", set())
        return name in names or "*" in names

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BuildFailed(len(self.errors))

    def sorted(self) -> list[Diagnostic]:
        unique = dict.fromkeys(self.diagnostics)  # same problem found twice is shown once
        return sorted(unique, key=Diagnostic.sort_key)


def format_text(diagnostics: list[Diagnostic]) -> str:
    """`path:line:col: error: message` then an indented hint, as DESIGN §5 fixes."""
    lines: list[str] = []
    for d in diagnostics:
        lines.append(f"{d.location}: {d.severity}: {d.message}")
        if d.hint:
            lines.extend(
                f"    hint: {part}" if i == 0 else f"          {part}" for i, part in enumerate(d.hint.splitlines())
            )
    return "\n".join(lines)


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`."""
    lines = []
    for d in diagnostics:
        loc = d.location
        body = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        props = f"file={_github_escape(str(loc.path), prop=True)},line={loc.line},col={loc.column}"
        lines.append(f"::{d.severity} {props}::{_github_escape(body)}")
    return "\n".join(lines)


JSON_FORMAT_VERSION = 1


def format_json(diagnostics: list[Diagnostic]) -> str:
    """A stable JSON shape (documented in CONTRIBUTING.md): version, counts, diagnostics."""
    payload = {
        "version": JSON_FORMAT_VERSION,
        "errors": sum(d.severity == "error" for d in diagnostics),
        "warnings": sum(d.severity == "warning" for d in diagnostics),
        "diagnostics": [d.as_dict() for d in diagnostics],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}
T = TypeVar("T")


def not_checked_line(report: Report) -> str | None:
    """The one line that says what a broken file kept from being checked, and why."""
    return "not checked: " + "; ".join(report.skipped) if report.skipped else None


def show(report: Report, fmt: str = "text") -> None:
    """Print the report once: text to stderr, github annotations and json to stdout."""
    diagnostics = report.sorted()
    skipped = not_checked_line(report)
    if fmt == "json":
        click.echo(format_json(diagnostics))
        return
    if diagnostics:
        click.echo(FORMATTERS[fmt](diagnostics), err=fmt == "text")
    if skipped and fmt == "text":
        click.echo(skipped, err=True)
    elif skipped:
        click.echo(f"::notice::{_github_escape(skipped)}")


def run_reporting(action: Callable[[], T], report: Report, fmt: str = "text") -> T:
    """Run a pipeline call and print its diagnostics; BuildFailed (exit 1) passes through to Click.

    Any other exception also passes through, after the diagnostics found so far are shown;
    the CLI's group turns it into one line (`failure_message`), or a traceback with --debug.
    """
    try:
        result = action()
    except BuildFailed:
        show(report, fmt)
        if fmt == "text":
            click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", err=True)
        raise
    except Exception:
        show(report, fmt)
        raise
    show(report, fmt)
    return result


def failure_message(exc: Exception) -> str:
    """One line for an exception no stage turned into a Diagnostic: an OS error, or a bug of ours."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"error: {exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
    text = (str(exc).splitlines() or [""])[0][:200]
    return (
        f"internal error: {type(exc).__name__}: {text} -- this is a bug in counterpoint, not a problem in your "
        "project; please report it with the output of the same command run with --debug (counterpoint --debug ...)"
    )


def diagnostic_json(d: Diagnostic) -> list[Any]:
    loc = d.location
    return [d.severity, str(loc.path), loc.line, loc.column, d.message, d.hint, d.code]


def diagnostic_from(value: list[Any]) -> Diagnostic:
    severity, path, line, column, message, hint, code = value
    if severity not in ("error", "warning"):
        raise ValueError(f"bad severity {severity!r}")
    location = Location(PurePosixPath(str(path)), int(line), int(column))
    return Diagnostic(severity, location, str(message), None if hint is None else str(hint), str(code))


def report_unknown(report: Report, kind: str, value: str, choices: list[str], location: Location) -> None:
    """`unknown <kind> '<value>'`, with the closest known name or a few known ones as the hint; nothing when
    `value` names something that exists but could not be loaded (`not checked` says so instead)."""
    if report.is_unavailable(kind, value):
        return
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else f"known {kind}s: {', '.join(sorted(choices)[:12])}" + (" …" if len(choices) > 12 else "")
    )
    report.error(location, f"unknown {kind} '{value}'", hint, code="unknown-reference")
