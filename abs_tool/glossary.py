"""Every concept term the tool shows, in English and Chinese: one table per concept.

The app's labels (``ui/labels.py``), the workbook's (:mod:`abs_tool.report.excel.labels`),
the pool summary's (:data:`abs_tool.analysis.pool_stats.SUMMARY_LABELS`), the Structuring
tables' (:mod:`abs_tool.report.tables`) and the validation messages draw their terms from
here, so that one English term is translated one way everywhere (a test finds any English
label translated two ways across those tables, and any Chinese label using a variant listed
in :data:`AVOID`).

Chinese terms are those of a Chinese rating report: tiers 优先级 / 中间级 / 次级 (a class
keeps the name its user gave it, such as 优先A级), 预期损失, 违约概率, 加权平均期限,
内部收益率, 目标违约率, 临界违约率, 信用增级, 超额利差, 次级支持, 早偿率, 计划管理人.

Each table maps a key to ``(english, chinese)``; :func:`term` reads one in a language,
:func:`reason` fills a validation reason's template by its code. Nothing here imports
anything above :mod:`abs_tool.errors`: every layer may use it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

LANGS: tuple[str, ...] = ("en", "zh")
"""Languages, in the order of every ``(english, chinese)`` pair."""

Label = tuple[str, str]

# --- Tiers --------------------------------------------------------------------------------------

TIERS: dict[str, Label] = {
    "senior": ("Senior", "优先级"),
    "mezzanine": ("Mezzanine", "中间级"),
    "subordinated": ("Subordinated", "次级"),
}
"""A class's tier (:class:`abs_tool.model.deal.Tier` values); class names are the user's."""

# --- Deal and pool words -----------------------------------------------------------------------

DEAL: dict[str, Label] = {
    "deal": ("Deal", "交易"),
    "pool": ("Pool", "资产池"),
    "class": ("Class", "档次"),
    "classes": ("Note classes", "证券档次"),
    "tier": ("Tier", "层级"),
    "amount": ("Amount", "金额"),
    "class_amount": ("Amount issued", "发行金额"),
    "balance": ("Balance", "未偿本金"),
    "pool_balance": ("Pool balance", "资产池未偿本金"),
    "loans": ("Loans", "笔数"),
    "loan_count": ("Number of loans", "资产笔数"),
    "obligor": ("Obligor", "借款人"),
    "coupon": ("Coupon", "票面利率"),
    "target_rating": ("Target rating", "目标评级"),
    "rating": ("Rating", "评级"),
    "currency": ("Currency", "币种"),
    "assumptions": ("Assumptions", "模型假设"),
    "structuring": ("Structuring", "结构设计"),
    "term_sheet": ("Term sheet", "条款概要"),
    "cash_flows": ("Cash flows", "现金流"),
    "total": ("Total", "合计"),
    "residual": ("Residual", "剩余收益"),
    "reserve": ("Reserve account", "储备账户"),
    "trigger": ("Trigger", "触发事件"),
    "triggers": ("Triggers", "触发事件"),
    "revolving": ("Revolving", "循环期"),
    "revolving_period": ("Revolving period (months)", "循环期(月)"),
    "upfront_fees": ("Upfront fees", "前端费用"),
    "senior_fees": ("Senior fees", "优先费用"),
    "value": ("Value", "数值"),
    "unit": ("Unit", "单位"),
    "figure": ("Figure", "指标"),
    "bucket": ("Bucket", "分层"),
    "share": ("Share", "占比"),
    "share_of_balance": ("Share of balance", "本金占比"),
    "source": ("Source", "来源"),
    "input": ("Input", "输入项"),
    "date": ("Date", "日期"),
    "period": ("Period", "期数"),
    "statistic": ("Statistic", "统计量"),
    "probability": ("Probability", "概率"),
    # Static pools and stress tests (issue 17).
    "static_pool": ("Static pool", "静态池"),
    "vintage": ("Vintage", "放款月份"),
    "months_on_book": ("Months on book", "账龄(月)"),
    "stress_tests": ("Stress tests", "压力测试"),
    "scenario": ("Scenario", "情景"),
    # Dates and parties (DOMAIN.md; issue 18).
    "cutoff": ("Cut-off date", "封包日"),
    "closing": ("Closing date", "起息日"),
    "first_payment": ("First payment date", "首个兑付日"),
    "payment_date": ("Payment date", "兑付日"),
    "legal_final": ("Legal final date", "法定到期日"),
    "expected_final": ("Expected final", "预期到期日"),
    "originator": ("Originator", "原始权益人"),
    "servicer": ("Servicer", "资产服务机构"),
    "manager": ("Manager", "计划管理人"),
    "trustee": ("Trustee and custodian", "托管人"),
    "underwriter": ("Lead underwriter", "主承销商"),
    "rating_agency": ("Rating agency", "评级机构"),
    "rating_agencies": ("Rating agencies", "评级机构"),
    # Page 1 of the term sheet (issue 18 item 2).
    "parties": ("Parties", "参与机构"),
    "day_count": ("Day count", "计息基准"),
    "business_day_convention": ("Business day convention", "工作日调整规则"),
    "amortisation_type": ("Amortisation", "摊还方式"),
    "revolving_criteria": ("Revolving criteria", "循环购买标准"),
    "clean_up_call": ("Clean-up call", "清仓回购"),
    # Liquidity support (issue 16 item 5).
    "liquidity_reserve": ("Liquidity reserve", "流动性储备账户"),
    "servicer_advance": ("Servicer advance", "资产服务机构垫付"),
}

# --- Metrics -------------------------------------------------------------------------------------

METRICS: dict[str, Label] = {
    "el": ("EL", "预期损失"),
    "expected_loss": ("Expected loss (EL)", "预期损失"),
    "pd": ("PD", "违约概率"),
    "default_probability": ("Default probability (PD)", "违约概率"),
    "lgd": ("LGD", "违约损失率"),
    "lgd_given_loss": ("LGD given loss", "损失时违约损失率"),
    "wal": ("WAL", "加权平均期限"),
    "wal_years": ("WAL (years)", "加权平均期限(年)"),
    "irr": ("IRR", "内部收益率"),
    "yield": ("Yield", "收益率"),
    "dirr": ("DIRR", "收益率减损"),
    "dirr_bp": ("DIRR (bp)", "收益率减损(bp)"),
    "tdr": ("TDR", "目标违约率"),
    "target_default_rate": ("Target default rate (TDR)", "目标违约率"),
    "bdr": ("BDR", "临界违约率"),
    "break_even_default_rate": ("Break-even default rate (BDR)", "临界违约率"),
    "credit_enhancement": ("Credit enhancement", "信用增级"),
    "subordination": ("Subordination", "次级支持"),
    "indicative_rating": ("Indicative rating", "参考评级"),
    "excess_spread": ("Excess spread", "超额利差"),
    "excess_spread_annual": ("Excess spread (a year)", "超额利差(年化)"),
    "default_rate": ("Default rate", "违约率"),
    "cumulative_default_rate": ("Cumulative default rate", "累计违约率"),
    "lifetime_default_rate": ("Lifetime cumulative default rate", "累计违约率"),
    "timing_curve": ("Default timing curve", "违约时间分布"),
    "loss_rate": ("Loss rate", "损失率"),
    "principal_loss": ("Principal loss", "本金损失率"),
    "loss_pv": ("PV loss", "损失现值率"),
    "recovery_rate": ("Recovery rate", "回收率"),
    "recovery_lag": ("Recovery lag (months)", "回收滞后(月)"),
    "prepayment": ("Prepayment", "早偿"),
    "cpr": ("CPR", "早偿率"),
    "cpr_annual": ("CPR (a year)", "年化早偿率"),
    "cdr": ("CDR", "年化违约率"),
    "cdr_annual": ("CDR (a year)", "年化违约率"),
    "correlation": ("Correlation", "相关系数"),
    "asset_correlation": ("Asset correlation", "资产相关系数"),
    "sector_correlation": ("Sector correlation", "行业相关系数"),
    "copula": ("Copula", "连接函数"),
    "default_multiplier": ("Default multiplier", "违约倍数"),
    "pd_multiplier": ("PD multiplier", "违约概率倍数"),
    "annual_pd": ("Annual PD", "年违约概率"),
    "wa_rate": ("WA rate", "加权平均利率"),
    "wac": ("Weighted average rate", "加权平均利率"),
    "wa_coupon": ("WA coupon of placed classes", "对外发行档次加权平均票面利率"),
    "all_in": ("All-in cost", "综合融资成本"),
    "benchmark": ("Benchmark funding rate", "基准融资利率"),
    "saving_bp": ("Saving vs benchmark (bp)", "较基准节约(bp)"),
    "cost_of_funds": ("Cost of funds", "融资成本"),
    "standard_error": ("Standard error", "标准误"),
    "se": ("se", "标准误"),
    "paths": ("Paths", "模拟路径数"),
    "seed": ("Seed", "随机种子"),
    "monte_carlo": ("Monte Carlo", "蒙特卡洛模拟"),
    "importance_sampling": ("Importance sampling", "重要性抽样"),
    "threshold": ("Threshold", "阈值"),
    "margin": ("Margin", "余量"),
    "mean": ("Mean", "均值"),
}

# --- Stress scenarios ---------------------------------------------------------------------------

SCENARIOS: dict[str, Label] = {
    "base": ("base", "基准"),
    "front-loaded defaults": ("front-loaded defaults", "违约前置"),
    "back-loaded defaults": ("back-loaded defaults", "违约后置"),
    "high prepayment": ("high prepayment", "高早偿"),
    "low prepayment": ("low prepayment", "低早偿"),
    "lower recovery": ("lower recovery", "回收率降低"),
    "later recovery": ("later recovery", "回收延后"),
    "yield compression": ("yield compression", "资产收益率压缩"),
}
"""The indicative stress scenarios' names (:data:`abs_tool.analysis.stress.DEFAULT_SCENARIOS`)
by their English name; a user's scenario keeps the name it was given."""

