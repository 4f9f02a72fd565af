"""Eligibility criteria and concentration limits: which loans may enter the deal.

Criteria are per-loan tests (balance, rate, term, seasoning, allowed categories, excluded
obligors). Concentration limits cap the share of the selected pool's balance owed by one
obligor, region or industry. :func:`apply_eligibility` applies the criteria in field order,
then the limits, and reports which rule removed each loan (the first rule a loan fails
claims it, so every loan is counted once).

Both rule sets are frozen dataclasses that round-trip through JSON-ready dicts
(:func:`criteria_from_dict`, :func:`limits_from_dict`, ``to_dict()``) for deal files.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from abs_tool import glossary as g
from abs_tool.errors import InputError
from abs_tool.limits import AMOUNT, AMOUNT_OR_ZERO
from abs_tool.model.columns import AMORTIZATION_CODES
from abs_tool.model.pool import Pool

# Criteria field -> (pool column, test). "min": value >= bound; "max": value <= bound;
# "in": value among the allowed (a missing value is not); "not_in": value not listed.
_CRITERIA_RULES: dict[str, tuple[str, str]] = {
    "min_balance": ("balance", "min"),
    "max_balance": ("balance", "max"),
    "min_rate": ("rate", "min"),
    "max_rate": ("rate", "max"),
    "min_remaining_term_months": ("remaining_term", "min"),
    "max_remaining_term_months": ("remaining_term", "max"),
    "min_seasoning_months": ("seasoning", "min"),
    "max_seasoning_months": ("seasoning", "max"),
    "allowed_amortization": ("amortization", "in"),
    "allowed_grades": ("grade", "in"),
    "allowed_regions": ("region", "in"),
    "allowed_industries": ("industry", "in"),
    "excluded_obligors": ("obligor_id", "not_in"),
}
_MONEY_FIELDS = {"min_balance": False, "max_balance": True}  # field -> must be strictly > 0
_RATE_FIELDS = ("min_rate", "max_rate")
_MONTH_FIELDS = {  # field -> smallest allowed value
    "min_remaining_term_months": 1,
    "max_remaining_term_months": 1,
    "min_seasoning_months": 0,
    "max_seasoning_months": 0,
}
_BOUND_PAIRS = (
    ("min_balance", "max_balance"),
    ("min_rate", "max_rate"),
    ("min_remaining_term_months", "max_remaining_term_months"),
    ("min_seasoning_months", "max_seasoning_months"),
)

MAX_CRITERION_MONTHS = 10_000
"""Largest bound on a term or seasoning: beyond it a bound no longer fits the pool's integer
columns (a bound of 10^20 months overflows them), and no loan runs so long."""

# Limit field -> (pool column, word for the condition text).
_LIMIT_RULES: dict[str, tuple[str, str]] = {
    "max_obligor_share": ("obligor_id", "obligor"),
    "max_region_share": ("region", "region"),
    "max_industry_share": ("industry", "industry"),
}

# A group breaches a limit when its balance exceeds limit x pool balance by more than this
# fraction of the pool balance, so float rounding alone never removes a loan.
_BREACH_TOLERANCE = 1e-9

_CONDITION_RE = re.compile(r"^(?P<column>\w+) (?P<op>>=|<=|in|not in|share <=) (?P<value>.+)$")
# Chinese of the condition words: the comparison, and the group a concentration limit caps.
_CONDITION_ZH: dict[str, str] = {">=": "≥", "<=": "≤", "in": "属于", "not in": "不属于",
                                 "share <=": "占比 ≤"}
_GROUP_ZH: dict[str, str] = {"obligor": "单一借款人", "region": "单一地区", "industry": "单一行业"}
_MONTH_COLUMNS = ("remaining_term", "seasoning")


def condition_text(condition: str, lang: str,
                   money: Callable[[float], str] | None = None) -> str:
    """A report's ``condition`` (as :meth:`EligibilityCriteria.active_rules` and
    :meth:`ConcentrationLimits.active_rules` write it, in English) in ``lang``.

    ``"zh"`` writes the column by its Chinese name and the bound in its unit: a balance by
    ``money`` (the caller's unit, such as ``80.00 万元``; default: yuan with separators), a
    rate or a share in percent (``利率 ≤ 20.00%``, ``单一借款人占比 ≤ 2.00%``), a term in
    months (``剩余期限 ≤ 24 个月``), a list with 、 (repayment types by their Chinese names,
    ``等`` for the ones left out). ``"en"`` returns ``condition``.

    Raises
    ------
    ValueError
        ``condition`` is not of a shape ``active_rules`` writes (a bug in the caller).
    """
    if lang == "en":
        return condition
    match = _CONDITION_RE.match(condition)
    if match is None:
        raise ValueError(f"not an eligibility condition: {condition!r}")
    column, op, value = match["column"], match["op"], match["value"]
    if op == "share <=":
        return f"{_GROUP_ZH[column]}{_CONDITION_ZH[op]} {float(value):.2%}"
    name = g.term(g.FIELDS, column, lang)
    if op in ("in", "not in"):
        items = [str(v) for v in ast.literal_eval(value)]
        shown = [g.term(g.AMORTIZATION, v, lang) if column == "amortization"
                 and v in g.AMORTIZATION else v for v in items if v != "..."]
        more = "等" if "..." in items else ""
        return f"{name} {_CONDITION_ZH[op]} {'、'.join(shown)}{more}"
    bound = float(value.replace(",", ""))
    if column == "balance":
        written = money(bound) if money is not None else f"{bound:,.2f} 元"
    elif column == "rate":
        written = f"{bound:.2%}"
    elif column in _MONTH_COLUMNS:
        written = f"{bound:,.0f} {g.term(g.UNITS, 'months', lang)}"
    else:
        raise ValueError(f"not an eligibility condition: {condition!r}")
    return f"{name} {_CONDITION_ZH[op]} {written}"


REPORT_COLUMNS: tuple[str, ...] = (
    "rule", "condition", "loans_removed", "balance_removed", "share_removed",
)
EXCLUDED_COLUMNS: tuple[str, ...] = ("loan_id", "obligor_id", "balance", "rule", "round")


@dataclass(frozen=True)
class EligibilityCriteria:
    """Per-loan eligibility tests; ``None`` means no limit.

    Parameters
    ----------
    min_balance, max_balance
        Bounds on current principal (currency units), inclusive; min >= 0, max > 0 (in a
        deal file, amounts in [:data:`~abs_tool.limits.MIN_AMOUNT`,
        :data:`~abs_tool.limits.MAX_DEAL_AMOUNT`]).
    min_rate, max_rate
        Bounds on the annual rate (decimal, 0.06 = 6%), inclusive, in [0, 1).
    min_remaining_term_months, max_remaining_term_months
        Bounds on remaining term, whole months >= 1, inclusive.
    min_seasoning_months, max_seasoning_months
        Bounds on seasoning, whole months >= 0, inclusive.
    allowed_amortization
        Repayment types allowed, codes of :data:`abs_tool.model.columns.AMORTIZATION_CODES`.
    allowed_grades, allowed_regions, allowed_industries
        Values allowed; a loan with no value fails the test.
    excluded_obligors
        Obligor ids whose loans are excluded.

    Lists are stored as tuples. Every problem is reported in one :class:`InputError` that
    names each field, its value and what is expected.
    """

    min_balance: float | None = field(default=None, metadata=AMOUNT_OR_ZERO)
    max_balance: float | None = field(default=None, metadata=AMOUNT)
    min_rate: float | None = None
    max_rate: float | None = None
    min_remaining_term_months: int | None = None
    max_remaining_term_months: int | None = None
    min_seasoning_months: int | None = None
    max_seasoning_months: int | None = None
    allowed_amortization: tuple[str, ...] | None = None
    allowed_grades: tuple[str, ...] | None = None
    allowed_regions: tuple[str, ...] | None = None
    allowed_industries: tuple[str, ...] | None = None
    excluded_obligors: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        for name, strict in _MONEY_FIELDS.items():
            raw, value = getattr(self, name), self._number(name, problems)
            if value is not None and (value <= 0 if strict else value < 0):
                problems.append(f"`{name}` (got {raw!r}) must be {'>' if strict else '>='} 0")
        for name in _RATE_FIELDS:
            raw, value = getattr(self, name), self._number(name, problems)
            if value is not None and not 0 <= value < 1:
                problems.append(_share_message(name, raw, "in [0, 1)", percent_from=1.0))
        for name, smallest in _MONTH_FIELDS.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                problems.append(f"`{name}` (got {value!r}) must be a whole number of months")
            elif value < smallest:
                problems.append(f"`{name}` (got {value!r}) must be >= {smallest}")
            elif value > MAX_CRITERION_MONTHS:
                problems.append(f"`{name}` (got {value!r}) must be at most "
                                f"{MAX_CRITERION_MONTHS:,} months")
            else:
                object.__setattr__(self, name, int(value))
        for name in ("allowed_amortization", "allowed_grades", "allowed_regions",
                     "allowed_industries", "excluded_obligors"):
            self._labels(name, problems)
        # Only a list that passed the checks above is a tuple by now.
        if isinstance(self.allowed_amortization, tuple):
            unknown = [a for a in self.allowed_amortization if a not in AMORTIZATION_CODES]
            if unknown:
                problems.append(
                    f"`allowed_amortization` has unknown code(s) {unknown}; "
                    f"expected some of {list(AMORTIZATION_CODES)}"
                )
        if not problems:
            for low_name, high_name in _BOUND_PAIRS:
                low, high = getattr(self, low_name), getattr(self, high_name)
                if low is not None and high is not None and low > high:
                    problems.append(
                        f"`{low_name}` ({low!r}) must be <= `{high_name}` ({high!r})"
                    )
        if problems:
            raise InputError("eligibility criteria: " + "; ".join(problems))

    def _number(self, name: str, problems: list[str]) -> float | None:
        """The field as a float, stored back; None if unset or not a number (problem added)."""
        value = getattr(self, name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            problems.append(f"`{name}` (got {value!r}) must be a number")
            return None
        if math.isnan(value):
            problems.append(f"`{name}` (got nan) must be a number; give None for no limit")
            return None
        object.__setattr__(self, name, float(value))
        return float(value)

    def _labels(self, name: str, problems: list[str]) -> None:
        value = getattr(self, name)
        if value is None:
            return
        # A bare string would iterate as characters: "广东" is not ("广", "东").
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            problems.append(f"`{name}` (got {value!r}) must be a list of strings")
            return
        items = tuple(value)
        if not all(isinstance(item, str) for item in items):
            problems.append(f"`{name}` (got {list(items)!r}) must be a list of strings")
        elif not items and name != "excluded_obligors":
            problems.append(
                f"`{name}` is empty, which would exclude every loan; give None for no limit"
            )
        else:
            # A set has no order of its own; sorting keeps equal criteria equal.
            object.__setattr__(
                self, name, tuple(sorted(items)) if isinstance(value, set | frozenset) else items
            )

    def active_rules(self) -> list[tuple[str, str]]:
        """``(field, condition text)`` of each set criterion, in the order applied."""
        rules = []
        for name, (column, test) in _CRITERIA_RULES.items():
            value = getattr(self, name)
            if value is None or (test == "not_in" and not value):
                continue
            if test in ("min", "max"):
                condition = f"{column} {'>=' if test == 'min' else '<='} {value:,.10g}"
            else:
                shown = list(value[:5]) + (["..."] if len(value) > 5 else [])
                condition = f"{column} {'in' if test == 'in' else 'not in'} {shown}"
            rules.append((name, condition))
        return rules

    def to_dict(self) -> dict[str, Any]:
        """The set fields as JSON-ready values (tuples become lists); unset fields omitted."""
        return _to_dict(self)


@dataclass(frozen=True)
class ConcentrationLimits:
    """Caps on the share of the selected pool's balance owed by one group.

    Parameters
    ----------
    max_obligor_share, max_region_share, max_industry_share
        Largest share (fraction in (0, 1], 0.02 = 2%) of the selected pool balance that one
        obligor (``obligor_id``), region or industry may hold; ``None`` means no limit.
        Loans with no ``obligor_id`` are each their own obligor; loans with no region
        (industry) form one group.
    """

    max_obligor_share: float | None = None
    max_region_share: float | None = None
    max_industry_share: float | None = None

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                problems.append(f"`{f.name}` (got {value!r}) must be a number in (0, 1]")
            elif not 0 < value <= 1:
                problems.append(_share_message(f.name, value, "in (0, 1]", percent_from=1.0))
            else:
                object.__setattr__(self, f.name, float(value))
        if problems:
            raise InputError("concentration limits: " + "; ".join(problems))

    def active_rules(self) -> list[tuple[str, str]]:
        """``(field, condition text)`` of each set limit, in the order applied."""
        return [
            (name, f"{word} share <= {value:.4g}")
            for name, (_, word) in _LIMIT_RULES.items()
            if (value := getattr(self, name)) is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        """The set fields; unset fields omitted."""
        return _to_dict(self)


@dataclass(frozen=True, eq=False)
class EligibilityResult:
    """Outcome of :func:`apply_eligibility`.

    Attributes
    ----------
    pool
        The selected loans.
    excluded
        One row per removed loan, columns :data:`EXCLUDED_COLUMNS`: ``rule`` is the field
        that removed it; ``round`` is 0 for a criterion and k >= 1 for the k-th
        concentration round (see :func:`apply_eligibility`). Rows in the order removed,
        within a round in pool order.
    report
        One row per set rule in the order applied, columns :data:`REPORT_COLUMNS`;
        ``share_removed`` is the removed balance over ``balance_before``.
    loans_before, balance_before, loans_after, balance_after
        Count and balance (currency units) of the pool before and after.
    """

    pool: Pool
    excluded: pd.DataFrame
    report: pd.DataFrame
    loans_before: int
    balance_before: float
    loans_after: int
    balance_after: float


def apply_eligibility(
    pool: Pool,
    criteria: EligibilityCriteria,
    limits: ConcentrationLimits | None = None,
) -> EligibilityResult:
    """Select the eligible loans of ``pool``.

    The criteria are applied first, in field order; a loan is removed by the first one it
    fails. The concentration limits then run in rounds over the loans left, taking obligor,
    region and industry in turn and repeating until a full pass removes nothing. One round,
    for one dimension with limit L over the current pool P (balance B_P):

    - a group g (balance B_g) breaches if B_g > L x B_P (beyond a 1e-9 x B_P tolerance);
    - from each breaching group, its loans are removed largest first (ties: pool order),
      the fewest that make (B_g - R) <= L x (B_P - R), i.e. until the removed balance R
      reaches B_g - L / (1 - L) x (B_P - B_g); groups that do not breach keep every loan.
      (L = 1 never binds.)

    Removing loans shrinks the pool, which can push another group (or another dimension)
    over its limit, hence the rounds. Every round with a breach removes at least one loan,
    so the rounds end, and they end only when no group of any dimension breaches: the
    selected pool satisfies every limit.

    Parameters
    ----------
    pool
        The loans.
    criteria
        Per-loan tests.
    limits
        Concentration limits, or ``None`` for none.

    Returns
    -------
    EligibilityResult

    Raises
    ------
    InputError
        A rule removed the last eligible loan; the message names the rule.
    """
    loans = pool.loans
    n = len(loans)
    balance = loans["balance"].to_numpy()
    keep = np.ones(n, dtype=bool)
    rule_of = np.full(n, -1)  # index into `rules` of the rule that removed the loan
    round_of = np.zeros(n, dtype=np.int64)
    rules: list[tuple[str, str]] = []

    def remove(drop: NDArray[np.bool_], rule: int, round_no: int) -> None:
        rule_of[drop] = rule
        round_of[drop] = round_no
        keep[drop] = False
        if not keep.any():
            name, condition = rules[rule]
            raise InputError(
                f"eligibility rule `{name}` ({condition}) removed the last eligible loan of "
                f"pool `{pool.name}`; relax it"
            )

    for name, condition in criteria.active_rules():
        rules.append((name, condition))
        column, test = _CRITERIA_RULES[name]
        remove(keep & ~_passes(loans[column], test, getattr(criteria, name)), len(rules) - 1, 0)

    dimensions = []
    for name, condition in (limits.active_rules() if limits is not None else []):
        rules.append((name, condition))
        dimensions.append((len(rules) - 1, getattr(limits, name), _group_codes(loans, name)))
    round_no = 0
    changed = True
    while changed:
        changed = False
        for rule, limit, codes in dimensions:
            drop = _over_limit(balance, codes, keep, limit)
            if drop.any():
                round_no += 1
                remove(drop, rule, round_no)
                changed = True

    removed = np.flatnonzero(~keep)
    # Criteria (round 0) in rule order, then concentration rounds: the order of removal.
    removed = removed[np.lexsort((removed, rule_of[removed], round_of[removed]))]
    excluded = pd.DataFrame(
        {
            "loan_id": loans["loan_id"].to_numpy()[removed],
            "obligor_id": loans["obligor_id"].to_numpy()[removed],
            "balance": balance[removed],
            "rule": np.array([r for r, _ in rules], dtype=object)[rule_of[removed]],
            "round": round_of[removed],
        }
    )
    balance_before = float(balance.sum())
    removed_balance = np.bincount(rule_of[removed], weights=balance[removed],
                                  minlength=len(rules))
    report = pd.DataFrame(
        {
            "rule": [r for r, _ in rules],
            "condition": [c for _, c in rules],
            "loans_removed": np.bincount(rule_of[removed], minlength=len(rules)).astype(np.int64),
            "balance_removed": removed_balance,
            "share_removed": removed_balance / balance_before,
        },
        columns=list(REPORT_COLUMNS),
    )
    selected = pool.subset(keep) if not keep.all() else pool
    return EligibilityResult(
        pool=selected,
        excluded=excluded,
        report=report,
        loans_before=n,
        balance_before=balance_before,
        loans_after=len(selected),
        balance_after=selected.balance,
    )


def criteria_from_dict(data: Mapping[str, Any]) -> EligibilityCriteria:
    """:class:`EligibilityCriteria` from a deal-file dict (inverse of ``to_dict``).

    Raises
    ------
    InputError
        ``data`` is not a mapping, has unknown keys (named, with the nearest valid key),
        or holds invalid values.
    """
    return EligibilityCriteria(**_checked_keys(EligibilityCriteria, data, "eligibility criteria"))


def limits_from_dict(data: Mapping[str, Any]) -> ConcentrationLimits:
    """:class:`ConcentrationLimits` from a deal-file dict (inverse of ``to_dict``).

    Raises
    ------
    InputError
        As :func:`criteria_from_dict`.
    """
    return ConcentrationLimits(**_checked_keys(ConcentrationLimits, data, "concentration limits"))


def _passes(values: pd.Series, test: str, bound: Any) -> NDArray[np.bool_]:
    if test == "min":
        passes = values.to_numpy() >= bound
    elif test == "max":
        passes = values.to_numpy() <= bound
    else:
        passes = values.isin(bound).to_numpy() == (test == "in")
    return np.asarray(passes, dtype=bool)


def _group_codes(loans: pd.DataFrame, limit_name: str) -> NDArray[np.int64]:
    """Group code per loan for a concentration dimension (see :class:`ConcentrationLimits`)."""
    column = loans[_LIMIT_RULES[limit_name][0]]
    if limit_name == "max_obligor_share":
        column = column.fillna(loans["loan_id"])
    codes, _ = pd.factorize(column, use_na_sentinel=False)
    return codes.astype(np.int64)


def _over_limit(
    balance: NDArray[np.float64], codes: NDArray[np.int64], keep: NDArray[np.bool_], limit: float
) -> NDArray[np.bool_]:
    """Loans to remove in one concentration round (rule in :func:`apply_eligibility`).

    Parameters
    ----------
    balance, codes, keep
        Per loan of the whole pool, shape ``(loans,)``: balance, group code, still selected.
    limit
        Largest allowed group share, in (0, 1].
    """
    drop = np.zeros(len(balance), dtype=bool)
    if limit >= 1.0:
        return drop
    index = np.flatnonzero(keep)
    group = codes[index]
    group_balance = np.bincount(group, weights=balance[index])
    pool_balance = group_balance.sum()
    breach = group_balance - limit * pool_balance > _BREACH_TOLERANCE * pool_balance
    if not breach.any():
        return drop
    excess = group_balance - limit / (1.0 - limit) * (pool_balance - group_balance)
    index = index[breach[group]]
    group = codes[index]
    # Largest first within each group, ties by pool order.
    order = np.lexsort((index, -balance[index], group))
    index, group = index[order], group[order]
    sorted_balance = balance[index]
    cumulative = np.cumsum(sorted_balance)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    group_start = np.repeat(
        cumulative[first] - sorted_balance[first], np.diff(np.r_[first, len(group)])
    )
    removed_before = cumulative - sorted_balance - group_start
    drop[index[removed_before < excess[group]]] = True
    return drop


def _share_message(
    name: str, value: float | np.number[Any], expected: str, *, percent_from: float
) -> str:
    message = f"`{name}` (got {value!r}) must be {expected}"
    if value > percent_from:
        message += f"; it looks like percent: give {value / 100:g}"
    return message


def _to_dict(obj: EligibilityCriteria | ConcentrationLimits) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is not None:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _checked_keys(
    cls: type[EligibilityCriteria] | type[ConcentrationLimits], data: Mapping[str, Any], what: str
) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InputError(f"{what} must be an object of key: value (got {type(data).__name__})")
    valid = [f.name for f in fields(cls)]
    unknown = [k for k in data if k not in valid]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), valid, n=1)
            hints.append(f"`{key}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
        raise InputError(
            f"{what}: unknown key(s) {', '.join(hints)}; expected some of {valid}"
        )
    return dict(data)
