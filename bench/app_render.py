"""The app's first Results render in headless Chromium (issue 7 target: within 3 s of opening).

Each round starts the app as ``./scripts/app`` does (a fresh server, which runs the opening
page before it listens), opens a fresh browser on it and times, from the request for the
address: the app's shell drawn, the first metric visible, the first chart drawn (both read
in the page, frame by frame), and "shown": when Playwright sees the 99.9% loss-quantile
metric and a chart, as the browser test measures it; then "shown" again for a return visit
(a new tab of the same browser: a new session, the app's scripts in the browser's cache).
Rounds wait until the one-minute load average is below --quiet, since Chromium and the
server share the machine's cores.
Prints a table: round, load, the five times; then min / median / max of "shown".

Needs Debian's ``chromium`` and Playwright for Python (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright import sync_api

# The app's package ``ui`` is not installed (only the library is): it sits beside bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui.serve import serving  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Records, in the page's own clock (ms since navigation), when each part first shows.
MARKS = """
window.__marks = {};
const seen = (name, el) => {
  if (el && !(name in window.__marks) && el.getBoundingClientRect().height > 0) {
    window.__marks[name] = performance.now();
  }
};
const poll = () => {
  seen('shell', document.querySelector('[data-testid="stApp"]'));
  seen('metric', document.querySelector('[data-testid="stMetric"]'));
  seen('chart', document.querySelector(
    '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'));
  if (Object.keys(window.__marks).length < 3) requestAnimationFrame(poll);
};
requestAnimationFrame(poll);
"""


def wait_for_quiet(threshold: float, limit_s: float = 120) -> float:
    deadline = time.monotonic() + limit_s
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(2)
    return os.getloadavg()[0]


def visit(context: sync_api.BrowserContext, url: str) -> dict[str, float]:
    """Open ``url`` in a new tab (a new app session) and time its first Results render."""
    page = context.new_page()
    page.add_init_script(MARKS)
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMetric"]').filter(
        has_text="Pool loss rate, 99.9% quantile").wait_for(timeout=60_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
    shown = time.perf_counter() - started
    page.wait_for_function("Object.keys(window.__marks).length == 3", timeout=60_000)
    marks = page.evaluate("window.__marks")
    page.close()
    return {**{name: value / 1000 for name, value in marks.items()}, "shown": shown}


def one_round(p: sync_api.Playwright, url: str) -> tuple[dict[str, float], dict[str, float]]:
    """A fresh browser's first visit (nothing cached), then a return visit in the same
    browser (its HTTP cache holds the app's scripts)."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        return visit(context, url), visit(context, url)
    finally:
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quiet", type=float, default=0.5,
                        help="wait for a one-minute load average below this")
    args = parser.parse_args()

    print(f"{'round':>5} {'load':>5} {'shell s':>8} {'metric s':>9} {'chart s':>8} "
          f"{'shown s':>8} {'return visit s':>15}")
    shown, returned = [], []
    with tempfile.TemporaryDirectory() as folder, sync_api.sync_playwright() as p:
        for round_ in range(1, args.rounds + 1):
            with serving(Path(folder) / f"server{round_}.log") as url:
                load = wait_for_quiet(args.quiet)
                first, again = one_round(p, url)
            shown.append(first["shown"])
            returned.append(again["shown"])
            print(f"{round_:>5} {load:>5.2f} {first['shell']:>8.2f} {first['metric']:>9.2f} "
                  f"{first['chart']:>8.2f} {first['shown']:>8.2f} {again['shown']:>15.2f}")
    for name, times in (("first visit", shown), ("return visit", returned)):
        print(f"{name}: min {min(times):.2f} s, median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s over {len(times)} rounds on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
