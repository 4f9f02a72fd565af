"""Deal files: exact round trip, one message per invalid field, pool loading, atomic save."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from abs_tool import (
    AnnualPd,
    Assumptions,
    CdrVector,
    Cpr,
    Deal,
    DealDates,
    DealFileError,
    Fee,
    InputError,
    LifetimeDefault,
    NoteClass,
    Pricing,
    Recovery,
    ReserveAccount,
    RunSettings,
    Structure,
    TapeError,
    Tier,
    Trigger,
    deal_from_json,
    deal_json,
    load_deal,
    load_deal_pool,
    load_sample_deal,
    save_deal,
)
from abs_tool.io.deal_schema import SCHEMA_PATH
from abs_tool.io.dealfile import (
    DEAL_FILE_VERSION,
    SAMPLE_DEALS,
    deal_from_dict,
    deal_to_dict,
    sample_deal_path,
)
from abs_tool.model.deal import (
    CleanUpCall,
    CurvePoint,
    ExcessInterest,
    FeeBasis,
    LossAllocation,
    LossTiming,
    PoolSource,
    PrincipalMode,
    RateUnit,
    RevolvingPeriod,
    SizeUnit,
    SpreadRow,
    TriggerAction,
    TriggerMetric,
    UpfrontFee,
)
from abs_tool.model.eligibility import ConcentrationLimits, EligibilityCriteria

SMALL_TAPE = (
    "loan_id,balance,rate,remaining_term,grade\n"
    "L1,1000,0.10,12,A\n"
    "L2,3000,0.12,6,B\n"
)
SMALL_TAPE_BALANCE = 4000.0


@pytest.fixture(scope="module")
def consumer_json() -> dict[str, Any]:
    """The packaged consumer deal as parsed JSON; tests mutate deep copies."""
    data: dict[str, Any] = json.loads(sample_deal_path("consumer").read_text(encoding="utf-8"))
    return data


def mutated(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    change(out)
    return out


def set_at(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets ``data[path...] = value``."""
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def drop(*path: str | int) -> Callable[[dict[str, Any]], None]:
    """A change that deletes ``data[path...]``."""
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)
    return change


def kitchen_sink_deal() -> Deal:
    """A deal using every variant and optional field the consumer sample leaves out."""
    return Deal(
        name="every field 全字段",
        dates=DealDates(date(2020, 1, 31), date(2020, 2, 15), date(2020, 3, 15),
                        date(2023, 1, 31)),
        pool=PoolSource(
            tape="tapes/pool.xlsx", sheet="loans", rate_unit=RateUnit.PERCENT,
            sample_seed=7, scale_to_balance=1_000_000.5,
            eligibility=EligibilityCriteria(min_balance=100.0, allowed_grades=("A", "B"),
                                            excluded_obligors=()),
            concentration=ConcentrationLimits(max_region_share=0.3),
        ),
        assumptions=Assumptions(
            default=LifetimeDefault(cumulative_rate=0.06, timing=(0.25, 0.5, 0.25)),
            prepayment=Cpr((0.05, 0.1, 0.15)),
            recovery=Recovery(rate=0.35, lag_months=9),
            correlation=0.0,
        ),
        structure=Structure(
            classes=(
                NoteClass("A", Tier.SENIOR, 600_000.0, SizeUnit.AMOUNT, 0.045, 1, "AAA"),
                NoteClass("B", Tier.MEZZANINE, 300_000.0, SizeUnit.AMOUNT, 0.065),
                NoteClass("Sub", Tier.SUBORDINATED, 100_000.5, SizeUnit.AMOUNT),
            ),
            fees=(Fee("servicer", 0.01, 1_234.5),
                  Fee("trustee", 0.001, basis=FeeBasis.NOTES, cap_per_month=900.5)),
            reserve=ReserveAccount(0.02, 0.015, 0.005),
            principal_mode=PrincipalMode.PRO_RATA,
            triggers=(Trigger(TriggerMetric.RESERVE_SHORTFALL, (0.5, 0.25, 1.0),
                              TriggerAction.SEQUENTIAL),),
            revolving=RevolvingPeriod(6, EligibilityCriteria(max_rate=0.2)),
            clean_up_call=CleanUpCall(0.05),
            turbo=True,
            upfront_fees=(UpfrontFee("arranger", 0.001, 50_000.5),),
            loss_allocation=LossAllocation(LossTiming.ON_LIQUIDATION, reinstate=True),
            excess_interest=ExcessInterest(haircut_share=0.1),
        ),
        run=RunSettings(paths=1, seed=0, importance_sampling=True),
        currency="USD",
        benchmark_rate_annual=0.0,
        pricing=Pricing((CurvePoint(1, 0.02), CurvePoint(2.5, 0.025)), (1.5,),
                        (SpreadRow("Aaa", (80.0,)), SpreadRow("A-", (250.5,)))),
    )


# --------------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLE_DEALS))
def test_sample_deal_round_trips_through_dict_and_json(name: str) -> None:
    deal = load_sample_deal(name)
    assert deal_from_dict(deal_to_dict(deal)) == deal
    assert deal_from_json(deal_json(deal)) == deal


@pytest.mark.parametrize("name", sorted(SAMPLE_DEALS))
def test_packaged_sample_file_is_the_canonical_text(name: str) -> None:
    # The packaged files are what save_deal writes (naming the shipped schema by its path
    # relative to them), so a saved sample diffs cleanly.
    path = sample_deal_path(name)
    schema = Path(os.path.relpath(SCHEMA_PATH, path.parent)).as_posix()
    assert path.read_text(encoding="utf-8") == deal_json(load_sample_deal(name), schema=schema)


def test_documented_consumer_example_is_the_packaged_file() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "deal_file.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, flags=re.DOTALL)
    assert blocks[0] == sample_deal_path("consumer").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "default",
    [AnnualPd(by_grade=(("C", 0.03), ("A", 0.01)), multiplier=1.5), CdrVector((0.02, 0.04)),
     LifetimeDefault(0.05, (0.5, 0.5))],
    ids=["annual_pd", "cdr", "lifetime"],
)
def test_every_variant_and_optional_field_round_trips(default: Any) -> None:
    sink = kitchen_sink_deal()
    deal = replace(sink, assumptions=replace(sink.assumptions, default=default))
    assert deal_from_dict(deal_to_dict(deal)) == deal
    assert deal_from_json(deal_json(deal)) == deal


def test_a_file_without_the_waterfall_options_loads_with_todays_rules(
        consumer_json: dict[str, Any]) -> None:
    """Files written before issue 16 have no `loss_allocation`, `excess_interest`, fee
    `basis` or `cap_per_month`: they load with the defaults, today's rules."""
    data = copy.deepcopy(consumer_json)
    del data["structure"]["loss_allocation"], data["structure"]["excess_interest"]
    for fee in data["structure"]["fees"]:
        del fee["basis"]
    deal = deal_from_dict(data)
    assert deal == load_sample_deal("consumer")
    structure = deal.structure
    assert structure.loss_allocation == LossAllocation(LossTiming.AT_END, reinstate=False)
    assert structure.excess_interest == ExcessInterest()
    assert all(f.basis == FeeBasis.PERFORMING_START_INCL_DEFAULTS and f.cap_per_month is None
               for f in structure.fees)


