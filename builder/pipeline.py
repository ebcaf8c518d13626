"""check() and build(): the order of the stages, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.annotations import load_annotations
from builder.config import load_config
from builder.content import load_texts
from builder.diagnostics import Report
from builder.linking import Reader, link
from builder.markdown import make_markdown
from builder.render import THEME, RenderedPage, render_reader
from builder.textblocks import parse_body
from builder.write import check_output_folder, write_output
from builder.checks import check_footnotes


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


def load_reader(project: Project, report: Report) -> Reader:
    """Every stage up to the linked Reader; stops between stages when there are errors."""
    config = load_config(project.root, report)
    report.raise_if_errors()
    assert config is not None
    texts = load_texts(project.root, config, report)
    annotations = load_annotations(project.root, report)
    report.raise_if_errors()  # nothing can be anchored into a broken file
    md = make_markdown()
    parsed = {t.slug: parse_body(md, t.body, t.body_line) for t in texts}
    check_footnotes(texts, parsed, report)
    reader = link(config, texts, annotations, parsed, report)
    report.raise_if_errors()
    return reader


def check(project: Project, report: Report) -> list[RenderedPage]:
    """Run every stage except writing. `counterpoint check` stops here."""
    reader = load_reader(project, report)
    pages = render_reader(reader, make_markdown(), project.templates_dir, report)
    report.raise_if_errors()
    return pages


def build(project: Project, out_dir: Path, report: Report) -> list[RenderedPage]:
    """Check, then write the site; the previous output stays untouched unless everything succeeded."""
    if not check_output_folder(out_dir, project.root, report):
        report.raise_if_errors()
    pages = check(project, report)
    write_output(pages, [THEME / "static", project.static_dir], out_dir)
    return pages
