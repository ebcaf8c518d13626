"""The whole reader as one EPUB 3 (`counterpoint build --epub FILE`): Reader -> XHTML pages -> one deterministic zip.

    mimetype                      first, stored: "application/epub+zip"
    META-INF/container.xml        points at the package document
    OEBPS/content.opf             metadata, manifest, spine
    OEBPS/front_page.xhtml        title page: title, description, how to read the marks
    OEBPS/contents_nav.xhtml      navigation: debates > texts > headings; landmarks
    OEBPS/<slug>.xhtml            one per text, in reading order (builder/epub_pages.py)
    OEBPS/glossary_terms.xhtml    the glossary, with every occurrence
    OEBPS/style.css               small, e-reader friendly
    OEBPS/static/…                the pictures the texts show (PNG, JPEG, GIF of static/, at their site paths)

Reading order: the front page, the contents, then each debate (its framing text opens a
part) followed by its texts, the texts of no debate, the pages, and the glossary.

Byte for byte deterministic: the identifier is a UUID derived from the title, language
and the texts' slugs (so it survives corrections of the texts, as a book's identity
should); the modification date is the newest `date:` of the texts (1980-01-01 when none
has one); every zip entry has the same timestamp and permissions.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from builder.diagnostics import Report
from builder.epub_pages import FRONT, GLOSSARY, NAV, Locator, Pages, TextPage, h, page_of, reading_order
from builder.linking import Reader
from builder.model import Text
from builder.pipeline import Project, processed_once, renderer_for
from builder.progress import Progress
from builder.render import Renderer
from builder.xhtml import Heading, document

MIMETYPE = b"application/epub+zip"
EPOCH = (1980, 1, 1, 0, 0, 0)
PICTURES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
STYLE = Path(__file__).parent / "theme" / "epub" / "style.css"
CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>\n'
    "</container>\n"
)


@dataclass(frozen=True, slots=True)
class BookFile:
    """One file of the book, under OEBPS/."""

    name: str
    data: bytes
    media_type: str
    linear: bool | None = None
    """In the spine (reading order) when not None."""
    properties: str = ""


@dataclass(frozen=True, slots=True)
class EpubResult:
    texts: int
    size: int
    """Bytes written."""


def build_epub(project: Project, out_file: Path, report: Report, progress: Progress | None = None) -> EpubResult:
    """Check the project, then write its EPUB to `out_file` (replaced only once the whole book is made)."""
    progress = progress or Progress()
    try:
        with processed_once(project, report, progress) as (sources, processed):
            renderer = renderer_for(project, processed, report)
            files = book_files(renderer, {str(site): path for site, path in sources.static})
    finally:
        progress.finish()
    report.raise_if_errors()
    data = zip_book(package(processed.reader, files), files)
    write_atomic(out_file, data)
    return EpubResult(len(processed.reader.texts), len(data))


def book_files(renderer: Renderer, static: dict[str, Path]) -> list[BookFile]:
    """Every file of the book, in manifest order (front page, contents, texts, glossary, style, pictures)."""
    reader = renderer.reader
    locate = Locator(reader, (site for site in static if PurePosixPath(site).suffix.lower() in PICTURES))
    pages = Pages(renderer, locate)
    order = reading_order(reader)
    text_pages = [pages.text(t) for t in order]
    has_glossary = bool(reader.annotations.terms)
    xhtml = partial(_page, reader.config.language)
    files = [
        xhtml(FRONT, reader.config.title, pages.front(order)),
        xhtml(NAV, "Contents", nav(reader, text_pages, has_glossary), "nav"),
    ]
    files += [xhtml(page_of(p.text), p.text.title, p.body) for p in text_pages]
    if has_glossary:
        files.append(xhtml(GLOSSARY, "Glossary", pages.glossary()))
    files.append(BookFile("style.css", STYLE.read_bytes(), "text/css"))
    for site in sorted(locate.shown):
        kind = PICTURES[PurePosixPath(site).suffix.lower()]
        files.append(BookFile(locate.pictures[site], static[site].read_bytes(), kind))
    return files


def _page(language: str, name: str, title: str, body: str, properties: str = "") -> BookFile:
    data = document(title, language, body).encode("utf-8")
    return BookFile(name, data, "application/xhtml+xml", True, properties)


# ------------------------------------------------------------------ navigation


def nav(reader: Reader, pages: list[TextPage], has_glossary: bool) -> str:
    """The table of contents (debates > texts > headings, in reading order) and the landmarks."""
    by_slug = {p.text.slug: p for p in pages}
    items = [f'<li><a href="{FRONT}">{h(reader.config.title)}</a></li>']
    placed: set[str] = set()
    for debate in reader.ordered("debate"):
        members = [s for s in debate.essays if s in by_slug and s not in placed and by_slug[s].text.kind == "essay"]
        placed.update(members)
        items.append(_nav_item(by_slug[debate.slug], [_nav_item(by_slug[s], []) for s in members]))
    items += [_nav_item(p, []) for p in pages if p.text.kind != "debate" and p.text.slug not in placed]
    if has_glossary:
        items.append(f'<li><a href="{GLOSSARY}">Glossary</a></li>')
    landmarks = [
        f'<li><a epub:type="titlepage" href="{FRONT}">Title page</a></li>',
        f'<li><a epub:type="toc" href="{NAV}#toc">Contents</a></li>',
    ]
    if pages:
        start = pages[0].text
        landmarks.append(f'<li><a epub:type="bodymatter" href="{page_of(start)}">{h(start.title)}</a></li>')
    if has_glossary:
        landmarks.append(f'<li><a epub:type="glossary" href="{GLOSSARY}">Glossary</a></li>')
    return (
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{"".join(items)}</ol></nav>\n'
        f'<nav epub:type="landmarks" id="landmarks" hidden="hidden"><h2>Landmarks</h2>'
        f"<ol>{''.join(landmarks)}</ol></nav>"
    )


def _nav_item(page: TextPage, members: list[str]) -> str:
    """A text in the contents: its title, then its headings (nested by level), then a debate's texts."""
    href = page_of(page.text)
    inner = _heading_list(href, list(page.headings)) + members
    sub = f"<ol>{''.join(inner)}</ol>" if inner else ""
    return f'<li><a href="{href}">{h(page.text.title)}</a>{sub}</li>'


