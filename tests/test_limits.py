"""Work is bounded before it starts (docs/limits.md).

- Settings outside their documented range are refused by name at every library entry point
  (paths, seed, workers, horizon, lag, grid values, size step), before anything runs.
- A run whose estimated memory or time exceeds the budget is refused by name, with the
  limit and the value; the budget follows the environment variables.
- The estimate is an upper bound of what the engine allocates.
- Extreme but finite balances give finite figures (scaled 1/HHI).
- A long horizon costs (groups, months), not (loans, months); a long run does not hold every
  block's histograms; an interrupted run does not start the units still queued.
"""

from __future__ import annotations

import threading
import tracemalloc
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from builders import homogeneous_pool, make_deal, make_pool, tranched_deal

from abs_tool import (
    AnnualPd,
    Assumptions,
    DealDates,
    FieldError,
    InputError,
    LimitError,
    NoteClass,
    Recovery,
    Scenario,
    Structure,
    Tier,
    limits,
    prepare_deal,
    run_monte_carlo,
    run_scenario,
    sample_pool,
    scenario_grid,
    sensitivity_grid,
    structure_deal,
)
from abs_tool.analysis.structuring import with_assumption
from abs_tool.engine import montecarlo as simulation
from abs_tool.engine.montecarlo import BLOCK_PATHS, run_cost, simulate_assets
from abs_tool.model.pool_model import build_pool_model


@pytest.fixture(scope="module")
def prepared():
    return prepare_deal(tranched_deal((0, 0.1, 1.0), 0.1, 0.6, paths=1000),
                        homogeneous_pool(50, 0.02, 0.6))


def _two_classes() -> Structure:
    return Structure(classes=(NoteClass("A", Tier.SENIOR, 0.9),
                              NoteClass("Z", Tier.SUBORDINATED, 0.1)))


# --- ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"paths": 0}, r"paths: must be an integer from 1 to 10,000,000 \(got 0\)"),
    ({"paths": -5}, r"paths: must be an integer from 1 to 10,000,000 \(got -5\)"),
    ({"paths": 10**12},
     r"paths: must be an integer from 1 to 10,000,000 \(got 1,000,000,000,000\)"),
    ({"paths": True}, r"paths: must be an integer from 1 to 10,000,000 \(got True\)"),
    ({"paths": 10**5000}, r"paths: .*\(got an integer of 5,001 digits\)"),
    ({"seed": -1}, r"seed: must be an integer from 0 to 18,446,744,073,709,551,615 \(got -1\)"),
    ({"seed": 1.5}, r"seed: must be an integer .* \(got 1\.5\)"),
    ({"workers": 0}, r"workers: must be an integer from 1 to 256 \(got 0\)"),
    ({"workers": 10**6}, r"workers: must be an integer from 1 to 256 \(got 1,000,000\)"),
    ({"blocks_per_unit": 0}, r"blocks_per_unit: must be an integer from 1 to 1,024 \(got 0\)"),
    ({"importance_sampling": True, "shift": float("nan")},
     r"shift: must be a number in \[-8, 8\]"),
])
def test_monte_carlo_settings_out_of_range_are_named(prepared, kwargs, message):
    with pytest.raises(FieldError, match=message):
        run_monte_carlo(prepared, **kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"paths": 0}, r"paths: must be an integer from 1 to 10,000,000 \(got 0\)"),
    ({"seed": -3}, r"seed: must be an integer from 0 to"),
    ({"workers": -1}, r"workers: must be an integer from 1 to 256 \(got -1\)"),
])
def test_asset_simulation_settings_out_of_range_are_named(prepared, kwargs, message):
    with pytest.raises(FieldError, match=message):
        simulate_assets(prepared, **kwargs)


