"""Reader -> [RenderedPage]: Jinja templates (project's before built-ins) fed with views."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import combinations
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from builder import views
from builder.bodies import end_mark, fill
from builder.diagnostics import Location, Report
from builder.keys import key_of
from builder.linking import Reader
from builder.markdown import render_markdown, safe_id
from builder.model import Link, Text
from builder.progress import Progress
from builder.store import PageLedger
from builder.terms import Occurrence
from builder.textblocks import FOOTNOTE_MARK
from builder.textwork import Directory

THEME = Path(__file__).parent / "theme"
BLOCK_TAGS = re.compile(r"<(/?)(p|ul|ol|li|blockquote|h[1-6]|pre)(\s[^>]*)?>")


@dataclass(frozen=True, slots=True)
class RenderedPage:
    path: PurePosixPath
    """Relative to the output folder."""
    content: str
    reuse: Path | None = None
    """An unchanged file of the previous build to link in place of `content` (incremental builds)."""
    parts: Callable[[], Iterable[str]] | None = None
    """A big generated file made piece by piece as it is written (never whole in memory), in place of `content`."""


class LazyBody:
    """A text's HTML, rendered only when a template prints it; hashed by its inputs for the page cache."""

    __slots__ = ("cache_key", "_render", "_html", "_empty")

    def __init__(self, cache_key: str, render: Callable[[], str], empty: bool = False) -> None:
        self.cache_key = cache_key
        self._render = render
        self._html: str | None = None
        self._empty = empty

    def __repr__(self) -> str:
        return f"LazyBody({self.cache_key})"

    def __bool__(self) -> bool:
        """False for HTML known to be empty (so `{% if note_html %}` reads as it would for a string)."""
        return not self._empty

    def __html__(self) -> str:
        if self._html is None:
            self._html = self._render()
        return self._html

    __str__ = __html__


def make_environment(project_templates: Path, report: Report | None = None) -> jinja2.Environment:
    """The project's templates (untrusted: read through projectfs) before the theme's, all in Jinja's sandbox.

    Pass the build's `report`: problems with files in templates/ are then reported at the file.
    A project without templates of its own renders only the theme's, which are part of the
    generator and trusted: those skip the sandbox's checks on every attribute (a quarter of
    a big build's rendering time).
    """
    from builder.project_templates import ProjectSandbox, ProjectTemplateLoader
    from builder.projectfs import list_files

    loaders: list[jinja2.BaseLoader] = [
        ProjectTemplateLoader(project_templates.parent, report),  # project_templates is <root>/templates
        jinja2.FileSystemLoader(str(THEME / "templates")),
    ]
    own = list_files(project_templates.parent, project_templates.name, Report())  # refused entries count too
    untrusted = bool(own) or any(project_templates.iterdir()) if project_templates.is_dir() else bool(own)
    kind = ProjectSandbox if untrusted else jinja2.Environment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    return env


def inline_html(html: str) -> str:
    """Block HTML of a note -> phrasing content, so a sidenote can sit inside a paragraph."""
    return BLOCK_TAGS.sub(lambda m: "</span>" if m[1] else f'<span class="sn-{m[2]}">', html).strip()


