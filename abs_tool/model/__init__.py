"""What a deal is: its terms, its assumptions and its pool, as validated immutable objects.

:mod:`.deal` (classes, fees, reserve, triggers, revolving period, dates, pricing),
:mod:`.assumptions` (default, prepayment and recovery as tagged variants), :mod:`.pool` (the
loans), :mod:`.columns` (the tape's columns), :mod:`.eligibility` (criteria and limits),
:mod:`.amortization` (loan schedules), :mod:`.conventions` (rate algebra), :mod:`.scales`
(rating scales), :mod:`.pool_model` (the pool grouped as the engines see it).

This layer imports nothing of the others (only :mod:`abs_tool.errors`,
:mod:`abs_tool.limits` and :mod:`abs_tool.types`).
"""
