"""Stress tests (abs_tool.analysis.stress, docs/stress.md): the table's BDRs are the
break-even search run directly on each scenario's deal; timing, multiples and the highest
rating behave as stated; every refusal names its field; the CLI writes JSON and XLSX."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import numpy as np
import openpyxl
import pytest
from builders import make_deal, make_pool

from abs_tool import (
    Assumptions,
    Cpr,
    LifetimeDefault,
    NoteClass,
    Pool,
    Recovery,
    Structure,
    Tier,
    break_even,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
)
from abs_tool.analysis.deal_analysis import ClassTdr
from abs_tool.analysis.rating import TargetDefaultRates
from abs_tool.analysis.stress import (
    DEFAULT_SCENARIOS,
    INDICATIVE_MULTIPLES,
    RatingMultiples,
    StressScenario,
    base_case,
    reshape_timing,
    scenarios_from_json,
    stress_table,
    timing_default,
)
from abs_tool.cli import main
from abs_tool.errors import AssumptionError, FieldError, InputError
from abs_tool.model.scales import LOCAL_SCALE, NOT_RATED
from abs_tool.report.stress_xlsx import SHEET, stress_workbook_bytes

SUB = "次级"  # the consumer sample's subordinated class: its BDR is excess spread at work


@pytest.fixture(scope="module")
def consumer():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    return prepare_deal(deal, pool)


@pytest.fixture(scope="module")
def table(consumer):
    return stress_table(consumer)


def _bdrs(prepared):
    return [(b.class_name, b.default_rate, b.multiplier, b.loses) for b in break_even(prepared)]


def _cells(table, scenario):
    return [(c.class_name, c.bdr, c.multiplier, c.loses)
            for c in next(r for r in table.scenarios if r.scenario.name == scenario).classes]


# --------------------------------------------------------------------------------------------
# The BDRs are break_even's


def test_base_scenario_bdr_is_break_even_of_the_deal_as_is(consumer, table):
    assert _cells(table, "base") == _bdrs(consumer)  # bit for bit


def _scenario_deal_by_hand(prepared, name):
    """Each indicative scenario's deal built here from its definition (docs/stress.md),
    independently of the module's own construction and its sharing of pool models."""
    deal, pool = prepared.deal, prepared.pool
    a = deal.assumptions
    loans = pool.loans.copy()
    if name in ("front-loaded defaults", "back-loaded defaults"):
        power = 0.5 if name.startswith("front") else 2.0
        a = replace(a, default=timing_default(base_case(prepared), power))
    elif name in ("high prepayment", "low prepayment"):
        m = 2.0 if name.startswith("high") else 0.5
        a = replace(a, prepayment=Cpr(tuple(c * m for c in a.prepayment.annual)))
    elif name == "lower recovery":
        a = replace(a, recovery=replace(a.recovery, rate=a.recovery.rate * 0.5))
        loans["lgd"] = 1 - (1 - loans["lgd"]) * 0.5
        pool = Pool(loans, pool.name)
    elif name == "later recovery":
        a = replace(a, recovery=replace(a.recovery, lag_months=a.recovery.lag_months + 6))
    elif name == "yield compression":
        loans["rate"] = np.maximum(loans["rate"] - 0.02, 0)
        pool = Pool(loans, pool.name)
    return prepare_deal(replace(deal, assumptions=a), pool)


@pytest.mark.parametrize("name", [s.name for s in DEFAULT_SCENARIOS])
def test_every_scenario_bdr_is_break_even_on_its_own_deal(consumer, table, name):
    assert _cells(table, name) == _bdrs(_scenario_deal_by_hand(consumer, name))


def test_the_scenarios_change_the_bdrs_they_should(table):
    base = {c[0]: c[1] for c in _cells(table, "base")}
    for name in ("lower recovery", "yield compression", "high prepayment"):
        stressed = {c[0]: c[1] for c in _cells(table, name)}
        assert all(stressed[k] < base[k] for k in base), (name, stressed, base)


