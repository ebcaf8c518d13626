"""The project folder is untrusted: symlinks out of it, FIFOs, devices and over-large files are refused.

Each test lays out a hostile project and asserts what the user sees: the exact diagnostic
(`format_text`, as `check` prints it), and, through the CLI, the exit code and that no
byte of the outside file appears in the output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import run_cli

from builder.diagnostics import Report, format_text
from builder.projectfs import list_files, read_file, read_text

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
OUTSIDE = "symbolic link points outside the project\n    hint: only files inside the project folder are read; copy the file into the project instead of linking to it"


def _printed(report: Report) -> str:
    return format_text(report.sorted())


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "static" / "css").mkdir(parents=True)
    (project / "static" / "css" / "a.css").write_text("a{}", encoding="utf-8")
    (project / "static" / "b.txt").write_text("b", encoding="utf-8")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("SECRET", encoding="utf-8")
    return project


def test_lists_regular_files_sorted(root: Path) -> None:
    report = Report()
    files = list_files(root, "static", report)
    assert [p.relative_to(root).as_posix() for p in files] == ["static/b.txt", "static/css/a.css"]
    assert report.diagnostics == []


def test_suffixes_and_non_recursive(root: Path) -> None:
    report = Report()
    assert list_files(root, "static", report, suffixes=(".css",), recursive=False) == []
    assert [p.name for p in list_files(root, "static", report, suffixes=(".css",))] == ["a.css"]


def test_missing_folder_is_empty(root: Path) -> None:
    report = Report()
    assert list_files(root, "nothing", report) == []
    assert report.diagnostics == []


def test_symlink_to_etc_passwd_is_refused(root: Path) -> None:
    (root / "static" / "passwd.txt").symlink_to("/etc/passwd")
    report = Report()
    assert [p.name for p in list_files(root, "static", report)] == ["b.txt", "a.css"]
    assert _printed(report) == f"static/passwd.txt:1:1: error: {OUTSIDE}"
    report = Report()
    assert read_file(root, root / "static" / "passwd.txt", report) is None
    assert _printed(report) == f"static/passwd.txt:1:1: error: {OUTSIDE}"


def test_symlink_to_a_folder_outside_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "static" / "leak").symlink_to(tmp_path / "secret", target_is_directory=True)
    report = Report()
    files = list_files(root, "static", report)
    assert all("key.txt" != p.name for p in files)
    assert _printed(report) == f"static/leak:1:1: error: {OUTSIDE}"


def test_the_folder_itself_linked_outside_is_refused(root: Path, tmp_path: Path) -> None:
    (root / "annotations").symlink_to(tmp_path / "secret", target_is_directory=True)
    report = Report()
    assert list_files(root, "annotations", report) == []
    assert _printed(report) == f"annotations:1:1: error: {OUTSIDE}"


def test_symlink_inside_the_project_is_followed(root: Path) -> None:
    (root / "static" / "copy.css").symlink_to(root / "static" / "css" / "a.css")
    (root / "static" / "alias").symlink_to(root / "static" / "css", target_is_directory=True)
    report = Report()
    names = [p.relative_to(root).as_posix() for p in list_files(root, "static", report)]
    assert names == ["static/alias/a.css", "static/b.txt", "static/copy.css", "static/css/a.css"]
    assert read_file(root, root / "static" / "copy.css", report) == b"a{}"
    assert report.diagnostics == []


def test_symlink_loop_is_walked_once(root: Path) -> None:
    (root / "static" / "css" / "up").symlink_to(root / "static", target_is_directory=True)
    report = Report()
    names = [p.relative_to(root).as_posix() for p in list_files(root, "static", report)]
    assert names == ["static/b.txt", "static/css/a.css"]
    assert report.diagnostics == []


def test_dangling_symlink_is_named(root: Path) -> None:
    (root / "static" / "gone.txt").symlink_to(root / "static" / "nothing.txt")
    report = Report()
    list_files(root, "static", report)
    assert _printed(report) == (
        "static/gone.txt:1:1: error: symbolic link points to nothing\n"
        "    hint: its target does not exist; remove the link or point it at a file inside the project"
    )


@needs_fifo
def test_fifo_is_refused_without_blocking(root: Path) -> None:
    os.mkfifo(root / "static" / "pipe.txt")
    report = Report()
    assert [p.name for p in list_files(root, "static", report)] == ["b.txt", "a.css"]
    assert read_file(root, root / "static" / "pipe.txt", report) is None
    assert _printed(report).splitlines()[0] == "static/pipe.txt:1:1: error: not a regular file (a named pipe (FIFO))"


def test_dev_zero_through_a_symlink_is_refused(root: Path) -> None:
    (root / "static" / "zero.txt").symlink_to("/dev/zero")
    report = Report()
    assert read_file(root, root / "static" / "zero.txt", report, limit=10) is None
    assert _printed(report) == f"static/zero.txt:1:1: error: {OUTSIDE}"


def test_a_file_over_the_limit_is_refused(root: Path) -> None:
    (root / "static" / "big.txt").write_bytes(b"x" * 11)
    report = Report()
    assert read_file(root, root / "static" / "big.txt", report, limit=10) is None
    assert _printed(report).splitlines()[0] == (
        "static/big.txt:1:1: error: file is too large (11 bytes; the limit is 10)"
    )
    assert read_file(root, root / "static" / "big.txt", Report(), limit=11) == b"x" * 11


def test_the_limit_holds_while_reading(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size says 0 (like /proc files) is still read only up to limit + 1 bytes."""
    import builder.projectfs as projectfs

    (root / "static" / "grows.txt").write_bytes(b"y" * 100)
    real_stat = os.stat

    class Zero:
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_size = st.st_mode, 0

    def lying_stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        st = real_stat(path, *args, **kwargs)
        return Zero(st) if str(path).endswith("grows.txt") else st

    monkeypatch.setattr(projectfs.os, "stat", lying_stat)
    report = Report()
    assert read_file(root, root / "static" / "grows.txt", report, limit=10) is None
    assert _printed(report).splitlines()[0] == (
        "static/grows.txt:1:1: error: file is too large (more than 10 bytes; the limit is 10)"
    )


