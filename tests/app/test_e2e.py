"""End to end in a real browser: Debian's Chromium driven by Playwright (no browser download).

One walk through the app as a structurer would do it: open it (the consumer deal's results
are shown), change the correlation, upload a loan tape, resize the senior and subordinated
classes in the table editor, see the results, size the classes to their targets, download
the deal file, the results and the Excel term sheet (opened with openpyxl), with a
screenshot of every page. Prints the two
timings the issue asks for: the first Results render after opening, and the re-render after
a changed correlation.

Skipped when /usr/bin/chromium is missing, unless ABS_REQUIRE_E2E=1 (CI), where that fails.
``ABS_UPDATE_SCREENSHOTS=1`` also writes the Results screenshot to docs/screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from abs_tool import sample_pool, write_tape
from ui.serve import serving

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Enough loans that the sample deal's fixed upfront fees leave proceeds to the issuer.
TAPE_LOANS = 2_000
# Targets from the issue, on the consumer sample at the app's default path count, timed
# from opening the address until the Results page's figures and first chart show.
FIRST_RESULTS_S = 3.0
CORRELATION_RERUN_S = 1.5
WAIT_MS = 60_000

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("ABS_REQUIRE_E2E") == "1":
        pytest.fail(f"{CHROMIUM} is missing and ABS_REQUIRE_E2E=1", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (set ABS_REQUIRE_E2E=1 to fail instead)",
                allow_module_level=True)

from playwright import sync_api as playwright_api  # noqa: E402  (after the browser check)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app as scripts/app starts it, on a free loopback port; its log in the test's
    folder."""
    with serving(tmp_path / "streamlit.log") as url:
        yield url


def settle(page) -> None:
    """Wait until the app has finished its run (the status widget disappears)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=WAIT_MS)


def go(page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=WAIT_MS)
    settle(page)


def shoot(page, folder: Path, name: str) -> Path:
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    page.set_viewport_size({"width": 1400, "height": 2400})
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    return path


def results_shown(page) -> str:
    """Wait for the Results page's figures; the text of one that depends on correlation."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has_text="Pool loss rate, 99.9% quantile")
    metric.wait_for(timeout=WAIT_MS)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=WAIT_MS)
    return metric.inner_text()


def edit_cell(page, editor, row: int, column: int, text: str) -> None:
    """Type into cell (row, column) of a data editor with added rows: select the row's first
    cell (past the 32 px row-marker column; the header and rows are 35 px), move by arrow
    keys, open the cell editor with Enter. (A double-click did not open it reliably.)"""
    box = editor.bounding_box()
    page.mouse.click(box["x"] + 70, box["y"] + 35 + 17 + 35 * row)
    page.wait_for_timeout(500)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    cell = page.locator("input.gdg-input, textarea.gdg-input")
    cell.wait_for()
    cell.fill(text)
    cell.press("Enter")
    settle(page)