# --------------------------------------------------------------------------------------------
# Timing


def test_reshape_timing_keeps_the_total_and_the_months_with_defaults():
    tau = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.0])
    np.testing.assert_allclose(reshape_timing(tau, 1.0), tau, atol=1e-15)
    front, back = reshape_timing(tau, 0.5), reshape_timing(tau, 2.0)
    for shaped in (front, back):
        assert shaped.sum() == pytest.approx(1.0, abs=1e-12)
        assert (shaped[[0, 5]] == 0).all()
        assert (shaped[1:5] > 0).all()
    # C(t)^0.5 >= C(t) >= C(t)^2: earlier, later.
    assert (np.cumsum(front) >= np.cumsum(tau) - 1e-12).all()
    assert (np.cumsum(back) <= np.cumsum(tau) + 1e-12).all()
    np.testing.assert_allclose(np.cumsum(front), np.sqrt(np.cumsum(tau)), atol=1e-12)


def test_front_loading_moves_defaults_earlier_keeping_the_lifetime_rate(table):
    rows = {r.scenario.name: r for r in table.scenarios}
    base, front, back = (rows[n] for n in ("base", "front-loaded defaults",
                                           "back-loaded defaults"))
    assert front.mean_default_month < base.mean_default_month - 2  # 5.9 against 8.7
    assert back.mean_default_month > base.mean_default_month + 2  # 11.5
    # The reshaped amounts are spread over the base path's purchases: same lifetime rate.
    for row in (front, back):
        assert row.lifetime_default_rate == pytest.approx(base.lifetime_default_rate,
                                                          rel=2e-3)


def test_front_loading_lowers_the_bdr_of_the_class_living_on_excess_spread(table):
    # The subordinated class loses at a 3.8% default rate with 12% of the pool below the
    # notes above it: its BDR is the excess spread, which yield compression takes away.
    base = table.cell("base", SUB).bdr
    assert table.cell("yield compression", SUB).bdr < 0.8 * base
    # Against the same default model with the base timing (lifetime form, power 1), the
    # front-loaded timing removes interest-earning balance earlier: a lower BDR.
    reference = {b.class_name: b.default_rate for b in table.lifetime_reference}
    assert table.cell("front-loaded defaults", SUB).bdr < 0.95 * reference[SUB]


def test_front_loading_lowers_the_mezzanine_bdr_of_a_lifetime_default_deal():
    # A static pool of level-pay 12% loans, 2% lifetime defaults spread evenly over 24
    # months, no recovery, no revolving: the base row and the timing rows use the same
    # default model. B sits on 10% subordination yet breaks only near 18%: excess spread.
    pool = make_pool([1.0] * 200, rate=0.12, term=24, amortization="level")
    assumptions = Assumptions(default=LifetimeDefault(0.02, (1 / 24,) * 24),
                              recovery=Recovery(0.0, 0))
    structure = Structure(classes=(
        NoteClass("A", Tier.SENIOR, 0.8, coupon_annual=0.04),
        NoteClass("B", Tier.MEZZANINE, 0.1, coupon_annual=0.06),
        NoteClass("S", Tier.SUBORDINATED, 0.1)))
    prepared = prepare_deal(make_deal(structure, assumptions, months=30), pool)
    result = stress_table(prepared, [StressScenario("base"),
                                     StressScenario("front", timing="front")])
    base, front = result.cell("base", "B"), result.cell("front", "B")
    assert base.bdr > 0.15  # 10% subordination + excess spread
    assert front.bdr < base.bdr - 0.003, (front.bdr, base.bdr)
    rows = {r.scenario.name: r for r in result.scenarios}
    assert rows["front"].mean_default_month < rows["base"].mean_default_month
    # The lifetime form of this deal's own base case is the deal itself.
    reference = {b.class_name: b.default_rate for b in result.lifetime_reference}
    assert reference["B"] == pytest.approx(base.bdr, abs=1e-9)


