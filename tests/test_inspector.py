"""The waterfall inspector (issue 16 item 8): every step reconciles (funds before +
received - paid = funds after; the last funds after are the cash held to the next month),
its totals are the result's lines, the three-loan deal of tests/test_default_schedule.py
reads as computed there by hand, and a Monte Carlo path picked by quantile is the path of
a direct run at that quantile of the pool loss."""

import json
from dataclasses import replace

import numpy as np
import pytest
from test_default_schedule import SCHEDULE, TAPE, deal_dict

from abs_tool import Scenario, load_deal, load_deal_pool, prepare_deal, run_scenario
from abs_tool.analysis.inspector import inspect_waterfall, inspection_xlsx, monte_carlo_path
from abs_tool.engine.deterministic import summarise_paths
from abs_tool.engine.montecarlo import simulate_assets
from abs_tool.engine.projection import HazardDefaults
from abs_tool.errors import FieldError
from abs_tool.io.dealfile import load_sample_deal
from abs_tool.io.default_schedule import load_default_schedule
from abs_tool.io.samples import sample_pool

CENT = 0.005


@pytest.fixture(scope="module")
def three_loans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deal")
    (folder / "tape.csv").write_text(TAPE)
    (folder / "schedule.csv").write_text(SCHEDULE)
    (folder / "deal.json").write_text(json.dumps(deal_dict()))
    deal = load_deal(folder / "deal.json")
    pool, _ = load_deal_pool(deal, folder)
    schedule = load_default_schedule(folder / "schedule.csv", pool=pool, horizon_months=6)
    run = run_scenario(prepare_deal(deal, pool), Scenario(default_schedule=schedule))
    return deal, run


@pytest.fixture(scope="module")
def consumer():
    deal = load_sample_deal("consumer")
    prepared = prepare_deal(deal, sample_pool("consumer"))
    return deal, prepared, run_scenario(prepared, Scenario(default_multiplier=3.0))


def reconciles(inspection, result, p=0):
    steps = inspection.steps
    k = inspection.month - 1
    np.testing.assert_allclose(steps["funds_before"] + steps["received"] - steps["paid"],
                               steps["funds_after"], atol=1e-9)
    np.testing.assert_allclose(steps["funds_before"].iloc[1:], steps["funds_after"].iloc[:-1])
    assert steps["funds_after"].iloc[-1] == pytest.approx(result.held_close[p, k], abs=1e-6)
    assert (steps["funds_after"] >= -1e-6).all()
    by_part = steps.groupby("part")["paid"].sum()
    c = result.classes
    assert by_part["interest"] == pytest.approx(c.interest_paid[p, :, k].sum(), abs=1e-9)
    principal = by_part.get("principal", 0) + by_part.get("turbo", 0) + by_part.get(
        "accelerated_principal", 0)
    assert principal == pytest.approx(c.principal_paid[p, :, k].sum(), abs=1e-9)
    assert by_part.get("fee", 0) == pytest.approx(result.fees_paid[p, :, k].sum(), abs=1e-9)
    assert by_part["residual"] == pytest.approx(
        c.residual[p, :, k].sum() + result.originator_residual[p, k], abs=1e-9)
    received = steps["received"].sum()
    cash_in = (result.pool.collections[p, k] + result.pool.call_proceeds[p, k]
               + result.reserve_open[p, k] + result.held_open[p, k])
    assert received == pytest.approx(cash_in, abs=1e-6)


