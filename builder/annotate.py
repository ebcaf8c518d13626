"""A selection made in the browser -> an entry written into the project's annotation YAML.

Used by `counterpoint serve`'s annotation API (builder/serve.py) and by `check --fix`
(builder/fix.py). The YAML is edited as text, never dumped: an entry is appended after
the file's last byte, or an existing entry's lines are replaced, and every other byte of
the file stays as the editor wrote it (comments, order, quoting). Before a file is
replaced, its new text is loaded with the real loaders and the whole project is checked
on a copy; on any error nothing changes.

A selector written here matches exactly once with `check`'s own matching
(anchoring.find_matches): the quote is the text's own words, and the shortest
prefix/suffix that singles out the selected occurrence is added.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from builder import specs
from builder.anchoring import Match, TextIndex, anchor_selector, find_matches, fold_plain
from builder.annotations import load_annotations
from builder.config import load_config
from builder.content import load_texts
from builder.diagnostics import BuildFailed, Diagnostic, Location, Report
from builder.markdown import make_markdown
from builder.model import Annotations, Selector, Text
from builder.projectfs import read_text
from builder.textblocks import parse_body
from builder.yamlload import SAFE_LOADER, load_document

Kind = Literal["note", "link"]
NOTES_DIR = PurePosixPath("annotations/notes")
DEFAULT_LINKS_FILE = PurePosixPath("annotations/links.yaml")
LINKS_FILE = re.compile(r"annotations/(links\.yaml|links/[a-z0-9]+(-[a-z0-9]+)*\.yaml)")
"""The files links may be written to (annotations.load_annotations reads exactly these)."""
ID_WORDS = 5
ID_LENGTH = 40
CONTEXT_WORDS = 12
"""A prefix or suffix longer than this many words is not tried: quote more words instead."""


class Refused(Exception):
    """The request cannot be carried out; `diagnostics` say why, worded as `check` words them."""

    def __init__(self, diagnostics: list[Diagnostic], status: int = 422) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics
        self.status = status


def refuse(path: PurePosixPath | str, message: str, hint: str | None = None, status: int = 422) -> Refused:
    return Refused([Diagnostic("error", Location(PurePosixPath(path)), message, hint, "annotate")], status)


# --------------------------------------------------------------------------- the project as it is now


@dataclass(frozen=True, slots=True)
class State:
    """The project's texts and annotations, read leniently: a broken file elsewhere does not stop an edit."""

    root: Path
    texts: dict[str, Text]
    annotations: Annotations

    @classmethod
    def read(cls, root: Path) -> State:
        report = Report()
        config = load_config(root, report)
        if config is None:
            raise Refused(report.errors or [Diagnostic("error", Location(PurePosixPath("site.toml")), "no site.toml")])
        texts = {t.slug: t for t in load_texts(root, config, report)}
        return cls(root, texts, load_annotations(root, report))

    def text(self, slug: object) -> Text:
        if not isinstance(slug, str) or slug not in self.texts:
            known = ", ".join(sorted(self.texts)[:20])
            raise refuse("content", f"unknown text '{slug}'", f"texts: {known}")
        return self.texts[slug]


def text_index(text: Text) -> TextIndex:
    """The text's blocks, parsed as the build parses them."""
    parsed = parse_body(make_markdown(), text.body, text.body_line)
    return TextIndex.of(text.slug, text.path, parsed.blocks)


# --------------------------------------------------------------------------- selectors


@dataclass(frozen=True, slots=True)
class Passage:
    """What a client sends for one passage: the words, some context, optionally the paragraph number."""

    text: str
    quote: str
    prefix: str = ""
    suffix: str = ""
    paragraph: int | None = None


def selector_for(passage: Passage, index: TextIndex, where: PurePosixPath) -> Selector:
    """The passage as a selector that `check` anchors exactly once: the text's own words, shortest context."""
    selector = Selector(index.slug, passage.quote, passage.prefix, passage.suffix, Location(where))
    quote = fold_plain(passage.quote).strip()
    if not quote:
        raise refuse(where, "quote is empty", "select the words the annotation is about")
    bare = find_matches(Selector(index.slug, quote), index.blocks, index.folded)
    candidates = bare
    if passage.paragraph is not None:
        candidates = [m for m in bare if index.blocks[m.block].number == passage.paragraph] or bare
    if len(candidates) > 1:
        candidates = _closest_context(candidates, passage, index)
    if len(candidates) != 1:
        report = Report()
        anchor_selector(
            selector if bare else Selector(index.slug, passage.quote, location=Location(where)), index, "", report
        )
        raise Refused(report.errors or [Diagnostic("error", Location(where), "quote not found", None, "annotate")])
    return unique_selector(index, candidates[0], selector.location)


