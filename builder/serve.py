"""`counterpoint serve`: build, serve on 127.0.0.1, rebuild on change, reload open pages (DESIGN §5).

Standard library only. The watcher polls file mtimes; the HTTP server injects a small
live-reload script into HTML responses on the fly (never into the built files) that polls
`/__counterpoint/status` and reloads when a new build is ready, or shows the diagnostics
as an overlay while the last good build keeps being served.

It also lets an editor annotate in the browser (docs/annotating.md): a second script,
injected the same way, turns a selection into a note or a link through the JSON API under
`/_counterpoint/`, which writes the project's YAML (builder/annotate.py). The API answers
only to this server's own Host and Origin and only with the per-session token the served
pages carry, so a page of another site cannot write into the project.
"""

from __future__ import annotations

import errno
import functools
import hmac
import json
import mimetypes
import os
import secrets
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import click

from builder.annotate import Annotator, Refused, preview
from builder.diagnostics import BuildFailed, Diagnostic, Location, Report, format_text
from builder.pipeline import Project, build
from builder.render import THEME

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
STATUS_PATH = "/__counterpoint/status"
API_PATH = "/_counterpoint/annotations"
PREVIEW_PATH = "/_counterpoint/preview"
TOKEN_HEADER = "X-Counterpoint-Token"
MAX_REQUEST_BYTES = 1_000_000
"""A note is at most 20,000 characters (specs.markdown); anything this large is a mistake."""
WATCHED_DIRS = ("content", "annotations", "templates", "static")
WATCHED_FILES = ("site.toml",)
CACHE_DIR = ".counterpoint-cache"
DEFAULT_OUT = Path(CACHE_DIR) / "serve-site"

POLL_SECONDS = 0.5
DEBOUNCE_SECONDS = 0.25
DEBOUNCE_MAX_SECONDS = 3.0
"""Wait until the files stop changing (an editor saving several files), but not forever."""

IDLE_TIMEOUT_SECONDS = 15.0
"""A connection that sends nothing for this long is closed: each holds a thread (browsers reconnect)."""
LISTEN_BACKLOG = 512
"""Connections waiting to be accepted (http.server's default of 5 drops most of a burst of requests)."""

_BACKUP_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", ".tmp", ".bak", ".orig", "~")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}


