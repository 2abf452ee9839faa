"""``nndl-grade mark OUT``: the marking app, served by the standard library's ``http.server``.

It listens on 127.0.0.1 only and answers a request only when it carries the token made at
start (``?token=`` in the URL, as Jupyter does, or the ``X-Mark-Token`` header the page's
script sends) and names this host; anything else gets 403. Pages:

- ``/``                          the written parts and the progress of each
- ``/part/<exercise>-<part>``    the marking page of one part (``templates/mark.html.j2``)
- ``/api/answer/<part>/<key>``   one answer, rendered as on the written pages (JSON)
- ``/api/mark/<part>/<key>``     POST ``{"points": 7, "comment": "..."}``: saved at once
- ``/api/reveal/<key>``          the student's id behind an anonymous key

Each page carries a Content-Security-Policy that lets only its own script run (a nonce per
response) and requests go only to this server: no CDN, math is MathML as on the report.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .. import answers
from ..course import Chapter
from ..report import page, written
from .session import Part, Session

TEMPLATES = Path(__file__).resolve().parent / "templates"
HOST = "127.0.0.1"
REFUSED = ("403: this marking app needs the token of its address; open the address "
           "nndl-grade mark printed (…?token=…). / 403:需要启动时打印的地址中的 token,"
           "请打开 nndl-grade mark 打印的完整地址。\n")
MAX_BODY = 64 * 1024


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)),
                                           FileSystemLoader(str(page.TEMPLATES))]),
                      autoescape=select_autoescape(["j2", "html"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(page.environment().filters)
    env.globals.update(page.environment().globals)
    return env


class MarkServer(ThreadingHTTPServer):
    """The HTTP server of one ``Session``, with its token."""

    daemon_threads = True

    def __init__(self, session: Session, port: int = 0, token: Optional[str] = None) -> None:
        self.session = session
        self.token = token or secrets.token_urlsafe(24)
        self._answers: dict[tuple[str, str], dict[str, Any]] = {}
        self._templates: dict[str, Optional[str]] = {}
        self._references: dict[str, Optional[Markup]] = {}
        self._lock = threading.Lock()
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        """The address to open, token included."""
        return f"http://{HOST}:{self.server_address[1]}/?token={self.token}"

    def answer(self, p: Part, key: str) -> dict[str, Any]:
        """One answer rendered (remembered: an answer does not change while marking)."""
        cache = (p.slug, key)
        if cache not in self._answers:
            student = self.session.student(key)
            ex = p.exercise
            with self._lock:
                if ex.id not in self._templates:
                    self._templates[ex.id] = answers.read_template(self.session.chapter, ex)
            e = written.entry(self.session.out, self.session.results[student],
                              self.session.chapter, ex, p.part, self._templates[ex.id], None)
            self._answers[cache] = {"key": key, "state": e.state,
                                    "description": answers.DESCRIPTION[e.state],
                                    "html": str(e.answer) if e.answer is not None else ""}
        return self._answers[cache]

    def reference(self, p: Part) -> Optional[Markup]:
        if p.exercise.id not in self._references:
            self._references[p.exercise.id] = written.reference_answer(self.session.chapter,
                                                                       p.exercise)
        return self._references[p.exercise.id]


def _csp(nonce: str, header: bool = True) -> str:
    """The policy of a page: its own script, requests to this server only (frame-ancestors
    only in the header: a <meta> policy may not hold it)."""
    return (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
            f"img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
            + ("; frame-ancestors 'none'" if header else ""))


class Handler(BaseHTTPRequestHandler):
    """One request: the token checked first, then the route."""

    server: MarkServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # quiet: the terminal shows the address and errors only

    def _send(self, status: int, body: bytes, kind: str, headers: Optional[dict] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status >= 400:  # a refused request's body may be unread: no second request here
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _error(self, status: int, en: str, zh: str) -> None:
        self._json({"error": f"{en} / {zh}"}, status)

    def _allowed(self) -> bool:
        port = self.server.server_address[1]
        if self.headers.get("Host", "") not in (f"{HOST}:{port}", f"localhost:{port}"):
            return False
        query = parse_qs(urlsplit(self.path).query)
        given = self.headers.get("X-Mark-Token") or (query.get("token") or [""])[0]
        return hmac.compare_digest(given.encode(), self.server.token.encode())

    def _route(self) -> tuple[str, list[str]]:
        parts = [unquote(p) for p in urlsplit(self.path).path.split("/") if p]
        return (parts[0] if parts else ""), parts[1:]

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self._allowed():
            self._send(403, REFUSED.encode("utf-8"), "text/plain; charset=utf-8")
            return
        head, rest = self._route()
        session = self.server.session
        try:
            if head == "" and not rest:
                self._page("index.html.j2", parts=[(p, session.progress(p)) for p in
                                                   session.parts])
            elif head == "part" and len(rest) == 1:
                p = session.part(rest[0])
                items = session.rubrics.get((p.exercise.id, p.part.id), ())
                data = {"slug": p.slug, "max": p.part.points, "entries": session.entries(p),
                        "items": [{"key": i.key, "points": i.points, "comment": i.comment}
                                  for i in items]}
                self._page("mark.html.j2", part=p, items=items, data=data,
                           reference=self.server.reference(p), progress=session.progress(p))
            elif head == "api" and rest[:1] == ["answer"] and len(rest) == 3:
                self._json(self.server.answer(session.part(rest[1]), rest[2]))
            elif head == "api" and rest[:1] == ["reveal"] and len(rest) == 2:
                self._json({"key": rest[1], "student": session.student(rest[1])})
            else:
                self._error(404, "no such page", "没有这个页面")
        except KeyError as exc:
            self._error(404, f"unknown part or answer {exc}", f"没有这个题目或答案 {exc}")

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        if not self._allowed():
            self._send(403, REFUSED.encode("utf-8"), "text/plain; charset=utf-8")
            return
        head, rest = self._route()
        if not (head == "api" and rest[:1] == ["mark"] and len(rest) == 3):
            self._error(404, "no such page", "没有这个页面")
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            self._error(400, f"the request body must be 1 to {MAX_BODY} bytes, not {length}",
                        f"请求内容应为 1 到 {MAX_BODY} 字节,实际 {length}")
            return
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            points = body.get("points")
            points = None if points in (None, "") else float(points)
            comment = str(body.get("comment") or "")
            session = self.server.session
            self._json(session.save(rest[2], session.part(rest[1]), points, comment))
        except KeyError as exc:
            self._error(404, f"unknown part or answer {exc}", f"没有这个题目或答案 {exc}")
        except (ValueError, TypeError, AttributeError) as exc:
            self._error(400, f"not saved: {exc}", f"没有保存:{exc}")

    def _page(self, template: str, **context: Any) -> None:
        nonce = secrets.token_urlsafe(16)
        text = _environment().get_template(template).render(
            chapter=self.server.session.chapter, token=self.server.token, nonce=nonce,
            mark_csp=_csp(nonce, header=False), **context)
        self._send(200, text.encode("utf-8"), "text/html; charset=utf-8",
                   {"Content-Security-Policy": _csp(nonce)})


def serve(out: Path, chapter: Chapter, *, port: int = 0,
          token: Optional[str] = None) -> MarkServer:
    """Open ``out`` for marking and return its server, listening but not yet serving (call
    ``serve_forever``; ``shutdown`` then ``server_close`` and ``Session.close`` to end)."""
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is not a TCP port (0 to 65535; 0 picks a free one)")
    session = Session.open(out, chapter)
    try:
        return MarkServer(session, port=port, token=token)
    except BaseException:
        session.close()
        raise
