"""`check --fix`: quotes that no longer match (a text was corrected) -> re-anchored in the YAML, in place.

For each note or link end whose quote matches no passage, the passage is looked for by
fuzzy matching, as Hypothesis's client re-anchors a TextQuoteSelector: candidate windows
are scored on how much of the quote they contain and on how well the words before and
after agree with the `prefix` and `suffix` (weights quote 5, prefix 2, suffix 2, as in
its anchoring). When exactly one candidate is clearly best, that selector's `quote` (and
`prefix`/`suffix`) values are rewritten where they stand, and nothing else in the file
changes; otherwise the quote is left alone and the candidates are listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from builder.anchoring import Match, TextIndex, find_matches, fold_plain
from builder.annotate import Refused, State, text_index, unique_selector, write_atomically, yaml_string
from builder.model import Selector

QUOTE_WEIGHT, CONTEXT_WEIGHT = 5.0, 2.0
MIN_QUOTE_SIMILARITY = 0.8
"""A window less like the quote than this is not the passage (a rewritten sentence needs an editor)."""
CLEAR_MARGIN = 0.05
"""The best candidate must beat the next by this much of the best possible score."""
SEED_WORDS = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place the quote may now be: the window, its score, and how much it looks like the quote."""

    match: Match
    score: float
    similarity: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `--fix` did: each file's old and new text, and the quotes it could not fix (as lines to print)."""

    files: dict[PurePosixPath, tuple[str, str]]
    unfixed: list[str]

    def diffs(self) -> Iterator[str]:
        for rel, (old, new) in sorted(self.files.items()):
            yield "".join(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{rel}",
                    tofile=f"b/{rel}",
                )
            )


def fix_quotes(root: Path, write: bool, echo: Callable[[str], None], warn: Callable[[str], None]) -> Outcome:
    """Find drifted quotes, print each fix as a diff (`echo`) and what could not be fixed (`warn`); write when told."""
    outcome = plan_fixes(root)
    for diff in outcome.diffs():
        echo(diff.rstrip("\n"))
    for line in outcome.unfixed:
        warn(line)
    if write:
        for rel, (_old, new) in outcome.files.items():
            write_atomically(root / rel, new)
    fixed = sum(len(_changed_selectors(old, new)) for old, new in outcome.files.values())
    verb = "fixed" if write else "would fix"
    warn(f"--fix: {verb} {fixed} quote(s) in {len(outcome.files)} file(s); {len(outcome.unfixed)} left as they are")
    return outcome


def _changed_selectors(old: str, new: str) -> list[str]:
    return [line for line in difflib.ndiff(old.splitlines(), new.splitlines()) if line.startswith("+ ")]


def plan_fixes(root: Path) -> Outcome:
    """Every selector of every note and link that matches nothing, re-anchored where one place is clearly best."""
    try:
        state = State.read(root)
    except Refused:
        return Outcome({}, [])
    indexes: dict[str, TextIndex] = {}
    edits: dict[PurePosixPath, list[tuple[Selector, Selector]]] = {}
    unfixed: list[str] = []
    selectors = [n.at for n in state.annotations.notes]
    selectors += [end for link in state.annotations.links for end in (link.source, link.target)]
    for selector in selectors:
        if selector.essay not in state.texts or not fold_plain(selector.quote).strip():
            continue
        if selector.essay not in indexes:
            indexes[selector.essay] = text_index(state.texts[selector.essay])
        index = indexes[selector.essay]
        if find_matches(selector, index.blocks, index.folded):
            continue  # matches (once, or several times: that is not drift, `check` says what to add)
        fixed, why = relocate(selector, index)
        if fixed is None:
            unfixed.append(f"{selector.location}: not fixed: {why}")
        else:
            edits.setdefault(selector.location.path, []).append((selector, fixed))
    files: dict[PurePosixPath, tuple[str, str]] = {}
    for rel, pairs in sorted(edits.items()):
        old = (root / rel).read_text(encoding="utf-8")
        new, problems = rewrite(old, pairs)
        unfixed += [f"{rel}: not fixed: {p}" for p in problems]
        if new != old:
            files[rel] = (old, new)
    return Outcome(files, unfixed)


def relocate(selector: Selector, index: TextIndex) -> tuple[Selector | None, str]:
    """The selector re-anchored at the one clearly best candidate, or None and why not."""
    candidates = sorted(candidates_for(selector, index), key=lambda c: -c.score)
    if not candidates:
        return None, f"no passage in '{index.slug}' is close to the quote"
    best = candidates[0]
    top = QUOTE_WEIGHT + CONTEXT_WEIGHT * (bool(selector.prefix) + bool(selector.suffix))
    rivals = [c for c in candidates[1:] if best.score - c.score < CLEAR_MARGIN * top]
    if rivals:
        listed = "\n    ".join(_describe(c, index) for c in [best, *rivals][:5])
        return None, f"{1 + len(rivals)} passages fit the quote equally well:\n    {listed}"
    try:
        return _with_context(selector, index, best.match), ""
    except Refused as refused:
        return None, refused.diagnostics[0].message


def _describe(candidate: Candidate, index: TextIndex) -> str:
    block = index.blocks[candidate.match.block]
    words = " ".join(block.text[candidate.match.start : candidate.match.end].split())
    return f'{index.path}:{block.line} ¶{block.number} "{words}" ({candidate.similarity:.0%} like the quote)'


