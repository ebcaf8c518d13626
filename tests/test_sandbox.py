"""Project templates are untrusted: they render in Jinja's sandbox and are read only from inside the project.

A template that reaches for Python internals fails with `templates/<file>:line: error: …` and
runs nothing, under `check`, `build` and `serve`; a template that is a symbolic link out of
the project is refused and nothing of its target is read or published.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import jinja2
import pytest
from helpers import MINIMAL, run_cli

from builder.diagnostics import Report, format_text
from builder.render import make_environment
from builder.serve import STATUS_PATH, Server

PAGE = "templates/page.html"  # the minimal project's about.html is rendered with it
HEAD = '{% extends "base.html" %}\n{% block main %}<h1>{{ text.title }}</h1>\n'
ESCAPES = {
    "globals of a builtin": '{{ cycler.__init__.__globals__.os.system("touch MARKER") }}',
    "popen through globals": '{{ joiner.__init__.__globals__.os.popen("touch MARKER").read() }}',
    "subclasses walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "str.format": '{{ "{0.__init__.__globals__[os].system}".format(cycler)("touch MARKER") }}',
    "function globals": '{{ lipsum.__globals__["os"].system("touch MARKER") }}',
    "mutating a list": "{% set found = [] %}{{ found.append(1) }}",
}


def project_with(tmp_path: Path, payload: str) -> tuple[Path, Path]:
    """Minimal, with templates/page.html carrying `payload` on line 3; MARKER is the file it would create."""
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    marker = tmp_path / "pwned"
    (root / "templates").mkdir()
    (root / PAGE).write_text(HEAD + payload.replace("MARKER", str(marker)) + "\n{% endblock %}\n", encoding="utf-8")
    return root, marker


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_check_and_build_refuse_a_template_that_reaches_for_python(tmp_path: Path, payload: str) -> None:
    root, marker = project_with(tmp_path, payload)
    for args in (("check",), ("build", "--out", str(tmp_path / "site"), "--no-cache")):
        result = run_cli(*args, "--project", str(root))
        assert result.exit_code == 1, result.output
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"{PAGE}:3:1: error: error building page 'about.html': "), first
        assert "templates may not use " in first, first
        assert "Traceback" not in result.output
        assert not marker.exists()
    assert not (tmp_path / "site").exists()


def test_serve_refuses_it_too(tmp_path: Path) -> None:
    root, marker = project_with(tmp_path, ESCAPES["globals of a builtin"])
    with Server(root, tmp_path / "out", port=0, echo=lambda m: None, watch=False) as server:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{STATUS_PATH}", timeout=10) as response:
            state = json.loads(response.read())
    assert state["ok"] is False
    assert state["diagnostics"][0].startswith(
        f"{PAGE}:3:1: error: error building page 'about.html': templates may not use "
    )
    assert not marker.exists()


def test_the_theme_and_ordinary_templates_still_render(tmp_path: Path) -> None:
    root, _ = project_with(tmp_path, "{{ site.title | upper }} {{ text.title }} {{ range(3) | list | length }}")
    result = run_cli("build", "--project", str(root), "--out", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "MINIMAL READER" in (tmp_path / "site" / "about.html").read_text(encoding="utf-8")


def test_a_template_linked_outside_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("SECRET-OUTSIDE {{ site.title }}", encoding="utf-8")
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "templates").mkdir()
    (root / PAGE).symlink_to(outside)
    report = Report()
    env = make_environment(root / "templates", report)
    assert format_text(report.sorted()) == (
        f"{PAGE}:1:1: error: symbolic link points outside the project\n"
        "    hint: only files inside the project folder are read; copy the file into the project instead of linking to it"
    )
    template = env.get_template("page.html")  # the theme's page.html: the link is never read
    assert template.filename is not None and "theme" in Path(template.filename).parts
    assert len(report.errors) == 1


def test_a_folder_of_templates_linked_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "colophon.html").write_text("SECRET-OUTSIDE", encoding="utf-8")
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "templates").mkdir()
    (root / "templates" / "partials").symlink_to(outside, target_is_directory=True)
    report = Report()
    env = make_environment(root / "templates", report)
    assert [str(d.location) + " " + d.message for d in report.errors] == [
        "templates/partials:1:1 symbolic link points outside the project"
    ]
    assert "SECRET-OUTSIDE" not in env.get_template("partials/colophon.html").render()
    assert len(report.errors) == 1  # reported once, at the link, and never read


def test_without_a_report_a_refused_template_is_a_template_error(tmp_path: Path) -> None:
    """The renderer reports template errors itself: a refused template fails the page, it is never read."""
    root = tmp_path / "project"
    (root / "templates").mkdir(parents=True)
    (root / PAGE).symlink_to("/etc/passwd")
    env = make_environment(root / "templates")
    with pytest.raises(jinja2.TemplateError, match="symbolic link points outside the project"):
        env.get_template("page.html")


def test_cli_refuses_a_template_linked_outside(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "templates").mkdir()
    (root / PAGE).symlink_to("/etc/passwd")
    for args in (("check",), ("build", "--out", str(tmp_path / "site"), "--no-cache")):
        result = run_cli(*args, "--project", str(root))
        assert result.exit_code == 1
        assert f"{PAGE}:1:1: error: " in result.stderr
        assert "symbolic link points outside the project" in result.stderr
        assert "root:" not in result.output
    assert not (tmp_path / "site").exists()
