"""annotations/** (YAML) -> Annotations(notes, links, terms), shapes checked and ids unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from builder import specs
from builder.diagnostics import Location, Report
from builder.model import Annotations, Link, Note, Selector, Term
from builder.projectfs import list_files, read_text, relative
from builder.yamlload import ListOf, LocatedList, Obj, Record, load_document

if TYPE_CHECKING:
    from builder.store import FileMemo


def load_annotations(root: Path, report: Report, memo: FileMemo | None = None) -> Annotations:
    """Read notes/, links.yaml + links/, glossary.yaml; every problem is recorded, none stops the others."""
    folder = root / "annotations"
    files = {
        PurePosixPath(path.relative_to(folder).as_posix()): path
        for path in list_files(root, "annotations", report)
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }
    notes_files = [p for rel, p in files.items() if _is_yaml_in(rel, "notes")]
    link_files = [p for rel, p in files.items() if rel == PurePosixPath("links.yaml") or _is_yaml_in(rel, "links")]
    glossary = files.get(PurePosixPath("glossary.yaml"))
    known = {*notes_files, *link_files, glossary}
    _unexpected_files([rel for rel, p in files.items() if p not in known], report)
    notes = [n for path in notes_files for n in _remembered(memo, root, path, Note, report, _load_notes)]
    links = [link for path in link_files for link in _remembered(memo, root, path, Link, report, _load_links)]
    terms = _remembered(memo, root, glossary, Term, report, _load_terms) if glossary is not None else []
    _unique(((f"{n.essay}#{n.id}", n.location, f"note id '{n.id}'") for n in notes), report)
    _unique(((link.id, link.location, f"link id '{link.id}'") for link in links), report)
    _unique(((t.id, t.location, f"term id '{t.id}'") for t in terms), report)
    _unique_phrases(terms, report)
    return Annotations(tuple(notes), tuple(links), tuple(terms))


E = TypeVar("E", Note, Link, Term)


def _remembered(
    memo: FileMemo | None,
    root: Path,
    path: Path,
    cls: type[E],
    report: Report,
    load: Callable[[Path, Path, Report], list[E]],
) -> list[E]:
    """One file's entries: loaded, or taken from `memo` when its bytes loaded cleanly before."""
    if memo is None:
        return load(root, path, report)
    return memo.load(root, path, "", cls, report, partial(load, root, path, report))


def _is_yaml_in(rel: PurePosixPath, folder: str) -> bool:
    return len(rel.parts) == 2 and rel.parts[0] == folder and rel.suffix == ".yaml"


def _unexpected_files(stray: list[PurePosixPath], report: Report) -> None:
    """A note in a misnamed file would be silently dropped: say so instead."""
    for rel in stray:
        hint = (
            "move it: notes go in annotations/notes/<essay-slug>.yaml, links in annotations/links.yaml "
            "or annotations/links/<name>.yaml, terms in annotations/glossary.yaml"
        )
        if rel.suffix == ".yml":
            hint = f"rename it to {rel.with_suffix('.yaml').name}"
        report.error(
            Location(PurePosixPath("annotations") / rel),
            "file is in a place counterpoint does not read, so its contents would be ignored",
            hint,
            code="stray-file",
        )


def _entries(root: Path, path: Path, spec: Obj, noun: str, report: Report) -> list[Record]:
    """The clean, complete entries of one annotation file; the rest is recorded as not checked.

    An entry with a problem is left out whole (a note whose `sufix:` was dropped would
    otherwise be anchored without it and fail again, for the wrong reason).
    """
    rel = relative(root, path)
    key = spec.fields[0].name
    before = len(report.diagnostics)
    text = read_text(root, path, report)
    record = None if text is None else load_document(text, rel, spec, report)
    if record is None or key not in record.values:
        codes = {d.code for d in report.diagnostics[before:]}
        reason = _why_unread(text, codes, key)
        if reason:
            report.not_checked(f"{_count(_estimate_entries(text or ''), noun)} of {rel} ({reason})")
        return []
    entries: list[Record] = list(record.values[key])
    kept = [e for e in entries if e.clean and all(f.name in e.values for f in _item_spec(spec).fields if f.required)]
    left_out = len(entries) - len(kept)
    if left_out:
        whose = "its entry has" if left_out == 1 else "their entries have"
        report.not_checked(f"{_count(left_out, noun)} of {rel} ({whose} errors)")
    return kept


def _item_spec(spec: Obj) -> Obj:
    items = spec.fields[0].spec
    assert isinstance(items, ListOf) and isinstance(items.item, Obj)
    return items.item


