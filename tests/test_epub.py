"""`counterpoint build --epub FILE`: the whole reader as one EPUB 3 that a reading system opens offline.

What a reader of the book sees is checked by opening the file as a reading system does:
the zip, its package document, and the XHTML pages (parsed as XML, so each is well-formed).
epubcheck (Debian package `epubcheck`, installed by `.ci/run`; it runs on Java) must report
no error and no warning for the bundled reader and the fixture projects. Without it the
epubcheck tests skip with a loud reason on a developer's machine, and fail when CI is set.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from helpers import MINIMAL, REPO, run_cli, tool_unavailable

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
MAX_BUNDLED_BYTES = 3 * 1024 * 1024


def build(project: Path, target: Path) -> Path:
    result = run_cli("build", "--project", str(project), "--epub", str(target))
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output
    return target


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO, tmp_path_factory.mktemp("epub") / "bundled.epub")


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(MINIMAL, tmp_path_factory.mktemp("epub") / "minimal.epub")


def one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")


EDGE_TEXT = """\
---
title: "Edge cases"
authors: [{ name: C. Writer }]
perspective: east
outlet: Edge Review
date: 2025-03
source: "edge.txt"
---
A line that breaks\\
here, a [picture](../static/map.png) link, a [file](../static/report.pdf) and an entity:&nbsp;&amp; &copy;.

![A map of Europe](../static/map.png) ![An older map](../static/old%20map.png)

| year | event |
|-----:|-------|
| 1975 | Helsinki Final Act |

---

See [the second claim](text:alpha#p5) and [the term](term:helsinki-final-act).
"""


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project plus a text with a hard break, entities, a table, a rule, pictures and local links."""
    root = tmp_path_factory.mktemp("edge") / "project"
    shutil.copytree(MINIMAL, root)
    (root / "content" / "edge.md").write_text(EDGE_TEXT, encoding="utf-8")
    (root / "static").mkdir()
    for name in ("map.png", "old map.png", "unused.png"):
        (root / "static" / name).write_bytes(one_pixel_png())
    (root / "static" / "report.pdf").write_bytes(b"%PDF-1.4\n")
    return build(root, root.parent / "edge.epub")


def pages(book: Path) -> dict[str, ET.Element]:
    """Every XHTML page of the book, parsed as XML (a page that is not well-formed fails here)."""
    with zipfile.ZipFile(book) as archive:
        return {
            name.removeprefix("OEBPS/"): ET.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".xhtml")
        }


def by_id(page: ET.Element, dom_id: str) -> ET.Element | None:
    return next((e for e in page.iter() if e.get("id") == dom_id), None)