class Renderer:
    """Renders every page of a Reader; one instance per build.

    Bodies come ready-made from the per-text stage (`bodies(slug)` gives a text's body
    template); a page only fills in its slots. `ledger`, when given, lets a page whose
    inputs did not change be taken from the previous output instead of rendered.
    """

    def __init__(
        self,
        reader: Reader,
        md: MarkdownIt,
        templates: Path,
        report: Report,
        bodies: Callable[[str], str],
        body_keys: dict[str, str],
        ledger: PageLedger | None = None,
        site_key: str = "",
        term_keys: dict[str, str] | None = None,
    ) -> None:
        self.reader = reader
        self.ledger = ledger
        self.inputs_key = key_of(site_key, reader.config)
        self.md = md
        self.env = make_environment(templates, report)
        self.report = report
        self.bodies = bodies
        self.body_keys = body_keys
        self.term_keys = term_keys if term_keys is not None else body_keys
        """What each text's glossary occurrences depend on (a note's edit leaves it alone)."""
        depth1 = partial(self.resolve, "../")
        self.link_note_html = {  # rendered only for the pages that print them (a kept page needs none)
            link.id: LazyBody(
                key_of("link-note", link.note), partial(render_markdown, md, link.note, depth1), not link.note
            )
            for link in reader.annotations.links
        }
        self.term_html = {
            t.id: render_markdown(md, t.definition, partial(self.resolve, "")) for t in reader.annotations.terms
        }

    # -------------------------------------------------------------- helpers

    def resolve(self, root: str, target: str) -> str | None:
        """`text:<slug>[#p<N>]` / `term:<id>` -> a URL relative to a page at `root` (None if unknown)."""
        return self.directory.resolve(root, target)

    @cached_property
    def directory(self) -> Directory:
        return Directory(
            {t.slug: t.url for t in self.reader.texts.values()},
            {t.id: t.term for t in self.reader.terms_by_id.values()},
        )

    def page(self, template: str, path: str, **context: Any) -> RenderedPage | None:
        """A page from its template, or the previous output's file when made from the same context."""
        key = ""
        if self.ledger is not None:
            key = key_of(self.inputs_key, template, path, context)
            old = self.ledger.reusable(path, key)
            if old is not None:
                return RenderedPage(PurePosixPath(path), "", reuse=old)
        page = self._render_page(template, path, context)
        if page is not None and self.ledger is not None:
            self.ledger.record(path, key)
        return page

    def _render_page(self, template: str, path: str, context: dict[str, Any]) -> RenderedPage | None:
        root = "../" * path.count("/")
        try:
            html = self.env.get_template(template).render(site=self.site_view(root), root=root, path=path, **context)
        except jinja2.TemplateError as exc:  # the sandbox's refusals (SecurityError) among them
            self.report.error(
                _template_location(exc, template),
                f"error building page '{path}': {exc}",
                "check the template named here",
                code="template",
            )
            return None
        return RenderedPage(PurePosixPath(path), html)

    def page_when_changed(
        self, template: str, path: str, key: str, context: Callable[[], dict[str, Any]]
    ) -> RenderedPage | None:
        """A page whose context is costly: `key` stands for everything it depends on, and the context is
        built (and the page rendered) only when the previous output's page was made from another key."""
        if self.ledger is not None:
            full = key_of(self.inputs_key, template, path, key)
            old = self.ledger.reusable(path, full)
            if old is not None:
                return RenderedPage(PurePosixPath(path), "", reuse=old)
        page = self._render_page(template, path, context())
        if page is not None and self.ledger is not None:
            self.ledger.record(path, full)
        return page

    def data_page(self, path: str, key: str, make: Callable[[], str]) -> RenderedPage:
        """A generated file that is not a template (glossary data), reused when its key holds."""
        return self._data(path, key) or RenderedPage(PurePosixPath(path), make())

    def data_stream(self, path: str, key: str, parts: Callable[[], Iterable[str]]) -> RenderedPage:
        """A big generated file (the search index), written piece by piece, reused when its key holds."""
        return self._data(path, key) or RenderedPage(PurePosixPath(path), "", parts=parts)

    def _data(self, path: str, key: str) -> RenderedPage | None:
        if self.ledger is not None:
            full = key_of(self.inputs_key, path, key)
            old = self.ledger.reusable(path, full)
            if old is not None:
                return RenderedPage(PurePosixPath(path), "", reuse=old)
            self.ledger.record(path, full)
        return None

    def site_view(self, root: str) -> dict[str, Any]:
        config = self.reader.config
        return {
            "title": config.title,
            "language": config.language,
            "description": config.description,
            "base_url": config.base_url,
            "perspectives": [
                {"key": p.key, "label": p.label, "colour": p.colour, "description": p.description}
                for p in config.perspectives
            ],
        }

    def slot_words(self, kind: str, end: str) -> str:
        """A link's label ("l") or preview ("v") at one of its ends: the words of the other end."""
        link_id, outgoing = end[:-1], end[-1] == "+"
        link = self.link_by_id[link_id]
        if kind == "l":
            return views.link_label(self.reader, link, outgoing)
        return views.passage_words(self.reader, self.reader.link_anchors[link_id][1 if outgoing else 0])

    @cached_property
    def link_by_id(self) -> dict[str, Link]:
        return {link.id: link for link in self.reader.anchored_links}

    def text_body(self, text: Text, root: str, id_prefix: str = "") -> tuple[LazyBody, list[dict[str, Any]]]:
        """A text's HTML as shown on a page at `root` (filled from its body template when first printed)
        and its notes; keyed by the template's key and the words filled into its slots."""
        words = [
            self.slot_words(kind, end) for kind, end in self.slots_of(text.slug)
        ]  # other texts' titles, ¶ numbers, passages
        key = key_of(self.body_keys.get(text.slug, ""), root, id_prefix, words)
        body = LazyBody(key, partial(self._fill, text.slug, root, id_prefix))
        notes = [
            dict(n) | {"html": Markup(fill(str(n["html"]), root, id_prefix, self.slot_words))}
            for n in self.reader.notes_view.get(text.slug, ())
        ]
        return body, notes

    def slots_of(self, slug: str) -> list[tuple[str, str]]:
        """The label and preview slots of a text's body: one of each per link end in the text."""
        out: list[tuple[str, str]] = []
        for link in self.reader.links_of.get(slug, ()):
            for outgoing, end in ((True, link.source), (False, link.target)):
                if end.essay == slug:
                    mark = end_mark(link.id, outgoing)
                    out += [("l", mark), ("v", mark)]
        return out

    def _fill(self, slug: str, root: str, id_prefix: str) -> str:
        return fill(self.bodies(slug), root, id_prefix, self.slot_words)

    def text_header(self, text: Text, root: str, id_prefix: str = "") -> dict[str, Any]:
        return {
            "slug": text.slug,
            "title": text.title,
            "kind": text.kind,
            "url": root + text.url,
            "authors": [
                {"name": a.name, "affiliation": affiliation_html(a.affiliation, id_prefix)} for a in text.authors
            ],
            "byline": views.byline(text),
            "outlet": text.outlet or "not stated",
            "date": text.date,
            "source": text.source,
            "perspective": views.perspective_view(self.reader, text),
            "debates": [{"title": d.title, "url": root + d.url} for d in self.reader.debates_of(text)],
            "summary": text.summary,
            "short_title": views.short_title(text),
            "parent": (
                {"title": self.reader.texts[text.parent].title, "url": root + self.reader.texts[text.parent].url}
                if text.parent in self.reader.texts
                else None
            ),
        }

    # -------------------------------------------------------------- pages

    def essay(self, text: Text) -> RenderedPage | None:
        root = "../"
        body, notes = self.text_body(text, root)
        dialogue = views.dialogue(self.reader, text, root)
        for group in dialogue:
            for item in group["items"]:
                item["note_html"] = self.link_note_html.get(item["id"], "")
        compares = self.compares_of(text.slug, root)
        return self.page(
            "essay.html",
            text.url,
            text=self.text_header(text, root),
            body=body,
            notes=notes,
            dialogue=dialogue,
            dialogue_counts=views.dialogue_counts(dialogue),
            compares=compares,
            toc=views.toc(self.reader, text),
            sequence=views.sequence(self.reader, text, root),
        )

    def debate(self, text: Text) -> RenderedPage | None:
        root = "../"
        body, notes = self.text_body(text, root)
        essays = [self.card(self.reader.texts[s], root) for s in text.essays if s in self.reader.texts]
        members = set(text.essays)
        counts: dict[str, int] = {}
        for link in {item.id: item for s in members for item in self.reader.links_of.get(s, ())}.values():
            if {link.source.essay, link.target.essay} <= members and link.source.essay != link.target.essay:
                counts[link.relation] = counts.get(link.relation, 0) + 1
        pairs = [
            {"a": self.reader.texts[a].title, "b": self.reader.texts[b].title, "url": root + compare_path(a, b)}
            for a, b in combinations(sorted(members), 2)
            if (a, b) in self._static_pairs
        ]
        return self.page(
            "debate.html",
            text.url,
            text=self.text_header(text, root),
            body=body,
            notes=notes,
            essays=essays,
            counts=[{"relation": r, "count": counts[r]} for r in views.RELATION_ORDER if r in counts],
            compares=pairs,
            toc=views.toc(self.reader, text),
            sequence=views.sequence(self.reader, text, root),
        )

    def card(self, text: Text, root: str) -> dict[str, Any]:
        blocks = [b for b in self.reader.parsed[text.slug].blocks if b.kind == "paragraph"]
        opening = " ".join(b.text for b in blocks[:2])
        opening = opening if len(opening) < 320 else opening[:319].rsplit(" ", 1)[0] + " …"
        return self.text_header(text, root) | {"opening": opening}

    def plain_page(self, text: Text) -> RenderedPage | None:
        body, notes = self.text_body(text, "")
        # book order: front matter pages, then the chapters (debates), each by `order`
        children = [
            self.text_header(t, "")
            for t in self.reader.ordered("page") + self.reader.ordered("debate")
            if t.parent == text.slug
        ]
        return self.page(
            "page.html",
            text.url,
            text=self.text_header(text, ""),
            body=body,
            notes=notes,
            children=children,
            toc=views.toc(self.reader, text),
        )

    def index(self) -> RenderedPage | None:
        debates = [
            self.text_header(d, "")
            | {"essays": [self.card(self.reader.texts[s], "") for s in d.essays if s in self.reader.texts]}
            for d in self.reader.ordered("debate")
        ]
        in_debate = {s for d in self.reader.ordered("debate") for s in d.essays}
        loose = [self.card(t, "") for t in self.reader.ordered("essay") if t.slug not in in_debate]
        pages = [self.text_header(t, "") for t in self.reader.ordered("page") if not t.parent]
        counts = {
            "essays": len(self.reader.ordered("essay")),
            "debates": len(debates),
            "notes": len(self.reader.note_anchors),
            "links": len(self.reader.link_anchors),
            "terms": len(self.reader.annotations.terms),
        }
        return self.page("index.html", "index.html", debates=debates, loose=loose, pages=pages, counts=counts)

    def compare_pairs(self) -> list[tuple[str, str]]:
        """Each debate's pairs of texts, slugs sorted: each gets a static compare page (no script needed)."""
        return sorted(self._static_pairs)

    @cached_property
    def _static_pairs(self) -> set[tuple[str, str]]:
        texts = self.reader.texts
        pairs = {tuple(sorted(p)) for d in self.reader.ordered("debate") for p in combinations(d.essays, 2)}
        return {(a, b) for a, b in pairs if a in texts and b in texts and a != b}

    @cached_property
    def _pairs_by_text(self) -> dict[str, list[tuple[str, str]]]:
        """Every pair a text can be read beside: its debates' pairs, and (option `compare_pairs = "linked"`)
        every text it is linked with, which the composer page shows side by side."""
        pairs = set(self._static_pairs)
        if self.reader.config.compare_pairs == "linked":
            pairs |= {
                (min(k.source.essay, k.target.essay), max(k.source.essay, k.target.essay))
                for k in self.reader.anchored_links
                if k.source.essay != k.target.essay
            }
        out: dict[str, list[tuple[str, str]]] = {}
        for pair in sorted(pairs):
            for slug in pair:
                out.setdefault(slug, []).append(pair)
        return out

    def compares_of(self, slug: str, root: str) -> list[dict[str, str]]:
        """Links to read the text side by side with another: a compare page for a debate's pair, else the composer."""
        out = []
        for a, b in self._pairs_by_text.get(slug, ()):
            other = b if a == slug else a
            url = compare_path(a, b) if (a, b) in self._static_pairs else f"{COMPOSER}?a={slug}&b={other}"
            out.append({"title": self.reader.texts[other].title, "url": root + url})
        return out

    def composer(self) -> RenderedPage | None:
        """One page that shows any two texts side by side (each in a frame of its own page)."""
        texts = [
            {"slug": t.slug, "title": t.title, "url": t.url, "perspective": views.perspective_view(self.reader, t)}
            for kind in ("essay", "debate", "page")
            for t in self.reader.ordered(kind)
        ]
        return self.page("composer.html", COMPOSER, texts=texts)

    def compare(self, a: str, b: str) -> RenderedPage | None:
        root = "../"
        sides = []
        for prefix, slug in (("a-", a), ("b-", b)):
            text = self.reader.texts[slug]
            body, notes = self.text_body(text, root, id_prefix=prefix)
            sides.append({"prefix": prefix, "text": self.text_header(text, root, prefix), "body": body, "notes": notes})
        links = []
        for link in self.reader.links_of.get(a, ()):
            ends = {link.source.essay, link.target.essay}
            if ends == {a, b}:
                src, dst = self.reader.link_anchors[link.id]
                side_src = "a-" if link.source.essay == a else "b-"
                side_dst = "b-" if side_src == "a-" else "a-"
                links.append(
                    {
                        "id": link.id,
                        "relation": link.relation,
                        "from": side_src + src.dom_id,
                        "to": side_dst + dst.dom_id,
                        "label": views.link_label(self.reader, link, True),
                        "note_html": str(self.link_note_html[link.id]),  # the page passes it to a script as JSON
                    }
                )
        return self.page("compare.html", compare_path(a, b), sides=sides, links=links)

    def glossary(self) -> RenderedPage | None:
        """The glossary and its concordance; its context is built only when its inputs changed."""
        reader = self.reader
        key = key_of(
            "glossary",
            reader.annotations.terms,
            sorted(self.term_keys.items()),  # a text's words and the phrases: where terms occur in it
            [(t.slug, t.title, t.url, t.perspective) for t in reader.texts.values()],
        )
        return self.page_when_changed("glossary.html", "glossary.html", key, self._glossary_context)

    def _glossary_context(self) -> dict[str, Any]:
        terms = []
        by_term: dict[str, list[Occurrence]] = {}
        for _slug, occs in sorted(self.reader.occurrences.items()):
            for occ in occs:
                by_term.setdefault(occ.term, []).append(occ)
        for term in sorted(self.reader.annotations.terms, key=lambda t: (t.term.lower(), t.id)):
            groups: dict[str, dict[str, Any]] = {}
            for occ in by_term.get(term.id, ()):
                slug = occ.essay
                text = self.reader.texts[slug]
                if True:
                    p = views.perspective_view(self.reader, text)
                    group = groups.setdefault(p["label"] or "Editors’ and other pages", {"perspective": p, "items": []})
                    before, word, after = views.occurrences_context(self.reader, occ, 3)
                    group["items"].append(
                        {
                            "title": text.title,
                            "url": f"{text.url}#{occ.dom_id}",
                            "para": f"{text.url}#p{self.reader.parsed[slug].blocks[occ.block].number}",
                            "number": self.reader.parsed[slug].blocks[occ.block].number,
                            "before": before,
                            "word": word,
                            "after": after,
                        }
                    )
            terms.append(
                {
                    "id": term.id,
                    "term": term.term,
                    "kind": term.kind,
                    "expansion": term.expansion,
                    "html": self.term_html[term.id],
                    "letter": _letter(term.term),
                    "see": [
                        {"id": s, "term": self.reader.terms_by_id[s].term}
                        for s in term.see
                        if s in self.reader.terms_by_id
                    ],
                    "groups": [groups[k] for k in sorted(groups)],
                    "count": sum(len(g["items"]) for g in groups.values()),
                }
            )
        letters = sorted({str(t["letter"]) for t in terms})
        return {"terms": terms, "letters": letters}

    def glossary_data(self) -> RenderedPage:
        # popups show definitions on pages at any depth: links carry a %ROOT% that reader.js fills in
        root_marked = partial(self.resolve, "%ROOT%")
        data = {
            t.id: {"term": t.term, "html": render_markdown(self.md, t.definition, root_marked)}
            for t in self.reader.annotations.terms
        }
        return self.data_page("glossary-data.js", key_of(data), partial(script_assign, "COUNTERPOINT_GLOSSARY", data))


