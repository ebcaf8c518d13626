"""The declared shapes (specs.py) -> JSON Schema for editors' YAML tools and `counterpoint schema`."""

from __future__ import annotations

from typing import Any

from builder import specs
from builder.yamlload import Bool, DateLike, Int, ListOf, Obj, Spec, Str


def to_schema(spec: Spec) -> dict[str, Any]:
    """One declaration -> its JSON Schema."""
    if isinstance(spec, Obj):
        return {
            "type": "object",
            "title": spec.title,
            "additionalProperties": False,
            "properties": {f.name: to_schema(f.spec) | {"description": f.doc} for f in spec.fields},
            "required": [f.name for f in spec.fields if f.required],
        }
    if isinstance(spec, ListOf):
        array = {"type": "array", "items": to_schema(spec.item)}
        return {"anyOf": [to_schema(spec.item), array]} if spec.single_ok else array
    if isinstance(spec, Str):
        out: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": spec.max_length}
        if spec.choices:
            out["enum"] = list(spec.choices)
        if spec.pattern:
            out["pattern"] = f"^{spec.pattern}$"
        return out
    if isinstance(spec, Int):
        return {"type": "integer"} | ({"minimum": spec.minimum} if spec.minimum is not None else {})
    if isinstance(spec, Bool):
        return {"type": "boolean"}
    if isinstance(spec, DateLike):
        return {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
    raise TypeError(spec)


KINDS = {"notes": specs.NOTES_FILE, "links": specs.LINKS_FILE, "glossary": specs.GLOSSARY_FILE}
"""The three kinds of annotation file, by the name of their schema file (schema/<kind>.schema.json)."""
WHERE = {
    "notes": "annotations/notes/<essay>.yaml",
    "links": "annotations/links.yaml or annotations/links/*.yaml",
    "glossary": "annotations/glossary.yaml",
}
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def kind_schema(kind: str) -> dict[str, Any]:
    """The schema of one kind of annotation file, for the `yaml-language-server` line of files of that kind."""
    return {
        "$schema": DRAFT,
        "$id": f"counterpoint-{kind}.schema.json",
        "description": WHERE[kind],
    } | to_schema(KINDS[kind])


def annotations_schema() -> dict[str, Any]:
    """One schema for all three kinds, the kind chosen by the file's top-level key.

    Not a `oneOf` of the three: a validator then tries every kind and reports a typo in a
    notes file as "'terms' was unexpected". `if`/`then` picks the kind first, so messages
    are those of the right kind.
    """
    chain: dict[str, Any] = {
        "anyOf": [{"required": [spec.fields[0].name]} for spec in KINDS.values()],
        "description": "an annotation file starts with notes:, links: or terms:",
    }
    for kind, spec in reversed(KINDS.items()):
        chain = {"if": {"required": [spec.fields[0].name]}, "then": {"$ref": f"#/$defs/{kind}"}, "else": chain}
    return {
        "$schema": DRAFT,
        "$id": "counterpoint-annotations.schema.json",
        "title": "Counterpoint annotation file",
        "description": "; ".join(WHERE.values()),
        "type": "object",
        **chain,
        "$defs": {kind: to_schema(spec) for kind, spec in KINDS.items()}
        | {"front_matter": to_schema(specs.FRONT_MATTER)},
    }


def schema_files() -> dict[str, dict[str, Any]]:
    """Every schema file a project holds, by file name: the combined one and one per kind."""
    return {"annotations.schema.json": annotations_schema()} | {f"{k}.schema.json": kind_schema(k) for k in KINDS}
