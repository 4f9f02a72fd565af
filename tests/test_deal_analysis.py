"""One analysis per run (:mod:`abs_tool.analysis.deal_analysis`): the figures of the library's
individual functions, typed ratings whose metric and threshold explain them, precomputed
parts used as given, an undefined cost that leaves the rest standing, and a term sheet that
only lays the analysis out."""

from __future__ import annotations

import ast
import dataclasses
import io
import math
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from abs_tool import (
    FieldError,
    InputError,
    Scenario,
    analyse,
    break_even,
    build_term_sheet_inputs,
    cost_of_funds,
    load_deal_pool,
    load_sample_deal,
    pool_summary,
    prepare_deal,
    run_monte_carlo,
    run_scenario,
    structure_deal,
    term_sheet_bytes,
)
from abs_tool.analysis import break_even as break_even_module
from abs_tool.analysis.deal_analysis import (
    RATING_CRITERIA,
    ClassRating,
    class_ratings,
    target_default_rates,
)
from abs_tool.analysis.rating import (
    bdr_tdr_pass,
    dirr_rating,
    el_rating,
    pd_rating,
    rating_threshold,
    tdr,
)
from abs_tool.engine import montecarlo
from abs_tool.engine.montecarlo import Estimate
from abs_tool.model.deal import UpfrontFee
from abs_tool.model.scales import NOT_RATED, to_local_scale
from abs_tool.report.tables import analysis_dict

EXCEL_PACKAGE = Path(__file__).resolve().parents[1] / "abs_tool" / "report" / "excel"
MC_PATHS, MC_SEED = 2048, 7
KINDS = {"el": "el", "pd": "pd", "dirr": "dirr_bp"}  # criterion -> rating-table kind


@pytest.fixture(scope="module")
def consumer():
    """The consumer sample deal, a small seeded Monte Carlo of it and its analysis."""
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    mc = run_monte_carlo(prepared, paths=MC_PATHS, seed=MC_SEED, workers=1)
    return prepared, mc, analyse(prepared, monte_carlo=mc)


def test_deterministic_figures_equal_the_library_functions(consumer):
    prepared, _, analysis = consumer
    bdrs = break_even(prepared)
    assert analysis.break_evens == bdrs
    assert analysis.cost == cost_of_funds(prepared)
    base = run_scenario(prepared)
    np.testing.assert_array_equal(analysis.base.metrics.loss_pv, base.metrics.loss_pv)
    np.testing.assert_array_equal(analysis.base.result.classes.balance_close,
                                  base.result.classes.balance_close)
    # The stress case is the break-even of the most junior placed class, the mezzanine.
    mezz = prepared.deal.structure.classes[1]
    assert (analysis.stress_class, analysis.stress_multiplier) == (mezz.name,
                                                                   bdrs[1].multiplier)
    stress = run_scenario(prepared, Scenario(default_multiplier=bdrs[1].multiplier))
    np.testing.assert_array_equal(analysis.stress.metrics.loss_pv, stress.metrics.loss_pv)
    np.testing.assert_equal(dataclasses.astuple(analysis.summary),
                            dataclasses.astuple(pool_summary(prepared.pool)))
    # Shares of the notes below each class, by hand; credit enhancement adds the reserve.
    balances = np.asarray(prepared.class_balances)
    below = [balances[j + 1:].sum() / balances.sum() for j in range(len(balances))]
    assert analysis.attachment_points == pytest.approx(below, abs=1e-15)
    reserve = prepared.deal.structure.reserve.initial_share
    assert analysis.credit_enhancement == pytest.approx([b + reserve for b in below],
                                                        abs=1e-15)
    assert analysis.class_balances == prepared.class_balances