def _why_unread(text: str | None, codes: set[str], key: str) -> str:
    """Why a file's entries could not be read at all ("" when it has none to read)."""
    if text is None:
        return "the file could not be read"
    if "yaml-syntax" in codes:
        return "the file has a YAML syntax error"
    if "file-too-large" in codes:
        return "the file is too large"
    if codes - {"empty"}:
        return f"its '{key}:' list could not be read"
    return ""


def _estimate_entries(text: str) -> int:
    """How many entries a file that could not be parsed seems to hold: its least indented `- ` lines."""
    dashes = [len(m.group(1)) for m in re.finditer(r"^( *)- ", text, re.M)]
    return sum(1 for d in dashes if d == min(dashes)) if dashes else 0


def _count(n: int, noun: str) -> str:
    if n == 0:
        return f"the {noun}s"
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _selector(record: Record, essay: str) -> Selector:
    return Selector(
        essay,
        record.get("quote", ""),
        record.get("prefix", ""),
        record.get("suffix", ""),
        record.loc("quote"),
        record.locations.get("essay"),
    )


def _load_notes(root: Path, path: Path, report: Report) -> list[Note]:
    essay = path.stem
    return [
        Note(n.get("id"), essay, _selector(n.get("at"), essay), n.get("body"), n.loc("id"))
        for n in _entries(root, path, specs.NOTES_FILE, "note", report)
    ]


def _load_links(root: Path, path: Path, report: Report) -> list[Link]:
    return [
        Link(
            r.get("id"),
            r.get("relation"),
            _selector(r.get("from"), r.get("from").get("essay")),
            _selector(r.get("to"), r.get("to").get("essay")),
            r.get("note", ""),
            r.loc("id"),
        )
        for r in _entries(root, path, specs.LINKS_FILE, "link", report)
    ]


def _load_terms(root: Path, path: Path, report: Report) -> list[Term]:
    before = len(report.skipped)
    kept = _entries(root, path, specs.GLOSSARY_FILE, "term", report)
    if len(report.skipped) > before:  # a reference to a term left out is not checked either
        for term_id in _term_ids(root, path) or ["*"]:
            report.mark_unavailable("term", term_id)
    terms = []
    for r in kept:
        see = r.get("see", [])
        match = r.get("match", [])
        terms.append(
            Term(
                r.get("id"),
                r.get("term"),
                r.get("definition"),
                r.loc("id"),
                r.get("kind", "concept"),
                r.get("expansion", ""),
                tuple(match),
                tuple(see),
                _item_locations(see, r.loc("see")),
                _item_locations(match, r.loc("match")),
            )
        )
    return terms


def _term_ids(root: Path, path: Path) -> list[str]:
    """The ids written in a glossary that could not be fully read, found line by line (a YAML error may stop a parser)."""
    text = read_text(root, path, Report()) or ""
    return re.findall(r"^[ -]*id:\s*['\"]?([a-z0-9]+(?:-[a-z0-9]+)*)['\"]?\s*$", text, re.M)


def _item_locations(items: list[Any], default: Location) -> tuple[Location, ...]:
    """Where each item of a list was written (its list's place if not known)."""
    if isinstance(items, LocatedList):
        return tuple(items.location(i, default) for i in range(len(items)))
    return (default,) * len(items)


def _unique(items: Iterable[tuple[str, Location, str]], report: Report) -> None:
    seen: dict[str, Location] = {}
    for key, location, what in items:
        if key in seen:
            first = seen[key]
            report.error(
                location,
                f"duplicate {what}",
                f"ids must be unique: the first is at {first}; rename one of them",
                code="duplicate-id",
            )
        else:
            seen[key] = location


def _phrase_key(phrase: str) -> str:
    """How the glossary compares phrases: case-insensitive, Unicode-normalised, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", phrase).casefold().split())


def _unique_phrases(terms: list[Term], report: Report) -> None:
    """A phrase matched by two terms would silently link to one of them: name both."""
    owners: dict[str, tuple[Term, Location]] = {}
    for term in terms:
        written = tuple(zip(term.match, term.match_locations)) or ((term.term, term.location),)
        for phrase, location in written:
            key = _phrase_key(phrase)
            first = owners.setdefault(key, (term, location))
            if first[0].id != term.id:
                report.error(
                    location,
                    f"match phrase '{phrase}' of term '{term.id}' is also a phrase of term '{first[0].id}'",
                    f"a phrase can link to one term only: '{first[0].id}' has it at {first[1]}; "
                    "remove it from one of the two terms",
                    code="duplicate-phrase",
                )
