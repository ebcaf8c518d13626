"""Building a project: golden HTML, determinism, atomic swaps, the folder-refusal rule, safety."""

from __future__ import annotations

import filecmp
import os
import re
from pathlib import Path

import pytest
from helpers import MINIMAL, REPO, TESTS, run_cli

GOLDEN = TESTS / "golden" / "minimal"
PAGES = ["essays/alpha.html", "essays/beta.html", "debates/dispute.html"]


def build(project: Path, out: Path, *extra: str) -> str:
    """A clean build (--no-cache: the fixture folder stays as committed; caching has its own tests)."""
    result = run_cli("build", "--project", str(project), "--out", str(out), "--no-cache", *extra)
    assert result.exit_code == 0, result.output
    return result.output


def text_body(html: str) -> str:
    """The authors' text as rendered (template-independent): the <div class="text-body"> fragment."""
    found = re.search(r'<div class="text-body">\n(.*?)\n</div>', html, re.S)
    assert found, "page has no text body"
    return found[1] + "\n"


@pytest.mark.parametrize("page", PAGES)
def test_golden_html(tmp_path: Path, page: str) -> None:
    """Reviewable diffs: regenerate with COUNTERPOINT_REGEN=1 and read the diff."""
    build(MINIMAL, tmp_path / "site")
    actual = text_body((tmp_path / "site" / page).read_text(encoding="utf-8"))
    golden = GOLDEN / (page.replace("/", "__") + ".txt")
    if os.environ.get("COUNTERPOINT_REGEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    build(MINIMAL, tmp_path / "one")
    build(MINIMAL, tmp_path / "two")
    compared = filecmp.dircmp(tmp_path / "one", tmp_path / "two")
    assert _all_same(compared)


def _all_same(cmp: filecmp.dircmp) -> bool:  # type: ignore[type-arg]
    _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
    return not (cmp.left_only or cmp.right_only or mismatch or errors) and all(
        _all_same(sub) for sub in cmp.subdirs.values()
    )


def test_failed_build_leaves_previous_output_untouched(make_project, tmp_path: Path) -> None:
    project = make_project()
    out = tmp_path / "site"
    build(project, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (project / "annotations/notes/alpha.yaml").write_text(
        "notes:\n  - id: x\n    at: {quote: nowhere at all}\n    body: b\n"
    )
    result = run_cli("build", "--project", str(project), "--out", str(out))
    assert result.exit_code == 1
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]  # no temporary folder left behind


def test_refuses_non_empty_folder_without_marker(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    result = run_cli("build", "--project", str(MINIMAL), "--out", str(out), "--no-cache")
    assert result.exit_code == 1
    assert "refusing to replace a non-empty folder that counterpoint did not build" in result.stderr
    assert (out / "thesis.txt").read_text() == "years of work"


def test_empty_folder_is_used_and_own_output_replaced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    build(MINIMAL, out)
    (out / "stale.html").write_text("old")
    build(MINIMAL, out)
    assert not (out / "stale.html").exists()
    assert (out / "index.html").is_file()


def test_output_never_contains_the_project(tmp_path: Path, make_project) -> None:
    project = make_project()
    result = run_cli("build", "--project", str(project), "--out", str(project.parent))
    assert result.exit_code == 1
    assert (project / "site.toml").is_file()


def test_no_raw_html_and_no_dangerous_links(make_project, tmp_path: Path) -> None:
    project = make_project(
        {
            "content/evil.md": """
            ---
            title: Evil
            perspective: east
            ---
            <script>alert(1)</script> [a](javascript:alert(1)) [b](data:text/html,x) [c](vbscript:x) [d](JaVaScRiPt:x)
            ![img](https://example.org/tracker.png) [ok](https://example.org) [rel](other.html)
            """,
            "annotations/notes/evil.yaml": """
            notes:
              - id: n
                at: { quote: "ok" }
                body: "<img src=x onerror=alert(1)> [x](javascript:alert(2))"
            """,
        }
    )
    build(project, tmp_path / "site")
    html = (tmp_path / "site" / "essays" / "evil.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    for bad in ("javascript:", "data:text", "vbscript:", "JaVaScRiPt:"):
        assert f'href="{bad}' not in html
    # a relative link is written from the text's own page and printed from the page's root (builder/urls.py)
    assert 'href="https://example.org"' in html and 'href="../essays/other.html"' in html
    assert (
        "tracker.png" not in re.sub(r"\[image: [^\]]*\]", "", html.split('src="', 1)[-1])
        or 'src="https://example.org/tracker.png"' not in html
    )


def test_every_url_is_relative_and_names_a_file(tmp_path: Path) -> None:
    build(MINIMAL, tmp_path / "site")
    site = tmp_path / "site"
    for page in site.rglob("*.html"):
        html = page.read_text()
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            if url.startswith(("https://", "http://", "mailto:")):
                assert 'rel="noopener' in html  # authors' external citations stay plain links
                continue
            assert not url.startswith("/"), f"{page}: absolute URL {url}"
            path = url.split("#")[0].split("?")[0]  # a query (search.html?q=…, compare.html?a=…) names the same file
            if path:
                target = (page.parent / path).resolve()
                assert target.is_file(), f"{page.relative_to(site)}: {url} does not name a file"


def test_over_large_file_is_refused(make_project) -> None:
    project = make_project({"annotations/notes/alpha.yaml": "notes:\n" + "# padding\n" * 300_000})
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    assert (
        "annotations/notes/alpha.yaml:1:1: error: file is too large (3,000,007 bytes; the limit is 2,000,000)"
        in result.stderr
    )


def test_yaml_is_loaded_safely(make_project) -> None:
    project = make_project({"annotations/glossary.yaml": "terms: !!python/object/apply:os.system ['echo pwned']\n"})
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    assert (
        "annotations/glossary.yaml:1:8: error: 'terms': YAML tags such as '!!python/object/apply:os.system' are not allowed"
        in result.stderr
    )
    assert "Traceback" not in result.output


def test_repository_project_builds(tmp_path: Path) -> None:
    """The bundled reader builds with no errors and no warnings (check --strict)."""
    result = run_cli("build", "--project", str(REPO), "--out", str(tmp_path / "site"), "--strict", "--no-cache")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()


def test_own_javascript_and_css_stay_small() -> None:
    """Issue budget: reader.js, search.js and style.css each under 40 KB uncompressed; the page-specific
    scripts (map, composer) and the print stylesheet much smaller; no framework."""
    static = REPO / "builder" / "theme" / "static"
    sizes = {p.name: p.stat().st_size for p in static.iterdir() if p.suffix in (".js", ".css")}
    assert {"reader.js", "search.js", "style.css"} <= set(sizes)
    big = {name: size for name, size in sizes.items() if size >= (40_000 if name in BUDGETED else 10_000)}
    assert not big, big


BUDGETED = ("reader.js", "search.js", "style.css")


def test_markers_name_the_other_text_and_pages_lead_through_the_debate(make_project, tmp_path: Path) -> None:
    """Issue 10, items 3 and 5: a marker shows the other text's short title; a text lists its headings, leads
    down to "In dialogue with" with its counts, and links to the previous and next text of its debate."""
    project = make_project()
    beta = project / "content/beta.md"
    beta.write_text(beta.read_text("utf-8").replace("title:", 'short_title: "No bargain"\ntitle:', 1), "utf-8")
    alpha = project / "content/alpha.md"
    text = alpha.read_text("utf-8")
    text = text.replace(
        'title: "Security is indivisible"', 'title: "Security is indivisible: the 1975 principle today"'
    )
    alpha.write_text(text.replace("- A first claim", "## What follows\n\n- A first claim"), "utf-8")
    build(project, tmp_path / "site")
    site = tmp_path / "site"
    html = {
        name: (site / name).read_text("utf-8")
        for name in ("essays/alpha.html", "essays/beta.html", "debates/dispute.html")
    }

    def markers(page: str) -> list[str]:
        return re.findall(r'<a class="ed-marker xref[^>]*>([^<]*)</a>', html[page])

    # beta's own short title; alpha's title before its colon
    assert markers("essays/alpha.html") == ["rebutted by ← No bargain ¶1", "same event ↔ No bargain ¶1"]
    assert markers("essays/beta.html") == [
        "rebuts → Security is indivisible ¶3",
        "same event ↔ Security is indivisible ¶8",
    ]

    toc = re.findall(
        r'<li><a href="#(p\d+)">([^<]*)</a></li>',
        html["essays/alpha.html"].split('<nav class="toc"')[1].split("</nav>")[0],
    )
    assert [title for _, title in toc] == ["Who gains", "What follows"]
    for block, title in toc:
        heading = re.search(rf'<h2 id="{block}">(.*?)</h2>', html["essays/alpha.html"], re.S)
        assert heading and title in heading[1], block
    assert (
        '<a href="#dialogue-heading">In dialogue with 1 text: 2 cross-references <span aria-hidden="true">↓</span></a>'
        in html["essays/alpha.html"]
    )
    assert '<nav class="toc"' not in html["essays/beta.html"], "one heading makes no table of contents"

    def rel(page: str) -> dict[str, str]:
        return dict(re.findall(r'<link rel="(prev|next)" href="([^"]+)">', html[page]))

    assert rel("debates/dispute.html") == {"next": "../essays/alpha.html"}
    assert rel("essays/alpha.html") == {"prev": "../debates/dispute.html", "next": "../essays/beta.html"}
    assert rel("essays/beta.html") == {"prev": "../essays/alpha.html"}
    assert (
        'rel="next"><span class="sequence-dir">Next <span aria-hidden="true">→</span></span> Security is not a bargain</a>'
        in html["essays/alpha.html"]
    )
