"""Every user-visible label of the app, in English and Chinese.

One table per concept, each ``{key: (english, chinese)}``; :data:`LABELS` joins them (keys are
unique across tables, which a test checks, with matching ``{placeholders}`` in both
languages). Pages call :func:`t` with a literal key, or :func:`column` / :func:`columns` for
table headers; a test checks that every key used under ``ui/`` exists.

Summary figure names come from the library's own bilingual table
(:data:`abs_tool.analytics.SUMMARY_LABELS`), read through :func:`summary_label`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st

from abs_tool.analytics import LANGS, SUMMARY_LABELS

LANG_KEY = "lang"
DEFAULT_LANG = "en"
LANG_NAMES: dict[str, str] = {"en": "English", "zh": "中文"}

Label = tuple[str, str]

APP: dict[str, Label] = {
    "app.language": ("Language / 语言", "Language / 语言"),
    "nav.pool": ("Pool", "资产池"),
    "nav.cashflows": ("Cash flows", "现金流"),
    "currency": ("RMB", "元"),
    "unit.months": ("months", "个月"),
    "unit.years": ("years", "年"),
}

POOL_PAGE: dict[str, Label] = {
    "pool.title": ("Loan pool", "基础资产池"),
    "pool.source": ("Pool source", "资产池来源"),
    "source.consumer": ("Sample: consumer (白条-like)", "样例:消费分期(白条类)"),
    "source.factoring": ("Sample: factoring (京保贝-like)", "样例:保理应收账款(京保贝类)"),
    "source.upload": ("Upload tape", "上传资产清单"),
    "pool.name": ("Pool: {name}", "资产池:{name}"),
    "tape.upload": ("Loan tape (CSV or XLSX)", "资产清单(CSV 或 XLSX)"),
    "tape.sheet": ("Sheet name (XLSX)", "工作表名称(XLSX)"),
    "tape.sheet_help": (
        "Empty: the first sheet of the workbook.", "留空:读取工作簿的第一个工作表。"
    ),
    "tape.rate_unit": ("Rates in the tape", "清单中的利率单位"),
    "rate_unit.decimal": ("decimal (0.051)", "小数(0.051)"),
    "rate_unit.percent": ("percent (5.1)", "百分数(5.1)"),
    "tape.waiting": (
        "Upload a loan tape to use it as the pool; the format is described in docs/tape.md.",
        "请上传资产清单作为资产池;格式见 docs/tape.md。",
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

# Loan-tape columns (abs_tool.schema.ALL_COLUMNS): the stratification choices.
POOL_COLUMNS: dict[str, Label] = {
    "col.loan_id": ("Loan ID", "资产编号"),
    "col.balance": ("Balance", "未偿本金"),
    "col.rate": ("Rate", "利率"),
    "col.remaining_term": ("Remaining term", "剩余期限"),
    "col.amortization": ("Repayment type", "还款方式"),
    "col.original_balance": ("Original balance", "初始本金"),
    "col.original_term": ("Original term", "合同期限"),
    "col.seasoning": ("Seasoning", "账龄"),
    "col.annual_pd": ("Annual PD", "年违约概率"),
    "col.lgd": ("LGD", "违约损失率"),
    "col.grade": ("Grade", "信用等级"),
    "col.obligor_id": ("Obligor ID", "借款人编号"),
    "col.region": ("Region", "地区"),
    "col.industry": ("Industry", "行业"),
    "col.score": ("Score", "信用评分"),
}

# Headers of the tables the pool page shows (keys: the library's column names).
POOL_TABLES: dict[str, Label] = {
    "summary.label": ("Figure", "指标"),
    "summary.value": ("Value", "数值"),
    "summary.unit": ("Unit", "单位"),
    "strat.bucket": ("Bucket", "分层"),
    "strat.count": ("Loans", "笔数"),
    "strat.balance": ("Balance", "未偿本金"),
    "strat.share": ("Share of balance", "本金占比"),
    "strat.wac": ("WA rate", "加权平均利率"),
    "strat.wa_remaining_term": ("WA remaining term (months)", "加权平均剩余期限(月)"),
    "strat.wa_annual_pd": ("WA annual PD", "加权平均年违约概率"),
    "issue.severity": ("Severity", "级别"),
    "issue.row": ("Row", "行号"),
    "issue.column": ("Column", "列"),
    "issue.value": ("Value", "值"),
    "issue.reason": ("Reason", "原因"),
    "severity.error": ("error", "错误"),
    "severity.warning": ("warning", "警告"),
    "report.rule": ("Rule", "规则"),
    "report.condition": ("Condition", "条件"),
    "report.loans_removed": ("Loans removed", "剔除笔数"),
    "report.balance_removed": ("Balance removed", "剔除本金"),
    "report.share_removed": ("Share removed", "剔除占比"),
    "excluded.loan_id": ("Loan ID", "资产编号"),
    "excluded.obligor_id": ("Obligor ID", "借款人编号"),
    "excluded.balance": ("Balance", "未偿本金"),
    "excluded.rule": ("Rule", "规则"),
    "excluded.round": ("Concentration round", "集中度轮次"),
}

CASHFLOW_PAGE: dict[str, Label] = {
    "cf.title": ("Cash flows", "现金流"),
    "cf.deal": ("Sample deal", "样例交易"),
    "deal.consumer": ("Consumer instalment ABS (白条-like)", "消费分期 ABS(白条类)"),
    "deal.factoring": ("Supply-chain factoring ABS (京保贝-like)", "供应链保理 ABS(京保贝类)"),
    "cf.deal_caption": (
        "{deal}: {loans} loans, pool balance {balance}.",
        "{deal}:{loans} 笔资产,资产池本金 {balance}。",
    ),
    "cf.scenario": ("Deterministic scenario", "确定性情景"),
    "cf.scenario_help": (
        "Empty fields keep the deal's assumption (shown in grey). Rates are decimals.",
        "留空则沿用交易假设(灰色显示)。利率为小数。",
    ),
    "cf.cdr_on": ("Flat CDR instead of the deal's defaults", "以固定 CDR 替代违约假设"),
    "cf.cdr": ("CDR (annual)", "年违约率 CDR"),
    "cf.cpr": ("CPR (annual)", "年提前还款率 CPR"),
    "cf.recovery": ("Recovery rate", "回收率"),
    "cf.lag": ("Recovery lag (months)", "回收滞后(月)"),
    "cf.multiplier": ("Default multiplier", "违约压力倍数"),
    "cf.deal_value": ("deal: {value}", "交易假设:{value}"),
    "cf.classes": ("Note classes", "证券档次"),
    "cf.bdr_help": (
        "BDR: lifetime pool default rate at which the class starts to lose, under the deal's "
        "default assumption stressed by a multiplier; unticked 'reached' means it never loses "
        "and the rate is a lower bound.",
        "BDR:在交易违约假设按倍数加压下,该档次开始出现损失时的资产池累计违约率;"
        "未勾选'达到'表示始终无损失,所示比率为下限。",
    ),
    "cf.balances_chart": ("Class balances", "各档次未偿余额"),
    "cf.collections_chart": ("Pool collections", "资产池回收款"),
    "cf.periods": ("Period tables", "分期明细"),
    "cf.tab_pool": ("Pool", "资产池"),
    "cf.tab_fees": ("Fees", "费用"),
    "cf.tab_reserve": ("Reserve", "储备账户"),
    "cf.tab_triggers": ("Triggers", "触发事件"),
    "cf.no_triggers": ("This deal has no triggers.", "该交易未设触发事件。"),
    "cf.series": ("Series", "项目"),
    "cf.amount": ("Amount", "金额"),
    "tier.senior": ("senior", "优先A级"),
    "tier.mezzanine": ("mezzanine", "优先B级"),
    "tier.subordinated": ("subordinated", "次级"),
}

# Class table headers (abs_tool.report.class_table columns shown).
CLASS_TABLE: dict[str, Label] = {
    "ct.class": ("Class", "档次"),
    "ct.tier": ("Tier", "层级"),
    "ct.original_balance": ("Balance", "发行金额"),
    "ct.coupon": ("Coupon", "票面利率"),
    "ct.wal_years": ("WAL (years)", "加权平均期限(年)"),
    "ct.yield": ("Yield", "收益率"),
    "ct.principal_loss": ("Principal loss", "本金损失率"),
    "ct.loss_pv": ("PV loss", "损失现值率"),
    "ct.dirr_bp": ("Yield reduction (bp)", "收益率下降(bp)"),
    "ct.bdr": ("BDR", "盈亏平衡违约率"),
    "ct.bdr_reached": ("BDR reached", "是否达到"),
}

# Period-table headers (abs_tool.report.cashflow_tables: pool, class and reserve tables).
CASHFLOW_COLUMNS: dict[str, Label] = {
    "cfc.period": ("Period", "期数"),
    "cfc.date": ("Date", "日期"),
    "cfc.balance_open": ("Opening balance", "期初余额"),
    "cfc.interest": ("Interest", "利息"),
    "cfc.scheduled_principal": ("Scheduled principal", "正常还本"),
    "cfc.prepayment": ("Prepayment", "提前还款"),
    "cfc.default": ("Defaults", "违约金额"),
    "cfc.recovery": ("Recoveries", "违约回收"),
    "cfc.loss": ("Losses", "损失"),
    "cfc.fee_income": ("Fee income", "手续费收入"),
    "cfc.balance_close": ("Closing balance", "期末余额"),
    "cfc.purchases": ("Revolving purchases", "循环购买"),
    "cfc.call_proceeds": ("Clean-up call proceeds", "清仓回购款"),
    "cfc.collections": ("Collections", "回收款合计"),
    "cfc.cumulative_default_rate": ("Cumulative default rate", "累计违约率"),
    "cfc.revolving": ("Revolving", "循环期"),
    "cfc.accelerated": ("Accelerated", "加速清偿"),
    "cfc.interest_due": ("Interest due", "应付利息"),
    "cfc.interest_paid": ("Interest paid", "实付利息"),
    "cfc.interest_shortfall": ("Interest shortfall", "利息缺口"),
    "cfc.principal_paid": ("Principal paid", "偿还本金"),
    "cfc.writedown": ("Write-down", "本金减记"),
    "cfc.residual": ("Residual", "剩余收益"),
    "cfc.target": ("Target balance", "目标余额"),
}

TABLES: tuple[dict[str, Label], ...] = (
    APP, POOL_PAGE, ELIGIBILITY_RULES, POOL_COLUMNS, POOL_TABLES, CASHFLOW_PAGE, CLASS_TABLE,
    CASHFLOW_COLUMNS,
)
LABELS: dict[str, Label] = {key: label for table in TABLES for key, label in table.items()}


def lang() -> str:
    """The chosen language code, ``"en"`` or ``"zh"`` (from session state)."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


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


def summary_label(field: str) -> str:
    """Name of a :class:`abs_tool.analytics.PoolSummary` figure in the chosen language."""
    return SUMMARY_LABELS[field][lang_index()]
