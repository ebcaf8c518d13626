"""The `counterpoint` command line: flags in, one pipeline call, diagnostics out, exit code (0 ok, 1 input, 2 usage)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from builder import __version__
from builder.diagnostics import BuildFailed, Report, format_github, format_json, format_text
from builder.pipeline import Project, build, check

FORMATS = {"text": format_text, "github": format_github, "json": format_json}
project_option = click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                              default=".", show_default=True, help="The project folder.")


def _show(report: Report, fmt: str) -> None:
    diagnostics = report.sorted()
    if fmt == "json":
        click.echo(format_json(diagnostics))
    elif diagnostics:
        click.echo(FORMATS[fmt](diagnostics), err=fmt == "text")


def _run(action, report: Report, fmt: str):  # type: ignore[no-untyped-def]
    try:
        result = action()
    except BuildFailed:
        _show(report, fmt)
        if fmt == "text":
            click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)", err=True)
        raise
    _show(report, fmt)
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterpoint")
def main() -> None:
    """Counterpoint builds an interlinked, offline-readable annotated reader."""


@main.command("build")
@project_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: site.toml 'output', else _site/).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build_command(project_dir: Path, out_dir: Path | None, strict: bool) -> None:
    """Build the site."""
    project = Project(project_dir)
    report = Report(strict=strict)
    target = out_dir if out_dir is not None else project_dir / _configured_output(project_dir)
    pages = _run(lambda: build(project, target, report), report, "text")
    click.echo(f"built {len(pages)} pages into {target}", err=True)


def _configured_output(project_dir: Path) -> str:
    import tomllib

    try:
        value = tomllib.loads((project_dir / "site.toml").read_text(encoding="utf-8")).get("output", "_site")
        return value if isinstance(value, str) else "_site"
    except (OSError, ValueError):
        return "_site"


@main.command("check")
@project_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check_command(project_dir: Path, fmt: str, strict: bool) -> None:
    """Validate everything; write nothing."""
    report = Report(strict=strict)
    _run(lambda: check(Project(project_dir), report), report, fmt)
    if fmt == "text":
        click.echo(f"ok: no errors, {len(report.warnings)} warning(s)", err=True)


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the annotation files."""
    from builder.schema import annotations_schema

    click.echo(json.dumps(annotations_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
