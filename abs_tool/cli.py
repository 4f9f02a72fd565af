"""The ``abs-tool`` command line: a thin shell over the library.

Every option is checked when the command line is read, before any file is loaded or any
path simulated: numbers against their ranges (``docs/limits.md``), output files for being
writable. A user error (:class:`~abs_tool.errors.AbsToolError`) is printed as one readable
message and exits with status 2; running out of memory gets its own message and status 1;
anything else is a bug: one line and status 1 (``--debug`` or ``ABS_TOOL_DEBUG=1`` shows
the traceback); Ctrl-C exits with status 130.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pandas as pd

from abs_tool import AbsToolError, InputError, __version__, glossary as g
from abs_tool.errors import render, render_message
from abs_tool.glossary import LANGS, MONEY_UNITS
from abs_tool.io.atomic import check_writable, checked_path, write_atomic
from abs_tool.limits import (
    MAX_CONFIDENCE_SE,
    MAX_HORIZON_MONTHS,
    MAX_PATHS,
    MAX_SEED,
    MAX_WORKERS,
    MEMORY_ENV,
    MIN_SIZE_STEP,
)
from abs_tool.report import format as fmt
from abs_tool.report.console import PARTS, Printer, records, word

if TYPE_CHECKING:
    from abs_tool.engine.executor import Executor
    from abs_tool.report.excel import TermSheetInputs

EXIT_INVALID = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
DEBUG_ENV = "ABS_TOOL_DEBUG"
"""Environment variable: set to 1 to show the traceback of an internal error."""


def _option_type(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a converter that raises :class:`AbsToolError`: argparse then
    names the option and prints the message."""
    def parse(text: str) -> Any:
        try:
            return convert(text)
        except AbsToolError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = convert.__name__
    return parse


def _integer(low: int, high: int) -> Callable[[str], int]:
    """An integer option in [low, high]."""
    def integer(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # also an integer too long for Python to convert
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be an integer from {low:,} to {high:,} (got {text[:40]!r})")
        return value

    return integer


def _number(low: float, high: float, *, high_open: bool = False) -> Callable[[str], float]:
    """A finite number option in [low, high] ([low, high) when ``high_open``)."""
    interval = f"[{low:g}, {high:g}{')' if high_open else ']'}"

    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and low <= value and (value < high if high_open
                                                         else value <= high)
        if not ok:
            raise argparse.ArgumentTypeError(f"must be a finite number in {interval} "
                                             f"(got {text[:40]!r})")
        return value

    return number


def _numbers(item: Callable[[str], float]) -> Callable[[str], list[float]]:
    """A comma-separated list of at least one ``item``."""
    def numbers(text: str) -> list[float]:
        values = [item(x) for x in text.split(",") if x.strip()]
        if not values:
            raise argparse.ArgumentTypeError(f"expected numbers separated by commas "
                                             f"(got {text[:40]!r})")
        return values

    return numbers


_RATE = _number(0.0, 1.0, high_open=True)
_RECOVERY = _number(0.0, 1.0)
_SHARE = _number(0.0, 1.0, high_open=True)
_CONFIDENCE = _number(0.0, MAX_CONFIDENCE_SE)
_LAG = _integer(0, MAX_HORIZON_MONTHS)


def _input_file(text: str) -> str:
    checked_path(text, "input file")
    return text


def _output_file(text: str) -> str:
    check_writable(text)
    return text


def _load_deal(spec: str):  # type: ignore[no-untyped-def]
    """A deal file path, or the name of a built-in sample deal."""
    from abs_tool import load_deal, load_deal_pool, load_sample_deal
    from abs_tool.io.dealfile import SAMPLE_DEALS

    path = Path(spec)
    if path.exists():
        deal, base = load_deal(path), path.resolve().parent
    elif spec in SAMPLE_DEALS:
        deal, base = load_sample_deal(spec), None
    else:
        raise InputError(
            f"{spec}: no such deal file, and not a sample deal ({', '.join(SAMPLE_DEALS)})"
        )
    pool, _ = load_deal_pool(deal, base)
    return deal, pool


def cmd_validate_tape(args: argparse.Namespace) -> int:
    from abs_tool import inspect_tape
    from abs_tool.io.csvsafe import csv_text

    out: Printer = args.printer
    pool, report = inspect_tape(args.file, sheet=args.sheet, rate_unit=args.rate_unit)
    columns = ["severity", "row", "column", "value", "reason"]
    findings = pd.DataFrame(report.to_records(out.lang), columns=columns)
    out.say("tape_findings", file=report.file, errors=len(report.errors),
            warnings=len(report.warnings))
    if len(findings):
        out.table(findings, {"row": "int", "severity": "word"})
    if pool is not None:
        out.say("tape_ok", loans=out.figure(len(pool), "int"),
                balance=out.figure(pool.balance, "money"))
    if args.report_out:
        frame = pd.DataFrame(report.to_records(), columns=columns)
        _write_text(Path(args.report_out), csv_text(frame, index=False))
        out.say("wrote_findings", n=out.figure(len(frame), "int"), path=args.report_out)
    if out.json_mode:
        out.json({"ok": report.ok, "loans": None if pool is None else len(pool),
                  "balance": None if pool is None else pool.balance,
                  "findings": records(findings)})
    return 0 if report.ok else EXIT_INVALID


def cmd_sample_pool(args: argparse.Namespace) -> int:
    from abs_tool import sample_pool, write_tape

    out: Printer = args.printer
    pool = sample_pool(args.name, seed=args.seed, n_loans=args.loans)
    write_tape(pool, args.out)
    out.say("wrote_loans", loans=out.figure(len(pool), "int"),
            balance=out.figure(pool.balance, "money"), path=args.out)
    if out.json_mode:
        out.json({"path": args.out, "loans": len(pool), "balance": pool.balance})
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from abs_tool import load_tape, pool_summary, sample_pool, stratify
    from abs_tool.analysis.pool_stats import SUMMARY_LABELS
    from abs_tool.io.csvsafe import csv_text
    from abs_tool.io.samples import SAMPLE_NAMES

    if args.out_strats and not args.by:
        raise InputError("--out-strats writes the stratification tables: name their columns "
                         "with --by, e.g. --by grade region")
    out: Printer = args.printer
    pool = (sample_pool(args.source) if args.source in SAMPLE_NAMES
            else load_tape(args.source, sheet=args.sheet, rate_unit=args.rate_unit))
    stats = pool_summary(pool)
    summary = stats.to_frame()
    kinds = [SUMMARY_LABELS[f.name][2] for f in fields(stats)]
    shown = stats.to_frame(out.lang).assign(unit=[
        "" if kind in ("money", "count") else unit for kind, unit in
        zip(kinds, stats.to_frame(out.lang)["unit"], strict=True)])
    out.table(shown, {"value": [_SUMMARY_FORMATS[kind] for kind in kinds]},
              title=out.text("summary"))
    tables = []
    for column in args.by:
        table = stratify(pool, column)
        out.table(stratify(pool, column, lang=out.lang), _STRAT_FORMATS,
                  title=out.text("strat", column=g.term(g.FIELDS, column, out.lang)))
        tables.append(table.assign(by=column)[["by", *table.columns]])
    if args.out:
        _write_text(Path(args.out), csv_text(summary, index=False))
        out.say("wrote", path=args.out)
    if args.out_strats:
        _write_text(Path(args.out_strats), csv_text(pd.concat(tables, ignore_index=True),
                                                    index=False))
        out.say("wrote_strats", n=len(tables), path=args.out_strats)
    if out.json_mode:
        out.json({"summary": asdict(stats),
                  "stratifications": {t["by"].iloc[0]: records(t.drop(columns="by"))
                                      for t in tables}})
    return 0


# How the pool summary's figures (their kind in SUMMARY_LABELS) and the stratification
# tables' columns are written.
_SUMMARY_FORMATS = {"count": "int", "money": "money", "rate": "pct", "months": "number",
                    "share": "pct_fine"}
_STRAT_FORMATS = {"count": "int", "balance": "money", "share": "pct", "wac": "pct",
                  "wa_remaining_term": "number", "wa_annual_pd": "pct"}


def cmd_cashflows(args: argparse.Namespace) -> int:
    from abs_tool import Scenario, break_even, prepare_deal, run_scenario
    from abs_tool.io.csvsafe import csv_text
    from abs_tool.report.tables import cashflow_tables, class_table

    deal, pool = _load_deal(args.deal)
    prepared = prepare_deal(deal, pool)
    schedule = None
    if args.default_schedule:
        from abs_tool.io.default_schedule import load_default_schedule

        schedule = load_default_schedule(args.default_schedule, pool=pool,
                                         horizon_months=deal.dates.horizon_months)
    scenario = Scenario(cdr_annual=args.cdr, cpr_annual=args.cpr, recovery_rate=args.recovery,
                        lag_months=args.lag, default_multiplier=args.multiplier,
                        default_schedule=schedule)
    result = run_scenario(prepared, scenario)
    breakevens = break_even(prepared)
    out: Printer = args.printer
    table = class_table(deal, result.metrics, break_evens=breakevens)
    out.table(table, _CLASS_FORMATS, title=out.text("classes"))
    if args.out:
        tables = cashflow_tables(result.result, deal)
        _write_text(Path(args.out), csv_text(tables.wide()))
        out.say("wrote_periods", n=result.result.n_periods, path=args.out)
    if out.json_mode:
        out.json({"deal": deal.name, "classes": records(table)})
    return 0


# How the class and grid tables' columns are written (abs_tool.report.tables.class_table,
# abs_tool.analysis.scenario_grid).
_CLASS_FORMATS = {"tier": "word", "original_balance": "money", "coupon": "pct",
                  "interest_received": "money",
                  "principal_received": "money", "residual_received": "money",
                  "principal_loss": "pct_fine", "loss_pv": "pct_fine", "wal_years": "number",
                  "yield": "yield", "modified_duration_years": "number", "dirr_bp": "bp",
                  "bdr": "pct", "cdr_annual": "pct", "recovery_rate": "pct",
                  "pool_default_rate": "pct"}


def _inspect_out(text: str) -> str:
    if Path(text).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"{text}: write a .csv or an .xlsx file")
    return _output_file(text)


