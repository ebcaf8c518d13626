"""Glossary terms in texts: every occurrence of a match phrase, scanned word by word, longest first."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from builder.anchoring import TextIndex, fold
from builder.diagnostics import Report
from builder.model import Term
from builder.textblocks import Block, ParsedText


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a glossary term occurs."""

    term: str
    essay: str
    block: int
    start: int
    end: int
    dom_id: str
    linked: bool


def term_phrases(terms: tuple[Term, ...]) -> list[tuple[str, str]]:
    """(phrase, term id), longest phrase first: the longest match wins."""
    pairs = {(phrase.strip(), t.id) for t in terms for phrase in (t.match or (t.term,)) if phrase.strip()}
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0].lower(), p[1]))


WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Term phrases by their first word, longest first: a text is scanned once, word by word.

    (One big regex alternation of every phrase is simple but slow in Python's engine,
    which tries each alternative at each position.)
    """

    by_first_word: dict[str, tuple[str, ...]]
    owner: dict[str, str]

    @classmethod
    def of(cls, pairs: list[tuple[str, str]]) -> PhraseIndex:
        by_first: dict[str, list[str]] = {}
        owner: dict[str, str] = {}
        for phrase, term in pairs:
            key = fold(phrase).text.lower().strip()
            first = WORD.match(key)
            if first is None or key in owner:
                continue
            owner[key] = term
            by_first.setdefault(first[0], []).append(key)
        return cls({w: tuple(sorted(ps, key=lambda p: (-len(p), p))) for w, ps in by_first.items()}, owner)

    def scan(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Non-overlapping (start, end, phrase) in folded text: whole words, case-insensitive, longest first."""
        lower = text.lower()
        if len(lower) != len(text):  # a character whose lower case is longer: offsets would drift
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        pos = 0
        for word in WORD.finditer(lower):
            if word.start() < pos:
                continue
            for phrase in self.by_first_word.get(word[0], ()):
                end = word.start() + len(phrase)
                if lower.startswith(phrase, word.start()) and (end == len(lower) or not _is_word(lower[end])):
                    yield word.start(), end, phrase
                    pos = end
                    break


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def terms_in(
    parsed: ParsedText, index: TextIndex, phrases: PhraseIndex, glossary_links: str
) -> tuple[list[tuple[str, int, int, int, bool]], list[str]]:
    """(term, block, start, end, linked) for one text, and the phrases found in it."""
    seen: set[tuple[str, int]] = set()
    found: list[tuple[str, int, int, int, bool]] = []
    keys: set[str] = set()
    for b, (block, folded) in enumerate(zip(parsed.blocks, index.folded)):
        if block.kind == "heading":
            continue
        for fstart, fend, key in phrases.scan(folded.text):
            term = phrases.owner[key]
            start, end = folded.at(fstart), folded.at(fend - 1) + 1
            if (
                _in_link(block.link_ranges, start, end)
                or not _wrappable(block, start, end)
                or _in_address(block.text, start, end)
            ):
                continue
            keys.add(key)
            scope = {"all": (term, len(found)), "first-in-page": (term, 0), "first-in-section": (term, block.section)}[
                glossary_links
            ]
            linked = scope not in seen
            seen.add(scope)
            found.append((term, b, start, end, linked))
    return found, sorted(keys)


def _in_link(ranges: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in ranges)


def _in_address(text: str, start: int, end: int) -> bool:
    """Never inside a web or mail address written out in a citation ("europa.eu", "wto.org/…")."""
    word_start = text.rfind(" ", 0, start) + 1
    word_end = text.find(" ", end)
    word = text[word_start:] if word_end < 0 else text[word_start:word_end]
    return (
        "://" in word
        or "www." in word
        or "@" in word
        or bool(re.search(r"[a-z0-9-]\.(eu|org|com|int|net|gov|cn|edu|info|io)\b", word, re.I))
    )


def _wrappable(block: Block, start: int, end: int) -> bool:
    """A term is wrapped only inside one text run (never across markup)."""
    pieces = block.pieces
    return any(p.wrappable and p.start <= start and end <= p.start + p.length for p in pieces)


def warn_unfound(terms: tuple[Term, ...], found: set[str], report: Report, texts: Iterable[str] = ()) -> None:
    """A term or match phrase that occurs in no text is a warning; a misspelt one gets the texts' closest words."""
    if report.unavailable.get("text"):  # the missing phrase may be in the text that could not be loaded
        report.not_checked("whether each glossary term occurs in the texts (a text could not be loaded)")
        return
    words = Vocabulary(texts)
    for term in terms:
        phrases = [p for p in (term.match or (term.term,)) if p.strip()]
        missing = [p for p in phrases if fold(p).text.lower().strip() not in found]
        if phrases and len(missing) == len(phrases):
            report.warning(
                term.location,
                f"term '{term.id}' occurs in no text",
                _did_you_mean(words, missing) + "check the match phrases, or remove the term",
                code="unused-term",
            )
        else:
            places = dict(zip(term.match, term.match_locations))
            for phrase in missing:
                report.warning(
                    places.get(phrase, term.location),
                    f"match phrase '{phrase}' of term '{term.id}' is found nowhere",
                    _did_you_mean(words, [phrase]) + "remove the phrase or correct its spelling",
                    code="unused-phrase",
                )


class Vocabulary:
    """The texts' runs of n words, read only when a phrase of n words is missing (a misspelling's neighbours)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = texts
        self._tokens: list[list[str]] | None = None
        self._runs: dict[int, set[str]] = {}

    def closest(self, phrase: str) -> str | None:
        """The run of as many words in the texts most like `phrase` (case-insensitive), if one is close."""
        wanted = " ".join(WORD.findall(fold(phrase).text.lower()))
        n = len(wanted.split())
        if not 0 < n <= 6:
            return None
        if self._tokens is None:
            self._tokens = [WORD.findall(fold(text).text.lower()) for text in self._texts]
        if n not in self._runs:
            self._runs[n] = {" ".join(t[i : i + n]) for t in self._tokens for i in range(len(t) - n + 1)}
        near = [run for run in self._runs[n] if abs(len(run) - len(wanted)) <= 3]
        close = difflib.get_close_matches(wanted, near, n=1, cutoff=0.8)
        return close[0] if close and close[0] != wanted else None


def _did_you_mean(words: Vocabulary, phrases: list[str]) -> str:
    for phrase in phrases:
        close = words.closest(phrase)
        if close:
            return f"did you mean '{close}'? The texts have it. Otherwise "
    return ""
