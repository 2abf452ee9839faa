"""Marking by keyboard in Debian's Chromium through Playwright, against the real app on
127.0.0.1: three answers of 5-2 graded with rubric items, number keys and a comment, kept
across a reload, in manual.csv, folded by ``nndl-grade report`` into grades.csv and the
feedback; a request without the token refused. Screenshots go to a folder printed at the
end; no console error (a Content-Security-Policy violation is one) in any test."""

from __future__ import annotations

import csv
import re
import threading
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.mark.app import serve
from autograder.mark.rubrics import load_rubrics
from autograder.report import manual
from tests.support import CHAPTER

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not CHROMIUM.exists():
    pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python API is missing")

RUBRIC = {i.key: i for i in load_rubrics(CHAPTER)[("ex5_2", "proof")]}


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("mark-screenshots")


@pytest.fixture
def app(out):
    srv = serve(out, CHAPTER)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()
    srv.session.close()


@pytest.fixture
def browser(tmp_path):
    pw = sync_api.sync_playwright().start()
    context = pw.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True,
        viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1:", "file://")) else None)
    yield page, errors
    context.close()
    pw.stop()
    assert outside == []


def saved(page):
    sync_api.expect(page.locator("#status")).to_have_text(re.compile("^saved"))


def current(page) -> str:
    return page.locator("body").get_attribute("data-key")


def shown(page, n):
    """Wait for answer ``n`` to be on screen; its key."""
    sync_api.expect(page.locator("#position")).to_have_text(re.compile(f"^answer / 答案 {n} "))
    key = current(page)
    sync_api.expect(page.locator("#answer")).to_have_attribute("data-key", key)
    return key


def test_three_answers_graded_by_keyboard_are_kept_and_reach_the_grades(out, app, browser, shots,
                                                                       capsys):
    page, errors = browser
    page.goto(app.url)
    page.click('tr[data-part="ex5_2-proof"] a')
    keys = [shown(page, 1)]
    page.screenshot(path=str(shots / "mark-ex5_2-first.png"), full_page=True)
    page.keyboard.press("a")  # rubric item: full marks and its comment
    saved(page)
    page.keyboard.press("j")
    keys.append(shown(page, 2))
    page.keyboard.press("s")  # rubric item, then a comment of the grader's own
    saved(page)
    page.keyboard.press("c")
    page.keyboard.press("End")
    page.keyboard.type(" 另:第三行的下标写错了。")
    page.keyboard.press("Escape")
    saved(page)
    page.keyboard.press("j")
    keys.append(shown(page, 3))
    page.keyboard.press("6")  # number key: points
    saved(page)
    page.keyboard.press("c")
    page.keyboard.type("证明不完整 / the proof stops halfway")
    page.keyboard.press("Escape")
    saved(page)
    assert page.inner_text("#progress") == f"3 / {len(app.session.results)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # fits the window
    page.screenshot(path=str(shots / "mark-ex5_2-third.png"), full_page=True)

    a, s = RUBRIC["a"], RUBRIC["s"]
    expected = {keys[0]: (a.points, a.comment),
                keys[1]: (s.points, s.comment + " 另:第三行的下标写错了。"),
                keys[2]: (6.0, "证明不完整 / the proof stops halfway")}
    page.reload()
    assert shown(page, 3) == keys[2]  # the reload stays on the answer
    for n in (3, 2, 1):
        key = shown(page, n)
        assert (float(page.input_value("#points")), page.input_value("#comment")) == expected[key]
        page.keyboard.press("k")
    page.check("#ungraded")  # ungraded only: the three are skipped
    page.keyboard.press("j")
    assert current(page) not in keys
    page.keyboard.press("r")
    sync_api.expect(page.locator("#student")).to_have_text(app.session.student(current(page)))
    assert errors == []

    sheet = manual.read(out / "manual.csv", CHAPTER)
    got = {app.session._key(st): (m.points, m.comment) for st, ms in sheet.marks.items()
           for m in ms if (m.exercise_id, m.part) == ("ex5_2", "proof")}
    assert got == expected

    app.shutdown()
    assert main(["report", str(out)]) == 0
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as fh:
        written = {r["student"]: r["written"] for r in csv.DictReader(fh)}
    for key, (points, comment) in expected.items():
        student = app.session.student(key)
        assert float(written[student]) == points
        feedback = (out / student / "feedback.md").read_text(encoding="utf-8")
        assert comment in feedback
        page.goto((out / student / "feedback.html").as_uri())
        assert comment in page.inner_text("main")
    with capsys.disabled():
        print(f"\nscreenshots of the marking page: {shots}")


def test_a_request_without_the_token_is_refused_in_the_browser(app, browser, shots):
    page, errors = browser
    base = app.url.split("?")[0]
    for url in (base, base + "part/ex5_2-proof", base + "?token=nope"):
        response = page.goto(url)
        assert response.status == 403
        assert "token" in page.inner_text("body")
    page.screenshot(path=str(shots / "mark-refused.png"))
    errors.clear()  # Chromium logs the 403 itself


def test_a_hostile_answer_runs_nothing_and_fetches_nothing(app, browser, shots):
    page, errors = browser
    key = next(k for k in app.session.order if app.session.student(k) == "ivy")
    page.goto(app.url.replace("/?", "/part/ex5_2-proof?") + f"#{key}")
    sync_api.expect(page.locator("#answer")).to_have_attribute("data-key", key)
    assert page.evaluate("typeof window.pwned") == "undefined"
    answer = page.locator("#answer")
    assert "window.pwned = 1" in answer.inner_text()  # shown as text
    assert answer.locator("img, script, iframe").count() == 0
    assert answer.locator("a[href^='javascript']").count() == 0
    page.screenshot(path=str(shots / "mark-hostile.png"), full_page=True)
    assert errors == []