def test_ratings_and_tdrs_equal_the_criteria_functions(consumer):
    prepared, mc, analysis = consumer
    for c, be, rating, targets in zip(mc.classes, break_even(prepared), analysis.ratings,
                                      analysis.target_default_rates, strict=True):
        wal = c.wal_years.value
        tdrs = tdr(mc.pool_default_rate.quantile_array, wal_years=min(wal, 10.0))
        expected = {"el": el_rating(min(c.expected_loss.value, 1.0), min(wal, 10.0)),
                    "pd": pd_rating(min(c.pd.value, 1.0), wal),
                    "dirr": dirr_rating(c.dirr_bp.value),
                    "tdr": bdr_tdr_pass(be.default_rate, tdrs)}
        assert isinstance(rating, ClassRating)
        assert rating.class_name == targets.class_name == c.name
        assert [r.criterion for r in rating.criteria()] == list(RATING_CRITERIA)
        assert {r.criterion: r.moodys for r in rating.criteria()} == {
            k: str(v) for k, v in expected.items()}
        assert rating.local() == {k: str(to_local_scale(v)) for k, v in expected.items()}
        assert targets.bdr == be.default_rate
        assert targets.targets == tdrs
        levels = {str(to_local_scale(r)): v for r, v in tdrs.by_rating().items()}
        assert targets.by_rating() == levels
        assert targets.passes() == {k: be.default_rate >= v for k, v in levels.items()}


@pytest.mark.parametrize("criterion", ["el", "pd", "dirr"])
def test_a_rating_is_the_best_whose_bound_the_class_meets(consumer, criterion):
    _, mc, analysis = consumer
    table = dict(zip(("el", "pd", "dirr"), analysis.rating_tables.resolved(),
                     strict=True))[criterion]
    for c, rating in zip(mc.classes, analysis.ratings, strict=True):
        r = getattr(rating, criterion)
        wal = c.wal_years.value
        horizon = min(wal, 10.0) if criterion == "el" else wal
        bounds = {s: rating_threshold(KINDS[criterion], s, horizon, table)
                  for s in table.ratings}
        if r.moodys == NOT_RATED:
            assert math.isnan(r.threshold)
            assert math.isnan(r.metric) or r.metric > max(bounds.values())
            continue
        assert r.threshold == bounds[r.moodys]
        assert r.metric <= r.threshold * (1 + 1e-12)
        better = table.ratings[:table.ratings.index(r.moodys)]
        assert all(r.metric > bounds[s] for s in better), (c.name, r)


def test_the_tdr_rating_is_the_best_level_the_bdr_withstands(consumer):
    _, _, analysis = consumer
    for rating, targets in zip(analysis.ratings, analysis.target_default_rates, strict=True):
        r, by_rating = rating.tdr, targets.targets.by_rating()
        assert r.metric == targets.bdr
        if r.moodys == NOT_RATED:
            assert all(v > r.metric for v in by_rating.values())
            continue
        assert r.threshold == by_rating[r.moodys] <= r.metric
        better = targets.targets.ratings[:targets.targets.ratings.index(r.moodys)]
        assert all(by_rating[s] > r.metric for s in better)


def test_a_class_without_a_wal_is_not_rated(consumer):
    prepared, mc, analysis = consumer
    never_paid = dataclasses.replace(mc.classes[0], wal_years=Estimate(math.nan, math.nan))
    sim = dataclasses.replace(mc, classes=(never_paid, *mc.classes[1:]))
    targets = target_default_rates(sim, analysis.break_evens)
    assert targets[0].targets is None
    assert (targets[0].by_rating(), targets[0].passes()) == ({}, {})
    rating = class_ratings(sim, targets)[0]
    assert rating.local() == dict.fromkeys(RATING_CRITERIA, NOT_RATED)
    assert all(math.isnan(r.threshold) for r in rating.criteria())
    assert [r.local() for r in class_ratings(sim, targets)[1:]] == [
        r.local() for r in analysis.ratings[1:]]


def test_precomputed_parts_are_used_not_recomputed(consumer, count_calls):
    prepared, mc, analysis = consumer
    runs = count_calls(montecarlo, "run_monte_carlo")
    searches = count_calls(break_even_module, "break_even")
    given = analyse(prepared, monte_carlo=mc, break_evens=analysis.break_evens)
    assert (len(runs), len(searches)) == (0, 0)
    assert given.monte_carlo is mc
    assert given.break_evens == analysis.break_evens
    deterministic = analyse(prepared, monte_carlo=False)
    assert (len(runs), len(searches)) == (0, 1)
    assert (deterministic.monte_carlo, deterministic.ratings,
            deterministic.target_default_rates) == (None, None, None)
    # Nothing given: both run, the simulation with the deal's own settings.
    deal = prepared.deal
    own = dataclasses.replace(deal, run=dataclasses.replace(deal.run, paths=MC_PATHS,
                                                            seed=MC_SEED))
    everything = analyse(prepare_deal(own, prepared.pool))
    assert (len(runs), len(searches)) == (1, 2)
    assert [r.local() for r in everything.ratings] == [r.local() for r in analysis.ratings]


