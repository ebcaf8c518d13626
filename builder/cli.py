"""The `counterpoint` command line: flags in, one pipeline call, diagnostics out, exit code (0 ok, 1 input, 2 usage)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from builder import __version__
from builder.diagnostics import FORMATTERS, Report, failure_message, run_reporting
from builder.progress import Progress

LAZY_COMMANDS = {
    "export": "builder.export:export_command",
    "import": "builder.importer:import_command",
    "init": "builder.init:init_command",
    "serve": "builder.serve:serve_command",
    "stats": "builder.stats:stats_command",
}
"""Commands whose modules load only when they run: `counterpoint --version` and a no-change build stay quick."""

project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder.",
)


class _Commands(click.Group):
    """The command group: an exception no stage reported becomes one line and exit 1 (a traceback with --debug).

    The commands of LAZY_COMMANDS are imported when asked for (to run, or for `--help`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            module, _, attr = LAZY_COMMANDS[name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            self.add_command(command, name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(failure_message(exc), err=True)
            ctx.exit(1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterpoint")
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error (to report a bug).")
def main(debug: bool) -> None:
    """Counterpoint builds an interlinked, offline-readable annotated reader."""


@main.command("build")
@project_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: site.toml 'output', else _site/).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--zip", "make_zip", is_flag=True, help="Also write <out>.zip, one archive of the site for offline readers."
)
@click.option("--no-cache", is_flag=True, help="Render every page, ignoring .counterpoint-cache/.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for the per-text work (default: one per core; 1 builds in this process).",
)
@click.option(
    "--epub",
    "epub_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the whole reader as one EPUB 3 file instead of the site.",
)
def build_command(
    project_dir: Path,
    out_dir: Path | None,
    strict: bool,
    make_zip: bool,
    no_cache: bool,
    jobs: int | None,
    epub_file: Path | None,
) -> None:
    """Build the site (or, with --epub, one EPUB of the reader)."""
    from builder.pipeline import Project, build

    if epub_file is not None:
        _build_epub(project_dir, epub_file, strict, out_dir is not None or make_zip)
        return
    project = Project(project_dir)
    report = Report(strict=strict)
    target = out_dir if out_dir is not None else project_dir / _configured_output(project_dir)
    progress = Progress(enabled=sys.stderr.isatty())
    result = run_reporting(
        lambda: build(
            project,
            target,
            report,
            progress,
            use_cache=not no_cache,
            notify=lambda message: click.echo(message, err=True),
            workers=jobs,
        ),
        report,
        "text",
    )
    click.echo(
        f"built {result.files} files into {target} ({result.rendered} pages rendered, {result.reused} unchanged)",
        err=True,
    )
    if make_zip:
        from builder.archive import write_zip

        archive = target.with_name(target.name + ".zip")
        write_zip(target, archive)
        click.echo(f"wrote {archive}", err=True)


def _build_epub(project_dir: Path, epub_file: Path, strict: bool, site_options: bool) -> None:
    """`build --epub FILE`: the book instead of the site (builder/epub.py)."""
    from builder.epub import build_epub
    from builder.pipeline import Project

    if site_options:
        raise click.UsageError("--epub writes a book instead of the site: --out and --zip do not go with it")
    report = Report(strict=strict)
    progress = Progress(enabled=sys.stderr.isatty())
    book = run_reporting(lambda: build_epub(Project(project_dir), epub_file, report, progress), report, "text")
    click.echo(f"wrote {epub_file} ({book.texts} texts, {book.size:,} bytes)", err=True)


def _configured_output(project_dir: Path) -> str:
    """site.toml's `output` (the build itself reports any problem in site.toml)."""
    from builder.config import load_config

    config = load_config(project_dir, Report())
    return config.output if config is not None else "_site"


@main.command("check")
@project_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATTERS)), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--fix", is_flag=True, help="Re-anchor quotes that no longer match, in place; print each change as a diff."
)
@click.option("--dry-run", is_flag=True, help="With --fix: print the diffs and change nothing.")
def check_command(project_dir: Path, fmt: str, strict: bool, fix: bool, dry_run: bool) -> None:
    """Validate everything; write nothing (but quotes, with --fix)."""
    from builder.pipeline import Project, check

    if dry_run and not fix:
        raise click.UsageError("--dry-run goes with --fix")
    if fix:
        from builder.fix import fix_quotes

        fix_quotes(project_dir, not dry_run, lambda text: click.echo(text, err=fmt != "text"), _to_stderr)
    report = Report(strict=strict)
    run_reporting(
        lambda: check(Project(project_dir), report, Progress(enabled=sys.stderr.isatty() and fmt == "text")),
        report,
        fmt,
    )
    if fmt == "text":
        click.echo(f"ok: no errors, {len(report.warnings)} warning(s)")


def _to_stderr(text: str) -> None:
    click.echo(text, err=True)


@main.command("schema")
@click.argument("kind", required=False, type=click.Choice(["notes", "links", "glossary"]))
def schema_command(kind: str | None) -> None:
    """Print the JSON Schema of the annotation files (of one KIND of file, if given)."""
    from builder.schema import annotations_schema, kind_schema

    click.echo(json.dumps(kind_schema(kind) if kind else annotations_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
