"""Static-pool analysis (issue 17 target: a 36-vintage triangle analysed in under 1 s).

Prints a table: case, vintages, months on book, seconds (best of --repeat runs) to read the
long CSV, to analyse (chain-ladder by balance and count, the Weibull fit, prepayment,
recovery, implied correlation), and the whole ``abs-tool static-pool`` work (read + analyse
+ JSON). Cases: the two samples, and synthetic triangles of 36 to 240 vintages.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from timing import best_of

from abs_tool import analyse_static_pool, load_static_pool, sample_static_pool
from abs_tool.io.static_pool import StaticPoolData, month_label, static_pool_bytes


def synthetic(vintages: int, months: int, seed: int = 1) -> StaticPoolData:
    """Binomial defaults of 20,000 loans per vintage, lifetime 3%, Weibull timing."""
    rng = np.random.default_rng(seed)
    ages = np.arange(1, months + 1)
    share = -np.expm1(-((ages / (months / 4)) ** 1.5))
    timing = np.diff(np.concatenate([[0.0], share / share[-1]]))
    counts = np.cumsum([rng.multinomial(20_000, [*(0.03 * timing), 0.97])[:-1]
                        for _ in range(vintages)], axis=1).astype(float)
    counts[ages[None, :] > np.minimum(months, vintages - np.arange(vintages))[:, None]] = np.nan
    return StaticPoolData(tuple(month_label(2000 * 12 + i) for i in range(vintages)),
                          np.full(vintages, 2e7), counts * 1000.0, np.full(vintages, 2e4),
                          counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = [("sample consumer", sample_static_pool("consumer")),
             ("sample factoring", sample_static_pool("factoring"))]
    cases += [(f"synthetic {v}x{m}", synthetic(v, m)) for v, m in
              ((36, 24), (60, 36), (120, 60), (240, 60))]
    print(f"static-pool analysis; best of {args.repeat} (target: 36 vintages under 1 s)")
    print(f"{'case':<20} {'vintages':>8} {'months':>6} {'read s':>8} {'analyse s':>10} "
          f"{'total s':>8}")
    for name, data in cases:
        payload = static_pool_bytes(data, "csv")
        read_s, loaded = best_of(args.repeat, lambda p=payload: load_static_pool(
            p, file_name="static_pool.csv"))
        analyse_s, _ = best_of(args.repeat, lambda d=loaded: analyse_static_pool(d))

        def whole(p: bytes = payload) -> str:
            result = analyse_static_pool(load_static_pool(p, file_name="static_pool.csv"))
            return json.dumps(result.to_dict(), allow_nan=False)

        total_s, _ = best_of(args.repeat, whole)
        print(f"{name:<20} {data.n_vintages:>8} {data.n_months:>6} {read_s:>8.4f} "
              f"{analyse_s:>10.4f} {total_s:>8.4f}")


if __name__ == "__main__":
    main()
