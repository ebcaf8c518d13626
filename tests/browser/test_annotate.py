"""Annotate mode in a served page: select words with the mouse, add a note, see it after the reload."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder.serve import Server

MINIMAL = Path(__file__).resolve().parents[1] / "projects" / "minimal"

WORD_BOXES = """([id, words]) => {
  const block = document.getElementById(id);
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const i = n.data.indexOf(words);
    if (i < 0) continue;
    const r = document.createRange();
    r.setStart(n, i); r.setEnd(n, i + 1);
    const a = r.getBoundingClientRect();
    r.setStart(n, i + words.length - 1); r.setEnd(n, i + words.length);
    const b = r.getBoundingClientRect();
    return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
  }
  return null;
}"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Server]:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    server = Server(project, tmp_path / "out", port=0, echo=lambda m: None, poll_seconds=0.1, debounce_seconds=0.1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def select_with_mouse(page: Any, block_id: str, words: str) -> None:
    box = page.evaluate(WORD_BOXES, [block_id, words])
    assert box, f"{words!r} not found in #{block_id}"
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()


def test_select_words_add_a_note_and_see_it_after_the_reload(browser: Any, served: Server) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://127.0.0.1:{served.port}/essays/alpha.html")
        select_with_mouse(page, "p4", "A first claim")
        page.get_by_role("button", name="Add note").click()
        dialog = page.locator("#cp-annotate-dialog")
        assert dialog.locator("blockquote").inner_text() == "A first claim"
        page.locator("#cp-annotate-body").fill("The *first* of two claims.")
        page.locator("#cp-annotate-preview em").wait_for(timeout=10_000)
        assert page.locator("#cp-annotate-preview").inner_text().strip() == "The first of two claims."
        page.get_by_role("button", name="Save").click()
        page.locator("#note-a-first-claim").wait_for(state="attached", timeout=30_000)  # after the reload
        assert "The first of two claims." in page.locator("#note-a-first-claim").inner_text()
        assert page.locator("#anchor-note-a-first-claim").inner_text() == "A first claim"
        yaml = (served.root / "annotations/notes/alpha.yaml").read_text(encoding="utf-8")
        assert yaml.endswith(
            '  - id: a-first-claim\n    at:\n      quote: "A first claim"\n    body: "The *first* of two claims."\n'
        )
        assert not errors, errors
    finally:
        context.close()


def test_link_two_passages_in_two_texts(browser: Any, served: Server) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{served.port}/essays/beta.html")
        select_with_mouse(page, "p3", "raise the costs")
        page.get_by_role("button", name="Link this passage…").click()
        assert "Linking from “raise the costs”" in page.locator("#cp-link-banner").inner_text()
        page.goto(f"http://127.0.0.1:{served.port}/essays/alpha.html")
        select_with_mouse(page, "p5", "A second claim")
        page.get_by_role("button", name="Link to the first passage…").click()
        page.locator("#cp-annotate-relation").select_option("qualifies")
        page.get_by_role("button", name="Save").click()
        page.locator("[id='link-raise-the-costs-to']").wait_for(state="attached", timeout=30_000)
        assert page.locator("[id='link-raise-the-costs-to']").inner_text() == "A second claim"
        assert page.locator("#cp-link-banner").count() == 0
        links = (served.root / "annotations/links.yaml").read_text(encoding="utf-8")
        assert "relation: qualifies" in links and 'quote: "raise the costs"' in links
    finally:
        context.close()
