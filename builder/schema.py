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


def annotations_schema() -> dict[str, Any]:
    """One schema for notes, links and glossary files: whichever top-level key the file has."""
    files = [specs.NOTES_FILE, specs.LINKS_FILE, specs.GLOSSARY_FILE]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "counterpoint-annotations.schema.json",
        "title": "Counterpoint annotation file",
        "description": "annotations/notes/<essay>.yaml, annotations/links.yaml or links/*.yaml, annotations/glossary.yaml",
        "oneOf": [to_schema(spec) for spec in files],
        "$defs": {"front_matter": to_schema(specs.FRONT_MATTER)},
    }
