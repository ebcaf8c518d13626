"""check() and build(): the order of the stages, nothing else.

    load (site.toml, texts, annotations, static files)
    -> per-text work (parse, anchor, find terms, render the body; in parallel, each text once)
    -> resolve (join the texts' results: both ends of every link, checks across texts)
    -> render (fill the pages' templates)
    -> write (a staging folder swapped in place of the output)

Caching lives at the edges: per-text results come from the store when the text's key
is there, and the writer keeps a page of the previous output when its inputs did not
change. The stages themselves neither know nor care.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.diagnostics import Report
from builder.keys import engine_fingerprint, key_of
from builder.progress import Progress
from builder.static_files import StaticFile, collect_static
from builder.store import CacheUnusable, FileMemo, PageLedger, Store, inputs_snapshot

if TYPE_CHECKING:  # the stages' own modules load when a stage runs: a build with nothing to do needs none
    from builder.linking import Reader
    from builder.model import Annotations, SiteConfig, Text
    from builder.textwork import Shared, TextJob, TextResult

if TYPE_CHECKING:
    from builder.render import RenderedPage, Renderer

THEME = Path(__file__).parent / "theme"
PARALLEL_FROM = 16
"""Fewer texts to process than this are processed in this process (starting workers costs more)."""


@dataclass(frozen=True, slots=True)
class Project:
    """A project folder (docs/reference.md §1)."""

    root: Path

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything read from the project folder, validated."""

    config: SiteConfig
    texts: list[Text]
    annotations: Annotations
    static: list[StaticFile]


@dataclass(frozen=True, slots=True)
class Processed:
    """The resolved reader and where each text's body template is kept."""

    reader: Reader
    body_keys: dict[str, str]
    store: Store
    term_keys: dict[str, str] = dataclasses.field(default_factory=dict)
    """Per text, a hash of what its glossary occurrences depend on (its words, the phrases, the option)."""


def load(project: Project, report: Report, skip_static: Path | None = None, memo: FileMemo | None = None) -> Sources:
    """Stage 1: read and validate every input; a broken file stops only what depends on it.

    `memo`, when given, remembers files that loaded cleanly by their bytes (incremental builds)."""
    from builder.annotations import load_annotations
    from builder.config import load_config
    from builder.content import load_texts

    config = load_config(project.root, report)
    if config is None:  # texts are read in its light (perspectives, options): nothing else can be checked
        if (project.root / "site.toml").exists():
            report.not_checked("content/ and annotations/ (site.toml has errors)")
        report.raise_if_errors()
    assert config is not None
    texts = load_texts(project.root, config, report, memo)
    annotations = load_annotations(project.root, report, memo)
    if memo is not None:
        memo.flush()
    static = collect_static(THEME / "static", project.root, report, skip=skip_static)
    _not_checked_in_broken_texts(annotations, report)
    # No stop here: the rest is checked, and whatever names a broken file is skipped, not called unknown.
    return Sources(config, texts, annotations, static)


def _not_checked_in_broken_texts(annotations: Annotations, report: Report) -> None:
    """Notes and links anchored in a text that could not be loaded are not checked: say how many."""
    for slug in sorted(report.unavailable.get("text", ())):
        notes = sum(1 for n in annotations.notes if n.essay == slug)
        links = sum(1 for x in annotations.links if slug in (x.source.essay, x.target.essay))
        counted = [f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in ((notes, "note"), (links, "link")) if n]
        if counted:
            report.not_checked(f"{' and '.join(counted)} anchored in '{slug}' (its file could not be loaded)")


def process(
    sources: Sources, report: Report, store: Store, progress: Progress, workers: int | None = None
) -> Processed:
    """Stages 2 and 3: each text processed once (from the store when unchanged), then joined."""
    from builder.linking import plan, resolve

    jobs, shared = plan(sources.config, sources.texts, sources.annotations, report)
    engine = store.engine
    shared_key = shared.key
    keys = {job.text.slug: job.key(shared_key, engine) for job in jobs}
    results: dict[str, TextResult] = {}
    todo: list[TextJob] = []
    for job in jobs:
        cached = store.text(keys[job.text.slug])
        if cached is None:
            todo.append(job)
        else:
            results[job.text.slug] = cached
    progress.stage("processing texts", len(todo))
    batch: list[tuple[str, TextResult, str]] = []
    for result, body in _run(todo, shared, workers):
        results[result.slug] = result
        batch.append((keys[result.slug], result, body))
        progress.advance()
        if len(batch) >= 64:
            store.put_texts(batch)
            batch = []
    store.put_texts(batch)
    # every body is rendered and stored: the texts live on without theirs (a big project's largest part)
    texts = [dataclasses.replace(text, body="") for text in sources.texts]
    reader = resolve(sources.config, texts, sources.annotations, results, report)
    report.raise_if_errors()
    term_keys = {job.text.slug: key_of(job.text.body, job.text.body_line, shared_key) for job in jobs}
    return Processed(reader, keys, store, term_keys)


_JOBS: list[TextJob] = []
_SHARED: Shared | None = None


def _work(index: int) -> tuple[TextResult, str]:
    from builder.textwork import process_text

    assert _SHARED is not None
    return process_text(_JOBS[index], _SHARED)