def test_a_timing_stress_needs_defaults_in_the_base_case():
    pool = make_pool([1.0] * 10, pd_annual=0.0)
    structure = Structure(classes=(NoteClass("A", Tier.SENIOR, 0.9),
                                   NoteClass("S", Tier.SUBORDINATED, 0.1)))
    prepared = prepare_deal(make_deal(structure, Assumptions()), pool)
    with pytest.raises(AssumptionError, match=r"assumptions\.default: the base case has no "
                                              "defaults"):
        stress_table(prepared, [StressScenario("front", timing="front")])


# --------------------------------------------------------------------------------------------
# TDR, pass/fail, highest rating


def test_tdr_is_the_multiple_times_the_base_rate(table):
    assert table.tdr_source == "multiples"
    rate = table.base_lifetime_default_rate
    for row in table.scenarios:
        for c in row.classes:
            assert c.tdr_by_rating() == {r: m * rate for r, m in INDICATIVE_MULTIPLES}
            assert c.passes == tuple(c.bdr >= t for t in c.tdr)


def test_higher_multiples_mean_higher_tdrs_and_fewer_passes(consumer):
    scenarios = [StressScenario("base"), StressScenario("yield", yield_compression_annual=0.02)]
    results = [stress_table(consumer, scenarios, RatingMultiples(
        tuple((r, m * k) for r, m in INDICATIVE_MULTIPLES))) for k in (1.0, 1.5, 3.0, 8.0)]
    passes = [sum(ok for row in t.scenarios for c in row.classes for ok in c.passes)
              for t in results]
    assert passes == sorted(passes, reverse=True)
    assert passes[0] > passes[-1], passes
    for lower, higher in zip(results, results[1:], strict=False):
        for r1, r2 in zip(lower.scenarios, higher.scenarios, strict=True):
            for c1, c2 in zip(r1.classes, r2.classes, strict=True):
                assert all(t2 > t1 for t1, t2 in zip(c1.tdr, c2.tdr, strict=True))
                assert c2.bdr == c1.bdr
                assert all(p1 or not p2 for p1, p2 in zip(c1.passes, c2.passes, strict=True))


def _worst(ratings):
    return max(ratings, key=lambda r: len(LOCAL_SCALE) if r == NOT_RATED
               else LOCAL_SCALE.index(r))


def test_highest_rating_is_the_worst_over_scenarios(table):
    for name in table.class_names:
        per_scenario = [table.cell(row.scenario.name, name).highest_rating
                        for row in table.scenarios]
        assert table.highest_rating(name) == _worst(per_scenario)
    # The subordinated class fails AA under yield compression (2.43% < 2.44%).
    assert table.highest_rating(SUB) == "A"


def test_monte_carlo_tdrs_replace_the_multiples(consumer):
    names = [c.name for c in consumer.deal.structure.classes]
    targets = [ClassTdr(name, 0.0, TargetDefaultRates(("Aaa", "Aa2", "A2"), (0.99, 0.9, 0.8),
                                                      (0.30, 0.05, 0.01), 1.0, "t", None))
               for name in names]
    result = stress_table(consumer, [StressScenario("base")], target_default_rates=targets)
    assert result.tdr_source == "monte_carlo"
    senior = result.cell("base", names[0])
    assert senior.tdr_by_rating() == {"AAA": 0.30, "AA": 0.05, "A": 0.01}
    assert senior.passes_by_rating() == {"AAA": False, "AA": True, "A": True}
    assert result.highest_rating(names[0]) == "AA"
    with pytest.raises(InputError, match=r"`target_default_rates` are for classes \['X'\]"):
        stress_table(consumer, target_default_rates=[replace(targets[0], class_name="X")])


