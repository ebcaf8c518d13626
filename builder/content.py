"""content/*.md -> Texts (essays, debates, pages): front matter validated, body kept with its first line."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from builder import specs
from builder.diagnostics import Location, Report
from builder.model import Author, SiteConfig, Text
from builder.projectfs import list_files, read_text, relative
from builder.yamlload import Record, load_document

if TYPE_CHECKING:
    from builder.store import FileMemo

FENCE = "---"


def load_texts(root: Path, config: SiteConfig, report: Report, memo: FileMemo | None = None) -> list[Text]:
    """Every content file, sorted by slug; a bad file is reported and skipped."""
    folder = root / "content"
    if not folder.is_dir():
        report.error(
            Location(PurePosixPath("content")),
            "content/ folder not found",
            "create content/ with one Markdown file per text",
            code="no-content",
        )
        report.mark_unavailable("text", "*")
        report.not_checked("annotations/ (there are no texts to anchor them in)")
        return []
    texts = []
    for path in list_files(root, "content", report, suffixes=(".md",), recursive=False):
        before = len(report.diagnostics)
        if memo is not None:  # an unchanged file that loaded cleanly before is not parsed again
            loaded = memo.load(root, path, repr(config), Text, report, partial(_as_list, root, path, config, report))
            text = loaded[0] if loaded else None
        else:
            text = load_text(root, path, config, report)
        if text is not None:
            texts.append(text)
        elif re.fullmatch(specs.SLUG, path.stem):  # it exists: what names it is not checked, never "unknown"
            report.mark_unavailable("text", path.stem)
            report.not_checked(f"{relative(root, path)} ({_why_unread(report, before)})")
    return texts


def _as_list(root: Path, path: Path, config: SiteConfig, report: Report) -> list[Text]:
    text = load_text(root, path, config, report)
    return [] if text is None else [text]


def _why_unread(report: Report, before: int) -> str:
    codes = {d.code for d in report.diagnostics[before:]}
    if "yaml-syntax" in codes:
        return "its front matter has a YAML syntax error"
    if "front-matter" in codes:
        return "its front matter could not be found"
    if codes & {"encoding", "file-too-large", "not-a-file", "outside-project", "unreadable"}:
        return "the file could not be read"
    return "its front matter could not be read"


def load_text(root: Path, path: Path, config: SiteConfig, report: Report) -> Text | None:
    """One content file -> Text, or None with diagnostics recorded."""
    rel = relative(root, path)
    slug = path.stem
    if not re.fullmatch(specs.SLUG, slug):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", slug.lower())) or "my-text"
        report.error(
            Location(rel),
            f"file name '{path.name}' is not a valid slug",
            f"rename it to {suggestion}.md: the slug (the name without .md) becomes the page's address; "
            + specs.SLUG_HINT,
            code="bad-slug",
        )
        return None
    raw = read_text(root, path, report)
    if raw is None:
        return None
    split = split_front_matter(raw, rel, report)
    if split is None:
        return None
    front, body, body_line = split
    record = load_document(front, rel, specs.FRONT_MATTER, report, line_offset=1)
    if record is None:
        return None
    _check_front_matter(record, config, report)
    return _text_from(record, slug, rel, body, body_line)


def split_front_matter(raw: str, rel: PurePosixPath, report: Report) -> tuple[str, str, int] | None:
    """Split `---` YAML `---` from the Markdown body; the body keeps its real first line number."""
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        report.error(
            Location(rel, 1, 1),
            "content file does not start with front matter",
            "begin the file with a line '---', the YAML front matter (title: ...), and another '---'",
            code="front-matter",
        )
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == FENCE:
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    report.error(
        Location(rel, 1, 1),
        "front matter is not closed",
        "add a line '---' after the last front-matter key",
        code="front-matter",
    )
    return None


def _check_front_matter(record: Record, config: SiteConfig, report: Report) -> None:
    kind = record.get("kind", "essay")
    perspective = record.get("perspective")
    if perspective is not None and config.perspective(perspective) is None:
        keys = [p.key for p in config.perspectives]
        report.error(
            record.loc("perspective"),
            f"unknown perspective '{perspective}'",
            _choices_hint(perspective, keys, "site.toml [perspectives] defines"),
            code="unknown-reference",
        )
    if kind == "essay" and perspective is None:
        report.warning(
            record.location,
            "essay has no 'perspective'",
            "add perspective: <key of [perspectives] in site.toml>",
            code="missing-key",
        )
    wrong_kind = {"essays": "debate", "debates": "essay"}
    for key, wanted in wrong_kind.items():
        if key in record.locations and kind != wanted:
            article = "an" if kind == "essay" else "a"
            report.error(
                record.loc(key),
                f"'{key}' belongs in a {wanted}'s front matter, not in {article} {kind}'s",
                f"set kind: {wanted}, or remove '{key}'",
                code="bad-value",
            )
    if kind == "debate" and not record.get("essays"):
        report.error(
            record.location,
            "a debate needs 'essays': the opposing essays in reading order",
            "add essays: [slug-a, slug-b]",
            code="missing-key",
        )


def _choices_hint(value: str, choices: list[str], prefix: str) -> str:
    import difflib

    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    listed = ", ".join(choices) or "none"
    return (f"did you mean '{close[0]}'? " if close else "") + f"{prefix}: {listed}"


def _text_from(record: Record, slug: str, rel: PurePosixPath, body: str, body_line: int) -> Text:
    authors = tuple(Author(a.get("name", ""), a.get("affiliation", "")) for a in record.get("authors", []))
    return Text(
        slug=slug,
        kind=record.get("kind", "essay"),
        title=record.get("title", slug),
        path=rel,
        body=body,
        body_line=body_line,
        authors=authors,
        perspective=record.get("perspective", ""),
        outlet=record.get("outlet", ""),
        date=record.get("date", ""),
        source=record.get("source", ""),
        # a list under the other kind's key was reported (`_check_front_matter`) and is not followed
        debates=tuple(record.get("debates", ())) if record.get("kind", "essay") == "essay" else (),
        essays=tuple(record.get("essays", ())) if record.get("kind", "essay") == "debate" else (),
        parent=record.get("parent", ""),
        order=record.get("order"),
        unresolved_refs=record.get("unresolved_refs", False),
        summary=record.get("summary", ""),
        short_title=record.get("short_title", ""),
        locations=dict(record.locations) | {"": record.location},
        item_locations={key: tuple(getattr(record.get(key), "locations", ())) for key in ("debates", "essays")},
    )