def test_python_ints_in_float_fields_are_written_as_numbers() -> None:
    deal = replace(load_sample_deal("consumer"),
                   pool=PoolSource(sample="consumer", scale_to_balance=800_000_000))
    assert deal_to_dict(deal)["pool"]["scale_to_balance"] == 800_000_000.0
    assert deal_from_json(deal_json(deal)) == deal


def test_embedded_csv_deal_round_trips() -> None:
    deal = replace(kitchen_sink_deal(), pool=PoolSource(embedded_csv=SMALL_TAPE))
    assert deal_from_json(deal_json(deal)) == deal


def test_written_dict_has_version_and_field_names() -> None:
    data = deal_to_dict(load_sample_deal("consumer"))
    assert data["version"] == DEAL_FILE_VERSION == 1
    assert list(data) == ["version", "name", "dates", "pool", "assumptions", "structure",
                          "run", "currency", "benchmark_rate_annual", "pricing", "parties"]
    assert data["assumptions"]["default"]["type"] == "annual_pd"
    assert "tape" not in data["pool"]  # None fields that default to None are left out


# --------------------------------------------------------------------------------------------
# What the reader accepts
# --------------------------------------------------------------------------------------------


def test_sample_deals_have_the_promised_terms() -> None:
    consumer, factoring = load_sample_deal("consumer"), load_sample_deal("factoring")
    assert consumer.dates.horizon_months == factoring.dates.horizon_months == 36
    assert consumer.structure.revolving == RevolvingPeriod(12)
    assert factoring.structure.revolving == RevolvingPeriod(24)
    assert [(c.name, c.tier, c.size, c.coupon_annual, c.target_rating)
            for c in consumer.structure.classes] == [
        ("优先A级", Tier.SENIOR, 0.75, 0.051, "AAA"),
        ("优先B级", Tier.MEZZANINE, 0.13, 0.073, "AA-"),
        ("次级", Tier.SUBORDINATED, 0.12, 0.0, None),
    ]
    assert [(c.size, c.coupon_annual) for c in factoring.structure.classes] == [
        (0.72, 0.041), (0.2795, 0.059), (0.0005, 0.0)]
    assert (consumer.pool.sample, consumer.pool.scale_to_balance) == ("consumer", 8e8)
    assert (factoring.pool.sample, factoring.pool.scale_to_balance) == ("factoring", 2e9)
    assert factoring.structure.reserve.initial_share == 0.01


@pytest.mark.parametrize(
    ("change", "read", "expected"),
    [
        (set_at("assumptions", "prepayment", "annual", value=0.1),
         lambda d: d.assumptions.prepayment.annual, (0.1,)),
        (set_at("structure", "triggers", 0, "threshold", value=0.05),
         lambda d: d.structure.triggers[0].threshold, (0.05,)),
        (set_at("assumptions", "default", value={"type": "cdr", "annual": 0.02}),
         lambda d: d.assumptions.default, CdrVector((0.02,))),
        (set_at("assumptions", "default", "by_grade", value={"E": 0.08, "A": 0.005}),
         lambda d: d.assumptions.default.by_grade, (("E", 0.08), ("A", 0.005))),
        (set_at("dates", "cutoff", value="2015-09-30"),
         lambda d: d.dates.cutoff, date(2015, 9, 30)),
        (set_at("structure", "principal_mode", value="pro_rata"),
         lambda d: d.structure.principal_mode, PrincipalMode.PRO_RATA),
        (drop("run"), lambda d: d.run, RunSettings()),
        (drop("structure", "clean_up_call"), lambda d: d.structure.clean_up_call, None),
        (set_at("structure", "revolving", value=None), lambda d: d.structure.revolving, None),
        (set_at("benchmark_rate_annual", value=0), lambda d: d.benchmark_rate_annual, 0.0),
    ],
    ids=["cpr-scalar", "threshold-scalar", "cdr-scalar", "by-grade-order", "date",
         "enum-by-value", "run-default", "absent-optional", "null-optional", "int-as-float"],
)
def test_reader_accepts(consumer_json: dict[str, Any], change: Callable[[dict[str, Any]], None],
                        read: Callable[[Deal], Any], expected: Any) -> None:
    assert read(deal_from_dict(mutated(consumer_json, change))) == expected


# --------------------------------------------------------------------------------------------
# Every invalid field: (change to the consumer sample, the message it must give)
# --------------------------------------------------------------------------------------------

CLASS_0 = ("structure", "classes", 0)
CLASS_1 = ("structure", "classes", 1)
CLASS_2 = ("structure", "classes", 2)
FEE_0 = ("structure", "fees", 0)
TRIGGER_0 = ("structure", "triggers", 0)
DEFAULT = ("assumptions", "default")

