"""`counterpoint serve` as an editor meets it in the browser: a broken edit shows an overlay over the
last good page; fixing the file reloads the page and the overlay is gone, with no restart."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from helpers import MINIMAL

from builder.serve import Server

NOTES = "annotations/notes/alpha.yaml"


def test_broken_edit_shows_overlay_and_fix_recovers(browser: Any, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    server = Server(
        project, tmp_path / "out", port=0, echo=lambda message: None, poll_seconds=0.1, debounce_seconds=0.1
    )
    server.start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.port}/essays/alpha.html")
        assert page.locator("#note-helsinki-1975").count() == 1
        good = (project / NOTES).read_text(encoding="utf-8")

        (project / NOTES).write_text(
            good.replace("In the 1975 Helsinki Final Act", "In the 1976 Helsinki Final Act"), encoding="utf-8"
        )
        overlay = page.locator("#counterpoint-build-errors[role=alert]")
        overlay.wait_for(timeout=15_000)
        assert "annotations/notes/alpha.yaml:3:18: error: quote matches no passage in 'alpha'" in overlay.inner_text()
        assert page.locator("#note-helsinki-1975").count() == 1  # the last good build is still what is shown

        (project / NOTES).write_text(good.replace("Signed in 1975", "Signed in 1975 (fixed)"), encoding="utf-8")
        page.wait_for_function(
            "document.querySelector('#note-helsinki-1975')"
            " && document.querySelector('#note-helsinki-1975').textContent.includes('(fixed)')",
            timeout=15_000,
        )
        assert page.locator("#counterpoint-build-errors").count() == 0
    finally:
        page.close()
        server.stop()
