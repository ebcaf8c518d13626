"""CONTRIBUTING.md's catalogue of messages and the program agree, both ways, so it cannot drift.

The program's side is read from the source: every `report.error(...)` / `report.warning(...)`
call in builder/ with its message (a string or f-string: the f-string's fields are the
placeholders), severity and code. The catalogue's side is the tables under "Every message
`check` can print", one row per message: `message` | severity | `code` | explanation, with
`<placeholders>` where the message fills something in.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

import pytest
from helpers import REPO, TESTS

CONTRIBUTING = REPO / "CONTRIBUTING.md"
CATALOGUE_HEADING = "## Every message `check` can print"
PLACEHOLDER = re.compile(r"<[^<>\s][^<>]*>")
ROW = re.compile(r"^\| `(?P<message>[^`]+)` \| (?P<severity>error|warning) \| `(?P<code>[a-z-]+)` \| (?P<text>.+) \|$")
PRINTED = re.compile(r"^[^\s:][^:]*:\d+:\d+: (?P<severity>error|warning): (?P<message>.+)$")


@dataclass(frozen=True)
class Template:
    """One message as the source writes it: literal parts and placeholders (None)."""

    where: str
    severity: str
    code: str | None
    parts: tuple[str | None, ...]

    @property
    def text(self) -> str:
        return "".join("{…}" if part is None else part for part in self.parts)

    def regex(self) -> re.Pattern[str]:
        return re.compile("".join(".*" if part is None else re.escape(part) for part in self.parts))


@dataclass(frozen=True)
class Documented:
    """One row of the catalogue."""

    line: int
    message: str
    severity: str
    code: str

    def regex(self) -> re.Pattern[str]:
        pieces = PLACEHOLDER.split(self.message)
        return re.compile(".*".join(re.escape(piece) for piece in pieces))  # a placeholder may be empty (<more>)


def _message_parts(node: ast.expr) -> tuple[str | None, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.JoinedStr):
        return tuple(v.value if isinstance(v, ast.Constant) else None for v in node.values)
    return None


def _report_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted((REPO / "builder").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("error", "warning")
            ):
                continue
            receiver = node.func.value
            name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", None)
            if name == "report":
                calls.append((f"builder/{path.name}:{node.lineno}", node))
    return calls


def source_templates() -> list[Template]:
    templates = []
    for where, call in _report_calls():
        message = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "message")
        parts = _message_parts(message)
        assert parts is not None, f"{where}: the message must be a string or f-string, so it can be catalogued"
        code = next(
            (k.value.value for k in call.keywords if k.arg == "code" and isinstance(k.value, ast.Constant)), None
        )
        severity = call.func.attr  # type: ignore[attr-defined]
        templates.append(Template(where, severity, code, parts))
    return templates


def catalogue() -> list[Documented]:
    lines = CONTRIBUTING.read_text(encoding="utf-8").splitlines()
    start = lines.index(CATALOGUE_HEADING)
    rows = []
    for number, line in enumerate(lines[start + 1 :], start + 2):
        if line.startswith("## "):
            break
        found = ROW.match(line)
        if found:
            rows.append(Documented(number, found["message"], found["severity"], found["code"]))
        else:
            assert not line.startswith("| `"), f"CONTRIBUTING.md:{number}: a catalogue row that does not parse: {line}"
    return rows


def printed_messages() -> list[tuple[str, str, str]]:
    """(case file, severity, message) for every diagnostic the invalid projects expect."""
    found = []
    for path in sorted((TESTS / "invalid").glob("*/expected*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = PRINTED.match(line)
            if match:
                found.append((f"{path.parent.name}/{path.name}", match["severity"], match["message"]))
    return found


TEMPLATES = source_templates()
CATALOGUE = catalogue()


def test_the_sources_and_the_catalogue_are_found() -> None:
    assert len(TEMPLATES) > 40 and len(CATALOGUE) > 40


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.where for t in TEMPLATES])
def test_every_message_in_the_code_is_documented(template: Template) -> None:
    assert template.code is not None, f"{template.where}: give the diagnostic a code= (a stable class for JSON output)"
    rows = [row for row in CATALOGUE if template.regex().fullmatch(row.message)]
    assert rows, (
        f"{template.where}: the message {template.text!r} is not in CONTRIBUTING.md "
        f"({CATALOGUE_HEADING!r}); add a row for it"
    )
    assert any(row.severity == template.severity and row.code == template.code for row in rows), (
        f"{template.where}: CONTRIBUTING.md documents {template.text!r} with another severity or code "
        f"(the code says {template.severity}, {template.code})"
    )


@pytest.mark.parametrize("row", CATALOGUE, ids=[f"CONTRIBUTING.md:{r.line} {r.message}" for r in CATALOGUE])
def test_every_documented_message_is_one_the_code_prints(row: Documented) -> None:
    """The row is a message template of builder/ (same severity and code) or a message a broken project prints."""
    by_template = [t for t in TEMPLATES if t.regex().fullmatch(row.message)]
    printed = [message for _, _, message in printed_messages() if row.regex().fullmatch(message)]
    assert by_template or printed, f"CONTRIBUTING.md:{row.line}: no message of the program looks like {row.message!r}"
    assert any(t.severity == row.severity and t.code == row.code for t in by_template), (
        f"CONTRIBUTING.md:{row.line}: {row.message!r} is printed as "
        + ", ".join(f"{t.severity} {t.code} ({t.where})" for t in by_template)
    )


def test_every_message_the_invalid_projects_print_is_documented() -> None:
    undocumented = [
        f"{case}: {message}"
        for case, _, message in printed_messages()
        if not any(row.regex().fullmatch(message) for row in CATALOGUE)
    ]
    assert not undocumented


def test_each_message_is_documented_once() -> None:
    messages = [row.message for row in CATALOGUE]
    assert len(messages) == len(set(messages))


def _fenced_blocks(heading: str, language: str) -> list[str]:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    section = section[: section.find("\n## ", 1)]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_output_examples_are_what_check_prints() -> None:
    """The text and JSON examples under "How to read `check` output" are a real case's output."""
    case = TESTS / "invalid" / "unknown-relation"
    text_example = _fenced_blocks("## How to read `check` output", "")[0]
    assert text_example == (case / "expected.txt").read_text(encoding="utf-8")
    json_example = _fenced_blocks("## How to read `check` output", "json")[0]
    assert json.loads(json_example) == json.loads((case / "expected.json").read_text(encoding="utf-8"))


def test_the_documented_relations_are_the_real_ones() -> None:
    from builder.specs import RELATIONS

    text = CONTRIBUTING.read_text(encoding="utf-8")
    table = text[text.index("| relation |") :]
    documented = re.findall(r"^\| `([a-z-]+)` \|", table[: table.index("\n\n")], re.M)
    assert tuple(documented) == RELATIONS
