"""Browser tests of the built reader: Debian's Chromium driven by Python Playwright, through file:// URLs.

The session builds this repository's own project once (`python -m builder build`); a failed build
fails every test. Nothing is downloaded at test time except axe-core from npm, once, into the
system's temporary folder (`npm install --no-save --prefix <tmp>/counterpoint-test-tools/axe axe-core@4`),
never into the checkout.
Without Chromium, Playwright or npm the tests skip with a loud reason, and fail instead when the
environment variable CI is set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers import TOOLS, install_lock, tool_unavailable

REPO = Path(__file__).resolve().parents[2]
AXE_DIR = TOOLS / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("COUNTERPOINT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDE = {"width": 1400, "height": 900}
WCAG22AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
NARROW = {"width": 390, "height": 844}


def unavailable(reason: str) -> None:
    tool_unavailable("BROWSER TESTS", reason)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own project, built once. No fallback: if it does not build, the tests fail."""
    out = tmp_path_factory.mktemp("browser") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--project", str(REPO), "--out", str(out), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0 or not (out / "index.html").is_file():
        pytest.fail(
            f"building the repository's project failed (exit {result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return out


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core from npm, installed once into the system's temporary folder (never into the checkout)."""
    with install_lock(AXE_DIR):
        _install_axe()
    return AXE_JS


def _install_axe() -> None:
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed, so axe-core cannot be installed")
        result = subprocess.run(
            [str(npm), "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), "axe-core@4"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 or not AXE_JS.is_file():
            unavailable(f"`npm install axe-core@4` failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Python Playwright is not installed (pip install playwright; never `playwright install`)")
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set COUNTERPOINT_CHROMIUM)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@dataclass
class Session:
    """One browser context on the built site, watching for console errors and requests leaving the site."""

    browser: Any
    site: Path
    axe_js: Path
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    @property
    def root(self) -> str:
        return self.site.as_uri() + "/"

    def url(self, rel: str) -> str:
        return self.root + rel

    def open(
        self,
        rel: str,
        viewport: dict[str, int] | None = None,
        *,
        javascript: bool = True,
        dark: bool = False,
        touch: bool = False,
    ) -> Any:
        context = self.browser.new_context(
            viewport=viewport or WIDE,
            reduced_motion="reduce",
            color_scheme="dark" if dark else "light",
            java_script_enabled=javascript,
            has_touch=touch,
            is_mobile=touch,
        )
        self.contexts.append(context)

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith(self.root):
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text} ({page.url})"))
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc} ({page.url})"))
        page.goto(self.url(rel))
        return page

    def axe(self, page: Any, label: str = "", tags: list[str] | None = None) -> None:
        """axe-core on the page as it is now: no serious or critical violation (of the rules with `tags`, if given:
        WCAG22AA runs the WCAG 2.0-2.2 A/AA rules, target-size included, with axe's best practices)."""
        if not page.evaluate("() => !!window.axe"):
            page.add_script_tag(path=str(self.axe_js))
        result = page.evaluate(
            """async (tags) => {
            const options = {resultTypes: ['violations'], preload: false};
            if (tags) options.runOnly = {type: 'tag', values: tags};
            const r = await axe.run(document, options);
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 3).join(' '))}));
        }""",
            tags,
        )
        assert not result, f"axe: serious/critical violations on {label or page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in result
        )

    def check(self) -> None:
        assert not self.outside, "requests outside the site folder:\n" + "\n".join(self.outside)
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)


@pytest.fixture
def reader(browser: Any, site: Path, axe_js: Path) -> Iterator[Session]:
    session = Session(browser, site, axe_js)
    yield session
    for context in session.contexts:
        context.close()
    session.check()
