"""The project's static/ is untrusted: nothing outside the project is collected, only regular files, bounded sizes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

import pytest
from helpers import MINIMAL, run_cli

from builder.diagnostics import Report, format_text
from builder.static_files import MAX_STATIC_BYTES, StaticFile, collect_static, copy_static_file

OUTSIDE = "symbolic link points outside the project"
OUTSIDE_HINT = (
    "    hint: only files inside the project folder are read; copy the file into the project instead of linking to it"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "static" / "img").mkdir(parents=True)
    (root / "static" / "style.css").write_text("/* the project's */", encoding="utf-8")
    (root / "static" / "img" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    return root


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    folder = tmp_path / "theme-static"
    folder.mkdir()
    (folder / "style.css").write_text("/* the theme's */", encoding="utf-8")
    (folder / "reader.js").write_text("// js", encoding="utf-8")
    return folder


def collected(files: list[StaticFile]) -> dict[str, Path]:
    return {str(rel): source for rel, source in files}


def publish(files: list[StaticFile], out: Path) -> None:
    """What write.py does with the collection."""
    for rel, source in files:
        copy_static_file(source, out.joinpath(*rel.parts))


def test_project_files_override_the_theme_file_by_file(project: Path, theme: Path) -> None:
    report = Report()
    files = collect_static(theme, project, report)
    assert not report.diagnostics
    assert [str(rel) for rel, _ in files] == ["static/img/logo.svg", "static/reader.js", "static/style.css"]
    assert collected(files)["static/style.css"] == project / "static" / "style.css"
    assert collected(files)["static/reader.js"] == theme / "reader.js"
    assert all(isinstance(rel, PurePosixPath) for rel, _ in files)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd"])
def test_a_file_linked_outside_is_refused_and_never_published(
    project: Path, theme: Path, tmp_path: Path, target: str
) -> None:
    if not os.path.exists(target):
        pytest.skip(f"{target} does not exist here")
    (project / "static" / "env.txt").symlink_to(target)
    report = Report()
    files = collect_static(theme, project, report)
    assert format_text(report.sorted()) == f"static/env.txt:1:1: error: {OUTSIDE}\n{OUTSIDE_HINT}"
    assert "static/env.txt" not in collected(files)
    publish(files, tmp_path / "site")
    assert not (tmp_path / "site" / "static" / "env.txt").exists()


def test_a_folder_linked_outside_is_refused_with_everything_in_it(project: Path, theme: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secrets"
    outside.mkdir()
    (outside / "key.pem").write_text("SECRET", encoding="utf-8")
    (project / "static" / "docs").symlink_to(outside, target_is_directory=True)
    (project / "static" / "etc").symlink_to("/etc", target_is_directory=True)
    report = Report()
    files = collect_static(theme, project, report)
    assert format_text(report.sorted()) == (
        f"static/docs:1:1: error: {OUTSIDE}\n{OUTSIDE_HINT}\nstatic/etc:1:1: error: {OUTSIDE}\n{OUTSIDE_HINT}"
    )
    assert not any(rel.parts[1] in ("docs", "etc") for rel, _ in files)
    publish(files, tmp_path / "site")
    published = b"".join(p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert b"SECRET" not in published and b"root:" not in published


def test_links_inside_the_project_are_followed(project: Path, theme: Path) -> None:
    (project / "pictures").mkdir()
    (project / "pictures" / "map.png").write_bytes(b"\x89PNG")
    (project / "static" / "map.png").symlink_to(project / "pictures" / "map.png")
    (project / "static" / "pictures").symlink_to(Path("..") / "pictures", target_is_directory=True)
    report = Report()
    files = collected(collect_static(theme, project, report))
    assert not report.diagnostics
    assert files["static/map.png"] == project / "static" / "map.png"
    assert "static/pictures/map.png" in files


def test_a_fifo_is_refused_without_waiting_for_it(project: Path, theme: Path) -> None:
    os.mkfifo(project / "static" / "pipe.css")
    report = Report()
    files = collected(collect_static(theme, project, report))
    assert format_text(report.sorted()) == (
        "static/pipe.css:1:1: error: not a regular file (a named pipe (FIFO))\n"
        "    hint: only ordinary files are read from a project; remove it or replace it with a file"
    )
    assert "static/pipe.css" not in files


def test_a_file_over_the_limit_is_refused(project: Path, theme: Path) -> None:
    with open(project / "static" / "huge.pdf", "wb") as sparse:
        sparse.truncate(MAX_STATIC_BYTES + 1)
    report = Report()
    files = collected(collect_static(theme, project, report))
    assert format_text(report.sorted()) == (
        f"static/huge.pdf:1:1: error: static file is too large ({MAX_STATIC_BYTES + 1:,} bytes; "
        f"the limit is {MAX_STATIC_BYTES:,})\n"
        "    hint: make it smaller (compress the picture, subset the font), or link to it on the web instead"
    )
    assert "static/huge.pdf" not in files


def test_the_output_folder_inside_static_is_never_collected(project: Path, theme: Path) -> None:
    out = project / "static" / "site"
    (out / "static").mkdir(parents=True)
    (out / "static" / "style.css").write_text("old build", encoding="utf-8")
    files = collected(collect_static(theme, project, Report(), skip=out))
    assert not any(name.startswith("static/site/") for name in files)


def test_copy_is_bounded_and_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"x" * 100)
    copy_static_file(source, tmp_path / "out" / "a.bin")
    assert (tmp_path / "out" / "a.bin").read_bytes() == b"x" * 100
    with pytest.raises(OSError, match="grew past the size limit"):
        copy_static_file(source, tmp_path / "out" / "b.bin", limit=10)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OSError, match="not a regular file"):
        copy_static_file(tmp_path / "pipe", tmp_path / "out" / "pipe")


def test_build_and_check_refuse_static_links_outside(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    (root / "static").mkdir()
    (root / "static" / "passwd.txt").symlink_to("/etc/passwd")
    for args in (("check",), ("build", "--out", str(tmp_path / "site"), "--no-cache")):
        result = run_cli(*args, "--project", str(root))
        assert result.exit_code == 1
        assert f"static/passwd.txt:1:1: error: {OUTSIDE}" in result.stderr
    assert not (tmp_path / "site").exists()
