"""The engine's promises about caches and the output folder, tried as a careless or unlucky user would:
an incremental build is byte-identical to a clean one in every sequence (stale outputs, damaged caches,
caches of another folder, killed builds, two builds at once), and the cache executes nothing when read."""

from __future__ import annotations

import ast
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import MINIMAL, REPO, run_cli
from test_incremental import same_tree

from builder.store import CACHE_DIR


def build(project: Path, out: Path, *flags: str) -> str:
    """Run `counterpoint build`; its stderr (diagnostics, warnings, the summary line)."""
    result = run_cli("build", "--project", str(project), "--out", str(out), *flags)
    assert result.exit_code == 0, result.output
    return result.stderr


def clean(project: Path, tmp_path: Path) -> Path:
    out = tmp_path / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(project, out, "--no-cache")
    return out


def leftovers(folder: Path) -> list[str]:
    """What a build left beside its output: staging or old folders, lock files."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MINIMAL, root)
    return root


WORD_BEFORE, WORD_AFTER = "A first claim about", "A first remark about"


def edit_word(project: Path, old: str, new: str) -> None:
    path = project / "content" / "alpha.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_no_module_loads_cached_data_with_pickle_marshal_or_shelve() -> None:
    """Reading the cache must never run code: none of the modules that can is imported by the engine."""
    for path in sorted((REPO / "builder").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"pickle", "marshal", "shelve", "dill", "cloudpickle"}, (
                    f"{path.relative_to(REPO)} imports {name}"
                )


def test_the_cache_holds_only_text(project: Path, tmp_path: Path) -> None:
    build(project, tmp_path / "site")
    (database,) = (project / CACHE_DIR).glob("*.sqlite3")
    with sqlite3.connect(database) as connection:
        for table in ("texts", "pages", "meta"):
            for row in connection.execute(f"SELECT * FROM {table}"):
                assert all(isinstance(value, str) for value in row), (table, row)


def test_stale_output_sequence_never_publishes_old_text(project: Path, tmp_path: Path) -> None:
    """build, edit a word, build --no-cache, revert the word, build: the output shows the reverted text."""
    out = tmp_path / "site"
    build(project, out)
    edit_word(project, WORD_BEFORE, WORD_AFTER)
    build(project, out, "--no-cache")
    edit_word(project, WORD_AFTER, WORD_BEFORE)
    build(project, out)
    assert same_tree(out, clean(project, tmp_path))
    assert WORD_AFTER not in (out / "essays" / "alpha.html").read_text(encoding="utf-8")


def test_nothing_changed_returns_at_once_and_still_shows_the_warnings(project: Path, tmp_path: Path) -> None:
    (project / "annotations" / "glossary.yaml").open("a", encoding="utf-8").write(
        "  - id: nowhere\n    term: Nowhere at all\n    definition: A term no text uses.\n"
    )
    out = tmp_path / "site"
    first = build(project, out)
    again = build(project, out)
    assert "term 'nowhere' occurs in no text" in first
    assert again.splitlines()[:-1] == first.splitlines()[:-1]  # the same warnings, in the same words
    assert "(0 pages rendered" in again.splitlines()[-1]
    assert same_tree(out, clean(project, tmp_path))


@pytest.mark.parametrize("damage", ["truncated", "emptied", "garbage", "rows rewritten", "a folder"])
def test_a_damaged_cache_is_discarded_with_one_warning(project: Path, tmp_path: Path, damage: str) -> None:
    out = tmp_path / "site"
    build(project, out)
    (database,) = (project / CACHE_DIR).glob("*.sqlite3")
    if damage == "truncated":
        data = database.read_bytes()
        database.write_bytes(data[: len(data) // 3])
    elif damage == "emptied":
        database.write_bytes(b"")
    elif damage == "garbage":
        database.write_bytes(b"\x80\x04\x95" + b"cos\nsystem\n(S'touch pwned'\ntR." * 50)
    elif damage == "rows rewritten":
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE texts SET result = 'not json {'")
    else:
        database.unlink()
        database.mkdir()
    edit_word(project, WORD_BEFORE, WORD_AFTER)  # so the damaged rows would be needed
    stderr = build(project, out)
    warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, stderr
    assert "cache" in warnings[0]
    assert "Traceback" not in stderr
    assert not (tmp_path / "pwned").exists() and not (project / "pwned").exists()
    assert same_tree(out, clean(project, tmp_path))
    # and the build after it uses a sound cache again, quietly
    assert not [line for line in build(project, out).splitlines() if line.startswith("warning:")]


def test_a_cache_written_for_another_output_folder_is_not_used(project: Path, tmp_path: Path) -> None:
    build(project, tmp_path / "one")
    (one,) = (project / CACHE_DIR).glob("*.sqlite3")
    saved = one.read_bytes()
    build(project, tmp_path / "two")
    (two,) = [p for p in (project / CACHE_DIR).glob("*.sqlite3") if p != one]
    two.write_bytes(saved)  # the cache of one/, under two/'s name
    edit_word(project, WORD_BEFORE, WORD_AFTER)
    stderr = build(project, tmp_path / "two")
    assert "warning: discarded the cache" in stderr
    assert same_tree(tmp_path / "two", clean(project, tmp_path))


def test_two_projects_building_into_one_folder_never_mix(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(MINIMAL, first)
    shutil.copytree(MINIMAL, second)
    edit_word(second, WORD_BEFORE, WORD_AFTER)
    out = tmp_path / "site"
    build(first, out)
    build(second, out)
    build(first, out)
    assert same_tree(out, clean(first, tmp_path))


def test_parallel_build_equals_serial_build(project: Path, tmp_path: Path) -> None:
    build(project, tmp_path / "serial", "--no-cache", "--jobs", "1")
    build(project, tmp_path / "parallel", "--no-cache", "--jobs", "2")
    assert same_tree(tmp_path / "serial", tmp_path / "parallel")


def test_bundled_reader_parallel_equals_serial(tmp_path: Path) -> None:
    build(REPO, tmp_path / "serial", "--no-cache", "--jobs", "1")
    build(REPO, tmp_path / "parallel", "--no-cache", "--jobs", "2")
    assert same_tree(tmp_path / "serial", tmp_path / "parallel")


# ------------------------------------------------------------------ killed builds

KILL = textwrap.dedent(
    """
    import os, signal, sys
    import builder.pipeline, builder.store, builder.write
    point = sys.argv.pop(1)

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "writing pages":
        real = builder.write._link
        calls = []
        def link_then_die(*args):
            calls.append(1)
            if len(calls) >= 3:
                die()
            return real(*args)
        builder.write._link = link_then_die
        real_write = builder.write.Path.write_bytes
        def write_then_die(self, data):
            calls.append(1)
            if len(calls) >= 3:
                die()
            return real_write(self, data)
        builder.write.Path.write_bytes = write_then_die
    elif point == "before the swap":
        builder.write._swap = die
    elif point == "after the swap":
        builder.store.Store.record_output = die
    elif point == "between two renames":
        builder.write._exchange = lambda a, b: False
        real_replace = builder.write.os.replace
        renames = []
        def replace_then_die(a, b):
            renames.append(1)
            real_replace(a, b)
            if len(renames) == 1:
                die()
        builder.write.os.replace = replace_then_die
    from builder.cli import main
    main()
    """
)


@pytest.mark.parametrize("point", ["writing pages", "before the swap", "after the swap", "between two renames"])
def test_a_killed_build_leaves_a_complete_output_and_the_next_build_recovers(
    project: Path, tmp_path: Path, point: str
) -> None:
    out = tmp_path / "site"
    build(project, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit_word(project, WORD_BEFORE, WORD_AFTER)
    killed = subprocess.run(
        [sys.executable, "-c", KILL, point, "build", "--project", str(project), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9, killed.stderr
    # at the moment of the kill the output's name held one complete build, the old or the new
    if out.is_dir():
        now = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert now == before or WORD_AFTER in (out / "essays" / "alpha.html").read_text(encoding="utf-8")
    else:
        assert point == "between two renames"  # the old output was moved aside: the next build puts it back
    build(project, out)
    assert same_tree(out, clean(project, tmp_path))
    assert leftovers(tmp_path) == [], "killed builds left folders behind"


def test_two_builds_at_once_into_one_folder(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    command = [sys.executable, "-m", "builder", "build", "--project", str(project), "--out", str(out)]
    runs = [subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    for code, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    assert same_tree(out, clean(project, tmp_path))
    assert leftovers(tmp_path) == []


def test_output_folder_follows_the_umask(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
