"""`counterpoint serve`: live reload injected only when serving, overlay status on a broken edit, recovery, safety."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINIMAL

from builder import serve as serve_module
from builder.diagnostics import Report
from builder.pipeline import Project, build
from builder.serve import RELOAD_SCRIPT_FILE, STATUS_PATH, Server, is_ignored, serve_command

NOTE = "annotations/notes/alpha.yaml"


def fetch(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def status(server: Server) -> dict:
    code, _, body = fetch(server, STATUS_PATH)
    assert code == 200
    return json.loads(body)


def wait_for(server: Server, predicate, timeout: float = 10.0) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        current = status(server)
        if predicate(current) or time.monotonic() > deadline:
            return current
        time.sleep(0.1)


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    messages: list[str] = []
    server = Server(project, tmp_path / "out", port=0, echo=messages.append, poll_seconds=0.1, debounce_seconds=0.1)
    server.start()
    server.messages = messages  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


def test_reload_script_is_served_but_never_built(served: Server) -> None:
    code, headers, body = fetch(served, "/index.html")
    assert code == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'id="counterpoint-live-reload" data-generation="1"' in body
    assert RELOAD_SCRIPT_FILE.read_bytes() in body  # the theme's file, inlined as it is
    assert body.index(b"counterpoint-live-reload") < body.rindex(b"</body>")
    on_disk = (served.out_dir / "index.html").read_bytes()
    assert b"counterpoint-live-reload" not in on_disk
    assert not any(b"counterpoint-live-reload" in p.read_bytes() for p in served.out_dir.rglob("*.html"))
    assert status(served) == {"generation": 1, "ok": True, "diagnostics": []}


def test_content_types_404_and_redirect(served: Server) -> None:
    code, headers, body = fetch(served, "/static/style.css")
    assert code == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
    assert b"counterpoint-live-reload" not in body
    code, headers, _ = fetch(served, "/static/reader.js")
    assert code == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"
    code, _, body = fetch(served, "/no-such-page.html")
    assert code == 404 and b"counterpoint-live-reload" in body  # a missing page still reloads when fixed
    code, _, body = fetch(served, "/")
    assert code == 200 and b"counterpoint-live-reload" in body  # followed the redirect to /index.html


def test_broken_edit_keeps_last_good_build_then_recovers(served: Server) -> None:
    note = served.root / NOTE
    good = note.read_text(encoding="utf-8")
    _, _, before = fetch(served, "/essays/alpha.html")
    assert b"note-helsinki-1975" in before

    note.write_text(good.replace("In the 1975 Helsinki Final Act", "In the 1976 Helsinki Final Act"), encoding="utf-8")
    broken = wait_for(served, lambda s: not s["ok"])
    assert broken["ok"] is False and broken["generation"] == 1
    assert broken["diagnostics"][0] == f"{NOTE}:3:18: error: quote matches no passage in 'alpha'"
    assert any(line.startswith("    hint: ") for line in broken["diagnostics"])
    code, _, still = fetch(served, "/essays/alpha.html")
    assert code == 200 and still == before  # the last good build, same generation in its script
    assert any(m == f"changed: {NOTE}" for m in served.messages)  # type: ignore[attr-defined]
    assert any(m.startswith(f"{NOTE}:3:18: error:") for m in served.messages)  # type: ignore[attr-defined]

    note.write_text(good, encoding="utf-8")
    fixed = wait_for(served, lambda s: s["ok"])
    assert fixed == {"generation": 2, "ok": True, "diagnostics": []}
    assert any(m.startswith("rebuilt in ") and m.endswith(" ms") for m in served.messages)  # type: ignore[attr-defined]
    _, _, after = fetch(served, "/essays/alpha.html")
    assert b'data-generation="2"' in after


def test_editor_swap_files_do_not_trigger_a_rebuild(served: Server) -> None:
    notes = served.root / "annotations" / "notes"
    for name in (".alpha.yaml.swp", "alpha.yaml~", ".#alpha.yaml", "4913"):
        (notes / name).write_text("garbage: [", encoding="utf-8")
        assert is_ignored(name)
    assert served.rebuild_if_changed() is None
    assert status(served)["generation"] == 1


def test_path_traversal_is_refused(served: Server) -> None:
    (served.out_dir.parent / "secret.txt").write_text("secret", encoding="utf-8")
    for path in (
        "/../site.toml",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
    ):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", path)  # raw: no client-side normalisation of ".."
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status in (403, 404), path
        assert b"secret" not in body and b"title" not in body


def test_first_build_failing_still_serves_and_recovers(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    toml = project / "site.toml"
    good = toml.read_text(encoding="utf-8")
    toml.write_text(good.replace('title = "Minimal reader"', "title = "), encoding="utf-8")
    with Server(
        project, tmp_path / "out", port=0, echo=lambda m: None, poll_seconds=0.1, debounce_seconds=0.1
    ) as server:
        first = status(server)
        assert first["ok"] is False and first["generation"] == 0 and first["diagnostics"]
        code, _, body = fetch(server, "/index.html")
        assert code == 404 and b"counterpoint-live-reload" in body
        toml.write_text(good, encoding="utf-8")
        assert wait_for(server, lambda s: s["ok"])["generation"] == 1
        assert fetch(server, "/index.html")[0] == 200


def test_port_in_use_exits_2_without_traceback(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = CliRunner().invoke(serve_command, ["--project", str(project), "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} is in use; try --port {port + 1}" in result.output
    assert "Traceback" not in result.output
    assert not (project / ".counterpoint-cache").exists()  # nothing built


def raw_get(port: int, path: str, host: str | None) -> tuple[int, bytes]:
    """A GET with exactly the Host header given (None: no Host header at all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_a_build_never_contains_the_reload_script(tmp_path: Path) -> None:
    assert "static" not in RELOAD_SCRIPT_FILE.parts  # theme/static/ is copied into every build
    out = tmp_path / "site"
    build(Project(MINIMAL), out, Report())
    marker = RELOAD_SCRIPT_FILE.read_bytes()[:200]
    for path in out.rglob("*"):
        assert path.name != RELOAD_SCRIPT_FILE.name, path
        if path.is_file():
            data = path.read_bytes()
            assert b"counterpoint-live-reload" not in data and marker not in data, path


def test_200_concurrent_requests_are_all_answered(served: Server) -> None:
    count = 200
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def one(i: int) -> None:
        start.wait()
        try:
            results[i] = raw_get(
                served.port, "/essays/alpha.html" if i % 2 else "/static/style.css", f"127.0.0.1:{served.port}"
            )[0]
        except Exception as error:  # a refused or timed-out connection is the failure this test looks for
            results[i] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    failures = [r for r in results if r != 200]
    assert not failures, f"{len(failures)} of {count} not answered: {failures[:3]}"


def test_requests_for_another_host_are_refused(served: Server) -> None:
    port = served.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        code, body = raw_get(port, "/index.html", host)
        assert code == 200 and b"<html" in body, host
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", "localhost", "127.0.0.1", None, ""):
        for path in ("/index.html", STATUS_PATH, "/static/style.css"):
            code, body = raw_get(port, path, host)
            assert code == 403, (host, path)
            assert body.startswith(b"forbidden: open http://127.0.0.1:") and b"generation" not in body, (host, path)


def test_an_idle_connection_is_closed_by_the_server(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    with Server(project, tmp_path / "out", port=0, echo=lambda m: None, watch=False, idle_timeout=0.5) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle:
            # sends nothing: the server must hang up by itself, long before the client gives up
            assert idle.recv(1024) == b""
        assert fetch(server, "/index.html")[0] == 200  # the server itself is fine


def test_default_idle_timeout_and_backlog() -> None:
    assert 10 <= serve_module.IDLE_TIMEOUT_SECONDS <= 30
    assert serve_module._HTTPServer.request_queue_size >= 128
    assert serve_module._HTTPServer.daemon_threads


DIAGNOSTIC_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):\d+:\d+: (error|warning): \S")


def test_every_overlay_message_names_its_file(served: Server) -> None:
    note = served.root / NOTE
    good = note.read_text(encoding="utf-8")
    note.write_text(good.replace("body: A quote", "body: !foo A quote"), encoding="utf-8")  # a YAML tag
    broken = wait_for(served, lambda s: not s["ok"])
    assert broken["ok"] is False and broken["diagnostics"]
    messages = [line for line in broken["diagnostics"] if not line.startswith(" ")]
    assert messages and all(DIAGNOSTIC_LINE.match(line) for line in messages), messages
    assert all(line.startswith(f"{NOTE}:") for line in messages), messages
    assert not any("<yaml" in line or " object at 0x" in line for line in broken["diagnostics"])
    note.write_text(good, encoding="utf-8")
    assert wait_for(served, lambda s: s["ok"])["ok"]


def test_an_engine_crash_is_shown_as_a_diagnostic_at_the_changed_file(
    served: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Boom(Exception):
        pass

    def crash(*args: object, **kwargs: object) -> None:
        raise Boom("something <odd.Object object at 0x7f00>\n  on two lines")

    monkeypatch.setattr(serve_module, "build", crash)
    note = served.root / NOTE
    note.write_text(note.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    broken = wait_for(served, lambda s: not s["ok"])
    assert broken["diagnostics"] == [
        f"{NOTE}:1:1: error: internal error: Boom: something <odd.Object object at 0x7f00>",
        "    hint: this is a bug in counterpoint, not a problem in your project; please report it with the",
        "          traceback shown in the terminal running `counterpoint serve`",
    ]
    assert any("Traceback" in m for m in served.messages)  # type: ignore[attr-defined]


def test_an_os_error_is_shown_at_the_file_it_names(served: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(served.root / "static" / "x.css"))

    monkeypatch.setattr(serve_module, "build", full)
    assert served.build_once() is False
    assert status(served)["diagnostics"][0] == "static/x.css:1:1: error: cannot build: No space left on device"