@pytest.mark.parametrize(("legal_final", "message"), [
    (date(9999, 12, 31), r"legal_final: the horizon from the cut-off \(2020-01-01\) to the "
                         r"legal final date is 95,759 months, over the limit of 600 months "
                         r"\(50 years\) \(got '9999-12-31'\)"),
    (date(2115, 1, 1), r"is 1,140 months, over the limit of 600 months"),
    (date(2020, 1, 20), r"legal_final: must be in a later month than `cutoff` \(2020-01-01\)"),
])
def test_the_horizon_is_at_least_a_month_and_at_most_fifty_years(legal_final, message):
    with pytest.raises(FieldError, match=message):
        DealDates(date(2020, 1, 1), date(2020, 1, 1), date(2020, 1, 1), legal_final)
    DealDates(date(2020, 1, 1), date(2020, 1, 1), date(2020, 1, 1), date(2070, 1, 1))


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Recovery(0.4, 601), r"lag_months: must be an integer from 0 to 600 \(got 601\)"),
    (lambda: Assumptions(recovery=Recovery(0.4), recovery_volatility=1e-12),
     r"recovery_volatility: must be 0 or at least 1e-06"),
])
def test_assumption_ranges(build, message):
    with pytest.raises(FieldError, match=message):
        build()


def test_a_scenario_lag_over_the_horizon_limit_is_named(prepared):
    with pytest.raises(FieldError, match=r"lag_months: must be an integer from 0 to 600 "
                                         r"\(got 1,000,000,000,000\)"):
        run_scenario(prepared, Scenario(lag_months=10**12))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cdr_annual": [0.1, float("nan")]}, r"cdr_annual\[1\]: must be in \[0, 1\) \(got nan\)"),
    ({"cdr_annual": [float("inf")]}, r"cdr_annual\[0\]: must be in \[0, 1\)"),
    ({"recovery_rate": [1.5]}, r"recovery_rate\[0\]: must be in \[0, 1\] \(got 1.5\)"),
    ({"cdr_annual": []}, r"cdr_annual: must have at least one value"),
    ({"lag_months": -1}, r"lag_months: must be an integer from 0 to 600 \(got -1\)"),
])
def test_scenario_grid_values_out_of_range_are_named(prepared, kwargs, message):
    args = {"cdr_annual": [0.1], "recovery_rate": [0.4], **kwargs}
    with pytest.raises(FieldError, match=message):
        scenario_grid(prepared, args.pop("cdr_annual"), args.pop("recovery_rate"), **args)


@pytest.mark.parametrize(("axis", "message"), [
    (("correlation", [0.1, 1.5]), r"correlation: must be in \[0, 1\) \(got 1.5\)"),
    (("recovery_rate", [float("nan")]), r"recovery_rate: must be in \[0, 1\] \(got nan\)"),
    (("lag_months", [2.5]), r"lag_months: must be in whole months in \[0, 600\] \(got 2.5\)"),
    (("lag_months", [float("inf")]), r"lag_months: must be in whole months"),
    (("default_multiplier", [-1.0]), r"default_multiplier: must be in \[0, inf\)"),
    (("pd", [1.0]), r"unknown sensitivity parameter 'pd'"),
])
def test_sensitivity_values_are_checked_before_any_cell_runs(monkeypatch, axis, message):
    def no_run(*_args, **_kwargs):
        raise AssertionError("a cell ran")

    monkeypatch.setattr("abs_tool.analysis.structuring.run_monte_carlo", no_run)
    deal = tranched_deal((0, 0.1, 1.0), 0.1, 0.6, paths=1000)
    with pytest.raises(FieldError, match=message):
        sensitivity_grid(deal, homogeneous_pool(50, 0.02, 0.6), ("cpr_annual", [0.0]), axis)
    if axis[0] != "pd":
        with pytest.raises(FieldError, match=message):
            with_assumption(deal, axis[0], axis[1][-1])


def test_a_size_grid_finer_than_the_limit_is_refused():
    deal = tranched_deal((0, 0.1, 1.0), 0.1, 0.6, paths=1000, targets=["AA", None])
    with pytest.raises(FieldError, match=r"size_step_share: must be in \[0.0001, 0.1\] "
                                         r"\(got 1e-09\)"):
        structure_deal(deal, homogeneous_pool(50, 0.02, 0.6), size_step_share=1e-9)