def content_type(path: Path) -> str:
    """A fixed table first (system mime tables differ), then mimetypes, then octet-stream."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def is_ignored(name: str) -> bool:
    """Editor swap, backup and lock files (.x.swp, x~, .#x, vim's 4913), and hidden files."""
    return name.startswith((".", "#")) or name.endswith(_BACKUP_SUFFIXES) or name == "4913"


def project_title(root: Path) -> str:
    """site.toml's title, else the folder's name."""
    import tomllib

    try:
        title = tomllib.loads((root / "site.toml").read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError):
        title = None
    if isinstance(title, str) and title.strip():
        return title.strip()
    return root.resolve().name or str(root)


Snapshot = dict[str, tuple[int, int]]


# --------------------------------------------------------------------------- reload script

RELOAD_SCRIPT_FILE = THEME / "serve" / "serve-reload.js"
"""Outside theme/static/, which every build copies: only serve ever sends this script."""
ANNOTATE_SCRIPT_FILE = THEME / "serve" / "serve-annotate.js"
"""Annotate mode (select words -> note or link), also sent only by serve."""


@functools.cache
def _script_source(path: Path) -> str:
    source = path.read_text(encoding="utf-8")
    if "</script" in source.lower():  # it is inlined into pages
        raise ValueError(f"{path} must not contain '</script'")
    return source


def _reload_source() -> str:
    return _script_source(RELOAD_SCRIPT_FILE)


def annotate_script(token: str) -> str:
    """The inline <script> of annotate mode, carrying this session's token."""
    return (
        f'<script id="counterpoint-annotate" data-token="{token}" data-api="{API_PATH}" '
        f'data-preview="{PREVIEW_PATH}">\n{_script_source(ANNOTATE_SCRIPT_FILE)}</script>\n'
    )


def reload_script(generation: int) -> str:
    """The inline <script> element that serve puts into every HTML page it sends."""
    return (
        f'<script id="counterpoint-live-reload" data-generation="{int(generation)}" data-status="{STATUS_PATH}">\n'
        f"{_reload_source()}</script>\n"
    )


def inject_reload(html: bytes, generation: int, token: str | None = None) -> bytes:
    """The page with the reload script (and, given the session's token, annotate mode) before its last </body>."""
    text = html.decode("utf-8", errors="replace")
    script = reload_script(generation) + (annotate_script(token) if token else "")
    at = text.lower().rfind("</body>")
    text = text + script if at < 0 else text[:at] + script + text[at:]
    return text.encode("utf-8")


# --------------------------------------------------------------------------- server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a thread per connection, never waited for at exit
    request_queue_size = LISTEN_BACKLOG
    allow_reuse_address = os.name != "nt"  # rebinding after a restart; on Windows it would allow port stealing
    allow_reuse_port = False  # two `serve` on one port must fail, not share it
    owner: Server

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away mid-response
        super().handle_error(request, client_address)


class PortInUse(OSError):
    """The port is taken by another program."""


class Server:
    """Build, watch and serve one project. start()/stop(); rebuild_if_changed() drives a rebuild."""

    def __init__(
        self,
        project_root: Path,
        out_dir: Path | None = None,
        port: int = DEFAULT_PORT,
        echo: Callable[[str], None] | None = None,
        watch: bool = True,
        poll_seconds: float = POLL_SECONDS,
        debounce_seconds: float = DEBOUNCE_SECONDS,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    ) -> None:
        self.root = Path(project_root)
        self.out_dir = (Path(out_dir) if out_dir is not None else self.root / DEFAULT_OUT).absolute()
        self.requested_port = port
        self.echo = echo or (lambda message: click.echo(message, err=True))
        self.watch = watch
        self.poll_seconds = poll_seconds
        self.debounce_seconds = debounce_seconds
        self.idle_timeout = idle_timeout
        self.generation = 0
        """Counts successful builds; pages reload when it changes."""
        self.ok = False
        self.diagnostics: list[str] = []
        self._state = threading.Lock()
        self._build_lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = threading.Event()
        self._snapshot: Snapshot = {}
        self._watch_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.token = secrets.token_urlsafe(32)
        """Per session; the served pages carry it, and every API request must send it back."""
        self.annotator = Annotator(self.root)

    # ---- status
    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self.requested_port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/index.html"

    def host_allowed(self, host: str | None) -> bool:
        """Only this server's own names: a page of another site whose name was rebound to 127.0.0.1
        (DNS rebinding) sends its own name in Host and is refused."""
        if host is None:
            return False
        names = ("127.0.0.1", "localhost")
        allowed = {f"{name}:{self.port}" for name in names}
        if self.port == 80:
            allowed.update(names)
        return host.strip().lower() in allowed

    def origin_allowed(self, origin: str | None) -> bool:
        """A request's Origin must be one of this server's own (a page of another site sends its own)."""
        if origin is None:
            return False
        names = ("127.0.0.1", "localhost")
        return origin.strip().lower() in {f"http://{name}:{self.port}" for name in names}

    def token_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode("utf-8"), self.token.encode("utf-8"))

    def status(self) -> dict[str, object]:
        with self._state:
            return {"generation": self.generation, "ok": self.ok, "diagnostics": list(self.diagnostics)}

    # ---- watching
    def scan(self) -> Snapshot:
        """mtime and size of every watched file (recursively), editor leftovers and the output excluded."""
        found: Snapshot = {}
        out = self.out_dir.resolve()
        for name in WATCHED_FILES:
            self._stat(self.root / name, name, found)
        for top in WATCHED_DIRS:
            base = self.root / top
            if not base.is_dir():
                continue
            for dirpath, dirnames, filenames in os.walk(base):
                here = Path(dirpath)
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (here / d).resolve() != out)
                for filename in filenames:
                    if not is_ignored(filename):
                        path = here / filename
                        self._stat(path, path.relative_to(self.root).as_posix(), found)
        return found

    @staticmethod
    def _stat(path: Path, key: str, found: Snapshot) -> None:
        try:
            st = path.stat()
        except OSError:
            return
        if not os.path.isdir(path):
            found[key] = (st.st_mtime_ns, st.st_size)

    @staticmethod
    def describe_changes(old: Snapshot, new: Snapshot) -> list[str]:
        lines = [f"added: {p}" for p in sorted(new.keys() - old.keys())]
        lines += [f"removed: {p}" for p in sorted(old.keys() - new.keys())]
        lines += [f"changed: {p}" for p in sorted(k for k in new.keys() & old.keys() if new[k] != old[k])]
        return lines

    def _settle(self, snapshot: Snapshot) -> Snapshot:
        """Debounce: wait until two scans a moment apart agree (bounded)."""
        deadline = time.monotonic() + DEBOUNCE_MAX_SECONDS
        while time.monotonic() < deadline and not self._stopping.is_set():
            time.sleep(self.debounce_seconds)
            again = self.scan()
            if again == snapshot:
                break
            snapshot = again
        return snapshot

    # ---- building
    def build_once(self, changes: list[str] | None = None) -> bool:
        """One build; records the status and prints the outcome. Never raises for input problems."""
        with self._build_lock:
            self._idle.clear()
            report = Report()
            started = time.perf_counter()
            try:
                build(Project(self.root), self.out_dir, report, use_cache=True)
                ok = True
            except BuildFailed:
                ok = False
            except Exception as exc:  # an engine bug must not kill the server
                ok = False
                self.echo(traceback.format_exc().rstrip())
                report_crash(report, exc, self.root, changes or [])
            finally:
                self._idle.set()
            elapsed = round((time.perf_counter() - started) * 1000)
            text = format_text(report.sorted())  # the overlay shows exactly what `check` prints
            lines = text.splitlines()
            with self._state:
                if ok:
                    self.generation += 1
                self.ok = ok
                self.diagnostics = lines
        for change in changes or []:
            self.echo(change)
        if text:
            self.echo(text)
        if ok:
            self.echo(f"{'rebuilt' if changes else 'built'} in {elapsed} ms")
        else:
            errors = sum(": error: " in line for line in lines)
            self.echo(f"build failed ({errors} error(s)); still serving the last good build")
        return ok

    def rebuild_if_changed(self) -> bool | None:
        """Rebuild when a watched file changed since the last build: True/False = build ok/failed, None = no change."""
        with self._watch_lock:
            return self._rebuild_if_changed()

    def _rebuild_if_changed(self) -> bool | None:
        snapshot = self.scan()
        if snapshot == self._snapshot:
            return None
        snapshot = self._settle(snapshot)
        changes = self.describe_changes(self._snapshot, snapshot)
        self._snapshot = snapshot
        if not changes:
            return None
        return self.build_once(changes)

    def initial_build(self) -> bool:
        self._snapshot = self.scan()
        return self.build_once()

    # ---- lifecycle
    def bind(self) -> None:
        """Open the listening socket on 127.0.0.1; PortInUse when taken."""
        try:
            httpd = _HTTPServer((HOST, self.requested_port), _Handler)
        except OSError as exc:
            if (
                exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1))
                or getattr(exc, "winerror", None) == 10048
            ):
                raise PortInUse(exc.errno, f"port {self.requested_port} is in use") from exc
            raise
        httpd.owner = self
        self._httpd = httpd

    def start(self, build_first: bool = True) -> None:
        """Bind, build once (unless told not to), then serve and watch in background threads."""
        if self._httpd is None:
            self.bind()
        if build_first:
            self.initial_build()
        assert self._httpd is not None
        serving = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.25}, name="counterpoint-http", daemon=True
        )
        serving.start()
        self._threads.append(serving)
        if self.watch:
            watching = threading.Thread(target=self._watch_loop, name="counterpoint-watch", daemon=True)
            watching.start()
            self._threads.append(watching)

    def _watch_loop(self) -> None:
        while not self._stopping.wait(self.poll_seconds):
            try:
                self.rebuild_if_changed()
            except Exception:  # keep watching whatever happens
                self.echo(traceback.format_exc().rstrip())

    def wait(self) -> None:
        """Block until stop() (Ctrl+C raises KeyboardInterrupt out of here)."""
        while not self._stopping.wait(0.5):
            pass

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            if self._threads:
                self._httpd.shutdown()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._httpd = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- files
    def resolve_request(self, url_path: str) -> Path | None:
        """The file under the output folder for a URL path; None when it would leave the folder."""
        parts = [unquote(p) for p in url_path.split("/")]
        if any(p in ("..", ".") or "\\" in p or "\x00" in p or ":" in p for p in parts):
            return None
        root = self.out_dir.resolve()
        target = (root / "/".join(p for p in parts if p)).resolve()
        if target != root and not target.is_relative_to(root):
            return None  # e.g. a symlink pointing outside
        return target

    def wait_idle(self, timeout: float) -> None:
        """A build swapping the output in may briefly hide a file; wait for it."""
        self._idle.wait(timeout)


