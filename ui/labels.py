"""Every user-visible label of the app, in English and Chinese.

One table per concept, each ``{key: (english, chinese)}``; :data:`LABELS` joins them (keys are
unique across tables, which a test checks, with matching ``{placeholders}`` in both
languages). Pages call :func:`t` with a literal key, or :func:`column` / :func:`columns` for
table headers; a test checks that every key used under ``ui/`` exists.

Concept terms (tiers, metrics, tape columns, units) are the library's glossary's
(:mod:`abs_tool.glossary`), so that a term reads the same in the app, the workbook and the
validation reports. Summary figure names come from the library's own bilingual table
(:data:`abs_tool.analysis.pool_stats.SUMMARY_LABELS`), read through :func:`summary_label`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st

from abs_tool import glossary as g
from abs_tool.analysis.pool_stats import LANGS, SUMMARY_LABELS
from abs_tool.io.samples import display_name

LANG_KEY = "lang"
DEFAULT_LANG = "en"
LANG_NAMES: dict[str, str] = {"en": "English", "zh": "中文"}
MONEY_UNIT_KEY = "money_unit"
"""Session key of the Chinese money unit (万元 or 亿元), chosen in the sidebar."""
DEFAULT_MONEY_UNIT = "wan"

Label = tuple[str, str]

APP: dict[str, Label] = {
    "app.language": ("Language / 语言", "Language / 语言"),
    "app.money_unit": ("Amounts in Chinese", "金额单位"),
    "money_unit.wan": g.UNITS["wan"],
    "money_unit.yi": g.UNITS["yi"],
    "app.internal_error": (
        "Something went wrong inside the tool (reference {reference}); nothing you entered "
        "was lost. Please report the reference: the details are in the server's log.",
        "工具内部出错(编号 {reference});您输入的内容均未丢失。请报告该编号,"
        "详细信息已记录在服务器日志中。",
    ),
    "nav.pool": g.DEAL["pool"],
    "nav.assumptions": g.DEAL["assumptions"],
    "nav.structure": ("Structure", "交易结构"),
    "nav.results": ("Results", "结果"),
    "nav.structuring": g.DEAL["structuring"],
    "nav.cashflows": g.DEAL["cash_flows"],
    "nav.export": ("Export", "导出"),
    "currency": g.UNITS["yuan"],
    "unit.months": g.UNITS["months"],
    "unit.years": g.UNITS["years"],
}

# The sidebar's field that sends runs to a Dask cluster (issue 19).
DASK_SIDEBAR: dict[str, Label] = {
    "dask.on": ("Run on a Dask cluster", "在 Dask 集群上运行"),
    "dask.help": (
        "Off: the Monte Carlo and the sizing runs use this machine's threads. On: they run "
        "on the cluster named below. The numbers are the same either way.",
        "关闭:蒙特卡洛模拟与结构设计在本机线程上运行。开启:在下方指定的集群上运行。"
        "两种方式结果完全相同。",
    ),
    "dask.address": ("Scheduler address", "调度器地址"),
    "dask.address_help": (
        "tcp://HOST:8786 for a running scheduler, or local:N to start N worker processes "
        "on this machine.",
        "tcp://主机:8786(已运行的调度器),或 local:N(在本机启动 N 个工作进程)。",
    ),
    "dask.connected": (
        "Runs execute on the Dask cluster at {address} ({workers} workers).",
        "运行将在 {address} 的 Dask 集群上执行({workers} 个工作进程)。",
    ),
    "dask.threads": ("Runs execute on this machine's threads.", "运行将在本机线程上执行。"),
    "dask.bad_spec": (
        "Expected a scheduler address tcp://HOST:8786, or local:N with N from 1 to {max} "
        "worker processes.",
        "地址格式应为 tcp://主机:8786(调度器地址),或 local:N(N 为 1 至 {max} 个工作进程)。",
    ),
    "dask.missing": (
        "Running on a Dask cluster needs the optional Dask extra, which is not installed: "
        "{command}",
        "在 Dask 集群上运行需要安装可选的 Dask 组件(尚未安装):{command}",
    ),
    "dask.failed": (
        "The Dask cluster cannot be used; runs stay on this machine. {detail}",
        "无法使用 Dask 集群,运行仍在本机进行。详细信息(英文):{detail}",
    ),
    "dask.retry": ("Try again", "重试"),
}

POOL_PAGE: dict[str, Label] = {
    "pool.title": ("Loan pool", "基础资产池"),
    "pool.source": ("Pool source", "资产池来源"),
    "source.deal": ("The deal's pool", "交易设定的资产池"),
    "source.consumer": ("Sample: consumer (白条-like)", "样例:消费分期(白条类)"),
    "source.factoring": ("Sample: factoring (京保贝-like)", "样例:保理应收账款(京保贝类)"),
    "source.upload": ("Upload tape", "上传资产清单"),
    "pool.name": ("Pool: {name}", "资产池:{name}"),
    "tape.upload": ("Loan tape (CSV or XLSX)", "资产清单(CSV 或 XLSX)"),
    "upload.help": (
        "Drop a file on the box below, or press its button to choose one.",
        "将文件拖放到下方框内,或点击框内按钮选择文件(框内提示文字由 Streamlit 提供,只有英文)。",
    ),
    "tape.sheet": ("Sheet name (XLSX)", "工作表名称(XLSX)"),
    "tape.sheet_help": (
        "Empty: the first sheet of the workbook.", "留空:读取工作簿的第一个工作表。"
    ),
    "tape.rate_unit": ("Rates in the tape", "清单中的利率单位"),
    "rate_unit.decimal": ("decimal (0.051)", "小数(0.051)"),
    "rate_unit.percent": ("percent (5.1)", "百分数(5.1)"),
    "tape.waiting": (
        "Upload a loan tape to use it as the pool: CSV or XLSX, one row per loan, with the "
        "columns loan_id, balance (current principal), rate (annual decimal, 0.051) and "
        "remaining_term (months); Chinese headers such as 贷款编号, 剩余本金, 年利率, 剩余期限 "
        "are accepted. Every problem is listed by row and column.",
        "请上传资产清单作为资产池:CSV 或 XLSX 文件,每行一笔资产,须含资产编号、未偿本金、"
        "利率(年化小数,如 0.051)、剩余期限(月)四列;表头可用中文(贷款编号、剩余本金、年利率、"
        "剩余期限等)。所有问题均按行和列列出。",
    ),
    "tape.kept": (
        "Showing the tape uploaded before: {file}", "显示此前上传的资产清单:{file}"
    ),
    "tape.not_loaded": (
        "{file}: the tape was not loaded: {errors} error(s), {warnings} warning(s). "
        "Fix the rows listed below and upload it again.",
        "{file}:资产清单未载入,{errors} 个错误,{warnings} 个警告。"
        "请修正下表所列的行后重新上传。",
    ),
    "tape.loaded": ("{file}: {loans} loans loaded.", "{file}:已载入 {loans} 笔资产。"),
    "tape.warnings": (
        "{warnings} warning(s): defaults were filled in or columns ignored; see the table.",
        "{warnings} 个警告:已填入默认值或忽略了部分列,详见下表。",
    ),
    "tape.report": ("Validation report", "校验报告"),
    "pool.deal_source": (
        "The pool as the deal file {deal} sets it: source, scaling, eligibility criteria and "
        "concentration limits. Choose a sample or upload a tape to set your own.",
        "交易文件 {deal} 设定的资产池(来源、规模缩放、合格标准与集中度限制)。"
        "如需自定义,请选择样例或上传资产清单。",
    ),
    "pool.deal_rules": ("The deal file's eligibility rules", "交易文件的合格标准"),
    "pool.deal_failed": (
        "The deal's pool cannot be loaded; choose a sample or upload a tape above.",
        "无法载入交易设定的资产池;请在上方选择样例或上传资产清单。",
    ),
    "pool.summary": ("Summary", "资产池概况"),
    "pool.summary_table": ("All summary figures", "全部概况指标"),
    "strat.title": ("Stratification", "资产池分层"),
    "strat.column": ("Stratify by", "分层维度"),
    "strat.chart_title": ("Share of balance by bucket", "各层本金占比"),
    "strat.chart_top": (
        "The chart shows the {n} largest of {total} buckets; the table lists them all.",
        "图中显示 {total} 层中最大的 {n} 层;表格列出全部。",
    ),
    "elig.title": ("Eligibility criteria and concentration limits", "合格标准与集中度限制"),
    "elig.help": (
        "Empty fields set no limit. Rates and shares are decimals (0.08 = 8%).",
        "留空表示不设限制。利率与占比为小数(0.08 = 8%)。",
    ),
    "elig.apply": ("Apply", "应用"),
    "elig.any": ("Any (no limit)", "不限"),
    "elig.loans_before": ("Loans before", "筛选前笔数"),
    "elig.loans_after": ("Loans after", "筛选后笔数"),
    "elig.balance_before": ("Balance before", "筛选前本金"),
    "elig.balance_after": ("Balance after", "筛选后本金"),
    "elig.report": ("Exclusions by rule", "各规则剔除情况"),
    "elig.excluded": ("Excluded loans ({n})", "被剔除的资产({n} 笔)"),
}

# Eligibility rule names: the fields of EligibilityCriteria and ConcentrationLimits. They
# label the form and translate the `rule` column of the exclusion report.
ELIGIBILITY_RULES: dict[str, Label] = {
    "rule.min_balance": ("Minimum balance", "最低未偿本金"),
    "rule.max_balance": ("Maximum balance", "最高未偿本金"),
    "rule.min_rate": ("Minimum rate", "最低利率"),
    "rule.max_rate": ("Maximum rate", "最高利率"),
    "rule.min_remaining_term_months": ("Minimum remaining term (months)", "最短剩余期限(月)"),
    "rule.max_remaining_term_months": ("Maximum remaining term (months)", "最长剩余期限(月)"),
    "rule.min_seasoning_months": ("Minimum seasoning (months)", "最短账龄(月)"),
    "rule.max_seasoning_months": ("Maximum seasoning (months)", "最长账龄(月)"),
    "rule.allowed_amortization": ("Allowed repayment types", "允许的还款方式"),
    "rule.allowed_grades": ("Allowed grades", "允许的信用等级"),
    "rule.allowed_regions": ("Allowed regions", "允许的地区"),
    "rule.allowed_industries": ("Allowed industries", "允许的行业"),
    "rule.excluded_obligors": ("Excluded obligors", "排除的借款人"),
    "rule.max_obligor_share": ("Maximum share of one obligor", "单一借款人最高占比"),
    "rule.max_region_share": ("Maximum share of one region", "单一地区最高占比"),
    "rule.max_industry_share": ("Maximum share of one industry", "单一行业最高占比"),
}

# Loan-tape columns (abs_tool.model.columns.ALL_COLUMNS): the stratification choices.
POOL_COLUMNS: dict[str, Label] = {
    "col.loan_id": g.FIELDS["loan_id"],
    "col.balance": g.FIELDS["balance"],
    "col.rate": g.FIELDS["rate"],
    "col.remaining_term": g.FIELDS["remaining_term"],
    "col.amortization": g.FIELDS["amortization"],
    "col.original_balance": g.FIELDS["original_balance"],
    "col.original_term": g.FIELDS["original_term"],
    "col.seasoning": g.FIELDS["seasoning"],
    "col.annual_pd": g.FIELDS["annual_pd"],
    "col.lgd": g.FIELDS["lgd"],
    "col.grade": g.FIELDS["grade"],
    "col.obligor_id": g.FIELDS["obligor_id"],
    "col.region": g.FIELDS["region"],
    "col.industry": g.FIELDS["industry"],
    "col.score": g.FIELDS["score"],
}

# Static-pool file columns (abs_tool.io.static_pool): the column of a finding in its report.
STATIC_POOL_COLUMNS: dict[str, Label] = {
    "col.vintage": g.DEAL["vintage"],
    "col.months_on_book": g.DEAL["months_on_book"],
    "col.original_count": ("Loans lent", "放款笔数"),
    "col.cumulative_default_balance": ("Cumulative default balance", "累计违约金额"),
    "col.cumulative_default_count": ("Cumulative defaulted loans", "累计违约笔数"),
    "col.cumulative_prepaid_balance": ("Cumulative prepaid balance", "累计早偿金额"),
    "col.cumulative_recovery_balance": ("Cumulative recoveries", "累计回收金额"),
    "col.outstanding_balance": ("Outstanding balance", "期末未偿本金"),
    "col.default_month": g.FIELDS["default_month"],
    "col.default_balance": ("Defaulted balance", "违约金额"),
    "col.recovery_month": ("Recovery month", "回收月份"),
    "col.recovery_balance": ("Recovered amount", "回收金额"),
}

# Headers of the tables the pool page shows (keys: the library's column names).
POOL_TABLES: dict[str, Label] = {
    "summary.label": g.DEAL["figure"],
    "summary.value": g.DEAL["value"],
    "summary.unit": g.DEAL["unit"],
    "strat.bucket": g.DEAL["bucket"],
    "strat.count": g.DEAL["loans"],
    "strat.balance": g.DEAL["balance"],
    "strat.share": g.DEAL["share_of_balance"],
    "strat.wac": g.METRICS["wa_rate"],
    "strat.wa_remaining_term": ("WA remaining term (months)", "加权平均剩余期限(月)"),
    "strat.wa_annual_pd": ("WA annual PD", "加权平均年违约概率"),
    "issue.severity": ("Severity", "级别"),
    "issue.row": ("Row", "行号"),
    "issue.column": ("Column", "列"),
    "issue.value": g.DEAL["value"],
    "issue.reason": ("Reason", "原因"),
    "severity.error": g.SEVERITY["error"],
    "severity.warning": g.SEVERITY["warning"],
    "report.rule": ("Rule", "规则"),
    "report.condition": ("Condition", "条件"),
    "report.loans_removed": ("Loans removed", "剔除笔数"),
    "report.balance_removed": ("Balance removed", "剔除本金"),
    "report.share_removed": ("Share removed", "剔除占比"),
    "excluded.loan_id": g.FIELDS["loan_id"],
    "excluded.obligor_id": g.FIELDS["obligor_id"],
    "excluded.balance": g.FIELDS["balance"],
    "excluded.rule": ("Rule", "规则"),
    "excluded.round": ("Concentration round", "集中度轮次"),
}

CASHFLOW_PAGE: dict[str, Label] = {
    "cf.title": g.DEAL["cash_flows"],
    "deal.consumer": ("Consumer instalment ABS (白条-like)", "消费分期资产支持证券(白条类)"),
    "deal.factoring": ("Supply-chain factoring ABS (京保贝-like)",
                       "供应链保理资产支持证券(京保贝类)"),
    "cf.deal_caption": (
        "{deal}: {loans} loans, pool balance {balance}.",
        "{deal}:{loans} 笔资产,资产池本金 {balance}。",
    ),
    "cf.scenario": ("Deterministic scenario", "确定性情景"),
    "cf.scenario_help": (
        "Empty fields keep the deal's assumption (shown in grey). Rates are decimals.",
        "留空则沿用交易假设(灰色显示)。利率为小数。",
    ),
    "cf.cdr_on": ("Flat CDR instead of the deal's defaults", "以固定年化违约率替代违约假设"),
    "cf.cdr": ("CDR (annual)", "年化违约率"),
    "cf.cpr": ("CPR (annual)", "年化早偿率"),
    "cf.recovery": g.METRICS["recovery_rate"],
    "cf.lag": g.METRICS["recovery_lag"],
    "cf.multiplier": g.METRICS["default_multiplier"],
    "cf.deal_value": ("deal: {value}", "交易假设:{value}"),
    "cf.classes": g.DEAL["classes"],
    "cf.bdr_help": (
        "BDR: lifetime pool default rate at which the class starts to lose, under the deal's "
        "default assumption stressed by a multiplier; unticked 'reached' means it never loses "
        "and the rate is a lower bound.",
        "临界违约率:在交易违约假设按倍数加压下,该档次开始出现损失时的资产池累计违约率;"
        "未勾选'达到'表示始终无损失,所示比率为下限。",
    ),
    "cf.balances_chart": ("Class balances", "各档次未偿余额"),
    "cf.collections_chart": ("Pool collections", "资产池回收款"),
    "cf.periods": ("Period tables", "分期明细"),
    "cf.tab_pool": g.DEAL["pool"],
    "cf.tab_fees": ("Fees", "费用"),
    "cf.tab_reserve": ("Reserve", "储备账户"),
    "cf.tab_triggers": g.DEAL["triggers"],
    "cf.no_triggers": ("This deal has no triggers.", "该交易未设触发事件。"),
    "cf.series": ("Series", "项目"),
    "cf.amount": g.DEAL["amount"],
    "tier.senior": g.TIERS["senior"],
    "tier.mezzanine": g.TIERS["mezzanine"],
    "tier.subordinated": g.TIERS["subordinated"],
    "opt.size_unit.share": ("share of the pool", "占资产池比例"),
    "opt.size_unit.amount": ("amount", "金额"),
    "opt.metric.cumulative_default_rate": ("cumulative default rate", "累计违约率"),
    "opt.metric.reserve_shortfall": ("reserve shortfall", "储备金缺口"),
    "opt.metric.principal_deficiency": ("principal deficiency", "本金亏损"),
    "opt.action.sequential": ("switch to sequential", "转为顺序偿付"),
    "opt.action.end_revolving": ("end the revolving period", "终止循环购买"),
    "opt.action.accelerate": ("accelerate", "加速清偿"),
}

# The cumulative default rate against the triggers' levels by month (ui.charts), on the Cash
# flows and Results pages.
DEFAULT_CHART: dict[str, Label] = {
    "dc.title": ("Cumulative default rate against trigger levels",
                 "累计违约率与触发事件阈值"),
    "dc.rate": g.METRICS["cumulative_default_rate"],
    "dc.level": g.METRICS["threshold"],
    "dc.scenario": g.DEAL["scenario"],
    "dc.trigger": g.DEAL["trigger"],
    "dc.breach_month": ("First month breached", "首次触发月份"),
    "dc.help": (
        "Dashed steps: the thresholds of the triggers on the cumulative default rate, month "
        "by month. Diamonds: the month a trigger (on any measure) is first breached; its "
        "action takes effect from the next month. Charts end in the month the deal ends.",
        "虚线阶梯:以累计违约率为指标的触发事件各期阈值。菱形:触发事件(任一指标)首次触发的"
        "月份,其后果自下一期起生效。图表截至交易结束当月。",
    ),
    "dc.results_help": (
        "The Monte Carlo keeps each path's lifetime figures, not its months: the chart shows "
        "the two deterministic scenarios above.",
        "蒙特卡洛模拟只保留各路径的存续期汇总数据,不保留逐月数据:本图显示上述两个确定性情景。",
    ),
}

# Class table headers (abs_tool.report.tables.class_table columns shown).
CLASS_TABLE: dict[str, Label] = {
    "ct.class": g.DEAL["class"],
    "ct.tier": g.DEAL["tier"],
    "ct.original_balance": g.DEAL["class_amount"],
    "ct.coupon": g.DEAL["coupon"],
    "ct.wal_years": g.METRICS["wal_years"],
    "ct.yield": g.METRICS["yield"],
    "ct.principal_loss": g.METRICS["principal_loss"],
    "ct.loss_pv": g.METRICS["loss_pv"],
    "ct.dirr_bp": g.METRICS["dirr_bp"],
    "ct.bdr": g.METRICS["bdr"],
    "ct.bdr_reached": ("BDR reached", "达到临界违约率"),
}

# Period-table headers (abs_tool.report.tables.cashflow_tables: pool, class and reserve tables).
CASHFLOW_COLUMNS: dict[str, Label] = {
    "cfc.period": g.DEAL["period"],
    "cfc.date": g.DEAL["date"],
    "cfc.accrual_days": ("Accrual days", "计息天数"),
    "cfc.balance_open": ("Opening balance", "期初余额"),
    "cfc.interest": ("Interest", "利息"),
    "cfc.scheduled_principal": ("Scheduled principal", "正常还本"),
    "cfc.prepayment": g.METRICS["prepayment"],
    "cfc.default": ("Defaults", "违约金额"),
    "cfc.recovery": ("Recoveries", "违约回收"),
    "cfc.loss": ("Losses", "损失"),
    "cfc.fee_income": ("Fee income", "手续费收入"),
    "cfc.balance_close": ("Closing balance", "期末余额"),
    "cfc.purchases": ("Revolving purchases", "循环购买"),
    "cfc.call_proceeds": ("Clean-up call proceeds", "清仓回购款"),
    "cfc.collections": ("Collections", "回收款合计"),
    "cfc.cumulative_default_rate": g.METRICS["cumulative_default_rate"],
    "cfc.revolving": g.DEAL["revolving"],
    "cfc.accelerated": ("Accelerated", "加速清偿"),
    "cfc.interest_due": ("Interest due", "应付利息"),
    "cfc.interest_paid": ("Interest paid", "实付利息"),
    "cfc.interest_shortfall": ("Interest shortfall", "利息缺口"),
    "cfc.principal_paid": ("Principal paid", "偿还本金"),
    "cfc.writedown": ("Write-down", "本金减记"),
    "cfc.residual": g.DEAL["residual"],
    "cfc.target": ("Target balance", "目标余额"),
    "cfc.fee_paid": ("paid", "已付"),
    "cfc.fee_unpaid": ("unpaid", "未付"),
    "cfc.trigger_value": ("measured value", "指标值"),
    "cfc.breached": ("breached", "已触发"),
    "cfc.held_open": ("Collections held, opening", "留存回收款(期初)"),
    "cfc.held_close": ("Collections held to the payment date", "留存至兑付日的回收款"),
}

# Period-table lines of the waterfall options (issue 16: principal due, reinstatements, target
# balances, floating coupons and the step-up, liquidity support; glossary.PERIOD_LINES) and
# the liquidity support's tabs.
CASHFLOW_OPTION_COLUMNS: dict[str, Label] = {
    **{f"cfc.{key}": label for key, label in g.PERIOD_LINES.items()},
    "cf.tab_liquidity": g.DEAL["liquidity_reserve"],
    "cf.tab_advance": g.DEAL["servicer_advance"],
}


# Cash flows page: the default schedule upload and the waterfall inspector
# (abs_tool.io.default_schedule, abs_tool.analysis.inspector: codes of its tables).
INSPECTOR_PAGE: dict[str, Label] = {
    "cf.schedule_upload": ("Default schedule (optional)", "违约清单(可选)"),
    "cf.schedule_help": (
        "A CSV/XLSX file with one row per loan that defaults: loan_id, default_month and "
        "optionally recovery_rate. The other loans follow the scenario (flat CDR 0: none).",
        "CSV/XLSX 文件,每笔违约资产一行:资产编号、违约月份,可选回收率。"
        "其余资产按情景假设(固定年化违约率为 0 则不违约)。",
    ),
    "cf.schedule_loaded": (
        "{file}: {loans} loans default as scheduled.",
        "{file}:{loans} 笔资产按清单违约。",
    ),
    "cf.schedule_rejected": (
        "{file} was not used: {errors} error(s). The scenario runs without it.",
        "{file} 未采用:{errors} 个错误。情景不含该清单。",
    ),
    "insp.title": ("Waterfall inspector", "分配顺序明细"),
    "insp.help": (
        "One month of this scenario, step by step in the priority of payments. The "
        "principal due is the engine's own figure; a breach acts from the next month.",
        "本情景某一期按分配顺序逐项列示。应付本金为模型当期计算值;触发事件自下一期起生效。",
    ),
    "insp.month": g.DEAL["period"],
    "insp.steps": ("Priority of payments", "分配顺序"),
    "insp.triggers": g.DEAL["triggers"],
    "insp.ledgers": ("Accounts and ledgers", "账户与台账"),
    "insp.csv": ("Download (.csv)", "下载(逗号分隔文本)"),
    "insp.xlsx": ("Download (.xlsx)", "下载(.xlsx)"),
    **{f"insp.{key}": label for key, label in g.INSPECTOR.items()
       if key.startswith(("col.", "part.", "item."))},
    "insp.col.trigger": g.DEAL["triggers"],
    "insp.col.level": g.METRICS["threshold"],
    "col.recovery_rate": g.FIELDS["recovery_rate"],
}

# Cash flows page: the inspector's Monte Carlo path (abs_tool.analysis.inspector.monte_carlo_path)
# and the dated accrual of the period tables (abs_tool.model.dates).
INSPECTOR_PATHS: dict[str, Label] = {
    "insp.source": ("Inspect", "查看对象"),
    "insp.source.page": ("This page's scenario", "本页情景"),
    "insp.source.quantile": ("A Monte Carlo path, by its pool loss quantile",
                             "按资产池损失分位数选取的蒙特卡洛模拟路径"),
    "insp.quantile": ("Pool loss quantile (%)", "资产池损失分位数(%)"),
    "insp.quantile_help": (
        "The path of the deal's Monte Carlo (its paths and seed) at this quantile of the "
        "lifetime pool loss: 50 is the median path, 99.9 a tail path. The scenario inputs "
        "above do not apply to it.",
        "交易蒙特卡洛模拟(按其模拟路径数与随机种子)中存续期资产池损失处于该分位数的路径:"
        "50 为中位路径,99.9 为尾部路径。上方情景输入不适用。",
    ),
    "insp.picked": (
        "Path no. {path} (of paths 0 to {last}) at the {quantile} quantile: lifetime pool "
        "loss {loss}, {rate} of the pool.",
        "第 {path} 号路径(编号 0 至 {last}),处于 {quantile} 分位数:存续期资产池损失 "
        "{loss},占资产池 {rate}。",
    ),
    "cf.dated": (
        "Dates paid: {convention}; coupons accrue {day_count} over each period's days "
        "(the accrual days of the pool table).",
        "兑付日:{convention};票息按{day_count}逐期计息(见资产池表的计息天数)。",
    ),
    "cf.provisional": (
        "The official holiday calendar of {years} is not published yet: only weekends were "
        "taken as holidays, so dates paid in those years may still move.",
        "{years} 年的法定节假日安排尚未公布:仅将周末视为节假日,这些年份的兑付日仍可能调整。",
    ),
}

# Sidebar: which deal is loaded.
DEAL_PANEL: dict[str, Label] = {
    "deal.title": g.DEAL["deal"],
    "deal.loaded": ("Loaded: {name}", "当前交易:{name}"),
    "deal.sample": ("Sample deal", "样例交易"),
    "deal.load_sample": ("Load sample deal", "载入样例交易"),
    "deal.load_help": (
        "Replaces every input (pool, assumptions, structure) with the sample deal's.",
        "以样例交易替换全部输入(资产池、假设、交易结构)。",
    ),
    "deal.sample_loaded": ("Sample deal loaded.", "已载入样例交易。"),
    "deal.upload": ("Deal file (JSON)", "交易文件(JSON)"),
    "deal.upload_help": (
        "Restores every input. The file may hold the tape (embedded_csv) or name a sample; "
        "it cannot read files on the server (upload a tape on the Pool page instead).",
        "恢复全部输入。文件可内嵌资产清单(embedded_csv)或指定样例;不能读取服务器上的文件"
        "(请在资产池页面上传资产清单)。",
    ),
    "deal.upload_loaded": ("{file} loaded.", "已载入 {file}。"),
}

ASSUMPTIONS_PAGE: dict[str, Label] = {
    "as.title": g.DEAL["assumptions"],
    "as.defaults": ("Default", "违约"),
    "as.default_kind": ("Default assumption", "违约假设"),
    "default_kind.annual_pd": ("Annual PD by loan / grade", "按资产/等级的年违约概率"),
    "default_kind.cdr": ("CDR vector", "年化违约率向量"),
    "default_kind.lifetime": ("Lifetime default + timing curve", "累计违约率 + 违约时间分布"),
    "as.pd_help": (
        "Each loan takes the PD of its grade where one is entered, else its own annual PD "
        "from the tape (the tape's balance-weighted PD by grade is shown for reference).",
        "已填写等级违约概率的,资产按其等级取值;否则使用资产清单中的年违约概率"
        "(表中列示清单按本金加权的各等级违约概率,供参考)。",
    ),
    "pdt.grade": g.FIELDS["grade"],
    "pdt.tape_pd": ("Tape PD (weighted)", "清单违约概率(加权)"),
    "pdt.annual_pd": ("Annual PD (empty: tape)", "年违约概率(留空:用清单)"),
    "as.pd_multiplier": g.METRICS["pd_multiplier"],
    "as.pd_multiplier_help": ("Scales every PD (a stress).", "所有违约概率乘以此倍数(压力)。"),
    "as.cdr": ("CDR by year (annual, last value repeats)", "各年违约率(年化,末值延续)"),
    "as.vector_help": (
        "Decimals separated by commas, e.g. 0.05, 0.04; the last value repeats.",
        "以逗号分隔的小数,如 0.05, 0.04;末值延续。",
    ),
    "as.lifetime_rate": ("Lifetime cumulative default rate", "累计违约率"),
    "as.timing": ("Timing curve (share of defaults by month)", "违约时间分布(各月占比)"),
    "as.timing_help": (
        "Shares of lifetime defaults in months 1, 2, ...; they must sum to 1.",
        "累计违约在第 1、2……月的占比,合计须为 1。",
    ),
    "as.credit": ("Correlation and copula", "相关性与连接函数"),
    "as.correlation": g.METRICS["asset_correlation"],
    "as.correlation_help": (
        "Weight of the common factor in each loan's latent variable (one-factor copula).",
        "单因子连接函数 中共同因子的权重。",
    ),
    "as.copula": g.METRICS["copula"],
    "copula.gaussian": ("Gaussian", "高斯"),
    "copula.student_t": ("Student t", "t 分布"),
    "as.t_dof": ("Degrees of freedom", "自由度"),
    "as.cash": ("Prepayment and recovery", "早偿与回收"),
    "as.cpr": ("CPR by year (annual, last value repeats)", "各年早偿率(年化,末值延续)"),
    "as.recovery": g.METRICS["recovery_rate"],
    "as.lag": g.METRICS["recovery_lag"],
    "as.recovery_tape": ("Use the tape's loan-level LGD", "采用资产清单中的逐笔违约损失率"),
    "as.recovery_tape_help": (
        "A loan with an LGD on the tape recovers 1 - LGD of its defaulted balance; the "
        "recovery rate above applies to the loans without one. Untick to ignore the tape's "
        "LGD and apply the recovery rate to every loan.",
        "资产清单给出违约损失率的贷款按 1 -违约损失率回收,其余贷款按上方回收率回收。"
        "取消勾选则忽略清单中的违约损失率,所有贷款均按回收率回收。",
    ),
    "as.recovery_tape_used": (
        "The tape gives an LGD for {share} of the pool balance (balance-weighted LGD {lgd}): "
        "those loans recover 1 - LGD, the rest the recovery rate above.",
        "资产清单为资产池余额的 {share} 给出了违约损失率(余额加权违约损失率 {lgd}):"
        "这些贷款按 1 - 违约损失率 "
        "回收,其余按上方回收率回收。",
    ),
    "as.recovery_tape_ignored": (
        "The tape gives an LGD for {share} of the pool balance; it is ignored: every loan "
        "recovers the recovery rate above.",
        "资产清单为资产池余额的 {share} 给出了违约损失率;现已忽略:所有贷款均按上方回收率回收。",
    ),
    "as.recovery_tape_none": (
        "The tape gives no LGD: every loan recovers the recovery rate above.",
        "资产清单未给出违约损失率:所有贷款均按上方回收率回收。",
    ),
    "as.run": g.METRICS["monte_carlo"],
    "as.paths": g.METRICS["paths"],
    "as.paths_help": (
        "The sample deals open at 10,000 paths for a quick answer; more paths give smaller "
        "standard errors and take longer (the run can be cancelled).",
        "样例交易默认 10,000 条路径以便快速出结果;路径越多标准误越小、耗时越长(可取消)。",
    ),
    "as.seed": g.METRICS["seed"],
    "as.importance_sampling": g.METRICS["importance_sampling"],
    "as.importance_help": (
        "Shifts the common factor towards bad states, so that senior-class losses are "
        "sampled often; the estimates stay unbiased.",
        "将共同因子向不利状态平移,使优先级损失更常被抽到;估计保持无偏。",
    ),
}

STRUCTURE_PAGE: dict[str, Label] = {
    "st.title": ("Structure", "交易结构"),
    "st.classes": g.DEAL["classes"],
    "st.classes_help": (
        "Senior first, the subordinated class last. Sizes are shares of the pool (0.75) or "
        "amounts; coupons are annual decimals. Add or delete rows at the table's edge.",
        "按优先顺序排列,次级置于最后。规模为资产池占比(0.75)或金额;票面利率为年化小数。"
        "可在表格边缘增删行。",
    ),
    "cls.name": g.DEAL["class"],
    "cls.tier": g.DEAL["tier"],
    "cls.size": ("Size", "规模"),
    "cls.size_unit": ("Size unit", "规模单位"),
    "cls.coupon_annual": g.DEAL["coupon"],
    "cls.payment_frequency_months": ("Pay every (months)", "付息间隔(月)"),
    "cls.target_rating": g.DEAL["target_rating"],
    "st.fees": g.DEAL["senior_fees"],
    "fee.name": ("Fee", "费用"),
    "fee.rate_annual": ("Rate on pool balance (annual)", "按资产池余额费率(年)"),
    "fee.fixed_annual": ("Fixed amount (annual)", "固定金额(年)"),
    "st.upfront": ("Upfront fees (paid once at closing)", "前期费用(发行时一次性支付)"),
    "upf.name": ("Fee", "费用"),
    "upf.share_of_placed": ("Share of placed notes", "占发售证券比例"),
    "upf.fixed": ("Fixed amount", "固定金额"),
    "st.reserve": g.DEAL["reserve"],
    "st.reserve_initial": ("Initial (share of notes)", "初始金额(占证券比例)"),
    "st.reserve_target": ("Target (share of outstanding notes)", "目标金额(占未偿证券比例)"),
    "st.reserve_floor": ("Floor (share of initial notes)", "下限(占初始证券比例)"),
    "st.principal": ("Principal", "本金分配"),
    "st.revolving": g.DEAL["revolving_period"],
    "st.principal_mode": ("Principal to the notes", "本金偿付方式"),
    "mode.sequential": ("Sequential", "顺序偿付"),
    "mode.pro_rata": ("Pro rata", "按比例偿付"),
    "st.turbo": ("Turbo", "加速偿付"),
    "st.turbo_help": (
        "Excess spread pays down the notes after the revolving period.",
        "循环期后以超额利差加速偿还证券本金。",
    ),
    "st.cleanup_on": ("Clean-up call", "清仓回购"),
    "st.cleanup": ("Call at pool share", "回购触发的资产池占比"),
    "st.benchmark": g.METRICS["benchmark"],
    "st.triggers": g.DEAL["triggers"],
    "st.triggers_help": (
        "Threshold: a decimal, or one per month separated by commas (the last repeats).",
        "阈值:小数,或以逗号分隔的逐月阈值(末值延续)。",
    ),
    "trg.name": g.DEAL["trigger"],
    "trg.metric": ("Measure", "指标"),
    "trg.threshold": g.METRICS["threshold"],
    "trg.action": ("Action", "后果"),
}

# The waterfall's options (docs/waterfall.md): class coupon priority, fee bases and caps,
# when losses are written off the notes, and what excess interest pays.
WATERFALL_OPTIONS: dict[str, Label] = {
    "cls.coupon_priority": ("Coupon paid", "利息支付顺序"),
    "opt.coupon_priority.interest": ("With interest", "随利息支付"),
    "opt.coupon_priority.after_principal": ("After principal (期间收益)", "本金之后(期间收益)"),
    "fee.basis": ("Rate applies to", "费率计算基数"),
    "fee.cap_per_month": ("Cap a month", "每月上限"),
    "opt.basis.performing_start_incl_defaults": (
        "Performing pool at start, with the month's defaults", "期初正常资产池(含当月违约)"),
    "opt.basis.performing_start": ("Performing pool at start, less the month's defaults",
                                   "期初正常资产池(不含当月违约)"),
    "opt.basis.notes": ("Notes outstanding", "未偿证券余额"),
    "opt.basis.fixed": ("Fixed amount only", "仅固定金额"),
    "st.losses": ("Losses and excess interest", "损失分配与超额利息"),
    "st.losses_help": (
        "When pool losses are written off the notes (most junior first), whether later cash "
        "reinstates them, and what interest left after fees and coupons pays.",
        "资产池损失何时由证券核销(自最次级档次起),其后现金是否恢复已核销金额,以及支付费用与利息后"
        "剩余的利息用于何处。",
    ),
    "st.loss_timing": ("Write losses off", "损失核销时点"),
    "opt.loss_timing.at_end": ("When the deal ends", "交易结束时"),
    "opt.loss_timing.on_default": ("When a loan defaults", "资产违约时"),
    "opt.loss_timing.on_liquidation": ("When a default is liquidated, net of recovery",
                                       "违约资产处置完毕时(扣除回收)"),
    "st.reinstate": ("Reinstate from later excess cash", "以其后超额现金恢复已核销金额"),
    "st.excess_use": ("Use of excess interest", "超额利息用途"),
    "opt.excess_use.cover_deficiency": ("Covers the principal deficiency", "弥补本金亏损"),
    "opt.excess_use.release": ("Released to the residual holder", "支付给剩余收益持有人"),
    "opt.excess_use.cover_up_to": ("Covers the deficiency up to a limit a month",
                                   "弥补本金亏损(每月有上限)"),
    "st.cover_limit": ("Limit a month", "每月上限"),
    "st.haircut": ("Excess-spread haircut (share of pool interest)",
                   "超额利差折减(占资产池利息比例)"),
    # Liquidity support (issue 16 item 5).
    "st.liquidity": ("Liquidity support", "流动性支持"),
    "st.liquidity_help": (
        "Cash that pays only what the available funds leave unpaid of the senior fees and "
        "the senior classes' interest: a liquidity reserve beside the reserve account, and "
        "the servicer's advances, reimbursed first the next months.",
        "仅用于支付可分配资金不足以支付的优先费用及优先级证券利息:独立于储备账户的流动性储备账户,"
        "以及资产服务机构垫付(于其后各期最优先偿还)。",
    ),
    "st.liquidity_on": g.DEAL["liquidity_reserve"],
    "st.liquidity_initial": ("Initial (share of senior notes)", "初始金额(占优先级证券比例)"),
    "st.liquidity_target": ("Target (share of outstanding senior notes)",
                            "目标金额(占未偿优先级证券比例)"),
    "st.liquidity_floor": ("Floor (amount)", "下限(金额)"),
    "st.liquidity_replenish": ("Replenished", "补足顺序"),
    "opt.liquidity_replenish.senior_interest": ("Right after interest", "利息之后"),
    "opt.liquidity_replenish.principal": ("After principal", "本金之后"),
    "st.advance_on": g.DEAL["servicer_advance"],
    "st.advance_limit": ("Limit (amount)", "垫付上限(金额)"),
    "st.advance_limit_share": ("Limit (share of the pool)", "垫付上限(占资产池比例)"),
    "st.advance_rate": ("Rate on advances (annual)", "垫付利率(年)"),
}

# Several classes in one tier and target balances (issue 16 item 4a; docs/waterfall.md).
TIER_OPTIONS: dict[str, Label] = {
    "cls.target_kind": ("Target balance rule", "目标余额方式"),
    "opt.target_kind.none": ("None (pass-through)", "无(过手摊还)"),
    "opt.target_kind.scheduled": ("Scheduled (计划摊还)", "计划摊还"),
    "opt.target_kind.target_share_of_pool": ("Share of the pool (目标余额)",
                                             "资产池占比(目标余额)"),
    "cls.target_schedule": ("Schedule (month: share, ...)", "摊还计划(月: 占比, ...)"),
    "cls.target_share_of_pool": ("Target share of the pool", "目标余额占资产池比例"),
    "st.tiers": ("Principal inside a tier", "同级内本金分配"),
    "st.tiers_help": (
        "Classes of one tier (A-1, A-2) share interest pari passu; a tier without a row pays "
        "its classes' principal as the deal's principal mode does (pro rata while it is pro "
        "rata, else one after the other). A scheduled target: \"3: 0.8, 6: 0.5\" (from "
        "month 3 the target is 80% of the class's original balance, from month 6 50%).",
        "同一级别的档次(A-1、A-2)按比例同顺位支付利息;未列出的级别按交易的本金偿付方式分配"
        "(按比例偿付期间按比例,否则依次偿付)。"
        "计划摊还示例:\"3: 0.8, 6: 0.5\"(自第 3 月目标余额为初始本金的 80%,自第 6 月为 50%)。",
    ),
    "tr.tier": g.DEAL["tier"],
    "tr.principal": ("Principal inside the tier", "级别内本金分配方式"),
    "opt.tier_principal.sequential": ("Sequential", "顺序偿付"),
    "opt.tier_principal.pro_rata": ("Pro rata", "按比例偿付"),
}

RESULTS_PAGE: dict[str, Label] = {
    "res.title": ("Results", "结果"),
    "run.invalid": (
        "The deal cannot run until these inputs are fixed:", "请先修正以下输入,交易方可运行:"
    ),
    "run.progress": (
        "Monte Carlo: {done}% of {paths} paths", "蒙特卡洛模拟:{paths} 条路径已完成 {done}%"
    ),
    "run.cancel": ("Cancel", "取消"),
    "run.cancelled": (
        "The Monte Carlo run was cancelled. Change an input, or run it again.",
        "蒙特卡洛模拟已取消。可修改输入,或重新运行。",
    ),
    "run.run": ("Run", "运行"),
    "res.defaults.exact": (
        "Defaults drawn obligor by obligor: {obligors} obligors, each defaulting once with "
        "all its receivables (exact mode, used up to {limit} obligors).",
        "违约按借款人逐户模拟:共 {obligors} 户借款人,每户违约时其全部资产同时违约"
        "(精确模式,借款人不超过 {limit} 户时采用)。",
    ),
    "res.defaults.grouped": (
        "Defaults drawn per PD group, each with its effective number of loans (grouped mode: "
        "{obligors} obligors, more than the {limit} of the exact mode).",
        "违约按违约概率分组模拟,各组按有效资产笔数抽样(分组模式:共 {obligors} 户借款人,"
        "超过精确模式 {limit} 户的上限)。",
    ),
    "res.caption": (
        "{deal}: {loans} loans, pool balance {balance}; {paths} paths, seed {seed}, "
        "run in {seconds} s.",
        "{deal}:{loans} 笔资产,资产池本金 {balance};{paths} 条路径,随机种子 {seed},"
        "耗时 {seconds} 秒。",
    ),
    "res.mean_default": ("Expected pool default rate", "资产池预期违约率"),
    "res.mean_loss": ("Expected pool loss rate", "资产池预期损失"),
    "res.se": ("Standard error {se}", "标准误 {se}"),
    "res.loss_999": ("Pool loss rate, 99.9% quantile", "资产池损失率 99.9% 分位数"),
    "res.default_999": ("Pool default rate, 99.9% quantile", "资产池违约率 99.9% 分位数"),
    "res.loss_chart": ("Pool loss distribution", "资产池损失分布"),
    "res.loss_rate": ("Lifetime pool loss rate", "资产池累计损失率"),
    "res.probability": g.DEAL["probability"],
    "res.attachment": ("Attachment point", "起始损失点"),
    "res.tdr_chart": ("Target default rate by rating vs break-even (dashed)",
                      "各评级目标违约率与临界违约率(虚线)"),
    "res.rating": g.DEAL["rating"],
    "res.tdr": g.METRICS["tdr"],
    "res.default_rate": ("Lifetime pool default rate", "资产池累计违约率"),
    "res.charts_help": (
        "Dashed lines: where each class starts to absorb pool losses (notes below it, as a "
        "share of all notes), and each class's break-even default rate (BDR). A class passes "
        "a rating when its BDR is at or above that rating's target default rate (TDR).",
        "虚线:各档次开始承担损失的位置(其下证券占全部证券的比例),以及各档次的临界违约率"
        "。临界违约率不低于某评级的目标违约率即通过该评级。",
    ),
    "res.classes": ("Note classes (Monte Carlo)", "证券档次(蒙特卡洛)"),
    "res.top_obligors": ("Largest obligors' share of the expected loss",
                         "前十大借款人的预期损失贡献"),
    "res.top_obligors_help": (
        "The {count} largest obligors by balance, followed through every path: the chance that "
        "each defaults within the deal, its expected loss as a share of its balance, and its "
        "share of the pool's expected loss (undiscounted net loss), each with its standard "
        "error. Together they hold {balance} of the pool and carry {share} of its expected "
        "loss.",
        "按余额排名前 {count} 户的借款人,在每条模拟路径上逐户跟踪:其在交易期内违约的概率、"
        "预期损失占其余额的比例,以及其占资产池预期损失(未折现的净损失)的比例,均附标准误。"
        "这些借款人合计占资产池余额的 {balance},贡献资产池预期损失的 {share}。",
    ),
    "res.top_obligors_grouped": (
        "The largest obligors' share of the expected loss needs defaults drawn obligor by "
        "obligor (exact mode), which this pool's size rules out.",
        "前十大借款人的预期损失贡献需按借款人逐户模拟违约(精确模式),本资产池规模超出其上限。",
    ),
    "top.rank": ("Rank", "排名"),
    "top.obligor_id": g.FIELDS["obligor_id"],
    "top.balance_share": ("Share of pool balance", "占资产池余额比例"),
    "top.pd": g.METRICS["pd"],
    "top.pd_se": ("PD se", "违约概率标准误"),
    "top.expected_loss": ("EL (share of its balance)", "预期损失(占其余额)"),
    "top.expected_loss_se": ("EL se", "预期损失标准误"),
    "top.el_share": ("Share of pool EL", "占资产池预期损失比例"),
    "top.el_share_se": ("Share se", "占比标准误"),
    "res.classes_help": (
        "se: standard error of the Monte Carlo estimate. Implied ratings are indicative, not a "
        "rating agency's opinion: from the built-in tables (Moody's-style idealized EL and PD "
        "at the class WAL, DIRR bounds; a deal file may name its own): EL and PD at the "
        "class WAL, DIRR, BDR vs TDR.",
        "标准误:蒙特卡洛估计的标准误差。隐含评级为参考值,并非评级机构意见,依据内置评级标准表(按加权平均期限的理想化预期损失与违约概率、收益率减损上限;交易文件可指定自己的表):"
        "按加权平均期限的预期损失与违约概率、收益率减损、临界违约率对比目标违约率。",
    ),
    "mc.name": g.DEAL["class"],
    "mc.tier": g.DEAL["tier"],
    "mc.balance": g.DEAL["class_amount"],
    "mc.coupon": g.DEAL["coupon"],
    "mc.expected_loss": g.METRICS["el"],
    "mc.expected_loss_se": ("EL se", "预期损失标准误"),
    "mc.pd": g.METRICS["pd"],
    "mc.pd_se": ("PD se", "违约概率标准误"),
    "mc.lgd": g.METRICS["lgd"],
    "mc.lgd_se": ("LGD se", "违约损失率标准误"),
    "mc.wal_years": g.METRICS["wal_years"],
    "mc.wal_years_se": ("WAL se", "加权平均期限标准误"),
    "mc.irr_mean": g.METRICS["irr"],
    "mc.irr_mean_se": ("IRR se", "内部收益率标准误"),
    "mc.dirr_bp": g.METRICS["dirr_bp"],
    "mc.dirr_bp_se": ("DIRR se", "收益率减损标准误"),
    "mc.bdr": g.METRICS["bdr"],
    "mc.target_rating": g.DEAL["target_rating"],
    "mc.rating_el": ("Rating: EL", "评级:预期损失"),
    "mc.rating_pd": ("Rating: PD", "评级:违约概率"),
    "mc.rating_dirr": ("Rating: DIRR", "评级:收益率减损"),
    "mc.rating_tdr": ("Rating: BDR vs TDR", "评级:临界违约率对比目标违约率"),
    "res.cost": g.METRICS["cost_of_funds"],
    "res.wa_coupon": g.METRICS["wa_coupon"],
    "res.all_in": g.METRICS["all_in"],
    "res.benchmark": ("Benchmark", "基准利率"),
    "res.saving": ("Saving vs benchmark", "较基准节省"),
    "res.cost_help": (
        "Base scenario. All-in: the yield of the issuer's flows (placed notes' proceeds less "
        "the upfront fees, against their coupons, principal and the running fees).",
        "基准情景。综合成本:发行人现金流的收益率(发售证券募集款扣除前期费用,对应其利息、"
        "本金及持续费用)。",
    ),
    "res.cashflows": ("Cash flows by class: expected and stressed", "各档次现金流:预期与压力情景"),
    "res.stress": ("Stress: default multiplier", "压力情景:违约倍数"),
    "res.stress_help": (
        "The deal's default assumption times this multiplier, deterministic (one path).",
        "交易违约假设乘以此倍数的确定性情景(单一路径)。",
    ),
    "res.expected": ("Expected (base)", "预期(基准)"),
    "res.stressed": ("Stress ({m}x defaults)", "压力({m} 倍违约)"),
    # Convergence and the closed-form (Vasicek) cross-check.
    "res.lhp": ("Vasicek large pool", "Vasicek 大池近似"),
    "res.simulated": ("Simulated", "模拟"),
    "res.lhp_shown": (
        "Black line: the large homogeneous pool (Vasicek) loss distribution of a homogeneous "
        "equivalent of the pool, on the same bins: PD {pd} = the pool's expected lifetime "
        "default rate (after amortisation and prepayment, from the engine with every loan "
        "group defaulting its conditional probability in each state of the economy), asset "
        "correlation {rho} (the deal's), LGD {lgd} = expected loss / expected defaults; "
        "{loans} effective loans (1/HHI).",
        "黑线:资产池同质等价组合的大样本同质池(Vasicek)损失分布,与直方图同一分组:违约概率 "
        "{pd} 为资产池预期累计违约率(已计入摊还与早偿,由现金流引擎在各经济状态下按各组"
        "条件违约概率计算),资产相关系数 {rho}(交易设定),违约损失率 {lgd} 为预期损失 / "
        "预期违约;有效资产笔数(1/HHI){loans}。",
    ),
    "res.lhp_compare": (
        "Simulated vs Vasicek: mean {mean_sim} (se {mean_se}) vs {mean_lhp}; 99% quantile "
        "{q99_sim} vs {q99_lhp}; 99.9% quantile {q999_sim} vs {q999_lhp}.",
        "模拟值与 Vasicek 对比:均值 {mean_sim}(标准误 {mean_se})对 {mean_lhp};99% 分位数 "
        "{q99_sim} 对 {q99_lhp};99.9% 分位数 {q999_sim} 对 {q999_lhp}。",
    ),
    "res.lhp_not_shown": (
        "No Vasicek large-pool curve is drawn: {reason}.",
        "未绘制 Vasicek 大池近似曲线:{reason}。",
    ),
    "res.lhp_why.student_t": (
        "the deal uses a Student-t copula, whose defaults cluster more in the tail than the "
        "Gaussian copula's Vasicek distribution allows",
        "交易采用 t 分布连接函数,其尾部违约聚集程度高于高斯连接函数 的 Vasicek 分布",
    ),
    "res.lhp_why.sector_factor": (
        "sector factors add a second common factor (sector correlation {sector}); the Vasicek "
        "distribution has one",
        "行业/地区因子引入了第二个共同因子(行业相关系数 {sector}),而 Vasicek 分布只有一个",
    ),
    "res.lhp_why.random_recovery": (
        "the recovery rate is random and moves with the economy (volatility {volatility}), so "
        "the loss is not a fixed LGD times the default rate",
        "回收率随机且随经济状况变动(波动率 {volatility}),损失并非固定违约损失率乘以违约率",
    ),
    "res.lhp_why.no_correlation": (
        "with no asset correlation the large-pool loss is the constant {loss}: all the "
        "simulated spread is idiosyncratic",
        "资产相关系数为零时,大池损失为常数 {loss}:模拟分布的离散全部来自个体风险",
    ),
    "res.lhp_why.no_loss": (
        "the pool's expected default rate ({pd}) or LGD ({lgd}) leaves no loss distribution",
        "资产池预期违约率({pd})或违约损失率({lgd})为零,不存在损失分布",
    ),
    "res.lhp_why.not_granular": (
        "with {loans} effective loans (1/HHI) the pool is too concentrated for the large-pool "
        "limit: its default-rate quantiles (50%, 99%, 99.9%) can differ from that limit's by "
        "{gap}, counting the step of one default (at most {limit})",
        "有效资产笔数(1/HHI)为 {loans},资产池过于集中,不适用大池极限:其违约率分位数"
        "(50%、99%、99.9%)与大池极限相差可达 {gap}(含一笔违约的跳跃,上限 {limit})",
    ),
    "res.lhp_why.heterogeneous": (
        "the pool's own large-pool loss (its PD mix, the timing of defaults as it amortises, "
        "revolving purchases) differs from that of its homogeneous equivalent (PD {pd}, "
        "correlation {rho}, LGD {lgd}) by up to {gap} at the 50%, 99% and 99.9% quantiles "
        "(at most {limit})",
        "资产池自身的大池损失(违约概率结构、摊还过程中的违约时点、循环购买)与其同质等价"
        "组合(违约概率 {pd},相关系数 {rho},违约损失率 {lgd})在 50%、99%、99.9% 分位数上"
        "相差可达 {gap}(上限 {limit})",
    ),
    "res.convergence": ("Convergence of the expected loss", "预期损失的收敛"),
    "res.conv_paths": ("Paths simulated", "已模拟路径数"),
    "res.conv_el": ("Running EL", "累计预期损失估计"),
    "res.conv_help": (
        "Each class's expected loss estimated from the paths simulated so far (blocks of "
        "{block} paths, in order), with a band of ±{band} standard errors. The last point is "
        "the figure in the table; the point at n paths is what a run of n paths with the same "
        "seed gives.",
        "各档次按已模拟路径(每块 {block} 条,依次累加)估计的预期损失,阴影为 ±{band} 倍"
        "标准误。最后一点即表中数值;横轴 n 处的点等于相同随机种子下模拟 n 条路径的结果。",
    ),
}

EXPORT_PAGE: dict[str, Label] = {
    "ex.title": ("Export", "导出"),
    "ex.deal": ("Deal file", "交易文件"),
    "ex.deal_help": (
        "Every input of the app as a deal file (versioned JSON); upload it in the sidebar "
        "to restore them. An uploaded tape is embedded in it.",
        "应用全部输入导出为交易文件(带版本号的 JSON);在侧边栏上传即可恢复。"
        "上传的资产清单会内嵌其中。",
    ),
    "ex.deal_button": ("Download deal file (.json)", "下载交易文件(.json)"),
    "ex.term_sheet": g.DEAL["term_sheet"],
    "ex.term_sheet_help": (
        "The Excel term sheet of the deal and its Monte Carlo run, in the app's language: "
        "term sheet, pool, assumptions, Monte Carlo, cash flows, structuring (when sized) and "
        "audit sheets.",
        "交易及其蒙特卡洛结果的 Excel 条款概要,语言与应用一致:含条款概要、资产池、模型假设、"
        "蒙特卡洛模拟、现金流、结构设计(已计算时)及审计信息各表。",
    ),
    "ex.term_sheet_button": ("Download term sheet (.xlsx)", "下载条款概要(.xlsx)"),
    "ex.with_structuring": (
        "It includes the Structuring page's sizing of this deal.",
        "其中包含结构设计页对本交易的分层结果。",
    ),
    "ex.results": ("Results", "结果"),
    "ex.results_button": ("Download results (.json)", "下载结果(.json)"),
}

# Export page: the term sheet's optional Stress tests sheet.
EXPORT_SHEETS: dict[str, Label] = {
    "ex.with_stress": (
        "With the Stress tests sheet: the last stress-test run of this deal.",
        "含压力测试工作表:本交易最近一次压力测试结果。",
    ),
    "ex.with_static_pool": (
        "With the Static pool analysis sheet: the last analysis on the Static pool page.",
        "含静态池分析工作表:静态池页面最近一次分析结果。",
    ),
}

EXPORT_PDF: dict[str, Label] = {
    "ex.pdf_button": ("Download term sheet (.pdf)", "下载条款概要(.pdf)"),
    "ex.pdf_make": ("Make the term sheet as PDF", "生成条款概要 PDF"),
    "ex.pdf_making": ("LibreOffice is converting the term sheet…", "LibreOffice 正在转换条款概要…"),
    "ex.pdf_help": (
        "The same term sheet as a PDF (page 1 prints on A4), made by LibreOffice: a few "
        "seconds.",
        "同一条款概要的 PDF 版本(第 1 页按 A4 打印),由 LibreOffice 生成,需数秒。",
    ),
    "ex.pdf_missing": (
        "PDF export needs LibreOffice, which is not installed where this app runs (Debian or "
        "Ubuntu package libreoffice-calc-nogui). The .xlsx term sheet above has the same "
        "content and prints the same.",
        "导出 PDF 需要 LibreOffice,本应用运行环境未安装(Debian 或 Ubuntu 软件包 "
        "libreoffice-calc-nogui)。上方 .xlsx 条款概要内容相同,打印效果一致。",
    ),
}

STRUCTURING_PAGE: dict[str, Label] = {
    "sz.title": g.DEAL["structuring"],
    "sz.targets": (
        "Targets (set on the Structure page): {targets}", "目标评级(在交易结构页设定):{targets}"
    ),
    "sz.criterion": ("Rating criterion", "评级标准"),
    "sz.criterion.el": g.METRICS["expected_loss"],
    "sz.criterion.pd": g.METRICS["default_probability"],
    "sz.criterion.dirr": ("Reduction in yield (DIRR)", "收益率减损"),
    "sz.criterion.tdr": ("Break-even vs target default rate", "临界违约率对比目标违约率"),
    "sz.criterion_help": (
        "How a class is judged against its target: its EL or PD against the idealized one "
        "at its WAL, its DIRR against the target's bound, or its break-even default rate "
        "against the target default rate.",
        "证券与目标评级的比较方式:预期损失或违约概率对比其加权平均期限下的理想值,收益率减损对比"
        "该评级上限,或临界违约率对比目标违约率。",
    ),
    "sz.paths": g.METRICS["paths"],
    "sz.paths_help": (
        "Simulated once; every candidate structure runs on the same paths.",
        "资产端只模拟一次,所有候选结构在同一组路径上运行。",
    ),
    "sz.seed": g.METRICS["seed"],
    "sz.step": ("Size grid (% of the pool)", "规模步长(占资产池 %)"),
    "sz.step_help": ("Class sizes are multiples of this.", "各档规模为该步长的整数倍。"),
    "sz.retained": ("Smallest subordinated class (% of the pool)", "次级最低占比(占资产池 %)"),
    "sz.retained_help": (
        "The originator's risk retention: at least this much stays in the subordinated class.",
        "发起机构风险自留:次级档至少保留该比例。",
    ),
    "sz.price": ("Reprice the coupons from the pricing grid while sizing",
                 "分层时按定价表重新确定票面利率"),
    "sz.price_help": (
        "Uses the deal's pricing grid (\"Keep a pricing grid in the deal\", above): each "
        "class's coupon is the benchmark curve plus the spread of its target rating at its "
        "WAL, solved with the sizes as a fixed point. Off: the Structure page's coupons are "
        "kept.",
        "使用交易的定价表(见上方\"交易中保存定价表\"):各档票面利率 = 基准曲线 + 目标评级"
        "在其加权平均期限下的利差,与规模一起迭代求解。不勾选:沿用结构页面的票面利率。",
    ),
    "sz.no_pricing": (
        "The deal has no pricing grid (tick \"Keep a pricing grid in the deal\" above): the "
        "coupons are kept.",
        "交易没有定价表(可在上方勾选\"交易中保存定价表\"):保持现有票面利率。",
    ),
    "sz.run": ("Size the classes", "计算分层规模"),
    "sz.waiting": (
        "Press the button to size the rated classes to their targets.",
        "点击按钮,按目标评级计算各档规模。",
    ),
    "sz.progress": ("Structures evaluated: {done}", "已评估结构:{done}"),
    "sz.converged": (
        "Sizes and coupons converged in {rounds} rounds ({n} structures run on all the paths, "
        "{coarse} more on the first ones only; {seconds} s).",
        "规模与票面利率经 {rounds} 轮收敛(全部路径评估 {n} 个结构,另有 {coarse} 个仅用前段路径"
        "评估;耗时 {seconds} 秒)。",
    ),
    "sz.not_converged": (
        "Sizes and coupons did not converge in {rounds} rounds: the last round is shown.",
        "规模与票面利率在 {rounds} 轮内未收敛:显示最后一轮结果。",
    ),
    "sz.col.class": g.DEAL["class"],
    "sz.col.tier": g.DEAL["tier"],
    "sz.col.target": ("Target", "目标评级"),
    "sz.col.size_share": ("Size (% of pool)", "规模(占资产池)"),
    "sz.col.amount": g.DEAL["class_amount"],
    "sz.col.coupon": g.DEAL["coupon"],
    "sz.col.wal_years": g.METRICS["wal_years"],
    "sz.col.metric": ("Metric", "指标"),
    "sz.col.metric_se": g.METRICS["standard_error"],
    "sz.col.threshold": g.METRICS["threshold"],
    "sz.col.margin": g.METRICS["margin"],
    "sz.col.margin_se": ("Margin (standard errors)", "余量(标准误倍数)"),
    "sz.col.meets": ("Meets target", "达标"),
    "sz.col.binding": ("Size bound by", "规模约束"),
    "sz.col.pool_balance": g.DEAL["pool_balance"],
    "sz.col.el": ("Senior EL", "优先级预期损失"),
    "sz.col.el_rating": ("EL rating", "预期损失评级"),
    "sz.metric.el": g.METRICS["el"],
    "sz.metric.pd": g.METRICS["pd"],
    "sz.metric.dirr": g.METRICS["dirr_bp"],
    "sz.metric.tdr": ("P(pool default rate > BDR) (threshold: target PD)",
                      "资产池违约率超过临界违约率的概率(阈值:目标评级违约概率)"),
    "sz.binding.target": ("its target", "目标评级"),
    "sz.binding.available": ("room left", "剩余空间"),
    "sz.binding.cannot_meet": ("cannot meet target", "无法达标"),
    "sz.binding.rest": ("the rest", "剩余部分"),
    "sz.binding.verification": ("fresh-seed check", "独立种子复核"),
    "sz.binding.fixed": ("fixed size", "固定规模"),
    "sz.binding.no_room": ("no room for the minimum", "空间不足"),
    "sz.min_class": ("Smallest rated class (% of the pool)", "单档证券最低规模(占资产池 %)"),
    "sz.min_class_help": (
        "A rated class is left out rather than made smaller than this; the classes above "
        "leave room for it when it can meet its target at this size.",
        "评级证券的规模不低于该比例,否则不设该档;若该档在最低规模下可达到目标评级,"
        "上层证券为其预留空间。",
    ),
    "sz.fixed": ("Classes held at their size", "固定规模的证券"),
    "sz.fixed_help": (
        "These classes keep their size on the Structure page; the others are sized around "
        "them, and the subordinated class takes the rest.",
        "这些证券保持“交易结构”页设定的规模不变,其余证券围绕其确定规模,次级证券取剩余部分。",
    ),
    "sz.shortfall.cannot_meet": (
        "{name} cannot meet {target} at or above the minimum size ({min}): left out.",
        "{name} 在最低规模({min})及以上无法达到 {target}:不设该档。",
    ),
    "sz.shortfall.no_room": (
        "{name} ({target}): less than the minimum size ({min}) is left above the retained "
        "share: left out.",
        "{name}({target}):扣除自持比例后剩余空间不足最低规模({min}):不设该档。",
    ),
    "sz.shortfall.fixed": (
        "{name}, held at {size}, misses {target} (on the sizing paths or the independent "
        "seed).",
        "{name} 固定规模为 {size},未达到 {target}(分层模拟或独立种子复核)。",
    ),
    "sz.shortfall.verification": (
        "{name} missed {target} on the independent seed down to the minimum size ({min}): "
        "left out.",
        "{name} 在独立种子复核中直至最低规模({min})仍未达到 {target}:不设该档。",
    ),
    "sz.verified": (
        "Checked on an independent seed ({seed}), same paths and margin: every class meets "
        "its target.",
        "已用独立随机种子({seed})按相同路径数与余量复核:各档均达到目标评级。",
    ),
    "sz.verified_shrunk": (
        "Checked on an independent seed ({seed}), same paths and margin. Missed there, and "
        "shrunk a step at a time until they met their targets: {classes} (size bound by "
        "\"fresh-seed check\").",
        "已用独立随机种子({seed})按相同路径数与余量复核:{classes} 在复核中未达标,已逐步缩小规模"
        "直至达标(规模约束为“独立种子复核”)。",
    ),
    "sz.table_help": (
        "A class meets its target when the metric is inside the threshold by at least {k} "
        "standard errors (by default 2.77: a fresh run on another seed then passes with "
        "about 97.5%; for the TDR criterion the metric is the probability that the pool "
        "default rate exceeds the class's break-even rate: at most the target's PD is the "
        "same as a break-even rate at least the TDR). "
        "The margin is threshold minus metric, also in standard errors; one step more would "
        "miss the target when the size is bound by it.",
        "指标比阈值低出至少 {k} 个标准误才算达到目标评级"
        "(默认 2.77,换用其他随机种子重新模拟时约有 97.5% 的把握仍达标)"
        "(目标违约率标准的指标为资产池违约率超过该档临界违约率的概率:不高于目标评级违约概率,"
        "即临界违约率不低于目标违约率)。余量 = 阈值 - 指标,并以标准误倍数列示;"
        "规模受目标评级约束时,再增加一个步长即不达标。",
    ),
    "sz.use": ("Use this structure", "采用该结构"),
    "sz.use_help": (
        "Load the sized and priced classes into the Structure page's inputs.",
        "将计算出的分层规模与票面利率载入交易结构页。",
    ),
    "sz.loaded": (
        "The sized structure is loaded: the Results page now runs it.",
        "已载入分层结果:结果页将按该结构运行。",
    ),
    "sz.economics": ("Economics", "经济性"),
    "sz.excess_spread": g.METRICS["excess_spread_annual"],
    "sz.retained_irr": ("Retained class: expected IRR", "自持次级档次:预期内部收益率"),
    "sz.upfront": ("Upfront fees: {amount}.", "前端费用:{amount}。"),
    "sz.break_even": (
        "Issuing beats the benchmark from a pool of {balance} (the same pool mix; fixed costs "
        "unchanged).",
        "资产池规模达到 {balance} 起,发行成本低于基准(资产结构相同,固定费用不变)。",
    ),
    "sz.no_break_even": (
        "No deal size beats the benchmark.", "任何发行规模的成本都不低于基准。"
    ),
    "sz.curve": (
        "All-in cost by deal size (dashed: benchmark)", "不同发行规模的综合成本(虚线:基准)"
    ),
    "sz.irr": g.METRICS["irr"],
    "sz.irr_chart": ("IRR distribution of {name}", "{name} 的内部收益率分布"),
    "sz.pricing": ("Pricing grid", "定价表"),
    "sz.pricing_on": ("Keep a pricing grid in the deal", "交易中保存定价表"),
    "sz.pricing_on_help": (
        "The deal's benchmark curve and spreads by rating and WAL, saved in the deal file. "
        "This box edits the grid; the sizing uses it only with \"Reprice the coupons from the "
        "pricing grid while sizing\" ticked.",
        "交易的基准曲线及按评级、期限划分的利差,保存在交易文件中。此处只编辑定价表;"
        "勾选\"分层时按定价表重新确定票面利率\"时分层计算才使用它。",
    ),
    "sz.curve_table": ("Benchmark curve", "基准收益率曲线"),
    "sz.tenor": ("Tenor (years)", "期限(年)"),
    "sz.rate": ("Yield", "收益率"),
    "sz.spread_wals": ("WALs of the spread columns (years)", "利差对应的期限(年)"),
    "sz.spread_wals_help": (
        "Comma-separated, increasing; each rating's spreads follow them.",
        "以逗号分隔、递增;各评级的利差与之一一对应。",
    ),
    "sz.spreads": ("Spreads (bp), one per WAL", "利差(bp),每个期限一个"),
    "sz.comparison": ("The deal as given and sized", "原结构与分层结果对比"),
    "sz.item": ("Class or deal", "证券或交易"),
    "sz.figure": ("Figure", "指标"),
    "sz.as_given": ("As given", "原结构"),
    "sz.sized": ("Sized", "分层结果"),
    "sz.difference": ("Sized - as given", "分层结果 - 原结构"),
    "sz.comparison_help": (
        "Both run on the same simulated paths, so the differences are the structure's, not "
        "Monte Carlo noise.",
        "两者在同一组模拟路径上运行,差异来自结构本身而非蒙特卡洛误差。",
    ),
    "sz.rounds": ("Sizing and pricing rounds", "规模与定价迭代过程"),
    "sz.round": ("Round", "轮次"),
    "sz.rounds_help": (
        "Each round sizes the classes senior first with the coupons of the round before, "
        "then prices them at their new WALs; it stops when nothing changes.",
        "每一轮按上一轮的票面利率自优先级档次起确定规模,再按新的加权平均期限定价;结果不再变化时停止。",
    ),
    "sz.sensitivity": ("Two-way sensitivity", "双因素敏感性分析"),
    "sz.sensitivity_help": (
        "The sized structure under every pair of values of two assumptions (same seed in "
        "every cell; at most 20,000 paths).",
        "在两个假设的各种取值组合下运行分层结果(各格使用相同随机种子;最多 20,000 条路径)。",
    ),
    "sz.axis1": ("First assumption", "第一个假设"),
    "sz.axis2": ("Second assumption", "第二个假设"),
    "sz.values": ("Values (comma-separated)", "取值(逗号分隔)"),
    "sz.bad_values": ("Give numbers separated by commas.", "请输入以逗号分隔的数字。"),
    "sz.same_axes": ("Choose two different assumptions.", "请选择两个不同的假设。"),
    "sz.resize": ("Size afresh in every cell", "每格重新计算规模"),
    "sz.resize_help": (
        "Slower: the classes are sized again for each pair of values.",
        "较慢:每组取值都重新计算分层规模。",
    ),
    "sz.run_grid": ("Run the grid", "运行敏感性分析"),
    "sz.grid_running": ("Running the grid…", "正在运行敏感性分析…"),
    "sz.heat": ("{what} of the senior class", "优先级档次的{what}"),
    "sz.param.default_multiplier": g.METRICS["default_multiplier"],
    "sz.param.correlation": g.METRICS["correlation"],
    "sz.param.recovery_rate": g.METRICS["recovery_rate"],
    "sz.param.cpr_annual": g.METRICS["cpr"],
    "sz.param.cdr_annual": g.METRICS["cdr"],
    "sz.param.lag_months": g.METRICS["recovery_lag"],
    "sz.param.sector_correlation": g.METRICS["sector_correlation"],
}

# A newcomer's stumbles (issue 18 item 6): what a figure is, which settings a run used.
NEWCOMER_NOTES: dict[str, Label] = {
    "note.pool_el": (
        "Expected lifetime loss: each loan's tape PD to its own maturity (1 - (1 - PD)^(term "
        "/ 12)) x its LGD x its cut-off balance, over the pool balance. A static figure: a "
        "default takes the whole cut-off balance, no loan prepays or pays down first, nothing "
        "is bought in a revolving period. The Results page's expected pool loss rate is the "
        "simulated one, and usually lower.",
        "预期存续期损失率:每笔资产按资产清单的年违约概率算至其自身到期"
        "(1 - (1 - 年违约概率)^(剩余期限/12))"
        "× 违约损失率 × 封包日本金,除以资产池本金。静态指标:假设违约时损失封包日的全部本金,"
        "违约前不计还款与早偿,也不计循环购买。结果页的资产池预期损失为模拟值,通常更低。",
    ),
    "note.mc_loss": (
        "Expected pool loss rate: the Monte Carlo mean of net losses (the balance still owed "
        "in the month a loan defaults, less recoveries) over the deal's life, divided by the "
        "cut-off pool plus the receivables bought in the revolving period. Loans pay down and "
        "prepay before they default, so it is lower than the Pool page's expected lifetime "
        "loss, which applies each loan's PD to its whole cut-off balance.",
        "资产池预期损失:蒙特卡洛模拟的净损失均值(违约当月的未偿本金减回收)在交易存续期内累计,"
        "除以封包日资产池本金与循环期内购买的资产之和。资产在违约前会正常还款和早偿,因此它"
        "低于资产池页面的预期存续期损失率(后者以每笔资产的封包日全部本金乘以违约概率)。",
    ),
    "note.sz_run_settings": (
        "Sizing runs on its own {paths} paths and seed {seed} (set above), not the deal's "
        "Monte Carlo settings ({run_paths} paths, seed {run_seed}, Assumptions page): a "
        "senior class's expected loss of a few thousandths of a percent needs more paths to "
        "be told from its target, and a seed of its own keeps the sizing unchanged when the "
        "run settings change. The result is checked on a second, independent seed.",
        "分层计算使用本页设置的 {paths} 条路径和随机种子 {seed},而非交易的蒙特卡洛设置"
        "({run_paths} 条路径,随机种子 {run_seed},见假设页面):优先级档次的预期损失仅为千分之"
        "几个百分点,需要更多路径才能与目标值区分;独立的随机种子使运行设置改变时分层结果不变。"
        "结果还会在另一个独立随机种子上复核。",
    ),
    "note.sz_adopted": (
        "This is the sizing that gave the structure now loaded; the term sheet keeps it.",
        "以下为当前已载入结构所依据的分层结果;发行要素表保留该结果。",
    ),
    "note.irr_total_loss": (
        "A total loss (IRR -100%) in {share} of paths, not drawn; the bars cover "
        "{low} to {high}.",
        "{share} 的路径全部损失(内部收益率 -100%),未画出;柱形覆盖 {low} 至 {high}。",
    ),
}

# Static pool page (issue 17): vintage curves to a base case.
STATIC_POOL_PAGE: dict[str, Label] = {
    "nav.static_pool": g.DEAL["static_pool"],
    "sp.title": g.DEAL["static_pool"],
    "sp.intro": (
        "From an originator's vintage curves to a base case: unfinished vintages are "
        "extrapolated by chain-ladder, with a fitted Weibull timing curve beside it.",
        "由原始权益人各放款月份的违约曲线得到基准情景:未到期的放款月份按链梯法外推,"
        "并列示拟合的威布尔时间分布作对照。",
    ),
    "sp.source": ("Static-pool data", "静态池数据"),
    "sp.source.consumer": ("Sample: consumer (白条-like)", "样例:消费分期(白条类)"),
    "sp.source.factoring": ("Sample: factoring (京保贝-like)", "样例:保理应收账款(京保贝类)"),
    "sp.source.upload": ("Upload a file", "上传文件"),
    "sp.upload": ("Static-pool file (CSV or XLSX)", "静态池文件(CSV 或 XLSX)"),
    "sp.waiting": (
        "Upload static-pool data: one row per vintage and month on book (vintage YYYY-MM, "
        "months_on_book, original_balance, cumulative_default_balance; optionally counts, "
        "prepayments, recoveries), one row per vintage with months 1, 2, ... as columns, or "
        "one row per loan. Chinese headers such as 放款月份, 账龄, 放款金额, 累计违约金额 are "
        "accepted. Every problem is listed by row and column.",
        "请上传静态池数据:每个放款月份每个账龄一行(放款月份,如 2015-01;账龄、放款金额、"
        "累计违约金额,可另含笔数、早偿与回收金额),或每个放款月份一行、各账龄为列,"
        "或每笔资产一行。表头可用中文(放款月份、账龄、放款金额、累计违约金额等)。"
        "所有问题均按行和列列出。",
    ),
    "sp.kept": ("Showing the file uploaded before: {file}", "显示此前上传的文件:{file}"),
    "sp.not_loaded": (
        "{file}: the static-pool data were not loaded: {errors} error(s), {warnings} "
        "warning(s). Fix the rows listed below and upload it again.",
        "{file}:静态池数据未载入,{errors} 个错误,{warnings} 个警告。"
        "请修正下表所列的行后重新上传。",
    ),
    "sp.loaded": (
        "{file}: {vintages} vintages, up to {months} months on book.",
        "{file}:{vintages} 个放款月份,账龄最长 {months} 个月。",
    ),
    "sp.english_reasons": (
        "Reasons that have no translation yet are shown as the reader wrote them.",
        "尚无中文译文的原因按读取程序的英文原文显示。",
    ),
    "sp.weighting": ("Vintage weighting", "放款月份加权方式"),
    "sp.weighting.balance": ("by original balance", "按放款金额"),
    "sp.weighting.equal": ("equal", "等权"),
    "sp.weighting.recent": ("recent-weighted (half-life 12 months)", "近期加权(半衰期 12 个月)"),
    "sp.curves": (
        "Cumulative default rate by month on book: observed (solid), extrapolated (dashed)",
        "各放款月份累计违约率:实际(实线)与外推(虚线)",
    ),
    "sp.months_on_book": g.DEAL["months_on_book"],
    "sp.vintage": g.DEAL["vintage"],
    "sp.cumulative_default_rate": g.METRICS["cumulative_default_rate"],
    "sp.curve": ("Curve", "曲线"),
    "sp.curve.observed": ("observed", "实际"),
    "sp.curve.extrapolated": ("extrapolated", "外推"),
    "sp.vintages": ("Vintages", "各放款月份"),
    "sp.col.vintage": g.DEAL["vintage"],
    "sp.col.original_balance": g.FIELDS["original_balance"],
    "sp.col.months_observed": ("Months observed", "已观察月数"),
    "sp.col.observed_rate": ("Observed cumulative default rate", "已观察累计违约率"),
    "sp.col.developed_share": ("Share of lifetime defaults shown", "已显现违约占比"),
    "sp.col.chain_ladder_lifetime_rate": ("Lifetime rate (chain-ladder)", "累计违约率(链梯法)"),
    "sp.col.fit_lifetime_rate": ("Lifetime rate (Weibull fit)", "累计违约率(威布尔拟合)"),
    "sp.col.in_base_case": ("In the base case", "计入基准情景"),
    "sp.col.weight": ("Weight", "权重"),
    "sp.base_case": ("Base case", "基准情景"),
    "sp.lifetime": g.METRICS["lifetime_default_rate"],
    "sp.std": ("Dispersion (std across vintages)", "离散程度(各放款月份标准差)"),
    "sp.range": ("Range across vintages", "各放款月份区间"),
    "sp.cv": ("Coefficient of variation", "变异系数"),
    "sp.by_count": ("By count", "按笔数"),
    "sp.fit": ("Weibull fit", "威布尔拟合"),
    "sp.base_help": (
        "Weighted mean of the extrapolated lifetime rates of the {n} vintages that have "
        "shown at least {share} of their lifetime defaults ({weighting}); the curve is taken "
        "as complete at month on book {months}, the longest observed.",
        "已显现至少 {share} 累计违约的 {n} 个放款月份外推累计违约率的加权平均({weighting});"
        "违约曲线视为在最长观察账龄 {months} 个月时完结。",
    ),
    "sp.timing": g.METRICS["timing_curve"],
    "sp.timing_share": ("Share of lifetime defaults", "占累计违约比例"),
    "sp.method": ("Method", "方法"),
    "sp.method.chain_ladder": ("chain-ladder", "链梯法"),
    "sp.method.fit": ("Weibull fit", "威布尔拟合"),
    "sp.cpr_chart": ("Prepayment (CPR) by month on book", "各账龄早偿率(年化)"),
    "sp.cpr": g.METRICS["cpr_annual"],
    "sp.cpr_mean": ("Mean CPR", "平均早偿率"),
    "sp.no_prepayment": (
        "The data have no prepayments: the deal keeps its own CPR.",
        "数据中没有早偿信息:交易保留其原有早偿率。",
    ),
    "sp.recovery_rate": g.METRICS["recovery_rate"],
    "sp.recovery_lag": g.METRICS["recovery_lag"],
    "sp.no_recovery": (
        "The data have no recoveries: the deal keeps its own recovery assumption.",
        "数据中没有回收信息:交易保留其原有回收假设。",
    ),
    "sp.correlation": ("Implied asset correlation (a suggestion)", "隐含资产相关系数(建议值)"),
    "sp.correlation_help": (
        "From the spread of the vintages' lifetime rates under the one-factor (Vasicek) "
        "model, {n} vintages; 90% interval {low} to {high}. Monthly vintages share their "
        "economic cycle, so this understates the spread over a cycle: a suggestion. The "
        "deal's correlation is not changed.",
        "由各放款月份累计违约率的离散程度按单因子(Vasicek)模型推算,{n} 个放款月份;"
        "90% 区间 {low} 至 {high}。各月放款处于同一经济周期,会低估跨周期的离散程度,"
        "故仅作建议值。交易的相关系数不会被修改。",
    ),
    "sp.no_correlation": (
        "Fewer than 3 vintages enter the base case: no correlation is implied.",
        "计入基准情景的放款月份少于 3 个:无法推算相关系数。",
    ),
    "sp.notes": ("How it was computed", "计算方法"),
    "sp.methods": (
        "Chain-ladder: volume-weighted age-to-age factors of the cumulative default rates; a "
        "vintage observed to month on book a projects to its rate divided by the share of "
        "lifetime defaults shown by a. Weibull: one timing curve for all vintages, fitted by "
        "balance-weighted least squares. Prepayment: single monthly mortality by month on "
        "book, as CPR. Recovery: the recovery curves matched to the default curves shifted "
        "by the lag.",
        "链梯法:以金额加权的累计违约率逐期发展因子;已观察至某一账龄的放款月份,其累计违约率"
        "除以该账龄时已显现的违约占比即为外推值。威布尔拟合:所有放款月份共用一条时间分布,"
        "按金额加权最小二乘拟合。早偿:各账龄的单月早偿率,折算为年化早偿率。回收:"
        "回收曲线与平移回收滞后期后的违约曲线相匹配。",
    ),
    "sp.use": ("Use as the deal's base case", "设为交易的基准情景"),
    "sp.use_help": (
        "Replaces the deal's default, prepayment and recovery assumptions with this base "
        "case (the default conditioned on the pool's seasoning); the rest of the deal is "
        "kept.",
        "以本基准情景替换交易的违约、早偿与回收假设(违约按资产池账龄调整);"
        "交易的其余内容不变。",
    ),
    "sp.used": (
        "The deal's assumptions now come from the static pool:",
        "交易假设已改为静态池的基准情景:",
    ),
    "sp.change.item": ("Assumption", "假设"),
    "sp.change.before": ("Before", "原值"),
    "sp.change.after": ("Now", "现值"),
    "sp.lifetime_value": ("{rate} over {months} months", "{rate},分布于 {months} 个月"),
    "sp.multiplier_value": ("multiplier {multiplier}", "倍数 {multiplier}"),
    "sp.mean_value": ("mean {value}", "均值 {value}"),
    "sp.yes": ("yes", "是"),
    "sp.no": ("no", "否"),
}

# Stress tests page (issue 17): break-even against target default rates by scenario.
STRESS_PAGE: dict[str, Label] = {
    "nav.stress": g.DEAL["stress_tests"],
    "ss.title": g.DEAL["stress_tests"],
    "ss.intro": (
        "The break-even default rate (BDR) of every class under each scenario, against the "
        "target default rate (TDR) of each rating level.",
        "各情景下每个档次的临界违约率,与各评级的目标违约率比较。",
    ),
    "ss.scenarios": ("Scenarios", "情景设置"),
    "ss.indicative": ("Indicative, editable", "参考值,可编辑"),
    "ss.scenarios_help": (
        "One row per scenario; empty cells keep the deal's value. Timing reshapes the base "
        "case's default timing (exponent below 1 front-loads, above 1 back-loads); the "
        "multipliers scale the deal's CPR and recovery rates; a flat CPR or recovery rate "
        "replaces them; yield compression lowers every loan's annual rate.",
        "每行一个情景;留空的单元格沿用交易的取值。违约时点调整基准情景的违约时间分布"
        "(指数小于 1 为前置,大于 1 为后置);倍数作用于交易的早偿率与回收率;"
        "固定早偿率或固定回收率则直接替换;资产收益率压缩从每笔资产的年利率中扣减。",
    ),
    "ss.reset": ("Restore the indicative scenarios", "恢复参考情景"),
    "ss.col.name": g.DEAL["scenario"],
    "ss.col.timing": ("Default timing", "违约时点"),
    "ss.col.timing_power": ("Timing exponent", "时间分布指数"),
    "ss.col.cpr_multiplier": ("CPR multiplier", "早偿率倍数"),
    "ss.col.cpr_annual": ("Flat CPR", "固定早偿率"),
    "ss.col.recovery_multiplier": ("Recovery multiplier", "回收率倍数"),
    "ss.col.recovery_rate": ("Flat recovery rate", "固定回收率"),
    "ss.col.extra_lag_months": ("Extra recovery lag (months)", "回收滞后增加(月)"),
    "ss.col.yield_compression_annual": ("Yield compression (a year)", "资产收益率压缩(年化)"),
    "ss.timing.base": ("as the deal", "与交易相同"),
    "ss.timing.front": ("front-loaded", "前置"),
    "ss.timing.back": ("back-loaded", "后置"),
    "ss.name.base": ("base", "基准"),
    "ss.name.front-loaded defaults": ("front-loaded defaults", "违约前置"),
    "ss.name.back-loaded defaults": ("back-loaded defaults", "违约后置"),
    "ss.name.high prepayment": ("high prepayment", "高早偿"),
    "ss.name.low prepayment": ("low prepayment", "低早偿"),
    "ss.name.lower recovery": ("lower recovery", "回收率降低"),
    "ss.name.later recovery": ("later recovery", "回收延后"),
    "ss.name.yield compression": ("yield compression", "资产收益率压缩"),
    "ss.row_error": ("Row {row}, {field}: {message}", "第 {row} 行,{field}:{message}"),
    "ss.rule.name": (
        "a name of 1 to 60 characters, each scenario its own",
        "须为 1 至 60 个字符的名称,且各情景不得重名",
    ),
    "ss.rule.timing": ("one of the listed timings", "须为所列违约时点之一"),
    "ss.rule.timing_power": (
        "below 1 (above 1/20) for front-loaded, above 1 (at most 20) for back-loaded, empty "
        "for the deal's timing",
        "前置时须小于 1(大于 1/20),后置时须大于 1(不超过 20),与交易相同时须留空",
    ),
    "ss.rule.cpr_multiplier": ("a number >= 0", "须为不小于 0 的数"),
    "ss.rule.cpr_annual": (
        "in [0, 1), and only with a CPR multiplier of 1",
        "须在 [0, 1) 内,且早偿率倍数须为 1",
    ),
    "ss.rule.recovery_multiplier": ("a number >= 0", "须为不小于 0 的数"),
    "ss.rule.recovery_rate": (
        "in [0, 1], and only with a recovery multiplier of 1",
        "须在 [0, 1] 内,且回收率倍数须为 1",
    ),
    "ss.rule.extra_lag_months": ("a whole number of months >= 0", "须为不小于 0 的整月数"),
    "ss.rule.yield_compression_annual": (
        "in [0, 1), an annual decimal such as 0.02", "须在 [0, 1) 内的年化小数,如 0.02"),
    "ss.rule.scenarios": ("at least one scenario, at most 100", "至少 1 个、至多 100 个情景"),
    "ss.multiples": ("Default multiples by rating", "各评级违约倍数"),
    "ss.multiples_help": (
        "TDR = multiple × base-case lifetime default rate. The indicative multiples are the "
        "midpoints of the ranges agencies publish (AAA 4-5×, AA 3-4×, A 2-3×, BBB 1.5-2×), "
        "not any agency's criteria.",
        "目标违约率 = 倍数 × 基准情景累计违约率。参考倍数取评级机构公布区间的中点"
        "(AAA 4-5 倍、AA 3-4 倍、A 2-3 倍、BBB 1.5-2 倍),并非任何评级机构的标准。",
    ),
    "ss.col.rating": g.DEAL["rating"],
    "ss.col.multiple": ("Multiple", "倍数"),
    "ss.multiples_error": ("Default multiples: {message}", "违约倍数:{message}"),
    "ss.rule.multiples": (
        "each rating once, from the rating scale, with a multiple > 0; a better rating never "
        "below a worse one",
        "每个评级只能出现一次且须为评级符号,倍数须大于 0,较高评级的倍数不得低于较低评级",
    ),
    "ss.tdr_source": ("Target default rates from", "目标违约率来源"),
    "ss.tdr.multiples": (
        "the multiples × the base-case lifetime default rate", "倍数 × 基准情景累计违约率"),
    "ss.tdr.monte_carlo": ("the Monte Carlo run (Results page)", "蒙特卡洛模拟结果(结果页)"),
    "ss.no_run": (
        "No Monte Carlo run of this deal yet: open the Results page to run it, or take the "
        "TDR from the multiples.",
        "本交易尚未进行蒙特卡洛模拟:请打开结果页运行,或改用倍数计算目标违约率。",
    ),
    "ss.run": ("Run the stress tests", "运行压力测试"),
    "ss.waiting": (
        "Press Run: a break-even search for each of the {classes} classes in each of the "
        "{scenarios} scenarios.",
        "请点击运行:对 {scenarios} 个情景中的 {classes} 个档次分别搜索临界违约率。",
    ),
    "ss.running": ("Searching the break-even default rates…", "正在搜索临界违约率…"),
    "ss.base_rate": ("Base-case lifetime default rate", "基准情景累计违约率"),
    "ss.results": ("BDR against TDR", "临界违约率与目标违约率"),
    "ss.legend": (
        "Each rating column shows that rating's TDR: green passes (BDR ≥ TDR), red fails. "
        "A BDR that is a lower bound is ticked: the class lost nothing even at the largest "
        "stress tried.",
        "各评级列显示该评级的目标违约率:绿色为通过(临界违约率 ≥ 目标违约率),红色为未通过。"
        "已勾选的临界违约率为下限:即使在所试最大压力下该档次也未发生损失。",
    ),
    "ss.col.scenario": g.DEAL["scenario"],
    "ss.col.class": g.DEAL["class"],
    "ss.col.bdr": g.METRICS["bdr"],
    "ss.col.lower_bound": ("BDR is a lower bound (≥)", "临界违约率为下限(≥)"),
    "ss.col.highest": ("Highest rating in the scenario", "该情景下最高评级"),
    "ss.summary": ("Highest rating passed in every scenario", "所有情景下均通过的最高评级"),
    "ss.chart": ("BDR against TDR by scenario", "各情景临界违约率与目标违约率"),
    "ss.rate": ("Lifetime pool default rate", "资产池累计违约率"),
    "ss.tdr": g.METRICS["tdr"],
}

# Deal page: the deal's name, dates and parties.
DEAL_PAGE: dict[str, Label] = {
    "nav.deal": g.DEAL["deal"],
    "dl.title": ("Deal: name, dates and parties", "交易要素:名称、日期与参与机构"),
    "dl.help": (
        "Changes apply to the current deal at once: the deal file and the term sheet carry "
        "them.",
        "修改即时应用于当前交易,交易文件与条款概要随之更新。",
    ),
    "dl.name": ("Deal name", "交易名称"),
    "dl.dates": ("Dates", "日期"),
    "dl.cutoff": g.DEAL["cutoff"],
    "dl.closing": g.DEAL["closing"],
    "dl.first_payment": g.DEAL["first_payment"],
    "dl.legal_final": g.DEAL["legal_final"],
    "dl.business_day_convention": g.DEAL["business_day_convention"],
    "dl.day_count": g.DEAL["day_count"],
    "dl.horizon": (
        "{months} monthly periods from the cut-off to the legal final date.",
        "自封包日至法定到期日共 {months} 个月度期间。",
    ),
    "dl.frequency_text": (
        "During the revolving period: {classes}. After it every class pays monthly. Set per "
        "class on the Structure page.",
        "循环期内:{classes}。循环期结束后各档次均按月兑付。可在交易结构页面按档次设置。",
    ),
    "dl.freq.1": ("monthly", "按月"),
    "dl.freq.3": ("quarterly", "按季"),
    # Deal payment frequency (issue 16 item 4b)
    "dl.payment_frequency_months": ("Payment frequency", "兑付频率"),
    "dl.every.1": ("monthly", "按月"),
    "dl.every.3": ("quarterly (every 3 months)", "按季兑付(每3个月)"),
    "dl.every.6": ("semi-annually (every 6 months)", "按半年兑付(每6个月)"),
    "dl.every_help": (
        "Between payment dates the collections are held in the trust account; fees and "
        "interest accrue and are paid, with principal, on payment dates. The first payment "
        "date is the date of month 3 (quarterly) or 6 (semi-annual) after the cut-off.",
        "两个兑付日之间回收款留存于信托账户;税费与利息逐月计提,与本金一并于兑付日支付。"
        "首个兑付日为封包日后第3个月(按季)或第6个月(按半年)的日期。",
    ),
    "dl.bdc.none": ("none: dates do not move", "不调整"),
    "dl.bdc.following": ("following business day", "顺延至下一工作日"),
    "dl.bdc.modified_following": ("modified following", "经修正的顺延"),
    "dl.dc.30/360": ("30/360", "30/360"),
    "dl.dc.ACT/365": ("actual/365", "实际天数/365"),
    "dl.parties": g.DEAL["parties"],
    "dl.originator": g.DEAL["originator"],
    "dl.servicer": g.DEAL["servicer"],
    "dl.manager": g.DEAL["manager"],
    "dl.trustee": g.DEAL["trustee"],
    "dl.lead_underwriter": g.DEAL["underwriter"],
    "dl.rating_agencies": g.DEAL["rating_agencies"],
    "dl.rating_agencies_help": (
        "Separate several names with commas.", "多个名称以逗号或顿号分隔。"
    ),
    "dl.error": ("{field}: {message}", "{field}:{message}"),
}

# Pool page: a new tape starts a new deal.
NEW_DEAL: dict[str, Label] = {
    "nd.title": ("Start a new deal from {file}", "以 {file} 开始新交易"),
    "nd.intro": (
        "A new pool starts a new deal. Choose what it keeps of the current deal {deal}; the "
        "note classes are always kept, as shares of the pool.",
        "新的资产池将开始一笔新交易。请选择保留当前交易 {deal} 的哪些内容;证券档次总是保留"
        "(按占资产池的比例)。",
    ),
    "nd.pending": (
        "Until you start the new deal, the current deal runs on this tape with its "
        "structure, fees and triggers as they are, and without its eligibility criteria and "
        "concentration limits: {rules}.",
        "开始新交易之前,当前交易以原有的交易结构、费用和触发事件在此资产清单上运行,"
        "且不适用其合格标准与集中度限制:{rules}。",
    ),
    "nd.started_from": (
        "The current deal was started from this tape; its pool, with the deal's eligibility "
        "criteria, is under \"The deal's pool\".",
        "当前交易即由此资产清单开始;适用交易合格标准后的资产池见“交易设定的资产池”。",
    ),
    "nd.no_eligible": (
        "The current deal's eligibility criteria and concentration limits leave no loan of "
        "this tape ({message}); untick them to start the new deal on the whole tape.",
        "当前交易的合格标准与集中度限制将剔除此资产清单的全部资产(说明为英文原文:{message});"
        "取消勾选即可以整个资产清单开始新交易。",
    ),
    "nd.again": ("Start another deal from this tape", "以此资产清单再开始一笔新交易"),
    "nd.name": ("Name of the new deal", "新交易名称"),
    "nd.keep.structure": (
        "Keep the structure: reserve, revolving period, principal mode, clean-up call",
        "保留交易结构:储备账户、循环期、本金偿付方式、清仓回购",
    ),
    "nd.keep.fees": ("Keep the fees", "保留费用"),
    "nd.keep.triggers": ("Keep the triggers", "保留触发事件"),
    "nd.keep.eligibility": (
        "Keep the eligibility criteria and concentration limits",
        "保留合格标准与集中度限制",
    ),
    "nd.keep.dates": (
        "Keep the dates (else the cut-off is today, {today}, and the other dates keep their "
        "distance from it)",
        "保留日期(否则封包日为今天 {today},其他日期与封包日的间隔不变)",
    ),
    "nd.fixed": ("Fixed fee amounts", "固定费用金额"),
    "nd.fixed.scale": (
        "scale to the new pool (× {ratio}: {new} / {old})",
        "按新资产池规模缩放(× {ratio}:{new} / {old})",
    ),
    "nd.fixed.keep": ("keep as they are, flagged", "保持不变并标注提示"),
    "nd.start": ("Start the new deal", "开始新交易"),
    "nd.started": ("New deal {name} started from {file}.", "已以 {file} 开始新交易 {name}。"),
    "nd.scaled": (
        "Fixed amounts scaled by {ratio}: {items}.", "固定金额已按 {ratio} 倍缩放:{items}。"
    ),
    "nd.flagged": (
        "Fixed amounts kept as set for a pool of {old} (the new pool: {new}); check them: "
        "{items}.",
        "固定金额仍为按原资产池({old})设定的数值(新资产池:{new}),请核对:{items}。",
    ),
    "nd.cleared.structure": ("Structure cleared: {items}.", "已清除的交易结构设置:{items}。"),
    "nd.cleared.fees": ("Fees cleared: {items}.", "已清除的费用:{items}。"),
    "nd.cleared.triggers": ("Triggers cleared: {items}.", "已清除的触发事件:{items}。"),
    "nd.cleared.eligibility": (
        "Eligibility criteria and concentration limits cleared: {items}.",
        "已清除的合格标准与集中度限制:{items}。",
    ),
    "nd.revolving_rule": ("{rule} (revolving purchases)", "{rule}(循环购买)"),
    "nd.field.fixed_annual": ("fixed a year", "每年固定金额"),
    "nd.field.cap_per_month": ("cap a month", "每月上限"),
    "nd.field.fixed": ("fixed", "固定金额"),
    "nd.field.cover_limit_per_month": ("cover limit a month", "每月弥补上限"),
    "nd.excess_interest": ("Excess interest", "超额利息"),
    "nd.loss_allocation": ("Loss allocation", "损失分配"),
}

# Floating coupons and the step-up after the clean-up call date (issue 16 item 4b).
FLOATING_COUPONS: dict[str, Label] = {
    "cls.floating": g.DEAL["floating_coupon"],
    "cls.cap_annual": g.DEAL["rate_cap"],
    "cls.floor_annual": g.DEAL["rate_floor"],
    "cls.step_up_bp": g.DEAL["step_up"],
    "st.floating_help": (
        "A ticked class floats: it accrues the benchmark (Assumptions page) plus its coupon, "
        "which is then the margin, within its cap and floor.",
        "勾选的档次为浮动利率：按基准利率（假设页）加票面利率（此时为点差）计息，受利率上下限约束。"),
    "st.cleanup_exercised": g.DEAL["call_exercised"],
    "st.cleanup_exercised_help": (
        "Untick for the extension stress: the call is not exercised, the deal runs on and "
        "the classes' step-ups apply from the first month it could have been.",
        "取消勾选即为展期压力：不行使清仓回购，交易继续，各档利率跳升自可行权首月起适用。"),
    "as.benchmark": g.DEAL["benchmark_path"],
    "as.benchmark_help": (
        "Floating coupons follow this path: the row of month 1 is the starting annual rate, "
        "each later row sets the rate from its month on.",
        "浮动利率按此路径计息：第1个月所在行为起始年利率，其后每行自该月起生效。"),
    "as.benchmark_name": ("Benchmark", "基准利率"),
    "bm.month": ("From month", "起始月份"),
    "bm.rate_annual": ("Annual rate", "年利率"),
    "ss.col.benchmark_shift_bp": ("Benchmark shift (bp)", "基准利率平移(bp)"),
    "ss.rule.benchmark_shift_bp": (
        "basis points in (-10000, 10000) that keep every benchmark rate in [0, 1)",
        "须为 (-10000, 10000) 内的基点数,且平移后各期基准利率在 [0, 1) 内"),
}

TABLES: tuple[dict[str, Label], ...] = (
    DEAL_PAGE, NEW_DEAL, APP, DASK_SIDEBAR, POOL_PAGE, ELIGIBILITY_RULES, POOL_COLUMNS,
    STATIC_POOL_COLUMNS,
    POOL_TABLES, CASHFLOW_PAGE, DEFAULT_CHART,
    CLASS_TABLE, CASHFLOW_COLUMNS, CASHFLOW_OPTION_COLUMNS, INSPECTOR_PAGE, INSPECTOR_PATHS,
    DEAL_PANEL,
    ASSUMPTIONS_PAGE, STRUCTURE_PAGE,
    RESULTS_PAGE,
    STRUCTURING_PAGE, NEWCOMER_NOTES,
    WATERFALL_OPTIONS, EXPORT_PAGE, EXPORT_SHEETS, EXPORT_PDF, STATIC_POOL_PAGE, STRESS_PAGE,
    TIER_OPTIONS,
    FLOATING_COUPONS,
)
LABELS: dict[str, Label] = {key: label for table in TABLES for key, label in table.items()}


def lang() -> str:
    """The chosen language code, ``"en"`` or ``"zh"`` (from session state)."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def money_unit() -> str:
    """The money unit Chinese amounts are shown in: ``"wan"`` (万元) or ``"yi"`` (亿元)."""
    value = st.session_state.get(MONEY_UNIT_KEY, DEFAULT_MONEY_UNIT)
    return value if value in g.MONEY_UNITS else DEFAULT_MONEY_UNIT


