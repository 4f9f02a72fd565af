"""Rating scales and indicative rating criteria from editable tables (DOMAIN.md, "Metrics").

Three kinds of criteria table, each a CSV with a JSON sidecar of the same name holding its
``kind``, ``label`` and ``source`` (CSV files here carry data rows only):

``dirr_bp``
    Upper bound of the reduction in yield (bp) per rating: :func:`dirr_rating`.
``pd``
    Moody's rating factors (10-year idealized cumulative PD x 10,000); at a WAL of T years
    the threshold is ``1 - (1 - PD10)^(T/10)`` (constant hazard): :func:`pd_rating`, and the
    confidence levels of :func:`tdr`.
``el``
    Expected-loss thresholds by rating and horizon (columns ``year_1`` ...):
    :func:`el_rating`. The shipped table is *derived* here as ``PD(T) x LGD_ref`` with
    ``LGD_ref = 1.0`` (:func:`derive_el_table`); it is not Moody's published idealized EL.

Every shipped table is labelled "indicative" with its source; ``docs/ratings.md`` explains
them. A rating is a Moody's symbol (:data:`MOODYS_SCALE`, plus ``Caa`` for a table that does
not split Caa1-Caa3); :func:`to_local_scale` maps it one notch for one notch to the
Chinese/S&P-style scale. ``"NR"`` means no rating of the table is met (or the metric is NaN).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas
from numpy.typing import ArrayLike, NDArray

from .atomic import checked_path, read_input
from .errors import InputError, Issue, ValidationReport

__all__ = [
    "BUILTIN_TABLES",
    "LOCAL_SCALE",
    "MOODYS_SCALE",
    "NOT_RATED",
    "RatingTable",
    "RatingTableError",
    "RatingTables",
    "TableKind",
    "TargetDefaultRates",
    "bdr_tdr_pass",
    "derive_el_table",
    "dirr_rating",
    "el_rating",
    "from_local_scale",
    "load_rating_table",
    "pd_rating",
    "rating_table_from_frame",
    "rating_rank",
    "rating_threshold",
    "rating_table_to_frame",
    "tdr",
    "to_local_scale",
    "weighted_quantile",
]

TableKind = Literal["dirr_bp", "pd", "el"]

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
_RANK[_GENERIC_CAA] = _RANK["Caa2"]

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

BUILTIN_TABLES: tuple[str, ...] = (
    "dirr_moodys_style", "idealized_pd_moodys", "idealized_el_derived",
)
"""Tables shipped under ``abs_tool/data/ratings``; pass a name to :func:`load_rating_table`."""

# Column of the thresholds in a table file, by kind; an "el" table has one column per
# horizon, named year_<T>.
_VALUE_COLUMN: dict[str, str] = {"dirr_bp": "dirr_bp_max", "pd": "rating_factor"}
MAX_RATING_TABLE_BYTES = 2**20
"""Largest rating-table file (CSV or sidecar): a table has a few dozen rows."""

_YEAR_COLUMN = re.compile(r"^year_(\d+(?:\.\d+)?)$")
_RATING_FACTOR_SCALE = 10_000.0
_PD_HORIZON_YEARS = 10.0
_EL_HORIZONS = tuple(map(float, range(1, 11)))  # years of the shipped EL table
_METADATA_KEYS = {"kind", "label", "source", "description", "lgd_ref"}

# Thresholds scaled to a WAL (power law) or interpolated carry rounding of ~1e-16; a class
# whose metric sits exactly on a tabulated bound must still get that rating, as the table
# states. A relative slack of 1e-12 absorbs that and is far below the tables' 2-4 digits.
_BOUND_SLACK = 1e-12


class RatingTableError(InputError):
    """A rating table that cannot be used; carries every problem found, by row and column."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        problems = [str(i) for i in report.errors]
        super().__init__(
            f"{report.file}: the rating table was not loaded, {len(problems)} problem(s):\n"
            + "\n".join(problems)
        )


