"""The report and the written pages as an instructor sees them: Debian's Chromium, headless,
driven by Playwright, every request intercepted. No console error, nothing leaves
``file://``, the numbers on the page are grades.csv's, every student is there, formulas are
MathML that takes up space on the screen. Screenshots go to a folder printed at the end."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest

from tests.support import CHAPTER

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium; "
                f".ci/run installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python API is missing")


class Browser:
    """One Chromium with a fresh profile; every request is recorded and only file:// served."""

    def __init__(self, profile: Path, shots: Path) -> None:
        self._pw = sync_api.sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        self.shots = shots
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    def open(self, path: Path, shot: str, fragment: str = ""):
        self.page.goto(path.as_uri() + fragment)
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=str(self.shots / shot), full_page=True)
        return self.page

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("file://")]

    def close(self) -> None:
        self.context.close()
        self._pw.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(tmp_path_factory, shots):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"), shots)
    yield b
    b.close()


@pytest.fixture(autouse=True)
def clean(browser):
    browser.requests.clear()
    browser.errors.clear()
    yield
    assert browser.errors == [], browser.errors
    assert browser.outside() == [], browser.outside()


def grades(out: Path) -> list[dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_the_report_shows_grades_csv_for_every_student(graded_class, browser):
    page = browser.open(graded_class.out / "report.html", "report.png")
    rows = grades(graded_class.out)
    shown = page.eval_on_selector_all(
        "#students-table tr[data-student]",
        "rows => rows.map(r => [r.dataset.student, Object.fromEntries("
        "[...r.querySelectorAll('td[data-col]')].map(td => [td.dataset.col, td.innerText.trim()]))])")
    assert [s for s, _ in shown] == [r["student"] for r in rows]
    summary = [k for k in rows[0] if " · " not in k and k != "student"]  # not per check
    columns = [k for k in summary if any(r[k] for r in rows)]  # those someone has a value in
    assert {"status", "total", "final"} <= set(columns)
    for (student, cells), row in zip(shown, rows):
        assert cells == {k: row[k] for k in columns}, student
    assert page.inner_text("#student-count") == str(len(rows))
    for ex in [e.id for e in CHAPTER.exercises] + ["total", "final"]:
        scores = [float(r[ex]) for r in rows]
        mean = page.inner_text(f'#exercise-figures tr[data-exercise="{ex}"] td[data-stat="mean"]')
        median = page.inner_text(f'#exercise-figures tr[data-exercise="{ex}"] td[data-stat="median"]')
        assert mean == f"{statistics.fmean(scores):.1f}", ex
        assert float(median) == statistics.median(scores), ex
        box = page.locator(f'figure[data-chart="{ex}"] svg').bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, ex
    assert page.locator("tr[data-check] .hidden-check").count() > 0
    assert browser.requests and all(u.startswith("file://") for u in browser.requests)


def test_a_student_link_opens_their_feedback_page(graded_class, browser):
    page = browser.open(graded_class.out / "report.html", "report-top.png")
    page.click('#students-table tr[data-student="frank"] a')
    page.wait_for_load_state("load")
    assert page.url.endswith("/frank/feedback.html")
    text = page.inner_text("main")
    assert "Feedback for frank" in text and "untouched: the handout's answer sheet" in text
    page.screenshot(path=str(browser.shots / "feedback-frank.png"), full_page=True)


def test_the_written_pages_render_the_proofs_math(graded_class, browser, shots, capsys):
    page = browser.open(graded_class.out / "written" / "ex5_2-proof.html", "written-ex5_2.png")
    alice = page.locator('section[data-student="alice"]')
    formulas = alice.locator("math")
    assert formulas.count() > 10
    # a displayed formula of the proof (a_ij as a double sum), drawn with a size
    display = alice.locator('math[display="block"]', has_text="∑").first
    box = display.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 20
    # (5.13) itself in the reference answer: rot180(W) ⊗̃ X = rot180(X) ⊗̃ W
    statement = page.locator('details.reference math[display="block"]', has_text="⊗").first
    box = statement.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 10
    assert page.locator('details.reference math').count() > 10
    states = page.eval_on_selector_all("section.student",
                                       "s => Object.fromEntries(s.map(x => [x.dataset.student, x.dataset.state]))")
    assert states["bob"] == "untouched" and states["frank"] == "untouched"
    assert page.locator('section[data-student="bob"] .answer').count() == 0
    for path in sorted((graded_class.out / "written").glob("*.html")):
        p = browser.open(path, f"written-{path.stem}.png")
        assert p.locator("section.student").count() == len(grades(graded_class.out))
    with capsys.disabled():
        print(f"\nscreenshots of the report and the written pages: {shots}")


def test_a_hostile_answer_runs_nothing_and_fetches_nothing(graded_class, browser):
    page = browser.open(graded_class.out / "written" / "ex5_2-proof.html",
                        "written-hostile.png", "#s-mallory")
    assert page.evaluate("typeof window.pwned") == "undefined"
    mallory = page.locator('section[data-student="mallory"] .answer')
    assert "window.pwned = 1" in mallory.inner_text()  # shown as text
    assert mallory.locator("img, script, iframe").count() == 0


def test_a_side_by_side_view_marks_the_shared_code(graded_class, browser):
    with open(graded_class.out / "similarity.csv", newline="", encoding="utf-8-sig") as fh:
        view = next(r["view"] for r in csv.DictReader(fh) if r["view"])
    page = browser.open(graded_class.out / view, "side-by-side.png")
    assert page.locator(".side mark").count() > 0
    fits(page)


CJK_FONTS = ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans",
             "WenQuanYi")


