"""What the command line prints: one table printer, its sentences and its progress display,
in English or Chinese.

Every figure goes through :func:`abs_tool.report.format.format_kind` (money in RMB with
thousands separators in English, in 万元 or 亿元 in Chinese; rates and shares as percent with
significant digits where small; never scientific notation; an empty cell as ``—``; a total
loss's yield as -100%). Headers are the glossary's labels, never code names. Tables are drawn
by ``rich``, which aligns Chinese double-width characters; when standard output is not a
terminal (a pipe, a file, pytest) the text carries no colour or control codes and is not cut
to a terminal's width. ``--json`` replaces all of it with the command's results as JSON.

The progress display (with the time left) goes to standard error, and only when standard
error is a terminal: a log or a pipe gets no carriage-return noise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO

import pandas as pd
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from abs_tool import glossary as g
from abs_tool.report import format as fmt

Label = g.Label

PLAIN_WIDTH = 1000
"""Characters a line may take when standard output is not a terminal (nothing wraps there:
a wide table stays one line a row, as a reader of a log or a diff wants it)."""

# Column headers and cell words of the command line's tables, keyed by the code name a
# table is built with; concept terms from the glossary.
WORDS: dict[str, Label] = {
    "class": g.DEAL["class"], "tier": g.DEAL["tier"], "balance": g.DEAL["balance"],
    "original_balance": g.DEAL["class_amount"], "coupon": g.DEAL["coupon"],
    "interest_received": ("Interest received", "收到利息"),
    "principal_received": ("Principal received", "收到本金"),
    "residual_received": ("Residual received", "收到剩余收益"),
    "principal_loss": g.METRICS["principal_loss"], "loss_pv": g.METRICS["loss_pv"],
    "wal_years": g.METRICS["wal_years"], "yield": g.METRICS["yield"],
    "modified_duration_years": ("Modified duration (years)", "修正久期(年)"),
    "dirr_bp": g.METRICS["dirr_bp"], "bdr": g.METRICS["bdr"],
    "bdr_reached": ("BDR reached", "达到临界违约率"),
    "cdr_annual": g.METRICS["cdr"], "recovery_rate": g.METRICS["recovery_rate"],
    "pool_default_rate": ("Pool default rate", "资产池违约率"),
    "el": g.METRICS["el"], "el_se": ("EL: standard error", "预期损失标准误"),
    "pd": g.METRICS["pd"], "pd_se": ("PD: standard error", "违约概率标准误"),
    "lgd": g.METRICS["lgd"], "irr": g.METRICS["irr"],
    "irr_se": ("IRR: standard error", "内部收益率标准误"),
    "rating": g.DEAL["rating"], "dirr": g.METRICS["dirr"],
    # abs_tool.report.tables.monte_carlo_table's headers.
    "EL": g.METRICS["el"], "EL se": ("EL: standard error", "预期损失标准误"),
    "PD": g.METRICS["pd"], "PD se": ("PD: standard error", "违约概率标准误"),
    "LGD": g.METRICS["lgd"], "WAL (y)": g.METRICS["wal_years"], "IRR": g.METRICS["irr"],
    "IRR se": ("IRR: standard error", "内部收益率标准误"), "DIRR (bp)": g.METRICS["dirr_bp"],
    "BDR": g.METRICS["bdr"],
    "label": g.DEAL["figure"], "value": g.DEAL["value"], "unit": g.DEAL["unit"],
    "bucket": g.DEAL["bucket"], "count": g.DEAL["loans"], "share": g.DEAL["share"],
    "wac": g.METRICS["wac"], "wa_remaining_term": ("WA remaining term", "加权平均剩余期限"),
    "wa_annual_pd": ("WA annual PD", "加权平均年违约概率"),
    "severity": ("Severity", "级别"), "row": ("Row", "行"), "column": ("Column", "列"),
    "reason": ("Reason", "原因"),
    # The waterfall inspector's tables (abs_tool.analysis.inspector): its columns, parts
    # and lines by their codes, as the app and the workbook name them.
    **{key.split(".", 1)[1]: label for key, label in g.INSPECTOR.items()
       if key.startswith(("col.", "part.", "item."))},
    "trigger": g.DEAL["triggers"], "level": g.METRICS["threshold"],
    "scheduled_principal": ("Scheduled principal", "正常还本"),
    "prepayment": g.METRICS["prepayment"], "fee_income": ("Fee income", "手续费收入"),
    "recovery": ("Recoveries", "违约回收"),
    # Static pools and stress tests.
    "vintage": g.DEAL["vintage"], "months_observed": ("Months observed", "已观察月数"),
    "observed_rate": ("Observed default rate", "已观察违约率"),
    "developed_share": ("Share developed", "已发展比例"),
    "chain_ladder_lifetime_rate": ("Lifetime rate (chain-ladder)", "累计违约率(链梯法)"),
    "chain_ladder_lifetime_rate_by_count": ("Lifetime rate by count (chain-ladder)",
                                            "按笔数累计违约率(链梯法)"),
    "fit_lifetime_rate": ("Lifetime rate (Weibull fit)", "累计违约率(威布尔拟合)"),
    "in_base_case": ("In the base case", "计入基准情景"),
    "scenario": g.DEAL["scenario"], "highest": ("Highest rating passed", "通过的最高评级"),
    "pass": ("pass", "通过"), "fail": ("FAIL", "未通过"),
    "tdr": g.METRICS["tdr"],
    # Cells.
    "senior": g.TIERS["senior"], "mezzanine": g.TIERS["mezzanine"],
    "subordinated": g.TIERS["subordinated"], "yes": ("yes", "是"), "no": ("no", "否"),
    # How a Monte Carlo drew defaults (abs_tool.engine.montecarlo, default_method).
    "exact": ("obligor by obligor", "逐户抽样"), "grouped": ("per PD group", "按违约概率分组抽样"),
    "error": g.SEVERITY["error"], "warning": g.SEVERITY["warning"],
    **g.SCENARIOS,
}

# The command line's sentences, with {placeholders} filled by already formatted values.
MESSAGES: dict[str, Label] = {
    "wrote": ("wrote {path}", "已写入 {path}"),
    "wrote_loans": ("wrote {loans} loans (balance {balance}) to {path}",
                    "已将 {loans} 笔资产(未偿本金 {balance})写入 {path}"),
    "tape_ok": ("OK: {loans} loans, balance {balance}", "通过:{loans} 笔资产,未偿本金 {balance}"),
    "tape_findings": ("{file}: {errors} error(s), {warnings} warning(s)",
                      "{file}:{errors} 个错误,{warnings} 个警告"),
    "wrote_findings": ("wrote {n} finding(s) to {path}", "已将 {n} 条检查结果写入 {path}"),
    "summary": ("Pool summary", "资产池概况"),
    "strat": ("By {column}", "按{column}分层"),
    "wrote_strats": ("wrote {n} stratification table(s) to {path}",
                     "已将 {n} 张分层表写入 {path}"),
    "wrote_periods": ("wrote {n} periods to {path}", "已将 {n} 期现金流写入 {path}"),
    "classes": ("Note classes", "证券档次"),
    "grid": ("Scenario grid", "情景网格"),
    "inspect_path": ("path {index} of paths 0 to {last} at the {quantile} quantile of the "
                     "lifetime pool loss: pool loss {loss} ({share} of the pool)",
                     "第 {index} 号路径(共 0 至 {last} 号),资产池累计损失的 {quantile} 分位:"
                     "损失 {loss}(占资产池 {share})"),
    "inspect_month": ("month {month}: the priority of payments",
                      "第 {month} 期:分配顺序明细"),
    "triggers": g.DEAL["triggers"],
    "wrote_inspection": ("wrote the steps, triggers and ledgers of month {month} to {path}",
                         "已将第 {month} 期的分配步骤、触发事件和台账写入 {path}"),
    "run": ("{deal}: {paths} paths, seed {seed}, {seconds} s",
            "{deal}:{paths} 条模拟路径,随机种子 {seed},用时 {seconds} 秒"),
    "importance": ("importance shift {shift}", "重要性抽样偏移 {shift}"),
    "default_method": ("defaults drawn: {method}", "违约抽样方式:{method}"),
    "pool_rate": ("pool lifetime default rate: mean {mean} (se {se}), 99.9% {q999}, "
                  "99.99% {q9999}",
                  "资产池累计违约率:均值 {mean}(标准误 {se}),99.9% 分位 {q999},"
                  "99.99% 分位 {q9999}"),
    "cost": ("cost of funds: WA coupon {coupon}, all-in {all_in}, benchmark {benchmark}, "
             "saving {saving}",
             "融资成本:加权平均票面利率 {coupon},综合融资成本 {all_in},基准融资利率 "
             "{benchmark},较基准节约 {saving}"),
    "batch_wrote": ("[{i}/{n}] wrote {path}", "[{i}/{n}] 已写入 {path}"),
    "structure": ("{deal}: {paths} paths, seed {seed}, criterion {criterion}, {evaluations} "
                  "structures evaluated in {seconds} s (simulation {simulation} s)",
                  "{deal}:{paths} 条模拟路径,随机种子 {seed},评级标准 {criterion},"
                  "评估 {evaluations} 个结构,用时 {seconds} 秒(模拟 {simulation} 秒)"),
    "structure_converged": ("sized and priced", "分层与定价已收敛"),
    "structure_not_converged": ("the sizing did not converge: see the rounds",
                                "分层与定价未收敛:见迭代过程"),
    "static_pool": ("{name}: {vintages} vintages, {months} months on book, {seasoned} "
                    "seasoned", "{name}:{vintages} 个放款月份,账龄 {months} 个月,"
                    "{seasoned} 个已充分观察"),
    "base_case": ("base-case lifetime default rate ({weighting}): {rate} over {n} vintages "
                  "(std {std}, range {low} to {high})",
                  "基准累计违约率({weighting}):{rate},基于 {n} 个放款月份(标准差 {std},"
                  "范围 {low} 至 {high})"),
    "weighting_balance": ("balance", "按本金加权"), "weighting_equal": ("equal", "等权"),
    "weighting_recent": ("recent", "近期加权"),
    "base_case_count": ("base-case lifetime default rate by count: {rate}",
                        "按笔数计的基准累计违约率:{rate}"),
    "weibull": ("Weibull timing fit: {rate} (scale {scale} months, shape {shape}, {tail} "
                "after month {months})",
                "威布尔违约时间拟合:{rate}(尺度 {scale} 个月,形状 {shape},"
                "第 {months} 个月后 {tail})"),
    "cpr": ("CPR by month on book: mean {rate}", "按账龄的年化早偿率:均值 {rate}"),
    "recovery": ("recovery: {rate} after {lag} months", "回收:{rate},滞后 {lag} 个月"),
    "correlation": ("implied asset correlation (a suggestion): {rho}, {low} to {high} at 90%",
                    "隐含资产相关系数(建议值):{rho},90% 区间 {low} 至 {high}"),
    "wrote_vintages": ("wrote {n} vintages, up to {months} months on book, to {path}",
                       "已将 {n} 个放款月份(账龄最长 {months} 个月)写入 {path}"),
    "stress_base": ("{deal}: base-case lifetime default rate {rate}",
                    "{deal}:基准累计违约率 {rate}"),
    "stress_mc": ("Monte Carlo TDR: {paths} paths, seed {seed}",
                  "蒙特卡洛模拟目标违约率:{paths} 条模拟路径,随机种子 {seed}"),
    "tdr_multiples": ("TDR = multiple x base rate ({label}): {pairs}",
                      "目标违约率 = 倍数 × 基准违约率({label}):{pairs}"),
    "tdr_monte_carlo": ("TDR: Monte Carlo quantile of the pool's lifetime default rate at each "
                        "rating's confidence, per class",
                        "目标违约率:各档次按评级置信水平取资产池累计违约率的蒙特卡洛分位数"),
    "indicative": ("indicative, editable", "参考值,可修改"),
    "as_given": ("as given", "用户设定"),
    "scenarios_indicative": ("scenarios: the indicative defaults (editable with --scenarios "
                             "FILE.json)", "情景:参考默认情景(可用 --scenarios 文件.json 修改)"),
    "bdr_bound": ("BDR+: no loss even at the largest multiplier tried; the BDR is a lower "
                  "bound", "临界违约率+:最大倍数下仍无损失,临界违约率为下限"),
    "highest": ("highest rating passed in every scenario: {ratings}",
                "所有情景均通过的最高评级:{ratings}"),
    "new_deal": ("{name}: {loans} loans, balance {balance} after the eligibility carried over "
                 "({ratio} x {old} of {like}); cut-off {cutoff}, legal final {final}",
                 "{name}:{loans} 笔资产,沿用合格标准后未偿本金 {balance}({like} 的 {old} 的 "
                 "{ratio} 倍);封包日 {cutoff},法定到期日 {final}"),
    "carried": ("carried over: note classes, {parts}", "沿用:证券档次,{parts}"),
    "nothing_else": ("nothing else", "无其他"),
    "scaled": ("scaled: {item} {field} {before} -> {after}",
               "已按比例调整:{item} {field} {before} → {after}"),
    "flagged": ("kept as set for the other pool: {item} {field} {before}",
                "保留原资产池的设定:{item} {field} {before}"),
    "cleared": ("cleared {part}: {items}", "已清除{part}:{items}"),
    "embedded": ("the tape is outside the deal file's folder: written into the deal file",
                 "资产清单不在交易文件所在文件夹内:已写入交易文件"),
    "deal_note": ("deal: {note}", "交易:{note}"),
    "note": ("note: {note}", "注:{note}"),
    "error": ("error: {message}", "错误:{message}"),
    "usage_hint": ("see {prog} --help", "用法见 {prog} --help"),
    "out_of_memory": ("out of memory: the machine could not hold this run; ask for fewer paths "
                      "or a shorter horizon, or lower {name} so that runs this large are "
                      "refused before they start (docs/limits.md)",
                      "内存不足:本机无法容纳这次运行;请减少模拟路径数或缩短期限,"
                      "或调低环境变量 {name},使如此大的运行在开始前即被拒绝"),
    "internal_error": ("internal error ({kind}): a bug in abs-tool, not a problem with the "
                       "input; rerun with --debug (or {name}=1) to see the traceback",
                       "内部错误({kind}):这是 abs-tool 的缺陷,而非输入的问题;"
                       "请加 --debug(或设 {name}=1)重新运行以查看调用栈"),
    "interrupted": ("interrupted", "已中断"),
    "progress": ("working", "计算中"),
}

# The new-deal command's parts (abs_tool.analysis.new_deal.Carry values).
PARTS: dict[str, Label] = {
    "structure": ("structure", "结构"), "fees": ("fees", "费用"),
    "triggers": ("triggers", "触发事件"), "eligibility": ("eligibility", "合格标准"),
    "dates": ("dates", "日期"),
}

Formats = Mapping[str, str | Sequence[str]]
"""A table's format kind by column (:func:`abs_tool.report.format.format_kind`, or
``"word"``: a code word translated by :func:`word`), or a list of kinds, one per row; a
column without one is text, shown as it is (a class name, a file's column name)."""


def word(value: object, lang: str) -> str:
    """A code word's text in ``lang``: one of :data:`WORDS` translated, a boolean as yes or
    no, anything else (a class name, a rating) as it is."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = str(value)
    return g.term(WORDS, text, lang) if text in WORDS else text


class Printer:
    """The command line's output in ``lang`` (amounts in ``money_unit`` in Chinese); with
    ``json_mode`` nothing but :meth:`json` prints to standard output.

    Parameters
    ----------
    lang
        ``"en"`` or ``"zh"``.
    money_unit
        ``"wan"`` or ``"yi"``: the unit of amounts in Chinese.
    json_mode
        Tables and sentences are not printed (``--json``).
    stdout, stderr
        Streams (default: the process's at construction).
    """

    def __init__(self, lang: str = "en", money_unit: str = fmt.DEFAULT_MONEY_UNIT,
                 json_mode: bool = False, stdout: IO[str] | None = None,
                 stderr: IO[str] | None = None) -> None:
        self.lang = lang
        self.money_unit = fmt.check_money_unit(money_unit)
        self.json_mode = json_mode
        out = stdout if stdout is not None else sys.stdout
        err = stderr if stderr is not None else sys.stderr
        self.out = _console(out)
        self.err = _console(err)

    def text(self, key: str, **values: object) -> str:
        """The sentence ``key`` of :data:`MESSAGES` in this language, filled."""
        return g.term(MESSAGES, key, self.lang).format(**values)

    def figure(self, value: object, kind: str) -> str:
        """``value`` written as format ``kind`` in this language."""
        return fmt.format_kind(value, kind, self.lang, self.money_unit)

    def say(self, key: str, **values: object) -> None:
        """Print the sentence ``key`` (not in JSON mode)."""
        if not self.json_mode:
            self.out.print(Text(self.text(key, **values)))

    def error(self, message: str) -> None:
        """An error message on standard error (in JSON mode too)."""
        self.err.print(Text(self.text("error", message=message)))

    def table(self, frame: pd.DataFrame, formats: Formats | None = None,
              title: str | None = None) -> None:
        """Print ``frame`` as an aligned table (not in JSON mode): headers from
        :data:`WORDS` (a header not there is shown as it is: a class name, or a header
        already in this language), every number written by its format kind (:data:`Formats`),
        booleans as yes or no. ``formats`` default: ``frame.attrs["formats"]``."""
        if self.json_mode:
            return
        kinds = formats if formats is not None else frame.attrs.get("formats", {})
        table = Table(title=None if title is None else Text(title), box=box.SIMPLE_HEAD,
                      title_justify="left", pad_edge=False, show_edge=False)
        for name in frame.columns:
            kind = kinds.get(name)
            table.add_column(Text(word(name, self.lang)), no_wrap=True,
                             justify="left" if kind in _TEXT_KINDS else "right")
        for i, row in enumerate(frame.itertuples(index=False)):
            cells = []
            for name, value in zip(frame.columns, row, strict=True):
                given = kinds.get(name)
                kind = given if given is None or isinstance(given, str) else given[i]
                cells.append(Text(
                    fmt.MISSING if fmt.is_missing(value)
                    else word(value, self.lang) if kind == "word" or isinstance(value, bool)
                    else str(value) if kind in _TEXT_KINDS else self.figure(value, str(kind))))
            table.add_row(*cells)
        if self.out.is_terminal:
            self.out.print(table)
            return
        # Plain text: no padding after the last character of a line.
        with self.out.capture() as captured:
            self.out.print(table)
        self.out.file.write("\n".join(line.rstrip() for line in
                                       captured.get().splitlines()) + "\n")

    def json(self, data: object) -> None:
        """Print ``data`` as JSON (what ``--json`` asks for; in any mode)."""
        self.out.file.write(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
                            + "\n")

    @contextmanager
    def progress(self, enabled: bool = True) -> Iterator[Callable[..., None] | None]:
        """A progress display on standard error while the block runs, when ``enabled`` and
        standard error is a terminal: yields ``update(done, total=None, what="")`` (a
        ``total`` gives the bar and the time left; without one, a spinner and the time
        spent), else None."""
        if not (enabled and self.err.is_terminal):
            yield None
            return
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(self.text("progress"), total=None)

            def update(done: int, total: int | None = None, what: str = "") -> None:
                bar.update(task, completed=done, total=total,
                           description=what or self.text("progress"))

            yield update


_TEXT_KINDS = (None, "text", "date", "word")


def _console(stream: IO[str]) -> Console:
    """A rich console writing ``stream``: plain text, no markup or highlighting of the
    data, as wide as it needs when ``stream`` is not a terminal."""
    terminal = stream.isatty()
    return Console(file=stream, markup=False, highlight=False, emoji=False,
                   width=None if terminal else PLAIN_WIDTH, soft_wrap=not terminal)


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """``frame``'s rows as JSON data (NaN as null)."""
    data: list[dict[str, object]] = json.loads(frame.to_json(orient="records"))
    return data
