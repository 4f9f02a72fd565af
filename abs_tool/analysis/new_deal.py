"""A new pool starts a new deal: what of the current deal it carries over.

A structurer who brings a new tape usually wants the deal they have been working on (its
classes, fees, triggers, eligibility) on the new pool, but not its name and dates, and not
amounts that were set for a pool of another size. :func:`new_deal_for_pool` builds that
deal from the current one, part by part (:class:`Carry`), and says what it did: fixed amounts
scaled by the pool ratio or kept as they were (:class:`FixedAmount`), and every part it
cleared (:class:`Cleared`), so that nothing, eligibility least of all, is dropped unsaid. The
app's new-pool dialogue and ``abs-tool new-deal`` call it.

What each part is, and what the new deal holds without it:

- ``structure``: the reserve account, revolving period, principal mode, turbo, clean-up
  call, loss allocation and excess-interest rules; without it, the library's defaults (no
  reserve, no revolving period, sequential, no call). The note classes are always carried:
  a class sized as a share keeps its share; one sized as an amount becomes its share of the
  current pool, so that the classes still add up to the new pool.
- ``fees``: the senior (running) and upfront fees; without them, none.
- ``triggers``: the triggers; without them, none.
- ``eligibility``: the pool's eligibility criteria and concentration limits and the revolving
  period's purchase criteria; without them, none (listed in :attr:`NewDeal.cleared`).
- ``dates``: the deal's dates; without them, the cut-off is the date given (today, in the
  app) and the other dates keep their distance from it: closing and first payment the same
  number of days after the cut-off, the legal final the same number of months.

Fixed amounts (a fee's ``fixed_annual`` and ``cap_per_month``, an upfront fee's ``fixed``,
the excess interest's ``cover_limit_per_month``) are scaled by the ratio of the new pool's
balance to the current pool's (both after their eligibility criteria), or kept as they are
and flagged (:class:`FixedFees`). The parties, assumptions, run settings, pricing, currency
and benchmark rate are carried as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from abs_tool.errors import FieldError
from abs_tool.io.tape import tape_bytes
from abs_tool.model.dates import add_months
from abs_tool.model.deal import (
    Deal,
    DealDates,
    NoteClass,
    PoolSource,
    SizeUnit,
    Structure,
)
from abs_tool.model.eligibility import EligibilityCriteria, apply_eligibility
from abs_tool.model.pool import Pool

__all__ = [
    "ALL_PARTS",
    "Carry",
    "Cleared",
    "FixedAmount",
    "FixedFees",
    "NewDeal",
    "carried_balance",
    "eligibility_rules",
    "name_from_file",
    "new_deal_for_pool",
    "parse_carry",
]


class Carry(StrEnum):
    """A part of the current deal the new deal may carry over (module docstring)."""

    STRUCTURE = "structure"
    FEES = "fees"
    TRIGGERS = "triggers"
    ELIGIBILITY = "eligibility"
    DATES = "dates"


ALL_PARTS: frozenset[Carry] = frozenset(Carry)


class FixedFees(StrEnum):
    """What becomes of the fixed amounts of the fees carried over."""

    SCALE = "scale"  # times new pool balance / current pool balance
    KEEP = "keep"  # as they are, flagged: they were set for a pool of another size


@dataclass(frozen=True)
class FixedAmount:
    """A fixed amount carried over: ``item`` (a fee's name, or ``excess_interest``), its
    ``field`` (``fixed_annual``, ``cap_per_month``, ``fixed``, ``cover_limit_per_month``),
    the amount in the current deal (``before``) and in the new one (``after``), in the deal
    currency."""

    item: str
    field: str
    before: float
    after: float


@dataclass(frozen=True)
class Cleared:
    """A part not carried over, and what it held: fee or trigger names, eligibility rule
    fields (``max_rate``; ``revolving.max_rate`` for the revolving period's purchase
    criteria), or the structure's fields that were not at their defaults."""

    part: Carry
    items: tuple[str, ...]


@dataclass(frozen=True)
class NewDeal:
    """The deal for the new pool and what :func:`new_deal_for_pool` did to get it.

    ``old_balance`` and ``new_balance`` are the current and new pools' balances after
    their eligibility criteria (currency); ``balance_ratio`` is new / old. ``scaled`` lists
    the fixed amounts multiplied by it, ``flagged`` those kept as they were (one or the
    other is empty), ``cleared`` the parts left behind that held something.
    """

    deal: Deal
    old_balance: float
    new_balance: float
    scaled: tuple[FixedAmount, ...]
    flagged: tuple[FixedAmount, ...]
    cleared: tuple[Cleared, ...]

    @property
    def balance_ratio(self) -> float:
        return self.new_balance / self.old_balance


def parse_carry(text: str) -> frozenset[Carry]:
    """The parts named in ``text``, comma-separated (``"structure,fees"``; ``""``: none).

    Raises
    ------
    FieldError
        An unknown part; the message lists the parts.
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in set(Carry)]
    if unknown:
        raise FieldError("keep", f"unknown part(s) {unknown}; expected a comma-separated list "
                                 f"of {[c.value for c in Carry]}")
    return frozenset(Carry(n) for n in names)


def carried_balance(deal: Deal, pool: Pool, keep: frozenset[Carry]) -> float:
    """The balance of ``pool`` after the eligibility criteria and concentration limits of
    ``deal``'s pool when ``keep`` carries eligibility (else the whole pool).

    Raises
    ------
    InputError
        The criteria leave no loan.
    """
    source = deal.pool
    if Carry.ELIGIBILITY not in keep or (source.eligibility is None
                                         and source.concentration is None):
        return pool.balance
    return apply_eligibility(pool, source.eligibility or EligibilityCriteria(),
                             source.concentration).pool.balance


def new_deal_for_pool(
    deal: Deal,
    pool: Pool,
    *,
    old_balance: float,
    keep: frozenset[Carry] = ALL_PARTS,
    fixed_fees: FixedFees = FixedFees.SCALE,
    name: str | None = None,
    cutoff: dt.date | None = None,
    source: PoolSource | None = None,
) -> NewDeal:
    """The deal that ``pool`` starts from ``deal`` (module docstring).

    Parameters
    ----------
    deal
        The current deal.
    pool
        The new pool (a loaded tape).
    old_balance
        The balance of the pool ``deal`` is modelled on, after its eligibility criteria
        (currency, > 0): the base of the fixed amounts' scaling and of classes sized as amounts.
    keep
        The parts carried over (:class:`Carry`); the others are cleared.
    fixed_fees
        Fixed amounts scaled to the new pool, or kept and flagged.
    name
        The new deal's name; default: ``pool.name`` without its file extension.
    cutoff
        The cut-off date of the new deal unless ``keep`` carries the dates; required then.
    source
        Where the deal file finds the pool (a ``tape`` path, say); default: the pool embedded
        as CSV with its file name. Its eligibility fields are set from ``keep``.

    Returns
    -------
    NewDeal
        The deal, with what was scaled, flagged and cleared.

    Raises
    ------
    FieldError
        ``old_balance`` not > 0, no ``cutoff`` when the dates are not kept, a name the deal
        refuses, or dates the deal refuses (a legal final past the horizon limit).
    InputError
        The eligibility criteria carried over leave no loan of ``pool``.
    """
    if not old_balance > 0:
        raise FieldError("old_balance", f"must be > 0 (got {old_balance!r})")
    if Carry.DATES not in keep and cutoff is None:
        raise FieldError("cutoff", "required unless the dates are kept: the new deal's cut-off")
    new_balance = carried_balance(deal, pool, keep)
    ratio = new_balance / old_balance
    old = deal.structure
    cleared: list[Cleared] = []

    def clear(part: Carry, items: list[str]) -> None:
        if items:
            cleared.append(Cleared(part, tuple(items)))

    classes = tuple(_as_share(c, old_balance) for c in old.classes)
    structure = Structure(classes=classes)
    if Carry.STRUCTURE in keep:
        structure = replace(old, classes=classes, fees=(), upfront_fees=(), triggers=())
    else:
        clear(Carry.STRUCTURE, [f for f in _STRUCTURE_FIELDS
                                if getattr(old, f) != getattr(structure, f)])
    amounts: list[FixedAmount] = []
    factor = ratio if fixed_fees == FixedFees.SCALE else 1.0
    if Carry.FEES in keep:
        fees = tuple(replace(f, fixed_annual=_amount(amounts, f.name, "fixed_annual",
                                                     f.fixed_annual, factor),
                             cap_per_month=None if f.cap_per_month is None else _amount(
                                 amounts, f.name, "cap_per_month", f.cap_per_month, factor))
                     for f in old.fees)
        upfront = tuple(replace(f, fixed=_amount(amounts, f.name, "fixed", f.fixed, factor))
                        for f in old.upfront_fees)
        structure = replace(structure, fees=fees, upfront_fees=upfront)
    else:
        clear(Carry.FEES, [f.name for f in old.fees] + [f.name for f in old.upfront_fees])
    excess = structure.excess_interest
    if excess.cover_limit_per_month > 0:
        limit = _amount(amounts, "excess_interest", "cover_limit_per_month",
                        excess.cover_limit_per_month, factor)
        structure = replace(structure, excess_interest=replace(
            excess, cover_limit_per_month=limit))
    if Carry.TRIGGERS in keep:
        structure = replace(structure, triggers=old.triggers)
    else:
        clear(Carry.TRIGGERS, [t.name or t.metric.value for t in old.triggers])
    revolving = structure.revolving
    if Carry.ELIGIBILITY not in keep:
        clear(Carry.ELIGIBILITY, list(eligibility_rules(deal)))
        if revolving is not None:
            structure = replace(structure, revolving=replace(revolving, eligibility=None))
    kept_rules = Carry.ELIGIBILITY in keep
    base = source or PoolSource(embedded_csv=tape_bytes(pool, "csv").decode("utf-8-sig"),
                                file_name=pool.name)
    pool_source = replace(base, eligibility=deal.pool.eligibility if kept_rules else None,
                          concentration=deal.pool.concentration if kept_rules else None)
    dates = deal.dates if Carry.DATES in keep else _moved(deal.dates, cutoff)
    new = replace(deal, name=name or name_from_file(pool.name), dates=dates, pool=pool_source,
                  structure=structure)
    scaled = tuple(a for a in amounts if fixed_fees == FixedFees.SCALE)
    flagged = tuple(a for a in amounts if fixed_fees == FixedFees.KEEP)
    return NewDeal(new, old_balance, new_balance, scaled, flagged, tuple(cleared))


# The structure's fields besides classes, fees and triggers, in the order a deal file has them.
_STRUCTURE_FIELDS: tuple[str, ...] = (
    "reserve", "principal_mode", "revolving", "clean_up_call", "turbo", "loss_allocation",
    "excess_interest",
)


def _as_share(note: NoteClass, old_balance: float) -> NoteClass:
    """A class sized as an amount becomes its share of the current pool."""
    if note.size_unit == SizeUnit.SHARE:
        return note
    return replace(note, size=note.size / old_balance, size_unit=SizeUnit.SHARE)


def _amount(amounts: list[FixedAmount], item: str, field: str, value: float,
            factor: float) -> float:
    """``value`` times ``factor``, recorded in ``amounts`` (0 stays as it is)."""
    if not value:
        return value
    after = value * factor
    amounts.append(FixedAmount(item, field, value, after))
    return after


def eligibility_rules(deal: Deal) -> tuple[str, ...]:
    """The eligibility rules ``deal`` sets: the fields of its pool's criteria and limits
    that are set (``max_rate``), then its revolving period's purchase criteria
    (``revolving.max_rate``)."""
    rules = _set_rules(deal.pool.eligibility) + _set_rules(deal.pool.concentration)
    revolving = deal.structure.revolving
    if revolving is not None:
        rules += [f"revolving.{r}" for r in _set_rules(revolving.eligibility)]
    return tuple(rules)


def name_from_file(file_name: str) -> str:
    """A deal's name from its tape's file name: the name without its extension
    (``tape.csv`` -> ``tape``)."""
    stem, dot, _ = file_name.rpartition(".")
    return stem if dot and stem.strip() else file_name


def _set_rules(rules: object) -> list[str]:
    """The fields of an eligibility or concentration object that set a rule."""
    if rules is None:
        return []
    return [name for name, value in vars(rules).items() if value is not None]


def _moved(dates: DealDates, cutoff: dt.date | None) -> DealDates:
    """``dates`` moved to the cut-off ``cutoff`` (module docstring)."""
    assert cutoff is not None  # checked by the caller
    legal_final = add_months(cutoff, dates.horizon_months)
    closing = cutoff + (dates.closing - dates.cutoff)
    first_payment = min(cutoff + (dates.first_payment - dates.cutoff), legal_final)
    try:
        return replace(dates, cutoff=cutoff, closing=min(closing, first_payment),
                       first_payment=first_payment, legal_final=legal_final)
    except FieldError as exc:
        raise exc.within("dates") from None

