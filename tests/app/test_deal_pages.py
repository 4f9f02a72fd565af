"""AppTest of the pages that edit and run the deal: one test per behaviour.

Deal (sidebar): opens on the consumer deal, loads the factoring deal, an uploaded deal file
restores every input, a bad or file-reading deal file gives a message. Assumptions: the
default-assumption variants, a bad vector, PD by grade, the copula. Structure: a class-size
edit (refused, then fixed), fees and periods. Results: the consumer deal's Monte Carlo as the
library computes it, reruns only what an input changes, cancellation, invalid inputs, an
undefined cost of funds.
Export: the three downloads. Two sessions never share inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import (
    AnnualPd,
    CancelledError,
    CdrVector,
    Copula,
    LifetimeDefault,
    Scenario,
    deal_json,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_scenario,
    sample_pool,
)
from abs_tool.analysis import break_even as break_even_search
from abs_tool.engine import montecarlo as simulation
from abs_tool.io.tape import tape_bytes
from abs_tool.model.deal import (
    CouponPriority,
    ExcessInterest,
    ExcessInterestUse,
    FeeBasis,
    LossAllocation,
    LossTiming,
    PoolSource,
    PrincipalMode,
    UpfrontFee,
)
from abs_tool.report.tables import cashflow_tables
from ui import format as fmt, inputs, labels, state
from ui.pages import results as results_page

Start = Callable[..., AppTest]
ASSUMPTIONS = "ui/pages/assumptions.py"
STRUCTURE = "ui/pages/structure.py"
RESULTS = "ui/pages/results.py"
EXPORT = "ui/pages/export.py"


def en(key: str) -> str:
    return labels.LABELS[key][0]


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def deal_of(at: AppTest):
    return at.session_state[state.DEAL]


def edit(at: AppTest, editor: str, rows: dict[int, dict[str, object]]) -> AppTest:
    """Seed a data editor's edits (its widget state), as the browser would send them."""
    at.session_state[editor] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def markdown_tables(at: AppTest) -> list[pd.DataFrame]:
    """The Markdown tables shown, as their text (escapes undone), under their headers."""
    def cells(line: str) -> list[str]:
        return [re.sub(r"\\(.)", r"\1", cell.strip())
                for cell in re.split(r"(?<!\\)\|", line)[1:-1]]

    tables = []
    for element in at.markdown:
        lines = element.value.splitlines()
        if len(lines) > 2 and lines[0].startswith("| "):
            tables.append(pd.DataFrame([cells(line) for line in lines[2:]],
                                       columns=cells(lines[0])))
    return tables


def class_table(at: AppTest) -> pd.DataFrame:
    """The Results page's two class tables joined on the class (text as shown, under the
    field names)."""
    names = {en(f"mc.{name}"): name for name in results_page.TABLE_COLUMNS}
    ratings, estimates = (table.rename(columns=names) for table in markdown_tables(at))
    assert list(ratings.columns) == list(results_page.RATING_COLUMNS)
    assert list(estimates.columns) == list(results_page.ESTIMATE_COLUMNS)
    return ratings.merge(estimates, on="name", validate="one_to_one")


# --- The deal: sample, factoring, upload ---------------------------------------------------


def test_opens_on_the_consumer_deal_results(app: Start) -> None:
    at = app(RESULTS)
    no_problem(at)
    assert at.title[0].value == en("res.title")
    sample = load_sample_deal("consumer")
    assert deal_of(at) == replace(sample, run=replace(sample.run, paths=inputs.INTERACTIVE_PATHS))
    assert class_table(at)["name"].tolist() == [c.name for c in sample.structure.classes]
    assert len(at.get("vega_lite_chart")) == 3  # loss histogram, TDR vs BDR, running EL