def _closest_context(matches: list[Match], passage: Passage, index: TextIndex) -> list[Match]:
    """The matches whose surroundings agree longest with the prefix and suffix the client sent."""

    def agreement(m: Match) -> int:
        text = index.blocks[m.block].text
        before, after = fold_plain(text[: m.start]), fold_plain(text[m.end :])
        prefix, suffix = fold_plain(passage.prefix), fold_plain(passage.suffix)
        common_before = len(os.path.commonprefix([before[::-1], prefix[::-1]]))
        return common_before + len(os.path.commonprefix([after, suffix]))

    scores = [agreement(m) for m in matches]
    best = max(scores)
    return [m for m, s in zip(matches, scores) if s == best]


def unique_selector(index: TextIndex, target: Match, location: Location) -> Selector:
    """Quote = the text's words at `target`; prefix/suffix = the fewest words that make the match unique."""
    block = index.blocks[target.block]
    quote = " ".join(block.text[target.start : target.end].split())
    before, after = block.text[: target.start], block.text[target.end :]
    words_before = before.split()
    words_after = after.split()
    space_before = bool(before) and before[-1].isspace()
    space_after = bool(after) and after[0].isspace()

    def prefix(n: int) -> str:
        return " ".join(words_before[len(words_before) - n :]) + (" " if space_before else "") if n else ""

    def suffix(n: int) -> str:
        return (" " if space_after else "") + " ".join(words_after[:n]) if n else ""

    def works(p: str, s: str) -> bool:
        return find_matches(Selector(index.slug, quote, p, s), index.blocks, index.folded) == [target]

    tries = [(0, 0)]
    for n in range(1, CONTEXT_WORDS + 1):
        tries += [(n, 0), (0, n)] + [(a, n) for a in range(1, n)] + [(n, b) for b in range(1, n + 1)]
    for a, b in tries:
        if a <= len(words_before) and b <= len(words_after) and works(prefix(a), suffix(b)):
            return Selector(index.slug, quote, prefix(a), suffix(b), location)
    raise refuse(
        location.path,
        f"the selected words occur more than once in ¶{block.number} of '{index.slug}' with the same words around them",
        "select more words, so that the selection is found once",
    )


# --------------------------------------------------------------------------- ids


def make_id(words: str, taken: set[str], fallback: str) -> str:
    """A slug of the first words ('In the 1975 Helsinki' -> 'in-the-1975-helsinki'), made unique with -2, -3 …"""
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().lower()
    parts = re.findall(r"[a-z0-9]+", ascii_words)
    base = ""
    for part in parts[:ID_WORDS]:
        candidate = f"{base}-{part}" if base else part
        if len(candidate) > ID_LENGTH:
            break
        base = candidate
    base = base or fallback
    unique, n = base, 2
    while unique in taken:
        unique, n = f"{base}-{n}", n + 1
    return unique


# --------------------------------------------------------------------------- YAML text


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar that loads back as exactly `value`."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable() or char in "\u2028\u2029\ufeff":
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def yaml_markdown(key: str, value: str, indent: str) -> list[str]:
    """`key: "one line"` or a literal block (`key: |`) for Markdown of several lines."""
    value = value.strip("\n")
    lines = [line.rstrip() for line in value.split("\n")]
    if len(lines) == 1 or any(not line.isprintable() and line for line in lines) or "\t" in value:
        return [f"{indent}{key}: {yaml_string(value)}"]
    head = "|2" if lines[0][:1] == " " else "|"
    return [f"{indent}{key}: {head}"] + [f"{indent}  {line}" if line else "" for line in lines]


def selector_lines(selector: Selector, indent: str, essay: bool) -> list[str]:
    lines = [f"{indent}essay: {selector.essay}"] if essay else []
    lines.append(f"{indent}quote: {yaml_string(selector.quote)}")
    if selector.prefix:
        lines.append(f"{indent}prefix: {yaml_string(selector.prefix)}")
    if selector.suffix:
        lines.append(f"{indent}suffix: {yaml_string(selector.suffix)}")
    return lines