def test_a_sizing_gives_its_own_simulation_and_break_evens(consumer, count_calls):
    prepared, mc, analysis = consumer
    sized = structure_deal(prepared.deal, prepared.pool, paths=1024, seed=MC_SEED, workers=1)
    runs = count_calls(montecarlo, "run_monte_carlo")
    searches = count_calls(break_even_module, "break_even")
    result = analyse(prepare_deal(sized.deal, prepared.pool), structuring=sized)
    assert (len(runs), len(searches)) == (0, 0)
    assert result.monte_carlo is sized.monte_carlo
    assert result.break_evens == sized.break_even
    assert result.rating_tables.names == sized.tables.names
    with pytest.raises(InputError, match="give `structuring` alone"):
        analyse(prepare_deal(sized.deal, prepared.pool), monte_carlo=mc, structuring=sized)
    with pytest.raises(InputError, match="`structuring` sized another deal"):
        analyse(prepared, structuring=sized)


def test_parts_of_other_classes_are_refused(consumer):
    prepared, mc, analysis = consumer
    renamed = dataclasses.replace(mc, classes=tuple(
        dataclasses.replace(c, name=f"X{j}") for j, c in enumerate(mc.classes)))
    with pytest.raises(InputError, match=r"`monte_carlo` is for classes \['X0', 'X1', 'X2'\]"):
        analyse(prepared, monte_carlo=renamed, break_evens=analysis.break_evens)
    with pytest.raises(InputError, match="`break_evens` is for classes"):
        analyse(prepared, monte_carlo=False, break_evens=analysis.break_evens[:2])


def test_an_undefined_cost_leaves_the_rest_of_the_analysis(consumer):
    prepared, mc, analysis = consumer
    deal = prepared.deal
    costly = dataclasses.replace(deal, structure=dataclasses.replace(
        deal.structure, upfront_fees=(UpfrontFee("rating", fixed=1e10),)))  # > the notes
    refused = analyse(prepare_deal(costly, prepared.pool), monte_carlo=mc,
                      break_evens=analysis.break_evens)
    assert refused.cost_refusal[0] == "structure.upfront_fees"
    match = "upfront fees take all the proceeds"
    with pytest.raises(FieldError, match=match):
        _ = refused.cost
    with pytest.raises(FieldError, match=match):
        _ = refused.risks
    with pytest.raises(FieldError, match=match):
        build_term_sheet_inputs(refused)
    assert [r.local() for r in refused.ratings] == [r.local() for r in analysis.ratings]


def test_the_results_json_needs_a_monte_carlo(consumer):
    prepared, _, analysis = consumer
    data = analysis_dict(analysis)
    assert data["deal"] == prepared.deal.name
    assert data["cost_of_funds"]["all_in"] == analysis.cost.all_in
    assert [row["tdr_pass"] for row in data["classes"]] == [
        t.passes() for t in analysis.target_default_rates]
    with pytest.raises(InputError, match="needs an analysis with a Monte Carlo result"):
        analysis_dict(analyse(prepared, monte_carlo=False, break_evens=analysis.break_evens))


def test_the_term_sheet_package_imports_no_engine():
    for path in sorted(EXCEL_PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module]
        imported += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for a in node.names]
        assert not [m for m in imported if m.startswith("abs_tool.engine")], path.name


def test_the_term_sheet_is_a_layout_of_the_analysis(consumer):
    """The same figures, reached by computing the slow parts or by passing them in, give the
    same workbook cell for cell."""
    prepared, mc, analysis = consumer
    given = analyse(prepared, monte_carlo=mc, break_evens=break_even(prepared))
    given = dataclasses.replace(given, created=analysis.created)

    def cells(one):
        wb = load_workbook(io.BytesIO(term_sheet_bytes(build_term_sheet_inputs(one), "zh")))
        return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows()
                for c in row if c.value is not None}

    assert cells(given) == cells(analysis)