# --------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"name": ""}, r"^name: must be text of 1 to 60"),
    ({"name": "x", "timing": "middle"}, r"^timing: must be one of \['base', 'front', 'back'\]"),
    ({"name": "x", "timing_power": 0.5}, r"^timing_power: applies to timing 'front' or 'back'"),
    ({"name": "x", "timing": "front", "timing_power": 2.0},
     r"^timing_power: must be in \(1/20, 1\) for timing 'front'"),
    ({"name": "x", "timing": "back", "timing_power": 0.5},
     r"^timing_power: must be in \(1, 20\] for timing 'back'"),
    ({"name": "x", "cpr_multiplier": -1}, r"^cpr_multiplier: must be a number >= 0"),
    ({"name": "x", "cpr_annual": 1.0}, r"^cpr_annual: must be in \[0, 1\)"),
    ({"name": "x", "cpr_annual": 0.1, "cpr_multiplier": 2.0},
     r"^cpr_annual: give either cpr_annual or cpr_multiplier"),
    ({"name": "x", "recovery_multiplier": math.nan}, r"^recovery_multiplier: must be a number"),
    ({"name": "x", "recovery_rate": 1.5}, r"^recovery_rate: must be in \[0, 1\]"),
    ({"name": "x", "recovery_rate": 0.2, "recovery_multiplier": 0.5},
     r"^recovery_rate: give either recovery_rate or recovery_multiplier"),
    ({"name": "x", "extra_lag_months": 1.5}, r"^extra_lag_months: must be an integer"),
    ({"name": "x", "yield_compression_annual": 2.0},
     r"^yield_compression_annual: must be in \[0, 1\), an annual decimal"),
])
def test_a_bad_scenario_names_its_field(kwargs, match):
    with pytest.raises(FieldError, match=match):
        StressScenario(**kwargs)


@pytest.mark.parametrize(("pairs", "match"), [
    ((("AAA", 4.5), ("XX", 2.0)), r"^multiples\['XX'\]: unknown rating"),
    ((("AAA", 4.5), ("AAA", 3.0)), r"^multiples\['AAA'\]: given twice"),
    ((("AAA", 0.0),), r"^multiples\['AAA'\]: must be a number > 0"),
    ((("AA", 3.5), ("AAA", 3.0)), r"^multiples\['AAA'\]: 3 is below AA's 3.5"),
    ((), r"^multiples: give at least one rating level"),
])
def test_bad_multiples_name_the_rating(pairs, match):
    with pytest.raises(FieldError, match=match):
        RatingMultiples(pairs)


def test_multiples_are_stored_best_first_and_labelled():
    assert RatingMultiples().indicative
    user = RatingMultiples.from_mapping({"BBB": 2.0, "AAA": 5.0})
    assert user.multiples == (("AAA", 5.0), ("BBB", 2.0))
    assert not user.indicative


@pytest.mark.parametrize(("data", "match"), [
    ({"other": []}, r"^scenarios: must be a list"),
    ([], r"^scenarios: must hold at least one scenario"),
    (["base"], r"^scenarios\[0\]: must be an object"),
    ([{"timing": "front"}], r"^scenarios\[0\]\.name: missing"),
    ([{"name": "a"}, {"name": "b", "cpr_multipler": 2}],
     r"^scenarios\[1\]\.cpr_multipler: unknown field"),
    ([{"name": "a", "cpr_multiplier": None}], r"^scenarios\[0\]\.cpr_multiplier: must be a"),
    ([{"name": "a"}, {"name": "a"}], r"^scenarios\[1\]\.name: repeats the name 'a'"),
    ([{"name": str(i)} for i in range(101)], r"^scenarios: at most 100 scenarios"),
])
def test_a_bad_scenario_file_names_the_field(data, match):
    with pytest.raises(FieldError, match=match):
        scenarios_from_json(data)


def test_scenarios_round_trip_through_the_json(table):
    data = json.loads(json.dumps(table.to_dict()))
    assert scenarios_from_json(data) == tuple(
        replace(s, timing_power=None if s.timing == "base" else s.power)
        for s in DEFAULT_SCENARIOS)


def test_a_lag_past_the_limit_names_the_field(consumer):
    with pytest.raises(FieldError, match=r"^extra_lag_months: the deal's lag of 6 months plus"):
        stress_table(consumer, [StressScenario("late", extra_lag_months=600)])


