"""A project's templates/ as untrusted input: read through projectfs, rendered in Jinja's sandbox.

The theme's templates (builder/theme/templates) are part of the generator and trusted. A
project's own templates/ arrive with the project, from anyone (DESIGN §6): they are read
only as regular files inside the project (projectfs refuses a symlink out of it, a FIFO or
a device, and bounds the size while reading), and every template renders in
`ImmutableSandboxedEnvironment`, so `{{ cycler.__init__.__globals__.os }}` and the like
raise `jinja2.sandbox.SecurityError` (a `TemplateError`, reported like any template
error) instead of reaching Python.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from builder.diagnostics import Report
from builder.projectfs import list_files, read_text, relative

TEMPLATES = "templates"


class ProjectSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, saying in an editor's words what a template may not do."""

    def unsafe_undefined(self, obj: object, attribute: str) -> jinja2.Undefined:
        return self.undefined(
            f"templates may not use '{attribute}' of a {type(obj).__name__!r} object: "
            "they render in a sandbox, without Python internals or changes to the data",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )


class RefusedTemplate(jinja2.TemplateError):
    """A project template that projectfs would not read (outside the project, not a file, too large)."""


class ProjectTemplateLoader(jinja2.BaseLoader):
    """Templates from `<root>/templates/`, each read through projectfs.

    With a report, the folder is listed first: every unusable entry is reported once, used
    or not, and only the files listed are ever read; a refused template is treated as absent
    (the theme's template of that name, if any, is used; the report's error fails the build). Without one, loading a refused
    template raises RefusedTemplate, which the renderer reports as a template error.
    Source names are `templates/<name>`, relative to the project, so error locations are too.
    """

    def __init__(self, root: Path, report: Report | None = None) -> None:
        self.root = root
        self.report = report
        self._refused: dict[str, str] = {}
        self._listed: set[PurePosixPath] | None = None
        if report is not None:
            self._listed = {relative(root, path) for path in list_files(root, TEMPLATES, report)}

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        rel = PurePosixPath(TEMPLATES, *split_template_path(template))  # a '..' is TemplateNotFound
        path = self.root.joinpath(*rel.parts)
        if self._listed is not None and rel not in self._listed:
            raise jinja2.TemplateNotFound(template)
        if template in self._refused or not os.path.lexists(path):
            return self._absent(template)
        found = Report()
        source = read_text(self.root, path, found)
        if source is None:
            problems = [f"{d.location.path}: {d.message}" for d in found.errors] or [f"{rel}: cannot be read"]
            self._refused[template] = "; ".join(problems)
            if self.report is not None:
                self.report.diagnostics.extend(found.diagnostics)
            return self._absent(template)
        return source, rel.as_posix(), lambda: True

    def _absent(self, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template in self._refused and self.report is None:
            raise RefusedTemplate(self._refused[template])
        raise jinja2.TemplateNotFound(template)