def _quantile(text: str) -> float:
    value = _number(0.0, 1.0)(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1] (got {text[:40]!r})")
    return value


def cmd_inspect(args: argparse.Namespace) -> int:
    from abs_tool import Scenario, prepare_deal, run_scenario
    from abs_tool.analysis.inspector import inspect_waterfall, inspection_xlsx, monte_carlo_path
    from abs_tool.io.csvsafe import csv_text

    stressed = [f"--{name.replace('_', '-')}" for name in ("cdr", "recovery", "cpr", "lag",
                                                           "multiplier", "default_schedule")
                if getattr(args, name) is not None]
    if args.quantile is None and (args.paths is not None or args.seed is not None):
        raise InputError("--paths and --seed choose the Monte Carlo of --quantile: give "
                         "--quantile with them")
    if args.quantile is not None and stressed:
        raise InputError(f"--quantile inspects a Monte Carlo path of the deal's own "
                         f"assumptions: it cannot be combined with {', '.join(stressed)}")
    deal, pool = _load_deal(args.deal)
    # Checked before anything runs: a Monte Carlo is not drawn to be refused after.
    horizon = deal.dates.horizon_months
    if not 1 <= args.month <= horizon:
        raise InputError(f"--month {args.month}: must be in 1..{horizon} (the deal's months)")
    prepared = prepare_deal(deal, pool)
    out: Printer = args.printer
    if args.quantile is not None:
        picked = monte_carlo_path(prepared, args.quantile, paths=args.paths, seed=args.seed)
        result, lag = picked.result, None
        out.say("inspect_path", index=out.figure(picked.index, "int"),
                last=out.figure(picked.paths - 1, "int"), quantile=f"{args.quantile:g}",
                loss=out.figure(picked.pool_loss, "money"),
                share=out.figure(picked.pool_loss / pool.balance, "pct_fine"))
    else:
        schedule = None
        if args.default_schedule:
            from abs_tool.io.default_schedule import load_default_schedule

            schedule = load_default_schedule(args.default_schedule, pool=pool,
                                             horizon_months=horizon)
        scenario = Scenario(cdr_annual=args.cdr, cpr_annual=args.cpr,
                            recovery_rate=args.recovery, lag_months=args.lag,
                            default_multiplier=1.0 if args.multiplier is None
                            else args.multiplier, default_schedule=schedule)
        run = run_scenario(prepared, scenario)
        result, lag = run.result, run.assumptions.recovery.lag_months
    inspection = inspect_waterfall(result, deal, args.month, lag_months=lag)
    steps = inspection.steps
    out.table(steps, {"part": "word", "item": "word"} | dict.fromkeys(steps.columns[3:], "money"),
              title=out.text("inspect_month", month=args.month))
    if len(inspection.triggers):
        out.table(inspection.triggers, {"value": "pct_fine", "level": "pct_fine",
                                        "headroom": "pct_fine"}, title=out.text("triggers"))
    if args.out:
        path = Path(args.out)
        write_atomic(path, inspection_xlsx(inspection) if path.suffix.lower() == ".xlsx"
                     else csv_text(inspection.frame(), index=False).encode("utf-8"))
        out.say("wrote_inspection", month=args.month, path=args.out)
    if out.json_mode:
        out.json({"month": args.month, "steps": records(steps),
                  "triggers": records(inspection.triggers)})
    return 0