def report_crash(report: Report, exc: Exception, root: Path, changes: list[str]) -> None:
    """An exception no stage turned into a diagnostic, made one, worded as the CLI words it
    (diagnostics.failure_message) but placed at a file, since the overlay shows `check`'s lines:
    the file an OS error names, else the one file whose change set the build off."""
    changed = [change.split(": ", 1)[1] for change in changes if change.startswith(("changed: ", "added: "))]
    where = Location(PurePosixPath(changed[0] if len(changed) == 1 else "."))
    if isinstance(exc, OSError) and exc.strerror:
        if exc.filename:
            named = Path(os.fsdecode(exc.filename)).absolute()
            inside = named.is_relative_to(root.absolute())
            where = Location(PurePosixPath((named.relative_to(root.absolute()) if inside else named).as_posix()))
        report.error(
            where,
            f"cannot build: {exc.strerror}",
            "the last good build is still served; fix the cause (disk space, permissions) and save a file",
            code="os-error",
        )
        return
    mark = getattr(exc, "problem_mark", None)  # a YAML error that escaped its loader
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if isinstance(line, int) and isinstance(column, int) and len(changed) == 1:
        where = Location(where.path, line + 1, column + 1)
    text = (str(exc).splitlines() or [""])[0][:200]
    report.error(
        where,
        f"internal error: {type(exc).__name__}: {text}",
        "this is a bug in counterpoint, not a problem in your project; please report it with the\n"
        "traceback shown in the terminal running `counterpoint serve`",
        code="internal",
    )


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "counterpoint-serve"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.owner.idle_timeout)  # per read and write: idle connections close

    def log_message(self, format: str, *args: object) -> None:  # the terminal is for diagnostics
        return None

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_POST(self) -> None:
        self._api("POST")

    def do_PUT(self) -> None:
        self._api("PUT")

    def do_DELETE(self) -> None:
        self._api("DELETE")

    def _host_refused(self, head: bool) -> bool:
        owner = self.server.owner
        hosts = self.headers.get_all("Host") or []
        if len(hosts) == 1 and owner.host_allowed(hosts[0]):
            return False
        self.close_connection = True
        refusal = f"forbidden: open http://{HOST}:{owner.port}/ (this server answers to no other name)\n"
        self._send(HTTPStatus.FORBIDDEN, refusal.encode("utf-8"), "text/plain; charset=utf-8", head)
        return True

    def _respond(self, head: bool) -> None:
        owner = self.server.owner
        if self._host_refused(head):
            return None
        path = urlsplit(self.path).path or "/"
        if not path.startswith("/"):
            return self._send(HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain; charset=utf-8", head)
        if path.startswith("/_counterpoint/"):
            return self._api("HEAD" if head else "GET")
        if path == STATUS_PATH:
            body = json.dumps(owner.status(), ensure_ascii=False).encode("utf-8")
            return self._send(HTTPStatus.OK, body, "application/json; charset=utf-8", head)
        if path == "/":
            return self._redirect("/index.html", head)
        target = owner.resolve_request(path)
        if target is None:
            return self._send(HTTPStatus.FORBIDDEN, b"forbidden: outside the site\n", "text/plain; charset=utf-8", head)
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/", head)
            target = target / "index.html"
        if not target.is_file():
            owner.wait_idle(10)
        try:
            with open(target, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                kind = content_type(target)
                if kind.startswith("text/html"):
                    page = inject_reload(fh.read(), owner.generation, owner.token)
                    return self._send(HTTPStatus.OK, page, kind, head)
                self.send_response(HTTPStatus.OK)
                self._headers(kind, size)
                if not head:
                    shutil.copyfileobj(fh, self.wfile)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            self._not_found(path, head)

    def _not_found(self, path: str, head: bool) -> None:
        """A 404 page that still carries the reload script, so a failed first build shows its overlay."""
        from html import escape

        page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
            f"<body><h1>Not found</h1><p>{escape(path)} is not in the built site.</p></body></html>"
        )
        owner = self.server.owner
        body = inject_reload(page.encode("utf-8"), owner.generation, owner.token)
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head)

    # ---- the annotation API (docs/annotating.md)
    def _api(self, method: str) -> None:
        """Guards first (Host, Origin, token, JSON), then one Annotator call; answers JSON."""
        owner = self.server.owner
        if method in ("POST", "PUT", "DELETE") and self._host_refused(False):
            return
        refusal = self._api_refusal(method)
        if refusal is not None:
            self.close_connection = True
            return self._json(HTTPStatus.FORBIDDEN, {"error": refusal}, method == "HEAD")
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        rest = split.path.removeprefix(API_PATH)
        ident = unquote(rest[1:]) if rest.startswith("/") else None
        try:
            data = self._body() if method in ("POST", "PUT") else {}
            if split.path == PREVIEW_PATH and method == "POST":
                markdown = data.get("markdown", "")
                if not isinstance(markdown, str):
                    raise Refused([_request_problem("'markdown' must be a string")], 400)
                return self._json(HTTPStatus.OK, {"html": preview(markdown)}, False)
            if not (split.path == API_PATH or (ident and "/" not in ident)):
                return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such API path: {split.path}"}, method == "HEAD")
            text, kind = query.get("text"), query.get("kind")
            if method in ("GET", "HEAD"):
                result = owner.annotator.entry(ident, text, kind) if ident else owner.annotator.listing(text)
                return self._json(HTTPStatus.OK, result, method == "HEAD")
            if method == "POST" and not ident:
                written = owner.annotator.create(data)
                status = HTTPStatus.CREATED
            elif method == "PUT" and ident:
                written = owner.annotator.update(ident, data, text, kind)
                status = HTTPStatus.OK
            elif method == "DELETE" and ident:
                written = owner.annotator.delete(ident, text, kind)
                status = HTTPStatus.OK
            else:
                return self._json(
                    HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{method} {split.path} is not allowed"}, False
                )
        except Refused as refused:
            return self._json(HTTPStatus(refused.status), _diagnostics_json(refused.diagnostics), False)
        owner.echo(f"{'wrote' if method != 'DELETE' else 'deleted'} {written.kind} '{written.id}' in {written.file}")
        answer: dict[str, Any] = {"kind": written.kind, "id": written.id, "file": written.file}
        if method != "DELETE":
            answer["line"] = written.line
            answer["warnings"] = format_text(written.warnings).splitlines()
        self._json(status, answer, False)

    def _api_refusal(self, method: str) -> str | None:
        """Why this request may not use the API, or None. Pages of other sites fail here."""
        owner = self.server.owner
        if self.client_address[0] != HOST:
            return "the annotation API answers only on 127.0.0.1"
        origins = self.headers.get_all("Origin") or []
        if method in ("POST", "PUT", "DELETE") and (len(origins) != 1 or not owner.origin_allowed(origins[0])):
            return f"the Origin header must be http://{HOST}:{owner.port} (requests from other sites are refused)"
        if origins and not all(owner.origin_allowed(o) for o in origins):
            return f"the Origin header must be http://{HOST}:{owner.port} (requests from other sites are refused)"
        if not owner.token_ok(self.headers.get(TOKEN_HEADER)):
            return (
                f"missing or wrong {TOKEN_HEADER}: use the token in the served pages' <script id=counterpoint-annotate>"
            )
        if method in ("POST", "PUT"):
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind != "application/json":
                return "the request body must be JSON (Content-Type: application/json)"
        return None

    def _body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BYTES:
            self.close_connection = True
            raise Refused(
                [_request_problem(f"the request body must be JSON of at most {MAX_REQUEST_BYTES} bytes")], 400
            )
        try:
            data = json.loads(self.rfile.read(length).decode("utf-8")) if length else {}
        except (UnicodeDecodeError, ValueError):
            raise Refused([_request_problem("the request body is not JSON")], 400) from None
        if not isinstance(data, dict):
            raise Refused([_request_problem("the request body must be a JSON object")], 400)
        return data

    def _json(self, status: HTTPStatus, payload: object, head: bool) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", head)

    def _redirect(self, location: str, head: bool) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self._headers("text/plain; charset=utf-8", 0)

    def _headers(self, kind: str, length: int) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self._headers(kind, len(body))
        if not head:
            self.wfile.write(body)


