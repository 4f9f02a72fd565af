"""Rating scales: Moody's symbols in order (:data:`MOODYS_SCALE`), the Chinese/S&P-style
local scale (:data:`LOCAL_SCALE`) one notch for one notch, their ranks, and ``"NR"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from abs_tool.errors import InputError

MOODYS_SCALE: tuple[str, ...] = (
    "Aaa", "Aa1", "Aa2", "Aa3", "A1", "A2", "A3", "Baa1", "Baa2", "Baa3",
    "Ba1", "Ba2", "Ba3", "B1", "B2", "B3", "Caa1", "Caa2", "Caa3", "Ca", "C",
)
"""Moody's long-term scale, best first."""

# The generic "Caa" of a table that does not split the category (the DIRR table) sits where
# Caa2 does; a table may use it or Caa1-Caa3, not both.
_GENERIC_CAA = "Caa"
_CAA_NOTCHES = ("Caa1", "Caa2", "Caa3")
_RANK: dict[str, float] = {r: float(i) for i, r in enumerate(MOODYS_SCALE)}

LOCAL_SCALE: tuple[str, ...] = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-",
    "BB+", "BB", "BB-", "B+", "B", "B-", "CCC", "CC", "C",
)
"""Chinese / S&P-style scale, best first; it has no +/- notches below B-."""

NOT_RATED = "NR"

_TO_LOCAL: dict[str, str] = {
    **dict(zip(MOODYS_SCALE[:16], LOCAL_SCALE[:16], strict=True)),
    # The local scale does not split CCC (PBoC 2006 scale: no +/- at CCC and below).
    "Caa1": "CCC", "Caa2": "CCC", "Caa3": "CCC", _GENERIC_CAA: "CCC",
    "Ca": "CC", "C": "C", NOT_RATED: NOT_RATED,
}


def rating_rank(rating: str) -> float:
    """Position of a Moody's symbol on the scale, 0 for Aaa (generic Caa ranks as Caa2)."""
    return _RANK[rating]


def from_local_scale(rating: str) -> str:
    """Moody's symbol of a rating given on the local scale (``"AA-"`` -> ``"Aa3"``) or
    already on Moody's scale; ``"CCC"`` stands for the middle of Caa (``Caa2``).

    Raises
    ------
    InputError
        A symbol on neither scale.
    """
    if rating in _RANK:
        return rating
    local = {v: k for k, v in reversed(_TO_LOCAL.items()) if k != _GENERIC_CAA}
    local["CCC"] = "Caa2"
    if rating not in local or rating == NOT_RATED:
        raise InputError(
            f"unknown rating {rating!r}; expected one of {list(LOCAL_SCALE)} (or a Moody's "
            "symbol)"
        )
    return local[rating]


def to_local_scale(moodys: ArrayLike) -> Any:
    """Map Moody's symbols to the Chinese/S&P-style scale, one notch for one notch.

    Aaa -> AAA, Aa1 -> AA+, Aa2 -> AA, ..., B3 -> B-; Caa1, Caa2, Caa3 and Caa -> CCC (the
    local scale has no notches there), Ca -> CC, C -> C, NR -> NR.

    Parameters
    ----------
    moodys : str or array_like of str

    Returns
    -------
    ndarray of str
        Same shape.

    Raises
    ------
    InputError
        A symbol that is not on the Moody's scale.
    """
    arr = np.asarray(moodys, dtype=object)
    unknown = sorted({str(s) for s in arr.flat if s not in _TO_LOCAL})
    if unknown:
        raise InputError(
            f"unknown Moody's rating(s) {unknown}; expected one of {list(_TO_LOCAL)}"
        )
    return np.vectorize(_TO_LOCAL.__getitem__, otypes=[str])(arr)[()]
