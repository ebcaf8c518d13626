"""Anchoring quotes into text (DESIGN §3), read from cases/anchoring.txt: title / . / markdown / . / selector / . / expected / ."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from builder.anchoring import FOLD, TextIndex, anchor_selector, fold
from builder.diagnostics import Location, Report
from builder.markdown import make_markdown
from builder.model import Selector
from builder.textblocks import parse_body

CASES = Path(__file__).parent / "cases" / "anchoring.txt"


def read_cases(path: Path) -> list[tuple[str, int, list[str]]]:
    """Split a fixture file into (title, line, [input, selector, expected])."""
    cases = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        parts: list[str] = []
        i += 2  # skip the title and the first "."
        for _ in range(3):
            chunk = []
            while lines[i] != ".":
                chunk.append(lines[i])
                i += 1
            parts.append("\n".join(chunk))
            i += 1
        cases.append((title, start, parts))
    return cases


def selector_from(text: str) -> Selector:
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value[1:-1] if value.startswith('"') else value
    return Selector(
        "x",
        fields["quote"],
        fields.get("prefix", ""),
        fields.get("suffix", ""),
        Location(PurePosixPath("annotations/notes/x.yaml"), 3, 18),
    )


@pytest.mark.parametrize("case", read_cases(CASES), ids=lambda c: f"{CASES.name}:{c[1]} {c[0]}")
def test_anchoring(case: tuple[str, int, list[str]]) -> None:
    _, _, (markdown, selector_text, expected) = case
    parsed = parse_body(make_markdown(), markdown + "\n", 1)
    index = TextIndex.of("x", PurePosixPath("content/x.md"), parsed.blocks)
    report = Report()
    anchor = anchor_selector(selector_from(selector_text), index, "a", report)
    if anchor is None:
        d = report.diagnostics[0]
        actual = f"error: {d.message}\nhint: {d.hint}"
    else:
        block = parsed.blocks[anchor.block]
        actual = f"¶{block.number} {block.text[: anchor.start]}[[{block.text[anchor.start : anchor.end]}]]{block.text[anchor.end :]}"
    assert actual == expected


def test_normalised_only_flag() -> None:
    parsed = parse_body(make_markdown(), "It’s here.\n", 1)
    index = TextIndex.of("x", PurePosixPath("content/x.md"), parsed.blocks)
    exact = anchor_selector(Selector("x", "It’s here"), index, "a", Report())
    loose = anchor_selector(Selector("x", "It's here"), index, "a", Report())
    assert exact is not None and not exact.normalised_only
    assert loose is not None and loose.normalised_only


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("Plain words, one space each.", False),
        ("“Typographic” quotes — and dashes – fold one for one", False),
        ("Non\u00a0breaking and thin\u2009spaces fold to one space", False),
        ("Two  spaces,\ta tab and a\nnewline collapse", True),
        ("   leading and trailing   ", True),
    ],
)
def test_folded_offsets_lead_back_to_the_same_words(text: str, table: bool) -> None:
    """Every folded character maps back to the character it came from; a table of offsets is kept
    only when a run of spaces was collapsed."""
    folded = fold(text)
    assert (folded.origin is not None) == table
    for i, char in enumerate(folded.text):
        original = text[folded.at(i)]
        assert original.translate(FOLD) == char or (char == " " and original.isspace())
    assert folded.at(len(folded.text)) == len(text)
