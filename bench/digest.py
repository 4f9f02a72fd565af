"""A SHA-256 digest of every number the engine gives on the sample deals, to show that a
refactor left them bit-identical: run it before and after, on the same machine.

Per sample deal: the base deterministic scenario (every pool, class, fee and account row of
the waterfall, and the class metrics), the break-even multipliers and default rates, and a
Monte Carlo of --paths paths (plain and importance-sampled; every estimate and histogram).
``python bench/digest.py [--paths N] [--skip FIELD ...]`` prints one line per part and the
digest of all; ``--skip`` leaves fields out by name, so that a change that adds a field can
show that every number there before is unchanged (the digest before it, with the new
fields skipped).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
from typing import Any

import numpy as np

import abs_tool

SKIPPED = {"runtime_seconds"}  # wall-clock time, not a result; and the fields of --skip


def _feed(h: Any, value: Any) -> None:
    """Hash ``value`` by its bytes: arrays and floats exactly, containers in order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in SKIPPED:
                h.update(field.name.encode())
                _feed(h, getattr(value, field.name))
    elif isinstance(value, np.ndarray):
        h.update(str(value.dtype).encode() + str(value.shape).encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, list | tuple):
        for item in value:
            _feed(h, item)
    elif isinstance(value, dict):
        for key in sorted(value):
            h.update(str(key).encode())
            _feed(h, value[key])
    elif isinstance(value, float | int | np.floating | np.integer):
        h.update(np.float64(value).tobytes())
    elif isinstance(value, str | bool) or value is None:
        h.update(repr(value).encode())
    else:
        raise TypeError(f"cannot hash {type(value).__name__}")


def digest(value: Any) -> str:
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", type=int, default=20_000)
    parser.add_argument("--skip", nargs="*", default=[], metavar="FIELD")
    args = parser.parse_args()
    SKIPPED.update(args.skip)
    total = hashlib.sha256()
    for name in ("consumer", "factoring"):
        deal = abs_tool.load_sample_deal(name)
        pool, _ = abs_tool.load_deal_pool(deal, None)
        prepared = abs_tool.prepare_deal(deal, pool)
        base = abs_tool.run_scenario(prepared)
        parts = {
            "scenario": (base.result, base.metrics),
            "break-even": abs_tool.break_even(prepared),
            "monte carlo": abs_tool.run_monte_carlo(prepared, paths=args.paths, workers=2),
            "monte carlo (IS)": abs_tool.run_monte_carlo(
                prepared, paths=args.paths, workers=2, importance_sampling=True),
        }
        for part, value in parts.items():
            d = digest(value)
            total.update(d.encode())
            print(f"{name:<10} {part:<18} {d[:16]}")
    print(f"all        {'':<18} {total.hexdigest()}")


if __name__ == "__main__":
    main()