def _with_context(old: Selector, index: TextIndex, match: Match) -> Selector:
    """The shortest unique selector at `match`, keeping a prefix/suffix the editor wrote (same number of words)."""
    new = unique_selector(index, match, old.location)
    block = index.blocks[match.block].text
    prefix, suffix = new.prefix, new.suffix
    if old.prefix and not prefix:
        words = block[: match.start].split()[-len(old.prefix.split()) :] if block[: match.start].strip() else []
        prefix = " ".join(words) + (" " if words and block[match.start - 1].isspace() else "")
    if old.suffix and not suffix:
        words = block[match.end :].split()[: len(old.suffix.split())]
        suffix = (" " if words and block[match.end].isspace() else "") + " ".join(words)
    kept = Selector(new.essay, new.quote, prefix, suffix, old.location)
    return kept if find_matches(kept, index.blocks, index.folded) == [match] else new


def candidates_for(selector: Selector, index: TextIndex) -> list[Candidate]:
    """Windows of the text that look like the quote, one per place, scored (Hypothesis-style)."""
    quote = fold_plain(selector.quote).strip()
    prefix, suffix = fold_plain(selector.prefix), fold_plain(selector.suffix)
    found: list[Candidate] = []
    for b, folded in enumerate(index.folded):
        text = folded.text
        taken: list[tuple[int, int]] = []
        for seed in _seeds(quote, text):
            window = _best_window(quote, text, seed)
            if window is None:
                continue
            start, end, similarity = window
            if similarity < MIN_QUOTE_SIMILARITY or any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            score = QUOTE_WEIGHT * similarity
            if prefix.strip():
                score += CONTEXT_WEIGHT * _similarity(text[max(0, start - len(prefix)) : start].strip(), prefix.strip())
            if suffix.strip():
                score += CONTEXT_WEIGHT * _similarity(text[end : end + len(suffix)].strip(), suffix.strip())
            match = Match(b, folded.at(start), folded.at(end - 1) + 1)
            found.append(Candidate(match, score, similarity))
    return found


def _seeds(quote: str, text: str) -> list[int]:
    """Where the quote would start, judging by each run of a few of its words found in the text."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", quote)]
    seeds: list[int] = []
    for size in (min(SEED_WORDS, len(words)), 1):  # single words only when no run of words is left intact
        for i in range(len(words) - size + 1):
            offset = words[i][0]
            chunk = quote[offset : words[i + size - 1][0] + len(words[i + size - 1][1])]
            at = text.find(chunk) if len(chunk) >= 4 else -1
            while at >= 0:
                seed = max(0, at - offset)
                if not any(abs(seed - s) <= 3 for s in seeds):
                    seeds.append(seed)
                at = text.find(chunk, at + 1)
        if seeds:
            break
    return sorted(seeds)


def _best_window(quote: str, text: str, seed: int) -> tuple[int, int, float] | None:
    """Around a seed: the window of whole words most like the quote."""
    length = len(quote)
    words = [m.span() for m in re.finditer(r"\S+", text)] + [m.span() for m in re.finditer(r"\w+", text)]
    starts = sorted({s for s, _ in words if abs(s - seed) <= max(12, length // 4)})
    best: tuple[int, int, float] | None = None
    for start in starts:
        ends = sorted({e for _, e in words if 0.7 * length <= e - start <= 1.6 * length})
        for end in ends:
            similarity = _similarity(text[start:end], quote)
            if best is None or similarity > best[2]:
                best = (start, end, similarity)
    return best


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --------------------------------------------------------------------------- rewriting the YAML in place


def rewrite(text: str, pairs: list[tuple[Selector, Selector]]) -> tuple[str, list[str]]:
    """The file's text with each old selector's values replaced by the new one's, where they stand."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # pure-Python: marks count characters
    edits: list[tuple[int, int, str]] = []
    problems: list[str] = []
    for old, new in pairs:
        mapping = _selector_mapping(root, old.location.line - 1, old.location.column - 1)
        if mapping is None:
            problems.append(f"line {old.location.line}: could not find the quote in the file")
            continue
        values = {k.value: v for k, v in mapping.value if isinstance(k, yaml.ScalarNode)}
        if any(isinstance(v, yaml.ScalarNode) and v.style in ("|", ">") for v in values.values()):
            problems.append(f"line {old.location.line}: the quote is a block scalar (| or >); fix it by hand")
            continue
        quote = values["quote"]
        edits.append((quote.start_mark.index, quote.end_mark.index, yaml_string(new.quote)))
        for key in ("prefix", "suffix"):
            value: str = getattr(new, key)
            if key in values:
                node = values[key]
                edits.append((node.start_mark.index, node.end_mark.index, yaml_string(value)))
            elif value:
                edits.append(_insertion(text, mapping, quote, key, value))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, problems


def _insertion(text: str, mapping: yaml.MappingNode, quote: yaml.Node, key: str, value: str) -> tuple[int, int, str]:
    """A new `prefix:`/`suffix:` key just after the quote: `, key: "…"` in a flow mapping, a new line in a block one."""
    at = quote.end_mark.index
    if mapping.flow_style:
        return at, at, f", {key}: {yaml_string(value)}"
    line_end = text.find("\n", at)
    line_end = len(text) if line_end < 0 else line_end + 1
    indent = " " * _key_column(mapping, "quote")
    newline = "" if text[:line_end].endswith("\n") else "\n"
    return line_end, line_end, f"{newline}{indent}{key}: {yaml_string(value)}\n"


def _key_column(mapping: yaml.MappingNode, name: str) -> int:
    return int(next(k.start_mark.column for k, _ in mapping.value if k.value == name))


def _selector_mapping(node: yaml.Node | None, line: int, column: int) -> yaml.MappingNode | None:
    """The mapping whose `quote:` value starts at (line, column), 0-based."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value == "quote"
                and (value.start_mark.line, value.start_mark.column) == (line, column)
            ):
                return node
        children = [v for _, v in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        return None
    for child in children:
        found = _selector_mapping(child, line, column)
        if found is not None:
            return found
    return None