# --- Tape fields ---------------------------------------------------------------------------------

FIELDS: dict[str, Label] = {
    "loan_id": ("Loan ID", "资产编号"),
    "balance": ("Balance", "未偿本金"),
    "rate": ("Rate", "利率"),
    "remaining_term": ("Remaining term", "剩余期限"),
    "amortization": ("Repayment type", "还款方式"),
    "original_balance": ("Original balance", "初始本金"),
    "original_term": ("Original term", "合同期限"),
    "seasoning": ("Seasoning", "账龄"),
    "annual_pd": ("Annual PD", "年违约概率"),
    "lgd": ("LGD", "违约损失率"),
    "grade": ("Grade", "信用等级"),
    "obligor_id": ("Obligor ID", "借款人编号"),
    "region": ("Region", "地区"),
    "industry": ("Industry", "行业"),
    "score": ("Score", "信用评分"),
    "default_month": ("Default month", "违约月份"),
    "recovery_rate": ("Recovery rate", "回收率"),
}
"""Loan-tape columns (:data:`abs_tool.model.columns.ALL_COLUMNS`), and a default
schedule's (:mod:`abs_tool.io.default_schedule`)."""

AMORTIZATION: dict[str, Label] = {
    "level": ("level payment", "等额本息"),
    "equal_principal": ("equal principal", "等额本金"),
    "bullet": ("bullet", "到期一次还本"),
    "interest_only": ("interest only", "按期付息到期还本"),
    "installment_fee": ("instalment with a flat fee", "等额本金加固定手续费"),
}

