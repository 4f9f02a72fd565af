"""abs_tool: asset-securitisation structuring — pools, cash flows, Monte Carlo, term sheets.

The names below are the public API: what the command line, the app and users import. ::

    import abs_tool

    deal = abs_tool.load_sample_deal("consumer")  # or load_deal("deal.json")
    pool, _ = abs_tool.load_deal_pool(deal, base_dir=None)
    prepared = abs_tool.prepare_deal(deal, pool)
    result = abs_tool.run_monte_carlo(prepared)
    analysis = abs_tool.analyse(prepared, monte_carlo=result)
    abs_tool.write_term_sheet("term_sheet.xlsx", abs_tool.build_term_sheet_inputs(analysis))

The package is layered (STYLE.md): :mod:`~abs_tool.model` (what a deal is),
:mod:`~abs_tool.io` (files), :mod:`~abs_tool.credit` (default models),
:mod:`~abs_tool.engine` (the cash-flow engine), :mod:`~abs_tool.analysis` (what a structurer
asks), :mod:`~abs_tool.report` (tables and the term sheet). A name is imported from its module
when first used, so ``import abs_tool`` stays cheap and importing one part (the tape reader,
say) does not load numba, scipy or the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, ...]] = {
    "abs_tool.errors": (
        "AbsToolError", "AssumptionError", "DealFileError", "FieldError", "InputError",
        "LimitError", "OutputError", "TapeError", "ValidationReport",
    ),
    "abs_tool.model.assumptions": (
        "AnnualPd", "Assumptions", "CdrVector", "Copula", "Cpr", "LifetimeDefault", "Recovery",
    ),
    "abs_tool.model.deal": (
        "Deal", "DealDates", "DealParties", "Fee", "NoteClass", "Pricing", "ReserveAccount",
        "RunSettings", "Structure", "Tier", "Trigger",
    ),
    "abs_tool.model.pool": ("Pool",),
    "abs_tool.io.dealfile": (
        "deal_from_json", "deal_json", "load_deal", "load_deal_pool", "load_sample_deal",
        "save_deal",
    ),
    "abs_tool.io.tape": ("inspect_tape", "load_tape", "write_tape"),
    "abs_tool.io.default_schedule": (
        "DefaultSchedule", "DefaultScheduleError", "inspect_default_schedule",
        "load_default_schedule",
    ),
    "abs_tool.io.samples": ("sample_pool",),
    "abs_tool.io.static_pool": (
        "StaticPoolData", "StaticPoolError", "inspect_static_pool", "load_static_pool",
        "write_static_pool",
    ),
    "abs_tool.io.static_pool_samples": ("sample_static_pool", "static_pool_truth"),
    "abs_tool.io.rating_tables": ("RatingTables", "load_rating_table"),
    "abs_tool.engine.deterministic": (
        "PreparedDeal", "Scenario", "ScenarioResult", "prepare_deal", "run_scenario",
        "scenario_grid",
    ),
    "abs_tool.engine.montecarlo": ("CancelledError", "MonteCarloResult", "run_monte_carlo"),
    "abs_tool.analysis.break_even": ("BreakEven", "break_even"),
    "abs_tool.analysis.economics": ("CostOfFunds", "cost_of_funds"),
    "abs_tool.analysis.deal_analysis": ("DealAnalysis", "analyse"),
    "abs_tool.analysis.inspector": (
        "WaterfallInspection", "inspect_waterfall", "monte_carlo_path",
    ),
    "abs_tool.analysis.new_deal": ("NewDeal", "new_deal_for_pool"),
    "abs_tool.analysis.pool_stats": ("PoolSummary", "pool_summary", "stratify"),
    "abs_tool.analysis.static_pool": (
        "InsufficientHistoryError", "StaticPoolAnalysis", "analyse_static_pool",
        "base_case_assumptions",
    ),
    "abs_tool.analysis.stress": (
        "RatingMultiples", "StressScenario", "StressTable", "stress_table",
    ),
    "abs_tool.analysis.structuring": (
        "StructuringResult", "compare_structures", "resize_class", "sensitivity_grid",
        "structure_deal",
    ),
    "abs_tool.report.excel": ("build_term_sheet_inputs", "term_sheet_bytes", "write_term_sheet"),
    "abs_tool.report.stress_xlsx": ("stress_workbook_bytes", "write_stress_workbook"),
}

_MODULE_OF: dict[str, str] = {name: module for module, names in _EXPORTS.items()
                              for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'abs_tool' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors ("X as X" re-exports)
    from abs_tool.analysis.break_even import (
        BreakEven as BreakEven,
        break_even as break_even,
    )
    from abs_tool.analysis.deal_analysis import (
        DealAnalysis as DealAnalysis,
        analyse as analyse,
    )
    from abs_tool.analysis.economics import (
        CostOfFunds as CostOfFunds,
        cost_of_funds as cost_of_funds,
    )
    from abs_tool.analysis.inspector import (
        WaterfallInspection as WaterfallInspection,
        inspect_waterfall as inspect_waterfall,
        monte_carlo_path as monte_carlo_path,
    )
    from abs_tool.analysis.new_deal import (
        NewDeal as NewDeal,
        new_deal_for_pool as new_deal_for_pool,
    )
    from abs_tool.analysis.pool_stats import (
        PoolSummary as PoolSummary,
        pool_summary as pool_summary,
        stratify as stratify,
    )
    from abs_tool.analysis.static_pool import (
        InsufficientHistoryError as InsufficientHistoryError,
        StaticPoolAnalysis as StaticPoolAnalysis,
        analyse_static_pool as analyse_static_pool,
        base_case_assumptions as base_case_assumptions,
    )
    from abs_tool.analysis.stress import (
        RatingMultiples as RatingMultiples,
        StressScenario as StressScenario,
        StressTable as StressTable,
        stress_table as stress_table,
    )
    from abs_tool.analysis.structuring import (
        StructuringResult as StructuringResult,
        compare_structures as compare_structures,
        resize_class as resize_class,
        sensitivity_grid as sensitivity_grid,
        structure_deal as structure_deal,
    )
    from abs_tool.engine.deterministic import (
        PreparedDeal as PreparedDeal,
        Scenario as Scenario,
        ScenarioResult as ScenarioResult,
        prepare_deal as prepare_deal,
        run_scenario as run_scenario,
        scenario_grid as scenario_grid,
    )
    from abs_tool.engine.montecarlo import (
        CancelledError as CancelledError,
        MonteCarloResult as MonteCarloResult,
        run_monte_carlo as run_monte_carlo,
    )
    from abs_tool.errors import (
        AbsToolError as AbsToolError,
        AssumptionError as AssumptionError,
        DealFileError as DealFileError,
        FieldError as FieldError,
        InputError as InputError,
        LimitError as LimitError,
        OutputError as OutputError,
        TapeError as TapeError,
        ValidationReport as ValidationReport,
    )
    from abs_tool.io.dealfile import (
        deal_from_json as deal_from_json,
        deal_json as deal_json,
        load_deal as load_deal,
        load_deal_pool as load_deal_pool,
        load_sample_deal as load_sample_deal,
        save_deal as save_deal,
    )
    from abs_tool.io.default_schedule import (
        DefaultSchedule as DefaultSchedule,
        DefaultScheduleError as DefaultScheduleError,
        inspect_default_schedule as inspect_default_schedule,
        load_default_schedule as load_default_schedule,
    )
    from abs_tool.io.rating_tables import (
        RatingTables as RatingTables,
        load_rating_table as load_rating_table,
    )
    from abs_tool.io.samples import (
        sample_pool as sample_pool,
    )
    from abs_tool.io.static_pool import (
        StaticPoolData as StaticPoolData,
        StaticPoolError as StaticPoolError,
        inspect_static_pool as inspect_static_pool,
        load_static_pool as load_static_pool,
        write_static_pool as write_static_pool,
    )
    from abs_tool.io.static_pool_samples import (
        sample_static_pool as sample_static_pool,
        static_pool_truth as static_pool_truth,
    )
    from abs_tool.io.tape import (
        inspect_tape as inspect_tape,
        load_tape as load_tape,
        write_tape as write_tape,
    )
    from abs_tool.model.assumptions import (
        AnnualPd as AnnualPd,
        Assumptions as Assumptions,
        CdrVector as CdrVector,
        Copula as Copula,
        Cpr as Cpr,
        LifetimeDefault as LifetimeDefault,
        Recovery as Recovery,
    )
    from abs_tool.model.deal import (
        Deal as Deal,
        DealDates as DealDates,
        DealParties as DealParties,
        Fee as Fee,
        NoteClass as NoteClass,
        Pricing as Pricing,
        ReserveAccount as ReserveAccount,
        RunSettings as RunSettings,
        Structure as Structure,
        Tier as Tier,
        Trigger as Trigger,
    )
    from abs_tool.model.pool import (
        Pool as Pool,
    )
    from abs_tool.report.excel import (
        build_term_sheet_inputs as build_term_sheet_inputs,
        term_sheet_bytes as term_sheet_bytes,
        write_term_sheet as write_term_sheet,
    )
    from abs_tool.report.stress_xlsx import (
        stress_workbook_bytes as stress_workbook_bytes,
        write_stress_workbook as write_stress_workbook,
    )
