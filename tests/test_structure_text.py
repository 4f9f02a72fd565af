"""The structure in words (abs_tool.report.structure_text): every option in force is stated,
in English and Chinese, with its numbers."""

from dataclasses import replace

import pytest

from abs_tool import load_sample_deal
from abs_tool.model.dates import BusinessDayConvention, DayCount
from abs_tool.model.deal import (
    CouponPriority,
    ExcessInterest,
    ExcessInterestUse,
    Fee,
    FeeBasis,
    LossAllocation,
    LossTiming,
    ReserveAccount,
)
from abs_tool.report.structure_text import structure_description


def optioned():
    """The consumer sample with every option of issue 16 set away from its default."""
    deal = load_sample_deal("consumer")
    s = deal.structure
    sub = replace(s.classes[-1], coupon_annual=0.02,
                  coupon_priority=CouponPriority.AFTER_PRINCIPAL)
    structure = replace(
        s, classes=(*s.classes[:-1], sub),
        fees=(Fee("trustee", 0.001, basis=FeeBasis.NOTES, cap_per_month=50_000.0),),
        reserve=ReserveAccount(0.01, 0.015, 0.005),
        loss_allocation=LossAllocation(LossTiming.ON_LIQUIDATION, reinstate=True),
        excess_interest=ExcessInterest(ExcessInterestUse.COVER_UP_TO, 1_000_000.0, 0.25))
    dates = replace(deal.dates, business_day_convention=BusinessDayConvention.FOLLOWING,
                    day_count=DayCount.ACT_365)
    return replace(deal, structure=structure, dates=dates)


def test_every_option_is_stated_in_english():
    text = " ".join(structure_description(optioned(), "en"))
    for phrase in ("next business day", "make-up working days", "ACT/365",
                   "0.1000% a year of the notes outstanding", "at most RMB 50,000 a month",
                   "fixed return of 2.00% a year, paid after principal",
                   "funded at closing with 1.00%", "1.50% of the notes outstanding",
                   "up to RMB 1,000,000 a month", "25.00% of the pool's interest",
                   "when a defaulted loan is liquidated", "reinstated"):
        assert phrase in text, phrase


def test_every_option_is_stated_in_chinese_amounts_in_wan():
    text = "".join(structure_description(optioned(), "zh"))
    for phrase in ("顺延至下一工作日", "调休", "实际天数/365",
                   "当期期初各档证券未偿本金余额的0.1000%/年",
                   "每月上限5.00 万元", "2.00%/年的期间收益，于本金分配之后", "储备账户",
                   "每月至多100.00 万元", "超额利差压降", "处置完毕", "恢复"):
        assert phrase in text, phrase


def test_defaults_state_todays_rules():
    en = structure_description(load_sample_deal("consumer"), "en")
    assert "one twelfth of the annual rate a month (30/360)" in en[0]
    assert any("covers the principal deficiency" in line for line in en)
    assert any("not written off the notes before the deal ends" in line for line in en)


def test_unknown_language_is_refused():
    with pytest.raises(KeyError, match="lang"):
        structure_description(load_sample_deal("consumer"), "fr")
