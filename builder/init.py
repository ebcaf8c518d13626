"""`counterpoint init [DIR]`: the skeleton (builder/skeleton/) + a title and perspectives -> a new project folder.

The project it writes passes `counterpoint check --strict` and builds: a commented site.toml,
an example debate of two short texts written for the purpose, a note, a link, two glossary
terms, the annotation files' JSON Schema, .gitignore, a CI workflow and a pre-commit config
pinned to this version. It never overwrites a file: with --force it skips and names it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from string import Template

import click

from builder import __version__, specs
from builder.config import COLOUR
from builder.schema import schema_files

SKELETON = Path(__file__).parent / "skeleton"
SCHEMA_PATH = PurePosixPath("schema/annotations.schema.json")
# Where Counterpoint's own repository is published (for the pre-commit hook and CI). Read from the
# installed package's metadata ([project.urls] Repository); until that is set, a placeholder to replace.
REPOSITORY_PLACEHOLDER = "https://github.com/OWNER/counterpoint"
IGNORED_WHEN_EMPTY = {".git"}  # `git init` first, then `counterpoint init .`, is a normal order


@dataclass(frozen=True)
class PerspectiveSpec:
    """One perspective given as key:Label:#colour."""

    key: str
    label: str
    colour: str


DEFAULT_PERSPECTIVES = (
    PerspectiveSpec("townsfolk", "Townsfolk", "#1f5fa8"),
    PerspectiveSpec("council", "Town council", "#b3261e"),
)
DEFAULT_DESCRIPTIONS = {
    "townsfolk": "Example perspective: people of the invented town writing in their own name.",
    "council": "Example perspective: the invented town's council and its officials.",
}


def parse_perspective(value: str) -> PerspectiveSpec:
    """'key:Label:#colour' -> PerspectiveSpec, or click.BadParameter saying what is wrong."""
    key, sep, rest = value.strip().partition(":")
    label, sep2, colour = rest.rpartition(":")
    if not sep or not sep2:
        raise click.BadParameter(f"'{value}' is not key:Label:#colour (e.g. townsfolk:Townsfolk:#1f5fa8)")
    key, label, colour = key.strip(), label.strip(), colour.strip()
    if not re.fullmatch(specs.SLUG, key):
        raise click.BadParameter(f"perspective key '{key}' is not a valid slug: {specs.SLUG_HINT}")
    if not label:
        raise click.BadParameter(f"perspective '{key}' needs a label: {key}:Label:#colour")
    if not COLOUR.fullmatch(colour):
        raise click.BadParameter(f"colour '{colour}' of perspective '{key}' must be # and six hex digits, e.g. #1f5fa8")
    return PerspectiveSpec(key, label, colour)


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