INVALID: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    # version
    ("version-missing", drop("version"), "version: required; this tool reads version 1"),
    ("version-2", set_at("version", value=2),
     "version: unsupported deal file version 2; this tool reads version 1"),
    ("version-string", set_at("version", value="1"),
     'version: unsupported deal file version "1"; this tool reads version 1'),
    ("version-bool", set_at("version", value=True),
     "version: unsupported deal file version true"),
    # Deal
    ("deal-unknown", set_at("nme", value="x"), "nme: unknown field; did you mean 'name'?"),
    ("deal-unknown-no-hint", set_at("zzz", value=1),
     "zzz: unknown field; expected one of 'name', 'dates',"),
    ("name-missing", drop("name"), "name: required"),
    ("name-empty", set_at("name", value=" "), "name: must not be empty (got ' ')"),
    ("name-type", set_at("name", value=5), "name: must be a string (got 5)"),
    ("dates-missing", drop("dates"), "dates: required"),
    ("dates-type", set_at("dates", value="2015-10-01"),
     'dates: must be an object {...} (got "2015-10-01")'),
    ("pool-missing", drop("pool"), "pool: required"),
    ("assumptions-missing", drop("assumptions"), "assumptions: required"),
    ("structure-missing", drop("structure"), "structure: required"),
    ("run-type", set_at("run", value=[1]), "run: must be an object {...} (got [1])"),
    ("currency-type", set_at("currency", value=156), "currency: must be a string (got 156)"),
    ("benchmark-range", set_at("benchmark_rate_annual", value=6.5),
     "benchmark_rate_annual: must be in [0, 1) (got 6.5)"),
    ("benchmark-type", set_at("benchmark_rate_annual", value="6.5%"),
     'benchmark_rate_annual: must be a finite number (got "6.5%")'),
    # DealDates
    ("cutoff-format", set_at("dates", "cutoff", value="2015/10/01"),
     "dates.cutoff: not an ISO date YYYY-MM-DD (got '2015/10/01')"),
    ("cutoff-calendar", set_at("dates", "cutoff", value="2015-02-30"),
     "dates.cutoff: not a calendar date: day is out of range for month (got '2015-02-30')"),
    ("cutoff-type", set_at("dates", "cutoff", value=20151001),
     'dates.cutoff: must be an ISO date string "YYYY-MM-DD" (got 20151001)'),
    ("closing-before-cutoff", set_at("dates", "closing", value="2015-09-30"),
     "dates.closing: must be on or after `cutoff` (2015-10-01) (got '2015-09-30')"),
    ("first-payment-before-closing", set_at("dates", "first_payment", value="2015-10-27"),
     "dates.first_payment: must be on or after `closing` (2015-10-28) (got '2015-10-27')"),
    ("legal-final-before-first-payment", set_at("dates", "legal_final", value="2016-01-01"),
     "dates.legal_final: must be on or after `first_payment` (2016-01-26) (got '2016-01-01')"),
    ("legal-final-missing", drop("dates", "legal_final"), "dates.legal_final: required"),
    ("legal-final-far", set_at("dates", "legal_final", value="9999-12-31"),
     "dates.legal_final: the horizon from the cut-off (2015-10-01) to the legal final date is "
     "95,810 months, over the limit of 600 months (50 years) (got '9999-12-31')"),
    ("legal-final-2115", set_at("dates", "legal_final", value="2115-10-01"),
     "dates.legal_final: the horizon from the cut-off (2015-10-01) to the legal final date is "
     "1,200 months, over the limit of 600 months (50 years) (got '2115-10-01')"),
    ("dates-unknown", set_at("dates", "cut_off", value="2015-10-01"),
     "dates.cut_off: unknown field; did you mean 'cutoff'?"),
    # PoolSource
    ("pool-no-source", drop("pool", "sample"),
     "pool.sample: give exactly one of `sample`, `tape`, `embedded_csv` (got [])"),
    ("pool-two-sources", set_at("pool", "tape", value="pool.csv"),
     "pool.sample: give exactly one of `sample`, `tape`, `embedded_csv` "
     "(got ['sample', 'tape'])"),
    ("sample-unknown", set_at("pool", "sample", value="mortgage"),
     "pool.sample: unknown sample pool; expected one of 'consumer', 'factoring' "
     "(got 'mortgage')"),
    ("tape-type", both(drop("pool", "sample"), set_at("pool", "tape", value=["a.csv"])),
     'pool.tape: must be a string (got ["a.csv"])'),
    ("embedded-type", both(drop("pool", "sample"), set_at("pool", "embedded_csv", value=1)),
     "pool.embedded_csv: must be a string (got 1)"),
    ("sheet-type", set_at("pool", "sheet", value=1), "pool.sheet: must be a string (got 1)"),
    ("rate-unit-enum", set_at("pool", "rate_unit", value="bp"),
     "pool.rate_unit: must be one of 'decimal', 'percent' (got 'bp')"),
    ("sample-seed-type", set_at("pool", "sample_seed", value=1.5),
     "pool.sample_seed: must be an integer (got 1.5)"),
    ("scale-range", set_at("pool", "scale_to_balance", value=0),
     "pool.scale_to_balance: must be an amount from 0.01 to 1e+15 (got 0.0)"),
    ("scale-huge", set_at("pool", "scale_to_balance", value=1e200),
     "pool.scale_to_balance: must be an amount from 0.01 to 1e+15 (got 1e+200)"),
    ("scale-tiny", set_at("pool", "scale_to_balance", value=1e-300),
     "pool.scale_to_balance: must be an amount from 0.01 to 1e+15 (got 1e-300)"),
    ("tape-nul", both(drop("pool", "sample"), set_at("pool", "tape", value="a\0.csv")),
     "pool.tape: a path may not contain a NUL character (got 'a\\x00.csv')"),
    ("scale-type", set_at("pool", "scale_to_balance", value="8亿"),
     'pool.scale_to_balance: must be a finite number (got "8亿")'),
    ("pool-unknown", set_at("pool", "sample_sed", value=1),
     "pool.sample_sed: unknown field; did you mean 'sample_seed'?"),
    ("eligibility-value", set_at("pool", "eligibility", "max_rate", value=24),
     "pool.eligibility: eligibility criteria: `max_rate` (got 24.0) must be in [0, 1); it "
     "looks like percent: give 0.24"),
    ("eligibility-order",
     set_at("pool", "eligibility", "min_remaining_term_months", value=30),
     "pool.eligibility: eligibility criteria: `min_remaining_term_months` (30) must be <= "
     "`max_remaining_term_months` (24)"),
    ("eligibility-unknown", set_at("pool", "eligibility", "max_rat", value=0.2),
     "pool.eligibility.max_rat: unknown field; did you mean 'max_rate'?"),
    ("eligibility-list-type", set_at("pool", "eligibility", "allowed_grades", value="A"),
     'pool.eligibility.allowed_grades: must be a list (got "A")'),
    ("eligibility-item-type", set_at("pool", "eligibility", "allowed_grades", value=["A", 1]),
     "pool.eligibility.allowed_grades[1]: must be a string (got 1)"),
    ("concentration-range", set_at("pool", "concentration", "max_region_share", value=25),
     "pool.concentration: concentration limits: `max_region_share` (got 25.0) must be in "
     "(0, 1]"),
    ("concentration-type", set_at("pool", "concentration", value=0.25),
     "pool.concentration: must be an object {...} (got 0.25)"),
    # Assumptions: default variants
    ("default-type-missing", drop(*DEFAULT, "type"),
     "assumptions.default.type: required: one of 'annual_pd', 'cdr', 'lifetime'"),
    ("default-type-bad", set_at(*DEFAULT, "type", value="foo"),
     "assumptions.default.type: must be one of 'annual_pd', 'cdr', 'lifetime' (got 'foo')"),
    ("default-not-object", set_at(*DEFAULT, value=0.02),
     'assumptions.default: must be an object with "type" one of'),
    ("by-grade-type", set_at(*DEFAULT, "by_grade", value=[["A", 0.01]]),
     'assumptions.default.by_grade: must be an object of key: value (got [["A", 0.01]])'),
    ("by-grade-range", set_at(*DEFAULT, "by_grade", value={"A": 0.005, "B": 1.2}),
     "assumptions.default.by_grade['B']: must be in [0, 1) (got 1.2)"),
    ("by-grade-value-type", set_at(*DEFAULT, "by_grade", value={"A": "0.5%"}),
     "assumptions.default.by_grade['A']: must be a finite number (got \"0.5%\")"),
    ("multiplier-range", set_at(*DEFAULT, "multiplier", value=-1),
     "assumptions.default.multiplier: must be >= 0 (got -1.0)"),
    ("annual-pd-unknown", set_at(*DEFAULT, "annual", value=[0.02]),
     "assumptions.default.annual: unknown field; expected one of 'by_grade', 'multiplier'"),
    ("cdr-range", set_at(*DEFAULT, value={"type": "cdr", "annual": [0.02, 1.0]}),
     "assumptions.default.annual[1]: must be in [0, 1) (got 1.0)"),
    ("cdr-empty", set_at(*DEFAULT, value={"type": "cdr", "annual": []}),
     "assumptions.default.annual: must have at least one value (got [])"),
    ("cdr-missing", set_at(*DEFAULT, value={"type": "cdr"}),
     "assumptions.default.annual: required"),
    ("cdr-item-type", set_at(*DEFAULT, value={"type": "cdr", "annual": [0.02, None]}),
     "assumptions.default.annual[1]: must be a finite number (got null)"),
    ("lifetime-rate-range",
     set_at(*DEFAULT, value={"type": "lifetime", "cumulative_rate": 1.5, "timing": [1]}),
     "assumptions.default.cumulative_rate[0]: must be in [0, 1] (got 1.5)"),
    ("lifetime-timing-sum",
     set_at(*DEFAULT, value={"type": "lifetime", "cumulative_rate": 0.05,
                             "timing": [0.5, 0.4]}),
     "assumptions.default.timing: shares must sum to 1 (got 0.9)"),
    ("lifetime-timing-missing",
     set_at(*DEFAULT, value={"type": "lifetime", "cumulative_rate": 0.05}),
     "assumptions.default.timing: required"),
    # Assumptions: prepayment, recovery, correlation
    ("cpr-range", set_at("assumptions", "prepayment", "annual", value=[0.1, 10]),
     "assumptions.prepayment.annual[1]: must be in [0, 1) (got 10.0)"),
    ("cpr-type", set_at("assumptions", "prepayment", "annual", value="10%"),
     'assumptions.prepayment.annual: must be a finite number (got "10%")'),
    ("cpr-unknown", set_at("assumptions", "prepayment", value={"cpr": 0.1}),
     "assumptions.prepayment.cpr: unknown field; expected one of 'annual'"),
    ("recovery-rate-range", set_at("assumptions", "recovery", "rate", value=1.1),
     "assumptions.recovery.rate[0]: must be in [0, 1] (got 1.1)"),
    ("recovery-lag-range", set_at("assumptions", "recovery", "lag_months", value=-1),
     "assumptions.recovery.lag_months: must be an integer from 0 to 600 (got -1)"),
    ("recovery-lag-over", set_at("assumptions", "recovery", "lag_months", value=601),
     "assumptions.recovery.lag_months: must be an integer from 0 to 600 (got 601)"),
    ("recovery-lag-type", set_at("assumptions", "recovery", "lag_months", value=6.5),
     "assumptions.recovery.lag_months: must be an integer (got 6.5)"),
    ("correlation-range", set_at("assumptions", "correlation", value=1),
     "assumptions.correlation: must be in [0, 1) (got 1.0)"),
    ("correlation-huge", set_at("assumptions", "correlation", value=10**400),
     "assumptions.correlation: must be a finite number (got 1000000"),
    ("correlation-type", set_at("assumptions", "correlation", value=None),
     "assumptions.correlation: must be a finite number (got null)"),
    ("assumptions-unknown", set_at("assumptions", "corelation", value=0.1),
     "assumptions.corelation: unknown field; did you mean 'correlation'?"),
    # NoteClass
    ("class-name-missing", drop(*CLASS_0, "name"), "structure.classes[0].name: required"),
    ("class-name-empty", set_at(*CLASS_0, "name", value=""),
     "structure.classes[0].name: must not be empty (got '')"),
    ("class-tier-missing", drop(*CLASS_0, "tier"), "structure.classes[0].tier: required"),
    ("class-tier-enum", set_at(*CLASS_0, "tier", value="junior"),
     "structure.classes[0].tier: must be one of 'senior', 'mezzanine', 'subordinated' "
     "(got 'junior')"),
    ("class-size-missing", drop(*CLASS_0, "size"), "structure.classes[0].size: required"),
    ("class-size-zero", set_at(*CLASS_0, "size", value=0),
     "structure.classes[0].size: a share must be in (0, 1] (got 0.0)"),
    ("class-size-share-over-1", set_at(*CLASS_0, "size", value=75),
     "structure.classes[0].size: a share must be in (0, 1] (got 75.0)"),
    ("class-size-amount-negative",
     both(set_at(*CLASS_0, "size_unit", value="amount"), set_at(*CLASS_0, "size", value=-1)),
     "structure.classes[0].size: an amount must be > 0 (got -1.0)"),
    ("class-size-amount-huge",
     both(set_at(*CLASS_0, "size_unit", value="amount"), set_at(*CLASS_0, "size", value=1e16)),
     "structure.classes[0].size: must be an amount from 0.01 to 1e+15 (got 1e+16)"),
    ("class-size-type", set_at(*CLASS_0, "size", value="75%"),
     'structure.classes[0].size: must be a finite number (got "75%")'),
    ("class-size-unit-enum", set_at(*CLASS_0, "size_unit", value="percent"),
     "structure.classes[0].size_unit: must be one of 'share', 'amount' (got 'percent')"),
    ("class-coupon-range", set_at(*CLASS_1, "coupon_annual", value=1.5),
     "structure.classes[1].coupon_annual: must be in [0, 1) (got 1.5)"),
    ("class-coupon-negative", set_at(*CLASS_1, "coupon_annual", value=-0.01),
     "structure.classes[1].coupon_annual: must be in [0, 1) (got -0.01)"),
    ("class-frequency", set_at(*CLASS_0, "payment_frequency_months", value=2),
     "structure.classes[0].payment_frequency_months: must be 1 (monthly) or 3 (quarterly) "
     "(got 2)"),
    ("class-frequency-type", set_at(*CLASS_0, "payment_frequency_months", value="quarterly"),
     'structure.classes[0].payment_frequency_months: must be an integer (got "quarterly")'),
    ("class-rating-type", set_at(*CLASS_0, "target_rating", value=1),
     "structure.classes[0].target_rating: must be a string (got 1)"),
    ("class-unknown", set_at(*CLASS_0, "cupon", value=0.05),
     "structure.classes[0].cupon: unknown field; did you mean 'coupon_annual'?"),
    # Structure: classes across
    ("classes-empty", set_at("structure", "classes", value=[]),
     "structure.classes: at least one class is needed (got ())"),
    ("classes-type", set_at("structure", "classes", value={"A": 0.75}),
     'structure.classes: must be a list (got {"A": 0.75})'),
    ("class-not-object", set_at("structure", "classes", 1, value="优先B级"),
     'structure.classes[1]: must be an object {...} (got "优先B级")'),
    ("sizes-not-adding-up", set_at(*CLASS_0, "size", value=0.7),
     "structure.classes: class shares add up to 0.95, not 1 (got [0.7, 0.13, 0.12]); the "
     "classes must add up to the whole pool"),
    ("mezzanine-before-senior",
     both(set_at(*CLASS_0, "tier", value="mezzanine"), set_at(*CLASS_1, "tier", value="senior")),
     "structure.classes[1].tier: classes are listed senior first, so `优先B级` (senior) cannot "
     "rank below `优先A级` (mezzanine)"),
    ("two-subordinated", set_at(*CLASS_1, "tier", value="subordinated"),
     "structure.classes: at most one subordinated class, listed last"),
    ("two-subordinated-no-coupon",
     both(set_at(*CLASS_1, "tier", value="subordinated"),
          set_at(*CLASS_1, "coupon_annual", value=0)),
     "structure.classes: at most one subordinated class, listed last"),
    # The subordinated class may carry a coupon (期间收益, issue 16 item 4), paid after
    # principal only when it has one, and no other class's coupon is.
    ("senior-coupon-after-principal", set_at(*CLASS_0, "coupon_priority",
                                             value="after_principal"),
     "structure.classes[0].coupon_priority: \"after_principal\" is for the subordinated "
     "class's coupon"),
    ("duplicate-class-name", set_at(*CLASS_1, "name", value="优先A级"),
     "structure.classes[1].name: duplicate class name (got '优先A级')"),
    # Fee
    ("fee-name-missing", drop(*FEE_0, "name"), "structure.fees[0].name: required"),
    ("fee-name-empty", set_at(*FEE_0, "name", value=""),
     "structure.fees[0].name: must not be empty (got '')"),
    ("fee-rate-range", set_at(*FEE_0, "rate_annual", value=1),
     "structure.fees[0].rate_annual: must be in [0, 1) (got 1.0)"),
    ("fee-fixed-negative", set_at(*FEE_0, "fixed_annual", value=-100),
     "structure.fees[0].fixed_annual: must be an amount of 0 or from 0.01 to 1e+15 (got -100.0)"),
    ("fee-fixed-huge", set_at(*FEE_0, "fixed_annual", value=1e300),
     "structure.fees[0].fixed_annual: must be an amount of 0 or from 0.01 to 1e+15 "
     "(got 1e+300)"),
    ("fee-unknown", set_at(*FEE_0, "rate", value=0.001),
     "structure.fees[0].rate: unknown field; did you mean 'rate_annual'?"),
    ("fees-type", set_at("structure", "fees", value={"name": "trustee"}),
     'structure.fees: must be a list (got {"name": "trustee"})'),
    # UpfrontFee
    ("upfront-share-range", set_at("structure", "upfront_fees", 0, "share_of_placed", value=1),
     "structure.upfront_fees[0].share_of_placed: must be in [0, 1) (got 1.0)"),
    ("upfront-fixed-negative", set_at("structure", "upfront_fees", 1, "fixed", value=-1),
     "structure.upfront_fees[1].fixed: must be an amount of 0 or from 0.01 to 1e+15 (got -1.0)"),
    ("upfront-fixed-fraction", set_at("structure", "upfront_fees", 1, "fixed", value=0.001),
     "structure.upfront_fees[1].fixed: must be an amount of 0 or from 0.01 to 1e+15 "
     "(got 0.001)"),
    ("upfront-name-empty", set_at("structure", "upfront_fees", 0, "name", value=" "),
     "structure.upfront_fees[0].name: must not be empty (got ' ')"),
    # Pricing
    ("curve-empty", set_at("pricing", "benchmark_curve", value=[]),
     "pricing.benchmark_curve: must have at least one point (got ())"),
    ("curve-tenor-order", set_at("pricing", "benchmark_curve", 1, "tenor_years", value=0.5),
     "pricing.benchmark_curve[1].tenor_years: tenors must increase (got 0.5)"),
    ("curve-rate-range", set_at("pricing", "benchmark_curve", 0, "rate_annual", value=1.2),
     "pricing.benchmark_curve[0].rate_annual: must be in [0, 1) (got 1.2)"),
    ("spread-wal-order", set_at("pricing", "spread_wal_years", 1, value=0.5),
     "pricing.spread_wal_years[1]: must be > 0 and increasing (got 0.5)"),
    ("spread-row-length", set_at("pricing", "spreads", 0, "spreads_bp", value=[1, 2]),
     "pricing.spreads[0].spreads_bp: must have one spread per WAL of spread_wal_years (5)"),
    ("spread-rating-unknown", set_at("pricing", "spreads", 0, "rating", value="AAAA"),
     "pricing.spreads[0].rating: unknown rating 'AAAA'"),
    ("spread-rating-order", set_at("pricing", "spreads", 1, "rating", value="AAA"),
     "pricing.spreads[1].rating: ratings are listed best first, each once (got 'AAA')"),
    ("spread-not-monotone", set_at("pricing", "spreads", 1, "spreads_bp",
                                   value=[100, 310, 335, 360, 385]),
     "pricing.spreads[1].spreads_bp: a worse rating cannot pay less than `AAA` at any WAL"),
    ("spread-negative", set_at("pricing", "spreads", 0, "spreads_bp", 2, value=-5),
     "pricing.spreads[0].spreads_bp[2]: must be in [0, 10000) bp (got -5.0)"),
    # ReserveAccount
    ("reserve-initial", set_at("structure", "reserve", "initial_share", value=1),
     "structure.reserve.initial_share: must be in [0, 1) (got 1.0)"),
    ("reserve-target", set_at("structure", "reserve", "target_share", value=-0.01),
     "structure.reserve.target_share: must be in [0, 1) (got -0.01)"),
    ("reserve-floor", set_at("structure", "reserve", "floor_share", value="1%"),
     'structure.reserve.floor_share: must be a finite number (got "1%")'),
    ("reserve-unknown", set_at("structure", "reserve", "target", value=0.01),
     "structure.reserve.target: unknown field; did you mean 'target_share'?"),
    # principal mode, turbo
    ("principal-mode-enum", set_at("structure", "principal_mode", value="pro-rata"),
     "structure.principal_mode: must be one of 'sequential', 'pro_rata' (got 'pro-rata')"),
    ("turbo-type", set_at("structure", "turbo", value="yes"),
     'structure.turbo: must be true or false (got "yes")'),
    ("structure-unknown", set_at("structure", "trigger", value=[]),
     "structure.trigger: unknown field; did you mean 'triggers'?"),
    # Trigger
    ("trigger-metric-missing", drop(*TRIGGER_0, "metric"),
     "structure.triggers[0].metric: required"),
    ("trigger-metric-enum", set_at(*TRIGGER_0, "metric", value="cdr"),
     "structure.triggers[0].metric: must be one of 'cumulative_default_rate', "
     "'reserve_shortfall', 'principal_deficiency' (got 'cdr')"),
    ("trigger-action-enum", set_at(*TRIGGER_0, "action", value="stop"),
     "structure.triggers[0].action: must be one of 'sequential', 'end_revolving', "
     "'accelerate' (got 'stop')"),
    ("trigger-threshold-empty", set_at(*TRIGGER_0, "threshold", value=[]),
     "structure.triggers[0].threshold: must have at least one value (got ())"),
    ("trigger-threshold-range", set_at(*TRIGGER_0, "threshold", value=[0.04, 4]),
     "structure.triggers[0].threshold[1]: must be in [0, 1] (got 4.0)"),
    ("trigger-threshold-type", set_at(*TRIGGER_0, "threshold", value="4%"),
     'structure.triggers[0].threshold: must be a finite number (got "4%")'),
    ("trigger-name-type", set_at(*TRIGGER_0, "name", value=None),
     "structure.triggers[0].name: must be a string (got null)"),
    # RevolvingPeriod
    ("revolving-months-negative", set_at("structure", "revolving", "months", value=-1),
     "structure.revolving.months: must be >= 0 (got -1)"),
    ("revolving-months-type", set_at("structure", "revolving", "months", value=12.0),
     "structure.revolving.months: must be an integer (got 12.0)"),
    ("revolving-months-missing", drop("structure", "revolving", "months"),
     "structure.revolving.months: required"),
    ("revolving-longer-than-horizon", set_at("structure", "revolving", "months", value=36),
     "structure.revolving.months: must end before the legal final date (36 months after the "
     "cut-off) (got 36)"),
    ("revolving-eligibility", set_at("structure", "revolving", "eligibility",
                                     value={"min_balance": -1}),
     "structure.revolving.eligibility.min_balance: must be an amount of 0 or from 0.01 to "
     "1e+15 (got -1.0)"),
    ("eligibility-max-balance-huge", set_at("pool", "eligibility", "max_balance", value=1e16),
     "pool.eligibility.max_balance: must be an amount from 0.01 to 1e+15 (got 1e+16)"),
    # Fee basis and cap (issue 16)
    ("fee-basis", set_at(*FEE_0, "basis", value="pool"),
     "structure.fees[0].basis: must be one of 'performing_start_incl_defaults', "
     "'performing_start', 'notes', 'fixed' (got 'pool')"),
    ("fee-fixed-with-rate", both(set_at(*FEE_0, "basis", value="fixed"),
                                 set_at(*FEE_0, "rate_annual", value=0.001)),
     'structure.fees[0].rate_annual: must be 0 with `basis` "fixed"'),
    ("fee-cap-zero", set_at(*FEE_0, "cap_per_month", value=0),
     "structure.fees[0].cap_per_month: must be an amount from 0.01 to 1e+15 (got 0.0)"),
    ("fee-cap-type", set_at(*FEE_0, "cap_per_month", value="100"),
     'structure.fees[0].cap_per_month: must be a finite number (got "100")'),
    # LossAllocation
    ("loss-timing", set_at("structure", "loss_allocation", value={"timing": "on_sale"}),
     "structure.loss_allocation.timing: must be one of 'at_end', 'on_default', "
     "'on_liquidation' (got 'on_sale')"),
    ("loss-reinstate-at-end", set_at("structure", "loss_allocation",
                                     value={"timing": "at_end", "reinstate": True}),
     'structure.loss_allocation.reinstate: with `timing` "at_end" nothing is written down'),
    ("loss-reinstate-type", set_at("structure", "loss_allocation",
                                   value={"timing": "on_default", "reinstate": "yes"}),
     'structure.loss_allocation.reinstate: must be true or false (got "yes")'),
    ("loss-unknown", set_at("structure", "loss_allocation", value={"timng": "at_end"}),
     "structure.loss_allocation.timng: unknown field; did you mean 'timing'?"),
    # ExcessInterest
    ("excess-use", set_at("structure", "excess_interest", value={"use": "turbo"}),
     "structure.excess_interest.use: must be one of 'cover_deficiency', 'release', "
     "'cover_up_to' (got 'turbo')"),
    ("excess-limit-missing", set_at("structure", "excess_interest", value={"use": "cover_up_to"}),
     'structure.excess_interest.cover_limit_per_month: must be > 0 with `use` "cover_up_to"'),
    ("excess-limit-unused", set_at("structure", "excess_interest",
                                   value={"use": "release", "cover_limit_per_month": 5}),
     'structure.excess_interest.cover_limit_per_month: applies only with `use` "cover_up_to"'),
    ("excess-limit-negative", set_at("structure", "excess_interest",
                                     value={"use": "cover_up_to", "cover_limit_per_month": -5}),
     "structure.excess_interest.cover_limit_per_month: must be an amount of 0 or from 0.01 to "
     "1e+15 (got -5.0)"),
    ("excess-haircut", set_at("structure", "excess_interest", value={"haircut_share": 1.5}),
     "structure.excess_interest.haircut_share: must be in [0, 1] (got 1.5)"),
    ("excess-release-with-turbo", both(set_at("structure", "turbo", value=True),
                                       set_at("structure", "excess_interest",
                                              value={"use": "release"})),
     "structure.excess_interest.use: the turbo pays all the cash left to the rated classes"),
    # CleanUpCall
    ("clean-up-range", set_at("structure", "clean_up_call", "threshold_share", value=1),
     "structure.clean_up_call.threshold_share: must be in [0, 1) (got 1.0)"),
    ("clean-up-unknown", set_at("structure", "clean_up_call", "threshold", value=0.1),
     "structure.clean_up_call.threshold: unknown field; did you mean 'threshold_share'?"),
    # RunSettings
    ("paths-zero", set_at("run", "paths", value=0),
     "run.paths: must be an integer from 1 to 10,000,000 (got 0)"),
    ("paths-string", set_at("run", "paths", value="many"),
     'run.paths: must be an integer (got "many")'),
    ("paths-bool", set_at("run", "paths", value=True), "run.paths: must be an integer (got true)"),
    ("seed-negative", set_at("run", "seed", value=-1),
     "run.seed: must be an integer from 0 to 18,446,744,073,709,551,615 (got -1)"),
    ("importance-sampling-type", set_at("run", "importance_sampling", value=1),
     "run.importance_sampling: must be true or false (got 1)"),
    ("run-unknown", set_at("run", "path", value=1),
     "run.path: unknown field; did you mean 'paths'?"),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in INVALID],
                         ids=[i for i, _, _ in INVALID])
