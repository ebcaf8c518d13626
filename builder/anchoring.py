"""Selector (quote, prefix, suffix) + a text's Blocks -> Anchor: exactly one match, or a diagnostic with fuzzy hints.

Matching follows DESIGN §3: within one block; whitespace runs are one space; straight
and typographic quotes, apostrophes and dashes match each other; case counts.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from builder.diagnostics import Report
from builder.model import Anchor, Selector
from builder.textblocks import Block

FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Folded:
    """A block's text with quotes, dashes and spaces folded, and a map back to original offsets."""

    text: str
    origin: tuple[int, ...] | None = None
    """None when folding kept every offset (the common case: quotes and dashes are replaced one
    character for one, and no run of spaces had to be collapsed); otherwise origin[i] = offset in
    the original text of folded character i, and origin[len] = len(original)."""

    def at(self, i: int) -> int:
        """The offset in the original text of folded offset `i`."""
        return i if self.origin is None else self.origin[i]


COLLAPSIBLE = re.compile(r"\s{2,}|[^\S ]")
"""Whitespace that folding changes: a run of several, or any space other than a plain one."""


def fold(text: str) -> Folded:
    """Fold typography and collapse whitespace; a map back to the original offsets only where they moved."""
    folded = text.translate(FOLD)
    if not COLLAPSIBLE.search(folded):
        return Folded(folded)
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for run in SPACE.finditer(folded):
        out.append(folded[pos : run.start()])
        origin.extend(range(pos, run.start()))
        out.append(" ")
        origin.append(run.start())
        pos = run.end()
    out.append(folded[pos:])
    origin.extend(range(pos, len(folded)))
    origin.append(len(text))
    return Folded("".join(out), tuple(origin))


def fold_plain(text: str) -> str:
    """The folded form of a quote, prefix or suffix (trimmed)."""
    return SPACE.sub(" ", text.translate(FOLD))


@dataclass(frozen=True, slots=True)
class Match:
    block: int
    start: int
    end: int


def find_matches(selector: Selector, blocks: tuple[Block, ...], folded: list[Folded]) -> list[Match]:
    """Every place the quote occurs, narrowed by prefix and suffix (offsets in original text)."""
    quote = fold_plain(selector.quote).strip()
    prefix = fold_plain(selector.prefix).lstrip()
    suffix = fold_plain(selector.suffix).rstrip()
    matches = []
    for b, f in enumerate(folded):
        start = f.text.find(quote)
        while start >= 0 and quote:
            end = start + len(quote)
            if _context_ok(f.text, start, end, prefix, suffix):
                matches.append(Match(b, f.at(start), f.at(end - 1) + 1))
            start = f.text.find(quote, start + 1)
    return matches


def _context_ok(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """Prefix must end right before the quote, suffix start right after it (spaces at the seam optional)."""
    before, after = text[:start], text[end:]
    if prefix and not (before.endswith(prefix) or before.rstrip().endswith(prefix.rstrip())):
        return False
    return not suffix or after.startswith(suffix) or after.lstrip().startswith(suffix.lstrip())


class TextIndex:
    """Blocks of one text; their folded forms are computed on first use (a cached build may need none)."""

    __slots__ = ("slug", "path", "blocks", "_folded")

    def __init__(self, slug: str, path: PurePosixPath, blocks: tuple[Block, ...]) -> None:
        self.slug = slug
        self.path = path
        self.blocks = blocks
        self._folded: list[Folded] | None = None

    @classmethod
    def of(cls, slug: str, path: PurePosixPath, blocks: tuple[Block, ...]) -> TextIndex:
        return cls(slug, path, blocks)

    @property
    def folded(self) -> list[Folded]:
        if self._folded is None:
            self._folded = [fold(b.text) for b in self.blocks]
        return self._folded


def anchor_selector(selector: Selector, index: TextIndex, dom_id: str, report: Report) -> Anchor | None:
    """Exactly one match -> Anchor; zero or several -> an error naming the quote's file:line:col."""
    matches = find_matches(selector, index.blocks, index.folded)
    if len(matches) == 1:
        m = matches[0]
        raw = index.blocks[m.block].text[m.start : m.end]
        return Anchor(index.slug, m.block, m.start, m.end, dom_id, normalised_only=raw != selector.quote.strip())
    if not matches:
        _report_no_match(selector, index, report)
    else:
        _report_several(selector, index, matches, report)
    return None


def _report_no_match(selector: Selector, index: TextIndex, report: Report) -> None:
    quote = fold_plain(selector.quote).strip()
    spanning = _spans_blocks(quote, index)
    if spanning is not None:
        a, b = spanning
        report.error(
            selector.location,
            f"quote spans two blocks (¶{a.number} and ¶{b.number}) in '{index.slug}'",
            f"a quote must lie within one paragraph, heading, list item or footnote; "
            f"quote only the part in ¶{a.number} ({index.path}:{a.line}) or ¶{b.number} ({index.path}:{b.line})",
            code="quote-spans-blocks",
        )
        return
    if selector.prefix or selector.suffix:
        bare = Selector(selector.essay, selector.quote)
        found = find_matches(bare, index.blocks, index.folded)
        if found:
            m = found[0]
            block = index.blocks[m.block]
            before = _clip_left(fold_plain(block.text[: m.start]), 30)
            after = _clip(fold_plain(block.text[m.end :]), 30)
            report.error(
                selector.location,
                f"quote is found in '{index.slug}' but not with this prefix/suffix",
                f"in ¶{block.number} ({index.path}:{block.line}) it reads: {before}[quote]{after}\n"
                "prefix must end right before the quote, and suffix start right after it",
                code="quote-not-found",
            )
            return
    closest = closest_passages(quote, index)
    hint = "closest: " + "\n".join(closest) if closest else "no similar passage; was the text moved to another essay?"
    hint = invisible_difference(selector.quote, index) or hint
    report.error(selector.location, f"quote matches no passage in '{index.slug}'", hint, code="quote-not-found")


def _spans_blocks(quote: str, index: TextIndex) -> tuple[Block, Block] | None:
    for i in range(len(index.blocks) - 1):
        joined = index.folded[i].text + " " + index.folded[i + 1].text
        start = joined.find(quote)
        if start >= 0 and start < len(index.folded[i].text) < start + len(quote):
            return index.blocks[i], index.blocks[i + 1]
    return None


def closest_passages(quote: str, index: TextIndex, limit: int = 3) -> list[str]:
    """The passages most like the quote (fuzzy), as `path:line "…words…"`."""
    scored = []
    for block, f in zip(index.blocks, index.folded):
        if not f.text:
            continue
        matcher = difflib.SequenceMatcher(None, f.text, quote, autojunk=False)
        longest = matcher.find_longest_match(0, len(f.text), 0, len(quote))
        start = max(0, longest.a - longest.b)
        window = f.text[start : start + len(quote)]
        ratio = difflib.SequenceMatcher(None, window, quote, autojunk=False).ratio()
        window = _whole_words(f.text, start, start + len(quote))
        scored.append((-ratio, block.number, window, block))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [
        f'{index.path}:{block.line} ¶{block.number} "{_clip(window)}"'
        for ratio, _, window, block in scored[:limit]
        if -ratio >= 0.4
    ]


INVISIBLE = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
    "\u00ad": "soft hyphen",
}
_INVISIBLE = re.compile("[" + "".join(INVISIBLE) + "]")


