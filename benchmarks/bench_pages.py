"""Time opening the report and the marking page for a class of 200 in Chromium.

    .venv/bin/python benchmarks/bench_pages.py [--students 200] [--distinct] [--runs 3]

Makes the class as ``bench_report`` does (the graded examples copied under new names,
graders' points for every other student), writes the report, then opens in Debian's
Chromium (headless, through Playwright, a 1,280 px window): ``report.html`` and the largest
written page (``file://``), and the marking app's page of 5-2's proof (``nndl-grade mark``'s
server on 127.0.0.1) until its first answer is on screen, then the step to the next answer
(``j``). Each figure is the median of ``--runs`` cold loads (a fresh page each time), from
navigation to the load event (to the answer shown, for the marking page). Target: under 2 s
each. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from autograder.course import load_chapter  # noqa: E402
from autograder.mark.app import serve  # noqa: E402
from autograder.report import write_report  # noqa: E402
from bench_report import fill_points, make_class, size  # noqa: E402  (beside this file)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _median(runs: int, once) -> float:
    return statistics.median(once() for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--distinct", action="store_true",
                        help="give every student's files a line of their own")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chapter = load_chapter("ch5")
    work = Path(tempfile.mkdtemp(prefix="nndl-bench-pages-"))
    try:
        out = make_class(work, args.students, args.distinct)
        fill_points(out, chapter)
        start = time.perf_counter()
        write_report(out, chapter)
        print(f"report for {args.students} students written in {time.perf_counter() - start:.1f} s;"
              f" report.html {size(out / 'report.html') / 1e6:.2f} MB")
        written = max((out / "written").glob("*.html"), key=lambda p: p.stat().st_size)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

            events: list[float] = []

            def load(url: str) -> float:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(url, wait_until="load")
                took = time.perf_counter() - start
                events.append(page.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
                page.close()
                return took

            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            report = _median(args.runs, lambda: load((out / "report.html").as_uri()))
            print(f"report.html ({len(events) and size(out / 'report.html') / 1e6:.2f} MB) "
                  f"opens in {report:.2f} s (Chromium's load event at "
                  f"{statistics.median(events):.2f} s)")
            events.clear()
            page_s = _median(args.runs, lambda: load(written.as_uri()))
            print(f"written/{written.name} ({size(written) / 1e6:.1f} MB, every student's "
                  f"answer) opens in {page_s:.2f} s (load event at "
                  f"{statistics.median(events):.2f} s)")
            server = serve(out, chapter)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                url = server.url.replace("/?", "/part/ex5_2-proof?")
                steps = []

                def mark_page() -> float:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    start = time.perf_counter()
                    page.goto(url, wait_until="load")
                    page.locator("#answer[data-key]").wait_for()
                    took = time.perf_counter() - start
                    key = page.locator("body").get_attribute("data-key")
                    start = time.perf_counter()
                    page.keyboard.press("j")
                    page.locator(f"#answer[data-key]:not([data-key='{key}'])").wait_for()
                    steps.append(time.perf_counter() - start)
                    page.close()
                    return took

                marking = _median(args.runs, mark_page)
                print(f"marking page of ex5_2 proof ({args.students} answers) shows its first "
                      f"answer in {marking:.2f} s; the next answer (j) in "
                      f"{statistics.median(steps) * 1000:.0f} ms")
            finally:
                server.shutdown()
                server.server_close()
                server.session.close()
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
