"""Break-even default rates: the largest multiple of the base default assumption under which
a class still loses nothing, bracketed on grids of stressed deterministic scenarios, each grid run
as the paths of one engine call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abs_tool.engine.deterministic import PreparedDeal, run_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.projection import (
    deterministic_defaults,
)
from abs_tool.types import Array

BREAK_EVEN_TOLERANCE = 1e-5
"""Break-even default rates are bracketed to within this (absolute, as a rate: 0.001%)."""

BREAK_EVEN_GRID = 33
"""Stress multipliers tried at once in each round of the break-even search."""

MAX_MULTIPLIER = 200.0
"""Largest stress multiplier tried: enough to default (nearly) the whole pool for PD >= 0.5%."""


def _stress_losses(prepared: PreparedDeal, multipliers: Array) -> tuple[Array, Array]:
    """Class PV losses (paths, classes) and lifetime default rates (paths,) per multiplier."""
    defaults = deterministic_defaults(prepared.model, prepared.deal.assumptions.default,
                                      multipliers)
    result = run_paths(prepared, defaults, len(multipliers))
    metrics = class_metrics(result, prepared.coupons)
    return metrics.loss_pv, result.pool.cumulative_default_rate[:, -1]


@dataclass(frozen=True)
class BreakEven:
    """Break-even default rate of one class under the deal's deterministic stress path.

    ``default_rate`` is the lifetime cumulative pool default rate at the smallest stress
    multiplier where the class loses (within :data:`BREAK_EVEN_TOLERANCE`); when the class
    does not lose even at :data:`MAX_MULTIPLIER`, ``loses`` is False and the rate shown is
    the one reached there (a lower bound).
    """

    class_name: str
    multiplier: float
    default_rate: float
    loses: bool


def break_even(prepared: PreparedDeal) -> tuple[BreakEven, ...]:
    """Break-even default rate (BDR) of every class, by bracketing the stress multiplier.

    Each round evaluates :data:`BREAK_EVEN_GRID` multipliers as paths of one engine run and
    keeps the bracket [last without loss, first with loss]; loss is monotone in the
    multiplier, so this cannot miss the root, whatever the shape of the loss curve.
    Rounds stop when the default rates at both ends are within the tolerance.
    """
    classes = prepared.deal.structure.classes
    out = []
    for j, note in enumerate(classes):
        low, high = 0.0, MAX_MULTIPLIER
        rate_low = rate_high = np.nan
        loses = True
        for _ in range(20):
            grid = np.linspace(low, high, BREAK_EVEN_GRID)
            losses, rates = _stress_losses(prepared, grid)
            hit = losses[:, j] > 1e-9
            if not hit.any():
                loses = False
                low, rate_low = high, rates[-1]
                break
            first = int(np.argmax(hit))
            if first == 0:
                low = high = grid[0]
                rate_low = rate_high = rates[0]
                break
            low, high = grid[first - 1], grid[first]
            rate_low, rate_high = rates[first - 1], rates[first]
            if rate_high - rate_low <= BREAK_EVEN_TOLERANCE:
                break
        shown = rate_high if loses else rate_low
        out.append(BreakEven(note.name, high if loses else low, float(shown), loses))
    return tuple(out)