# --- Units ---------------------------------------------------------------------------------------

UNITS: dict[str, Label] = {
    "yuan": ("RMB", "元"),
    "wan": ("RMB 10,000", "万元"),
    "yi": ("RMB 100 million", "亿元"),
    "months": ("months", "个月"),
    "years": ("years", "年"),
    "annual": ("annual", "年化"),
    "of_balance": ("of balance", "占本金"),
    "bp": ("bp", "bp"),
}

MONEY_UNITS: tuple[str, ...] = ("wan", "yi")
"""How Chinese displays show amounts: in 万元 (10,000 yuan) or 亿元 (100 million yuan).
English shows RMB with thousands separators."""

# --- Severity and validation reasons ---------------------------------------------------------

SEVERITY: dict[str, Label] = {
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
}

REASONS: dict[str, Label] = {
    "not_a_number": (
        "`{column}` is not a number; write plain digits, without thousands separators, % "
        "signs or units",
        "“{column_zh}”不是数字;请只填写数字,不要千位分隔符、百分号或单位",
    ),
    "required_empty": ("required value `{column}` is empty", "必填项“{column_zh}”为空"),
    "whole_months": (
        "`{column}` must be a whole number of months (3.0 is fine, 3.5 is not)",
        "“{column_zh}”须为整月数(3.0 可以,3.5 不行)",
    ),
    "range": ("{expected}", "{expected_zh}"),
    "control_char": (
        "`{column}` contains a control character; remove it",
        "“{column_zh}”含有控制字符;请删除",
    ),
    "too_long": (
        "`{column}` has {n} characters, more than the {limit} a spreadsheet cell holds; "
        "shorten it",
        "“{column_zh}”有 {n} 个字符,超过电子表格单元格可容纳的 {limit} 个;请缩短",
    ),
    "loan_id_chars": (
        "`loan_id` may hold only letters A-Z a-z, digits and _ . - /, and must start with a "
        "letter, digit or _ (a leading = + - @ could run as a spreadsheet formula)",
        "资产编号只能包含字母 A-Z a-z、数字及 _ . - /,且须以字母、数字或 _ 开头"
        "(以 = + - @ 开头可能被电子表格当作公式执行)",
    ),
    "duplicate_id": (
        "duplicate `loan_id`, first given in row {first}",
        "资产编号重复,首次出现在第 {first} 行",
    ),
    "unknown_amortization": (
        "unknown `amortization`; {hint}accepted: {accepted}",
        "无法识别的还款方式;{hint_zh}可接受:{accepted}",
    ),
    "negative_seasoning": (
        "`original_term` is shorter than `remaining_term`, so `seasoning` would be negative; "
        "correct either term or give `seasoning`",
        "合同期限短于剩余期限,账龄将为负数;请更正其中一个期限,或填写账龄",
    ),
    "unknown_column": (
        "unknown column (column {letter}), ignored", "无法识别的列(第 {letter} 列),已忽略"
    ),
    "duplicate_headers": (
        "headers {named} all mean `{column}`; keep only one",
        "表头 {named} 都表示“{column_zh}”;请只保留一个",
    ),
    "missing_column": (
        "required column `{column}` is missing; the header row (row 1) must name it "
        "`{column}`{aliases}",
        "缺少必填列“{column_zh}”;表头(第 1 行)须将其命名为 `{column}`{aliases_zh}",
    ),
    "unnamed_column": (
        "column {letter} has values but no header, ignored",
        "第 {letter} 列有数据但没有表头,已忽略",
    ),
    "no_rows": ("the tape has no loan rows below the header", "资产清单表头下没有资产行"),
    "empty_rows": ("{n} empty row(s) ignored ({rows})", "已忽略 {n} 个空行({rows_zh})"),
    "optional_missing": (
        "optional column `{column}` is not on the tape; every loan gets {note}",
        "资产清单没有可选列“{column_zh}”;所有资产取{note_zh}",
    ),
    "empty_filled": (
        "{n} empty cell(s) filled with {note} ({rows})",
        "{n} 个空单元格已填入{note_zh}({rows_zh})",
    ),
    "extra_fields": (
        "the row has more fields than the header ({width}); a value probably contains an "
        "unquoted comma; quote it or remove the comma",
        "该行字段数多于表头({width} 个);可能某个值含有未加引号的逗号;请加引号或删除逗号",
    ),
    "rate_percent": (
        "`rate` looks like percent (got {value}); give {decimal} or choose rate unit "
        "'percent'",
        "利率看起来是百分数(读到 {value});请填写 {decimal},或选择利率单位“百分数”",
    ),
    "rate_percent_some": (
        "{rows}: a `rate` above 1 among decimal rates looks like percent; write {decimal} for "
        "{value}%",
        "{rows_zh}:小数利率中出现大于 1 的利率,看起来是百分数;{value}% 应写作 {decimal}",
    ),
    "rate_not_percent": (
        "rate unit is 'percent' but every `rate` is <= 1 (largest {value}, read as {read}); "
        "check that the rates are in percent",
        "利率单位为“百分数”,但所有利率都不大于 1(最大 {value},读作 {read});"
        "请确认利率是否为百分数",
    ),
    "empty_file": ("the file is empty", "文件为空"),
    "schedule_month_whole": (
        "`default_month` must be a whole number of months >= 1",
        "违约月份须为不小于 1 的整月数",
    ),
    "schedule_recovery_range": (
        "`recovery_rate` must be in [0, 1], a decimal such as 0.3 (empty: the scenario's "
        "rate)",
        "回收率须在 [0, 1] 内,如 0.3(留空则采用情景的回收率)",
    ),
    "schedule_unknown_loan": (
        "`loan_id` is not on the deal's loan tape", "资产编号不在本交易的资产清单中"
    ),
    "schedule_month_horizon": (
        "`default_month` must be in 1..{horizon}, the deal's months",
        "违约月份须在 1 至 {horizon} 之间(交易的期数)",
    ),
    "schedule_after_maturity": (
        "the loan's last month is {term} (its `remaining_term`): it has no balance left to "
        "default after it",
        "该资产的最后一期为第 {term} 期(剩余期限),其后已无本金可违约",
    ),
    "also_in_rows": (
        "{first}: also in {n} more row(s) not listed one by one ({rows})",
        "{first_zh}:另有 {n} 行同样问题,未逐一列出({rows_zh})",
    ),
}
"""Validation reasons of the tape reader by code: English templates give the library's own
message exactly (a test checks it); a ``{name_zh}`` placeholder is filled with the Chinese of
the parameter ``name`` (:func:`reason`)."""

