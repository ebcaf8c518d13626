"""builder/search.py (the index) and static/search.js (the search), run in node and Chromium."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from builder.search import SearchDoc, SearchText, render_search_index

ROOT = Path(__file__).resolve().parent.parent
SEARCH_JS = Path(__file__).resolve().parents[1] / "builder" / "theme" / "static" / "search.js"
PREFIX = "window.COUNTERPOINT_SEARCH="

DOCS = [
    SearchDoc("essays/a.html#p1", "Essay A", "text", "¶1", "The EU pursues de-risking of its supply chains."),
    SearchDoc("essays/b.html#p2", "Essay B", "text", "¶2", "Derisking, said Bērziņa, is not decoupling."),
    SearchDoc("essays/b.html#p3", "Essay B", "note", "Editor note", "China’s view of the U.S. trade war."),
    SearchDoc(
        "essays/c.html#p4",
        "Essay C",
        "text",
        "¶4",
        "Trade matters. Many other words come here before we reach the war at last.",
    ),
    SearchDoc("glossary.html#term-trade", "Glossary", "term", "Glossary", "Trade, trade and more trade."),
    SearchDoc("essays/c.html#p5", "Essay C", "text", "¶5", "Berzina spelt without diacritics; CHINA in capitals."),
]


def _payload(js: str) -> dict[str, object]:
    assert js.startswith(PREFIX) and js.endswith(";\n")
    value: dict[str, object] = json.loads(js[len(PREFIX) : -2])
    return value


# ---- the index (Python) -------------------------------------------------------------


def test_index_is_deterministic_compact_json():
    js = render_search_index(DOCS)
    assert js == render_search_index(list(DOCS))
    assert js.startswith(PREFIX + '{"docs":[[0,"#p1",0,"¶1","The EU')
    assert ", " not in js.split("The EU")[0] and '": ' not in js


def test_index_factors_out_pages_and_keeps_reading_order():
    data = _payload(render_search_index(DOCS))
    assert data["pages"] == [
        ["essays/a.html", "Essay A"],
        ["essays/b.html", "Essay B"],
        ["essays/c.html", "Essay C"],
        ["glossary.html", "Glossary"],
    ]
    assert data["kinds"] == ["text", "note", "term"]
    assert [d[1] for d in data["docs"]] == ["#p1", "#p2", "#p3", "#p4", "#term-trade", "#p5"]  # type: ignore[index, union-attr]


TEXTS = [
    SearchText("essays/a.html", "Essay A", ("eu", "EU official", "#3d3d9e"), "Wang Yi, Anna Berg", "The Outlet"),
    SearchText("essays/quiet.html", "A quiet text with no paragraphs", None),
]


def test_texts_carry_perspective_authors_and_outlet_once_per_page():
    data = _payload(render_search_index(DOCS, TEXTS))
    assert data["perspectives"] == [["eu", "EU official", "#3d3d9e"]]
    pages = data["pages"]
    assert pages[:2] == [  # type: ignore[index]
        ["essays/a.html", "Essay A", 0, "Wang Yi, Anna Berg", "The Outlet"],
        ["essays/quiet.html", "A quiet text with no paragraphs", -1, "", ""],
    ]
    assert ["essays/b.html", "Essay B"] in pages  # type: ignore[operator]  # no text given: title only
    assert data["docs"][0][0] == 0  # type: ignore[index]  # the paragraph points at its text's page
    js = render_search_index(DOCS, TEXTS)
    assert js.count("Wang Yi, Anna Berg") == 1 and js.count("The Outlet") == 1


def test_index_is_safe_inside_a_script_and_round_trips():
    nasty = 'Ends </script><script>alert(1)</script> <!-- & "quotes" \u2028 line \u2029 para'
    js = render_search_index([SearchDoc("x.html#p1", "</title>", "text", "¶1", nasty)])
    for raw in ("</", "<!--", "<", ">", "\u2028", "\u2029"):
        assert raw not in js
    data = _payload(js)
    assert data["docs"] == [[0, "#p1", 0, "¶1", nasty]]
    assert data["pages"] == [["x.html", "</title>"]]


def test_url_without_fragment():
    data = _payload(render_search_index([SearchDoc("about.html", "About", "text", "¶1", "x")]))
    assert data["docs"] == [[0, "", 0, "¶1", "x"]]


# ---- the search (node) --------------------------------------------------------------

NODE_RUNNER = """
const fs = require("fs");
global.window = {};
eval(fs.readFileSync(process.argv[2], "utf8"));
eval(fs.readFileSync(process.argv[3], "utf8"));
const S = window.CounterpointSearch, input = JSON.parse(fs.readFileSync(0, "utf8"));
const out = {search: {}, normalise: {}};
for (const q of input.search) out.search[q] = S.search(q);
for (const s of input.normalise) out.normalise[s] = S.normalise(s);
process.stdout.write(JSON.stringify(out));
"""

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _run_node(
    tmp_path: Path, docs: list[SearchDoc], search: list[str], normalise: list[str] | None = None
) -> dict[str, dict[str, object]]:
    normalise = normalise or []
    index = tmp_path / "search-index.js"
    index.write_text(render_search_index(docs), encoding="utf-8")
    runner = tmp_path / "runner.js"
    runner.write_text(NODE_RUNNER, encoding="utf-8")
    proc = subprocess.run(
        ["node", str(runner), str(index), str(SEARCH_JS)],
        input=json.dumps({"search": search, "normalise": normalise}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, dict[str, object]] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, object]]]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    queries = [
        "de-risk",
        "derisking",
        "risking",
        "De–Risk",
        "Berzina",
        "bērziņa",
        "BERZ",
        "china",
        "CHINA's",
        "china’s",
        "U.S.",
        "us",
        "decoupl",
        "trade war",
        "trade",
        "trade zebra",
        "xyzzy",
        "",
        "  ,;  ",
        "eu",
    ]
    out = _run_node(tmp_path_factory.mktemp("search"), DOCS, queries)
    return out["search"]  # type: ignore[return-value]


def _urls(hits: list[dict[str, object]]) -> list[object]:
    return [hit["url"] for hit in hits]


def _found(hits: list[dict[str, object]]) -> set[object]:
    """The URLs found, where the test is not about their order."""
    return {hit["url"] for hit in hits}


def _marked(hit: dict[str, object]) -> list[str]:
    return [part["text"] for part in hit["parts"] if part["mark"]]  # type: ignore[attr-defined, index]


def test_hyphenated_words_match_joined_and_by_part(results):
    assert _found(results["de-risk"]) == {"essays/a.html#p1", "essays/b.html#p2"}
    assert _found(results["derisking"]) == {"essays/a.html#p1", "essays/b.html#p2"}
    assert _found(results["De–Risk"]) == {"essays/a.html#p1", "essays/b.html#p2"}  # en dash
    assert _urls(results["risking"]) == ["essays/a.html#p1"]
    assert sorted(m for hit in results["de-risk"] for m in _marked(hit)) == ["Derisking", "de-risking"]
    assert _marked(results["risking"][0]) == ["risking"]


def test_diacritics_and_case_are_ignored(results):
    assert _found(results["Berzina"]) == {"essays/b.html#p2", "essays/c.html#p5"}
    assert _found(results["bērziņa"]) == {"essays/b.html#p2", "essays/c.html#p5"}
    assert _found(results["BERZ"]) == {"essays/b.html#p2", "essays/c.html#p5"}
    assert sorted(m for hit in results["Berzina"] for m in _marked(hit)) == ["Berzina", "Bērziņa"]


def test_quotes_and_punctuation(results):
    assert set(_urls(results["china"])) == {"essays/b.html#p3", "essays/c.html#p5"}
    assert _urls(results["CHINA's"]) == ["essays/b.html#p3"]
    assert _urls(results["china’s"]) == ["essays/b.html#p3"]
    assert _urls(results["U.S."]) == ["essays/b.html#p3"]
    assert "essays/b.html#p3" in _urls(results["us"])
    assert results[""] == [] and results["  ,;  "] == []


def test_prefix_match(results):
    assert _urls(results["decoupl"]) == ["essays/b.html#p2"]
    assert _marked(results["decoupl"][0]) == ["decoupling"]


def test_every_word_is_required_and_close_hits_rank_first(results):
    assert _urls(results["trade war"]) == ["essays/b.html#p3", "essays/c.html#p4"]
    assert results["trade zebra"] == [] and results["xyzzy"] == []


def test_more_hits_rank_first(results):
    assert _urls(results["trade"])[0] == "glossary.html#term-trade"
    assert _marked(results["trade"][0]) == ["Trade", "trade", "trade"]


def test_a_hit_on_the_first_word_ranks_first(results):
    """A glossary entry starts with its term, a heading is short: both start with the hit."""
    assert _urls(results["de-risk"]) == ["essays/b.html#p2", "essays/a.html#p1"]


def test_result_fields(results):
    hit = results["eu"][0]
    assert {k: hit[k] for k in ("url", "title", "label", "kind")} == {
        "url": "essays/a.html#p1",
        "title": "Essay A",
        "label": "¶1",
        "kind": "text",
    }
    assert "".join(p["text"] for p in hit["parts"]) == DOCS[0].text  # type: ignore[attr-defined]


@needs_node
def test_normalise(tmp_path):
    cases = {
        "Bērziņa’s De-Risking!": "berzinas derisking",
        "  “Quoted”—dash ": "quoted dash",
        "Łódź STRAẞE": "lodz strasse",
        "U.S.-China": "us china",
        "non-U.S.": "nonus",
        "soft\u00adhyphen": "softhyphen",
    }
    out = _run_node(tmp_path, DOCS, [], list(cases))
    assert out["normalise"] == cases


@needs_node
def test_long_paragraph_snippet_is_cut_around_the_hit(tmp_path):
    text = " ".join(f"w{i}" for i in range(200)) + " needle " + " ".join(f"v{i}" for i in range(200))
    out = _run_node(tmp_path, [SearchDoc("a.html#p1", "A", "text", "¶1", text)], ["needle"])
    parts = out["search"]["needle"][0]["parts"]  # type: ignore[index]
    snippet = "".join(p["text"] for p in parts)
    assert snippet.startswith("… ") and snippet.endswith(" …") and "needle" in snippet
    assert len(snippet.split()) < 60


def _corpus(count: int, words_per_doc: int) -> list[SearchDoc]:
    """Paragraphs of English-like words, deterministic."""
    rnd = random.Random(1)
    vocabulary = (ROOT / "docs" / "corpus.md").read_text(encoding="utf-8").split()
    docs = []
    for i in range(count):
        start = rnd.randrange(len(vocabulary) - words_per_doc)
        text = " ".join(vocabulary[start : start + words_per_doc])
        docs.append(
            SearchDoc(
                f"essays/essay-{i // 40:02d}-some-long-slug.html#p{i % 40 + 1}",
                f"A long essay title, number {i // 40}",
                "text",
                f"¶{i % 40 + 1}",
                text,
            )
        )
    return docs


@needs_node
def test_size_and_speed_for_three_thousand_paragraphs(tmp_path):
    docs = _corpus(3000, 60)
    size = len(render_search_index(docs).encode("utf-8"))
    text = sum(len(d.text.encode("utf-8")) for d in docs)
    assert size < text * 1.25, (size, text)  # the index is the text plus ~20 bytes a paragraph
    start = time.perf_counter()
    _run_node(tmp_path, docs, ["the", "de-risk", "anchor quote", "zzzz"])
    assert time.perf_counter() - start < 10  # generous: the first search tokenises everything


def test_script_size_budget():
    assert SEARCH_JS.stat().st_size < 20 * 1024


# ---- titles and authors first, whole words above prefixes (node) --------------------

RANKED_DOCS = [
    SearchDoc("essays/b.html#p1", "Essay B", "text", "¶1", "Scholar Wang Yiwei of Renmin University said so."),
    SearchDoc("essays/b.html#p2", "Essay B", "text", "¶2", "Foreign Minister Wang Yi said otherwise."),
    SearchDoc("essays/c.html#p1", "Essay C", "note", "Editor note", "The Outlet is a weekly; Anna Berg edits it."),
]


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, object]]]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    tmp = tmp_path_factory.mktemp("ranked")
    index = tmp / "search-index.js"
    index.write_text(render_search_index(RANKED_DOCS, TEXTS), encoding="utf-8")
    runner = tmp / "runner.js"
    runner.write_text(NODE_RUNNER, encoding="utf-8")
    queries = ["wang yi", "anna berg", "outlet", "quiet", "yiwei"]
    proc = subprocess.run(
        ["node", str(runner), str(index), str(SEARCH_JS)],
        input=json.dumps({"search": queries, "normalise": []}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(proc.stdout)["search"]  # type: ignore[no-any-return]


def test_title_and_author_matches_come_first(ranked):
    hits = ranked["anna berg"]
    assert _urls(hits) == ["essays/a.html", "essays/c.html#p1"]
    assert hits[0]["label"] == "Title and authors" and hits[0]["title"] == "Essay A"
    assert "".join(p["text"] for p in hits[0]["parts"]) == "Essay A · Wang Yi, Anna Berg · The Outlet"  # type: ignore[attr-defined]
    assert hits[0]["perspective"] == {"key": "eu", "label": "EU official", "colour": "#3d3d9e"}
    assert _urls(ranked["outlet"]) == ["essays/a.html", "essays/c.html#p1"]
    assert _urls(ranked["quiet"]) == ["essays/quiet.html"]  # a title is found even without any paragraph


def test_whole_words_rank_above_prefixes(ranked):
    assert _urls(ranked["wang yi"]) == ["essays/a.html", "essays/b.html#p2", "essays/b.html#p1"]
    assert _marked(ranked["wang yi"][2]) == ["Wang", "Yiwei"]  # the prefix still finds Wang Yiwei
    assert _urls(ranked["yiwei"]) == ["essays/b.html#p1"]


def test_each_result_names_its_perspective(ranked):
    assert ranked["wang yi"][1]["perspective"] is None  # Essay B: no text given, so no perspective


# ---- the search page (Chromium) -----------------------------------------------------