def invisible_difference(quote: str, index: TextIndex) -> str | None:
    """When the quote differs from a passage only by what no one can see, the hint says exactly that.

    Two differences look identical on screen: a zero-width character (in the quote or in the
    text), and Unicode normalisation (an accented letter as one character, NFC, or as a letter
    plus a combining accent, NFD). Without this the closest passage shown looks like the quote.
    """

    def visible(text: str) -> str:
        return fold_plain(unicodedata.normalize("NFC", _INVISIBLE.sub("", text))).strip()

    target = visible(quote)
    if not target:
        return None
    for block in index.blocks:
        if target not in visible(block.text):
            continue
        where = f"¶{block.number} ({index.path}:{block.line})"
        in_quote, in_text = _INVISIBLE.search(quote), _INVISIBLE.search(block.text)
        if in_quote:
            char = in_quote.group()
            return (
                f"the quote has a {INVISIBLE[char]} (U+{ord(char):04X}) at character {in_quote.start() + 1} "
                f"of the quote, which the text in {where} does not have; delete it from the quote"
            )
        if in_text:
            char = in_text.group()
            return (
                f"the text in {where} has a {INVISIBLE[char]} (U+{ord(char):04X}) at character "
                f"{in_text.start() + 1} of the paragraph, which the quote does not have; remove it from the text"
            )
        if not unicodedata.is_normalized("NFC", quote):
            return (
                f"the quote is in NFD form (accents as separate combining characters); the text in {where} "
                "is in NFC: retype the accented letters of the quote, or copy the words from the text"
            )
        return (
            f"the text in {where} is in NFD form (accents as separate combining characters); the quote is in "
            "NFC: save the text in NFC (most editors offer 'normalise Unicode'), or copy the words from it"
        )
    return None


def _whole_words(text: str, start: int, end: int) -> str:
    """Widen a window to whole words, so the hint shows words an editor can search for."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].strip()


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _clip_left(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]


def _report_several(selector: Selector, index: TextIndex, matches: list[Match], report: Report) -> None:
    where = ", ".join(f"¶{index.blocks[m.block].number} (line {index.blocks[m.block].line})" for m in matches[:6])
    where += " …" if len(matches) > 6 else ""
    first = matches[0]
    prefix = _distinguishing_prefix(index, first, matches)
    how = (
        f'add prefix: "{prefix}" to pick the first'
        if prefix
        else "quote more words, or add a prefix or suffix that only one of them has"
    )
    report.error(
        selector.location,
        f"quote matches {len(matches)} times in '{index.slug}'",
        f"found in {where}; {how}",
        code="quote-ambiguous",
    )


def _distinguishing_prefix(index: TextIndex, target: Match, matches: list[Match]) -> str:
    """The fewest words before the target match that no other match shares."""

    def before(m: Match) -> str:
        return fold_plain(index.blocks[m.block].text[: m.start])

    mine = before(target)
    words = mine.rstrip().split(" ") if mine.strip() else []
    for n in range(1, min(len(words), 8) + 1):
        candidate = " ".join(words[-n:]) + (" " if mine.endswith(" ") else "")
        if not any(before(m).endswith(candidate) for m in matches if m != target):
            return candidate
    return ""
