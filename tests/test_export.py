"""`counterpoint export` (W3C Web Annotation JSON-LD) and the deterministic site zip, on the minimal project."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers import MINIMAL

from builder.archive import write_zip
from builder.diagnostics import Report
from builder.export import export_command
from builder.pipeline import Project, build, load_reader
from builder.write import MARKER

ALPHA_P1 = (
    "The world is indivisible, and \u201csecurity is indivisible\u201d. In the 1975 Helsinki Final Act, "
    "the important principle of indivisible security was first established."
)


BASE = "https://example.org/reader/"
ANNO = Path(__file__).parent / "data" / "anno.jsonld"


def run_export(*args: str) -> Result:
    return CliRunner().invoke(export_command, list(args), catch_exceptions=False)


def exported(*args: str) -> dict[str, Any]:
    result = run_export("--project", str(MINIMAL), "--base-url", BASE, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def items(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"].removeprefix(BASE): item for item in data["first"]["items"]}


def quote_selector(resource: dict[str, Any]) -> dict[str, Any]:
    return resource["selector"]["refinedBy"]  # type: ignore[no-any-return]


def fragment_selector(resource: dict[str, Any]) -> dict[str, Any]:
    return resource["selector"]  # type: ignore[no-any-return]


def test_collection_shape() -> None:
    data = exported()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["id"] == BASE + "annotations.jsonld"
    assert data["first"]["type"] == "AnnotationPage"
    assert data["total"] == len(data["first"]["items"]) == 5
    assert list(items(data)) == [
        "essays/alpha.html#note-helsinki-1975",
        "essays/alpha.html#note-across-emphasis",
        "essays/alpha.html#note-winner",
        "essays/alpha.html#link-helsinki",
        "essays/beta.html#link-who-gains",
    ]
    for item in data["first"]["items"]:
        assert item["type"] == "Annotation"
        assert item["motivation"] in ("commenting", "linking")
        assert item["creator"] == {"type": "Organization", "name": "editors"}
        assert set(item) == {"id", "type", "motivation", "creator", "body", "target"}
        target = item["target"]
        assert target["type"] == "SpecificResource" and target["source"].startswith(BASE + "essays/")
        # the model's way: the paragraph (a fragment of the HTML page), refined by the words in it
        fragment = target["selector"]
        assert fragment["type"] == "FragmentSelector"
        assert fragment["conformsTo"] == "http://tools.ietf.org/rfc/rfc3236"
        assert fragment["refinedBy"]["type"] == "TextQuoteSelector"
        assert all(value != "" for value in fragment["refinedBy"].values()), "no empty prefix or suffix"


def test_note_annotation_has_markdown_body_and_real_context() -> None:
    note = items(exported())["essays/alpha.html#note-helsinki-1975"]
    assert note["motivation"] == "commenting"
    assert note["body"] == {
        "type": "TextualBody",
        "purpose": "commenting",
        "format": "text/markdown",
        "language": "en",
        "value": "Signed in 1975 by 35 states at the *Conference on Security and Co-operation in Europe*.",
    }
    selector = quote_selector(note["target"])
    exact, prefix, suffix = selector["exact"], selector["prefix"], selector["suffix"]
    assert exact == "In the 1975 Helsinki Final Act"
    # prefix/suffix are the real neighbouring text (the editor wrote none), 32 characters each
    assert (prefix, suffix) == (" and \u201csecurity is indivisible\u201d. ", ", the important principle of ind")
    assert prefix + exact + suffix in ALPHA_P1
    assert fragment_selector(note["target"])["value"] == "p1"


def test_exact_is_the_text_not_the_editors_quote() -> None:
    winner = items(exported())["essays/alpha.html#note-winner"]
    selector = quote_selector(winner["target"])
    assert selector["exact"] == "Who\u2019s the biggest winner? It\u2019s the United States, an external"
    assert "prefix" not in selector  # the match starts the paragraph: no empty prefix
    assert selector["suffix"] == " power that manipulates European"
    assert fragment_selector(winner["target"])["value"] == "p3"


def test_every_selector_matches_the_anchored_passage() -> None:
    reader = load_reader(Project(MINIMAL), Report())
    by_url = {BASE + t.url: t.slug for t in reader.texts.values()}

    def check(resource: dict[str, Any]) -> None:
        slug = by_url[resource["source"]]
        number = int(fragment_selector(resource)["value"][1:])
        block = next(b for b in reader.parsed[slug].blocks if b.number == number)
        selector = quote_selector(resource)
        prefix, suffix = selector.get("prefix", ""), selector.get("suffix", "")
        whole = prefix + selector["exact"] + suffix
        assert block.text.count(whole) == 1
        start = block.text.index(whole) + len(prefix)
        assert len(prefix) == min(32, start)

    for item in exported()["first"]["items"]:
        check(item["target"])
        bodies = item["body"] if isinstance(item["body"], list) else [item["body"]]
        for body in bodies:
            if body["type"] == "SpecificResource" and "selector" in body:
                check(body)


def test_link_annotation_has_target_passage_note_and_relation_tag() -> None:
    link = items(exported())["essays/beta.html#link-who-gains"]
    assert link["motivation"] == "linking"
    assert quote_selector(link["target"])["exact"] == "For Beijing, the war in Ukraine is an opportunity"
    assert link["target"]["source"] == BASE + "essays/beta.html"
    passage, note, tag = link["body"]
    assert passage["type"] == "SpecificResource" and passage["source"] == BASE + "essays/alpha.html"
    assert quote_selector(passage) == {
        "type": "TextQuoteSelector",
        "exact": "Who\u2019s the biggest winner?",
        "suffix": " It\u2019s the United States, an exte",
    }
    assert note["type"] == "TextualBody" and note["format"] == "text/markdown"
    assert note["value"] == "The two essays disagree about who profits from the war."
    assert tag == {"type": "SpecificResource", "purpose": "tagging", "source": BASE + "vocab#rebuts"}
    helsinki = items(exported())["essays/alpha.html#link-helsinki"]
    assert helsinki["body"][-1]["source"] == BASE + "vocab#same-event"
    assert len(helsinki["body"]) == 2  # no note on that link: no empty body


def test_without_a_base_url_export_says_how_to_give_one(make_project) -> None:  # type: ignore[no-untyped-def]
    result = run_export("--project", str(MINIMAL))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "export needs the address the site is published at" in result.stderr
    assert "set base_url in site.toml" in result.stderr and "--base-url URL" in result.stderr
    assert run_export("--project", str(MINIMAL), "--base-url", "javascript:alert(1)").exit_code == 2
    # site.toml's base_url is enough
    project = make_project()
    site = project / "site.toml"
    site.write_text('base_url = "https://example.net/r"\n' + site.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_export("--project", str(project))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "https://example.net/r/annotations.jsonld"


def test_deterministic_and_written_to_file(tmp_path: Path) -> None:
    args = ("--project", str(MINIMAL), "--base-url", BASE)
    first = run_export(*args).stdout
    assert first == run_export(*args).stdout
    assert first.endswith("}\n")
    out = tmp_path / "sub" / "annotations.jsonld"
    result = run_export(*args, "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == first
    assert [p.name for p in out.parent.iterdir()] == ["annotations.jsonld"]  # no temporary file left


def test_export_of_broken_project_exits_1(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project(
        {
            "annotations/links/main.yaml": """
        links:
          - id: x
            relation: rebuts
            from: { essay: nobody, quote: "x" }
            to: { essay: alpha, quote: "Who" }
        """
        }
    )
    result = run_export("--project", str(project), "--base-url", BASE)
    assert result.exit_code == 1
    assert "unknown essay 'nobody'" in result.stderr
    assert result.stdout == ""


# --- what a JSON-LD processor makes of it (PyLD, with the W3C context served from tests/data) --------------


def _offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve only the vendored W3C context: no test reaches the network."""
    assert url.rstrip("/") in ("http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld"), url
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(ANNO.read_text(encoding="utf-8"))}


