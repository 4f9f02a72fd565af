"""Cash flows page, issue 16 items 6 and 8: a default schedule uploaded runs the scenario
with it (the numbers of the library's own run), a bad one shows every finding by row and
runs without it; the waterfall inspector shows the chosen month's steps as the library
lays them out, in English and Chinese, with CSV and XLSX downloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from abs_tool import Scenario, load_deal_pool, load_sample_deal, prepare_deal, run_scenario
from abs_tool.analysis.inspector import inspect_waterfall
from abs_tool.io.default_schedule import DefaultSchedule
from ui import labels

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