def cmd_grid(args: argparse.Namespace) -> int:
    from abs_tool import prepare_deal, scenario_grid
    from abs_tool.engine.executor import open_executor
    from abs_tool.io.csvsafe import csv_text

    deal, pool = _load_deal(args.deal)
    # Locally the whole grid is one engine call; a cluster takes it in units.
    with open_executor(args.dask) as executor:
        grid = scenario_grid(prepare_deal(deal, pool), args.cdr, args.recovery,
                             cpr_annual=args.cpr, lag_months=args.lag,
                             executor=None if args.dask is None else executor)
    out: Printer = args.printer
    # The grid's `cdr` and `recovery` are rates (in the inspector `recovery` is an amount).
    out.table(grid.rename(columns={"cdr": "cdr_annual", "recovery": "recovery_rate"}),
              _CLASS_FORMATS, title=out.text("grid"))
    if args.out:
        _write_text(Path(args.out), csv_text(grid))
        out.say("wrote", path=args.out)
    if out.json_mode:
        out.json(records(grid))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import json

    from abs_tool import analyse, prepare_deal, run_monte_carlo
    from abs_tool.engine.executor import open_executor
    from abs_tool.report.tables import analysis_dict, monte_carlo_table

    deal, pool = _load_deal(args.deal)
    tables = _rating_tables(args)
    prepared = prepare_deal(deal, pool)
    out: Printer = args.printer
    with open_executor(args.dask) as executor, out.progress(not args.quiet) as update:
        result = run_monte_carlo(
            prepared, paths=args.paths, seed=args.seed,
            importance_sampling=True if args.importance_sampling else None,
            workers=args.workers, progress=update, default_method=args.defaults,
            executor=executor,
        )
    analysis = analyse(prepared, monte_carlo=result, tables=tables)
    out.say("run", deal=deal.name, paths=out.figure(result.paths, "int"), seed=result.seed,
            seconds=f"{result.runtime_seconds:.2f}")
    if result.importance_shift:
        out.say("importance", shift=f"{result.importance_shift:.3f}")
    out.say("default_method", method=word(result.default_method, out.lang))
    dist = result.pool_default_rate
    out.say("pool_rate", mean=out.figure(dist.mean.value, "pct_fine"),
            se=out.figure(dist.mean.se, "pct_fine"),
            q999=out.figure(dist.quantiles[0.999], "pct_fine"),
            q9999=out.figure(dist.quantiles[0.9999], "pct_fine"))
    classes = monte_carlo_table(result, break_evens=analysis.break_evens,
                                ratings=analysis.ratings)
    out.table(classes.rename(columns={
        f"rating ({c})": f"{word('rating', out.lang)} ({word(c, out.lang)})"
        for c in ("el", "pd", "dirr", "tdr")}), _MONTE_CARLO_FORMATS, title=out.text("classes"))
    cost = analysis.cost
    out.say("cost", coupon=out.figure(cost.wa_coupon, "pct"),
            all_in=out.figure(cost.all_in, "pct"), benchmark=out.figure(cost.benchmark, "pct"),
            saving=out.figure(cost.saving_bp, "bp"))
    data = analysis_dict(analysis) if args.out_json or out.json_mode else None
    if args.out_json:
        _write_text(Path(args.out_json), json.dumps(data, ensure_ascii=False, indent=1))
        out.say("wrote", path=args.out_json)
    if args.out_xlsx or args.out_pdf:
        from abs_tool import build_term_sheet_inputs

        _write_term_sheet(args, build_term_sheet_inputs(
            analysis, sources=_sources(args.deal, deal.pool.tape)))
    if out.json_mode:
        out.json(data)
    return 0


# How the Monte Carlo class table's columns are written (abs_tool.report.tables).
_MONTE_CARLO_FORMATS = {"tier": "word", "balance": "money", "coupon": "pct", "EL": "pct_fine",
                        "EL se": "pct_fine", "PD": "pct_fine", "PD se": "pct_fine",
                        "LGD": "pct", "WAL (y)": "number", "IRR": "yield", "IRR se": "pct_fine",
                        "DIRR (bp)": "bp", "BDR": "pct"}


def _write_term_sheet(args: argparse.Namespace, inputs: TermSheetInputs) -> None:
    """The term sheet to ``--out-xlsx`` and its PDF to ``--out-pdf`` (LibreOffice)."""
    from abs_tool import term_sheet_bytes
    from abs_tool.report.pdf import xlsx_to_pdf

    workbook = term_sheet_bytes(inputs, args.lang)
    # The PDF first: without LibreOffice neither file is half-written.
    pdf = xlsx_to_pdf(workbook) if args.out_pdf else None
    for path, data in ((args.out_xlsx, workbook), (args.out_pdf, pdf)):
        if path and data is not None:
            write_atomic(path, data)
            args.printer.say("wrote", path=path)


def cmd_batch(args: argparse.Namespace) -> int:
    import json
    import os

    from abs_tool import prepare_deal
    from abs_tool.engine.executor import open_executor
    from abs_tool.report.batch import BatchSettings, run_batch

    names = [Path(spec).stem if Path(spec).exists() else spec for spec in args.deals]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"two deals would write the same file in {args.out_dir}: "
                         f"{', '.join(n + '.json' for n in repeated)}; rename one")
    settings = BatchSettings(args.paths, args.seed,
                             True if args.importance_sampling else None, args.defaults)
    deals = [prepare_deal(*_load_deal(spec)) for spec in args.deals]
    tables = _rating_tables(args)
    threads = args.workers or min(len(deals), os.cpu_count() or 1)
    out_dir = Path(args.out_dir)
    out: Printer = args.printer
    written: dict[str, object] = {}
    with open_executor(args.dask) as executor, out.progress(not args.quiet) as update:
        # Every deal's cost is checked here, before the folder is made or a deal runs.
        results = run_batch(deals, settings, tables=tables, executor=executor,
                            threads=threads)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out-dir {args.out_dir}: cannot create it "
                             f"({exc.strerror})") from exc
        for i, (name, data) in enumerate(zip(names, results, strict=True), start=1):
            path = out_dir / f"{name}.json"
            _write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
            written[name] = data
            if update is not None:
                update(i, len(deals), name)
            if not args.quiet:
                out.say("batch_wrote", i=i, n=len(deals), path=path)
    if out.json_mode:
        out.json(written)
    return 0


