"""Array types of the library, named by their shape, and the form compiled code takes.

Amounts are in the deal's currency unit, rates are fractions (0.05 is 5 %), months count
from the cut-off (DOMAIN.md). An alias names the axes; docstrings say the units.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
"""float64 array of any shape (the shape is stated where it is used)."""

IntArray = NDArray[np.int64]
"""int64 array: indices, counts, codes."""

BoolArray = NDArray[np.bool_]
"""bool array: masks."""

ByPaths = NDArray[np.float64]
"""float64 shaped (paths,)."""

PathsByPeriods = NDArray[np.float64]
"""float64 shaped (paths, periods): one row per Monte Carlo path (one for a deterministic
scenario), one column per month from the cut-off."""

LoansByPeriods = NDArray[np.float64]
"""float64 shaped (loans, periods): schedules of individual loans."""

GroupsByPeriods = NDArray[np.float64]
"""float64 shaped (groups, periods): a pool's PD groups by month."""

PathsByGroupsByPeriods = NDArray[np.float64]
"""float64 shaped (paths, groups, periods): conditional default curves of a block."""


def kernel_array(a: ArrayLike, dtype: type = np.float64) -> NDArray[Any]:
    """``a`` as the compiled functions take it: C-contiguous and writable, a copy only where
    needed. numba compiles (and caches) one version per argument type, and types read-only
    or strided arrays apart, so every caller passes this form and each function compiles
    once."""
    return np.require(a, dtype, ["C", "W"])