def _expected_triples(node: Any) -> int:
    """How many triples the JSON says: one per value of each key (a list's items: rdf:first and rdf:rest each)."""
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if key in ("@context", "id"):
            continue
        values = value if isinstance(value, list) else [value]
        count += (1 + 2 * len(values)) if key == "items" else len(values)
        count += sum(_expected_triples(v) for v in values)
    return count


def test_a_json_ld_processor_keeps_every_triple() -> None:
    pyld = pytest.importorskip("pyld")  # in the test extra; skipped only outside it
    data = exported()
    # base None: the document is read from a file, with no address to resolve relative ids against
    options = {"format": "application/n-quads", "documentLoader": _offline_loader, "base": None}
    quads = pyld.jsonld.to_rdf(data, options)
    lines = quads.splitlines()
    assert len(lines) == _expected_triples(data), "the processor dropped a triple (a relative IRI or an unknown key)"
    assert all(re.match(r"[a-z]+:", iri) for iri in re.findall(r"<([^>]*)>", quads))
    oa, rdf_type = "http://www.w3.org/ns/oa#", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    annotations = [line.split(" ")[0] for line in lines if f"{rdf_type} <{oa}Annotation>" in line]
    assert sorted(annotations) == sorted(f"<{item['id']}>" for item in data["first"]["items"])
    assert all(a.startswith("<https://example.org/reader/essays/") for a in annotations)
    sources = [line for line in lines if f"<{oa}hasSource>" in line]
    assert sources and all(" <https://example.org/reader/" in line for line in sources)
    refined = [line for line in lines if f"<{oa}refinedBy>" in line]
    fragments = [line for line in lines if f"{rdf_type} <{oa}FragmentSelector>" in line]
    assert len(refined) == len(fragments) == 7  # 3 notes + 2 links with 2 passages each
    assert sum(f"<{oa}hasPurpose> <{oa}tagging>" in line for line in lines) == 2
    assert f"<{oa}hasSource> <{BASE}vocab#rebuts>" in quads