def note_entry(note_id: str, at: Selector, body: str, dash: str, inner: str) -> list[str]:
    """A note as YAML lines: `dash` starts the item ('  - '), `inner` indents its keys ('    ')."""
    return (
        [f"{dash}id: {note_id}", f"{inner}at:"]
        + selector_lines(at, inner + "  ", essay=False)
        + yaml_markdown("body", body, inner)
    )


def link_entry(
    link_id: str, relation: str, source: Selector, target: Selector, note: str, dash: str, inner: str
) -> list[str]:
    lines = [f"{dash}id: {link_id}", f"{inner}relation: {relation}", f"{inner}from:"]
    lines += selector_lines(source, inner + "  ", essay=True)
    lines += [f"{inner}to:"] + selector_lines(target, inner + "  ", essay=True)
    if note.strip():
        lines += yaml_markdown("note", note, inner)
    return lines


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the entries of a file's list are and how they are indented."""

    key: str
    dash: str
    """What starts an item's first line, e.g. '  - '."""
    inner: str
    """What starts an item's other keys, e.g. '    '."""
    items: tuple[tuple[int, int, str], ...] = ()
    """(first line, end line exclusive, id) of each item, 0-based lines."""
    empty_flow: tuple[int, int] | None = None
    """Character span of an empty `[]` to remove before appending."""
    newline: str = "\n"


def layout_of(text: str, key: str, where: PurePosixPath) -> Layout:
    """The list under `key` in a file's text: its items' lines and indentation (refusing what cannot be edited)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        # the pure-Python loader: its marks count characters, which the line arithmetic below needs
        root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise refuse(where, f"the file is not valid YAML ({problem})", "fix it in `counterpoint check` first") from None
    if root is None:
        return Layout(key, "  - ", "    ", newline=newline)
    if not isinstance(root, yaml.MappingNode):
        raise refuse(where, f"the file does not start with '{key}:'", "fix it in an editor first")
    value = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    if value is None or (isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null")):
        if value is None and any(True for _ in root.value):
            raise refuse(where, f"the file has no '{key}:' list", "fix it in an editor first")
        return Layout(key, "  - ", "    ", newline=newline)
    if not isinstance(value, yaml.SequenceNode):
        raise refuse(where, f"'{key}:' is not a list", "fix it in an editor first")
    if value.flow_style:
        if value.value:
            raise refuse(
                where,
                f"'{key}:' is written as a flow list ([...]), which cannot be edited from the browser",
                f"write it as a block list ('{key}:' then one '- ' item a line) in an editor",
            )
        return Layout(key, "  - ", "    ", empty_flow=(value.start_mark.index, value.end_mark.index), newline=newline)
    lines = text.splitlines(keepends=True)
    starts = []
    for item in value.value:
        line, column = item.start_mark.line, item.start_mark.column
        head = lines[line][:column]
        if not re.fullmatch(r" *- +", head) or not isinstance(item, yaml.MappingNode):
            raise refuse(
                PurePosixPath(where),
                "an entry of this file is laid out in a way the browser cannot edit",
                f"line {line + 1}: write each entry as '- id: …' on its own line",
            )
        ident = next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), "")
        starts.append((line, column, head, str(ident)))
    dash_column = len(starts[0][2]) - len(starts[0][2].lstrip(" "))
    items = []
    for n, (line, _column, _head, ident) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end - 1 > line and _outside_item(lines[end - 1], dash_column):
            end -= 1
        items.append((line, end, ident))
    head = starts[0][2]
    return Layout(key, head, " " * len(head), tuple(items), newline=newline)


def _outside_item(line: str, dash_column: int) -> bool:
    """A blank line, or a comment no deeper than the dashes: it belongs to what follows, not to the item above."""
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip(" ")) <= dash_column)


def appended(text: str, layout: Layout, entry: list[str]) -> tuple[str, int]:
    """The file's text with the entry after its last byte; and the entry's first line (1-based)."""
    nl = layout.newline
    if layout.empty_flow is not None:
        start, end = layout.empty_flow
        text = text[:start].rstrip(" ") + text[end:]
    if not text.strip():
        text = f"{layout.key}:{nl}"
    elif layout.key + ":" not in text and not layout.items:
        text = text + ("" if text.endswith(("\n", "\r")) else nl) + f"{layout.key}:{nl}"
    if not text.endswith(("\n", "\r")):
        text += nl
    first_line = text.count("\n") + 1
    return text + nl.join(entry) + nl, first_line


def replaced(text: str, layout: Layout, index: int, entry: list[str]) -> str:
    """The file's text with item `index` replaced by `entry` (deleted when `entry` is empty)."""
    lines = text.splitlines(keepends=True)
    start, end, _ = layout.items[index]
    new = [line + layout.newline for line in entry]
    return "".join(lines[:start] + new + lines[end:])


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class Written:
    """The outcome of a write: the file (relative to the project), the entry's first line and its id."""

    file: str
    line: int
    id: str
    kind: Kind
    warnings: list[Diagnostic] = field(default_factory=list)