def words(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def link_with_text(page: ET.Element, text: str) -> ET.Element:
    found = [a for a in page.iter(f"{X}a") if words(a) == text]
    assert len(found) == 1, f"{len(found)} links read {text!r}"
    return found[0]


def follow(book: dict[str, ET.Element], here: str, href: str) -> ET.Element:
    """The element a link leads to: the named page's element with the fragment's id."""
    name, fragment = urldefrag(href)
    page = book[name or here]
    target = by_id(page, fragment)
    assert target is not None, f"{href} (from {here}) names no element"
    return target


# ------------------------------------------------------------------ epubcheck


def unavailable(reason: str) -> None:
    tool_unavailable("EPUBCHECK", reason)


def epubcheck(book: Path) -> dict[str, object]:
    """epubcheck's JSON report of a book (Debian installs it as a jar, run here with java -jar)."""
    jar, java = shutil.which("epubcheck"), shutil.which("java")
    if jar is None or java is None:
        unavailable("epubcheck or java is not installed (apt-get install epubcheck)")
    assert jar is not None and java is not None
    report = book.with_suffix(".json")
    run = subprocess.run(
        [java, "-jar", str(Path(jar).resolve()), str(book), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), run.stdout + run.stderr
    data: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", ["bundled", "minimal", "edge"])
def test_epubcheck_reports_no_error_and_no_warning(name: str, request: pytest.FixtureRequest) -> None:
    report = epubcheck(request.getfixturevalue(name))
    checker = report["checker"]
    assert isinstance(checker, dict)
    messages = [
        f"{m['severity']} {m['ID']}: {m['message']} at {m['locations'][:1]}"
        for m in report["messages"]  # type: ignore[attr-defined]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    assert messages == []
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0)


# ------------------------------------------------------------------ the file


def test_the_bundled_book_is_under_3_mb(bundled: Path) -> None:
    assert bundled.stat().st_size < MAX_BUNDLED_BYTES


def test_two_builds_are_byte_identical(bundled: Path, tmp_path: Path) -> None:
    again = build(REPO, tmp_path / "again.epub")
    assert again.read_bytes() == bundled.read_bytes()


def test_the_container_starts_with_the_stored_mimetype(minimal: Path) -> None:
    with zipfile.ZipFile(minimal) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert archive.read("mimetype") == b"application/epub+zip"
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert minimal.read_bytes()[30:38] == b"mimetype"  # the name right after the first local header


def test_epub_does_not_go_with_site_options(tmp_path: Path) -> None:
    result = run_cli("build", "--project", str(MINIMAL), "--epub", str(tmp_path / "x.epub"), "--zip")
    assert result.exit_code == 2
    assert "--epub writes a book instead of the site" in result.output
    assert not (tmp_path / "x.epub").exists()


def test_a_broken_project_writes_no_book(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        {"annotations/notes/alpha.yaml": "notes:\n  - id: x\n    at: { quote: 'nowhere at all' }\n    body: A note.\n"}
    )
    result = run_cli("build", "--project", str(root), "--epub", str(tmp_path / "x.epub"))
    assert result.exit_code == 1
    assert "quote matches no passage" in result.output
    assert not (tmp_path / "x.epub").exists()


# ------------------------------------------------------------------ package document


def package(book: Path) -> ET.Element:
    with zipfile.ZipFile(book) as archive:
        return ET.fromstring(archive.read("OEBPS/content.opf"))


def test_metadata_names_title_editors_authors_language_date(minimal: Path) -> None:
    meta = package(minimal).find(f"{OPF}metadata")
    assert meta is not None
    value = {tag: [e.text for e in meta.iter(f"{DC}{tag}")] for tag in ("title", "language", "creator", "date")}
    assert value == {
        "title": ["Minimal reader"],
        "language": ["en"],
        "creator": ["The editors of this reader"],
        "date": ["2024-07-31"],  # the newest date of the texts
    }
    assert [e.text for e in meta.iter(f"{DC}contributor")] == ["A. Author", "B. Writer"]
    identifier = meta.find(f"{DC}identifier")
    assert identifier is not None and re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", identifier.text or "")
    modified = [e.text for e in meta.iter(f"{OPF}meta") if e.get("property") == "dcterms:modified"]
    assert modified == ["2024-07-31T00:00:00Z"]


def test_the_bundled_book_carries_its_description(bundled: Path) -> None:
    meta = package(bundled).find(f"{OPF}metadata")
    assert meta is not None
    description = meta.find(f"{DC}description")
    assert description is not None and (description.text or "").startswith("Five sources, reproduced verbatim")


def test_reading_order_front_page_then_each_debate_with_its_texts_then_pages_then_glossary(minimal: Path) -> None:
    opf = package(minimal)
    hrefs = {i.get("id"): i.get("href") for i in opf.iter(f"{OPF}item")}
    spine = [hrefs[i.get("idref")] for i in opf.iter(f"{OPF}itemref")]
    assert spine == [
        "front_page.xhtml",
        "contents_nav.xhtml",
        "dispute.xhtml",
        "alpha.xhtml",
        "beta.xhtml",
        "about.xhtml",
        "glossary_terms.xhtml",
    ]


def test_contents_lists_debates_texts_and_headings_and_landmarks(minimal: Path) -> None:
    nav = pages(minimal)["contents_nav.xhtml"]
    toc, landmarks = [n for n in nav.iter(f"{X}nav")]
    assert (toc.get(EPUB_TYPE), landmarks.get(EPUB_TYPE)) == ("toc", "landmarks")
    debate = next(li for li in toc.iter(f"{X}li") if words(li.find(f"{X}a")) == "Who is to blame?")  # type: ignore[arg-type]
    inside = [(words(a), a.get("href")) for a in debate.iter(f"{X}a")]
    assert inside == [
        ("Who is to blame?", "dispute.xhtml"),
        ("Security is indivisible", "alpha.xhtml"),
        ("Who gains", "alpha.xhtml#p2"),
        ("Security is not a bargain", "beta.xhtml"),
        ("Remedies", "beta.xhtml#p2"),
    ]
    marks = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter(f"{X}a")}
    assert marks == {
        "titlepage": "front_page.xhtml",
        "toc": "contents_nav.xhtml#toc",
        "bodymatter": "dispute.xhtml",
        "glossary": "glossary_terms.xhtml",
    }


# ------------------------------------------------------------------ what a reader meets in the texts


def test_an_authors_footnote_is_an_epub_footnote(minimal: Path) -> None:
    book = pages(minimal)
    marker = link_with_text(book["alpha.xhtml"], "2")
    assert (marker.get(EPUB_TYPE), marker.get("href")) == ("noteref", "#fn-2")
    note = follow(book, "alpha.xhtml", "#fn-2")
    assert (note.tag, note.get(EPUB_TYPE)) == (f"{X}aside", "footnote")
    assert words(note) == "2 8 Interview with an analyst, March 2022. ↩"


def test_an_editor_note_is_lettered_and_labelled_as_the_editors(minimal: Path) -> None:
    book = pages(minimal)
    marker = link_with_text(book["alpha.xhtml"], "[a]")
    assert (marker.get(EPUB_TYPE), marker.get("href")) == ("noteref", "#note-helsinki-1975")
    note = follow(book, "alpha.xhtml", marker.get("href", ""))
    assert note.tag == f"{X}aside"
    assert words(note) == (
        "Editors’ note a (¶1) Signed in 1975 by 35 states at the Conference on Security and Co-operation in Europe."
    )
    back = follow(book, "alpha.xhtml", next(a for a in note.iter(f"{X}a")).get("href", ""))
    assert back is marker
    sidenotes = [e for page in book.values() for e in page.iter() if "sidenote" in (e.get("class") or "")]
    assert sidenotes == []  # the site's inline sidenotes are the book's endnotes


def test_a_cross_reference_leads_to_the_exact_passage_and_back(minimal: Path) -> None:
    book = pages(minimal)
    there = link_with_text(book["beta.xhtml"], "[rebuts → Security is indivisible ¶3]")
    passage = follow(book, "beta.xhtml", there.get("href", ""))
    assert words(passage) == "Who’s the biggest winner?"
    back = link_with_text(book["alpha.xhtml"], "[rebutted by ← Security is not a bargain ¶1]")
    origin = follow(book, "alpha.xhtml", back.get("href", ""))
    assert words(origin) == "For Beijing, the war in Ukraine is an opportunity"


def test_a_glossary_term_links_to_its_entry(minimal: Path) -> None:
    book = pages(minimal)
    term = link_with_text(book["alpha.xhtml"], "security is indivisible")
    entry = follow(book, "alpha.xhtml", term.get("href", ""))
    assert (entry.tag, words(entry)) == (f"{X}dt", "Indivisible security")


def test_paragraph_numbers_are_kept_as_ids(minimal: Path) -> None:
    alpha = pages(minimal)["alpha.xhtml"]
    numbered = [(e.get("id"), words(e)[:11]) for e in alpha.iter() if re.fullmatch(r"p\d+", e.get("id") or "")]
    assert numbered == [
        ("p1", "1 The world"),
        ("p2", "2 Who gains"),
        ("p3", "3 Who’s the"),
        ("p4", "4 A first c"),
        ("p5", "5 A second "),
        ("p6", "6 A quoted "),
        ("p7", "7"),  # the authors' notes: the number of each note's block
        ("p8", "8"),
    ]


def test_a_text_opens_with_its_authors_provenance_and_perspective_in_words(minimal: Path) -> None:
    header = next(pages(minimal)["alpha.xhtml"].iter(f"{X}header"))
    assert words(header) == (
        "Perspective: East Security is indivisible A. Author, Institute of East Studies "
        "Published in East Review Date 2024-07-31 Debate Who is to blame? Source alpha.txt"
    )


@pytest.mark.parametrize("name", ["bundled", "minimal", "edge"])
def test_every_link_resolves_and_nothing_is_fetched(name: str, request: pytest.FixtureRequest) -> None:
    book = pages(request.getfixturevalue(name))
    for file, page in book.items():
        for element in page.iter():
            for attribute in ("href", "src"):
                url = element.get(attribute)
                if url is None or element.tag == f"{X}link":
                    continue
                if re.match(r"(https?|mailto):", url):
                    assert (element.tag, attribute) == (f"{X}a", "href"), f"{file}: remote {url}"
                    continue
                if attribute == "src":
                    assert url in PICTURES[name], f"{file}: {url}"
                elif urldefrag(url)[1]:
                    follow(book, file, url)
                else:
                    assert urldefrag(url)[0] in book, f"{file}: {url}"


PICTURES = {"bundled": (), "minimal": (), "edge": ("static/map.png", "static/old-map.png")}


def test_an_external_link_stays_a_plain_link(minimal: Path) -> None:
    link = link_with_text(pages(minimal)["alpha.xhtml"], "United States")
    assert link.get("href") == "https://example.org/us"


def test_markup_that_html_allows_and_xml_does_not_is_converted(edge: Path) -> None:
    book = pages(edge)
    page = book["edge.xhtml"]
    first = by_id(page, "p1")
    assert first is not None and first.find(f"{X}br") is not None
    assert "entity:\u00a0& ©." in "".join(first.itertext())
    pictures = [(i.get("src"), i.get("alt")) for i in page.iter(f"{X}img")]
    assert pictures == [("static/map.png", "A map of Europe"), ("static/old-map.png", "An older map")]
    with zipfile.ZipFile(edge) as archive:
        inside = [n for n in archive.namelist() if n.startswith("OEBPS/static/")]
        assert inside == ["OEBPS/static/map.png", "OEBPS/static/old-map.png"]  # not the unused one, not the PDF
        assert archive.read("OEBPS/static/map.png") == one_pixel_png()
    assert not any(a.get("href", "").endswith(".pdf") for a in page.iter(f"{X}a"))
    assert words(link_with_text(page, "the second claim")) == "the second claim"
    second = follow(book, "edge.xhtml", link_with_text(page, "the second claim").get("href", ""))
    assert words(second) == "5 A second claim — with a dash."
    assert next(page.iter(f"{X}table")) is not None and next(page.iter(f"{X}hr")) is not None