def test_invalid_field_is_named_with_its_path(consumer_json: dict[str, Any],
                                              change: Callable[[dict[str, Any]], None],
                                              message: str) -> None:
    data = mutated(consumer_json, change)
    with pytest.raises(DealFileError, match=re.escape(message)) as caught:
        deal_from_dict(data, file="consumer_baitiao.json")
    assert str(caught.value).startswith("consumer_baitiao.json: ")


def test_several_problems_are_all_reported(consumer_json: dict[str, Any]) -> None:
    data = mutated(consumer_json, both(
        set_at("dates", "cutoff", value="2015/10/01"),
        set_at("pool", "rate_unit", value="bp"),
        set_at("assumptions", "correlation", value=2),
        set_at(*CLASS_1, "coupon_annual", value=1.5),
        set_at(*CLASS_2, "cupon", value=0),
        set_at("run", "paths", value="many"),
    ))
    with pytest.raises(DealFileError) as caught:
        deal_from_dict(data)
    assert caught.value.problems == (
        "dates.cutoff: not an ISO date YYYY-MM-DD (got '2015/10/01')",
        "pool.rate_unit: must be one of 'decimal', 'percent' (got 'bp')",
        "assumptions.correlation: must be in [0, 1) (got 2.0)",
        "structure.classes[1].coupon_annual: must be in [0, 1) (got 1.5)",
        "structure.classes[2].cupon: unknown field; did you mean 'coupon_annual'?",
        "run.paths: must be an integer (got \"many\")",
    )
    assert str(caught.value).startswith("deal file: 6 problem(s):\n")


