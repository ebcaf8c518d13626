"""Checks on parsed texts that no single loader can make: the authors' footnotes, all of them kept."""

from __future__ import annotations

from builder.diagnostics import Location, Report
from builder.model import Text
from builder.textblocks import ParsedText


def check_footnotes(texts: list[Text], parsed: dict[str, ParsedText], report: Report) -> None:
    """A marker with no definition must be declared (`unresolved_refs`); definitions are always kept."""
    for text in texts:
        doc = parsed[text.slug]
        unresolved = doc.unresolved
        if unresolved and not text.unresolved_refs:
            first = unresolved[0]
            more = f" (and {len(unresolved) - 1} more marker(s) without one)" if len(unresolved) > 1 else ""
            report.warning(
                Location(text.path, *_position_of(text, f"[^{first}]")),
                f"footnote marker [^{first}] has no definition{more}",
                f"add the definition '[^{first}]: …' at the end of the text, "
                "or set unresolved_refs: true in the front matter if the source prints none",
                code="footnote-undefined",
            )


def _position_of(text: Text, needle: str) -> tuple[int, int]:
    """Line and column of the first `needle` in the body (in the content file's numbering)."""
    for i, line in enumerate(text.body.splitlines()):
        if needle in line:
            return text.body_line + i, line.index(needle) + 1
    return text.body_line, 1