def lang_index() -> int:
    """0 for English, 1 for Chinese: the index into a ``(english, chinese)`` label."""
    return LANGS.index(lang())


def t(key: str) -> str:
    """The label ``key`` in the chosen language; a missing key is a bug (KeyError)."""
    return LABELS[key][lang_index()]


def column(prefix: str, name: str) -> str:
    """Header of table column ``name`` from the labels ``<prefix>.<name>``."""
    return t(f"{prefix}.{name}")


def columns(prefix: str, names: Iterable[str]) -> dict[str, str]:
    """``{name: header}`` for a DataFrame rename, from the labels ``<prefix>.<name>``."""
    return {name: column(prefix, name) for name in names}


def namer(prefix: str, names: Iterable[str]) -> Callable[[str], str]:
    """A ``format_func`` for options ``names``, labelled ``<prefix>.<name>`` in the language
    chosen now (a format function must not read session state when it is called later)."""
    return {name: column(prefix, name) for name in names}.__getitem__


def deal_name(name: str) -> str:
    """A deal's name as shown: a sample deal's in the chosen language, any other as its user
    wrote it (:func:`abs_tool.io.samples.display_name`)."""
    return display_name(name, lang())


def summary_label(field: str) -> str:
    """Name of a :class:`abs_tool.analysis.pool_stats.PoolSummary` figure in the chosen language."""
    return SUMMARY_LABELS[field][lang_index()]
