"""A new pool starts a new deal (:mod:`abs_tool.analysis.new_deal`), ``abs-tool new-deal``, the
deal's parties (:class:`~abs_tool.model.deal.DealParties`) and the embedded tape's file name
in deal files.

Expected numbers: a scaled amount is the amount times new / old pool balance, both after
eligibility (the consumer deal's 300,000 a year "rating and audit" fee, say); a class sized
as an amount becomes amount / old balance; moved dates keep their day and month distances
from the cut-off (hand-computed below).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from abs_tool import (
    load_deal,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_scenario,
    sample_pool,
)
from abs_tool.analysis.new_deal import (
    ALL_PARTS,
    Carry,
    Cleared,
    FixedFees,
    carried_balance,
    eligibility_rules,
    name_from_file,
    new_deal_for_pool,
    parse_carry,
)
from abs_tool.cli import main
from abs_tool.errors import DealFileError, FieldError, InputError
from abs_tool.io.dealfile import deal_from_dict, deal_from_json, deal_json, deal_to_dict
from abs_tool.io.tape import tape_bytes, write_tape
from abs_tool.model.deal import DealParties, ExcessInterest, ExcessInterestUse, PoolSource
from abs_tool.model.pool import Pool

CUTOFF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def consumer():
    return load_sample_deal("consumer")


@pytest.fixture(scope="module")
def old_balance(consumer) -> float:
    return load_deal_pool(consumer, None)[0].balance


@pytest.fixture(scope="module")
def tape() -> Pool:
    """The consumer sample's 20,000 loans, as a tape: the deal's eligibility keeps them all."""
    return Pool(sample_pool("consumer").loans, "pool.csv")


def test_everything_kept_scales_the_fixed_amounts(consumer, old_balance, tape) -> None:
    made = new_deal_for_pool(consumer, tape, old_balance=old_balance, cutoff=CUTOFF)
    new = carried_balance(consumer, tape, ALL_PARTS)
    assert new == pytest.approx(tape.balance, rel=1e-12)  # nothing removed by eligibility
    ratio = new / old_balance
    assert made.balance_ratio == ratio
    fees = {f.name: f.fixed_annual for f in made.deal.structure.fees}
    assert fees["rating and audit"] == pytest.approx(300_000 * ratio, rel=1e-15)
    assert fees["servicer"] == 0  # a rate fee has no fixed amount to scale
    upfront = {f.name: f.fixed for f in made.deal.structure.upfront_fees}
    for fee in consumer.structure.upfront_fees:
        assert upfront[fee.name] == pytest.approx(fee.fixed * ratio, rel=1e-15)
    assert [(a.item, a.field) for a in made.scaled] == [
        ("rating and audit", "fixed_annual"),
        *((f.name, "fixed") for f in consumer.structure.upfront_fees if f.fixed)]
    assert made.flagged == made.cleared == ()
    deal = made.deal
    assert deal.dates == consumer.dates  # ALL_PARTS carries the dates
    assert deal.name == "pool"  # the tape's file name
    assert (deal.pool.eligibility, deal.pool.concentration) == (
        consumer.pool.eligibility, consumer.pool.concentration)
    assert (deal.structure.classes, deal.structure.triggers, deal.structure.revolving) == (
        consumer.structure.classes, consumer.structure.triggers, consumer.structure.revolving)
    assert (deal.parties, deal.assumptions, deal.pricing) == (
        consumer.parties, consumer.assumptions, consumer.pricing)
    # The embedded tape reads back as the pool, under its file name.
    pool, _ = load_deal_pool(deal, None)
    assert (len(pool), pool.name) == (len(tape), "pool.csv")
    assert pool.balance == pytest.approx(new, rel=1e-12)


def test_fixed_amounts_kept_are_flagged(consumer, old_balance, tape) -> None:
    made = new_deal_for_pool(consumer, tape, old_balance=old_balance, cutoff=CUTOFF,
                             fixed_fees=FixedFees.KEEP)
    assert made.deal.structure.fees == consumer.structure.fees
    assert made.deal.structure.upfront_fees == consumer.structure.upfront_fees
    assert made.scaled == ()
    assert [(a.item, a.before, a.after) for a in made.flagged][0] == (
        "rating and audit", 300_000, 300_000)


def test_parts_not_kept_are_cleared_and_listed(consumer, old_balance, tape) -> None:
    made = new_deal_for_pool(consumer, tape, old_balance=old_balance, keep=frozenset(),
                             cutoff=CUTOFF, name="ABS 2025-1")
    deal = made.deal
    assert deal.name == "ABS 2025-1"
    assert deal.structure.classes == consumer.structure.classes  # always carried
    assert (deal.structure.fees, deal.structure.upfront_fees, deal.structure.triggers) == (
        (), (), ())
    assert deal.structure.revolving is None
    assert deal.structure.clean_up_call is None
    assert deal.pool.eligibility is None
    assert deal.pool.concentration is None
    # Without eligibility the whole tape is the new pool.
    assert made.new_balance == tape.balance
    assert made.cleared == (
        Cleared(Carry.STRUCTURE, ("revolving", "clean_up_call")),
        Cleared(Carry.FEES, ("trustee", "custodian", "servicer", "rating and audit",
                             *(f.name for f in consumer.structure.upfront_fees))),
        Cleared(Carry.TRIGGERS, tuple(t.name for t in consumer.structure.triggers)),
        Cleared(Carry.ELIGIBILITY, ("max_rate", "max_remaining_term_months",
                                    "max_obligor_share", "max_region_share")),
    )
    assert eligibility_rules(consumer) == made.cleared[-1].items


def test_dates_move_to_the_new_cutoff(consumer, old_balance, tape) -> None:
    # 2015-10-01 cut-off, closing 27 days and first payment 117 days later, legal final
    # 36 months later: from 2025-06-30, closing 2025-07-27, first payment 2025-10-25, legal
    # final 2028-06-30.
    keep = ALL_PARTS - {Carry.DATES}
    dates = new_deal_for_pool(consumer, tape, old_balance=old_balance, keep=keep,
                              cutoff=CUTOFF).deal.dates
    assert (dates.cutoff, dates.closing, dates.first_payment, dates.legal_final) == (
        CUTOFF, dt.date(2025, 7, 27), dt.date(2025, 10, 25), dt.date(2028, 6, 30))
    with pytest.raises(FieldError, match="cutoff: required unless the dates are kept"):
        new_deal_for_pool(consumer, tape, old_balance=old_balance, keep=keep)


def test_amount_classes_become_shares_and_the_cover_limit_scales(consumer, tape) -> None:
    old = 1_000_000.0
    classes = (replace(consumer.structure.classes[0], size=750_000.0, size_unit="amount"),
               *consumer.structure.classes[1:])
    excess = ExcessInterest(use=ExcessInterestUse.COVER_UP_TO, cover_limit_per_month=10_000.0)
    deal = replace(consumer, structure=replace(consumer.structure, classes=classes,
                                               excess_interest=excess))
    keep = frozenset({Carry.STRUCTURE})
    made = new_deal_for_pool(deal, tape, old_balance=old, keep=keep, cutoff=CUTOFF)
    senior = made.deal.structure.classes[0]
    assert (senior.size, senior.size_unit.value) == (0.75, "share")
    limit = made.deal.structure.excess_interest.cover_limit_per_month
    assert limit == pytest.approx(10_000.0 * tape.balance / old, rel=1e-15)


def test_bad_requests_are_refused(consumer, tape) -> None:
    with pytest.raises(FieldError, match=r"old_balance: must be > 0 \(got 0"):
        new_deal_for_pool(consumer, tape, old_balance=0.0, cutoff=CUTOFF)
    small = Pool(sample_pool("consumer", n_loans=50).loans, "small.csv")
    with pytest.raises(InputError, match="removed the last eligible loan"):
        new_deal_for_pool(consumer, small, old_balance=1e6, cutoff=CUTOFF)
    with pytest.raises(FieldError, match=r"keep: unknown part\(s\) \['fee'\]"):
        parse_carry("structure, fee")
    assert parse_carry(" fees,triggers ") == {Carry.FEES, Carry.TRIGGERS}
    assert parse_carry("") == frozenset()


@pytest.mark.parametrize(("file", "name"), [("tape.csv", "tape"), ("a.b.xlsx", "a.b"),
                                            ("noext", "noext"), (".csv", ".csv")])
def test_name_from_file(file: str, name: str) -> None:
    assert name_from_file(file) == name


# --- abs-tool new-deal -----------------------------------------------------------------------


@pytest.mark.slow
def test_cli_new_deal_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tape = tmp_path / "tapes" / "pool.csv"
    tape.parent.mkdir()
    write_tape(sample_pool("consumer"), tape)
    out = tmp_path / "new.json"
    assert main(["new-deal", str(tape), "--like", "consumer", "--out", str(out),
                 "--cutoff", "2025-06-30", "--keep", "structure,fees,eligibility"]) == 0
    printed = capsys.readouterr().out
    assert "cleared triggers: early amortisation" in printed
    assert "scaled: rating and audit fixed_annual RMB 300,000 -> RMB 37,574" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["pool"]["tape"] == "tapes/pool.csv"  # relative to the deal file
    deal = load_deal(out)
    assert (deal.name, deal.dates.cutoff, deal.structure.triggers) == ("pool", CUTOFF, ())
    pool, result = load_deal_pool(deal, out.parent)
    assert result is not None
    assert len(pool) == 20_000
    # The written deal runs: its classes add up to the pool, its waterfall closes.
    scenario = run_scenario(prepare_deal(deal, pool))
    assert scenario.metrics.principal_loss.shape[1] == len(deal.structure.classes)
    # A deal file in another folder cannot name the tape: the tape is written into it.
    (tmp_path / "deals").mkdir()
    embedded = tmp_path / "deals" / "embedded.json"
    assert main(["new-deal", str(tape), "--like", str(out), "--out", str(embedded),
                 "--keep", "dates", "--name", "X 2025-1"]) == 0
    assert "written into the deal file" in capsys.readouterr().out
    copy = load_deal(embedded)
    assert (copy.name, copy.pool.file_name, copy.dates) == ("X 2025-1", "pool.csv", deal.dates)
    assert len(load_deal_pool(copy, None)[0]) == 20_000


def test_cli_new_deal_refuses_an_unknown_part(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    tape = tmp_path / "t.csv"
    tape.write_bytes(tape_bytes(sample_pool("consumer", n_loans=5), "csv"))
    assert main(["new-deal", str(tape), "--like", "consumer", "--out",
                 str(tmp_path / "d.json"), "--keep", "fee"]) == 2
    assert "unknown part(s) ['fee']" in capsys.readouterr().err


# --- Parties and the embedded tape's file name in deal files ---------------------------------


def test_parties_round_trip(consumer) -> None:
    parties = DealParties(originator="甲公司", trustee="乙银行",
                          rating_agencies=("丙评级", "丁评级"))
    deal = replace(consumer, parties=parties)
    assert deal_from_json(deal_json(deal)).parties == parties
    assert deal_to_dict(deal)["parties"]["rating_agencies"] == ["丙评级", "丁评级"]
    assert consumer.parties.rating_agencies  # the sample names its (fictional) parties
    data = deal_to_dict(consumer)
    del data["parties"]  # an older file: no parties, none named
    assert deal_from_dict(data).parties == DealParties()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"servicer": " 甲"}, r"servicer: must be a name of at most 200 characters"),
    ({"manager": "甲\n乙"}, r"manager: must be a name"),
    ({"trustee": "x" * 201}, r"trustee: must be a name of at most 200"),
    ({"rating_agencies": ("甲", "")}, r"rating_agencies\[1\]: must not be empty"),
    ({"rating_agencies": ("甲", "甲")}, r"rating_agencies\[1\]: is listed twice"),
])
def test_bad_parties_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(FieldError, match=message):
        DealParties(**kwargs)  # type: ignore[arg-type]


def test_a_bad_party_in_a_file_names_its_path(consumer) -> None:
    data = deal_to_dict(consumer)
    data["parties"]["rating_agencies"] = ["甲", 3]
    with pytest.raises(DealFileError, match=r"parties\.rating_agencies\[1\]: must be a string"):
        deal_from_dict(data)


def test_a_restored_tape_keeps_its_file_name(consumer) -> None:
    csv = tape_bytes(sample_pool("consumer", n_loans=3_000), "csv").decode("utf-8-sig")
    deal = replace(consumer, pool=PoolSource(embedded_csv=csv, file_name="贷款清单 2025.xlsx"))
    restored = deal_from_json(deal_json(deal))
    assert load_deal_pool(restored, None)[0].name == "贷款清单 2025.xlsx"
    unnamed = replace(consumer, pool=PoolSource(embedded_csv=csv))
    assert load_deal_pool(unnamed, None)[0].name == "embedded.csv"  # files from before
    with pytest.raises(FieldError, match="file_name: names the file of an `embedded_csv`"):
        PoolSource(sample="consumer", file_name="x.csv")