def test_the_three_loan_deal_month_by_month(three_loans):
    deal, run = three_loans
    result = run.result
    for month in range(1, 7):
        reconciles(inspect_waterfall(result, deal, month), result)
    m2 = inspect_waterfall(result, deal, 2).steps.set_index(["part", "item"])
    # Hand-computed in tests/test_default_schedule.py: M2 collects 614, A's interest 9,
    # the principal due 2,400 - 800 = 1,600 of which 605 is paid.
    assert m2.loc[("collections", "interest"), "received"] == pytest.approx(14, abs=CENT)
    assert m2.loc[("interest", "A"), ["due", "paid", "shortfall"]].tolist() == pytest.approx(
        [9, 9, 0], abs=CENT)
    assert m2.loc[("principal", "notes"), ["funds_before", "due", "paid", "shortfall"]
                  ].tolist() == pytest.approx([605, 1600, 605, 995], abs=CENT)
    ledgers = inspect_waterfall(result, deal, 2).ledgers.set_index(["ledger", "item"])["value"]
    assert ledgers[("pool", "principal_deficiency")] == pytest.approx(995, abs=CENT)
    # M4 the deal ends: A's 198.459875 and C's 600 are written down, the principal due is
    # what was paid and what was written down.
    m4 = inspect_waterfall(result, deal, 4).steps.set_index(["part", "item"])
    assert m4.loc[("principal", "notes"), ["due", "paid", "shortfall"]].tolist() == (
        pytest.approx([98.515125 + 798.459875, 98.515125, 798.459875], abs=CENT))


def test_the_consumer_sample_under_stress_reconciles_every_month(consumer):
    deal, _, run = consumer
    result = run.result
    for month in range(1, result.n_periods + 1):
        inspection = inspect_waterfall(result, deal, month)
        reconciles(inspection, result)
        triggers = inspection.triggers
        np.testing.assert_allclose(triggers["headroom"], triggers["level"] - triggers["value"])
    assert len(deal.structure.triggers) == len(triggers)


def test_bad_month_or_path(three_loans):
    deal, run = three_loans
    with pytest.raises(FieldError, match=r"month: must be a whole number in 1\.\.6"):
        inspect_waterfall(run.result, deal, 7)
    with pytest.raises(FieldError, match=r"path: must be in 0\.\.0"):
        inspect_waterfall(run.result, deal, 1, path=1)


def test_the_workbook_has_the_three_tables(three_loans):
    import io

    import openpyxl

    deal, run = three_loans
    inspection = inspect_waterfall(run.result, deal, 2)
    book = openpyxl.load_workbook(io.BytesIO(inspection_xlsx(inspection)))
    assert book.sheetnames == ["Steps", "Triggers", "Ledgers"]
    assert book["Steps"].max_row == len(inspection.steps) + 1
    frame = inspection.frame()
    assert set(frame["table"]) == {"steps", "ledgers"} | ({"triggers"} if len(
        inspection.triggers) else set())


@pytest.mark.parametrize("quantile", [0.5, 0.99])
def test_a_monte_carlo_path_by_quantile_is_the_direct_runs(consumer, quantile):
    deal, _, _ = consumer
    # One recovery rate a path (not the tape's LGDs), so that the direct run below is the
    # plain engine call on the drawn fractions and rates.
    deal = replace(deal, assumptions=replace(deal.assumptions, recovery=replace(
        deal.assumptions.recovery, from_tape=False)))
    prepared = prepare_deal(deal, sample_pool("consumer"))
    picked = monte_carlo_path(prepared, quantile, paths=400, seed=11)
    # A direct run of the same paths: the pool loss of each, its quantile.
    blocks = simulate_assets(prepared, paths=400, seed=11).blocks
    fractions = np.concatenate([b.fractions for b in blocks])
    rates = np.concatenate([b.recovery for b in blocks])
    direct = summarise_paths(prepared, HazardDefaults(fractions), len(rates),
                             recovery_rate=rates).pool.loss.sum(axis=1)
    assert np.all(np.concatenate([b.weight for b in blocks]) == 1)
    assert picked.pool_loss == np.quantile(direct, quantile, method="inverted_cdf")
    assert picked.pool_loss == direct[picked.index]
    assert picked.result.pool.loss[0].sum() == picked.pool_loss
    inspection = inspect_waterfall(picked.result, deal, 6)
    reconciles(inspection, picked.result)


def test_a_path_with_the_tapes_recovery_rates_reruns_to_its_loss(consumer):
    _, prepared, _ = consumer
    picked = monte_carlo_path(prepared, 0.9, paths=200, seed=3)
    assert picked.result.pool.loss[0].sum() == picked.pool_loss