def test_more_sectors_than_the_limit_are_refused():
    pool = make_pool(np.ones(limits.MAX_SECTORS + 1))
    loans = pool.loans.assign(region=[f"R{i}" for i in range(len(pool))])
    with pytest.raises(LimitError, match=r"assumptions.sector_column: the pool has 101 "
                                         r"distinct `region` values, over the limit of 100"):
        build_pool_model(replace(pool, loans=loans), AnnualPd(), 12, None, "region")


# --- budgets ------------------------------------------------------------------------------


def test_a_run_over_the_memory_budget_is_refused_before_it_starts(prepared, monkeypatch):
    monkeypatch.setenv(limits.MEMORY_ENV, "1")
    with pytest.raises(LimitError, match=r"run.paths: a run of 1,000 paths of 1 groups over "
                                         r"12 months on 1 worker\(s\) needs about .* of memory, "
                                         r"over the limit of 1 MiB \(got 1,000\); .*"
                                         r"ABS_TOOL_MAX_MEMORY_MB"):
        run_monte_carlo(prepared, workers=1)
    with pytest.raises(LimitError, match=r"^paths: a run of 200,000 paths, kept for "
                                         r"structuring,"):
        simulate_assets(prepared, paths=200_000)


def test_too_many_workers_are_named_when_one_would_fit(prepared, monkeypatch):
    one = run_cost(prepared, 100_000).bytes
    monkeypatch.setenv(limits.MEMORY_ENV, str(1.5 * one / 2**20))
    with pytest.raises(LimitError, match=r"^workers: .* \(got 8\)"):
        run_monte_carlo(prepared, paths=100_000, workers=8)
    # Left to choose, the run takes as many workers as fit, with the same numbers.
    chosen = run_monte_carlo(prepared, paths=3 * BLOCK_PATHS)
    single = run_monte_carlo(prepared, paths=3 * BLOCK_PATHS, workers=1)
    assert [c.expected_loss for c in chosen.classes] == [c.expected_loss
                                                         for c in single.classes]


def test_a_run_over_the_time_budget_is_refused(prepared, monkeypatch):
    monkeypatch.setenv(limits.SECONDS_ENV, "0.001")
    with pytest.raises(LimitError, match=r"paths: a run of 2,000,000 paths .* would take "
                                         r"about .*, over the limit of 0 s \(got 2,000,000\); "
                                         r".*ABS_TOOL_MAX_SECONDS"):
        run_monte_carlo(prepared, paths=2_000_000)
    deal = tranched_deal((0, 0.1, 1.0), 0.1, 0.6, paths=1000)
    with pytest.raises(LimitError, match=r"paths: a sensitivity grid of 4 cells"):
        sensitivity_grid(deal, homogeneous_pool(50, 0.02, 0.6), ("cpr_annual", [0.0, 0.1]),
                         ("correlation", [0.1, 0.2]))


def test_a_scenario_grid_over_the_budget_is_refused(prepared, monkeypatch):
    monkeypatch.setenv(limits.MEMORY_ENV, "2")
    with pytest.raises(LimitError, match=r"cdr_annual: a grid of 1,000,000 scenarios over 12 "
                                         r"months .* \(got 1,000 x 1,000\)"):
        scenario_grid(prepared, np.linspace(0, 0.5, 1000), np.linspace(0, 1, 1000))


def test_schedules_over_the_budget_are_refused(monkeypatch):
    monkeypatch.setenv(limits.MEMORY_ENV, "1")
    with pytest.raises(LimitError, match=r"pool: the payment schedules of 20,000 loans over "
                                         r"24 months in 1 groups need"):
        build_pool_model(sample_pool("consumer"), AnnualPd((("A", 0.01), ("B", 0.01),
                                                           ("C", 0.01), ("D", 0.01),
                                                           ("E", 0.01))), 36)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_budget_variable_that_is_no_positive_number_is_named(prepared, monkeypatch, value):
    monkeypatch.setenv(limits.MEMORY_ENV, value)
    with pytest.raises(InputError, match=rf"ABS_TOOL_MAX_MEMORY_MB must be a number > 0 "
                                         rf"\(got '{value}'\)"):
        run_monte_carlo(prepared, paths=10)