def _heading_list(href: str, headings: list[Heading]) -> list[str]:
    """Headings as nested items: a deeper heading goes inside the one before it."""
    items: list[str] = []
    while headings:
        first = headings.pop(0)
        children = []
        while headings and headings[0].level > first.level:
            children.append(headings.pop(0))
        sub = _heading_list(href, children)
        inner = f"<ol>{''.join(sub)}</ol>" if sub else ""
        items.append(f'<li><a href="{href}#{h(first.id)}">{h(first.title or "¶")}</a>{inner}</li>')
    return items


# ------------------------------------------------------------------ package and zip


def book_date(texts: list[Text]) -> tuple[str, str]:
    """(dc:date, dcterms:modified): the newest date among the texts, as written and as a timestamp."""
    best: tuple[int, int, int] | None = None
    written = ""
    for text in texts:
        found = DATE.fullmatch(text.date.strip())
        if found is None:
            continue
        key = (int(found[1]), int(found[2] or 1), int(found[3] or 1))
        if best is None or key > best:
            best, written = key, found[0]
    if best is None:
        return "1980-01-01", "1980-01-01T00:00:00Z"
    return written, f"{best[0]:04d}-{best[1]:02d}-{best[2]:02d}T00:00:00Z"


def identifier(reader: Reader) -> str:
    """A UUID from the title, language and slugs: the same book keeps it across corrections."""
    key = json.dumps([reader.config.title, reader.config.language, sorted(reader.texts)], ensure_ascii=False)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'counterpoint:' + key)}"


def package(reader: Reader, files: list[BookFile]) -> str:
    """content.opf: metadata (editors as creator, authors as contributors), manifest, spine."""
    config = reader.config
    date, modified = book_date(list(reader.texts.values()))
    authors = sorted(
        {a.name for t in reader.texts.values() for a in t.authors if a.name and a.name != "not stated"},
        key=str.lower,
    )
    meta = [
        f'<dc:identifier id="uid">{identifier(reader)}</dc:identifier>',
        f"<dc:title>{h(config.title)}</dc:title>",
        f"<dc:language>{h(config.language)}</dc:language>",
        '<dc:creator id="editors">The editors of this reader</dc:creator>',
        '<meta refines="#editors" property="role" scheme="marc:relators">edt</meta>',
    ]
    for i, name in enumerate(authors, 1):
        meta.append(f'<dc:contributor id="author-{i}">{h(name)}</dc:contributor>')
        meta.append(f'<meta refines="#author-{i}" property="role" scheme="marc:relators">aut</meta>')
    meta.append(f"<dc:date>{date}</dc:date>")
    if config.description:
        meta.append(f"<dc:description>{h(config.description)}</dc:description>")
    meta.append(f'<meta property="dcterms:modified">{modified}</meta>')
    ids = {f.name: f"f{i}" for i, f in enumerate(files)}
    manifest = [
        f'<item id="{ids[f.name]}" href="{h(f.name)}" media-type="{f.media_type}"'
        + (f' properties="{f.properties}"' if f.properties else "")
        + "/>"
        for f in files
    ]
    spine = [
        f'<itemref idref="{ids[f.name]}"' + ("" if f.linear else ' linear="no"') + "/>"
        for f in files
        if f.linear is not None
    ]
    lang = h(config.language)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="{lang}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n' + "\n".join(meta) + "\n</metadata>\n"
        "<manifest>\n" + "\n".join(manifest) + "\n</manifest>\n"
        "<spine>\n" + "\n".join(spine) + "\n</spine>\n</package>\n"
    )


def zip_book(opf: str, files: list[BookFile]) -> bytes:
    """The EPUB container: mimetype first and stored, then everything deflated, all at one fixed time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_entry("mimetype", zipfile.ZIP_STORED), MIMETYPE)
        archive.writestr(_entry("META-INF/container.xml"), CONTAINER.encode("utf-8"), compresslevel=9)
        archive.writestr(_entry("OEBPS/content.opf"), opf.encode("utf-8"), compresslevel=9)
        for f in files:
            archive.writestr(_entry(f"OEBPS/{f.name}"), f.data, compresslevel=9)
    return buffer.getvalue()


def _entry(name: str, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.compress_type = compression
    info.create_system = 3  # Unix, so the permissions below mean what they say
    info.external_attr = 0o100644 << 16
    return info


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside `path`, then move into place: a failure never leaves half a book."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
