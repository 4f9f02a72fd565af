"""The new fields of the waterfall options (issue 16): defaults, and every refusal with its
message (the deal-file path of each is tested in test_dealfile.py)."""

import pytest

from abs_tool.errors import FieldError
from abs_tool.model.deal import (
    ExcessInterest,
    ExcessInterestUse,
    Fee,
    FeeBasis,
    LossAllocation,
    LossTiming,
    NoteClass,
    Structure,
    Tier,
)

CLASSES = (NoteClass("A", Tier.SENIOR, 0.9, coupon_annual=0.05),
           NoteClass("C", Tier.SUBORDINATED, 0.1))


def test_the_defaults_are_todays_rules():
    structure = Structure(classes=CLASSES)
    assert structure.loss_allocation == LossAllocation(LossTiming.AT_END, reinstate=False)
    assert structure.excess_interest == ExcessInterest(ExcessInterestUse.COVER_DEFICIENCY,
                                                       0.0, 0.0)
    fee = Fee("trustee", 0.001)
    assert fee.basis == FeeBasis.PERFORMING_START_INCL_DEFAULTS
    assert fee.cap_per_month is None


@pytest.mark.parametrize(("build", "message"), [
    (lambda: LossAllocation("on_sale"),  # type: ignore[arg-type]
     r"timing: must be one of \['at_end', 'on_default', 'on_liquidation'\]"),
    (lambda: LossAllocation(LossTiming.AT_END, reinstate=True),
     r"reinstate: with `timing` \"at_end\" nothing is written down before the deal ends"),
    (lambda: LossAllocation(LossTiming.ON_DEFAULT, reinstate=1),  # type: ignore[arg-type]
     r"reinstate: must be true or false \(got 1\)"),
    (lambda: ExcessInterest("turbo"),  # type: ignore[arg-type]
     r"use: must be one of \['cover_deficiency', 'release', 'cover_up_to'\]"),
    (lambda: ExcessInterest(ExcessInterestUse.COVER_UP_TO),
     r"cover_limit_per_month: must be > 0 with `use` \"cover_up_to\""),
    (lambda: ExcessInterest(ExcessInterestUse.RELEASE, 10.0),
     r"cover_limit_per_month: applies only with `use` \"cover_up_to\"; .* \(got 10.0\)"),
    (lambda: ExcessInterest(ExcessInterestUse.COVER_UP_TO, float("nan")),
     r"cover_limit_per_month: must be an amount >= 0"),
    (lambda: ExcessInterest(haircut_share=-0.1), r"haircut_share: must be in \[0, 1\]"),
    (lambda: Fee("f", basis="pool"),  # type: ignore[arg-type]
     r"basis: must be one of \['performing_start_incl_defaults', 'performing_start'"),
    (lambda: Fee("f", 0.01, basis=FeeBasis.FIXED),
     r"rate_annual: must be 0 with `basis` \"fixed\""),
    (lambda: Fee("f", 0.01, cap_per_month=0.0),
     r"cap_per_month: must be an amount > 0, or null for no cap \(got 0.0\)"),
    (lambda: Structure(classes=CLASSES, turbo=True,
                       excess_interest=ExcessInterest(ExcessInterestUse.RELEASE)),
     r"excess_interest.use: the turbo pays all the cash left to the rated classes"),
])
def test_invalid_options_are_refused(build, message):
    with pytest.raises(FieldError, match=message):
        build()