def test_unsupported_version_reports_only_the_version(consumer_json: dict[str, Any]) -> None:
    # Reading a version-2 file by version-1 rules would only add consequential noise.
    data = mutated(consumer_json, both(set_at("version", value=2), set_at("zzz", value=1)))
    with pytest.raises(DealFileError) as caught:
        deal_from_dict(data)
    assert len(caught.value.problems) == 1


def test_python_objects_that_are_not_json_are_shown_by_repr(
        consumer_json: dict[str, Any]) -> None:
    data = mutated(consumer_json, set_at("dates", "cutoff", value=date(2015, 10, 1)))
    with pytest.raises(DealFileError, match=re.escape(
            'dates.cutoff: must be an ISO date string "YYYY-MM-DD" '
            "(got datetime.date(2015, 10, 1))")):
        deal_from_dict(data)


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(DealFileError, match=re.escape("a deal file holds one JSON object")):
        deal_from_dict([1, 2])  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# JSON text and files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"version": 1,\n  "name": "x",,\n}',
         "invalid JSON at line 2, column 15: Expecting property name"),
        ("", "invalid JSON at line 1, column 1: Expecting value"),
        ('{"version": 1, "name": "a", "name": "b"}',
         "duplicate key 'name' in one JSON object; give it once"),
        ('{"version": 1, "benchmark_rate_annual": NaN}', "NaN is not valid JSON"),
        ('{"version": 1, "name": "x", "benchmark_rate_annual": 1e400}',
         "benchmark_rate_annual: must be a finite number (got Infinity)"),
        (b'{"version": 1, "name": "\xb0"}', "not UTF-8 text (byte 24); save the file as UTF-8"),
    ],
    ids=["syntax", "empty", "duplicate-key", "nan", "overflow", "not-utf8"],
)
def test_bad_json_text(text: str | bytes, message: str) -> None:
    with pytest.raises(DealFileError, match=re.escape(message)):
        deal_from_json(text, file="upload.json")


