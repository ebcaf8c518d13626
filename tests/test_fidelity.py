"""Fidelity of the bundled reader to its sources (the folder $COUNTERPOINT_SOURCES names): verbatim, complete, in order.

The source texts are not in the repository; CI (.ci/run) sets COUNTERPOINT_SOURCES to them.
Without it these tests are skipped, and the run says so in its warnings and its -rs summary.

For every content file whose `source:` names a file there: every sentence of the source
lines it reproduces (minus the debris listed in fidelity/debris/*.txt) appears in the
built page's text, in order; no body paragraph appears twice; the authors' footnote
markers and definitions are as many as the source's.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from helpers import REPO, run_cli

SOURCES_VARIABLE = "COUNTERPOINT_SOURCES"
SOURCES = Path(os.environ.get(SOURCES_VARIABLE, "")).absolute() if os.environ.get(SOURCES_VARIABLE) else None
DEBRIS = Path(__file__).parent / "fidelity" / "debris"
SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
FOOTNOTE_DEF = re.compile(rf"^\s*(-\s*)?[{SUPERSCRIPT}]+\s")

SKIP_REASON = (
    f"FIDELITY NOT CHECKED: {SOURCES_VARIABLE} is not set"
    if SOURCES is None
    else f"FIDELITY NOT CHECKED: {SOURCES_VARIABLE}={SOURCES} is not a folder"
) + " (set it to the folder of the source texts, as .ci/run does, to check the bundled reader against them)"
if SOURCES is None or not SOURCES.is_dir():
    warnings.warn(SKIP_REASON, pytest.PytestWarning, stacklevel=1)  # shown in the run's warnings summary
    pytestmark = pytest.mark.skip(reason=SKIP_REASON)


@dataclass
class PageText(HTMLParser):
    """The text a reader sees in <main>, minus the editors' insertions (data-ed), footnote labels kept."""

    text: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    refs: int = 0
    unresolved: list[str] = field(default_factory=list)
    definitions: int = 0
    _skip: int = 0
    _in_main: bool = False
    _in_notes: bool = False
    _body_at: int = -1
    _para_at: int = -1
    _para: list[str] | None = None
    _stack: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag in ("br", "img", "input", "meta", "link"):
            return
        skip = "data-ed" in a or tag in ("script", "style", "form", "nav")
        classes = (a.get("class") or "").split()
        if tag == "sup" and "fn-ref" in classes:
            self.refs += 1
        if tag == "sup" and "fn-unresolved" in classes:
            self.unresolved.append(a.get("data-label") or "")
            self.text.append(a.get("data-label") or "")
            if self._para is not None:
                self._para.append(a.get("data-label") or "")
            skip = True
        if tag == "li" and "footnote" in classes:
            self.definitions += 1
        if "fn-back" in classes:
            skip = True
        self._stack.append((tag, skip))
        self._skip += skip
        if tag == "section" and "footnotes" in classes:
            self._in_notes = True
        if tag == "div" and "text-body" in classes and self._body_at < 0:
            self._body_at = len(self._stack)  # the authors' text: inside this element
        if (
            tag in ("p", "li")
            and self._para is None
            and not self._skip
            and not self._in_notes
            and 0 <= self._body_at < len(self._stack)
        ):
            self._para, self._para_at = [], len(self._stack)  # a paragraph, or a list item read as one
        self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, skip = self._stack.pop()
            self._skip -= skip
            if name == tag:
                break
        if len(self._stack) < self._body_at:
            self._body_at = -1
        if self._para is not None and len(self._stack) < self._para_at:
            self.paragraphs.append("".join(self._para).strip())
            self._para = None
        if tag == "main":
            self._in_main = False
        if tag == "section":
            self._in_notes = False
        self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_main and not self._skip:
            self.text.append(data)
            if self._para is not None:
                self._para.append(data)