# --------------------------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class RatingTable:
    """One rating criteria table, best rating first.

    Attributes
    ----------
    name : str
        Table name (the file stem for a loaded table).
    kind : {"dirr_bp", "pd", "el"}
        What the thresholds are: DIRR upper bounds in bp; cumulative PD at ``horizons[0]``
        years (10 for Moody's rating factors); expected loss per horizon.
    ratings : tuple of str
        Moody's symbols, strictly from best to worst.
    thresholds : tuple of tuple of float, shape (len(ratings), columns)
        The worst value of the metric that still earns the rating; one column for
        ``dirr_bp`` and ``pd``, one per horizon for ``el``. Non-decreasing down each column.
    horizons : tuple of float
        Years of each column: ``()`` for ``dirr_bp``, ``(10.0,)`` for ``pd``, increasing
        positive horizons for ``el``.
    source, label : str
        Where the numbers come from, and their status (the shipped tables: "indicative").
    lgd_ref : float or None
        For an ``el`` table derived as ``PD(T) x LGD_ref``, that LGD, so :func:`el_rating`
        can rescale it; ``None`` for a table whose values are not of that form.
    description : str
        Free text shown with the table.

    Raises
    ------
    RatingTableError
        Any of the conditions above fails; every problem is listed.
    """

    name: str
    kind: TableKind
    ratings: tuple[str, ...]
    thresholds: tuple[tuple[float, ...], ...]
    horizons: tuple[float, ...]
    source: str
    label: str
    lgd_ref: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
        issues = _table_issues(self, f"rating table `{self.name}`")
        if issues:
            raise RatingTableError(ValidationReport(f"rating table `{self.name}`", tuple(issues)))

    @property
    def values(self) -> NDArray[np.float64]:
        """Thresholds as a float64 array of shape (ratings, columns)."""
        return np.asarray(self.thresholds, dtype=np.float64).reshape(len(self.ratings), -1)

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the threshold columns in a table file."""
        return _value_columns(self.kind, self.horizons)


def _value_columns(kind: str, horizons: tuple[float, ...]) -> tuple[str, ...]:
    if kind == "el":
        return tuple(f"year_{h:g}" for h in horizons)
    return (_VALUE_COLUMN.get(kind, "value"),)


def _file_value(kind: str, threshold: float) -> float:
    """A stored threshold as written in a table file (PD tables hold rating factors)."""
    return threshold * _RATING_FACTOR_SCALE if kind == "pd" else threshold


def _table_issues(table: RatingTable, where: str) -> list[Issue]:
    """Every problem of a table; rows numbered as in its file (header = row 1)."""
    issues: list[Issue] = []

    def add(row: int | None, column: str | None, value: object, reason: str) -> None:
        shown = None if value is None else str(value)
        issues.append(Issue(where, row, column, shown, reason))

    if table.kind not in get_args(TableKind):
        add(None, "kind", table.kind, f"must be one of {list(get_args(TableKind))}")
        return issues
    for field_name in ("name", "source", "label"):
        text = getattr(table, field_name)
        if not isinstance(text, str) or not text.strip():
            add(None, field_name, text, "must be a non-empty text")
    if not table.ratings:
        add(None, "rating", None, "the table has no ratings")
        return issues
    expected_horizons = {"dirr_bp": (), "pd": (_PD_HORIZON_YEARS,)}.get(table.kind)
    if expected_horizons is not None and tuple(table.horizons) != expected_horizons:
        add(None, "horizons", table.horizons, f"a `{table.kind}` table has {expected_horizons}")
        return issues
    if table.kind == "el":
        h = np.asarray(table.horizons, dtype=np.float64)
        if h.size == 0 or not np.all(np.isfinite(h)) or np.any(h <= 0) or np.any(np.diff(h) <= 0):
            add(None, "horizons", table.horizons,
                "an `el` table needs increasing positive horizons (columns year_1, year_2, ...)")
            return issues
        if table.lgd_ref is not None and not (0.0 < table.lgd_ref <= 1.0):
            add(None, "lgd_ref", table.lgd_ref, "must be in (0, 1] or null")
    elif table.lgd_ref is not None:
        add(None, "lgd_ref", table.lgd_ref, "only an `el` table has an `lgd_ref`")

    columns = _value_columns(table.kind, table.horizons)
    seen: dict[str, int] = {}
    last_rank = -math.inf
    for i, rating in enumerate(table.ratings):
        row = i + 2
        if rating not in _RANK:
            add(row, "rating", rating,
                f"unknown rating; expected a Moody's symbol ({', '.join(MOODYS_SCALE)} or Caa)")
            continue
        if rating in seen:
            add(row, "rating", rating, f"appears twice (also row {seen[rating]})")
            continue
        seen[rating] = row
        if _RANK[rating] <= last_rank:
            add(row, "rating", rating, "ratings must run from best to worst, one row each")
        last_rank = max(last_rank, _RANK[rating])
    if _GENERIC_CAA in seen and any(r in seen for r in _CAA_NOTCHES):
        add(seen[_GENERIC_CAA], "rating", _GENERIC_CAA,
            "use either `Caa` or `Caa1`-`Caa3`, not both")

    if len(table.thresholds) != len(table.ratings) or any(
        len(row_values) != len(columns) for row_values in table.thresholds
    ):
        add(None, None, None,
            f"thresholds must have one row per rating and {len(columns)} column(s) {columns}")
        return issues
    upper = {"dirr_bp": math.inf, "pd": 1.0, "el": 1.0}[table.kind]
    range_text = {"dirr_bp": ">= 0 bp", "pd": "in [0, 10000]", "el": "in [0, 1]"}[table.kind]
    values = table.values
    for j, column in enumerate(columns):
        previous: tuple[str, float] | None = None
        for i, rating in enumerate(table.ratings):
            v = float(values[i, j])
            shown = _file_value(table.kind, v)
            if not (math.isfinite(v) or v == upper) or v < 0.0 or v > upper:
                add(i + 2, column, shown, f"must be {range_text}")
                continue
            if previous is not None and v < previous[1]:
                add(i + 2, column, shown,
                    f"is below the value for `{previous[0]}` above it "
                    f"({_file_value(table.kind, previous[1]):g}); thresholds must not decrease "
                    "from best to worst rating")
            previous = (rating, v)
    return issues


def rating_table_from_frame(
    frame: pandas.DataFrame,
    *,
    name: str,
    kind: TableKind,
    source: str,
    label: str = "indicative",
    lgd_ref: float | None = None,
    description: str = "",
    file: str | None = None,
) -> RatingTable:
    """Build and validate a :class:`RatingTable` from a frame laid out as a table file.

    Parameters
    ----------
    frame : DataFrame
        Column ``rating`` and, by ``kind``: ``dirr_bp_max`` (bp); ``rating_factor`` (10-year
        PD x 10,000); ``year_1``, ``year_2``, ... (EL as a fraction, one column per horizon in
        years). Cells may be numbers or numeric text; one row per rating, best first.
    name, kind, source, label, lgd_ref, description
        As the fields of :class:`RatingTable`.
    file : str, optional
        Name used in messages (the CSV path when loading a file).

    Returns
    -------
    RatingTable

    Raises
    ------
    RatingTableError
        Every problem at once, each with its row (header = row 1) and column.
    """
    where = file or f"rating table `{name}`"
    issues: list[Issue] = []
    columns = [str(c).strip() for c in frame.columns]
    if kind not in get_args(TableKind):
        issues.append(Issue(where, None, "kind", str(kind),
                            f"must be one of {list(get_args(TableKind))}"))
        raise RatingTableError(ValidationReport(where, tuple(issues)))
    if kind == "el":
        year_matches = [m for m in map(_YEAR_COLUMN.match, columns) if m is not None]
        value_columns = [m.group(0) for m in year_matches]
        horizons = tuple(float(m.group(1)) for m in year_matches)
        if not value_columns:
            issues.append(Issue(where, None, None, None,
                                "an `el` table needs columns year_1, year_2, ... (EL by horizon)"))
    else:
        value_columns = [_VALUE_COLUMN[kind]]
        horizons = () if kind == "dirr_bp" else (_PD_HORIZON_YEARS,)
        if value_columns[0] not in columns:
            issues.append(Issue(where, None, value_columns[0], None,
                                f"missing column; a `{kind}` table has `rating` and "
                                f"`{value_columns[0]}`"))
    if "rating" not in columns:
        issues.append(Issue(where, None, "rating", None, "missing column"))
    unknown = [c for c in columns if c != "rating" and c not in value_columns]
    for c in unknown:
        issues.append(Issue(where, None, c, None,
                            f"unknown column; a `{kind}` table has `rating` and "
                            + ("year_<T> columns" if kind == "el" else f"`{value_columns[0]}`")))
    if len(set(columns)) != len(columns):
        issues.append(Issue(where, None, None, None, "duplicate column names"))
    if issues:
        raise RatingTableError(ValidationReport(where, tuple(issues)))

    data = frame.set_axis(columns, axis=1)
    ratings: list[str] = []
    rows: list[tuple[float, ...]] = []
    for i in range(len(data)):
        row_no = i + 2
        ratings.append(str(data["rating"].iloc[i]).strip())
        parsed: list[float] = []
        for c in value_columns:
            cell = data[c].iloc[i]
            try:
                value = float(str(cell).strip())
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                issues.append(Issue(where, row_no, c, str(cell), "must be a number"))
            parsed.append(value / _RATING_FACTOR_SCALE if kind == "pd" else value)
        rows.append(tuple(parsed))
    if issues:
        raise RatingTableError(ValidationReport(where, tuple(issues)))
    try:
        return RatingTable(
            name=name, kind=kind, ratings=tuple(ratings), thresholds=tuple(rows),
            horizons=horizons, source=source, label=label, lgd_ref=lgd_ref,
            description=description,
        )
    except RatingTableError as exc:
        # Point the problems at the file the rows came from.
        located = tuple(replace(issue, file=where) for issue in exc.report.issues)
        raise RatingTableError(ValidationReport(where, located)) from None


def rating_table_to_frame(table: RatingTable) -> pandas.DataFrame:
    """The table as laid out in its CSV file (inverse of :func:`rating_table_from_frame`).

    Returns
    -------
    DataFrame
        Column ``rating`` and the threshold columns of :attr:`RatingTable.columns`; a ``pd``
        table shows rating factors (PD10 x 10,000).
    """
    values = table.values * (_RATING_FACTOR_SCALE if table.kind == "pd" else 1.0)
    frame = pandas.DataFrame(values, columns=list(table.columns))
    frame.insert(0, "rating", list(table.ratings))
    return frame


def _read_metadata(text: str, where: str) -> dict[str, Any]:
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise InputError(f"{where}: must be a JSON object with `kind`, `label` and `source`")
    problems = [f"unknown key `{k}`" for k in meta if k not in _METADATA_KEYS]
    problems += [f"missing key `{k}`" for k in ("kind", "label", "source") if k not in meta]
    problems += [
        f"`{k}` must be a text (got {meta[k]!r})"
        for k in ("kind", "label", "source", "description")
        if k in meta and not isinstance(meta[k], str)
    ]
    lgd_ref = meta.get("lgd_ref")
    if lgd_ref is not None and (isinstance(lgd_ref, bool) or not isinstance(lgd_ref, (int, float))):
        problems.append(f"`lgd_ref` must be a number or null (got {lgd_ref!r})")
    if problems:
        raise InputError(
            f"{where}: " + "; ".join(problems)
            + f" (expected keys: {sorted(_METADATA_KEYS)})"
        )
    return meta


def _table_from_texts(name: str, csv_text: str, meta_text: str, csv_where: str,
                      meta_where: str) -> RatingTable:
    meta = _read_metadata(meta_text, meta_where)
    try:
        frame = pandas.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    except (pandas.errors.ParserError, pandas.errors.EmptyDataError) as exc:
        raise InputError(f"{csv_where}: not a readable CSV table ({exc})") from None
    lgd_ref = meta.get("lgd_ref")
    return rating_table_from_frame(
        frame, name=name, kind=meta["kind"], source=meta["source"], label=meta["label"],
        lgd_ref=None if lgd_ref is None else float(lgd_ref),
        description=meta.get("description", ""), file=csv_where,
    )


@lru_cache(maxsize=len(BUILTIN_TABLES))
def _builtin_table(name: str) -> RatingTable:
    folder = resources.files("abs_tool").joinpath("data", "ratings")
    return _table_from_texts(
        name,
        folder.joinpath(f"{name}.csv").read_text(encoding="utf-8"),
        folder.joinpath(f"{name}.json").read_text(encoding="utf-8"),
        f"{name}.csv", f"{name}.json",
    )


def load_rating_table(name_or_path: str | Path) -> RatingTable:
    """Load a built-in rating table by name, or a user table from a CSV file.

    A user table is a CSV (see :func:`rating_table_from_frame` for its columns) with a JSON
    sidecar of the same stem: ``{"kind": ..., "label": ..., "source": ...}``, optionally
    ``"description"`` and, for an ``el`` table, ``"lgd_ref"``.

    Parameters
    ----------
    name_or_path : str or Path
        One of :data:`BUILTIN_TABLES`, or a path to a ``.csv`` file.

    Returns
    -------
    RatingTable

    Raises
    ------
    InputError
        Unknown name, a path with a NUL character, missing file or sidecar, unreadable JSON
        or CSV.
    RatingTableError
        The table's rows fail validation (every problem listed).
    """
    text = str(name_or_path)
    if not isinstance(name_or_path, Path) and text in BUILTIN_TABLES:
        return _builtin_table(text)
    path = checked_path(name_or_path, "rating table")
    if path.suffix.lower() != ".csv":
        raise InputError(
            f"unknown rating table {text!r}; give one of {list(BUILTIN_TABLES)} or a path to a "
            ".csv file with a .json sidecar"
        )
    meta_path = path.with_suffix(".json")
    texts = []
    for needed in (path, meta_path):
        if not needed.is_file():
            raise InputError(
                f"{needed}: file not found; a rating table is a .csv file and a .json sidecar "
                'of the same name with {"kind": ..., "label": ..., "source": ...}'
            )
        try:
            data = read_input(needed, max_bytes=MAX_RATING_TABLE_BYTES,
                              expected="a rating table's .csv file or .json sidecar")
            texts.append(data.decode("utf-8-sig"))
        except InputError as exc:
            raise InputError(f"{needed}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{needed}: not UTF-8 text (byte {exc.start}); save the file as "
                             "UTF-8") from None
    return _table_from_texts(path.stem, *texts, str(path), str(meta_path))


def _default_table(table: RatingTable | None, name: str, kind: str) -> RatingTable:
    chosen = load_rating_table(name) if table is None else table
    if chosen.kind != kind:
        raise InputError(
            f"rating table `{chosen.name}` is a `{chosen.kind}` table; this needs a `{kind}` "
            f"table (e.g. the built-in `{name}`)"
        )
    return chosen


@dataclass(frozen=True)
class RatingTables:
    """The criteria tables a run rates with: ``el``, ``pd`` (also the TDR confidence
    levels) and ``dirr`` (``None``: the shipped indicative table of that kind)."""

    el: RatingTable | None = None
    pd: RatingTable | None = None
    dirr: RatingTable | None = None

    def __post_init__(self) -> None:
        for kind, table in (("el", self.el), ("pd", self.pd), ("dirr_bp", self.dirr)):
            if table is not None and table.kind != kind:
                raise InputError(f"rating table `{table.name}` is a `{table.kind}` table, "
                                 f"given where a `{kind}` table is needed")

    @classmethod
    def load(cls, el: str | Path | None = None, pd: str | Path | None = None,
             dirr: str | Path | None = None) -> RatingTables:
        """Tables by built-in name or CSV path (:func:`load_rating_table`); None keeps the
        shipped one."""
        def one(spec: str | Path | None) -> RatingTable | None:
            return None if spec is None else load_rating_table(spec)

        return cls(one(el), one(pd), one(dirr))

    def resolved(self) -> tuple[RatingTable, RatingTable, RatingTable]:
        """The EL, PD and DIRR tables in use, shipped ones loaded where none was given."""
        return (self.el or load_rating_table("idealized_el_derived"),
                self.pd or load_rating_table("idealized_pd_moodys"),
                self.dirr or load_rating_table("dirr_moodys_style"))

    @property
    def names(self) -> dict[str, str]:
        """The name of each table in use (shipped or user)."""
        return dict(zip(("el", "pd", "dirr"), (t.name for t in self.resolved()), strict=True))


def derive_el_table(
    pd_table: RatingTable | None = None,
    lgd_ref: float = 1.0,
    horizons: Sequence[float] = _EL_HORIZONS,
    name: str = "idealized_el_derived",
) -> RatingTable:
    """EL thresholds derived from a PD table: ``EL(T) = (1 - (1 - PD10)^(T/10)) x LGD_ref``.

    This is how the shipped ``idealized_el_derived`` table was made (with ``LGD_ref = 1.0``
    and T = 1..10 years). It is a derivation by this tool, not Moody's published idealized
    expected loss rates, and the table says so in its source and label.

    Parameters
    ----------
    pd_table : RatingTable, optional
        A ``pd`` table; by default the built-in ``idealized_pd_moodys``.
    lgd_ref : float, default 1.0
        Reference LGD in (0, 1].
    horizons : sequence of float, default 1..10
        Horizons in years (increasing, positive).
    name : str
        Name of the new table.

    Returns
    -------
    RatingTable
        Kind ``el``, label "indicative", ``lgd_ref`` recorded.

    Raises
    ------
    InputError
        ``pd_table`` is not a ``pd`` table or ``lgd_ref`` is outside (0, 1].
    RatingTableError
        Invalid horizons.
    """
    source_table = _default_table(pd_table, "idealized_pd_moodys", "pd")
    if not (0.0 < lgd_ref <= 1.0):
        raise InputError(f"`lgd_ref` must be in (0, 1] (got {lgd_ref!r})")
    t = np.asarray(horizons, dtype=np.float64)
    pd_t = _scale_pd(source_table.values[:, 0], source_table.horizons[0], t[:, None]).T
    return RatingTable(
        name=name,
        kind="el",
        ratings=source_table.ratings,
        thresholds=tuple(tuple(float(v) for v in row) for row in pd_t * lgd_ref),
        horizons=tuple(float(h) for h in t),
        source=(
            f"Derived by abs_tool from `{source_table.name}` ({source_table.source}) as "
            f"EL(T) = (1 - (1 - PD10)^(T/10)) x LGD_ref with LGD_ref = {lgd_ref:g}; not Moody's "
            "published idealized expected loss rates."
        ),
        label="indicative",
        lgd_ref=float(lgd_ref),
        description=(
            "Expected-loss threshold by rating and horizon (fraction of the class balance). "
            "A class gets the best rating whose threshold at its WAL is at or above its EL; "
            "between horizons thresholds are interpolated linearly in WAL (from 0 at WAL 0)."
        ),
    )


# --------------------------------------------------------------------------------------------
# Ratings from metrics


def _scale_pd(pd_h: ArrayLike, horizon: float, wal_years: ArrayLike) -> NDArray[np.float64]:
    """Constant-hazard scaling of a cumulative PD at ``horizon`` to ``wal_years``.

    ``1 - (1 - PD_H)^(T/H)``, computed as ``-expm1(T/H * log1p(-PD_H))`` so that small PDs
    keep their digits; PD_H = 1 gives 1 for any T > 0.
    """
    with np.errstate(divide="ignore"):
        log_survival = np.log1p(-np.asarray(pd_h, dtype=np.float64))
    return np.asarray(-np.expm1(np.asarray(wal_years, dtype=np.float64) / horizon * log_survival))


def _wal(wal_years: ArrayLike) -> NDArray[np.float64]:
    t = np.asarray(wal_years, dtype=np.float64)
    bad = ~np.isnan(t) & ~((t > 0) & np.isfinite(t))
    if np.any(bad):
        raise InputError(
            f"`wal_years` must be a positive number of years (got {float(t[bad].flat[0])!r})"
        )
    return t


def _metric(name: str, value: ArrayLike, lo: float, hi: float) -> NDArray[np.float64]:
    v = np.asarray(value, dtype=np.float64)
    bad = ~np.isnan(v) & ((v < lo) | (v > hi))
    if np.any(bad):
        raise InputError(f"`{name}` must be in [{lo:g}, {hi:g}] (got {float(v[bad].flat[0])!r})")
    return v


def _assign(metric: NDArray[np.float64], bounds: NDArray[np.float64],
            ratings: tuple[str, ...]) -> Any:
    """Best rating whose bound is >= the metric; ``bounds`` has shape metric.shape + (n,).

    The bounds are non-decreasing along the last axis, so the number of bounds below the
    metric is the index of that rating; past the last one, or for NaN, "NR".
    """
    index = np.sum(bounds < metric[..., None], axis=-1)
    symbols = np.asarray((*ratings, NOT_RATED))
    out = symbols[index]
    out = np.where(np.isnan(metric), NOT_RATED, out)
    return out[()]


def dirr_rating(dirr_bp: ArrayLike, table: RatingTable | None = None) -> Any:
    """Rating from the reduction in yield: best rating whose DIRR bound (bp) is >= ``dirr_bp``.

    Parameters
    ----------
    dirr_bp : array_like
        Class DIRR in basis points (coupon minus realised yield; may be negative). NaN gives
        "NR".
    table : RatingTable, optional
        A ``dirr_bp`` table; by default the built-in ``dirr_moodys_style`` (indicative).

    Returns
    -------
    ndarray of str
        Moody's symbols, same shape as ``dirr_bp``; "NR" beyond the table's worst bound.

    Raises
    ------
    InputError
        ``table`` is not a ``dirr_bp`` table.
    """
    t = _default_table(table, "dirr_moodys_style", "dirr_bp")
    metric = np.asarray(dirr_bp, dtype=np.float64)
    bounds = np.broadcast_to(t.values[:, 0], (*metric.shape, len(t.ratings)))
    return _assign(metric, bounds, t.ratings)


def pd_rating(pd: ArrayLike, wal_years: ArrayLike, table: RatingTable | None = None) -> Any:
    """Rating from a class PD: best rating whose idealized PD at the class WAL is >= ``pd``.

    The threshold of rating R at a WAL of T years is ``1 - (1 - PD10_R)^(T/10)``: the
    10-year idealized PD scaled at a constant hazard (indicative, DOMAIN.md).

    Parameters
    ----------
    pd : array_like
        Probability that the class suffers any shortfall by legal final, in [0, 1]; NaN gives
        "NR".
    wal_years : array_like
        Class WAL in years (> 0), broadcast with ``pd_``; NaN gives "NR".
    table : RatingTable, optional
        A ``pd`` table; by default the built-in ``idealized_pd_moodys`` (indicative).

    Returns
    -------
    ndarray of str
        Moody's symbols, broadcast shape of ``pd_`` and ``wal_years``.

    Raises
    ------
    InputError
        ``pd_`` outside [0, 1], ``wal_years`` not positive, or not a ``pd`` table.
    """
    t = _default_table(table, "idealized_pd_moodys", "pd")
    p, wal = np.broadcast_arrays(_metric("pd", pd, 0.0, 1.0), _wal(wal_years))
    bounds = _scale_pd(t.values[:, 0], t.horizons[0], wal[..., None])
    metric = np.where(np.isnan(wal), np.nan, p)
    return _assign(metric, bounds * (1.0 + _BOUND_SLACK), t.ratings)


def el_rating(
    el: ArrayLike,
    wal_years: ArrayLike,
    table: RatingTable | None = None,
    lgd_ref: float | None = None,
) -> Any:
    """Rating from a class EL: best rating whose EL threshold at the class WAL is >= ``el``.

    The threshold at WAL T is interpolated linearly between the table's horizons, and from 0
    at T = 0 below the first; a WAL beyond the last horizon is refused rather than
    extrapolated. With the shipped derived table and ``lgd_ref = L`` the threshold is
    ``(1 - (1 - PD10)^(T/10)) x L`` at whole years.

    Parameters
    ----------
    el : array_like
        Class expected loss as a fraction of its balance, in [0, 1]; NaN gives "NR".
    wal_years : array_like
        Class WAL in years (> 0), broadcast with ``el``; NaN gives "NR".
    table : RatingTable, optional
        An ``el`` table; by default the built-in ``idealized_el_derived`` (indicative).
    lgd_ref : float, optional
        Reference LGD in (0, 1] that replaces the table's own ``lgd_ref``: thresholds are
        scaled by ``lgd_ref / table.lgd_ref``. Only for tables derived as PD x LGD_ref.

    Returns
    -------
    ndarray of str
        Moody's symbols, broadcast shape of ``el`` and ``wal_years``.

    Raises
    ------
    InputError
        ``el`` outside [0, 1], ``wal_years`` not positive or beyond the last horizon, not an
        ``el`` table, or ``lgd_ref`` given for a table without one or outside (0, 1].
    """
    t = _default_table(table, "idealized_el_derived", "el")
    scale = 1.0
    if lgd_ref is not None:
        if t.lgd_ref is None:
            raise InputError(
                f"rating table `{t.name}` is not derived as PD x LGD_ref (its `lgd_ref` is "
                "null), so `lgd_ref` cannot rescale it; leave `lgd_ref` out"
            )
        if not (0.0 < lgd_ref <= 1.0):
            raise InputError(f"`lgd_ref` must be in (0, 1] (got {lgd_ref!r})")
        scale = lgd_ref / t.lgd_ref
    e, wal = np.broadcast_arrays(_metric("el", el, 0.0, 1.0), _wal(wal_years))
    metric = np.where(np.isnan(wal), np.nan, e)
    return _assign(metric, _el_bounds(t, wal) * scale * (1.0 + _BOUND_SLACK), t.ratings)


def _el_bounds(t: RatingTable, wal: NDArray[np.float64]) -> NDArray[np.float64]:
    """EL thresholds of every rating at ``wal``: shape wal.shape + (ratings,)."""
    last = t.horizons[-1]
    if np.any(wal > last):
        raise InputError(
            f"`wal_years` {float(wal[wal > last].flat[0])!r} is beyond the last horizon of "
            f"rating table `{t.name}` ({last:g} years); add columns up to year_<WAL>"
        )
    grid = np.concatenate([[0.0], t.horizons])
    return np.stack(
        [np.interp(wal, grid, np.concatenate([[0.0], row])) for row in t.values], axis=-1
    )


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


def rating_threshold(
    kind: TableKind, rating: str, wal_years: float | None = None,
    table: RatingTable | None = None,
) -> float:
    """The bound a class must stay within to earn ``rating`` under one criterion: the EL or
    PD threshold at its WAL (``el``, ``pd``), or the DIRR upper bound in bp (``dirr_bp``).

    ``rating`` may be local or Moody's; a table without notches in Caa matches by rank.

    Raises
    ------
    InputError
        Unknown rating, a rating the table does not list, or a bad WAL.
    """
    defaults = {"el": "idealized_el_derived", "pd": "idealized_pd_moodys",
                "dirr_bp": "dirr_moodys_style"}
    t = _default_table(table, defaults[kind], kind)
    rank = _RANK[from_local_scale(rating)]
    rows = [i for i, r in enumerate(t.ratings) if _RANK[r] == rank]
    if not rows:
        raise InputError(f"rating {rating!r} is not in rating table `{t.name}`")
    row = rows[0]
    if kind == "dirr_bp":
        return float(t.values[row, 0])
    wal = _wal(np.nan if wal_years is None else wal_years)
    if np.isnan(wal):
        raise InputError(f"a {kind} threshold needs the class WAL in years (got {wal_years!r})")
    if kind == "pd":
        return float(_scale_pd(t.values[row, 0], t.horizons[0], wal))
    return float(_el_bounds(t, wal)[..., row])


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


# --------------------------------------------------------------------------------------------
# Target default rates (S&P / Chinese-agency style)


def weighted_quantile(
    values: ArrayLike, q: ArrayLike, weights: ArrayLike | None = None
) -> Any:
    """Quantile of a weighted sample: the smallest value whose weighted CDF is >= q.

    This is numpy's ``method="inverted_cdf"`` extended to weights (equal weights give exactly
    ``np.quantile(values, q, method="inverted_cdf")``). Importance-sampling weights are
    self-normalised: only their ratios matter.

    Parameters
    ----------
    values : array_like, shape (paths,)
        Sample; NaN is refused.
    q : array_like
        Probability levels in [0, 1].
    weights : array_like, shape (paths,), optional
        Non-negative finite weights with a positive sum; default all 1.

    Returns
    -------
    ndarray of float64
        Quantiles, shape of ``q``.

    Raises
    ------
    InputError
        Empty or NaN sample, weights of another length, negative, non-finite or all zero, or
        ``q`` outside [0, 1].
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0 or np.any(np.isnan(x)):
        raise InputError("the sample for a quantile must be non-empty and contain no NaN")
    qq = np.asarray(q, dtype=np.float64)
    if np.any(~((qq >= 0.0) & (qq <= 1.0))):
        raise InputError(f"quantile levels must be in [0, 1] (got {qq.ravel().tolist()})")
    if weights is None:
        w = np.ones_like(x)
    else:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != x.shape:
            raise InputError(
                f"`weights` must have one weight per sample value (got {w.size} for {x.size})"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise InputError("`weights` must be finite, >= 0 and not all zero")
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    # Compare against q * total rather than dividing, so unit weights reproduce numpy's
    # integer arithmetic (index ceil(n q) - 1) exactly.
    index = np.searchsorted(cumulative, qq * cumulative[-1], side="left")
    return x[order][np.minimum(index, x.size - 1)][()]


@dataclass(frozen=True)
class TargetDefaultRates:
    """Target default rate per rating, from the simulated lifetime pool default rate.

    Attributes
    ----------
    ratings : tuple of str
        Ratings tested, best first.
    confidence : tuple of float
        ``1 - PD_R(T)`` with ``PD_R(T) = 1 - (1 - PD10_R)^(T/10)`` from the PD table.
    tdr : tuple of float
        Quantile of the pool's lifetime cumulative default rate at each confidence level
        (fraction of the pool balance).
    wal_years : float
        The horizon T used (the deal's or class's WAL, years).
    table : str
        Name of the PD table.
    tail_weight : tuple of float or None
        Share of the sample weight strictly above each TDR (None for a quantile function):
        the tail the quantile rests on. Far fewer paths there than ``1 / (1 - confidence)``
        means the TDR is the sample's extreme, not a resolved quantile.
    """

    ratings: tuple[str, ...]
    confidence: tuple[float, ...]
    tdr: tuple[float, ...]
    wal_years: float
    table: str
    tail_weight: tuple[float, ...] | None

    def by_rating(self) -> dict[str, float]:
        """``{rating: TDR}``, best rating first."""
        return dict(zip(self.ratings, self.tdr, strict=True))


def tdr(
    default_rates: ArrayLike | Callable[[NDArray[np.float64]], ArrayLike],
    ratings: Sequence[str] | None = None,
    *,
    wal_years: float,
    table: RatingTable | None = None,
    weights: ArrayLike | None = None,
) -> TargetDefaultRates:
    """Target default rates: the pool default rate each rating must withstand.

    TDR(R) is the quantile of the simulated lifetime cumulative pool default rate at R's
    confidence level, which this tool defines as ``1 - PD_R(T)``: one minus R's idealized
    default probability at the horizon T (``1 - (1 - PD10_R)^(T/10)``, constant-hazard
    scaling of the PD table). A class passes R when its break-even default rate is at or
    above TDR(R) (:func:`bdr_tdr_pass`).

    Parameters
    ----------
    default_rates : array_like, shape (paths,), or callable
        Simulated lifetime pool default rates (fractions of the pool balance), or a quantile
        function ``q -> rate`` such as ``lambda q: lhp_quantile(q, pd, rho)`` (LGD 1).
    ratings : sequence of str, optional
        Ratings to test; by default every rating of the table. Output is best first.
    wal_years : float
        Horizon T in years (> 0): the deal's or class's WAL.
    table : RatingTable, optional
        A ``pd`` table; by default the built-in ``idealized_pd_moodys``.
    weights : array_like, shape (paths,), optional
        Importance-sampling weights of the paths (weighted quantile, self-normalised).

    Returns
    -------
    TargetDefaultRates

    Raises
    ------
    InputError
        A rating not in the table, a bad horizon, sample or weights, or weights given with a
        quantile function.
    """
    t = _default_table(table, "idealized_pd_moodys", "pd")
    horizon_arr = _wal(wal_years)
    horizon = float(horizon_arr) if horizon_arr.ndim == 0 else math.nan
    if math.isnan(horizon):
        raise InputError(
            f"`wal_years` must be one positive number of years (got {wal_years!r})"
        )
    chosen = t.ratings if ratings is None else tuple(ratings)
    missing = [r for r in chosen if r not in t.ratings]
    if missing:
        raise InputError(
            f"rating(s) {missing} not in rating table `{t.name}`; expected some of "
            f"{list(t.ratings)}"
        )
    chosen = tuple(sorted(set(chosen), key=_RANK.__getitem__))
    pd10 = t.values[[t.ratings.index(r) for r in chosen], 0]
    confidence = 1.0 - _scale_pd(pd10, t.horizons[0], horizon)
    if callable(default_rates):
        if weights is not None:
            raise InputError("`weights` apply to a sample, not to a quantile function")
        rates = np.asarray(default_rates(confidence), dtype=np.float64).reshape(confidence.shape)
        tail: tuple[float, ...] | None = None
    else:
        sample = np.asarray(default_rates, dtype=np.float64).ravel()
        rates = np.asarray(weighted_quantile(sample, confidence, weights)).reshape(
            confidence.shape)
        w = np.ones_like(sample) if weights is None else np.asarray(weights, float).ravel()
        tail = tuple(float(w[sample > r].sum() / w.sum()) for r in rates)
    return TargetDefaultRates(
        ratings=chosen,
        confidence=tuple(float(c) for c in confidence),
        tdr=tuple(float(r) for r in rates),
        wal_years=horizon,
        table=t.name,
        tail_weight=tail,
    )


def bdr_tdr_pass(bdr: ArrayLike, tdr_by_rating: Mapping[str, float] | TargetDefaultRates) -> Any:
    """Best rating a class passes: the best R with ``BDR >= TDR(R)``; "NR" if none.

    Parameters
    ----------
    bdr : array_like
        Break-even lifetime pool default rate of the class (fraction); NaN gives "NR".
    tdr_by_rating : mapping or TargetDefaultRates
        ``{rating: TDR}`` with Moody's symbols, or the result of :func:`tdr`.

    Returns
    -------
    ndarray of str
        Shape of ``bdr``.

    Raises
    ------
    InputError
        An unknown rating or a non-finite TDR.
    """
    mapping = tdr_by_rating.by_rating() if isinstance(tdr_by_rating, TargetDefaultRates) else (
        dict(tdr_by_rating))
    unknown = [r for r in mapping if r not in _RANK]
    if unknown:
        raise InputError(f"unknown rating(s) {unknown} in the TDR table")
    bad = {r: v for r, v in mapping.items() if not math.isfinite(v)}
    if bad:
        raise InputError(f"TDRs must be finite numbers (got {bad})")
    ordered = sorted(mapping, key=_RANK.__getitem__)
    b = np.asarray(bdr, dtype=np.float64)
    out = np.full(b.shape, NOT_RATED, dtype=object)
    # Walk from worst to best so that the best passed rating is written last.
    for rating in reversed(ordered):
        out = np.where(b >= mapping[rating], rating, out)
    return np.asarray(out, dtype=str)[()]
