"""The annotation API of `counterpoint serve` (docs/annotating.md): notes and links written into the
project's YAML with every other byte unchanged; bad input and foreign requests refused, files untouched."""

from __future__ import annotations

import http.client
import json
import shutil
import time
from pathlib import Path

import pytest
from helpers import MINIMAL, run_cli

from builder.serve import ANNOTATE_SCRIPT_FILE, API_PATH, PREVIEW_PATH, STATUS_PATH, TOKEN_HEADER, Server

NOTES = "annotations/notes/alpha.yaml"
LINKS = "annotations/links/main.yaml"


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    server = Server(project, tmp_path / "out", port=0, echo=lambda m: None, poll_seconds=0.1, debounce_seconds=0.1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def call(
    server: Server,
    method: str,
    path: str,
    body: object = None,
    *,
    token: str | None = "own",
    origin: str | None = "own",
    host: str | None = None,
    content_type: str = "application/json",
) -> tuple[int, dict]:
    """One request as a page of the served site sends it; any header can be left out or replaced."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Host": host or f"127.0.0.1:{server.port}"}
    if origin is not None:
        headers["Origin"] = f"http://127.0.0.1:{server.port}" if origin == "own" else origin
    if token is not None:
        headers[TOKEN_HEADER] = server.token if token == "own" else token
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        headers["Content-Type"] = content_type
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, {"raw": raw.decode("utf-8", "replace")}


def read(server: Server, rel: str) -> bytes:
    return (server.root / rel).read_bytes()


def page(server: Server, rel: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", "/" + rel)
    text = connection.getresponse().read().decode("utf-8")
    connection.close()
    return text


def rebuilt(server: Server, after: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.status()["generation"] > after:
            return
        time.sleep(0.1)
    raise AssertionError(f"no rebuild: {server.status()}")


def test_a_note_is_appended_with_every_other_byte_unchanged_and_shown_after_the_rebuild(served: Server) -> None:
    before = read(served, NOTES)
    generation = served.status()["generation"]
    status, answer = call(
        served,
        "POST",
        API_PATH,
        {
            "kind": "note",
            "text": "alpha",
            "quote": "external power",
            "prefix": "United States, an ",
            "body": "An *outside* power.\n\nSecond paragraph.",
        },
    )
    assert status == 201, answer
    assert answer == {"kind": "note", "id": "external-power", "file": NOTES, "line": 12, "warnings": []}
    after = read(served, NOTES)
    assert after[: len(before)] == before
    assert after[len(before) :].decode() == (
        "  - id: external-power\n"
        "    at:\n"
        '      quote: "external power"\n'
        "    body: |\n"
        "      An *outside* power.\n"
        "\n"
        "      Second paragraph.\n"
    )
    rebuilt(served, generation)
    html = page(served, "essays/alpha.html")
    assert 'id="note-external-power"' in html
    assert "<em>outside</em> power." in html


def test_a_quote_found_twice_gets_the_shortest_prefix_that_singles_it_out(served: Server) -> None:
    status, answer = call(
        served,
        "POST",
        API_PATH,
        {"kind": "note", "text": "alpha", "quote": "indivisible security", "paragraph": 4, "body": "Here."},
    )
    assert status == 201, answer
    assert (
        read(served, NOTES)
        .decode()
        .endswith(
            '  - id: indivisible-security\n    at:\n      quote: "indivisible security"\n'
            '      prefix: "about "\n    body: "Here."\n'
        )
    )
    result = run_cli("check", "--project", str(served.root))
    assert result.exit_code == 0, result.output


def test_the_id_is_unique_and_a_new_notes_file_is_made(served: Server) -> None:
    body = {"kind": "note", "text": "beta", "quote": "Europe must raise the costs", "body": "One."}
    assert call(served, "POST", API_PATH, body)[1]["id"] == "europe-must-raise-the-costs"
    status, answer = call(served, "POST", API_PATH, {**body, "quote": "Europe must raise the costs of support"})
    assert status == 201 and answer["id"] == "europe-must-raise-the-costs-2"
    assert (
        read(served, "annotations/notes/beta.yaml")
        .decode()
        .startswith(
            'notes:\n  - id: europe-must-raise-the-costs\n    at:\n      quote: "Europe must raise the costs"\n'
        )
    )


def test_a_link_goes_into_the_file_the_editor_picks(served: Server) -> None:
    before = read(served, LINKS)
    status, answer = call(
        served,
        "POST",
        API_PATH,
        {
            "kind": "link",
            "relation": "qualifies",
            "file": LINKS,
            "from": {"text": "beta", "quote": "raise the costs of support"},
            "to": {"text": "alpha", "quote": "A second claim"},
            "note": "Costs, not claims.",
        },
    )
    assert status == 201, answer
    assert answer["file"] == LINKS and answer["id"] == "raise-the-costs-of-support"
    after = read(served, LINKS)
    assert after[: len(before)] == before
    assert after[len(before) :].decode() == (
        "  - id: raise-the-costs-of-support\n    relation: qualifies\n"
        '    from:\n      essay: beta\n      quote: "raise the costs of support"\n'
        '    to:\n      essay: alpha\n      quote: "A second claim"\n    note: "Costs, not claims."\n'
    )
    status, listing = call(served, "GET", f"{API_PATH}?text=alpha")
    assert status == 200
    assert "raise-the-costs-of-support" in [link["id"] for link in listing["links"]]
    assert LINKS in listing["links_files"]


def test_comments_and_layout_of_the_file_survive(served: Server) -> None:
    custom = (
        "# Notes on alpha, kept by the editors.\n"
        "notes:\n"
        "- id: helsinki-1975   # the oldest\n"
        "  at: {quote: 'In the 1975 Helsinki Final Act'}\n"
        "  body: >\n"
        "    Folded text.\n"
        "\n"
        "# end of file"
    )
    (served.root / NOTES).write_text(custom, encoding="utf-8")
    status, answer = call(
        served, "POST", API_PATH, {"kind": "note", "text": "alpha", "quote": "A second claim", "body": "x"}
    )
    assert status == 201, answer
    text = read(served, NOTES).decode()
    assert text == custom + '\n- id: a-second-claim\n  at:\n    quote: "A second claim"\n  body: "x"\n'


def test_a_quote_check_would_reject_is_422_with_checks_diagnostic_and_nothing_changes(served: Server) -> None:
    before = read(served, NOTES)
    status, answer = call(
        served, "POST", API_PATH, {"kind": "note", "text": "alpha", "quote": "the smallest winner", "body": "x"}
    )
    assert status == 422
    assert answer["diagnostics"][0]["code"] == "quote-not-found"
    assert answer["diagnostics"][0]["message"] == "quote matches no passage in 'alpha'"
    assert "error: quote matches no passage in 'alpha'" in answer["text"]
    assert "closest: content/alpha.md" in answer["text"]
    assert read(served, NOTES) == before


def test_markdown_check_rejects_is_422_and_nothing_changes(served: Server) -> None:
    before = read(served, NOTES)
    status, answer = call(
        served,
        "POST",
        API_PATH,
        {"kind": "note", "text": "alpha", "quote": "A second claim", "body": "See [this](text:no-such-text)."},
    )
    assert status == 422, answer
    assert "no-such-text" in answer["text"]
    assert answer["diagnostics"][0]["path"] == NOTES
    assert read(served, NOTES) == before


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"kind": "comment", "text": "alpha", "quote": "A second claim"}, 400, "'kind' must be 'note' or 'link'"),
        ({"kind": "note", "text": "gamma", "quote": "A second claim", "body": "x"}, 422, "unknown text 'gamma'"),
        ({"kind": "note", "text": "alpha", "quote": "  ", "body": "x"}, 422, "quote is empty"),
        ({"kind": "note", "text": "alpha", "quote": "A second claim", "body": ""}, 422, "the note's body is empty"),
        ({"kind": "note", "text": "alpha", "quote": 3, "body": "x"}, 400, "'quote' must be a string"),
        (
            {"kind": "note", "text": "alpha", "quote": "A second claim", "body": "x", "id": "winner"},
            422,
            "duplicate note id 'winner'",
        ),
        (
            {
                "kind": "link",
                "relation": "refutes",
                "from": {"text": "beta", "quote": "raise the costs"},
                "to": {"text": "alpha", "quote": "A second claim"},
            },
            422,
            "unknown relation 'refutes'",
        ),
        (
            {
                "kind": "link",
                "relation": "rebuts",
                "file": "../site.toml",
                "from": {"text": "beta", "quote": "raise the costs"},
                "to": {"text": "alpha", "quote": "A second claim"},
            },
            400,
            "links can be written only to annotations/links.yaml or annotations/links/<name>.yaml",
        ),
        (
            {
                "kind": "link",
                "relation": "rebuts",
                "file": "annotations/notes/alpha.yaml",
                "from": {"text": "beta", "quote": "raise the costs"},
                "to": {"text": "alpha", "quote": "A second claim"},
            },
            400,
            "links can be written only to annotations/links.yaml or annotations/links/<name>.yaml",
        ),
    ],
    ids=["kind", "unknown-text", "empty-quote", "empty-body", "quote-type", "taken-id", "relation", "outside", "notes"],
)
def test_bad_input_is_refused_and_no_file_changes(served: Server, body: dict, status: int, says: str) -> None:
    before = {p: p.read_bytes() for p in (served.root / "annotations").rglob("*") if p.is_file()}
    got, answer = call(served, "POST", API_PATH, body)
    assert (got, answer["error"]) == (status, says)
    after = {p: p.read_bytes() for p in (served.root / "annotations").rglob("*") if p.is_file()}
    assert after == before
    assert (served.root / "site.toml").read_bytes() == (MINIMAL / "site.toml").read_bytes()


def test_a_body_that_is_not_json_is_400(served: Server) -> None:
    assert call(served, "POST", API_PATH, b"{not json")[0] == 400
    assert call(served, "POST", API_PATH, b"[1, 2]")[0] == 400


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"token": None}, "missing or wrong X-Counterpoint-Token"),
        ({"token": "guessed"}, "missing or wrong X-Counterpoint-Token"),
        ({"origin": None}, "the Origin header must be"),
        ({"origin": "https://evil.example"}, "the Origin header must be"),
        ({"origin": "http://127.0.0.1:1"}, "the Origin header must be"),
        ({"content_type": "text/plain"}, "the request body must be JSON"),
    ],
    ids=["no-token", "wrong-token", "no-origin", "foreign-origin", "other-port", "form-post"],
)
def test_requests_not_from_the_served_pages_are_refused(served: Server, change: dict, says: str) -> None:
    before = read(served, NOTES)
    body = {"kind": "note", "text": "alpha", "quote": "A second claim", "body": "x"}
    status, answer = call(served, "POST", API_PATH, body, **change)
    assert status == 403
    assert answer["error"].startswith(says)
    assert read(served, NOTES) == before
    if "content_type" not in change:  # a DELETE has no body, so no content type to check
        assert call(served, "DELETE", f"{API_PATH}/winner", **change)[0] == 403
        assert read(served, NOTES) == before


def test_a_foreign_host_is_refused(served: Server) -> None:
    before = read(served, NOTES)
    body = {"kind": "note", "text": "alpha", "quote": "A second claim", "body": "x"}
    status, answer = call(served, "POST", API_PATH, body, host="evil.example:80")
    assert status == 403 and "this server answers to no other name" in answer["raw"]
    assert call(served, "GET", API_PATH, host="evil.example")[0] == 403
    assert read(served, NOTES) == before


def test_reading_needs_the_token_too(served: Server) -> None:
    assert call(served, "GET", f"{API_PATH}?text=alpha", token=None, origin=None)[0] == 403
    status, answer = call(served, "GET", f"{API_PATH}/winner", origin=None)
    assert status == 200
    assert answer["entry"]["body"].startswith("Straight quotes in the annotation")
    assert (answer["file"], answer["line"]) == (NOTES, 9)


def test_editing_a_note_changes_only_its_lines(served: Server) -> None:
    before = read(served, NOTES).decode().splitlines(keepends=True)
    status, answer = call(served, "PUT", f"{API_PATH}/across-emphasis?text=alpha", {"body": "Now longer.\n\nTwo."})
    assert status == 200, answer
    assert (answer["file"], answer["line"]) == (NOTES, 6)
    after = read(served, NOTES).decode().splitlines(keepends=True)
    assert after[:5] == before[:5]
    assert after[-3:] == before[-3:]
    assert "".join(after[5:-3]) == (
        "  - id: across-emphasis\n    at:\n"
        '      quote: "principle of indivisible security was"\n'
        "    body: |\n      Now longer.\n\n      Two.\n"
    )


def test_editing_a_links_quote_re_anchors_it(served: Server) -> None:
    before = read(served, LINKS).decode().splitlines(keepends=True)
    status, answer = call(
        served, "PUT", f"{API_PATH}/helsinki", {"relation": "supports", "to": {"text": "beta", "quote": "spheres of"}}
    )
    assert status == 200, answer
    after = read(served, LINKS).decode().splitlines(keepends=True)
    assert after[:7] == before[:7]
    assert "".join(after[7:]) == (
        "  - id: helsinki\n    relation: supports\n"
        '    from:\n      essay: alpha\n      quote: "Helsinki Final Act, 1 August 1975."\n'
        '    to:\n      essay: beta\n      quote: "spheres of"\n'
    )


def test_deleting_removes_only_that_entrys_lines(served: Server) -> None:
    before = read(served, NOTES).decode().splitlines(keepends=True)
    status, answer = call(served, "DELETE", f"{API_PATH}/across-emphasis?text=alpha")
    assert (status, answer) == (200, {"kind": "note", "id": "across-emphasis", "file": NOTES})
    assert read(served, NOTES).decode().splitlines(keepends=True) == before[:5] + before[8:]
    assert call(served, "DELETE", f"{API_PATH}/across-emphasis")[0] == 404


def test_preview_renders_as_the_build_does(served: Server) -> None:
    status, answer = call(served, "POST", PREVIEW_PATH, {"markdown": "*a* <b>raw</b> [x](javascript:alert(1))"})
    assert status == 200
    assert "<em>a</em>" in answer["html"]
    assert "<b>" not in answer["html"]
    assert "javascript:" not in answer["html"]


def test_pages_carry_the_token_and_a_build_never_contains_annotate_mode(served: Server, tmp_path: Path) -> None:
    html = page(served, "essays/alpha.html")
    assert f'id="counterpoint-annotate" data-token="{served.token}"' in html
    assert ANNOTATE_SCRIPT_FILE.read_text(encoding="utf-8") in html
    out = tmp_path / "built"
    result = run_cli("build", "--project", str(served.root), "--out", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"counterpoint-annotate" not in data and b"_counterpoint/annotations" not in data, path
    assert not list(out.rglob("serve-*.js"))
    assert call(served, "GET", STATUS_PATH, token=None, origin=None)[0] == 200