def test_walk_through_the_app(server: str, tmp_path: Path, record_property) -> None:
    tape = tmp_path / "tape.csv"
    write_tape(sample_pool("consumer", n_loans=TAPE_LOANS, seed=7), tape)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)

        # Opening: the consumer deal's results, already run.
        started = time.perf_counter()
        page.goto(server, wait_until="domcontentloaded")
        before = results_shown(page)
        first_render = time.perf_counter() - started
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0

        # A changed correlation: only the simulation reruns.
        go(page, "Assumptions")
        correlation = page.get_by_role("spinbutton", name="Asset correlation")
        correlation.fill("0.2")
        correlation.press("Enter")
        settle(page)
        shoot(page, shots, "assumptions")
        started = time.perf_counter()
        page.get_by_role("link", name="Results", exact=True).click()
        after = results_shown(page)
        rerender = time.perf_counter() - started
        assert after != before, "the 99.9% loss quantile did not move with the correlation"
        settle(page)
        # The cash-flow panel is drawn when opened.
        page.get_by_text("Cash flows by class: expected and stressed").click()
        page.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for(timeout=WAIT_MS)
        settle(page)
        results_png = shoot(page, shots, "results")
        # Printed and recorded, not asserted: on a shared machine the browser's own speed
        # varies several-fold with the load (docs: see the README's app section).
        print(f"\nfirst Results render {first_render:.2f} s (target {FIRST_RESULTS_S} s); "
              f"correlation change re-render {rerender:.2f} s (target {CORRELATION_RERUN_S} s); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        record_property("first_results_render_s", round(first_render, 2))
        record_property("correlation_rerender_s", round(rerender, 2))

        # The pool: an uploaded tape.
        go(page, "Pool")
        page.get_by_text("Upload tape", exact=True).click()
        settle(page)
        page.locator('[data-testid="stMain"] [data-testid="stFileUploader"] '
                     'input[type="file"]').set_input_files(str(tape))
        page.get_by_text(f"tape.csv: {TAPE_LOANS:,} loans loaded.").wait_for(timeout=WAIT_MS)
        settle(page)
        shoot(page, shots, "pool")

        # The structure: senior 75% -> 70%, subordinated 12% -> 17%.
        go(page, "Structure")
        classes = page.locator('[data-testid="stDataFrame"]').first
        edit_cell(page, classes, 0, 2, "0.70")
        # The shares no longer add up: the message shows below the table until fixed.
        refused = page.get_by_text("class shares add up to 0.95")
        refused.wait_for(timeout=WAIT_MS)
        edit_cell(page, classes, 2, 2, "0.17")
        refused.wait_for(state="detached", timeout=WAIT_MS)
        alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
        assert alerts == [], alerts
        shoot(page, shots, "structure")

        go(page, "Results")
        results_shown(page)

        # Sizing the classes to their targets; the term sheet then carries it.
        go(page, "Structuring")
        page.get_by_role("button", name="Size the classes").click()
        page.get_by_text("Sizes and coupons converged").wait_for(timeout=WAIT_MS)
        settle(page)
        shoot(page, shots, "structuring")

        go(page, "Cash flows")
        shoot(page, shots, "cashflows")

        go(page, "Export")
        downloads = {}
        for name, label in (("deal.json", "Download deal file (.json)"),
                            ("results.json", "Download results (.json)"),
                            ("term_sheet.xlsx", "Download term sheet (.xlsx)")):
            with page.expect_download() as download:
                page.get_by_role("button", name=label).click()
            downloads[name] = tmp_path / name
            download.value.save_as(downloads[name])
        shoot(page, shots, "export")
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()

    deal = json.loads(downloads["deal.json"].read_text(encoding="utf-8"))
    assert [c["size"] for c in deal["structure"]["classes"]] == [0.70, 0.13, 0.17]
    assert deal["assumptions"]["correlation"] == 0.2
    assert deal["pool"]["embedded_csv"].count("\n") == TAPE_LOANS + 1  # header + loans
    results = json.loads(downloads["results.json"].read_text(encoding="utf-8"))
    assert [c["balance"] for c in results["classes"]][0] > 0
    workbook = openpyxl.load_workbook(downloads["term_sheet.xlsx"])

    def figure(name: str) -> object:
        sheet, cell = next(iter(workbook.defined_names[name].destinations))
        return workbook[sheet][cell.replace("$", "")].value

    assert figure("SeniorShare") == pytest.approx(0.70)
    assert figure("LoanCount") == TAPE_LOANS
    sizing = [row for row in workbook["Structuring"].iter_rows(values_only=True)
              if row[0] == "Sizing"]
    assert sizing, "the Structuring sheet holds the page's sizing"
    assert sorted(p.name for p in shots.iterdir()) == [
        f"{name}.png" for name in sorted(
            ("assumptions", "results", "pool", "structure", "structuring", "cashflows",
             "export"))]
    if os.environ.get("ABS_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(results_png, ROOT / "docs" / "screenshots" / "results.png")
