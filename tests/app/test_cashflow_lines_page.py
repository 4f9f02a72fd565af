"""Cash flows page, the period tables of the waterfall options (issue 16): with a deal that
has a liquidity reserve, a servicer advance, a floating senior class with a target balance
and a mezzanine class stepping up, the page shows the liquidity reserve's and the servicer
advance's tabs and the new columns, their numbers those of the library's period tables (in
万元 in Chinese), their headers the glossary's, and no English word in Chinese; the sample
deal shows neither tab."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from chinese_words import WORD, deal_words
from streamlit.testing.v1 import AppTest
from test_cashflow_tables_options import featured_consumer
from test_chinese_walk import app_texts, offenders

from abs_tool import load_deal_pool, prepare_deal, run_scenario
from abs_tool.io.dealfile import deal_json
from abs_tool.report.format import money_unit_label, money_value
from abs_tool.report.tables import ADVANCE_LINES, LIQUIDITY_LINES, cashflow_tables
from ui import labels, state

CASHFLOWS_PAGE = "ui/pages/cashflows.py"


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def shown_with(at: AppTest, column: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The period table showing ``column``, and its headers as shown (column -> label)."""
    node = next(d for d in at.dataframe if column in d.value.columns)
    config = json.loads(node.proto.columns or "{}")
    return node.value, {name: config.get(name, {}).get("label") for name in node.value.columns}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_period_tables_show_the_options_lines(app, lang: str) -> None:
    deal = featured_consumer()
    at = app(CASHFLOWS_PAGE, lang=lang)
    at.file_uploader(key="deal_upload").set_value(
        ("deal.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    at.switch_page(CASHFLOWS_PAGE).run()
    no_problem(at)
    k = 0 if lang == "en" else 1
    titles = [tab.label for tab in at.tabs]
    assert labels.LABELS["cf.tab_liquidity"][k] in titles
    assert labels.LABELS["cf.tab_advance"][k] in titles
    ran = at.session_state[state.DEAL]
    pool, _ = load_deal_pool(ran, None)
    tables = cashflow_tables(run_scenario(prepare_deal(ran, pool)).result, ran)

    def amounts(values: pd.Series) -> np.ndarray:
        return np.array([money_value(float(v), lang) for v in values])

    def header(line: str, money: bool = True) -> str:
        """The glossary's term, an amount's with its unit in Chinese (万元)."""
        term = labels.LABELS[f"cfc.{line}"][k]
        return f"{term}({money_unit_label(lang)})" if money and lang == "zh" else term

    for lines, table in ((LIQUIDITY_LINES, tables.liquidity), (ADVANCE_LINES, tables.advance)):
        shown, headers = shown_with(at, lines[0])
        for line in lines:
            np.testing.assert_allclose(shown[line].astype(float), amounts(table[line]),
                                       rtol=1e-12, err_msg=line)
            assert headers[line] == header(line)
    pool_shown, headers = shown_with(at, "principal_due")
    np.testing.assert_allclose(pool_shown["principal_due"].astype(float),
                               amounts(tables.pool["principal_due"]), rtol=1e-12)
    assert headers["principal_due"] == header("principal_due")
    senior, mezz = (c.name for c in ran.structure.classes[:2])
    shown, headers = shown_with(at, "target_balance")
    np.testing.assert_allclose(shown["target_balance"].astype(float),
                               amounts(tables.classes[senior]["target_balance"]), rtol=1e-12)
    np.testing.assert_allclose(shown["coupon_month_annual"].astype(float),
                               tables.classes[senior]["coupon_month_annual"], rtol=1e-12)
    assert headers["coupon_month_annual"] == header("coupon_month_annual", money=False)
    shown, headers = shown_with(at, "step_up")
    assert shown["step_up"].tolist() == tables.classes[mezz]["step_up"].tolist()
    assert headers["step_up"] == header("step_up", money=False)
    if lang == "zh":
        words = deal_words() | set(WORD.findall(ran.name))
        assert offenders(app_texts(at), frozenset(words)) == []


def test_the_sample_deal_shows_no_support_tab(app) -> None:
    at = app(CASHFLOWS_PAGE)
    no_problem(at)
    titles = [tab.label for tab in at.tabs]
    assert labels.LABELS["cf.tab_reserve"][0] in titles
    assert labels.LABELS["cf.tab_liquidity"][0] not in titles
    assert labels.LABELS["cf.tab_advance"][0] not in titles
    assert not any("liquidity_open" in d.value.columns or "step_up" in d.value.columns
                   for d in at.dataframe)