def _run(jobs: list[TextJob], shared: Shared, workers: int | None) -> Iterator[tuple[TextResult, str]]:
    """Each job's result, in order; on every core for many jobs (workers inherit the jobs by fork)."""
    from builder.textwork import process_text

    global _JOBS, _SHARED
    count = workers if workers is not None else len(os.sched_getaffinity(0))
    few = workers is None and len(jobs) < PARALLEL_FROM  # an explicit number of workers is always used
    if count <= 1 or few or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            yield process_text(job, shared)
        return
    _JOBS, _SHARED = jobs, shared
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(_work, range(len(jobs)), chunksize=max(1, min(16, len(jobs) // (count * 8))))
    finally:
        _JOBS, _SHARED = [], None


def renderer_for(project: Project, processed: Processed, report: Report, ledger: PageLedger | None = None) -> Renderer:
    """The Renderer of a processed project, its bodies read from the store they were kept in."""
    from builder.markdown import make_markdown
    from builder.render import Renderer

    store = processed.store
    return Renderer(
        processed.reader,
        make_markdown(),
        project.templates_dir,
        report,
        bodies=lambda slug: store.body(processed.body_keys[slug]),
        body_keys=processed.body_keys,
        term_keys=processed.term_keys,
        ledger=ledger,
        site_key=key_of(store.engine, _templates_key(project)) if ledger is not None else "",
    )


def render_pages(
    project: Project, processed: Processed, report: Report, progress: Progress, ledger: PageLedger | None
) -> Iterator[RenderedPage]:
    """Stage 4: every page, one at a time."""
    from builder.render import render_reader

    yield from render_reader(renderer_for(project, processed, report, ledger), progress)


def _templates_key(project: Project) -> str:
    """A hash of the project's own templates (read as the renderer reads them: through projectfs)."""
    from builder.projectfs import list_files, read_file

    parts = []
    for path in list_files(project.root, "templates", Report()):
        data = read_file(project.root, path, Report())
        parts.append([path.relative_to(project.root).as_posix(), key_of((data or b"").hex())])
    return key_of(parts)


@contextlib.contextmanager
def processed_once(project: Project, report: Report, progress: Progress) -> Iterator[tuple[Sources, Processed]]:
    """Load and process the project with nothing cached or written: for `check`, `stats`, `export`, EPUB.

    The bodies live in a temporary store, removed when the block ends."""
    sources = load(project, report)
    store = Store.temporary(engine_fingerprint())
    try:
        yield sources, process(sources, report, store, progress)
    finally:
        store.close()


def load_reader(project: Project, report: Report) -> Reader:
    """Every stage up to the resolved Reader, with nothing cached or written (stats, export)."""
    with processed_once(project, report, Progress()) as (_, processed):
        return processed.reader


def check(project: Project, report: Report, progress: Progress | None = None) -> int:
    """Run every stage except writing (`counterpoint check` stops here); returns the number of pages."""
    progress = progress or Progress()
    with processed_once(project, report, progress) as (_, processed):
        count = sum(1 for _ in render_pages(project, processed, report, progress, None))
    report.raise_if_errors()
    return count


def build(
    project: Project,
    out_dir: Path,
    report: Report,
    progress: Progress | None = None,
    use_cache: bool = False,
    notify: Callable[[str], None] = lambda message: None,
    workers: int | None = None,
) -> BuildResult:
    """Check and write; the previous output stays untouched unless everything succeeded."""
    from builder.write import build_id_of, check_output_folder, output_lock, write_output

    progress = progress or Progress()
    if not check_output_folder(out_dir, project.root, report):
        report.raise_if_errors()
    with output_lock(out_dir, notify):
        engine = engine_fingerprint()
        store = Store.open(project.root, out_dir, engine, notify) if use_cache else Store.temporary(engine)
        try:
            inputs = inputs_snapshot(project.root, str(report.strict)) if store.persistent else ""
            try:
                last = store.unchanged(inputs, build_id_of(out_dir)) if inputs else None
            except CacheUnusable:
                last = None
            if last is not None:  # nothing changed since the build that wrote this output
                report.diagnostics.extend(last)
                report.raise_if_errors()
                pages = len(store.pages())
                return BuildResult(pages, 0, pages)
            mark = report.mark()
            try:
                memo = FileMemo(store) if store.persistent else None
                sources = load(project, report, skip_static=out_dir, memo=memo)
                processed = process(sources, report, store, progress, workers)
            except CacheUnusable as exc:  # a row went bad after the file was opened: start afresh
                notify(f"warning: discarded the cache: {exc}; this build starts afresh")
                report.rewind(mark)
                store.close()
                store.path.unlink(missing_ok=True)
                store = Store.temporary(engine)
                sources = load(project, report, skip_static=out_dir)
                processed = process(sources, report, store, progress, workers)
            ledger = PageLedger(out_dir.absolute())
            if use_cache and store.persistent and store.build_id and store.build_id == build_id_of(out_dir):
                ledger.previous = store.pages()
            static_key = _static_key(sources.static)
            if store.persistent:
                store.forget_output()
            written = write_output(
                render_pages(project, processed, report, progress, ledger),
                sources.static,
                out_dir,
                build_id=lambda: ledger.build_id(static_key),
                before_swap=report.raise_if_errors,
            )
            if store.persistent:
                store.record_output(ledger.build_id(static_key), ledger.written, inputs, report.diagnostics)
        finally:
            store.close()
            progress.finish()
    return BuildResult(written, ledger.rendered, ledger.reused)


def _static_key(files: list[StaticFile]) -> str:
    """A hash of the static files' names and bytes (part of the build id)."""
    digest = hashlib.sha256()
    for target, source in files:
        digest.update(f"{target}\0".encode())
        try:
            with open(source, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class BuildResult:
    files: int
    """Files written (pages and data scripts; static files not counted)."""
    rendered: int
    """Pages rendered from their templates this time."""
    reused: int
    """Pages whose inputs had not changed, linked from the previous output."""