def squash(text: str) -> str:
    """Compare letters and punctuation only: NFKC (¹ -> 1), quotes and dashes folded, spaces and hyphens dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[‘’‚‛′`´]", "'", text)
    text = re.sub("[“”„‟″«»]", '"', text)
    return re.sub(r"[\s\-‐‑‒–—―−]+", "", text)


ESCAPED = {"\\[": "\x01", "\\]": "\x02", "\\(": "(", "\\)": ")", "\\$": "$", "\\*": "\x03", "\\_": "_", "\\#": "#"}


def source_plain(line: str) -> str:
    """Markdown-like syntax the extraction left in the source, removed as the content files remove it.

    Escapes (\\[ \\$ …), link syntax (the title stays), emphasis stars, list bullets (including
    the stray "q" a Wingdings bullet leaves) and ordered-list numbers, which <ol> draws.
    """
    for escaped, stand_in in ESCAPED.items():
        line = line.replace(escaped, stand_in)
    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"^\s*(?:(?:[-•●▪◦]|q(?=\s+[A-Z]))\s+)+", "", line)
    line = re.sub(r"^\s*\d{1,2}\.\s+", "", line)
    line = line.replace("**", "").replace("*", "")
    return line.replace("\x01", "[").replace("\x02", "]").replace("\x03", "*").strip()


def debris_lines() -> dict[str, set[int]]:
    """Source line numbers removed as debris: each listed line claims the first unclaimed identical source line."""
    claimed: dict[str, set[int]] = {}
    for path in sorted(DEBRIS.glob("*.txt")):
        source = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            header = re.match(r"#\s*source:\s*(\S+)", line)
            if header:
                source = header[1]
            elif line.strip() and not line.startswith("#"):
                taken = claimed.setdefault(source, set())
                lines = (SOURCES / source).read_text(encoding="utf-8").splitlines()
                pinned = re.match(r"L(\d+): (.*)", line)  # "L85: text" names the line when the text recurs
                if pinned:
                    number: int | None = int(pinned[1])
                    assert lines[int(pinned[1]) - 1].strip() == pinned[2].strip(), f"{path.name}: {line!r}"
                else:
                    number = next(
                        (i for i, text in enumerate(lines, 1) if text.strip() == line.strip() and i not in taken), None
                    )
                assert number is not None, f"{path.name}: debris line not in {source}: {line!r}"
                taken.add(number)
    return claimed


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1]) or {}


def source_lines(spec: str) -> tuple[str, list[tuple[int, str]]]:
    """(file name, [(line number, line)]) for a `source:` value with optional #L<a>-L<b> ranges."""
    name, _, ranges = spec.partition("#")
    lines = list(enumerate((SOURCES / name).read_text(encoding="utf-8").splitlines(), 1))
    if not ranges:
        return name, lines
    picked: list[tuple[int, str]] = []
    for part in ranges.split(","):
        a, b = re.fullmatch(r"L(\d+)-L(\d+)", part.strip()).groups()  # type: ignore[union-attr]
        picked += lines[int(a) - 1 : int(b)]
    return name, picked


def sourced_pages() -> list[tuple[str, str]]:
    pages: list[tuple[str, str]] = []
    if SOURCES is None:
        return pages
    for path in sorted((REPO / "content").glob("*.md")):
        source = str(front_matter(path).get("source", ""))
        if source and (SOURCES / source.split("#")[0]).is_file():
            pages.append((path.stem, source))
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fidelity") / "site"
    result = run_cli("build", "--project", str(REPO), "--out", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    return out


def page_text(site: Path, slug: str) -> PageText:
    kind = str(front_matter(REPO / "content" / f"{slug}.md").get("kind", "essay"))
    folder = {"essay": "essays/", "debate": "debates/", "page": ""}[kind]
    parser = PageText()
    parser.feed((site / f"{folder}{slug}.html").read_text(encoding="utf-8"))
    return parser


def kept_lines(spec: str) -> list[str]:
    name, lines = source_lines(spec)
    debris = debris_lines().get(name, set())
    return [line for number, line in lines if number not in debris and line.strip()]


SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def test_every_source_is_reproduced() -> None:
    """Each of the five sources is named by at least one content page."""
    named = {spec.split("#")[0] for _, spec in sourced_pages()}
    assert named == {p.name for p in SOURCES.glob("*.txt")}


@pytest.mark.parametrize("slug,spec", sourced_pages(), ids=[slug for slug, _ in sourced_pages()])
def test_every_sentence_in_order(site: Path, slug: str, spec: str) -> None:
    page = page_text(site, slug)
    built = squash("".join(page.text))
    cursor, missing, disordered = 0, [], []
    for line in kept_lines(spec):
        plain = source_plain(line)
        is_definition = bool(FOOTNOTE_DEF.match(line))
        for sentence in SENTENCE_END.split(plain):
            needle = squash(sentence)
            if not needle:
                continue
            at = built.find(needle, 0 if is_definition else cursor)
            if at < 0:
                (disordered if needle in built else missing).append(sentence)
            elif not is_definition:
                cursor = at + len(needle)
    assert not missing, f"{len(missing)} source sentence(s) missing from {slug}: {missing[:5]}"
    assert not disordered, f"{len(disordered)} sentence(s) out of order in {slug}: {disordered[:5]}"


@pytest.mark.parametrize("slug,spec", sourced_pages(), ids=[slug for slug, _ in sourced_pages()])
def test_no_paragraph_twice(site: Path, slug: str, spec: str) -> None:
    page = page_text(site, slug)
    counts = Counter(p for p in page.paragraphs if len(p) > 60)
    assert [p for p, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("slug,spec", sourced_pages(), ids=[slug for slug, _ in sourced_pages()])
def test_footnotes_as_many_as_the_source(site: Path, slug: str, spec: str) -> None:
    page = page_text(site, slug)
    lines = kept_lines(spec)
    definitions = [line for line in lines if FOOTNOTE_DEF.match(line)]
    body = [line for line in lines if not FOOTNOTE_DEF.match(line)]
    markers = sum(len(re.findall(rf"[{SUPERSCRIPT}]+", line)) for line in body)
    assert (page.refs, page.definitions) == (markers, len(definitions))
    if page.unresolved:  # the policy report: markers without note texts, numbered 1..N in order
        assert page.unresolved == [str(n) for n in range(1, len(page.unresolved) + 1)]
        assert markers == 0 and not definitions


@pytest.mark.parametrize("slug,spec", sourced_pages(), ids=[slug for slug, _ in sourced_pages()])
def test_no_words_added(site: Path, slug: str, spec: str) -> None:
    """The other direction: every paragraph of the page's text is the source's (nothing invented or reworded)."""
    page = page_text(site, slug)
    source = squash("".join(source_plain(line) for line in kept_lines(spec)))
    assert page.paragraphs, f"no paragraphs read from {slug}"
    foreign = [p for p in page.paragraphs if squash(p) and squash(p) not in source]
    assert foreign == [], f"{len(foreign)} paragraph(s) of {slug} not in the source: {foreign[:3]}"
