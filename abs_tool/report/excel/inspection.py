"""The month of the stress case that the term sheet's Cash Flows sheet shows step by step
(:func:`abs_tool.analysis.inspector.inspect_waterfall`): the month a structurer would walk a
rating committee through.

Unless the user picks one (:attr:`~abs_tool.report.excel.inputs.TermSheetInputs.inspector_month`),
it is the first month in which a rated class (senior or mezzanine) is not paid its full
interest: the event a committee asks about first, as it is a rated note's default, even where
a trigger was breached earlier (the stress case is the break-even path of the most junior
placed class, so a trigger often trips in its first months); on a path without one, the first
month a trigger is breached; on a path with neither, the month of the largest pool loss
(defaults net of recoveries); on a path with no loss, month 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abs_tool.analysis.deal_analysis import DealAnalysis
from abs_tool.analysis.inspector import WaterfallInspection, inspect_waterfall
from abs_tool.model.deal import Tier

REASONS: tuple[str, ...] = ("chosen", "interest_shortfall", "trigger_breach", "largest_loss",
                            "first_month")
"""Why a month was inspected, in the order of the rule (``chosen``: the user's)."""

SHORTFALL_SHARE = 1e-9
"""An interest shortfall counts above this share of the class's original balance (rounding
of the engine's sums is far below it; DOMAIN.md's PD uses the same floor)."""


@dataclass(frozen=True)
class InspectedMonth:
    """The stress case's inspection (path 0) for ``month`` (1..T), and why that month
    (one of :data:`REASONS`)."""

    month: int
    reason: str
    inspection: WaterfallInspection


def committee_month(analysis: DealAnalysis) -> tuple[int, str]:
    """The month of ``analysis.stress`` to show, and why (module docstring)."""
    result, deal = analysis.stress.result, analysis.deal
    rated = np.array([c.tier != Tier.SUBORDINATED for c in deal.structure.classes])
    shortfall = (result.classes.interest_shortfall[0, rated]
                 > SHORTFALL_SHARE * result.original_balance[rated, None]).any(axis=0)
    breach = result.trigger_breached[0].any(axis=0)  # sticky: the first True is the breach
    for found, reason in ((shortfall, "interest_shortfall"), (breach, "trigger_breach")):
        if found.any():
            return int(np.argmax(found)) + 1, reason
    loss = result.pool.loss[0]
    if loss.max() > 0:
        return int(np.argmax(loss)) + 1, "largest_loss"
    return 1, "first_month"


def stress_inspection(analysis: DealAnalysis, month: int | None = None) -> InspectedMonth:
    """The stress case's ``month`` (else :func:`committee_month`'s), step by step; the
    recovery lag is the stress run's."""
    chosen, reason = (month, "chosen") if month is not None else committee_month(analysis)
    stress = analysis.stress
    return InspectedMonth(chosen, reason, inspect_waterfall(
        stress.result, analysis.deal, chosen,
        lag_months=stress.assumptions.recovery.lag_months))
