"""The one cash-flow engine: a deterministic scenario is the Monte Carlo with one path.

:mod:`.projection` (the pool's state as the kernel reads it, deterministic default drivers),
:mod:`.kernel` (the compiled month loop), :mod:`.waterfall` (the priority of payments and its
results), :mod:`.metrics` (class EL, WAL, yield, duration), :mod:`.checks` (invariants),
:mod:`.deterministic` (prepared deals, scenarios, grids), :mod:`.montecarlo` (seeded blocks
of paths, reduced to estimates with standard errors). Imports model, io and credit.
"""
