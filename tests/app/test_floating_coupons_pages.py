"""The Structure and Assumptions pages edit floating coupons, the step-up and the benchmark
path (issue 16 item 4b), in English and Chinese; a refused value shows its field path."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from abs_tool.model.assumptions import BenchmarkPath, BenchmarkStep
from abs_tool.model.deal import FloatingCoupon
from ui import inputs, labels, state

Start = Callable[..., AppTest]
ASSUMPTIONS = "ui/pages/assumptions.py"
STRUCTURE = "ui/pages/structure.py"


def edit(at: AppTest, editor: str, rows: dict[int, dict[str, object]],
         added: list[dict[str, object]] | None = None) -> AppTest:
    """Seed a data editor's edits (its widget state), as the browser would send them."""
    at.session_state[editor] = {"edited_rows": rows, "added_rows": added or [],
                                "deleted_rows": []}
    return at.run()


def test_structure_page_sets_a_floating_coupon_and_a_step_up(app: Start) -> None:
    at = app(STRUCTURE)
    assert not at.exception
    edit(at, "st_classes", {0: {"floating": True, "coupon_annual": 0.008, "cap_annual": 0.06,
                                "step_up_bp": 100.0}})
    at.checkbox(key="st_cleanup_exercised").uncheck().run()
    assert not at.exception
    deal = at.session_state[state.DEAL]
    senior = deal.structure.classes[0]
    assert (senior.floating, senior.coupon_annual, senior.step_up_bp) == (
        FloatingCoupon(cap_annual=0.06), 0.008, 100.0)
    assert deal.structure.clean_up_call.exercised is False
    assert deal.structure.classes[1].floating is None


def test_a_floor_above_the_cap_is_named_below_the_table(app: Start) -> None:
    at = app(STRUCTURE)
    edit(at, "st_classes", {0: {"floating": True, "cap_annual": 0.05, "floor_annual": 0.06}})
    assert at.session_state[state.DEAL] is None
    assert any(e.value.startswith("structure.classes[0].floating.floor_annual: must be at "
                                  "most") for e in at.error)


def test_assumptions_page_sets_the_benchmark_path(app: Start) -> None:
    at = app(ASSUMPTIONS)
    assert not at.exception
    at.text_input(key="as_benchmark_name").set_value("SHIBOR 3M")
    edit(at, "as_benchmark", {0: {"rate_annual": 0.031}},
         added=[{"month": 7, "rate_annual": 0.0285}])
    assert not at.exception
    assert at.session_state[state.DEAL].assumptions.benchmark == BenchmarkPath(
        "SHIBOR 3M", 0.031, (BenchmarkStep(7, 0.0285),))
    # A step before month 1's row is refused with its field path.
    edit(at, "as_benchmark", {0: {"month": 2}})
    assert at.session_state[state.DEAL] is None
    assert any("assumptions.benchmark.rate_annual" in e.value for e in at.error)


def test_the_pages_run_in_chinese(app: Start) -> None:
    for page in (STRUCTURE, ASSUMPTIONS):
        at = app(page, lang="zh")
        assert not at.exception
    assert labels.LABELS["as.benchmark"][1] == "基准利率路径"


def test_problem_paths_map_to_the_new_inputs() -> None:
    assert inputs.problem_widget("assumptions.benchmark.steps[0].month") == "as_benchmark"
    assert inputs.problem_widget("assumptions.benchmark.name") == "as_benchmark_name"
    assert inputs.problem_widget("structure.clean_up_call.exercised") == "st_cleanup_exercised"
    assert inputs.problem_widget("structure.classes[0].floating.cap_annual") == "st_classes"


def test_stress_page_shifts_the_benchmark(app: Start) -> None:
    from ui.pages import stress

    assert "benchmark_shift_bp" in stress.SCENARIO_COLUMNS
    assert labels.LABELS["ss.col.benchmark_shift_bp"][1] == "基准利率平移(bp)"
    table = stress.default_scenarios()
    table.loc[0, "benchmark_shift_bp"] = 100.0
    scenarios, problems = stress.scenarios_of(table)
    assert problems == []
    assert scenarios[0].benchmark_shift_bp == 100.0
    assert scenarios[1].benchmark_shift_bp == 0.0
