"""Rate algebra of DOMAIN.md: annual <-> monthly (30/360), CPR <-> SMM, CDR <-> MDR, PD -> hazard.

All rates are annual decimals (0.051 = 5.1%); periods are months.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

MONTHS_PER_YEAR = 12


def monthly_rate(rate_annual: ArrayLike) -> NDArray[np.float64]:
    """Monthly accrual rate under 30/360: annual / 12."""
    return np.asarray(rate_annual, dtype=np.float64) / MONTHS_PER_YEAR


def smm_from_cpr(cpr_annual: ArrayLike) -> NDArray[np.float64]:
    """Single monthly mortality: SMM = 1 - (1 - CPR)^(1/12)."""
    return 1.0 - (1.0 - np.asarray(cpr_annual, dtype=np.float64)) ** (1.0 / MONTHS_PER_YEAR)


def cpr_from_smm(smm: ArrayLike) -> NDArray[np.float64]:
    """Inverse of :func:`smm_from_cpr`."""
    return 1.0 - (1.0 - np.asarray(smm, dtype=np.float64)) ** MONTHS_PER_YEAR


# A CDR converts to a monthly default rate exactly as a CPR converts to an SMM.
mdr_from_cdr = smm_from_cpr


def hazard_from_annual_pd(pd_annual: ArrayLike) -> NDArray[np.float64]:
    """Constant monthly hazard h = -ln(1 - p) / 12 of an annual PD p."""
    return -np.log1p(-np.asarray(pd_annual, dtype=np.float64)) / MONTHS_PER_YEAR


def cumulative_pd(pd_annual: ArrayLike, months: ArrayLike) -> NDArray[np.float64]:
    """F(t) = 1 - exp(-h t): probability of default by month t under a constant hazard."""
    h = hazard_from_annual_pd(pd_annual)
    return -np.expm1(-h * np.asarray(months, dtype=np.float64))