def _consumer_text() -> str:
    return sample_deal_path("consumer").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('"paths": 20000', '"paths": ' + "9" * 5000),
         "run.paths: a number of 5,000 digits is out of range"),
        (lambda t: t.replace('"correlation": 0.1,', '"correlation": NaN,'),
         "assumptions.correlation: NaN is not valid JSON; give a finite number"),
        (lambda t: t.replace('"rate": 0.1,', '"rate": -Infinity,'),
         "assumptions.recovery.rate: -Infinity is not valid JSON; give a finite number"),
        (lambda t: t.replace('"version": 1', '"version": Infinity'),
         "version: Infinity is not valid JSON; give a finite number"),
        (lambda t: t.replace('"version": 1', '"version": ' + "1" * 401),
         "version: a number of 401 digits is out of range"),
        (lambda t: t.replace('"name": "Baitiao', '"name": "\\ud800Baitiao'),
         "name: holds a lone surrogate escape"),
        (lambda t: t.replace('"currency": "CNY"', '"currency": ' + "[" * 5000 + "]" * 5000),
         "lists and objects are nested more than 32 levels deep; a deal file needs 6"),
        (lambda t: t.replace('"currency": "CNY"', '"currency": ' + "[" * 40 + "]" * 40),
         "lists and objects are nested more than 32 levels deep"),
        (lambda t: "[" * 100_000 + "]" * 100_000,
         "the file holds about 100,001 JSON values (numbers, strings, lists, objects), over "
         "the limit of 100,000"),
        (lambda t: t.replace('"currency": "CNY"', '"currency": [' + "0," * 100_000 + "0]"),
         "over the limit of 100,000; a deal file needs a few thousand"),
    ],
    ids=["digits", "nan-field", "infinity-field", "infinity-version", "digits-version",
         "surrogate", "deep", "nested-40", "many-brackets", "many-numbers"],
)
def test_malformed_json_is_named_not_a_python_error(edit: Callable[[str], str],
                                                    message: str) -> None:
    with pytest.raises(DealFileError, match=re.escape(message)):
        deal_from_json(edit(_consumer_text()), file="upload.json")


