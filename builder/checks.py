"""Checks on parsed texts that no single loader can make: the authors' footnotes, all of them kept."""

from __future__ import annotations

from builder.diagnostics import Location, Report
from builder.model import Text
from builder.textblocks import ParsedText


def check_footnotes(texts: list[Text], parsed: dict[str, ParsedText], report: Report) -> None:
    """A marker with no definition must be declared (`unresolved_refs`); definitions are always kept."""
    for text in texts:
        doc = parsed[text.slug]
        unresolved = [t.meta["label"] for tok in doc.tokens if tok.type == "inline" for t in tok.children or []
                      if t.type == "footnote_unresolved"]
        if unresolved and not text.unresolved_refs:
            first = unresolved[0]
            report.warning(Location(text.path, _line_of(text, f"[^{first}]"), 1),
                           f"footnote marker [^{first}] has no definition ({len(unresolved)} such marker(s))",
                           "add the definition [^n]: …, or set unresolved_refs: true if the source has none",
                           code="footnote-undefined")


def _line_of(text: Text, needle: str) -> int:
    for i, line in enumerate(text.body.splitlines()):
        if needle in line:
            return text.body_line + i
    return text.body_line
