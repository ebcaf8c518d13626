"""The committed JSON Schema is the one `counterpoint schema` prints, and every annotation file points editors at it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers import REPO, run_cli

SCHEMA = REPO / "schema" / "annotations.schema.json"


def test_committed_schema_matches_the_validator() -> None:
    printed = json.loads(run_cli("schema").output)
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == printed, (
        "regenerate with: counterpoint schema > schema/annotations.schema.json"
    )


def test_every_annotation_file_names_the_schema() -> None:
    for path in sorted((REPO / "annotations").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        relative = Path(os.path.relpath(SCHEMA, path.parent)).as_posix()
        assert first == f"# yaml-language-server: $schema={relative}", path


def test_schema_rejects_what_check_rejects() -> None:
    """Spot-check the generated schema: closed keys, the relation enum, slug patterns, required keys."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    links = next(o for o in schema["oneOf"] if "links" in o["properties"])
    link = links["properties"]["links"]["items"]
    assert link["additionalProperties"] is False
    assert link["properties"]["relation"]["enum"] == ["rebuts", "supports", "qualifies", "contextualises", "same-event"]
    assert set(link["required"]) == {"id", "relation", "from", "to"}
    assert link["properties"]["id"]["pattern"] == "^[a-z0-9]+(-[a-z0-9]+)*$"


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
