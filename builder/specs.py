"""The shapes of everything editors write: front matter and the three annotation files.

Declared once; `yamlload.Validator` checks against them and `schema.py` turns them
into the JSON Schema that `counterpoint schema` prints and editors' YAML tools read.
"""

from __future__ import annotations

from builder.yamlload import Bool, DateLike, Field, Int, ListOf, Obj, Str

SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"
SLUG_HINT = "use lower-case letters, digits and single hyphens, e.g. 'china-nato-breakdown'"
RELATIONS = ("rebuts", "supports", "qualifies", "contextualises", "same-event")
KINDS = ("essay", "debate", "page")

slug = Str(pattern=SLUG, pattern_hint=SLUG_HINT, max_length=80)
text = Str(max_length=2_000)
markdown = Str(max_length=20_000, markdown=True)

AUTHOR = Obj(
    "author",
    (
        Field("name", text, "the author's name as printed, or 'not stated'", required=True),
        Field("affiliation", text, "the affiliation as printed in the source"),
    ),
)

FRONT_MATTER = Obj(
    "front matter",
    (
        Field("title", text, "the title as printed in the source", required=True),
        Field("short_title", Str(max_length=40), "a few words for cross-reference markers (else a shortened title)"),
        Field("kind", Str(choices=KINDS), "essay (default) | debate | page"),
        Field("authors", ListOf(AUTHOR), "authors as printed; may be empty when unknown"),
        Field("perspective", slug, "a key of [perspectives] in site.toml"),
        Field("outlet", text, "where the text was published, or 'not stated'"),
        Field("date", DateLike(), "as precise as the source allows: YYYY, YYYY-MM or YYYY-MM-DD"),
        Field("source", text, "provenance: source file (optionally #L<a>-L<b> line ranges) or URL"),
        Field("debates", ListOf(slug, single_ok=True), "essays: the debates this essay belongs to"),
        Field("essays", ListOf(slug), "debates: the opposing essays, in reading order"),
        Field("parent", slug, "debates and pages: the page this one hangs from (e.g. the volume)"),
        Field("order", Int(minimum=0), "position among the parent's children or on the index"),
        Field("unresolved_refs", Bool(), "true when the source has reference markers without note texts"),
        Field("summary", text, "one or two sentences for cards and the index (editors' words)"),
    ),
)

SELECTOR_FIELDS = (
    Field("quote", Str(max_length=2_000), "the exact words of the passage (within one block)", required=True),
    Field("prefix", Str(max_length=500), "text just before the quote, to single out one match"),
    Field("suffix", Str(max_length=500), "text just after the quote, to single out one match"),
)
SELECTOR = Obj("anchor", SELECTOR_FIELDS)
ENDPOINT = Obj("link end", (Field("essay", slug, "slug of the text", required=True),) + SELECTOR_FIELDS)

NOTE = Obj(
    "note",
    (
        Field("id", slug, "unique within the essay; the note's URL is #note-<id>", required=True),
        Field("at", SELECTOR, "the passage the note is about", required=True),
        Field("body", markdown, "the note, in Markdown (no raw HTML)", required=True),
    ),
)
NOTES_FILE = Obj(
    "notes file", (Field("notes", ListOf(NOTE), "editor notes anchored in the essay named by the file", required=True),)
)

LINK = Obj(
    "link",
    (
        Field("id", slug, "unique in the project; the link's URL is #link-<id>", required=True),
        Field("relation", Str(choices=RELATIONS), " | ".join(RELATIONS), required=True),
        Field("from", ENDPOINT, "the passage that rebuts / supports / ... the other", required=True),
        Field("to", ENDPOINT, "the passage it answers", required=True),
        Field("note", markdown, "how the two passages answer each other (Markdown)"),
    ),
)
LINKS_FILE = Obj(
    "links file", (Field("links", ListOf(LINK), "typed cross-references between passages", required=True),)
)

TERM = Obj(
    "term",
    (
        Field("id", slug, "unique; the term's URL is glossary.html#<id>", required=True),
        Field("term", text, "the headword", required=True),
        Field("kind", Str(choices=("concept", "acronym", "person", "institution", "event")), "what sort of entry"),
        Field("expansion", text, "acronyms: what the letters stand for"),
        Field(
            "match",
            ListOf(Str(max_length=200), single_ok=True),
            "phrases found in the texts (case-insensitive, whole words)",
        ),
        Field("definition", markdown, "the definition, in Markdown (no raw HTML)", required=True),
        Field("see", ListOf(slug, single_ok=True), "ids of related terms"),
    ),
)
GLOSSARY_FILE = Obj("glossary file", (Field("terms", ListOf(TERM), "glossary terms", required=True),))
