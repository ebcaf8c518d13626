"""The committed JSON Schema is the one `counterpoint schema` prints, and every annotation file points editors at it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import REPO, run_cli

SCHEMAS = REPO / "schema"
SCHEMA = SCHEMAS / "annotations.schema.json"
KINDS = ("notes", "links", "glossary")


def test_committed_schemas_match_the_validator() -> None:
    printed = json.loads(run_cli("schema").output)
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == printed, (
        "regenerate with: counterpoint schema > schema/annotations.schema.json"
    )
    for kind in KINDS:
        printed = json.loads(run_cli("schema", kind).output)
        assert json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")) == printed, (
            f"regenerate with: counterpoint schema {kind} > schema/{kind}.schema.json"
        )


def _kind_of(path: Path) -> str:
    return (
        "notes"
        if path.parent.name == "notes"
        else "links"
        if "links" in path.parts[-2:] or path.stem == "links"
        else "glossary"
    )


def test_every_annotation_file_names_the_schema_of_its_kind() -> None:
    for path in sorted((REPO / "annotations").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        relative = Path(os.path.relpath(SCHEMAS / f"{_kind_of(path)}.schema.json", path.parent)).as_posix()
        assert first == f"# yaml-language-server: $schema={relative}", path


def test_schema_rejects_what_check_rejects() -> None:
    """Spot-check the generated schema: closed keys, the relation enum, slug patterns, required keys."""
    schema = json.loads((SCHEMAS / "links.schema.json").read_text(encoding="utf-8"))
    link = schema["properties"]["links"]["items"]
    assert link["additionalProperties"] is False
    assert link["properties"]["relation"]["enum"] == ["rebuts", "supports", "qualifies", "contextualises", "same-event"]
    assert set(link["required"]) == {"id", "relation", "from", "to"}
    assert link["properties"]["id"]["pattern"] == "^[a-z0-9]+(-[a-z0-9]+)*$"


TYPO_IN_A_NOTES_FILE = {"notes": [{"id": "a", "at": {"qoute": "Who"}, "body": "A note."}]}


def _messages(schema: dict, instance: dict) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    return sorted(error.message for error in validator.iter_errors(instance))


@pytest.mark.parametrize("name", ["notes.schema.json", "annotations.schema.json"])
def test_a_generic_validator_names_the_notes_files_own_mistake(name: str) -> None:
    """check-jsonschema prints jsonschema's messages: they must be about the notes file, never about 'terms'."""
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    assert _messages(schema, TYPO_IN_A_NOTES_FILE) == [
        "'quote' is a required property",
        "Additional properties are not allowed ('qoute' was unexpected)",
    ]


@pytest.mark.parametrize(
    ("kind", "instance"),
    [
        (
            "links",
            {
                "links": [
                    {
                        "id": "x",
                        "relation": "rebutts",
                        "from": {"essay": "a", "quote": "q"},
                        "to": {"essay": "b", "quote": "q"},
                    }
                ]
            },
        ),
        ("glossary", {"terms": [{"id": "x", "term": "X", "definition": "D.", "kinnd": "event"}]}),
    ],
)
def test_each_kind_is_validated_as_that_kind(kind: str, instance: dict) -> None:
    combined = json.loads(SCHEMA.read_text(encoding="utf-8"))
    own = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    messages = _messages(own, instance)
    assert len(messages) == 1 and ("rebutts" in messages[0] or "'kinnd' was unexpected" in messages[0])
    assert _messages(combined, instance) == messages


def test_the_committed_project_files_are_valid() -> None:
    import yaml

    for path in sorted((REPO / "annotations").rglob("*.yaml")):
        schema = json.loads((SCHEMAS / f"{_kind_of(path)}.schema.json").read_text(encoding="utf-8"))
        assert _messages(schema, yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path


def test_pull_request_workflow_and_pre_commit_hook_call_real_commands() -> None:
    """The CI workflow checks (as annotations) and builds, uploading the zipped site; the hook runs check."""
    import yaml

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "annotations.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # PyYAML reads the key `on` as True
    steps = workflow["jobs"]["check-build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "counterpoint check --strict --format github" in runs
    assert "counterpoint build --strict --zip" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "_site.zip"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "counterpoint-check" and hooks[0]["entry"] == "counterpoint check --strict"
    for command in ("check --strict --format github", "build --strict --zip"):
        assert run_cli(*command.split(), "--help").exit_code == 0
