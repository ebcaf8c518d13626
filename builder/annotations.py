"""annotations/** (YAML) -> Annotations(notes, links, terms), shapes checked and ids unique."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from builder import specs
from builder.diagnostics import Location, Report
from builder.model import Annotations, Link, Note, Selector, Term
from builder.projectfs import list_files, read_text, relative
from builder.yamlload import LocatedList, Obj, Record, load_document


def load_annotations(root: Path, report: Report) -> Annotations:
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
    _unexpected_files(
        [rel for rel, p in files.items() if p not in notes_files and p not in link_files and p != glossary], report
    )
    notes = [n for path in notes_files for n in _load_notes(root, path, report)]
    links = [link for path in link_files for link in _load_links(root, path, report)]
    terms = _load_terms(root, glossary, report) if glossary is not None else []
    _unique(((f"{n.essay}#{n.id}", n.location, f"note id '{n.id}'") for n in notes), report)
    _unique(((link.id, link.location, f"link id '{link.id}'") for link in links), report)
    _unique(((t.id, t.location, f"term id '{t.id}'") for t in terms), report)
    _unique_phrases(terms, report)
    return Annotations(tuple(notes), tuple(links), tuple(terms))


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


def _load(root: Path, path: Path, spec: Obj, report: Report) -> tuple[PurePosixPath, Record | None]:
    rel = relative(root, path)
    text = read_text(root, path, report)
    return rel, (None if text is None else load_document(text, rel, spec, report))


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
    rel, record = _load(root, path, specs.NOTES_FILE, report)
    if record is None:
        return []
    essay = path.stem
    return [
        Note(n.get("id"), essay, _selector(n.get("at"), essay), n.get("body"), n.loc("id"))
        for n in record.get("notes", [])
        if _complete(n, ("id", "at", "body"))
    ]


def _load_links(root: Path, path: Path, report: Report) -> list[Link]:
    _, record = _load(root, path, specs.LINKS_FILE, report)
    if record is None:
        return []
    return [
        Link(
            r.get("id"),
            r.get("relation"),
            _selector(r.get("from"), r.get("from").get("essay")),
            _selector(r.get("to"), r.get("to").get("essay")),
            r.get("note", ""),
            r.loc("id"),
        )
        for r in record.get("links", [])
        if _complete(r, ("id", "relation", "from", "to"))
        and _complete(r.get("from"), ("essay", "quote"))
        and _complete(r.get("to"), ("essay", "quote"))
    ]


def _load_terms(root: Path, path: Path, report: Report) -> list[Term]:
    _, record = _load(root, path, specs.GLOSSARY_FILE, report)
    if record is None:
        return []
    terms = []
    for r in record.get("terms", []):
        if not _complete(r, ("id", "term", "definition")):
            continue
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


def _item_locations(items: list[Any], default: Location) -> tuple[Location, ...]:
    """Where each item of a list was written (its list's place if not known)."""
    if isinstance(items, LocatedList):
        return tuple(items.location(i, default) for i in range(len(items)))
    return (default,) * len(items)


def _complete(record: Record | None, keys: Iterable[str]) -> bool:
    """Only fully valid records go on; the validator has already reported what is missing."""
    return record is not None and all(key in record.values for key in keys)


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