def _rating_tables(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from abs_tool import RatingTables

    return RatingTables.load(args.el_table, args.pd_table, args.dirr_table)


def _sources(spec: str, tape: str | None) -> dict[str, str]:
    """SHA-256 of the deal file ``spec`` and of the ``tape`` it names, relative to it (none
    for a sample deal), for the term sheet's Audit sheet."""
    from abs_tool.report.excel import file_sha256

    path = Path(spec)
    if not path.exists():
        return {}
    files = [path] + ([path.parent / tape] if tape is not None else [])
    return {str(f): file_sha256(f) for f in files}


def _grid_axis(text: str) -> tuple[str, list[float]]:
    """``PARAMETER=v1,v2,...``: a known sensitivity parameter and values in its range."""
    from abs_tool.analysis.structuring import check_sensitivity_value

    name, _, values = text.partition("=")
    if not name.strip() or not values.strip():
        raise argparse.ArgumentTypeError(
            f"expected PARAMETER=v1,v2,... (e.g. correlation=0.1,0.2), got {text[:60]!r}")
    try:
        numbers = [float(x) for x in values.split(",") if x.strip()]
    except ValueError:
        numbers = []
    if not numbers:
        raise argparse.ArgumentTypeError(
            f"expected PARAMETER=v1,v2,... with numbers (got {text[:60]!r})")
    for value in numbers:
        check_sensitivity_value(name.strip(), value)
    return name.strip(), numbers


def _size(text: str) -> tuple[float, str]:
    """A class size: ``2%`` a share of the pool, a plain number an amount in currency."""
    share = text.strip().endswith("%")
    value = _number(0.0, math.inf, high_open=True)(text.strip().removesuffix("%"))
    if share and value >= 100:
        raise InputError(f"a share must be under 100% (got {text!r})")
    return (value / 100, "share") if share else (value, "amount")


def _fix(text: str) -> tuple[str, tuple[float, str] | None]:
    """``NAME`` (held at the deal's size) or ``NAME=SIZE``."""
    name, equals, size = text.partition("=")
    if not name.strip():
        raise InputError(f"expected NAME or NAME=SIZE (got {text!r})")
    return name.strip(), _size(size) if equals else None


def _targets(text: str) -> list[str]:
    """Comma-separated target ratings on the local scale, each one known."""
    from abs_tool.model.scales import from_local_scale

    targets = [t.strip() for t in text.split(",")]
    for target in targets:
        from_local_scale(target)
    return targets


def cmd_structure(args: argparse.Namespace) -> int:
    from abs_tool.engine.executor import open_executor

    # The sizing and the grid share one executor: a cluster started once, inputs sent once.
    with open_executor(args.dask) as executor:
        return _structure(args, executor)


def _structure(args: argparse.Namespace, executor: Executor) -> int:
    import json

    from abs_tool import analyse, prepare_deal, resize_class, sensitivity_grid, structure_deal
    from abs_tool.analysis.structuring import MIN_CLASS_SHARE
    from abs_tool.report.tables import structuring_dict, structuring_label, structuring_tables

    deal, pool = _load_deal(args.deal)
    if args.defaults is not None:
        deal = replace(deal, run=replace(deal.run, default_method=args.defaults))
    tables = _rating_tables(args)
    targets = args.targets
    for name, size in args.fix or ():
        if size is not None:
            deal = resize_class(deal, pool, name, *size)
    minimum = args.min_class_size or (MIN_CLASS_SHARE, "share")

    out: Printer = args.printer
    with out.progress(not args.quiet) as update:
        result = structure_deal(
            deal, pool, targets=targets, criterion=args.criterion, paths=args.paths,
            seed=args.seed, importance_sampling=not args.no_importance_sampling,
            size_step_share=args.step, retained_share=args.retained,
            min_class_share=minimum[0] if minimum[1] == "share" else 0.0,
            min_class_amount=minimum[0] if minimum[1] == "amount" else 0.0,
            fixed=[name for name, _ in args.fix or ()], price=not args.no_pricing,
            tables=tables, workers=args.workers, executor=executor,
            # The number of structures a sizing evaluates is not known ahead: no time left.
            progress=None if update is None else lambda done, what: update(done, None, what),
            **({} if args.confidence_se is None else {"confidence_se": args.confidence_se}))
    mc = result.monte_carlo
    out.say("structure", deal=deal.name, paths=out.figure(mc.paths, "int"), seed=mc.seed,
            criterion=structuring_label(result.criterion, out.lang),
            evaluations=result.evaluations, seconds=f"{result.runtime_seconds:.2f}",
            simulation=f"{result.simulation_seconds:.2f}")
    out.say("structure_converged" if result.converged else "structure_not_converged")
    grid = None
    if args.grid:
        cells = len(args.grid[0][1]) * len(args.grid[1][1])
        with out.progress(not args.quiet) as update:
            grid = sensitivity_grid(
                result.deal, pool, args.grid[0], args.grid[1], resize=args.grid_resize,
                targets=targets, criterion=args.criterion, paths=args.grid_paths,
                seed=args.seed, importance_sampling=not args.no_importance_sampling,
                tables=tables, workers=args.workers, executor=executor,
                progress=None if update is None else lambda done, what: update(done, cells,
                                                                               what))
    for title, table in structuring_tables(result, grid, out.lang, args.money_unit).items():
        out.table(table, title=title)
    if not (args.out_json or args.out_xlsx or args.out_pdf or out.json_mode):
        return 0
    # The outputs show the sized deal, analysed on the sizing's own simulation.
    analysis = analyse(prepare_deal(result.deal, pool), structuring=result)
    data = structuring_dict(result, analysis)
    if grid is not None:
        data["sensitivity"] = records(grid)
    if args.out_json:
        _write_text(Path(args.out_json), json.dumps(data, ensure_ascii=False, indent=1))
        out.say("wrote", path=args.out_json)
    if args.out_xlsx or args.out_pdf:
        from abs_tool import build_term_sheet_inputs

        _write_term_sheet(args, build_term_sheet_inputs(
            analysis, structuring=structuring_tables(result, grid, args.lang),
            sources=_sources(args.deal, deal.pool.tape)))
    if out.json_mode:
        out.json(data)
    return 0


def _month(text: str) -> str:
    """A month option, YYYY-MM."""
    from abs_tool.io.static_pool import month_label, parse_month

    return month_label(parse_month(text))


def cmd_static_pool(args: argparse.Namespace) -> int:
    import json

    from abs_tool import analyse_static_pool, inspect_static_pool, sample_static_pool
    from abs_tool.io.static_pool import StaticPoolError
    from abs_tool.io.static_pool_samples import SAMPLE_STATIC_POOLS

    if (args.deal is None) != (args.write_deal is None):
        raise InputError("--deal and --write-deal go together: --deal names the deal whose "
                         "assumptions take the base case, --write-deal the file to write")
    if not Path(args.file).exists() and args.file in SAMPLE_STATIC_POOLS:
        data = sample_static_pool(args.file)
    else:
        loaded, report = inspect_static_pool(args.file, sheet=args.sheet, shape=args.shape,
                                             allow_gaps=args.allow_gaps, as_of=args.as_of)
        if loaded is None:
            raise StaticPoolError(report)
        if report.warnings:
            print(report, file=sys.stderr)  # the reader's findings, as it writes them
        data = loaded
    analysis = analyse_static_pool(
        data, weighting=args.weighting, half_life_months=args.half_life,
        min_seasoned=args.min_seasoned, min_developed_share=args.min_developed_share,
        max_months_on_book=args.max_months_on_book)
    out: Printer = args.printer
    table = pd.DataFrame(analysis.vintage_records())
    columns = ["vintage", "months_observed", "observed_rate", "developed_share",
               "chain_ladder_lifetime_rate", "fit_lifetime_rate", "in_base_case"]
    rates = dict.fromkeys(columns[2:-1] + ["chain_ladder_lifetime_rate_by_count"],
                          "pct_fine")
    out.table(table[columns + [c for c in ("chain_ladder_lifetime_rate_by_count",)
                               if c in table]], {"months_observed": "int"} | rates)
    disp = analysis.dispersion
    out.say("static_pool", name=data.name, vintages=data.n_vintages, months=analysis.months,
            seasoned=int(analysis.balance.seasoned.sum()))
    out.say("base_case", weighting=out.text(f"weighting_{analysis.weighting}"),
            rate=out.figure(analysis.lifetime_default_rate, "pct_fine"),
            n=disp.n_vintages, std=out.figure(disp.std, "pct_fine"),
            low=out.figure(disp.minimum, "pct_fine"), high=out.figure(disp.maximum, "pct_fine"))
    if analysis.lifetime_default_rate_by_count is not None:
        out.say("base_case_count",
                rate=out.figure(analysis.lifetime_default_rate_by_count, "pct_fine"))
    out.say("weibull", rate=out.figure(analysis.lifetime_default_rate_fit, "pct_fine"),
            scale=out.figure(analysis.fit.scale_months, "number"),
            shape=out.figure(analysis.fit.shape, "number"),
            tail=out.figure(analysis.fit.tail_share, "pct"), months=analysis.months)
    if analysis.cpr_annual is not None:
        out.say("cpr", rate=out.figure(float(pd.Series(analysis.cpr_annual).mean()), "pct"))
    if analysis.recovery is not None:
        out.say("recovery", rate=out.figure(analysis.recovery.rate, "pct"),
                lag=out.figure(analysis.recovery.lag_months, "number"))
    corr = analysis.correlation
    if corr is not None:
        out.say("correlation", rho=out.figure(corr.rho, "number"),
                low=out.figure(corr.interval[0], "number"),
                high=out.figure(corr.interval[1], "number"))
    if out.lang == "en":  # the analysis's notes are English (all of them in the JSON)
        for note in analysis.notes:
            out.say("note", note=note)
    if args.out_json:
        _write_text(Path(args.out_json), json.dumps(analysis.to_dict(), ensure_ascii=False,
                                                    indent=1, allow_nan=False))
        out.say("wrote", path=args.out_json)
    if args.write_deal:
        _write_base_case_deal(args.deal, args.write_deal, analysis, out)
    if out.json_mode:
        out.json(analysis.to_dict())
    return 0


def _write_base_case_deal(spec: str, out: str, analysis: Any, printer: Printer) -> None:
    """Write deal ``spec`` with the static-pool base case as its assumptions."""
    import os

    from abs_tool import base_case_assumptions, save_deal

    deal, pool = _load_deal(spec)
    assumptions, notes = base_case_assumptions(analysis, deal.assumptions, pool)
    deal = replace(deal, assumptions=assumptions)
    tape = deal.pool.tape
    if tape is not None and Path(spec).exists():
        # A tape path is relative to the deal file: keep it pointing at the same tape.
        source = Path(spec).resolve().parent / tape
        moved = os.path.relpath(source, Path(out).resolve().parent)
        deal = replace(deal, pool=replace(deal.pool, tape=Path(moved).as_posix()))
    save_deal(deal, out)
    if printer.lang == "en":  # the notes are English
        for note in notes:
            printer.say("deal_note", note=note)
    printer.say("wrote", path=out)


def cmd_sample_static_pool(args: argparse.Namespace) -> int:
    from abs_tool import sample_static_pool, write_static_pool

    out: Printer = args.printer
    data = sample_static_pool(args.name, seed=args.seed)
    write_static_pool(data, args.out, shape=args.shape)
    out.say("wrote_vintages", n=data.n_vintages, months=data.n_months, path=args.out)
    if out.json_mode:
        out.json({"path": args.out, "vintages": data.n_vintages, "months": data.n_months})
    return 0


def cmd_new_deal(args: argparse.Namespace) -> int:
    import datetime as dt
    import os

    from abs_tool import load_tape, save_deal
    from abs_tool.analysis.new_deal import Carry, FixedFees, new_deal_for_pool
    from abs_tool.model.deal import PoolSource, RateUnit

    out: Printer = args.printer
    deal, old_pool = _load_deal(args.like)
    pool = load_tape(args.tape, sheet=args.sheet, rate_unit=args.rate_unit)
    source = None
    # A tape path in a deal file is relative to the file, in its folder or below: a tape
    # elsewhere is written into the file.
    relative = Path(os.path.relpath(Path(args.tape).resolve(), Path(args.out).resolve().parent))
    if not args.embed and ".." not in relative.parts:
        source = PoolSource(tape=relative.as_posix(), sheet=args.sheet,
                            rate_unit=RateUnit(args.rate_unit))
    elif not args.embed:
        out.say("embedded")
    made = new_deal_for_pool(deal, pool, old_balance=old_pool.balance, keep=args.keep,
                             fixed_fees=FixedFees(args.fixed_fees), name=args.name,
                             cutoff=args.cutoff or dt.date.today(), source=source)
    save_deal(made.deal, args.out)
    new = made.deal
    out.say("new_deal", name=new.name, loans=out.figure(len(pool), "int"),
            balance=out.figure(made.new_balance, "money"),
            ratio=fmt.number(made.balance_ratio, fmt.significant_decimals(made.balance_ratio, 4)),
            old=out.figure(old_pool.balance, "money"), like=deal.name, cutoff=new.dates.cutoff,
            final=new.dates.legal_final)
    kept = [g.term(PARTS, c.value, out.lang) for c in Carry if c in args.keep]
    out.say("carried", parts=", ".join(kept) or out.text("nothing_else"))
    for amount in made.scaled:
        out.say("scaled", item=amount.item, field=amount.field,
                before=out.figure(amount.before, "money"),
                after=out.figure(amount.after, "money"))
    for amount in made.flagged:
        out.say("flagged", item=amount.item, field=amount.field,
                before=out.figure(amount.before, "money"))
    for part in made.cleared:
        out.say("cleared", part=g.term(PARTS, part.part.value, out.lang),
                items=", ".join(part.items))
    out.say("wrote", path=args.out)
    if out.json_mode:
        out.json({"path": args.out, "deal": new.name, "loans": len(pool),
                  "balance": made.new_balance, "carried": [c.value for c in args.keep],
                  "scaled": [asdict(a) for a in made.scaled],
                  "flagged": [asdict(a) for a in made.flagged],
                  "cleared": {p.part.value: list(p.items) for p in made.cleared}})
    return 0


def _carry(text: str) -> Any:
    from abs_tool.analysis.new_deal import parse_carry

    return parse_carry(text)


def _date(text: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date YYYY-MM-DD (got {text!r})") from None


def _multiples(text: str) -> Any:
    """``AAA=4.5,AA=3.5,...``: default multiples by rating (a user's table)."""
    from abs_tool.analysis.stress import RatingMultiples

    pairs: dict[str, float] = {}
    for item in (x.strip() for x in text.split(",")):
        rating, equals, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not equals or not rating.strip() or not math.isfinite(number):
            raise InputError(f"expected RATING=MULTIPLE,... such as AAA=4.5,AA=3.5 (got "
                             f"{item[:40]!r})")
        if rating.strip() in pairs:
            raise InputError(f"rating {rating.strip()!r} given twice")
        pairs[rating.strip()] = number
    return RatingMultiples.from_mapping(pairs)


def _stress_scenarios(path: str) -> Any:
    """The scenarios of a JSON file (docs/stress.md); errors name the file and the field."""
    import json

    from abs_tool.analysis.stress import MAX_SCENARIO_FILE_BYTES, scenarios_from_json
    from abs_tool.errors import FieldError
    from abs_tool.io.atomic import read_input

    raw = read_input(path, max_bytes=MAX_SCENARIO_FILE_BYTES, expected="scenario file (JSON)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not a JSON file ({exc})") from None
    try:
        return scenarios_from_json(data)
    except FieldError as err:
        raise InputError(f"{path}: {err}") from None


def cmd_stress(args: argparse.Namespace) -> int:
    import json

    from abs_tool import break_even, prepare_deal, run_monte_carlo
    from abs_tool.analysis.deal_analysis import target_default_rates
    from abs_tool.analysis.stress import DEFAULT_SCENARIOS, RatingMultiples, stress_table
    from abs_tool.engine.executor import open_executor

    deal, pool = _load_deal(args.deal)
    scenarios = _stress_scenarios(args.scenarios) if args.scenarios else DEFAULT_SCENARIOS
    multiples = args.multiples or RatingMultiples()
    prepared = prepare_deal(deal, pool)
    out: Printer = args.printer
    tdrs = None
    # The Monte Carlo's blocks and the scenarios share one executor: a cluster started once.
    with open_executor(args.dask) as executor:
        if args.tdr == "monte-carlo":
            with out.progress(not args.quiet) as update:
                mc = run_monte_carlo(prepared, paths=args.paths, seed=args.seed,
                                     progress=update, executor=executor)
            tdrs = target_default_rates(mc, break_even(prepared))
            out.say("stress_mc", paths=out.figure(mc.paths, "int"), seed=mc.seed)
        table = stress_table(prepared, scenarios, multiples, target_default_rates=tdrs,
                             executor=executor)
    base = table.base_lifetime_default_rate
    out.say("stress_base", deal=deal.name, rate=out.figure(base, "pct_fine"))
    if table.tdr_source == "multiples":
        out.say("tdr_multiples",
                label=out.text("indicative" if multiples.indicative else "as_given"),
                pairs=", ".join(f"{r} {m:g}x = {out.figure(m * base, 'pct_fine')}"
                                for r, m in multiples.multiples))
    else:
        out.say("tdr_monte_carlo")
    if table.scenarios_indicative:
        out.say("scenarios_indicative")
    rows = []
    for row in table.scenarios:
        for c in row.classes:
            # A BDR marked + is a lower bound: no loss at the largest multiplier tried.
            record = {"scenario": row.scenario.name, "class": c.class_name,
                      "BDR": out.figure(c.bdr, "pct") + ("+" if not c.loses else "")}
            if table.tdr_source == "multiples":
                record.update({r: "pass" if ok else "fail"
                               for r, ok in c.passes_by_rating().items()})
            record["highest"] = c.highest_rating
            rows.append(record)
    out.table(pd.DataFrame(rows), dict.fromkeys(["scenario", *(r for r, _ in multiples.multiples)],
                                              "word"))
    if any(not c.loses for row in table.scenarios for c in row.classes):
        out.say("bdr_bound")
    out.say("highest", ratings=", ".join(
        f"{name} {rating}" for name, rating in table.highest_ratings().items()))
    if args.out_json:
        _write_text(Path(args.out_json), json.dumps(table.to_dict(), ensure_ascii=False,
                                                    indent=1, allow_nan=False))
        out.say("wrote", path=args.out_json)
    if args.out_xlsx:
        from abs_tool.report.stress_xlsx import write_stress_workbook

        write_stress_workbook(args.out_xlsx, table, args.lang)
        out.say("wrote", path=args.out_xlsx)
    if out.json_mode:
        out.json(table.to_dict())
    return 0


def _write_text(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def _dask_spec(text: str) -> str:
    from abs_tool.engine.executor import parse_spec

    parse_spec(text)
    return text


def _dask_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dask", type=_option_type(_dask_spec), metavar="SCHEDULER",
                   help="run the work units on a Dask cluster: tcp://HOST:8786 (a running "
                   "scheduler) or local:N (N worker processes here); same numbers as "
                   "without it (docs/dask.md; needs pip install 'abs-tool[dask]')")


def _defaults_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--defaults", choices=["auto", "exact", "grouped"], default=None,
                   help="draw defaults obligor by obligor (exact), per PD group (grouped), "
                   "or exact up to EXACT_MAX_OBLIGORS obligors (auto; docs/results.md); "
                   "default: the deal's run.default_method")


def _simulation_options(p: argparse.ArgumentParser, json_doc: str) -> None:
    """What `run` and `structure` share: the deal, Monte Carlo settings, outputs (JSON, the
    term sheet) and the rating tables."""
    p.add_argument("deal", type=_option_type(_input_file),
                   help="deal file (JSON) or sample deal name")
    p.add_argument("--paths", type=_integer(1, MAX_PATHS),
                   help=f"Monte Carlo paths, 1 to {MAX_PATHS:,} (default: the deal's)")
    p.add_argument("--seed", type=_integer(0, MAX_SEED),
                   help="root seed, an integer >= 0 (default: the deal's)")
    p.add_argument("--workers", type=_integer(1, MAX_WORKERS),
                   help=f"threads, 1 to {MAX_WORKERS} (default: all cores, as many as the "
                   f"memory budget {MEMORY_ENV} allows)")
    _dask_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--out-json", type=_option_type(_output_file),
                   help=f"write the results as JSON ({json_doc})")
    p.add_argument("--out-xlsx", type=_option_type(_output_file),
                   help="write the term sheet workbook (docs/term_sheet.md)")
    p.add_argument("--out-pdf", type=_option_type(_output_file),
                   help="write the term sheet as PDF (needs LibreOffice; docs/term_sheet.md)")
    for kind, default in (("el", "idealized_el_derived"), ("pd", "idealized_pd_moodys"),
                          ("dirr", "dirr_moodys_style")):
        p.add_argument(f"--{kind}-table", metavar="NAME_OR_CSV", type=_option_type(_input_file),
                       help=f"{kind.upper()} rating table: a built-in name or a CSV with its "
                       f"JSON sidecar (docs/ratings.md; default {default})")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors (an unknown option, a missing argument, an
    invalid choice, a refused value) are said in ``lang``: argparse's messages and the
    option checks' go through the glossary's templates
    (:data:`abs_tool.glossary.MESSAGES`), as a library error's do. English keeps argparse's
    own output (the usage, then the error); ``--help`` is English in both languages."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str) -> NoReturn:
        if self.lang == "en":
            super().error(message)
        out = Printer(self.lang)
        out.error(render_message(message, self.lang))
        print(out.text("usage_hint", prog=self.prog), file=sys.stderr)
        self.exit(EXIT_INVALID)


