"""Rating-criteria tables from editable files (DOMAIN.md, "Metrics").

Three kinds of criteria table, each a CSV with a JSON sidecar of the same name holding its
``kind``, ``label`` and ``source`` (CSV files here carry data rows only): ``dirr_bp`` (upper
bound of the reduction in yield per rating), ``pd`` (Moody's rating factors, 10-year
idealized cumulative PD x 10,000) and ``el`` (expected-loss thresholds by rating and horizon,
columns ``year_1`` ...). The shipped tables are labelled "indicative" with their source;
``docs/ratings.md`` explains them. The criteria that read them are in
:mod:`abs_tool.analysis.rating`.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas
from numpy.typing import NDArray

from abs_tool.errors import InputError, Issue, ValidationReport
from abs_tool.io.atomic import checked_path, read_input
from abs_tool.model.scales import _CAA_NOTCHES, _GENERIC_CAA, _RANK, MOODYS_SCALE

TableKind = Literal["dirr_bp", "pd", "el"]

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
_METADATA_KEYS = {"kind", "label", "source", "description", "lgd_ref"}


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
    csv_text, meta_text = texts
    return _table_from_texts(path.stem, csv_text, meta_text, str(path), str(meta_path))


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