# --- the site zip -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "site"
    build(Project(MINIMAL), out, Report())
    return out


def site_contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != MARKER}


def test_zip_is_byte_identical_across_runs(site: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "reader.zip", tmp_path / "b" / "reader.zip"
    write_zip(site, a)
    (site / "index.html").touch()  # a newer mtime must not change the archive
    write_zip(site, b)
    assert a.read_bytes() == b.read_bytes()
    assert [p.name for p in a.parent.iterdir()] == ["reader.zip"]  # written atomically, no temp left


def test_zip_has_one_top_folder_with_the_whole_site(site: Path, tmp_path: Path) -> None:
    archive = tmp_path / "minimal-reader.zip"
    write_zip(site, archive)
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert names == sorted(names, key=lambda n: n.rstrip("/").split("/"))
        assert all(n.startswith("minimal-reader/") for n in names)
        assert "minimal-reader/index.html" in names
        for info in z.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 in (0o100644, 0o040755)
            if not info.is_dir():
                assert info.compress_type == zipfile.ZIP_DEFLATED
        z.extractall(tmp_path / "unzipped")
    assert [p.name for p in (tmp_path / "unzipped").iterdir()] == ["minimal-reader"]
    assert site_contents(tmp_path / "unzipped" / "minimal-reader") == site_contents(site)


def test_zip_inside_the_site_does_not_contain_itself(site: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    write_zip(copy, copy / "reader.zip")
    write_zip(copy, copy / "reader.zip")  # the second run must not pick up the first zip
    with zipfile.ZipFile(copy / "reader.zip") as z:
        assert "reader/reader.zip" not in z.namelist()
