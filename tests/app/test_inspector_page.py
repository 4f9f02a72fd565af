"""Cash flows page, issue 16 items 6 and 8: a default schedule uploaded runs the scenario
with it (the numbers of the library's own run), a bad one shows every finding by row and
runs without it; the waterfall inspector shows the chosen month's steps as the library
lays them out, in English and Chinese, with CSV and XLSX downloads, for the page's
scenario or for the deal's Monte Carlo path at a pool loss quantile; a deal accruing
between business-day dates shows its dates and accrual days, and warns of the years whose
official calendar is not known."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from abs_tool import Scenario, load_deal_pool, load_sample_deal, prepare_deal, run_scenario
from abs_tool.analysis.inspector import inspect_waterfall, monte_carlo_path
from abs_tool.io.dealfile import deal_json
from abs_tool.io.default_schedule import DefaultSchedule
from abs_tool.model.dates import BusinessDayConvention
from abs_tool.report.tables import cashflow_tables
from ui import format as fmt, labels, state

CASHFLOWS_PAGE = "ui/pages/cashflows.py"


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def steps_shown(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "funds_after" in d.value.columns)


def consumer():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    return deal, pool, prepare_deal(deal, pool)


def test_the_inspector_shows_the_months_steps(app) -> None:
    at = app(CASHFLOWS_PAGE)
    no_problem(at)
    assert labels.LABELS["insp.title"][0] in [s.value for s in at.subheader]
    at.selectbox(key="cf_inspect_month").set_value(3).run()
    no_problem(at)
    deal, _, prepared = consumer()
    direct = inspect_waterfall(run_scenario(prepared).result, deal, 3).steps
    shown = steps_shown(at)
    np.testing.assert_allclose(shown["paid"].astype(float), direct["paid"], rtol=1e-12)
    np.testing.assert_allclose(shown["funds_after"].astype(float), direct["funds_after"],
                               rtol=1e-12, atol=1e-9)
    assert len(at.get("download_button")) >= 2


def test_an_uploaded_schedule_runs_with_the_scenario(app) -> None:
    deal, pool, prepared = consumer()
    ids = pool.loans.loc[pool.loans["remaining_term"] >= 3, "loan_id"].tolist()[:2]
    text = f"loan_id,default_month,recovery_rate\n{ids[0]},2,0.1\n{ids[1]},3,\n"
    at = app(CASHFLOWS_PAGE)
    at.file_uploader(key="cf_schedule_upload").set_value(
        ("schedule.csv", text.encode(), "text/csv")).run()
    no_problem(at)
    schedule = DefaultSchedule((ids[0], ids[1]), (2, 3), (0.1, None), "schedule.csv", (2, 3))
    direct = run_scenario(prepared, Scenario(default_schedule=schedule))
    at.selectbox(key="cf_inspect_month").set_value(2).run()
    expected = inspect_waterfall(direct.result, deal, 2).steps
    np.testing.assert_allclose(steps_shown(at)["paid"].astype(float), expected["paid"],
                               rtol=1e-12)
    assert any("2 loans default as scheduled" in c.value for c in at.caption)


def test_a_bad_schedule_lists_its_findings_and_is_not_used(app) -> None:
    at = app(CASHFLOWS_PAGE)
    at.file_uploader(key="cf_schedule_upload").set_value(
        ("bad.csv", b"loan_id,default_month\nNOPE,2\n", "text/csv")).run()
    no_problem(at)
    assert any("bad.csv was not used: 1 error(s)" in e.value for e in at.error)
    issues = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert issues["row"].tolist() == [2]
    assert issues["column"].tolist() == ["loan_id"]


def test_the_inspector_in_chinese(app) -> None:
    at = app(CASHFLOWS_PAGE, lang="zh")
    no_problem(at)
    assert labels.LABELS["insp.title"][1] in [s.value for s in at.subheader]
    parts = set(steps_shown(at)["part"])
    assert {"资产池回收款", "利息", "循环购买"} <= parts  # month 1 is in the revolving period


def test_a_monte_carlo_path_by_its_pool_loss_quantile(app) -> None:
    at = app(CASHFLOWS_PAGE)
    at.radio(key="cf_inspect_source").set_value("quantile").run()
    at.number_input(key="cf_inspect_quantile").set_value(99.9).run()
    at.selectbox(key="cf_inspect_month").set_value(7).run()
    no_problem(at)
    # The deal the page ran (the app's run settings), its path picked by the library.
    deal = at.session_state[state.DEAL]
    _, pool, _ = consumer()
    direct = monte_carlo_path(prepare_deal(deal, pool), 99.9 / 100)
    assert direct.paths == deal.run.paths
    picked = [c.value for c in at.caption if c.value.startswith("Path no.")]
    assert picked == [
        f"Path no. {fmt.count(direct.index)} (of paths 0 to {fmt.count(direct.paths - 1)}) "
        f"at the 99.90% quantile: lifetime pool loss {fmt.money(direct.pool_loss, 'en')}, "
        f"{fmt.percent(direct.pool_loss / pool.balance)} of the pool."]
    expected = inspect_waterfall(direct.result, deal, 7).steps
    shown = steps_shown(at)
    assert shown["step"].tolist() == expected["step"].tolist()
    for name in ("received", "due", "paid", "shortfall", "funds_after"):
        np.testing.assert_allclose(shown[name].astype(float), expected[name], rtol=1e-12,
                                   atol=1e-9)
    # Another path than the base scenario's month 7 (a tail path loses more).
    base = inspect_waterfall(run_scenario(prepare_deal(deal, pool)).result, deal, 7).steps
    assert not np.allclose(base["paid"], expected["paid"])


def dated_deal(start_year: int):
    """The consumer sample moved to ``start_year`` (its horizon kept), dates paid moved to
    the following business day."""
    deal = load_sample_deal("consumer")
    dates = deal.dates
    years = start_year - dates.cutoff.year
    moved = {name: getattr(dates, name).replace(year=getattr(dates, name).year + years)
             for name in ("cutoff", "closing", "first_payment", "legal_final")}
    return replace(deal, dates=replace(dates, **moved,
                                       business_day_convention=BusinessDayConvention.FOLLOWING))


def upload(at: AppTest, deal) -> None:
    at.file_uploader(key="deal_upload").set_value(
        ("dated.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    at.switch_page(CASHFLOWS_PAGE).run()
    no_problem(at)


def pool_shown(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "accrual_days" in d.value.columns)


def test_dates_in_uncovered_years_warn_of_the_provisional_calendar(app) -> None:
    deal = dated_deal(2098)  # cut-off 2098-10-01: dates paid 2099-01 to 2101-10
    at = app(CASHFLOWS_PAGE)
    upload(at, deal)
    assert [w.value for w in at.warning] == [
        "The official holiday calendar of 2099, 2100, 2101 is not published yet: only "
        "weekends were taken as holidays, so dates paid in those years may still move."]
    assert any(c.value.startswith("Dates paid: following business day;") for c in at.caption)
    pool, _ = load_deal_pool(deal, None)
    tables = cashflow_tables(run_scenario(prepare_deal(deal, pool)).result, deal)
    assert tables.provisional_years == (2099, 2100, 2101)
    shown = pool_shown(at)
    assert shown["accrual_days"].tolist() == tables.pool["accrual_days"].tolist()
    assert [pd.Timestamp(d).date() for d in shown["date"]] == list(tables.pool["date"])
    # 2099-01-26 is a Monday; 2099-02-26 a Thursday: neither moves; the first period runs
    # from the closing date, 2098-10-28, to 2099-01-26: 90 days.
    assert tables.pool["date"].iloc[0] == dt.date(2099, 1, 26)
    assert shown["accrual_days"].iloc[0] == 90


def test_dates_in_covered_years_do_not_warn(app) -> None:
    at = app(CASHFLOWS_PAGE, lang="zh")
    upload(at, dated_deal(2016))
    assert not at.warning
    assert any(c.value.startswith("兑付日:顺延至下一工作日") for c in at.caption)
    assert len(pool_shown(at)) == 36
