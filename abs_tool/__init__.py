"""abs_tool: asset-securitisation structuring — pools, cash flows, Monte Carlo, term sheets."""

__version__ = "0.1.0"