def _lang_of(argv: Sequence[str] | None) -> str:
    """The ``--lang`` of a command line, read before the command line is (an error in it is
    said in that language); English where it is missing or not a language."""
    early = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    early.add_argument("--lang")
    given = early.parse_known_args(argv)[0].lang
    return given if given in LANGS else "en"


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The command line's parser; its usage errors are said in ``lang`` (:class:`_Parser`)."""
    from abs_tool.analysis.pool_stats import STRATIFIABLE_COLUMNS
    from abs_tool.io.samples import MAX_SAMPLE_LOANS

    parser = _Parser(prog="abs-tool", description=__doc__.splitlines()[0], lang=lang)
    parser.add_argument("--version", action="version", version=f"abs-tool {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help=f"show the traceback of an internal error (also {DEBUG_ENV}=1)")
    sub = parser.add_subparsers(dest="command", required=True)
    output = _option_type(_output_file)

    p = sub.add_parser("validate-tape", help="check a loan tape (CSV/XLSX); exit 0 valid, 2 not")
    p.add_argument("file", type=_option_type(_input_file))
    p.add_argument("--sheet")
    p.add_argument("--rate-unit", choices=["decimal", "percent"], default="decimal")
    p.add_argument("--report-out", type=output, metavar="CSV",
                   help="write the findings as CSV: severity, row, column, value, reason")
    p.set_defaults(func=cmd_validate_tape)

    p = sub.add_parser("sample-pool", help="write a built-in sample pool as CSV or XLSX")
    p.add_argument("name", choices=["consumer", "factoring"])
    p.add_argument("--out", required=True, type=output)
    p.add_argument("--seed", type=_integer(0, MAX_SEED), default=20151)
    p.add_argument("--loans", type=_integer(1, MAX_SAMPLE_LOANS),
                   help=f"number of loans, 1 to {MAX_SAMPLE_LOANS:,}")
    p.set_defaults(func=cmd_sample_pool)

    p = sub.add_parser("summary", help="pool summary and stratification tables")
    p.add_argument("source", type=_option_type(_input_file),
                   help="tape file, or a sample pool name")
    p.add_argument("--by", nargs="*", default=[], choices=STRATIFIABLE_COLUMNS,
                   metavar="COLUMN", help="columns to stratify by: "
                   + ", ".join(STRATIFIABLE_COLUMNS))
    p.add_argument("--sheet")
    p.add_argument("--rate-unit", choices=["decimal", "percent"], default="decimal")
    p.add_argument("--out", type=output, metavar="CSV",
                   help="write the summary as CSV: label, value, unit")
    p.add_argument("--out-strats", type=output, metavar="CSV",
                   help="write the stratification tables of --by as one CSV, a column `by` "
                   "naming the table: by, bucket, count, balance, share, wac, "
                   "wa_remaining_term, wa_annual_pd")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("run", help="Monte Carlo: loss distributions, class EL / PD / WAL / "
                       "yield with standard errors, break-even default rates")
    _simulation_options(p, "docs/results.md")
    _defaults_option(p)
    p.add_argument("--importance-sampling", action="store_true",
                   help="shift the systematic factor (precise senior-class tails)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("batch", help="run several deals (each as `run` would, its results "
                       "JSON in a folder), on this machine's threads or a Dask cluster")
    p.add_argument("deals", nargs="+", type=_option_type(_input_file), metavar="DEAL",
                   help="deal files (JSON) or sample deal names")
    p.add_argument("--out-dir", required=True, metavar="D",
                   help="folder for the results: D/<deal file name>.json (docs/results.md)")
    p.add_argument("--paths", type=_integer(1, MAX_PATHS),
                   help=f"Monte Carlo paths of every deal, 1 to {MAX_PATHS:,} (default: "
                   "each deal's)")
    p.add_argument("--seed", type=_integer(0, MAX_SEED),
                   help="root seed of every deal (default: each deal's)")
    p.add_argument("--workers", type=_integer(1, MAX_WORKERS),
                   help="deals run at once on this machine (default: one per core)")
    _dask_option(p)
    _defaults_option(p)
    p.add_argument("--importance-sampling", action="store_true",
                   help="shift the systematic factor (precise senior-class tails)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    for kind in ("el", "pd", "dirr"):
        p.add_argument(f"--{kind}-table", metavar="NAME_OR_CSV", type=_option_type(_input_file),
                       help=f"{kind.upper()} rating table (as for `run`)")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("structure", help="size the classes to target ratings on common "
                       "random numbers, price them, and the deal's economics")
    _simulation_options(p, "docs/structuring.md")
    _defaults_option(p)
    p.add_argument("--targets", type=_option_type(_targets),
                   help="target ratings of the rated classes, senior first, "
                   "e.g. AAA,AA- (default: each class's target_rating)")
    p.add_argument("--criterion", choices=["el", "pd", "dirr", "tdr"], default="el")
    p.add_argument("--no-importance-sampling", action="store_true",
                   help="plain sampling (default: shift the factor to the senior tail)")
    p.add_argument("--no-pricing", action="store_true",
                   help="keep the coupons of the deal file instead of the pricing grid")
    p.add_argument("--step", type=_number(MIN_SIZE_STEP, 0.1), default=0.001,
                   help=f"size grid, as a share of the pool, {MIN_SIZE_STEP:g} to 0.1 "
                   "(default 0.001)")
    p.add_argument("--retained", type=_SHARE, default=0.05,
                   help="smallest subordinated class, share of the pool in [0, 1) "
                   "(default 0.05)")
    p.add_argument("--min-class-size", type=_option_type(_size), metavar="SIZE",
                   help="smallest rated class: a share of the pool (2%%) or an amount "
                   "(5000000); a class that cannot meet its target at that size is left out "
                   "(default 1%%)")
    p.add_argument("--fix", type=_option_type(_fix), action="append", metavar="NAME[=SIZE]",
                   help="hold class NAME at SIZE (2%% of the pool, or an amount), or at its "
                   "size in the deal file; the subordinated class takes the rest; repeatable")
    p.add_argument("--confidence-se", type=_CONFIDENCE, metavar="K",
                   help="a class meets its target only when its metric is K standard errors "
                   f"inside the threshold, 0 to {MAX_CONFIDENCE_SE:g} (default: a pass holds "
                   "in a fresh run at about 97.5%%, one-sided)")
    p.add_argument("--grid", nargs=2, type=_option_type(_grid_axis), metavar="PARAM=V1,V2",
                   help="a two-way sensitivity of the sized structure, e.g. "
                   "correlation=0.1,0.2 default_multiplier=1,1.5; parameters: "
                   "default_multiplier, correlation, sector_correlation, recovery_rate, "
                   "cpr_annual, cdr_annual, lag_months")
    p.add_argument("--grid-paths", type=_integer(1, MAX_PATHS), default=20_000,
                   help=f"paths of each grid cell, 1 to {MAX_PATHS:,} (default 20,000)")
    p.add_argument("--grid-resize", action="store_true",
                   help="size the classes afresh in every cell of the grid (slower)")
    p.set_defaults(func=cmd_structure)

    p = sub.add_parser("static-pool", help="vintage analysis of static-pool data: curves, "
                       "chain-ladder and fitted extrapolation, base-case lifetime default rate, "
                       "timing, CPR, recovery, implied correlation (docs/static_pool.md)")
    p.add_argument("file", type=_option_type(_input_file),
                   help="static-pool file (CSV/XLSX: long, wide or loan-level), or a sample "
                   "name (consumer, factoring)")
    p.add_argument("--shape", choices=["auto", "long", "wide", "loans"], default="auto")
    p.add_argument("--sheet")
    p.add_argument("--allow-gaps", action="store_true",
                   help="interpolate months on book missing inside a vintage's history "
                   "(default: an error)")
    p.add_argument("--as-of", type=_option_type(_month), metavar="YYYY-MM",
                   help="loan-level history: the last month observed (default: the latest "
                   "month in the file)")
    p.add_argument("--weighting", choices=["balance", "equal", "recent"], default="balance",
                   help="vintage weights of the base case (default balance)")
    p.add_argument("--half-life", type=_number(0.1, 1200.0), default=12.0, metavar="MONTHS",
                   help="half-life of the recent weighting in months (default 12)")
    p.add_argument("--min-seasoned", type=_integer(1, 1000), default=3,
                   help="fewest vintages observed to the last month on book (default 3)")
    p.add_argument("--min-developed-share", type=_number(0.0, 1.0), default=0.25,
                   metavar="SHARE", help="vintages that have shown less of their lifetime "
                   "defaults stay out of the base case (default 0.25)")
    p.add_argument("--max-months-on-book", type=_integer(1, MAX_HORIZON_MONTHS),
                   metavar="N", help="cut the triangle at month on book N")
    p.add_argument("--out-json", type=output, metavar="F",
                   help="write the results as JSON (docs/static_pool.md)")
    p.add_argument("--deal", type=_option_type(_input_file),
                   help="deal file or sample deal name whose assumptions take the base case")
    p.add_argument("--write-deal", type=output, metavar="OUT.json",
                   help="write --deal with the base case as its default (lifetime rate and "
                   "timing given its pool's seasoning), prepayment and recovery assumptions")
    p.set_defaults(func=cmd_static_pool)

    p = sub.add_parser("sample-static-pool", help="write a sample's static-pool data (CSV or "
                       "XLSX) from a seed and its stated true curve")
    p.add_argument("name", choices=["consumer", "factoring"])
    p.add_argument("--out", required=True, type=output)
    p.add_argument("--seed", type=_integer(0, MAX_SEED),
                   help="seed (default the sample deal's: 20151 consumer, 20161 factoring)")
    p.add_argument("--shape", choices=["long", "wide"], default="long")
    p.set_defaults(func=cmd_sample_static_pool)

    p = sub.add_parser("new-deal", help="start a deal from a loan tape, carrying over the "
                       "structure, fees, triggers and eligibility of a sample or deal file "
                       "(docs/deal_file.md)")
    p.add_argument("tape", type=_option_type(_input_file), help="loan tape (CSV/XLSX)")
    p.add_argument("--like", required=True, type=_option_type(_input_file),
                   metavar="consumer|factoring|DEAL.json",
                   help="the deal to start from: a sample deal name or a deal file")
    p.add_argument("--out", required=True, type=output, metavar="D.json")
    p.add_argument("--keep", type=_option_type(_carry),
                   default="structure,fees,triggers,eligibility", metavar="PARTS",
                   help="parts carried over, comma-separated, of structure, fees, triggers, "
                   "eligibility, dates (default: all but dates); the others are cleared and "
                   "listed")
    p.add_argument("--fixed-fees", choices=["scale", "keep"], default="scale",
                   help="fixed fee amounts scaled by the new pool's balance over the old "
                   "one's (default), or kept as they are (listed)")
    p.add_argument("--name", help="the new deal's name (default: the tape's file name)")
    p.add_argument("--cutoff", type=_option_type(_date), metavar="YYYY-MM-DD",
                   help="cut-off date when the dates are not kept (default: today); the "
                   "other dates keep their distance from it")
    p.add_argument("--sheet")
    p.add_argument("--rate-unit", choices=["decimal", "percent"], default="decimal")
    p.add_argument("--embed", action="store_true",
                   help="write the tape into the deal file (default: name it by its path "
                   "relative to the deal file when it lies in the file's folder or below)")
    p.set_defaults(func=cmd_new_deal)

    p = sub.add_parser("stress", help="stress tests: break-even default rate of every class "
                       "under each scenario against target default rates by rating "
                       "(docs/stress.md)")
    p.add_argument("deal", type=_option_type(_input_file),
                   help="deal file (JSON) or sample deal name")
    p.add_argument("--multiples", type=_option_type(_multiples), metavar="AAA=4.5,AA=3.5,...",
                   help="default multiples of the base-case lifetime default rate by rating "
                   "(default: the indicative AAA=4.5,AA=3.5,A=2.5,BBB=1.75)")
    p.add_argument("--scenarios", type=_option_type(_input_file), metavar="FILE.json",
                   help="the scenarios as a JSON list (docs/stress.md; default: the 8 "
                   "indicative ones)")
    p.add_argument("--tdr", choices=["multiples", "monte-carlo"], default="multiples",
                   help="target default rates from the multiples (default) or from a Monte "
                   "Carlo of the deal")
    p.add_argument("--paths", type=_integer(1, MAX_PATHS),
                   help="Monte Carlo paths with --tdr monte-carlo (default: the deal's)")
    p.add_argument("--seed", type=_integer(0, MAX_SEED),
                   help="Monte Carlo seed with --tdr monte-carlo (default: the deal's)")
    _dask_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--out-json", type=output, metavar="F",
                   help="write the table as JSON (docs/stress.md)")
    p.add_argument("--out-xlsx", type=output, metavar="F",
                   help="write the table as a workbook (sheet 'Stress tests')")
    p.set_defaults(func=cmd_stress)

    p = sub.add_parser("inspect", help="the waterfall inspector: one month of a scenario or of "
                       "a Monte Carlo path, step by step (docs/inspector.md)")
    p.add_argument("deal", type=_option_type(_input_file),
                   help="deal file (JSON) or sample deal name")
    p.add_argument("--month", type=_integer(1, MAX_HORIZON_MONTHS), required=True,
                   help="the month to inspect, 1 to the deal's horizon")
    p.add_argument("--cdr", type=_RATE, help="annual CDR in [0, 1)")
    p.add_argument("--recovery", type=_RECOVERY, help="recovery rate in [0, 1]")
    p.add_argument("--cpr", type=_RATE, help="annual CPR in [0, 1)")
    p.add_argument("--lag", type=_LAG, help=f"recovery lag in months, 0 to {MAX_HORIZON_MONTHS}")
    p.add_argument("--multiplier", type=_number(0.0, math.inf, high_open=True),
                   help="stress multiplier on the default assumption, >= 0 (default 1)")
    p.add_argument("--default-schedule", type=_option_type(_input_file),
                   help="CSV/XLSX of loans that default in given months (as for cashflows)")
    p.add_argument("--quantile", type=_quantile,
                   help="inspect instead the deal's Monte Carlo path at this quantile of the "
                   "lifetime pool loss, in (0, 1] (0.5 the median, 0.999 a tail path)")
    p.add_argument("--paths", type=_integer(1, MAX_PATHS),
                   help=f"with --quantile: Monte Carlo paths, 1 to {MAX_PATHS:,} (default: "
                   "the deal's)")
    p.add_argument("--seed", type=_integer(0, MAX_SEED),
                   help="with --quantile: root seed (default: the deal's)")
    p.add_argument("--out", type=_option_type(_inspect_out), metavar="F.csv|F.xlsx",
                   help="write the steps, triggers and ledgers: CSV (one table, a `table` "
                   "column first) or XLSX (a sheet each)")
    p.set_defaults(func=cmd_inspect)

    for name, func, help_text in (
        ("cashflows", cmd_cashflows, "one deterministic scenario: class table, BDR, periods"),
        ("grid", cmd_grid, "a CDR x recovery grid of deterministic scenarios"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("deal", type=_option_type(_input_file),
                       help="deal file (JSON) or sample deal name")
        grid = name == "grid"
        if grid:
            _dask_option(p)
        p.add_argument("--cdr", type=_numbers(_RATE) if grid else _RATE, required=grid,
                       help="annual CDR in [0, 1) (comma-separated list for grid)")
        p.add_argument("--recovery", type=_numbers(_RECOVERY) if grid else _RECOVERY,
                       required=grid, help="recovery rate in [0, 1]"
                       + (" (comma-separated list)" if grid else ""))
        p.add_argument("--cpr", type=_RATE, help="annual CPR in [0, 1)")
        p.add_argument("--lag", type=_LAG,
                       help=f"recovery lag in months, 0 to {MAX_HORIZON_MONTHS}")
        if not grid:
            p.add_argument("--multiplier", type=_number(0.0, math.inf, high_open=True),
                           default=1.0,
                           help="stress multiplier on the default assumption, >= 0")
            p.add_argument("--default-schedule", type=_option_type(_input_file),
                           help="CSV/XLSX of loans that default in given months: loan_id, "
                                "default_month, optional recovery_rate (the other loans "
                                "follow the scenario; --cdr 0: none default)")
        p.add_argument("--out", type=output, help="CSV file to write")
        p.set_defaults(func=func)
    for p in sub.choices.values():
        _output_options(p)
        p.lang = lang  # a _Parser, as its parent: its errors in the same language
    return parser


def _output_options(p: argparse.ArgumentParser) -> None:
    """What every command shares: the language and unit of what it prints and writes, and
    JSON instead of tables."""
    p.add_argument("--json", action="store_true",
                   help="print the results as JSON instead of tables (the same JSON as "
                   "--out-json where the command has it)")
    p.add_argument("--lang", choices=list(LANGS), default="en",
                   help="language of what the command prints and writes (the term sheet, "
                   "the stress workbook): en or zh (default en)")
    p.add_argument("--money-unit", choices=list(MONEY_UNITS), default=fmt.DEFAULT_MONEY_UNIT,
                   help="unit of amounts in Chinese: wan (万元) or yi (亿元) (default wan); "
                   "English shows RMB")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``abs-tool`` with ``argv`` (default: the process's); returns the exit status.

    ``--help`` and ``--version`` exit through ``SystemExit(0)``, as argparse does.
    """
    try:
        args = build_parser(_lang_of(argv)).parse_args(argv)
    except SystemExit as exc:
        if not exc.code:
            raise
        # argparse has printed the usage and which option is wrong: a refused option is a
        # user error like any other, returned as status 2.
        return EXIT_INVALID
    debug = args.debug or os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")
    args.printer = out = Printer(args.lang, args.money_unit, args.json)
    try:
        return int(args.func(args))
    except AbsToolError as err:
        out.error(render(err, out.lang))
        return EXIT_INVALID
    except KeyboardInterrupt:
        print(out.text("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of the output went away (`abs-tool ... | head`): nothing to report, and
        # Python's own flush at exit must not fail on the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except MemoryError:
        if debug:
            raise
        out.error(out.text("out_of_memory", name=MEMORY_ENV))
        return EXIT_FAILURE
    except Exception as exc:
        if debug:
            raise
        print(out.text("internal_error", kind=type(exc).__name__, name=DEBUG_ENV),
              file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
