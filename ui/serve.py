"""Start the app with the library already loaded: ``python -m ui.serve [streamlit options]``.

``streamlit run`` imports nothing of the app until the first browser session runs the
script, which then pays for importing pandas, scipy, numba and the library and for loading
the compiled engine from numba's cache (about two seconds here). Run in-process instead,
after a tiny engine run, that work is done before the server listens: the first page only
computes. Options go to ``streamlit run`` (e.g. ``--server.port 8600``).
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def warm_up() -> None:
    """Import what the first page needs and run the engine once on a few paths."""
    import altair  # noqa: F401
    import pandas  # noqa: F401

    from abs_tool import report  # noqa: F401
    from abs_tool.dealfile import load_deal_pool, load_sample_deal
    from abs_tool.engine import break_even, prepare_deal
    from abs_tool.simulation import run_monte_carlo

    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    run_monte_carlo(prepared, paths=64, workers=1)
    break_even(prepared)


def main() -> int:
    warm_up()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return int(cli.main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
