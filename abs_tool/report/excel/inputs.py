"""What the term sheet shows: :class:`TermSheetInputs`, a
:class:`~abs_tool.analysis.deal_analysis.DealAnalysis` with what only the workbook adds (the
Structuring tables, the input files' hashes).

Nothing here computes: :func:`build_term_sheet_inputs` takes the figures from the analysis,
and the writer lays them out.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from abs_tool.analysis.deal_analysis import DealAnalysis, KeyRisk
from abs_tool.analysis.economics import CostOfFunds
from abs_tool.analysis.static_pool import StaticPoolAnalysis
from abs_tool.analysis.stress import StressTable
from abs_tool.errors import FieldError


@dataclass(frozen=True)
class TermSheetInputs:
    """Everything the term-sheet workbook shows, already computed.

    Attributes
    ----------
    analysis
        The deal's analysis: every figure of the Term Sheet, Pool, Assumptions, Monte Carlo,
        Cash Flows and Audit sheets (the Monte Carlo sheet says so when it has no
        simulation; the Term Sheet then leaves EL, PD and ratings out).
    cost, risks
        The analysis's cost of funds and key risks (the term sheet cannot go without them).
    structuring
        Titled tables for the Structuring sheet, written one below another; the sheet is
        left out when None. A frame may name number formats of its columns in
        ``frame.attrs["formats"]`` (``{"column": "money" | "pct" | "bp" | "number" |
        "int" | "date"}``).
    sources
        Input name -> SHA-256 hex of its file (deal file, tape), for the Audit sheet.
    static_pool
        The originator's static-pool analysis, for the Static pool analysis sheet (its base
        case, vintages and curves); the sheet is left out when None.
    stress
        A stress table of the deal, for the Stress tests sheet; left out when None.
    inspector_month
        The month (1..T) of the stress case whose priority of payments the Cash Flows sheet
        shows step by step; None: the month the rule of
        :mod:`abs_tool.report.excel.inspection` picks (the first interest shortfall or
        trigger breach, else the largest loss).
    """

    analysis: DealAnalysis
    cost: CostOfFunds
    risks: tuple[KeyRisk, ...]
    structuring: Mapping[str, pd.DataFrame] | None
    sources: Mapping[str, str]
    static_pool: StaticPoolAnalysis | None = None
    stress: StressTable | None = None
    inspector_month: int | None = None

    def __post_init__(self) -> None:
        month, horizon = self.inspector_month, self.analysis.stress.result.n_periods
        if month is not None and (isinstance(month, bool) or not isinstance(month, int)
                                  or not 1 <= month <= horizon):
            raise FieldError("inspector_month",
                             f"must be a whole month of the stress case, 1 to {horizon}, or "
                             f"None to let the rule pick it (got {month!r})")


def build_term_sheet_inputs(
    analysis: DealAnalysis,
    *,
    structuring: Mapping[str, pd.DataFrame] | None = None,
    sources: Mapping[str, str] | None = None,
    static_pool: StaticPoolAnalysis | None = None,
    stress: StressTable | None = None,
    inspector_month: int | None = None,
) -> TermSheetInputs:
    """The term sheet of ``analysis``.

    Parameters
    ----------
    analysis
        From :func:`abs_tool.analysis.deal_analysis.analyse` (with or without a Monte Carlo
        result).
    structuring
        Titled tables for the Structuring sheet (see :class:`TermSheetInputs`), e.g.
        :func:`abs_tool.report.tables.structuring_tables`.
    sources
        Input name -> SHA-256 hex (:func:`file_sha256`).
    static_pool
        From :func:`abs_tool.analysis.static_pool.analyse_static_pool`: a Static pool
        analysis sheet.
    stress
        From :func:`abs_tool.analysis.stress.stress_table`: a Stress tests sheet.
    inspector_month
        The stress case's month the Cash Flows sheet inspects (see :class:`TermSheetInputs`).

    Raises
    ------
    FieldError
        The analysis's cost of funds is undefined (the upfront fees take all the proceeds);
        ``inspector_month`` is not a month of the stress case.
    """
    return TermSheetInputs(analysis=analysis, cost=analysis.cost, risks=analysis.risks,
                           structuring=structuring, sources=dict(sources or {}),
                           static_pool=static_pool, stress=stress,
                           inspector_month=inspector_month)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex of a file's bytes (for :attr:`TermSheetInputs.sources`)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