# Chinese of what a missing optional value becomes (abs_tool.io.tape: the English is there).
DEFAULT_NOTES_ZH: dict[str, str] = {
    "amortization": "等额本息(level)",
    "original_balance": "当前未偿本金",
    "original_term": "剩余期限 + 账龄",
    "seasoning": "合同期限 - 剩余期限(有合同期限时),否则为 0",
    "annual_pd": "空值:清单未给出,采用交易的违约假设",
    "lgd": "空值:清单未给出,采用交易的回收假设",
    "score": "空值:清单未给出",
    "grade": "等级 NR(未评级)",
    "obligor_id": "其资产编号(每笔资产一个借款人)",
    "region": "UNKNOWN(未知)",
    "industry": "UNKNOWN(未知)",
}

# Chinese of the range each numeric tape column must be in (abs_tool.io.tape._RULES).
RANGES_ZH: dict[str, str] = {
    "balance": "未偿本金须在 0.01 至 10,000,000,000,000 之间(一分至十万亿)",
    "original_balance": "初始本金须在 0.01 至 10,000,000,000,000 之间(一分至十万亿)",
    "rate": "利率须为 [0, 1) 内的年化小数,如 0.051",
    "remaining_term": "剩余期限须在 1 至 1200 个月之间",
    "original_term": "合同期限须在 1 至 1200 个月之间",
    "seasoning": "账龄须在 0 至 1200 个月之间(不能为负)",
    "annual_pd": "年违约概率须为 [0, 1] 内的小数,如 0.02",
    "lgd": "违约损失率须为 [0, 1] 内的小数,如 0.45",
    "score": "信用评分须为数字",
}