def affiliation_html(affiliation: str, id_prefix: str = "") -> Markup:
    """An affiliation as printed; an authors' footnote marker in it (e.g. an acknowledgement) links to its note
    (whose id carries the page's prefix in a compare column)."""
    parts, pos = [], 0
    for found in FOOTNOTE_MARK.finditer(affiliation):
        label = found[1]
        parts.append(escape(affiliation[pos : found.start()]))
        parts.append(
            Markup(
                '<sup class="fn-ref" data-label="{0}"><a href="#{2}fn-{1}" role="doc-noteref" '
                'aria-label="Note {0}">{0}</a></sup>'
            ).format(label, safe_id(label), id_prefix)
        )
        pos = found.end()
    parts.append(escape(affiliation[pos:]))
    return Markup("").join(parts)


def script_assign(name: str, value: Any) -> str:
    """A classic script assigning JSON data to window.NAME (works from file://, unlike fetch)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.{name} = {text};\n"


def compare_path(a: str, b: str) -> str:
    return f"compare/{a}--{b}.html"


COMPOSER = "compare.html"
"""The composer: any two texts side by side (`compare.html?a=<slug>&b=<slug>`)."""


def _letter(term: str) -> str:
    first = next((c for c in term.upper() if c.isalnum()), "#")
    return first if first.isalpha() else "#"


def _template_location(exc: jinja2.TemplateError, template: str) -> Location:
    """Syntax errors carry a line; for others, Jinja's rewritten traceback has a frame per template line."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if line is None:
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith(".html"):
                name, line = filename, tb.tb_lineno
            tb = tb.tb_next
    path = Path(str(name or template))
    parts = path.parts
    rel = (
        PurePosixPath(*parts[parts.index("templates") :])
        if "templates" in parts and "theme" not in parts
        else PurePosixPath("templates") / path.name
    )
    return Location(rel, int(line or 1), 1)


def render_reader(renderer: Renderer, progress: Progress | None = None) -> Iterator[RenderedPage]:
    """Every page of the site, in a fixed order, one at a time (so a big site never sits in memory whole)."""
    from builder.extras import extra_pages  # map and search: pages drawn from the whole reader

    r, reader = renderer, renderer.reader
    jobs: list[Callable[[], RenderedPage | None]] = [r.index, r.glossary, r.glossary_data, r.composer]
    jobs += [partial(r.essay, t) for t in reader.ordered("essay")]
    jobs += [partial(r.debate, t) for t in reader.ordered("debate")]
    jobs += [partial(r.plain_page, t) for t in reader.ordered("page")]
    jobs += [partial(r.compare, a, b) for a, b in r.compare_pairs()]
    progress = progress or Progress()
    progress.stage("rendering pages", len(jobs) + 3)
    for job in jobs:
        page = job()
        progress.advance()
        if page is not None:
            yield page
    for page in extra_pages(r):
        progress.advance()
        if page is not None:
            yield page