def _request_problem(message: str) -> Diagnostic:
    return Diagnostic("error", Location(PurePosixPath("request")), message, None, "request")


def _diagnostics_json(diagnostics: list[Diagnostic]) -> dict[str, object]:
    """A 422's body: `check`'s lines as it prints them, and each diagnostic as `check --format json` gives it."""
    return {
        "error": diagnostics[0].message if diagnostics else "refused",
        "text": format_text(diagnostics),
        "diagnostics": [d.as_dict() for d in diagnostics],
    }


# --------------------------------------------------------------------------- command


def _default_out(project_dir: Path) -> Path:
    """<project>/.counterpoint-cache/serve-site; the cache folder ignores itself in git."""
    cache = project_dir / CACHE_DIR
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# made by counterpoint: nothing here belongs in version control\n*\n", encoding="utf-8")
    return project_dir / DEFAULT_OUT


@click.command("serve")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port on 127.0.0.1."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Where to build (default: {DEFAULT_OUT.as_posix()} inside the project; never _site/).",
)
@click.pass_context
def serve_command(ctx: click.Context, project_dir: Path, port: int, out_dir: Path | None) -> None:
    """Build, serve on 127.0.0.1, rebuild and reload the browser on every change."""
    server = Server(project_dir, out_dir, port)
    try:
        server.bind()  # before building: a taken port fails fast
    except PortInUse:
        click.echo(f"error: port {port} is in use; try --port {port + 1 if port < 65535 else 8001}", err=True)
        ctx.exit(2)
    except OSError as exc:
        click.echo(f"error: cannot listen on {HOST}:{port}: {exc.strerror or exc}", err=True)
        ctx.exit(2)
    if out_dir is None:
        server.out_dir = _default_out(project_dir).absolute()
    try:
        server.start()
        click.echo(f"Serving {project_title(project_dir)} at {server.url} (Ctrl+C to stop)")
        server.wait()
    except KeyboardInterrupt:
        click.echo("\nstopping", err=True)
    finally:
        server.stop()