# --- Variants a Chinese label must not use ----------------------------------------------------

AVOID: dict[str, tuple[str, ...]] = {
    "优先级": ("优先A级", "优先档"),
    "中间级": ("优先B级", "夹层"),
    "临界违约率": ("盈亏平衡违约率",),
    "收益率减损": ("收益率下降",),
    "早偿": ("提前还款",),
    "预期损失": ("预期损失率",),
}
"""Chinese term -> variants of it that no label may use (they were used before the glossary
joined the four label tables)."""

TABLES: tuple[dict[str, Label], ...] = (
    TIERS, DEAL, METRICS, FIELDS, AMORTIZATION, UNITS, SEVERITY, SCENARIOS,
)
"""The term tables (keys unique within each; :data:`REASONS` are sentences, not terms)."""


def lang_index(lang: str) -> int:
    """0 for English, 1 for Chinese.

    Raises
    ------
    KeyError
        ``lang`` not in :data:`LANGS`.
    """
    if lang not in LANGS:
        raise KeyError(f"`lang` (got {lang!r}) must be one of {list(LANGS)}")
    return LANGS.index(lang)


def term(table: Mapping[str, Label], key: str, lang: str) -> str:
    """``table[key]`` in ``lang``; a missing key is a bug (KeyError)."""
    return table[key][lang_index(lang)]