def test_results_cash_flows_are_drawn_when_opened(app: Start) -> None:
    """The panel's charts are drawn only when it is open, one class at a time; the figures
    are the deterministic engine's (base and stressed)."""
    at = app(RESULTS)
    assert [e.label for e in at.expander] == [en("res.cashflows")]
    assert not at.number_input
    assert len(at.get("vega_lite_chart")) == 3
    at.session_state["res_cf_open"] = True
    at.run()
    no_problem(at)
    names = [c.name for c in deal_of(at).structure.classes]
    assert [tab.label for tab in at.tabs] == names
    assert at.number_input(key="res_stress").value == state.default("res_stress")
    assert len(at.get("vega_lite_chart")) == 5  # and the cumulative default rate, classes
    at.session_state["res_cf_class"] = names[2]
    at.number_input(key="res_stress").set_value(4.0).run()
    no_problem(at)
    chart = at.get("vega_lite_chart")[4].proto
    shown = pa.ipc.open_stream(chart.datasets[0].data.data).read_pandas()
    deal = deal_of(at)
    pool, _ = load_deal_pool(deal, None)
    stressed = run_scenario(prepare_deal(deal, pool),
                                   Scenario(default_multiplier=4.0))
    # The chart ends in the month the deal ends.
    flows = cashflow_tables(stressed.result, deal).classes[names[2]].loc[
        :int(stressed.result.end_month[0])]
    stressed_shown = shown[shown["scenario"] == en("res.stressed").format(m="4.00")]
    for series in results_page.FLOW_SERIES:
        amounts = stressed_shown[stressed_shown["series"] == en(f"cfc.{series}")]["amount"]
        assert amounts.tolist() == flows[series].tolist(), series
    assert flows["principal_paid"].sum() > 0


def test_sidebar_loads_the_factoring_deal(app: Start) -> None:
    at = app(ASSUMPTIONS)
    at.selectbox(key="deal_sample").set_value("factoring")
    at.button(key="deal_load_sample").click().run()
    no_problem(at)
    factoring = load_sample_deal("factoring")
    assert deal_of(at).name == factoring.name
    assert at.number_input(key="as_correlation").value == factoring.assumptions.correlation
    assert deal_of(at).structure == factoring.structure


def uploaded_deal():
    """The factoring deal with every kind of input changed, its pool an embedded tape."""
    deal = load_sample_deal("factoring")
    csv = tape_bytes(sample_pool("factoring", n_loans=300), "csv").decode("utf-8-sig")
    classes = deal.structure.classes
    senior = replace(classes[0], coupon_annual=0.045)
    junior = replace(classes[-1], coupon_annual=0.02,
                     coupon_priority=CouponPriority.AFTER_PRINCIPAL)
    fees = (replace(deal.structure.fees[0], basis=FeeBasis.NOTES, cap_per_month=5_000.0),
            *deal.structure.fees[1:])
    return replace(
        deal, name="Uploaded deal", pool=PoolSource(embedded_csv=csv),
        assumptions=replace(deal.assumptions, correlation=0.33, default=CdrVector((0.03, 0.02)),
                            copula=Copula.STUDENT_T, t_degrees_of_freedom=5.0),
        structure=replace(deal.structure, classes=(senior, *classes[1:-1], junior), fees=fees,
                          principal_mode=PrincipalMode.PRO_RATA,
                          loss_allocation=LossAllocation(LossTiming.ON_LIQUIDATION, True),
                          excess_interest=ExcessInterest(ExcessInterestUse.COVER_UP_TO,
                                                         20_000.0, 0.1)),
        run=replace(deal.run, paths=8_192, seed=5, importance_sampling=True))


def test_uploaded_deal_file_restores_every_input(app: Start) -> None:
    deal = uploaded_deal()
    at = app(STRUCTURE)
    at.file_uploader(key="deal_upload").set_value(
        ("mine.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    no_problem(at)
    assert deal_of(at) == deal
    assert at.radio(key="st_principal_mode").value == "pro_rata"
    at.switch_page(ASSUMPTIONS).run()
    assert at.number_input(key="run_paths").value == 8_192  # a deal file keeps its own paths
    assert at.text_input(key="as_cdr").value == "0.03, 0.02"
    assert at.radio(key="as_copula").value == "student_t"
    at.switch_page("ui/pages/cashflows.py").run()
    no_problem(at)
    assert " 300 loans" in at.caption[0].value  # the embedded tape is the pool


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"{not json", "invalid JSON at line 1"),
     (b'{"version": 1, "name": "x"}', "dates: required")],
    ids=["syntax", "missing-fields"],
)
def test_bad_deal_file_shows_the_problems(app: Start, content: bytes, expected: str) -> None:
    at = app()
    at.file_uploader(key="deal_upload").set_value(("bad.json", content, "application/json")).run()
    no_problem(at)
    assert any(expected in e.value for e in at.sidebar.error)
    assert at.session_state[state.DEAL_BASE].name == load_sample_deal("consumer").name


