"""AppTest of the Pool and Cash flows pages, every page in both languages, plus label and
architecture checks (the other pages: test_deal_pages.py).

Pool page: shows the loaded deal's pool with its summary; the consumer and factoring samples;
a valid and an invalid uploaded tape; stratification; eligibility (valid and invalid
criteria); the language switch; inputs kept across page switches. Cash flows page: the class
table, a CDR override, the factoring deal, and the pool chosen on the Pool page. Expected
numbers come from the library called directly (the app must show what the library
computes), written with ``ui.format``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import (
    AbsToolError,
    InputError,
    Scenario,
    Tier,
    load_deal_pool,
    load_sample_deal,
    pool_summary,
    prepare_deal,
    run_scenario,
    sample_pool,
)
from abs_tool.analysis.pool_stats import STRAT_COLUMNS, STRATIFIABLE_COLUMNS
from abs_tool.io.dealfile import SAMPLE_DEALS
from abs_tool.io.tape import tape_bytes
from abs_tool.model.eligibility import (
    EXCLUDED_COLUMNS,
    REPORT_COLUMNS,
    ConcentrationLimits,
    EligibilityCriteria,
    apply_eligibility,
)
from abs_tool.report.tables import cashflow_tables
from ui import format as fmt, inputs, labels, state
from ui.pages import (
    cashflows as cashflows_page,
    pool as pool_page,
    results as results_page,
    structure as structure_page,
)

ROOT = Path(__file__).resolve().parents[2]
POOL_PAGE = "ui/pages/pool.py"
CASHFLOWS_PAGE = "ui/pages/cashflows.py"
PAGES = tuple(f"ui/pages/{name}.py" for name in (
    "pool", "assumptions", "structure", "results", "cashflows", "export"))
UI_FILES = sorted((ROOT / "ui").rglob("*.py")) + [ROOT / "streamlit_app.py"]

Start = Callable[..., AppTest]


def en(key: str) -> str:
    return labels.LABELS[key][0]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table shown that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    shown = [list(d.value.columns) for d in at.dataframe]
    assert found, f"no table with column {column!r}; tables: {shown}"
    return found[0]


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="pool_source").set_value("upload").run()
    at.file_uploader(key="tape_upload").set_value((name, data, "text/csv")).run()
    return at


# --- Pool page -------------------------------------------------------------------------------


def test_shows_the_consumer_deals_pool(app: Start) -> None:
    at = app()
    no_problem(at)
    assert at.title[0].value == en("pool.title")
    assert at.radio(key="pool_source").value == "deal"
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    summary = pool_summary(pool)
    shown = metrics(at)
    assert shown["Number of loans"] == fmt.count(len(pool))
    assert shown["Pool balance"] == fmt.money(summary.balance, "en")
    assert at.session_state[state.POOL_KEY] == inputs.pool_key_of(deal.pool)


def test_consumer_sample_with_summary_metrics(app: Start) -> None:
    at = app()
    at.radio(key="pool_source").set_value("consumer").run()
    no_problem(at)
    summary = pool_summary(sample_pool("consumer"))
    shown = metrics(at)
    assert shown["Number of loans"] == "20,000"
    assert shown["Pool balance"] == fmt.money(summary.balance, "en")
    assert shown["Weighted average rate"] == fmt.percent(summary.wac)
    assert shown["WA remaining term"] == fmt.months(summary.wa_remaining_term_months, "en")
    assert shown["Top-10 obligors share"] == fmt.percent(summary.top10_obligor_share)
    assert shown["Effective number of obligors (1/HHI)"] == fmt.number(
        summary.effective_obligors, 0)
    assert shown["Expected lifetime loss"] == fmt.percent(summary.expected_lifetime_loss)
    table = frame_with(at, "unit")
    assert len(table) == len(fields(summary))
    assert table["value"].iloc[0] == "20,000"


def test_factoring_sample_changes_loan_count(app: Start) -> None:
    at = app()
    at.radio(key="pool_source").set_value("factoring").run()
    no_problem(at)
    assert metrics(at)["Number of loans"] == fmt.count(len(sample_pool("factoring")))
    assert metrics(at)["Number of loans"] != "20,000"
    assert at.session_state[state.POOL_KEY].startswith("sample:factoring")


def test_valid_upload_becomes_the_pool(app: Start) -> None:
    data = tape_bytes(sample_pool("consumer", n_loans=50), "csv")
    at = upload(app(), "small.csv", data)
    no_problem(at)
    assert not at.error
    assert metrics(at)["Number of loans"] == "50"
    assert [s.value for s in at.success] == [en("tape.loaded").format(file="small.csv",
                                                                      loans="50")]
    assert len(at.session_state[state.POOL]) == 50
    assert len(at.session_state[state.POOL_SELECTED]) == 50


def test_bad_upload_shows_every_error_row_and_no_traceback(app: Start) -> None:
    lines = tape_bytes(sample_pool("consumer", n_loans=5), "csv").decode("utf-8-sig").splitlines()
    header, rows = lines[0], [line.split(",") for line in lines[1:]]
    balance = header.split(",").index("balance")
    rows[1][balance] = "-100"  # spreadsheet row 3
    rows[3][0] = rows[0][0]  # spreadsheet row 5 repeats the loan_id of row 2
    data = "\n".join([header, *(",".join(r) for r in rows)]).encode()
    at = upload(app(), "bad.csv", data)
    no_problem(at)
    assert len(at.error) == 1
    assert "bad.csv" in at.error[0].value
    assert "2 error(s)" in at.error[0].value
    report = frame_with(at, "reason")
    assert report["row"].tolist() == [3, 5]
    assert report["column"].tolist() == ["balance", "loan_id"]
    assert set(report["severity"]) == {en("severity.error")}
    assert not at.metric  # nothing is summarised: the tape was not loaded
    assert at.session_state[state.POOL_KEY].startswith("deal:")


def test_tape_with_warnings_loads_and_lists_them(app: Start) -> None:
    # Only the required columns: every optional one is filled in by default, with a warning.
    data = (ROOT / "tests/fixtures/tapes/minimal.csv").read_bytes()
    at = upload(app(), "minimal.csv", data)
    no_problem(at)
    assert not at.error
    assert len(at.warning) == 1
    report = frame_with(at, "reason")
    assert len(report) == 11
    assert set(report["severity"]) == {en("severity.warning")}
    assert report["row"].isna().all()  # findings about whole columns
    shown = metrics(at)
    assert shown["Number of loans"] == "3"
    assert shown["Expected lifetime loss"] == fmt.MISSING  # no PD on the tape


def test_xlsx_sheet_name_is_used(app: Start) -> None:
    data = tape_bytes(sample_pool("consumer", n_loans=20), "xlsx")
    at = app()
    at.radio(key="pool_source").set_value("upload").run()
    at.text_input(key="tape_sheet").set_value("nope")
    at.file_uploader(key="tape_upload").set_value((
        "pool.xlsx", data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    no_problem(at)
    assert "no sheet named 'nope'" in frame_with(at, "reason")["reason"].iloc[0]
    at.text_input(key="tape_sheet").set_value("loans").run()
    no_problem(at)
    assert not at.error
    assert metrics(at)["Number of loans"] == "20"


def test_stratify_by_grade_adds_up_to_the_pool(app: Start) -> None:
    at = app()
    at.radio(key="pool_source").set_value("consumer").run()
    at.selectbox(key="strat_column").set_value("grade").run()
    no_problem(at)
    table = frame_with(at, "bucket")
    pool_balance = sample_pool("consumer").balance
    assert table["bucket"].tolist() == ["A", "B", "C", "D", "E", "Total"]
    assert table["balance"].iloc[:-1].sum() == pytest.approx(pool_balance, rel=1e-12)
    assert table["balance"].iloc[-1] == pytest.approx(pool_balance, rel=1e-12)
    assert at.get("vega_lite_chart")


def test_eligibility_max_rate_matches_the_library(app: Start) -> None:
    at = app()
    at.radio(key="pool_source").set_value("consumer").run()
    at.number_input(key="elig_max_rate").set_value(0.08)
    at.button(key="elig_apply").click().run()
    no_problem(at)
    expected = apply_eligibility(sample_pool("consumer"), EligibilityCriteria(max_rate=0.08),
                                 ConcentrationLimits())
    assert 0 < expected.loans_after < expected.loans_before
    shown = metrics(at)
    assert shown[en("elig.loans_before")] == "20,000"
    assert shown[en("elig.loans_after")] == fmt.count(expected.loans_after)
    report = frame_with(at, "condition")
    assert report["rule"].tolist() == [en("rule.max_rate")]
    assert report["loans_removed"].tolist() == [expected.loans_before - expected.loans_after]
    assert len(at.session_state[state.POOL_SELECTED]) == expected.loans_after
    # The summary still describes the loaded pool.
    assert shown["Number of loans"] == "20,000"


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"elig_min_balance": 5000.0, "elig_max_balance": 1000.0}, "min_balance"),
        ({"elig_min_balance": -1.0}, "min_balance"),
        ({"elig_max_region_share": 25.0}, "max_region_share"),
    ],
    ids=["min-above-max", "negative", "share-as-percent"],
)
def test_invalid_criterion_shows_the_library_message(
    app: Start, inputs: dict[str, float], field: str
) -> None:
    at = app()
    at.radio(key="pool_source").set_value("consumer").run()
    for key, value in inputs.items():
        at.number_input(key=key).set_value(value)
    at.button(key="elig_apply").click().run()
    no_problem(at)
    assert len(at.error) == 1
    assert f"`{field}`" in at.error[0].value
    assert at.session_state[state.ELIGIBILITY] is None


def test_language_switch_shows_chinese(app: Start) -> None:
    at = app()
    at.radio(key="lang").set_value("zh").run()
    no_problem(at)
    assert at.title[0].value == labels.LABELS["pool.title"][1]
    assert "资产笔数" in metrics(at)
    assert at.radio(key="pool_source").options[1] == labels.LABELS["source.consumer"][1]


def test_inputs_survive_a_page_switch(app: Start) -> None:
    at = app()
    at.radio(key="pool_source").set_value("factoring").run()
    at.selectbox(key="strat_column").set_value("region").run()
    at.switch_page(CASHFLOWS_PAGE).run()
    at.switch_page(POOL_PAGE).run()
    no_problem(at)
    assert at.radio(key="pool_source").value == "factoring"
    assert at.selectbox(key="strat_column").value == "region"
    assert metrics(at)["Number of loans"] == fmt.count(len(sample_pool("factoring")))


# --- Cash flows page -------------------------------------------------------------------------


def class_losses(at: AppTest) -> dict[str, float]:
    table = frame_with(at, "principal_loss")
    return dict(zip(table["class"], table["principal_loss"], strict=True))


def test_cashflows_shows_the_consumer_classes(app: Start) -> None:
    at = app(CASHFLOWS_PAGE)
    no_problem(at)
    assert at.title[0].value == en("cf.title")
    deal = load_sample_deal("consumer")
    table = frame_with(at, "principal_loss")
    assert table["class"].tolist() == [c.name for c in deal.structure.classes]
    assert table["tier"].tolist() == [en(f"tier.{c.tier.value}") for c in deal.structure.classes]
    assert table["bdr"].notna().all()
    assert len(at.get("vega_lite_chart")) == 3  # balances, collections, defaults vs triggers
    pool = frame_with(at, "collections")
    assert len(pool) == deal.dates.horizon_months


def test_cdr_override_increases_the_subordinated_loss(app: Start) -> None:
    at = app(CASHFLOWS_PAGE)
    deal = load_sample_deal("consumer")
    junior = deal.structure.classes[-1].name
    base = class_losses(at)[junior]
    at.checkbox(key="cf_cdr_on").check().run()  # the CDR input is disabled until ticked
    at.number_input(key="cf_cdr").set_value(0.3).run()
    no_problem(at)
    stressed = class_losses(at)[junior]
    assert stressed > base
    pool, _ = load_deal_pool(deal, None)
    direct = run_scenario(prepare_deal(deal, pool), Scenario(cdr_annual=0.3))
    assert stressed == pytest.approx(direct.metrics.principal_loss[0, -1], rel=1e-12)


def test_factoring_deal_runs(app: Start) -> None:
    at = app(CASHFLOWS_PAGE)
    at.selectbox(key="deal_sample").set_value("factoring")
    at.button(key="deal_load_sample").click().run()
    no_problem(at)
    deal = load_sample_deal("factoring")
    assert list(class_losses(at)) == [c.name for c in deal.structure.classes]


def test_cashflows_run_on_the_pool_chosen_on_the_pool_page(app: Start) -> None:
    data = tape_bytes(sample_pool("consumer", n_loans=2_000), "csv")
    at = upload(app(), "small.csv", data)
    at.switch_page(CASHFLOWS_PAGE).run()
    no_problem(at)
    assert " 2,000 loans" in at.caption[0].value
    deal = at.session_state[state.DEAL]
    assert deal.pool.embedded_csv is not None  # the deal file would carry the tape
    direct = run_scenario(prepare_deal(deal, at.session_state[state.POOL_SELECTED]))
    assert class_losses(at)[deal.structure.classes[-1].name] == pytest.approx(
        direct.metrics.principal_loss[0, -1], rel=1e-12)


def test_invalid_scenario_shows_the_library_message(app: Start) -> None:
    at = app(CASHFLOWS_PAGE)
    at.number_input(key="cf_lag").set_value(-2).run()
    no_problem(at)
    assert len(at.error) == 1
    assert "lag_months" in at.error[0].value


# --- Every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(app: Start, page: str, lang: str) -> None:
    at = app(page, lang=lang)
    no_problem(at)
    assert not at.error
    assert not at.warning
    assert at.title[0].value in {pair[labels.LANGS.index(lang)] for pair in labels.LABELS.values()}


# --- Labels and architecture -----------------------------------------------------------------


def test_every_label_has_both_languages_and_the_same_placeholders() -> None:
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    for key, pair in labels.LABELS.items():
        assert len(pair) == len(labels.LANGS), key
        assert all(isinstance(text, str) and text.strip() for text in pair), key
        assert placeholders(pair[0]) == placeholders(pair[1]), key


def test_label_tables_do_not_share_keys() -> None:
    assert sum(len(table) for table in labels.TABLES) == len(labels.LABELS)


def test_every_label_key_used_in_the_ui_exists() -> None:
    used: set[str] = set()
    for path in UI_FILES:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([^"'{}]+)["']\s*\)""", text))
        used |= {f"{p}.{n}" for p, n in
                 re.findall(r"""\bcolumn\(\s*["'](\w+)["']\s*,\s*["'](\w+)["']\s*\)""", text)}
    assert used, "no label keys found: the pattern is out of date"
    assert sorted(used - set(labels.LABELS)) == []