def _str(data: dict[str, Any], key: str, default: str = "", where: str = "request") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise refuse(where, f"'{key}' must be a string", status=400)
    return value


def _passage(data: object, what: str, key: str = "text") -> Passage:
    if not isinstance(data, dict):
        raise refuse("request", f"'{what}' must be an object with {key}, quote, prefix, suffix", status=400)
    paragraph = data.get("paragraph")
    if paragraph is not None and (not isinstance(paragraph, int) or isinstance(paragraph, bool)):
        raise refuse("request", f"'{what}.paragraph' must be a number", status=400)
    return Passage(_str(data, key), _str(data, "quote"), _str(data, "prefix"), _str(data, "suffix"), paragraph)


class Annotator:
    """Writes, edits and deletes notes and links in one project; one change at a time."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    # ---- reading
    def entry(self, ident: str, text: str | None = None, kind: str | None = None) -> dict[str, Any]:
        """An existing note or link as the API returns it (the YAML values, the file and the line)."""
        state = State.read(self.root)
        kind_, rel, index, layout = self._find(state, ident, text, kind)
        data = yaml.load(self._read(rel), Loader=SAFE_LOADER)[layout.key][index]
        return {"kind": kind_, "file": rel.as_posix(), "line": layout.items[index][0] + 1, "entry": data}

    def listing(self, slug: str | None = None) -> dict[str, Any]:
        """The notes and links of one text (or all), and the links files an editor may choose from."""
        state = State.read(self.root)
        notes = [
            {
                "id": n.id,
                "text": n.essay,
                "quote": n.at.quote,
                "body": n.body,
                "file": str(n.location.path),
                "line": n.location.line,
            }
            for n in state.annotations.notes
            if slug is None or n.essay == slug
        ]
        links = [
            {
                "id": link.id,
                "relation": link.relation,
                "from": {"text": link.source.essay, "quote": link.source.quote},
                "to": {"text": link.target.essay, "quote": link.target.quote},
                "note": link.note,
                "file": str(link.location.path),
                "line": link.location.line,
            }
            for link in state.annotations.links
            if slug is None or slug in (link.source.essay, link.target.essay)
        ]
        files = sorted({str(link.location.path) for link in state.annotations.links} | {DEFAULT_LINKS_FILE.as_posix()})
        return {
            "notes": notes,
            "links": links,
            "links_files": files,
            "relations": list(specs.RELATIONS),
            "texts": {s: t.title for s, t in sorted(state.texts.items())},
        }

    # ---- writing
    def create(self, data: dict[str, Any]) -> Written:
        kind = data.get("kind")
        with self._lock:
            state = State.read(self.root)
            if kind == "note":
                return self._create_note(state, data)
            if kind == "link":
                return self._create_link(state, data)
            raise refuse("request", "'kind' must be 'note' or 'link'", status=400)

    def update(self, ident: str, data: dict[str, Any], text: str | None = None, kind: str | None = None) -> Written:
        with self._lock:
            state = State.read(self.root)
            kind_, rel, index, layout = self._find(state, ident, text, kind)
            old = self._read(rel)
            current = yaml.load(old, Loader=SAFE_LOADER)[layout.key][index]
            if kind_ == "note":
                entry = self._note_lines(state, rel.stem, ident, current, data, layout)
            else:
                entry = self._link_lines(state, ident, current, data, layout)
            new = replaced(old, layout, index, entry)
            start = layout.items[index][0] + 1
            return self._commit(rel, old, new, (start, start + len(entry) - 1), ident, kind_, layout.key)

    def delete(self, ident: str, text: str | None = None, kind: str | None = None) -> Written:
        with self._lock:
            state = State.read(self.root)
            kind_, rel, index, layout = self._find(state, ident, text, kind)
            old = self._read(rel)
            new = replaced(old, layout, index, [])
            return self._commit(rel, old, new, None, ident, kind_, layout.key)

    # ---- notes and links
    def _create_note(self, state: State, data: dict[str, Any]) -> Written:
        text = state.text(data.get("text"))
        rel = NOTES_DIR / f"{text.slug}.yaml"
        taken = {n.id for n in state.annotations.notes if n.essay == text.slug}
        passage = _passage(data, "note")
        ident = _str(data, "id") or make_id(passage.quote, taken, "note")
        if ident in taken:
            raise refuse(rel, f"duplicate note id '{ident}'", "choose another id, or leave it out to have one made")
        old = self._read(rel, missing_ok=True)
        layout = layout_of(old, "notes", rel)
        entry = self._note_lines(state, text.slug, ident, {}, {**data, "id": ident}, layout)
        new, line = appended(old, layout, entry)
        return self._commit(rel, old, new, (line, line + len(entry) - 1), ident, "note", "notes")

    def _note_lines(
        self, state: State, slug: str, ident: str, current: dict[str, Any], data: dict[str, Any], layout: Layout
    ) -> list[str]:
        rel = NOTES_DIR / f"{slug}.yaml"
        at = current.get("at") or {}
        if "quote" in data:
            passage = _passage({**data, "text": slug}, "note")
            selector = selector_for(passage, text_index(state.text(slug)), rel)
        else:
            selector = Selector(slug, at.get("quote", ""), at.get("prefix", ""), at.get("suffix", ""))
        body = _str(data, "body", current.get("body", ""))
        if not body.strip():
            raise refuse(rel, "the note's body is empty", "write the note")
        return note_entry(ident, selector, body, layout.dash, layout.inner)

    def _create_link(self, state: State, data: dict[str, Any]) -> Written:
        rel = PurePosixPath(_str(data, "file") or DEFAULT_LINKS_FILE.as_posix())
        if not LINKS_FILE.fullmatch(rel.as_posix()):
            raise refuse(
                rel, "links can be written only to annotations/links.yaml or annotations/links/<name>.yaml", status=400
            )
        source = _passage(data.get("from"), "from")
        taken = {link.id for link in state.annotations.links}
        ident = _str(data, "id") or make_id(source.quote, taken, "link")
        if ident in taken:
            raise refuse(rel, f"duplicate link id '{ident}'", "choose another id, or leave it out to have one made")
        old = self._read(rel, missing_ok=True)
        layout = layout_of(old, "links", rel)
        entry = self._link_lines(state, ident, {}, {**data, "id": ident}, layout, rel)
        new, line = appended(old, layout, entry)
        return self._commit(rel, old, new, (line, line + len(entry) - 1), ident, "link", "links")

    def _link_lines(
        self,
        state: State,
        ident: str,
        current: dict[str, Any],
        data: dict[str, Any],
        layout: Layout,
        rel: PurePosixPath = DEFAULT_LINKS_FILE,
    ) -> list[str]:
        relation = _str(data, "relation", current.get("relation", ""))
        if relation not in specs.RELATIONS:
            raise refuse(rel, f"unknown relation '{relation}'", "one of: " + ", ".join(specs.RELATIONS))
        ends = []
        for key in ("from", "to"):
            if key in data:
                passage = _passage(data[key], key)
                ends.append(selector_for(passage, text_index(state.text(passage.text)), rel))
            else:
                end = current.get(key) or {}
                ends.append(
                    Selector(end.get("essay", ""), end.get("quote", ""), end.get("prefix", ""), end.get("suffix", ""))
                )
        note = _str(data, "note", current.get("note", ""))
        return link_entry(ident, relation, ends[0], ends[1], note, layout.dash, layout.inner)

    # ---- files
    def _find(
        self, state: State, ident: str, text: str | None, kind: str | None
    ) -> tuple[Kind, PurePosixPath, int, Layout]:
        found: list[tuple[Kind, PurePosixPath]] = []
        if kind in (None, "note"):
            found += [
                ("note", n.location.path) for n in state.annotations.notes if n.id == ident and text in (None, n.essay)
            ]
        if kind in (None, "link"):
            found += [("link", link.location.path) for link in state.annotations.links if link.id == ident]
        if not found:
            raise refuse("annotations", f"no note or link with id '{ident}'", status=404)
        if len(found) > 1:
            raise refuse(
                "annotations",
                f"several annotations have the id '{ident}'",
                "say which: ?kind=note|link, and for a note ?text=<slug>",
                status=409,
            )
        kind_, rel = found[0]
        layout = layout_of(self._read(rel), "notes" if kind_ == "note" else "links", rel)
        index = next((i for i, item in enumerate(layout.items) if item[2] == ident), None)
        if index is None:
            raise refuse(rel, f"no entry with id '{ident}' in this file", status=404)
        return kind_, rel, index, layout

    def _read(self, rel: PurePosixPath, missing_ok: bool = False) -> str:
        path = self.root / rel
        if missing_ok and not os.path.lexists(path):
            return ""
        report = Report()
        text = read_text(self.root, path, report)
        if text is None:
            raise Refused(report.errors or [Diagnostic("error", Location(rel), "cannot read the file")])
        return text

    def _commit(
        self,
        rel: PurePosixPath,
        old: str,
        new: str,
        lines: tuple[int, int] | None,
        ident: str,
        kind: Kind,
        key: str,
    ) -> Written:
        """Check the new text with the real loaders and the whole project (on a copy); then replace the file."""
        spec = specs.NOTES_FILE if key == "notes" else specs.LINKS_FILE
        report = Report()
        if load_document(new, rel, spec, report) is None or report.errors:
            raise Refused(report.errors)
        _same_other_entries(old, new, key, ident, rel)
        problems, warnings = check_with(self.root, rel, new, lines)
        if problems:
            raise Refused(problems)
        write_atomically(self.root / rel, new)
        return Written(rel.as_posix(), lines[0] if lines else 0, ident, kind, warnings)


def _same_other_entries(old: str, new: str, key: str, ident: str, rel: PurePosixPath) -> None:
    """Belt and braces: every entry but the one written loads exactly as before."""

    def others(text: str) -> list[Any]:
        data = yaml.load(text, Loader=SAFE_LOADER) if text.strip() else None
        items = (data or {}).get(key) or []
        return [item for item in items if not (isinstance(item, dict) and item.get("id") == ident)]

    if others(old) != others(new):
        raise refuse(rel, "the change would alter other entries of the file; nothing was written", status=500)


def check_with(
    root: Path, rel: PurePosixPath, new: str, lines: tuple[int, int] | None
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Errors and warnings `check` reports for the written entry, on a copy of the project with `rel` = `new`.

    Problems elsewhere in the project are not the request's doing and do not stop it.
    """
    from builder.pipeline import Project, load_reader

    report = Report()
    with tempfile.TemporaryDirectory(prefix="counterpoint-annotate-") as tmp:
        copy = Path(tmp)
        for name in ("site.toml",):
            if (root / name).is_file():
                shutil.copy2(root / name, copy / name)
        for folder in ("content", "annotations"):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, copy / folder, symlinks=True)
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_text(new, encoding="utf-8", newline="")
        try:
            load_reader(Project(copy), report)
        except BuildFailed:
            pass

    def mine(d: Diagnostic) -> bool:
        if d.location.path != rel:
            return False
        return lines is None or lines[0] <= d.location.line <= lines[1]

    found = [d for d in report.sorted() if mine(d)]
    return [d for d in found if d.severity == "error"], [d for d in found if d.severity == "warning"]


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step (a hidden temporary file beside it, which the watcher and loaders skip)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def preview(markdown: str) -> str:
    """A note's Markdown as the build renders it (links to texts and terms left as written)."""
    from builder.markdown import render_markdown

    return render_markdown(make_markdown(), markdown)


__all__ = [
    "Annotator",
    "Passage",
    "Refused",
    "State",
    "Written",
    "make_id",
    "preview",
    "selector_for",
    "text_index",
    "unique_selector",
    "yaml_string",
]