# --- the estimate -------------------------------------------------------------------------


def _peak(task) -> int:
    tracemalloc.start()
    try:
        task()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_estimate_bounds_what_the_engine_allocates():
    deal = make_deal(_two_classes(), Assumptions(), months=36)
    pool = sample_pool("consumer", n_loans=3000)
    prepared = prepare_deal(deal, pool)
    schedules = limits.estimate(months=36, loans=3000, schedule_months=pool.max_term_months,
                                groups=prepared.model.n_groups)
    assert 0 < _peak(lambda: prepare_deal(deal, pool)) <= schedules.bytes
    paths = 2 * BLOCK_PATHS
    assert 0 < _peak(lambda: run_monte_carlo(prepared, paths=paths, workers=1)) <= run_cost(
        prepared, paths).bytes


def test_a_long_horizon_costs_groups_by_months_not_loans_by_months():
    pool = sample_pool("consumer", n_loans=20_000)
    short = make_deal(_two_classes(), Assumptions(), months=36)
    long = replace(short, dates=replace(short.dates, legal_final=date(2070, 1, 1)))
    assert _peak(lambda: prepare_deal(long, pool)) < 3 * _peak(lambda: prepare_deal(short, pool))
    model, longer = prepare_deal(short, pool).model, prepare_deal(long, pool).model
    for name in ("interest", "principal", "fee", "balance_end"):
        padded = getattr(longer.initial, name)
        assert np.array_equal(padded[:, :36], getattr(model.initial, name))
        assert not padded[:, 36:].any()


def test_a_long_run_does_not_keep_every_block(prepared):
    few = _peak(lambda: run_monte_carlo(prepared, paths=6 * BLOCK_PATHS, workers=1))
    many = _peak(lambda: run_monte_carlo(prepared, paths=60 * BLOCK_PATHS, workers=1))
    assert many - few < 6e6  # holding every block's sums costs 0.33 MB a block


def test_an_interrupted_run_starts_no_more_units(prepared, monkeypatch):
    started = []
    real = simulation._simulate_unit

    def counted(*args):
        started.append(1)
        return real(*args)

    def interrupt(done, total):
        raise KeyboardInterrupt

    monkeypatch.setattr(simulation, "_simulate_unit", counted)
    with pytest.raises(KeyboardInterrupt):
        run_monte_carlo(prepared, paths=40 * BLOCK_PATHS, workers=1, blocks_per_unit=1,
                        progress=interrupt)
    assert len(started) <= 2  # the first unit, and at most one the worker had begun
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(simulation.CancelledError):
        run_monte_carlo(prepared, paths=10, cancel=cancel)


# --- extreme amounts ----------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-300, 1e200])
def test_extreme_balances_give_finite_figures(scale):
    balances = np.array([3.0, 1.0, 1.0, 2.0, 5.0]) * scale
    pool = make_pool(balances)
    deal = replace(make_deal(_two_classes(), Assumptions(correlation=0.1), months=6),
                   run=replace(make_deal(_two_classes(), Assumptions()).run, paths=500))
    prepared = prepare_deal(deal, pool)
    # 1/HHI of balances 3, 1, 1, 2, 5: 12^2 / 40
    assert prepared.model.effective_count == pytest.approx([144 / 40], rel=1e-12)
    result = run_monte_carlo(prepared)
    assert all(np.isfinite([c.expected_loss.value, c.pd.value]).all() for c in result.classes)


def test_the_memory_estimate_counts_every_output_row_of_the_engine():
    """The per path-month doubles of the estimate are the engine's output rows: the pool's and
    the accounts' (plus one for the four flag rows of one byte each), and every class row; a
    row added to the kernel without the estimate fails here."""
    from abs_tool import limits
    from abs_tool.engine import kernel

    assert len(kernel.POOL_ROWS) + len(kernel.ACCOUNT_ROWS) + 1 == limits._PATH_BASE
    assert len(kernel.FLAG_ROWS) <= 8
    assert len(kernel.CLASS_ROWS) == limits._PATH_PER_CLASS
    assert len(kernel.FEE_ROWS) == limits._PATH_PER_FEE