def _fields(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


@pytest.mark.parametrize(
    ("prefix", "names"),
    [
        ("source", pool_page.SOURCES),
        ("rate_unit", pool_page.RATE_UNITS),
        ("col", STRATIFIABLE_COLUMNS),
        ("strat", STRAT_COLUMNS),
        ("issue", pool_page.ISSUE_COLUMNS),
        ("severity", ("error", "warning")),
        ("report", REPORT_COLUMNS),
        ("excluded", EXCLUDED_COLUMNS),
        ("rule", _fields(EligibilityCriteria) + _fields(ConcentrationLimits)),
        ("deal", tuple(SAMPLE_DEALS)),
        ("tier", tuple(t.value for t in Tier)),
        ("ct", cashflows_page.CLASS_COLUMNS),
        ("mc", results_page.TABLE_COLUMNS),
        ("cls", inputs.CLASS_COLUMNS),
        ("fee", inputs.FEE_COLUMNS),
        ("upf", inputs.UPFRONT_COLUMNS),
        ("trg", inputs.TRIGGER_COLUMNS),
        ("pdt", inputs.PD_COLUMNS),
        ("default_kind", inputs.DEFAULT_KINDS),
        ("copula", inputs.COPULAS),
        ("mode", inputs.PRINCIPAL_MODES),
        ("tier", structure_page.TIERS),
        ("cfc", cashflows_page.COLLECTION_LINES),
        ("summary", ("label", "value", "unit")),
    ],
)
def test_labels_cover_every_name_built_at_run_time(prefix: str, names: tuple[str, ...]) -> None:
    missing = [n for n in names if f"{prefix}.{n}" not in labels.LABELS]
    assert missing == []


def test_period_table_columns_are_labelled() -> None:
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    tables = cashflow_tables(run_scenario(prepare_deal(deal, pool)).result, deal)
    names = set(tables.pool.columns) | set(tables.reserve.columns)
    for table in tables.classes.values():
        names |= set(table.columns)
    assert sorted(n for n in names if f"cfc.{n}" not in labels.LABELS) == []


def test_widget_keys_are_declared() -> None:
    for path in UI_FILES:
        for key in re.findall(r"""state\.widget\(\s*["'](\w+)["']""", path.read_text("utf-8")):
            assert key in state.WIDGET_DEFAULTS, (path.name, key)
    with pytest.raises(KeyError, match="WIDGET_DEFAULTS"):
        state.widget("not_a_widget")


@pytest.mark.parametrize(
    ("value", "shown"),
    [(6.9e-7, "0.000069%"), (1.26e-5, "0.0013%"), (0.0123, "1.23%"), (0.5, "50.00%"),
     (0.0, "0.00%"), (-2e-5, "-0.0020%"), (None, fmt.MISSING), (float("nan"), fmt.MISSING)],
)
def test_small_rates_keep_two_significant_digits(value: float | None, shown: str) -> None:
    assert fmt.percent_significant(value) == shown


def test_markdown_table_shows_text_as_written() -> None:
    """A class name with Markdown in it is escaped; numbers go through their format."""
    table = fmt.markdown_table([{"name": "A|1 *$x$*", "el": 6.9e-7, "rating": None}],
                               {"name": "Class", "el": "EL", "rating": "Rating"},
                               {"el": fmt.percent_significant})
    assert table.splitlines() == ["| Class | EL | Rating |", "|:---|---:|:---|",
                                  r"| A\|1 \*\$x\$\* | 0.000069% | — |"]


def test_show_errors_catches_library_errors_only() -> None:
    with state.show_errors():
        raise InputError("`x` must be > 0")  # shown, not raised
    with pytest.raises(ZeroDivisionError), state.show_errors():
        _ = 1 / 0
    assert issubclass(InputError, AbsToolError)


def test_library_never_imports_streamlit() -> None:
    pattern = re.compile(r"^\s*(import\s+streamlit|from\s+streamlit\b)", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "abs_tool").rglob("*.py"))
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_entry_point_holds_only_navigation() -> None:
    text = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert "st.navigation" in text
    assert "abs_tool" not in text  # pages call the library, not the entry point
    assert all(Path(ROOT, page).is_file() for page in PAGES)
