"""Release hygiene: one version everywhere, and a wheel built from the repository works outside it.

The wheel test is the slow one (one build, ~10 s): it copies the files a wheel is made
of to a temporary folder (so nothing is written into the checkout), builds the wheel
offline (`pip wheel --no-deps --no-build-isolation`, which needs the `wheel` package of
the test extra with setuptools older than 70.1), installs it into a fresh virtual
environment, and runs `counterpoint init`, `check --strict` and `build` there, outside
the repository: the theme and the skeleton must come from the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import REPO

from builder import __version__

WHEEL_FILES = ["pyproject.toml", "README.md", "builder"]
DEPENDENCIES = ["jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "mdurl", "yaml", "click"]


def test_one_version_everywhere() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\d+\.\d+\.\d+)\b", changelog, re.M)
    assert newest and newest[1] == __version__, "CHANGELOG.md's newest entry must be the version in pyproject.toml"


def test_the_pre_commit_hook_is_documented_with_this_release() -> None:
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = contributing.split("## Check before each commit (pre-commit)", 1)[1].split("\n## ", 1)[0]
    config = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S)[1])  # type: ignore[index]
    (repo,) = config["repos"]
    assert repo["rev"] == f"v{__version__}"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in repo["hooks"]] == [hooks[0]["id"]]
    assert f"rev: v{__version__}" in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}"
    return done.stdout


def _can_build_wheels() -> bool:
    import importlib.util

    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _dependency_paths() -> list[str]:
    """Folders holding the run-time dependencies, for a fresh venv that cannot download them."""
    import importlib.util

    paths = set()
    for name in DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, f"dependency {name} is not installed"
        paths.add(str(Path(spec.origin).parent.parent))
    return sorted(paths)


def test_a_wheel_from_the_repository_builds_a_project_outside_it(tmp_path: Path) -> None:
    if not _can_build_wheels():
        message = "building a wheel offline needs the 'wheel' package or setuptools>=70.1: pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path / "source"
    for name in WHEEL_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
    env["PIP_NO_INDEX"] = "1"  # offline: nothing is downloaded
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--no-build-isolation", "-w", dist], tmp_path, env)
    (wheel,) = dist.glob(f"counterpoint-{__version__}-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python = venv / "bin" / "python"
    purelib = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, env).strip()
    )
    # The venv gets the dependencies already installed here (no network); a plain folder on sys.path,
    # so this environment's editable install of counterpoint is not seen.
    (purelib / "_counterpoint_test_deps.pth").write_text("\n".join(_dependency_paths()) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", wheel], tmp_path, env)

    work = tmp_path / "work"
    work.mkdir()
    where = _run([python, "-c", "import builder; print(builder.__file__)"], work, env)
    assert Path(where.strip()).resolve().is_relative_to(venv.resolve()), f"builder imported from {where}"
    counterpoint = venv / "bin" / "counterpoint"
    assert __version__ in _run([counterpoint, "--version"], work, env)
    _run([counterpoint, "init", "reader", "--no-input"], work, env)
    assert "0 warning(s)" in _run([counterpoint, "check", "--strict", "--project", "reader"], work, env)
    _run([counterpoint, "build", "--strict", "--project", "reader", "--out", "site"], work, env)
    site = work / "site"
    for page in ("index.html", "essays/keep-the-ferry.html", "glossary.html", "map.html", "search.html"):
        assert (site / page).is_file(), page
    for static in ("style.css", "reader.js", "search.js", "print.css"):
        assert (site / "static" / static).is_file(), f"static/{static} missing: are the theme files in the wheel?"
    assert 'href="static/style.css"' in (site / "index.html").read_text(encoding="utf-8")