def test_deal_file_naming_a_server_file_is_refused(app: Start) -> None:
    deal = replace(load_sample_deal("consumer"), pool=PoolSource(tape="../../etc/passwd"))
    at = app()
    at.file_uploader(key="deal_upload").set_value(
        ("tape.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    at.switch_page(RESULTS).run()
    no_problem(at)
    assert any("may not read files" in e.value for e in at.error)


# --- Assumptions -------------------------------------------------------------------------


def test_cdr_vector_and_lifetime_default(app: Start) -> None:
    at = app(ASSUMPTIONS)
    at.radio(key="as_default_kind").set_value("cdr").run()
    at.text_input(key="as_cdr").set_value("0.1, 0.05").run()
    no_problem(at)
    assert deal_of(at).assumptions.default == CdrVector((0.1, 0.05))
    at.radio(key="as_default_kind").set_value("lifetime").run()
    at.number_input(key="as_lifetime_rate").set_value(0.08)
    at.text_input(key="as_timing").set_value("0.5, 0.3, 0.2").run()
    assert deal_of(at).assumptions.default == LifetimeDefault(0.08, (0.5, 0.3, 0.2))


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [("as_cdr", "0.1, abc", "assumptions.default.annual[1]"),
     ("as_timing", "0.5, 0.2", "assumptions.default.timing"),
     ("as_correlation", 1.5, "assumptions.correlation")],
    ids=["not-a-number", "timing-sum", "correlation"],
)
def test_bad_assumption_shows_its_message_below_the_input(
    app: Start, key: str, value: object, field: str
) -> None:
    at = app(ASSUMPTIONS)
    kinds = {"as_cdr": "cdr", "as_timing": "lifetime"}
    if key in kinds:
        at.radio(key="as_default_kind").set_value(kinds[key]).run()
        at.text_input(key=key).set_value(value).run()
    else:
        at.number_input(key=key).set_value(value).run()
    no_problem(at)
    assert deal_of(at) is None
    assert [e.value.split(":")[0] for e in at.error] == [field]
    assert at.session_state[state.PROBLEMS] == {key: [at.error[0].value]}
    at.switch_page(RESULTS).run()
    assert at.error[0].value == en("run.invalid")
    assert field in at.markdown[0].value


def test_pd_by_grade_table(app: Start) -> None:
    at = app(ASSUMPTIONS)
    table = at.data_editor(key="as_pd_grades").value
    assert table["grade"].tolist() == ["A", "B", "C", "D", "E"]
    assert table["annual_pd"].isna().all()  # the tape's PDs apply
    edit(at, "as_pd_grades", {0: {"annual_pd": 0.05}})
    no_problem(at)
    assert deal_of(at).assumptions.default == AnnualPd(by_grade=(("A", 0.05),))


def test_copula_and_run_settings(app: Start) -> None:
    at = app(ASSUMPTIONS)
    at.radio(key="as_copula").set_value("student_t").run()
    at.number_input(key="as_t_dof").set_value(4.0)
    at.number_input(key="run_paths").set_value(4_096)
    at.checkbox(key="run_is").check().run()
    no_problem(at)
    deal = deal_of(at)
    assert (deal.assumptions.copula, deal.assumptions.t_degrees_of_freedom) == ("student_t", 4.0)
    assert (deal.run.paths, deal.run.importance_sampling) == (4_096, True)


# --- Structure ---------------------------------------------------------------------------


def test_class_size_edit_is_checked_then_runs(app: Start) -> None:
    at = app(STRUCTURE)
    edit(at, "st_classes", {0: {"size": 0.70}})
    no_problem(at)
    assert deal_of(at) is None
    assert len(at.error) == 1
    assert at.error[0].value.startswith("structure.classes: class shares add up to 0.95")
    edit(at, "st_classes", {0: {"size": 0.70}, 2: {"size": 0.17}})
    assert not at.error
    assert [c.size for c in deal_of(at).structure.classes] == [0.70, 0.13, 0.17]
    at.switch_page(RESULTS).run()  # the edit survives the page switch and runs
    no_problem(at)
    pool, _ = load_deal_pool(deal_of(at), None)
    assert class_table(at)["balance"].iloc[0] == fmt.money(0.70 * pool.balance, "en")


def test_fees_reserve_and_periods(app: Start) -> None:
    at = app(STRUCTURE)
    edit(at, "st_fees", {2: {"rate_annual": 0.006}})
    at.number_input(key="st_reserve_initial").set_value(0.01)
    at.number_input(key="st_revolving").set_value(6)
    at.radio(key="st_principal_mode").set_value("pro_rata")
    at.checkbox(key="st_cleanup_on").uncheck().run()
    no_problem(at)
    structure = deal_of(at).structure
    assert structure.fees[2].rate_annual == 0.006
    assert structure.reserve.initial_share == 0.01
    assert structure.revolving.months == 6
    assert structure.principal_mode == "pro_rata"
    assert structure.clean_up_call is None


def test_losses_and_excess_interest(app: Start) -> None:
    at = app(STRUCTURE)
    at.selectbox(key="st_loss_timing").set_value("on_default")
    at.checkbox(key="st_reinstate").check()
    at.selectbox(key="st_excess_use").set_value("release")
    at.number_input(key="st_haircut").set_value(0.2)
    edit(at, "st_fees", {0: {"basis": "notes", "cap_per_month": 1_000.0}})
    no_problem(at)
    structure = deal_of(at).structure
    assert structure.loss_allocation == LossAllocation(LossTiming.ON_DEFAULT, True)
    assert structure.excess_interest.use == ExcessInterestUse.RELEASE
    assert structure.excess_interest.haircut_share == 0.2
    assert (structure.fees[0].basis, structure.fees[0].cap_per_month) == (FeeBasis.NOTES,
                                                                          1_000.0)
    # "Cover up to" needs a limit: until one is given the deal is refused, the field named.
    at.selectbox(key="st_excess_use").set_value("cover_up_to").run()
    assert deal_of(at) is None
    assert any("cover_limit_per_month" in e.value for e in at.error)
    at.number_input(key="st_cover_limit").set_value(500.0).run()
    assert deal_of(at).structure.excess_interest.cover_limit_per_month == 500.0


# --- Results -----------------------------------------------------------------------------


def test_results_are_the_librarys_monte_carlo(app: Start) -> None:
    at = app(RESULTS)
    deal = deal_of(at)
    pool, _ = load_deal_pool(deal, None)
    direct = simulation.run_monte_carlo(prepare_deal(deal, pool))
    table = class_table(at)
    assert table["expected_loss"].tolist() == [
        fmt.percent_significant(c.expected_loss.value) for c in direct.classes]
    assert table["pd_se"].tolist() == [fmt.percent_significant(c.pd.se) for c in direct.classes]
    assert table["balance"].tolist() == [fmt.money(c.balance, "en") for c in direct.classes]


def test_an_undefined_cost_of_funds_leaves_the_rest_of_the_results(app: Start) -> None:
    """Upfront fees above the placed notes' proceeds: the cost section says so, the class
    table and ratings still show; Export offers no term sheet (it needs the cost)."""
    base = load_sample_deal("consumer")
    deal = replace(base, structure=replace(base.structure,
                                           upfront_fees=(UpfrontFee("rating", fixed=1e10),)),
                   run=replace(base.run, paths=2_048))
    at = app(RESULTS)
    at.file_uploader(key="deal_upload").set_value(
        ("costly.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    at.switch_page(RESULTS).run()
    no_problem(at)
    assert [e.value for e in at.error if "upfront fees take all the proceeds" in e.value]
    table = class_table(at)
    assert table["name"].tolist() == [c.name for c in deal.structure.classes]
    assert table["rating_el"].tolist()[0] == "AAA"
    at.switch_page(EXPORT).run()
    no_problem(at)
    assert [b.label for b in at.get("download_button")] == [en("ex.deal_button"),
                                                             en("ex.results_button")]
    assert [e.value for e in at.error if "upfront fees take all the proceeds" in e.value]


def quantile_shown(at: AppTest) -> str:
    """The 99.9% pool-loss quantile as the Results page shows it (it moves with the
    correlation; the mean does not)."""
    return next(m.value for m in at.metric if m.label == en("res.loss_999"))


def test_a_changed_correlation_reruns_only_the_simulation(
    app: Start, count_calls: Callable[[object, str], list[int]]
) -> None:
    runs = count_calls(simulation, "run_monte_carlo")
    break_evens = count_calls(break_even_search, "break_even")
    at = app(RESULTS)
    before = quantile_shown(at)
    for page in (ASSUMPTIONS, RESULTS, STRUCTURE, RESULTS):  # page switches rerun nothing
        at.switch_page(page).run()
    assert (len(runs), len(break_evens)) == (1, 1)
    at.switch_page(ASSUMPTIONS).run()
    at.number_input(key="as_correlation").set_value(0.3).run()
    at.switch_page(RESULTS).run()
    no_problem(at)
    assert (len(runs), len(break_evens)) == (2, 1)
    assert quantile_shown(at) != before


def test_cancelled_run_can_be_run_again(app: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    real = simulation.run_monte_carlo

    def cancelled(*args: object, **kwargs: object) -> object:
        raise CancelledError("Monte Carlo cancelled after 1 of 3 blocks")

    monkeypatch.setattr(simulation, "run_monte_carlo", cancelled)
    at = app(RESULTS)
    no_problem(at)
    assert [i.value for i in at.info] == [en("run.cancelled")]
    monkeypatch.setattr(simulation, "run_monte_carlo", real)
    at.run()
    assert [i.value for i in at.info] == [en("run.cancelled")]  # stays cancelled
    at.button(key="mc_run").click().run()
    no_problem(at)
    assert not at.info
    assert len(class_table(at)) == 3


# --- Export and sessions -------------------------------------------------------------------


def test_export_offers_three_downloads(app: Start) -> None:
    at = app(EXPORT)
    no_problem(at)
    labels_shown = [b.label for b in at.get("download_button")]
    assert labels_shown == [en("ex.deal_button"), en("ex.term_sheet_button"),
                            en("ex.results_button")]


def test_two_sessions_never_share_inputs(app: Start) -> None:
    first, second = app(ASSUMPTIONS), app(ASSUMPTIONS)
    first.number_input(key="as_correlation").set_value(0.4).run()
    second.run()
    assert deal_of(first).assumptions.correlation == 0.4
    assert deal_of(second).assumptions.correlation == load_sample_deal(
        "consumer").assumptions.correlation


def test_problem_paths_map_to_inputs() -> None:
    assert inputs.problem_widget("structure.classes[1].coupon_annual") == "st_classes"
    assert inputs.problem_widget("assumptions.recovery.lag_months") == "as_lag"
    assert inputs.problem_widget("assumptions.recovery.rate") == "as_recovery"
    assert inputs.problem_widget("assumptions.recovery_volatility") == ""
    assert inputs.problem_widget("dates.legal_final") == ""


def test_every_option_of_the_structure_tables_has_a_label_in_both_languages() -> None:
    from ui.pages import structure

    for name, options in (("tier", structure.TIERS), ("size_unit", structure.SIZE_UNITS),
                          ("metric", structure.METRICS), ("action", structure.ACTIONS)):
        for option in options:
            english, chinese = labels.LABELS[f"{structure.OPTION_LABELS[name]}.{option}"]
            assert english
            assert chinese
