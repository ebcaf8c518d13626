"""docs/reference.md and docs/first-reader.md: every example in them is checked, and every link stays in the repository.

How the examples are tagged (the first word of a fence's info string is the language, so
GitHub still highlights them; the rest is for this test):

- ```` ```toml ````: a complete site.toml; `parse_config` must accept it without a problem.
- ```` ```<lang> file=<path> ````: a whole file of a project. In the reference they are
  written over a project made by `counterpoint init`, which must then pass
  `check --strict`; in the walkthrough each is written when the reader reaches it.
- ```` ```yaml append=<path> ```` (walkthrough): lines added at the end of that file.
- ```` ```yaml spec=<name> ````: a fragment, validated against that shape of specs.py.
- ```` ```sh ```` (walkthrough): commands run in order in a temporary folder, each
  expected to exit 0 unless the line ends with `# exits N`; `cd DIR` changes folder.
- ```` ```text output ````: lines the previous command must print, in this order.
- ```` ```text ```` without a tag is prose (a folder tree, a synopsis): not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from helpers import REPO, run_cli

from builder import specs
from builder.cli import main
from builder.config import OPTION_CHOICES, PERSPECTIVE_KEYS, TOP_KEYS, parse_config
from builder.diagnostics import Report
from builder.yamlload import load_document

REFERENCE = REPO / "docs" / "reference.md"
WALKTHROUGH = REPO / "docs" / "first-reader.md"
LINKED_DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", REFERENCE, WALKTHROUGH]
FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
EXITS = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")
SPECS = {
    "front-matter": specs.FRONT_MATTER,
    "anchor": specs.SELECTOR,
    "note": specs.NOTE,
    "link": specs.LINK,
    "term": specs.TERM,
    "notes-file": specs.NOTES_FILE,
    "links-file": specs.LINKS_FILE,
    "glossary-file": specs.GLOSSARY_FILE,
}


@dataclass(frozen=True)
class Example:
    """One fenced block: where it is, its language, its tags and its text."""

    doc: Path
    line: int
    language: str
    tags: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"


def examples(doc: Path) -> list[Example]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        words = match["info"].split()
        language = words[0] if words else ""
        tags = dict(word.partition("=")[::2] for word in words[1:])
        found.append(Example(doc, text.count("\n", 0, match.start()) + 1, language, tags, match["body"]))
    return found


REFERENCE_EXAMPLES = examples(REFERENCE)
WALKTHROUGH_EXAMPLES = examples(WALKTHROUGH)


def _ids(items: list[Example]) -> list[str]:
    return [f"{e.where} {e.language} {' '.join(e.tags)}".strip() for e in items]


def _problems(report: Report) -> list[str]:
    return [f"{d.location.line}:{d.location.column}: {d.message}" for d in [*report.errors, *report.warnings]]


# --- the reference -----------------------------------------------------------------------


def test_every_example_of_the_reference_is_checked() -> None:
    unchecked = [
        e.where
        for e in REFERENCE_EXAMPLES
        if e.language in ("yaml", "markdown")
        and not ({"file", "spec"} & set(e.tags))
        or e.language not in ("yaml", "markdown", "toml", "text", "")
        or (e.language == "text" and e.tags)
    ]
    assert not unchecked, "tag these examples (see this module's docstring) so the suite checks them"
    assert len([e for e in REFERENCE_EXAMPLES if "file" in e.tags]) >= 6


def test_the_reference_project_checks_strictly(tmp_path: Path) -> None:
    """The reference's file examples, written over a project from `init`, pass check --strict."""
    project = tmp_path / "project"
    assert run_cli("init", str(project), "--no-input").exit_code == 0
    for example in REFERENCE_EXAMPLES:
        if "file" in example.tags:
            target = project / example.tags["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.body, encoding="utf-8")
    checked = run_cli("check", "--strict", "--project", str(project))
    assert checked.exit_code == 0, checked.output
    assert "0 warning(s)" in checked.output


@pytest.mark.parametrize(
    "example",
    [e for e in REFERENCE_EXAMPLES if e.language == "toml"],
    ids=_ids([e for e in REFERENCE_EXAMPLES if e.language == "toml"]),
)
def test_toml_examples_are_valid_site_tomls(example: Example) -> None:
    report = Report()
    assert parse_config(example.body, PurePosixPath("site.toml"), report) is not None
    assert not _problems(report), f"{example.where}: {_problems(report)}"


FRAGMENTS = [e for e in REFERENCE_EXAMPLES if "spec" in e.tags]


@pytest.mark.parametrize("example", FRAGMENTS, ids=_ids(FRAGMENTS))
def test_yaml_fragments_have_the_shape_they_illustrate(example: Example) -> None:
    assert example.tags["spec"] in SPECS, f"{example.where}: spec= must be one of {', '.join(SPECS)}"
    report = Report()
    record = load_document(example.body, PurePosixPath("fragment.yaml"), SPECS[example.tags["spec"]], report)
    assert record is not None and not _problems(report), f"{example.where}: {_problems(report)}"


def _mentioned(text: str, word: str) -> bool:
    return f"`{word}`" in text or f"[{word}" in text or f"`{word}:`" in text


def test_the_reference_documents_every_key_of_site_toml() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for key in [*TOP_KEYS, *PERSPECTIVE_KEYS, *OPTION_CHOICES]:
        assert _mentioned(text, key), f"docs/reference.md does not document the site.toml key '{key}'"
    for option, choices in OPTION_CHOICES.items():
        for choice in choices:
            assert f'`"{choice}"`' in text, f"docs/reference.md does not document {option} = {choice!r}"


@pytest.mark.parametrize("shape", ["front matter", "anchor", "note", "link", "link end", "term"])
def test_the_reference_documents_every_key_of_the_files(shape: str) -> None:
    spec = {
        "front matter": specs.FRONT_MATTER,
        "anchor": specs.SELECTOR,
        "note": specs.NOTE,
        "link": specs.LINK,
        "link end": specs.ENDPOINT,
        "term": specs.TERM,
    }[shape]
    text = REFERENCE.read_text(encoding="utf-8")
    missing = [f.name for f in spec.fields if f"`{f.name}`" not in text]
    assert not missing, f"docs/reference.md does not document these keys of a {shape}: {missing}"


def test_the_reference_documents_every_relation_and_term_kind() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    table = re.findall(r"^\| `([a-z-]+)` \| the `from` passage", text, re.M) + re.findall(
        r"^\| `([a-z-]+)` \| (?:argues|accepts|gives|reports)", text, re.M
    )
    assert tuple(table) == specs.RELATIONS
    kinds = next(f.spec for f in specs.TERM.fields if f.name == "kind").choices  # type: ignore[attr-defined]
    assert all(f"`{kind}`" in text for kind in kinds)


def test_the_reference_documents_every_command_and_option() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    synopsis = text.split("## The command line", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    for name, command in sorted(main.commands.items()):
        assert f"counterpoint {name}" in synopsis, f"docs/reference.md: command '{name}' is not in the synopsis"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help", "--project"):
                    assert opt in synopsis, f"docs/reference.md: '{name} {opt}' is not in the synopsis"


# --- the walkthrough ---------------------------------------------------------------------


def _run(line: str, cwd: Path) -> tuple[int, str]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("CI", None)
    done = subprocess.run(
        line, shell=True, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300
    )
    return done.returncode, done.stdout


def test_the_walkthrough_runs(tmp_path: Path) -> None:
    """Every command of docs/first-reader.md, in order, in an empty folder; files written as the reader would."""
    cwd, output, ran = tmp_path, "", 0
    for example in WALKTHROUGH_EXAMPLES:
        if example.language == "sh":
            for line in filter(None, (raw.strip() for raw in example.body.splitlines())):
                expected = EXITS.search(line)
                command = EXITS.sub("", line)
                if command.startswith("cd "):
                    cwd = cwd / shlex.split(command)[1]
                    assert cwd.is_dir(), f"{example.where}: {command}: no such folder"
                    continue
                code, output = _run(command, cwd)
                ran += 1
                wanted = int(expected[1]) if expected else 0
                assert code == wanted, f"{example.where}: `{command}` exited {code}, not {wanted}:\n{output}"
        elif example.tags.get("file"):
            target = cwd / example.tags["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.body, encoding="utf-8")
        elif example.tags.get("append"):
            target = cwd / example.tags["append"]
            before = target.read_text(encoding="utf-8")
            target.write_text(before.rstrip("\n") + "\n" + example.body, encoding="utf-8")
        elif "output" in example.tags:
            position = 0
            for line in example.body.splitlines():
                found = output.find(line, position)
                assert found >= 0, f"{example.where}: the command did not print {line!r}; it printed:\n{output}"
                position = found + len(line)
    assert ran >= 6
    assert (cwd / "_site" / "essays" / "night-crossings.html").is_file()
    assert (cwd / "_site.zip").is_file()


def test_the_walkthrough_tags_are_known() -> None:
    for example in WALKTHROUGH_EXAMPLES:
        known = example.language in ("sh", "text") or {"file", "append"} & set(example.tags)
        assert known, f"{example.where}: an untagged {example.language} example would not be checked"


# --- links -------------------------------------------------------------------------------

LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _anchors(doc: Path) -> set[str]:
    headings = re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", LINKED_DOCS, ids=[d.name for d in LINKED_DOCS])
def test_links_stay_inside_the_repository_and_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text and "DESIGN.md" not in text, f"{doc.name} points outside the repository"
    for target in LINK.findall(text):
        if re.match(r"^(https?|mailto):", target) or target.startswith(("text:", "term:")):
            continue
        path_part, _, fragment = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        assert path.is_relative_to(REPO.resolve()), f"{doc.name}: {target} points outside the repository"
        assert path.exists(), f"{doc.name}: {target} does not exist"
        if fragment and path.suffix == ".md":
            assert fragment in _anchors(path), f"{doc.name}: {target}: no heading makes the anchor #{fragment}"


def test_readme_and_contributing_point_at_the_docs() -> None:
    for doc in (REPO / "README.md", REPO / "CONTRIBUTING.md"):
        text = doc.read_text(encoding="utf-8")
        assert "docs/reference.md" in text and "docs/first-reader.md" in text, doc.name