def test_unreadable_file_is_a_message(root: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    target = root / "static" / "b.txt"
    target.chmod(0)
    report = Report()
    assert read_file(root, target, report) is None
    assert _printed(report) == "static/b.txt:1:1: error: cannot read file: Permission denied"


def test_bom_is_dropped_and_bad_bytes_are_located(root: Path) -> None:
    (root / "a.md").write_bytes(b"\xef\xbb\xbf---\n")
    assert read_text(root, root / "a.md", Report()) == "---\n"
    (root / "b.md").write_bytes(b"ok\nab\xe9c\n")
    report = Report()
    assert read_text(root, root / "b.md", report) is None
    assert _printed(report).splitlines()[0] == (
        "b.md:2:3: error: file is not valid UTF-8 (byte 0xe9 at offset 5; it was saved in another encoding)"
    )


# ---------------------------------------------------------------- through `counterpoint check`, as a user runs it


def test_check_refuses_an_annotation_file_linked_to_etc_passwd(make_project) -> None:
    project = make_project()
    (project / "annotations" / "notes" / "alpha.yaml").unlink()
    (project / "annotations" / "notes" / "alpha.yaml").symlink_to("/etc/passwd")
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"annotations/notes/alpha.yaml:1:1: error: {OUTSIDE.splitlines()[0]}"] + [
        OUTSIDE.splitlines()[1],
        "1 error(s), 0 warning(s)",
    ]
    assert "root:" not in result.stdout + result.stderr  # not a byte of the file is printed


def test_check_refuses_a_text_linked_outside_and_a_linked_folder(make_project, tmp_path: Path) -> None:
    project = make_project()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "gamma.md").write_text("---\ntitle: Outside\n---\nSecret text.\n", encoding="utf-8")
    (project / "content" / "gamma.md").symlink_to(tmp_path / "elsewhere" / "gamma.md")
    (project / "annotations" / "links").rename(project / "links-moved")
    (project / "annotations" / "links").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "annotations/links:1:1: error: symbolic link points outside the project"
    assert lines[2] == "content/gamma.md:1:1: error: symbolic link points outside the project"
    assert "Secret text" not in result.stderr


def test_check_follows_a_link_inside_the_project(make_project) -> None:
    project = make_project()
    (project / "shared").mkdir()
    (project / "annotations" / "glossary.yaml").rename(project / "shared" / "glossary.yaml")
    (project / "annotations" / "glossary.yaml").symlink_to(project / "shared" / "glossary.yaml")
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 0, result.stderr


def test_check_refuses_dev_zero_as_a_text_without_reading_it(make_project) -> None:
    project = make_project()
    (project / "content" / "zero.md").symlink_to("/dev/zero")
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "content/zero.md:1:1: error: symbolic link points outside the project"


@needs_fifo
def test_check_refuses_a_fifo_at_once(make_project) -> None:
    project = make_project()
    os.mkfifo(project / "content" / "pipe.md")
    (project / "site.toml").rename(project / "real.toml")
    os.mkfifo(project / "site.toml")
    result = run_cli("check", "--project", str(project))  # would hang for ever if either were opened
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "site.toml:1:1: error: not a regular file (a named pipe (FIFO))"
    (project / "site.toml").unlink()
    (project / "real.toml").rename(project / "site.toml")
    result = run_cli("check", "--project", str(project))
    assert result.stderr.splitlines()[0] == "content/pipe.md:1:1: error: not a regular file (a named pipe (FIFO))"


def test_check_accepts_a_byte_order_mark(make_project) -> None:
    project = make_project()
    for name in ("site.toml", "content/alpha.md"):
        path = project / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 0, result.stderr


def test_an_unreadable_file_is_a_message_with_exit_1(make_project, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES cannot be produced by chmod when the tests run as root, so the open itself is made to fail."""
    import builder.projectfs as projectfs

    real_open = os.open

    def refusing_open(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith("beta.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(projectfs.os, "open", refusing_open)
    result = run_cli("check", "--project", str(make_project()))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "content/beta.md:1:1: error: cannot read file: Permission denied",
        "not checked: content/beta.md (the file could not be read); 2 links anchored in 'beta' "
        "(its file could not be loaded); whether each glossary term occurs in the texts (a text could not be loaded)",
        "1 error(s), 0 warning(s)",
    ]


def test_an_internal_error_is_one_line_and_a_traceback_only_with_debug(
    make_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builder.pipeline as pipeline  # the CLI imports it when the command runs

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(pipeline, "check", broken)
    project = str(make_project())
    result = run_cli("check", "--project", project)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "internal error: RuntimeError: boom -- this is a bug in counterpoint, not a problem in your project; "
        "please report it with the output of the same command run with --debug (counterpoint --debug ...)"
    ]
    with pytest.raises(RuntimeError, match="boom"):
        run_cli("--debug", "check", "--project", project)


def test_an_os_error_while_writing_is_a_message(make_project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import builder.write as write

    def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device", str(tmp_path / "site" / "index.html"))

    monkeypatch.setattr(write, "copy_static_file", disk_full)  # the first file the writer writes
    result = run_cli("build", "--project", str(make_project()), "--out", str(tmp_path / "site"), "--no-cache")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: No space left on device: {tmp_path / 'site' / 'index.html'}"]