def test_a_long_embedded_tape_is_not_counted_as_values() -> None:
    rows = "".join(f"L{i},{1000 + i},0.1,12,A\n" for i in range(60_000))
    data = json.loads(_consumer_text())
    data["pool"] = {"embedded_csv": "loan_id,balance,rate,remaining_term,grade\n" + rows}
    assert deal_from_json(json.dumps(data)).pool.embedded_csv.count("\n") == 60_001


def test_a_deal_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from abs_tool.limits import MAX_DEAL_FILE_BYTES

    with pytest.raises(DealFileError, match=re.escape(
            f"upload.json: the file has {MAX_DEAL_FILE_BYTES + 1:,} bytes, over the limit of "
            f"{MAX_DEAL_FILE_BYTES:,} bytes (64 MiB)")):
        deal_from_json(b" " * (MAX_DEAL_FILE_BYTES + 1), file="upload.json")
    path = tmp_path / "huge.json"
    with path.open("wb") as huge:
        huge.truncate(100 * 2**20)  # sparse: no disk used, and never read
    with pytest.raises(DealFileError, match=re.escape(
            f"{path}: the file has {100 * 2**20:,} bytes, over the limit of "
            f"{MAX_DEAL_FILE_BYTES:,} bytes (64 MiB)")):
        load_deal(path)


def test_a_deal_path_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DealFileError, match=re.escape(
            f"{tmp_path}: the path is a folder, not a file; give the path of a .json deal "
            "file")):
        load_deal(tmp_path)
    if hasattr(os, "mkfifo"):  # opening a pipe for reading would wait for a writer forever
        fifo = tmp_path / "deal.json"
        os.mkfifo(fifo)
        with pytest.raises(DealFileError, match=re.escape(
                f"{fifo}: the path is a named pipe (FIFO), not a file")):
            load_deal(fifo)
    with pytest.raises(InputError, match=re.escape(
            "deal file 'deal\\x00.json': a path may not contain a NUL character")):
        load_deal("deal\0.json")


def test_utf8_bom_is_accepted() -> None:
    deal = load_sample_deal("consumer")
    assert deal_from_json(b"\xef\xbb\xbf" + deal_json(deal).encode("utf-8")) == deal


def test_load_deal_missing_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(DealFileError, match=re.escape(f"{path}: cannot read the file")):
        load_deal(path)


def test_load_deal_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deal.json"
    path.write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(DealFileError, match=re.escape(f"{path}: 5 problem(s):\nname: required")):
        load_deal(path)


def test_save_then_load_gives_the_deal(tmp_path: Path) -> None:
    deal = kitchen_sink_deal()
    save_deal(deal, tmp_path / "deal.json")
    assert load_deal(tmp_path / "deal.json") == deal
    assert [p.name for p in tmp_path.iterdir()] == ["deal.json"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_save_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "deal.json"
    target.write_text("old content", encoding="utf-8")

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        save_deal(load_sample_deal("consumer"), target)
    assert target.read_text(encoding="utf-8") == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["deal.json"]


def test_sample_deal_path_unknown_lists_names() -> None:
    with pytest.raises(InputError, match=re.escape(
            "unknown sample deal 'mortgage'; expected one of ['consumer', 'factoring']")):
        sample_deal_path("mortgage")


# --------------------------------------------------------------------------------------------
# load_deal_pool
# --------------------------------------------------------------------------------------------


def small_deal(source: PoolSource, classes: tuple[NoteClass, ...] | None = None) -> Deal:
    """The consumer sample with another pool (and optionally other classes)."""
    deal = load_sample_deal("consumer")
    structure = deal.structure if classes is None else replace(deal.structure, classes=classes)
    return replace(deal, pool=source, structure=structure)


@pytest.mark.parametrize(("name", "balance"), [("consumer", 8e8), ("factoring", 2e9)])
def test_sample_pool_is_scaled_to_the_deal_size(name: str, balance: float) -> None:
    deal = load_sample_deal(name)
    pool, result = load_deal_pool(deal, None)
    # One factor for every loan: the sum meets the target to float rounding only.
    assert pool.balance == pytest.approx(balance, rel=1e-14)
    assert result is not None
    assert result.loans_after == result.loans_before == len(pool)


def test_scaling_uses_one_factor_for_every_loan() -> None:
    unscaled, _ = load_deal_pool(small_deal(PoolSource(sample="consumer")), None)
    scaled, _ = load_deal_pool(small_deal(PoolSource(sample="consumer",
                                                     scale_to_balance=1.23e9)), None)
    factor = 1.23e9 / unscaled.balance
    for column in ("balance", "original_balance"):
        assert scaled.loans[column].to_numpy() == pytest.approx(
            unscaled.loans[column].to_numpy() * factor, rel=1e-15)
    assert scaled.balance == pytest.approx(1.23e9, rel=1e-14)


def test_tape_path_is_relative_to_the_deal_file(tmp_path: Path) -> None:
    (tmp_path / "tapes").mkdir()
    (tmp_path / "tapes" / "pool.csv").write_text(SMALL_TAPE, encoding="utf-8")
    save_deal(small_deal(PoolSource(tape="tapes/pool.csv")), tmp_path / "deal.json")
    deal = load_deal(tmp_path / "deal.json")
    pool, result = load_deal_pool(deal, tmp_path)
    assert list(pool.loans["loan_id"]) == ["L1", "L2"]
    assert pool.balance == SMALL_TAPE_BALANCE
    assert result is None


def test_tape_path_may_step_down_and_up_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "tapes").mkdir()
    (tmp_path / "pool.csv").write_text(SMALL_TAPE, encoding="utf-8")
    pool, _ = load_deal_pool(small_deal(PoolSource(tape="tapes/../pool.csv")), tmp_path)
    assert len(pool) == 2