def placeholders(text: str) -> set[str]:
    """The ``{names}`` of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _rows_zh(numbers: str, more: str) -> str:
    """``第 3、5、7 行`` (and how many more) from ``"3,5,7"`` and a count."""
    text = "第 " + "、".join(numbers.split(",")) + " 行"
    return text + (f"及另外 {more} 行" if more and more != "0" else "")


def reason(code: str, params: Mapping[str, str], lang: str) -> str:
    """The validation reason ``code`` filled with ``params`` in ``lang``.

    A Chinese template's ``{name_zh}`` is, where not given: the Chinese name of a tape
    column (``column_zh``), of what a missing value becomes (``note_zh``), of a column's
    range (``expected_zh``), a row list (``rows_zh``, from ``row_numbers`` and ``more``), a
    spelling hint (``hint_zh``, from ``closest`` and ``closest_code``), else the parameter
    ``name`` itself (a number or the user's own text needs no translation). Raises KeyError
    for an unknown code or a missing parameter.
    """
    template = REASONS[code][lang_index(lang)]
    values: dict[str, str] = dict(params)
    column = values.get("column", "")
    derived = {
        "column_zh": FIELDS[column][1] if column in FIELDS else column,
        "note_zh": DEFAULT_NOTES_ZH.get(column, values.get("note", "")),
        "expected_zh": RANGES_ZH.get(column, values.get("expected", "")),
        "rows_zh": _rows_zh(values.get("row_numbers", ""), values.get("more", "")),
        "hint_zh": (f"最接近的可接受值:{values['closest']!r}(= {values['closest_code']!r});"
                    if values.get("closest") else ""),
        "aliases_zh": values.get("aliases", "").replace(" or ", " 或 "),
    }
    for name in placeholders(template):
        if name.endswith("_zh") and name not in values:
            values[name] = derived.get(name, values.get(name.removesuffix("_zh"), ""))
    return template.format(**values)
