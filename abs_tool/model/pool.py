"""The loan pool: a validated, read-only table of loans with canonical columns.

A :class:`Pool` is what the tape reader and the sample generators return and what analytics,
eligibility and the cash-flow engine consume. Its frame has every column of
:data:`abs_tool.model.columns.ALL_COLUMNS` with fixed dtypes (see :data:`POOL_DTYPES`);
``annual_pd``,
``lgd`` and ``score`` may be NaN, meaning "not given on the tape".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abs_tool.errors import InputError
from abs_tool.model.columns import ALL_COLUMNS, AMORTIZATION_CODES

POOL_DTYPES: dict[str, str] = {
    "loan_id": "object",
    "balance": "float64",
    "rate": "float64",
    "remaining_term": "int64",
    "amortization": "object",
    "original_balance": "float64",
    "original_term": "int64",
    "seasoning": "int64",
    "annual_pd": "float64",
    "lgd": "float64",
    "grade": "object",
    "obligor_id": "object",
    "region": "object",
    "industry": "object",
    "score": "float64",
}


@dataclass(frozen=True, eq=False)
class Pool:
    """A pool of loans.

    Parameters
    ----------
    loans
        One row per loan, the columns of :data:`POOL_DTYPES` in that order, a RangeIndex.
        The frame is copied and its arrays made read-only, so a Pool never changes.
    name
        Where the pool came from (file name or sample name), for reports.
    """

    loans: pd.DataFrame
    name: str = "pool"

    def __post_init__(self) -> None:
        missing = [c for c in ALL_COLUMNS if c not in self.loans.columns]
        if missing:
            raise InputError(f"pool `{self.name}`: missing column(s) {missing}")
        frame = self.loans.loc[:, list(ALL_COLUMNS)].reset_index(drop=True)
        frame = frame.astype(POOL_DTYPES)
        if len(frame) == 0:
            raise InputError(f"pool `{self.name}`: no loans")
        bad_amort = sorted(set(frame["amortization"]) - set(AMORTIZATION_CODES))
        if bad_amort:
            raise InputError(
                f"pool `{self.name}`: unknown amortization {bad_amort}; "
                f"expected one of {list(AMORTIZATION_CODES)}"
            )
        if not frame["loan_id"].is_unique:
            raise InputError(f"pool `{self.name}`: duplicate loan_id")
        for column in ("balance", "rate", "remaining_term"):
            values = frame[column].to_numpy()
            if column == "balance" and not np.all(values > 0):
                raise InputError(f"pool `{self.name}`: `balance` must be > 0")
            if column == "rate" and not np.all((values >= 0) & (values < 1)):
                raise InputError(f"pool `{self.name}`: `rate` must be in [0, 1)")
            if column == "remaining_term" and not np.all(values >= 1):
                raise InputError(f"pool `{self.name}`: `remaining_term` must be >= 1")
        for column in frame.columns:
            frame[column].to_numpy().flags.writeable = False
        object.__setattr__(self, "loans", frame)

    def __len__(self) -> int:
        return len(self.loans)

    @property
    def balance(self) -> float:
        """Total current principal."""
        return float(self.loans["balance"].sum())

    @property
    def max_term_months(self) -> int:
        return int(self.loans["remaining_term"].max())

    def subset(self, mask: np.ndarray | pd.Series, name: str | None = None) -> Pool:
        """The loans where ``mask`` is true, as a new pool."""
        return Pool(self.loans.loc[np.asarray(mask, dtype=bool)], name or self.name)