def test_tape_percent_rates_follow_rate_unit(tmp_path: Path) -> None:
    (tmp_path / "pool.csv").write_text(SMALL_TAPE.replace("0.10", "10").replace("0.12", "12"),
                                       encoding="utf-8")
    deal = small_deal(PoolSource(tape="pool.csv", rate_unit=RateUnit.PERCENT))
    pool, _ = load_deal_pool(deal, tmp_path)
    assert list(pool.loans["rate"]) == pytest.approx([0.10, 0.12])


def test_bad_tape_raises_the_tape_report(tmp_path: Path) -> None:
    (tmp_path / "pool.csv").write_text("loan_id,balance\nL1,-5\n", encoding="utf-8")
    with pytest.raises(TapeError, match="pool.csv"):
        load_deal_pool(small_deal(PoolSource(tape="pool.csv")), tmp_path)


@pytest.mark.parametrize(
    ("tape", "message"),
    [
        ("../outside.csv", "pool.tape: the path leads outside the deal file's folder"),
        ("tapes/../../outside.csv", "pool.tape: the path leads outside the deal file's folder"),
        ("/etc/passwd", "pool.tape: an absolute path is not allowed"),
        ("C:\\data\\pool.csv", "pool.tape: an absolute path is not allowed"),
        ("\\\\server\\share\\pool.csv", "pool.tape: an absolute path is not allowed"),
    ],
)
def test_tape_outside_the_deal_folder_is_refused(tmp_path: Path, tape: str,
                                                 message: str) -> None:
    base = tmp_path / "deal"
    base.mkdir()
    (tmp_path / "outside.csv").write_text(SMALL_TAPE, encoding="utf-8")
    with pytest.raises(DealFileError, match=re.escape(message)):
        load_deal_pool(small_deal(PoolSource(tape=tape)), base)


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "deal"
    base.mkdir()
    (tmp_path / "outside.csv").write_text(SMALL_TAPE, encoding="utf-8")
    (base / "link.csv").symlink_to(tmp_path / "outside.csv")
    with pytest.raises(DealFileError, match="leads outside the deal file's folder"):
        load_deal_pool(small_deal(PoolSource(tape="link.csv")), base)


def test_no_files_mode_refuses_any_tape(tmp_path: Path) -> None:
    (tmp_path / "pool.csv").write_text(SMALL_TAPE, encoding="utf-8")
    with pytest.raises(DealFileError, match=re.escape(
            "pool.tape: this deal file may not read files (an uploaded deal file cannot name "
            "a tape on the server); give the pool as `embedded_csv` or `sample`")):
        load_deal_pool(small_deal(PoolSource(tape="pool.csv")), tmp_path, allow_files=False)


def test_tape_without_a_folder_is_refused() -> None:
    with pytest.raises(DealFileError, match=re.escape("pool.tape: the deal has no folder")):
        load_deal_pool(small_deal(PoolSource(tape="pool.csv")), None)


def test_embedded_csv_needs_no_files() -> None:
    deal = deal_from_json(deal_json(small_deal(PoolSource(embedded_csv=SMALL_TAPE))))
    pool, _ = load_deal_pool(deal, None, allow_files=False)
    assert pool.balance == SMALL_TAPE_BALANCE
    assert pool.name == "embedded.csv"


def test_sample_needs_no_files() -> None:
    pool, _ = load_deal_pool(load_sample_deal("consumer"), None, allow_files=False)
    assert len(pool) > 0


def test_eligibility_is_applied_after_scaling() -> None:
    source = PoolSource(embedded_csv=SMALL_TAPE, scale_to_balance=8000.0,
                        eligibility=EligibilityCriteria(min_balance=2500.0))
    # Scaled x2 the loans are 2,000 and 6,000: only the second passes 2,500.
    pool, result = load_deal_pool(small_deal(source), None)
    assert list(pool.loans["loan_id"]) == ["L2"]
    assert pool.balance == 6000.0
    assert result is not None
    assert result.loans_before == 2


def amount_classes(senior: float, sub: float) -> tuple[NoteClass, ...]:
    return (NoteClass("A", Tier.SENIOR, senior, SizeUnit.AMOUNT, 0.05),
            NoteClass("Sub", Tier.SUBORDINATED, sub, SizeUnit.AMOUNT))


def test_amount_classes_matching_the_pool_load() -> None:
    deal = small_deal(PoolSource(embedded_csv=SMALL_TAPE), amount_classes(3000.0, 1000.0))
    pool, _ = load_deal_pool(deal, None)
    assert deal.structure.class_amounts(pool.balance) == (3000.0, 1000.0)


def test_amount_classes_not_matching_the_pool_are_refused() -> None:
    deal = small_deal(PoolSource(embedded_csv=SMALL_TAPE), amount_classes(3000.0, 900.0))
    with pytest.raises(DealFileError, match=re.escape(
            "structure.classes: class sizes add up to 3,900.00 but the pool balance is "
            "4,000.00")):
        load_deal_pool(deal, None)


def test_mixed_size_units_are_checked_against_the_pool() -> None:
    classes = (NoteClass("A", Tier.SENIOR, 0.75, SizeUnit.SHARE, 0.05),
               NoteClass("Sub", Tier.SUBORDINATED, 1000.0, SizeUnit.AMOUNT))
    # Not checkable when the file is read; the pool of 4,000 makes it 3,000 + 1,000.
    deal = deal_from_json(deal_json(small_deal(PoolSource(embedded_csv=SMALL_TAPE), classes)))
    pool, _ = load_deal_pool(deal, None)
    assert deal.structure.class_amounts(pool.balance) == (3000.0, 1000.0)


@pytest.mark.parametrize(("change", "message"), [
    ({"copula": "clayton"}, r"assumptions\.copula: .*gaussian"),
    ({"t_degrees_of_freedom": 2}, r"assumptions\.t_degrees_of_freedom: must be > 2"),
    ({"sector_column": "grade"}, r"assumptions\.sector_column: .*region"),
    ({"sector_correlation": 0.2}, r"assumptions\.sector_column: name the column"),
    ({"sector_column": "region", "sector_correlation": 0.95},
     r"assumptions\.sector_correlation: correlation \+ sector_correlation must be below 1"),
    ({"recovery_volatility": 0.5}, r"assumptions\.recovery_volatility: a Beta distribution"),
    ({"recovery_correlation": 1.0}, r"assumptions\.recovery_correlation: must be in \[0, 1\)"),
])
def test_credit_model_fields_are_validated(change, message):
    from abs_tool import DealFileError, load_sample_deal
    from abs_tool.io.dealfile import deal_from_dict, deal_to_dict

    data = deal_to_dict(load_sample_deal("consumer"))
    data["assumptions"].update(change)
    with pytest.raises(DealFileError, match=message):
        deal_from_dict(data)
