"""Static pool page (issue 17 item 5): an uploaded static-pool file is validated like a tape
(findings by row, in the page's language) and analysed; the base case shown is
:func:`analyse_static_pool`'s on the same bytes; "use as the deal's base case" makes
:func:`base_case_assumptions` the deal's assumptions and says what changed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import (
    analyse_static_pool,
    base_case_assumptions,
    load_deal_pool,
    load_sample_deal,
    load_static_pool,
    sample_static_pool,
)
from abs_tool.io.static_pool import static_pool_bytes
from ui import format as fmt, labels, state

Start = Callable[..., AppTest]
PAGE = "ui/pages/static_pool.py"


def label(key: str, lang: str) -> str:
    return labels.LABELS[key][labels.LANGS.index(lang)]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def consumer_csv() -> bytes:
    return static_pool_bytes(sample_static_pool("consumer"), "csv")


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="sp_source").set_value("upload").run()
    at.file_uploader(key="static_pool_upload").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_uploaded_file_shows_the_library_s_base_case(app: Start, consumer_csv: bytes,
                                                        lang: str) -> None:
    at = upload(app(PAGE, lang=lang), "consumer.csv", consumer_csv)
    expected = analyse_static_pool(load_static_pool(consumer_csv, file_name="consumer.csv"))
    shown = metrics(at)
    assert shown[label("sp.lifetime", lang)] == fmt.percent(expected.lifetime_default_rate, 3)
    assert shown[label("sp.std", lang)] == fmt.percent(expected.dispersion.std, 3)
    assert shown[label("sp.by_count", lang)] == fmt.percent(
        expected.lifetime_default_rate_by_count, 3)
    assert expected.recovery is not None
    assert expected.correlation is not None
    assert shown[label("sp.recovery_rate", lang)] == fmt.percent(expected.recovery.rate)
    assert shown[label("sp.correlation", lang)] == fmt.percent(expected.correlation.rho, 1)
    # The vintage table holds the library's numbers themselves, vintage by vintage.
    table = next(d.value for d in at.dataframe if "chain_ladder_lifetime_rate" in d.value)
    records = expected.vintage_records()
    assert list(table["vintage"]) == [r["vintage"] for r in records]
    assert table["chain_ladder_lifetime_rate"].tolist() == pytest.approx(
        [r["chain_ladder_lifetime_rate"] for r in records], rel=1e-15, nan_ok=True)
    assert table["in_base_case"].tolist() == [r["in_base_case"] for r in records]
    assert len(at.get("vega_lite_chart")) >= 2  # vintage curves, timing curve (and CPR)
    assert at.success[0].value == label("sp.loaded", lang).format(
        file="consumer.csv", vintages=36, months=24)


def test_the_weighting_changes_the_base_case(app: Start) -> None:
    at = app(PAGE)
    at.radio(key="sp_weighting").set_value("equal").run()
    expected = analyse_static_pool(sample_static_pool("consumer"), weighting="equal")
    assert metrics(at)[label("sp.lifetime", "en")] == fmt.percent(
        expected.lifetime_default_rate, 3)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_file_lists_its_findings_by_row(app: Start, lang: str) -> None:
    bad = (b"vintage,months_on_book,original_balance,cumulative_default_balance\n"
           b"2015-01,1,1000,10\n2015-01,2,1000,5\n2015-02,1,1000,abc\n")
    at = upload(app(PAGE, lang=lang), "bad.csv", bad)
    assert at.error[0].value.startswith("bad.csv")
    report = next(d.value for d in at.dataframe)
    # Row 3 falls from 10 to 5, row 4 is not a number: each finding at its row.
    assert set(report["row"].dropna().astype(int)) == {3, 4}
    assert (report["column"] == ("cumulative_default_balance" if lang == "en"
                                 else "累计违约金额")).all()
    if lang == "zh":  # the coded reason ("not a number") is in Chinese
        assert any("不是数字" in r for r in report["reason"])
    assert not [b for b in at.button if b.key == "sp_use"]  # nothing to use


def test_use_as_base_case_replaces_the_deal_s_assumptions(app: Start) -> None:
    at = app(PAGE)
    deal = at.session_state[state.DEAL]
    at.button(key="sp_use").click().run()
    assert not at.exception, [e.value for e in at.exception]
    pool, _ = load_deal_pool(load_sample_deal("consumer"), None)
    analysis = analyse_static_pool(sample_static_pool("consumer"))
    expected, _ = base_case_assumptions(analysis, deal.assumptions, pool)
    assert at.session_state[state.DEAL_BASE].assumptions == expected
    assert deal.assumptions != expected
    # The inputs hold it: the deal rebuilt from them has the lifetime default with its timing.
    rebuilt = at.session_state[state.DEAL].assumptions
    assert rebuilt.default.cumulative_rate == pytest.approx(expected.default.cumulative_rate,
                                                            rel=1e-9)
    assert rebuilt.default.timing == pytest.approx(expected.default.timing, rel=1e-9)
    assert rebuilt.recovery == expected.recovery
    assert at.success[0].value == label("sp.used", "en")
    change = next(m.value for m in at.markdown if label("sp.change.before", "en") in m.value)
    assert fmt.percent(expected.default.cumulative_rate, 3) in change
    assert at.session_state["as_default_kind"] == "lifetime"


def test_the_term_sheet_carries_the_last_static_pool_analysis(app: Start, consumer_csv: bytes,
                                                              monkeypatch) -> None:
    import abs_tool

    built = []
    real = abs_tool.build_term_sheet_inputs

    def spy(*args, **kwargs):
        built.append(kwargs.get("static_pool"))
        return real(*args, **kwargs)

    monkeypatch.setattr(abs_tool, "build_term_sheet_inputs", spy)
    at = upload(app(PAGE), "consumer.csv", consumer_csv)
    at.switch_page("ui/pages/export.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert label("ex.with_static_pool", "en") in [c.value for c in at.caption]
    analysis = at.session_state[state.STATIC_POOL_ANALYSIS]
    assert analysis is not None
    assert built
    assert built[-1] is analysis