def fits(page) -> None:
    """Nothing on the page is wider than the window: no horizontal scroll, no table past it."""
    page.add_style_tag(content=".student { content-visibility: visible !important; }")  # all laid out
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    rights = page.eval_on_selector_all("table, pre, figure, .answer",
                                       "xs => xs.map(x => x.getBoundingClientRect().right)")
    assert max(rights, default=0) <= width, max(rights)


def test_the_report_fits_1280_px_and_puts_what_to_act_on_first(graded_class, browser):
    page = browser.open(graded_class.out / "report.html", "report-1280.png")
    assert page.viewport_size["width"] == 1280
    fits(page)
    tops = {s: page.locator(f"section#{s}").bounding_box()["y"]
            for s in ("attention", "incidents", "written", "glance", "checks", "students")}
    assert tops["attention"] < tops["incidents"] < tops["written"] < tops["glance"] \
        < tops["checks"] < tops["students"]
    flagged = page.eval_on_selector_all("tr[data-attention]", "rs => rs.map(r => r.dataset.attention)")
    assert {"frank", "alice", "alice_copy"} <= set(flagged)  # untouched sheets; a copy
    # checks per exercise, collapsed; a real failure links to the students who had it
    groups = page.locator("details.exercise-checks")
    assert groups.count() == len(CHAPTER.exercises)
    assert page.eval_on_selector_all("details.exercise-checks", "ds => ds.every(d => !d.open)")
    assert not page.locator("#checks table").first.is_visible()
    page.locator("details.exercise-checks > summary").first.click()
    assert page.locator("#checks table").first.is_visible()
    links = page.eval_on_selector_all("tr[data-check] details.who a", "as => as.map(a => a.getAttribute('href'))")
    assert links and all(h.endswith("/feedback.html") for h in links)
    messages = page.eval_on_selector_all("tr[data-check] td code", "cs => cs.map(c => c.innerText)")
    assert not [m for m in messages if "was not found" in m or "fill in this TODO block" in m]
    page.screenshot(path=str(browser.shots / "report-checks-open.png"), full_page=True)


def column(page, name):
    return page.eval_on_selector_all(
        f'#students-table tbody tr:not([hidden]) td[data-col="{name}"]', "ts => ts.map(t => t.innerText)")


def test_the_report_tables_sort_and_filter(graded_class, browser):
    page = browser.open(graded_class.out / "report.html", "report-sorted.png")
    header = page.locator("#students-table thead th", has_text="total").first
    header.click()
    totals = [float(x) for x in column(page, "total")]
    assert totals == sorted(totals) and len(totals) == len(grades(graded_class.out))
    header.click()
    assert [float(x) for x in column(page, "total")] == sorted(totals, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    box = page.locator('input[data-filter-for="students-table"]')
    box.fill("frank")
    shown = page.eval_on_selector_all("#students-table tbody tr:not([hidden])",
                                      "rs => rs.map(r => r.dataset.student)")
    assert shown == ["frank"]
    box.fill("")
    assert page.locator("#students-table tbody tr:not([hidden])").count() == len(totals)
    page.screenshot(path=str(browser.shots / "report-filtered.png"), full_page=True)


def test_without_script_the_tables_are_all_there(graded_class, tmp_path):
    html = (graded_class.out / "report.html").read_text(encoding="utf-8")
    assert html.count("<tr data-student=") == len(grades(graded_class.out))
    assert "filter rows" not in html.split("<script>")[0]  # the filter boxes come from the script


def test_chinese_renders_with_a_cjk_font_on_every_page(graded_class, browser):
    pages = [graded_class.out / "report.html", graded_class.out / "written" / "ex5_2-proof.html",
             graded_class.out / "alice" / "feedback.html"]
    cdp = browser.context.new_cdp_session(browser.page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    for path in pages:
        page = browser.open(path, f"cjk-{path.parent.name}-{path.stem}.png")
        stack = page.evaluate("getComputedStyle(document.body).fontFamily")
        for font in CJK_FONTS:
            assert font in stack, (path, font)
        fits(page)
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1, main h2"})["nodeId"]
        used = [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode",
                                                  {"nodeId": node})["fonts"]]
        assert any(c.split()[0] in u for u in used for c in CJK_FONTS), (path, used)


def test_a_feedback_page_opens_with_a_summary_per_exercise(graded_class, browser):
    page = browser.open(graded_class.out / "frank" / "feedback.html", "feedback-summary.png")
    rows = page.eval_on_selector_all("#summary tbody tr",
                                     "rs => rs.map(r => [r.dataset.exercise, r.dataset.state])")
    assert [e for e, _ in rows] == [ex.id for ex in CHAPTER.exercises]
    states = dict(rows)
    assert states["ex5_numpy_cnn"] in ("passed", "failed") and states["ex5_2"] == "missing"
    top = page.locator("#summary").bounding_box()["y"]
    assert top < page.locator("main h1").bounding_box()["y"]
    ok = page.locator("li.case-passed strong").first
    bad = page.locator("li.case-failed strong").first
    assert ok.evaluate("e => getComputedStyle(e).color") != bad.evaluate("e => getComputedStyle(e).color")
