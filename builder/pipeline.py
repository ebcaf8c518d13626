"""check() and build(): the order of the stages, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from builder.annotations import load_annotations
from builder.cache import BuildCache, key_of
from builder.checks import check_footnotes
from builder.config import load_config
from builder.content import load_texts
from builder.diagnostics import Report
from builder.linking import Reader, link
from builder.markdown import make_markdown
from builder.progress import Progress
from builder.render import THEME, RenderedPage, render_reader
from builder.textblocks import ParsedText, parse_body
from builder.write import check_output_folder, write_output


@dataclass(frozen=True, slots=True)
class Project:
    """A project folder (DESIGN §1)."""

    root: Path

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"


def load_reader(
    project: Project, report: Report, progress: Progress | None = None, cache: BuildCache | None = None
) -> Reader:
    """Every stage up to the linked Reader; stops between stages when there are errors."""
    progress = progress or Progress()
    config = load_config(project.root, report)
    report.raise_if_errors()
    assert config is not None
    texts = load_texts(project.root, config, report)
    annotations = load_annotations(project.root, report)
    report.raise_if_errors()  # nothing can be anchored into a broken file
    md = make_markdown()
    progress.stage("parsing texts", len(texts))
    parsed, keys = {}, {}
    for text in texts:
        parsed[text.slug], keys[text.slug] = parse_cached(md, text.body, text.body_line, cache)
        progress.advance()
    check_footnotes(texts, parsed, report)
    memo = None
    if cache is not None:
        memo = cache.memo = cache.link_memo()
    reader = link(config, texts, annotations, parsed, report, keys, memo)
    report.raise_if_errors()
    return reader


def parse_cached(md: MarkdownIt, body: str, body_line: int, cache: BuildCache | None) -> tuple[ParsedText, str]:
    """Parse a body, or take it from the cache when the same body was parsed by the same engine."""
    if cache is None:
        return parse_body(md, body, body_line), key_of(body, body_line)
    key, parsed = cache.parsed(body, body_line)
    if parsed is None:
        parsed = parse_body(md, body, body_line)
        cache.store_parsed(key, parsed)
    return parsed, key


def render(
    project: Project, report: Report, progress: Progress | None = None, cache: BuildCache | None = None
) -> Iterator[RenderedPage]:
    """Load, link and render, page by page; rendering problems are in the report when the iterator ends."""
    reader = load_reader(project, report, progress, cache)
    yield from render_reader(reader, make_markdown(), project.templates_dir, report, progress, cache)


def check(project: Project, report: Report, progress: Progress | None = None) -> int:
    """Run every stage except writing (`counterpoint check` stops here); returns the number of pages."""
    count = sum(1 for _ in render(project, report, progress))
    report.raise_if_errors()
    return count


def build(
    project: Project, out_dir: Path, report: Report, progress: Progress | None = None, use_cache: bool = False
) -> BuildResult:
    """Check and write; the previous output stays untouched unless everything succeeded."""
    if not check_output_folder(out_dir, project.root, report):
        report.raise_if_errors()
    cache = BuildCache.open(project.root, out_dir) if use_cache else None
    try:
        written = write_output(
            render(project, report, progress, cache),
            [THEME / "static", project.static_dir],
            out_dir,
            before_swap=report.raise_if_errors,
        )
    finally:
        if progress is not None:
            progress.finish()
    if cache is not None:
        cache.save()
        return BuildResult(written, cache.rendered, cache.reused)
    return BuildResult(written, written, 0)


@dataclass(frozen=True, slots=True)
class BuildResult:
    files: int
    """Files written (pages and data scripts; static files not counted)."""
    rendered: int
    """Pages rendered from their templates this time."""
    reused: int
    """Pages whose inputs had not changed, linked from the previous output."""