def _perspectives_toml(perspectives: tuple[PerspectiveSpec, ...]) -> str:
    tables = []
    for p in perspectives:
        lines = [f"[perspectives.{p.key}]", f"label = {_toml_string(p.label)}", f"colour = {_toml_string(p.colour)}"]
        if p.key in DEFAULT_DESCRIPTIONS:
            lines.append(f"description = {_toml_string(DEFAULT_DESCRIPTIONS[p.key])}")
        else:
            lines.append('# description = "What this perspective stands for."')
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def repository_url() -> str:
    """Counterpoint's repository, from the installed package's metadata, else the placeholder."""
    try:
        urls = metadata.metadata("counterpoint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        name, _, url = entry.partition(",")
        if name.strip().lower() in ("repository", "source", "source code"):
            return str(url).strip()
    return REPOSITORY_PLACEHOLDER


def skeleton_files(title: str, perspectives: tuple[PerspectiveSpec, ...]) -> dict[PurePosixPath, str]:
    """Every file of a new project: relative path -> text (templates filled in, the schema generated)."""
    repository = repository_url()
    values = {
        "version": __version__,
        "title": _toml_string(title),
        "perspectives": _perspectives_toml(perspectives),
        "first_perspective": perspectives[0].key,
        "second_perspective": perspectives[-1].key if len(perspectives) < 2 else perspectives[1].key,
        "repository": repository,
        "requirement": f"counterpoint @ git+{repository}@v{__version__}",
    }
    files: dict[PurePosixPath, str] = {}
    for path in sorted(SKELETON.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or "__pycache__" in path.parts:
            continue
        rel = PurePosixPath(path.relative_to(SKELETON).as_posix())
        text = path.read_text(encoding="utf-8")
        if rel.suffix == ".tmpl":
            rel = rel.with_suffix("")
            text = Template(text).substitute(values)
        # dotfiles are kept as dot-<name> so that package data globs and editors see them
        rel = PurePosixPath(*("." + part[4:] if part.startswith("dot-") else part for part in rel.parts))
        files[rel] = text
    for name, schema in schema_files().items():
        files[SCHEMA_PATH.with_name(name)] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return dict(sorted(files.items()))


def write_project(root: Path, files: dict[PurePosixPath, str]) -> tuple[list[PurePosixPath], list[PurePosixPath]]:
    """Write each file that does not exist yet: (written, skipped). Never replaces a file."""
    written, skipped = [], []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": fail rather than overwrite
                handle.write(text)
        except FileExistsError:
            skipped.append(rel)
        else:
            written.append(rel)
    return written, skipped


def _prompt_perspectives() -> tuple[PerspectiveSpec, ...]:
    click.echo("Perspectives are the points of view your texts come from, written key:Label:#colour.")
    chosen = []
    for n, default in enumerate(DEFAULT_PERSPECTIVES, 1):
        text = f"{default.key}:{default.label}:{default.colour}"
        chosen.append(click.prompt(f"Perspective {n}", default=text, value_proc=parse_perspective))
    while True:
        more = click.prompt("Another perspective (empty to finish)", default="", show_default=False)
        if not more.strip():
            return tuple(chosen)
        try:
            chosen.append(parse_perspective(more))
        except click.BadParameter as exc:
            click.echo(f"Error: {exc.message}", err=True)


def _check_folder(root: Path, force: bool) -> None:
    if root.exists() and not root.is_dir():
        raise click.UsageError(f"{root} is a file, not a folder")
    present = sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    if any(name not in IGNORED_WHEN_EMPTY for name in present) and not force:
        shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
        raise click.UsageError(
            f"{root} is not empty ({shown}); choose an empty or new folder, or pass --force to add the "
            "missing files (existing files are never overwritten)"
        )


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@click.option("--title", help="The reader's title (asked if not given).")
@click.option(
    "--perspective",
    "perspective_values",
    multiple=True,
    metavar="KEY:LABEL:#COLOUR",
    help="A perspective, e.g. townsfolk:Townsfolk:#1f5fa8; repeat for each (asked if none given).",
)
@click.option("--no-input", is_flag=True, help="Ask nothing: use the defaults for what no option gives.")
@click.option(
    "--force", is_flag=True, help="Write into a non-empty folder; existing files are skipped, never replaced."
)
def init_command(
    directory: Path, title: str | None, perspective_values: tuple[str, ...], no_input: bool, force: bool
) -> None:
    """Start a new project in DIRECTORY (default: here) that checks and builds."""
    _check_folder(directory, force)
    try:
        perspectives = tuple(parse_perspective(value) for value in perspective_values)
    except click.BadParameter as exc:
        exc.param_hint = "'--perspective'"
        raise
    if title is None:
        title = "My reader" if no_input else click.prompt("Title of the reader", default="My reader")
    if not title.strip():
        raise click.BadParameter("the title cannot be empty", param_hint="'--title'")
    if not perspectives:
        perspectives = DEFAULT_PERSPECTIVES if no_input else _prompt_perspectives()
    keys = [p.key for p in perspectives]
    if len(set(keys)) != len(keys):
        raise click.BadParameter("each perspective needs its own key", param_hint="'--perspective'")
    written, skipped = write_project(directory, skeleton_files(title.strip(), perspectives))
    click.echo(f"counterpoint {__version__}: wrote {len(written)} file(s) in {directory}")
    for rel in written:
        click.echo(f"  {rel}")
    for rel in skipped:
        click.echo(f"skipped {rel}: it already exists (not overwritten)", err=True)
    go = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(
        f"next: {go}counterpoint check --strict && counterpoint build, then open _site/index.html "
        "(the texts in content/ are examples, to replace with your own)"
    )
