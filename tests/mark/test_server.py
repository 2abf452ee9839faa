"""The marking app over real HTTP on 127.0.0.1: the token is required on every route, the
host must be this one, marks posted are saved, bad input gets a 400 in both languages."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from autograder.mark.app import serve
from autograder.report import manual
from tests.support import CHAPTER


@pytest.fixture
def server(out):
    srv = serve(out, CHAPTER)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    srv.session.close()


def request(srv, method, path, body=None, headers=None, token=True):
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=30)
    h = dict(headers or {})
    if token:
        h.setdefault("X-Mark-Token", srv.token)
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    return r.status, r.read().decode("utf-8"), dict(r.getheaders())


def test_it_listens_on_localhost_only(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith(f"http://127.0.0.1:{server.server_address[1]}/?token=")


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/part/ex5_2-proof"),
                                          ("GET", "/api/answer/ex5_2-proof/x"),
                                          ("GET", "/api/reveal/x"), ("GET", "/nowhere"),
                                          ("POST", "/api/mark/ex5_2-proof/x")])
def test_every_route_refuses_a_request_without_the_token(server, method, path):
    key = server.session.order[0]
    path = path.replace("/x", f"/{key}")
    for token in (None, "wrong", server.token[:-1]):
        headers = {"X-Mark-Token": token} if token else {}
        status, text, _ = request(server, method, path, {"points": 1, "comment": ""},
                                  headers=headers, token=False)
        assert status == 403 and "token" in text and server.session.student(key) not in text
    status, _, _ = request(server, "GET", f"/?token={server.token}x", token=False)
    assert status == 403
    assert manual.read(server.session.out / "manual.csv", CHAPTER).marks == {}


def test_the_token_in_the_url_opens_the_page_with_its_own_script_only(server):
    status, text, headers = request(server, "GET", f"/part/ex5_2-proof?token={server.token}",
                                    token=False)
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "script-src 'nonce-" in csp and "connect-src 'self'" in csp and "default-src 'none'" in csp
    assert "http" not in csp and "cdn" not in text.lower()
    for student in server.session.results:  # anonymous: no id on the page
        assert f">{student}<" not in text and f'"{student}"' not in text


def test_a_request_naming_another_host_is_refused(server):
    status, _, _ = request(server, "GET", "/", headers={"Host": "evil.example:80"})
    assert status == 403


def test_answers_marks_and_reveal(server):
    s = server.session
    by_student = {s.student(k): k for k in s.order}
    status, text, _ = request(server, "GET", f"/api/answer/ex5_2-proof/{by_student['ann']}")
    answer = json.loads(text)
    assert status == 200 and answer["state"] == "submitted" and "<math" in answer["html"]
    assert "Proof by ann" in answer["html"]
    for student, state in (("gus", "untouched"), ("hal", "missing")):
        got = json.loads(request(server, "GET", f"/api/answer/ex5_2-proof/{by_student[student]}")[1])
        assert got["state"] == state and got["html"] == ""
    status, text, _ = request(server, "POST", f"/api/mark/ex5_2-proof/{by_student['ben']}",
                              {"points": 6, "comment": "缺边界 / border missing"})
    assert status == 200 and json.loads(text)["mark"]["points"] == 6
    marks = manual.read(s.out / "manual.csv", CHAPTER).for_student("ben")
    assert [(m.exercise_id, m.part, m.points, m.comment) for m in marks] == \
        [("ex5_2", "proof", 6, "缺边界 / border missing")]
    assert json.loads(request(server, "GET", f"/api/reveal/{by_student['ben']}")[1])["student"] == "ben"


@pytest.mark.parametrize("body, words", [({"points": 11}, ["11", "0..10", "没有保存"]),
                                         ({"points": "lots"}, ["lots", "没有保存"]),
                                         ([1, 2], ["not saved"])])
def test_bad_marks_get_a_400_in_both_languages(server, body, words):
    key = server.session.order[0]
    status, text, _ = request(server, "POST", f"/api/mark/ex5_2-proof/{key}", body)
    assert status == 400
    for w in words:
        assert w in json.loads(text)["error"]
    assert manual.read(server.session.out / "manual.csv", CHAPTER).marks == {}


def test_unknown_parts_and_keys_are_404(server):
    assert request(server, "GET", "/part/ex5_9-proof")[0] == 404
    assert request(server, "GET", "/api/reveal/0000")[0] == 404
    assert request(server, "POST", "/api/mark/ex5_2-proof/0000", {"points": 1})[0] == 404


@pytest.mark.parametrize("port", [-1, 70000])
def test_a_bad_port_is_refused_with_the_number(out, port):
    with pytest.raises(ValueError, match=f"port {port} .*0 to 65535"):
        serve(out, CHAPTER, port=port)