# --------------------------------------------------------------------------------------------
# Outputs


def test_cli_writes_json_and_xlsx(tmp_path, capsys):
    out_json, out_xlsx = tmp_path / "stress.json", tmp_path / "stress.xlsx"
    assert main(["stress", "consumer", "--out-json", str(out_json),
                 "--out-xlsx", str(out_xlsx)]) == 0
    printed = capsys.readouterr().out
    assert "highest rating passed in every scenario" in printed
    assert "indicative, editable" in printed
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert {"scenarios", "classes", "base_lifetime_default_rate", "tdr_source",
            "indicative"} <= set(data)
    assert data["indicative"] is True
    assert data["tdr_source"] == "multiples"
    assert [s["name"] for s in data["scenarios"]] == [s.name for s in DEFAULT_SCENARIOS]
    for cls in data["classes"].values():
        assert cls["highest_rating"] in (*LOCAL_SCALE, NOT_RATED)
        for cell in cls["scenarios"].values():
            assert {"bdr", "tdr", "passes"} <= set(cell)
            assert set(cell["tdr"]) == set(cell["passes"]) == {"AAA", "AA", "A", "BBB"}
    wb = openpyxl.load_workbook(out_xlsx)
    ws = wb[SHEET]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "优先A级" in values
    assert "yield compression" in values


def test_cli_takes_multiples_and_a_scenario_file(tmp_path, capsys):
    scenarios = tmp_path / "scenarios.json"
    scenarios.write_text(json.dumps([{"name": "base"},
                                     {"name": "harsh", "recovery_rate": 0.0}]))
    out_json = tmp_path / "stress.json"
    assert main(["stress", "consumer", "--multiples", "AAA=6,AA=4", "--scenarios",
                 str(scenarios), "--out-json", str(out_json)]) == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["multiples"] == {"indicative": False, "by_rating": {"AAA": 6.0, "AA": 4.0}}
    assert data["indicative"] is False
    assert list(data["classes"][SUB]["scenarios"]) == ["base", "harsh"]
    capsys.readouterr()
    scenarios.write_text(json.dumps([{"name": "x", "cpr_multiplier": -2}]))
    assert main(["stress", "consumer", "--scenarios", str(scenarios)]) == 2
    assert "scenarios[0].cpr_multiplier: must be a number >= 0" in capsys.readouterr().err
    assert main(["stress", "consumer", "--multiples", "AAA=4,AA=5"]) == 2
    assert "multiples['AAA']: 4 is below AA's 5" in capsys.readouterr().err


def test_the_workbook_colours_pass_and_fail_and_keeps_text_as_text(consumer):
    scenarios = [StressScenario("=1+1"), StressScenario("yield", yield_compression_annual=0.02)]
    result = stress_table(consumer, scenarios)
    ws = openpyxl.load_workbook(io.BytesIO(stress_workbook_bytes(result)))[SHEET]
    cells = [c for row in ws.iter_rows() for c in row]
    name = next(c for c in cells if c.value == "=1+1")
    assert name.data_type == "s"
    colours = {c.fill.fgColor.rgb for c in cells if c.number_format == "0.00%"
               and c.fill.fill_type == "solid"}
    assert {"00C6EFCE", "00FFC7CE"} <= colours  # the sub class fails AA under "yield"


def test_cli_takes_the_tdr_from_a_monte_carlo(tmp_path):
    out_json = tmp_path / "stress.json"
    assert main(["stress", "consumer", "--tdr", "monte-carlo", "--paths", "500", "--seed", "3",
                 "--quiet", "--out-json", str(out_json)]) == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["tdr_source"] == "monte_carlo"
    senior = data["classes"]["优先A级"]["scenarios"]["base"]
    assert "AA+" in senior["tdr"]  # every local-scale level of the PD table, not the multiples
    assert senior["passes"]["AAA"] == (senior["bdr"] >= senior["tdr"]["AAA"])
