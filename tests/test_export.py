"""`counterpoint export` (W3C Web Annotation JSON-LD) and the deterministic site zip, on the minimal project."""

from __future__ import annotations

import json
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


def run_export(*args: str) -> Result:
    return CliRunner().invoke(export_command, list(args), catch_exceptions=False)


def exported(*args: str) -> dict[str, Any]:
    result = run_export("--project", str(MINIMAL), *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def items(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in data["first"]["items"]}


def quote_selector(resource: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in resource["selector"] if s["type"] == "TextQuoteSelector")


def fragment_selector(resource: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in resource["selector"] if s["type"] == "FragmentSelector")


def test_collection_shape() -> None:
    data = exported()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
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
        assert target["type"] == "SpecificResource" and target["source"].startswith("essays/")
        assert {s["type"] for s in target["selector"]} == {"TextQuoteSelector", "FragmentSelector"}
        assert set(quote_selector(target)) == {"type", "exact", "prefix", "suffix"}
        assert fragment_selector(target)["conformsTo"] == "http://tools.ietf.org/rfc/rfc3987"


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
    assert selector["prefix"] == ""  # the match starts the paragraph
    assert selector["suffix"] == " power that manipulates European"
    assert fragment_selector(winner["target"])["value"] == "p3"


def test_every_selector_matches_the_anchored_passage() -> None:
    reader = load_reader(Project(MINIMAL), Report())
    by_url = {t.url: t.slug for t in reader.texts.values()}

    def check(resource: dict[str, Any]) -> None:
        slug = by_url[resource["source"]]
        number = int(fragment_selector(resource)["value"][1:])
        block = next(b for b in reader.parsed[slug].blocks if b.number == number)
        selector = quote_selector(resource)
        whole = selector["prefix"] + selector["exact"] + selector["suffix"]
        assert block.text.count(whole) == 1
        start = block.text.index(whole) + len(selector["prefix"])
        assert block.text[:start].endswith(selector["prefix"])
        assert len(selector["prefix"]) == min(32, start)

    for item in exported()["first"]["items"]:
        check(item["target"])
        bodies = item["body"] if isinstance(item["body"], list) else [item["body"]]
        for body in bodies:
            if body["type"] == "SpecificResource":
                check(body)


def test_link_annotation_has_target_passage_note_and_relation_tag() -> None:
    link = items(exported())["essays/beta.html#link-who-gains"]
    assert link["motivation"] == "linking"
    assert quote_selector(link["target"])["exact"] == "For Beijing, the war in Ukraine is an opportunity"
    assert link["target"]["source"] == "essays/beta.html"
    passage, note, tag = link["body"]
    assert passage["type"] == "SpecificResource" and passage["source"] == "essays/alpha.html"
    assert quote_selector(passage) == {
        "type": "TextQuoteSelector",
        "exact": "Who\u2019s the biggest winner?",
        "prefix": "",
        "suffix": " It\u2019s the United States, an exte",
    }
    assert note["type"] == "TextualBody" and note["format"] == "text/markdown"
    assert note["value"] == "The two essays disagree about who profits from the war."
    assert tag == {"type": "TextualBody", "purpose": "tagging", "value": "rebuts"}
    helsinki = items(exported())["essays/alpha.html#link-helsinki"]
    assert helsinki["body"][-1] == {"type": "TextualBody", "purpose": "tagging", "value": "same-event"}
    assert len(helsinki["body"]) == 2  # no note on that link: no empty body


def test_base_url_makes_ids_and_sources_absolute() -> None:
    data = exported("--base-url", "https://example.org/reader")
    assert data["id"] == "https://example.org/reader/annotations.jsonld"
    note = items(data)["https://example.org/reader/essays/alpha.html#note-winner"]
    assert note["target"]["source"] == "https://example.org/reader/essays/alpha.html"
    assert run_export("--project", str(MINIMAL), "--base-url", "javascript:alert(1)").exit_code == 2


def test_deterministic_and_written_to_file(tmp_path: Path) -> None:
    first = run_export("--project", str(MINIMAL)).stdout
    assert first == run_export("--project", str(MINIMAL)).stdout
    assert first.endswith("}\n")
    out = tmp_path / "sub" / "annotations.jsonld"
    result = run_export("--project", str(MINIMAL), "--out", str(out))
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
    result = run_export("--project", str(project))
    assert result.exit_code == 1
    assert "unknown essay 'nobody'" in result.stderr
    assert result.stdout == ""


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
