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

import functools
import re
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
    # Floating coupons and the step-up (issue 16 item 4b).
    "floating_coupon": ("Floating coupon", "浮动利率"),
    "benchmark_path": ("Benchmark rate path", "基准利率路径"),
    "rate_cap": ("Rate cap", "利率上限"),
    "rate_floor": ("Rate floor", "利率下限"),
    "step_up": ("Step-up (bp)", "利率跳升(bp)"),
    "call_exercised": ("Call exercised", "行使清仓回购"),
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

# --- The waterfall inspector (abs_tool.analysis.inspector) -----------------------------------

INSPECTOR: dict[str, Label] = {
    "title": ("Waterfall inspector", "分配顺序明细"),
    "steps": ("Priority of payments", "分配顺序"),
    "ledgers": ("Accounts and ledgers", "账户与台账"),
    # the tables' columns
    "col.step": ("Step", "步骤"),
    "col.part": ("Item", "项目"),
    "col.item": ("Line", "明细"),
    "col.funds_before": ("Funds before", "分配前资金"),
    "col.received": ("Received", "收入"),
    "col.due": ("Due", "应付"),
    "col.paid": ("Paid", "已付"),
    "col.shortfall": ("Shortfall carried", "结转缺口"),
    "col.funds_after": ("Funds after", "分配后资金"),
    "col.metric": ("Measure", "指标"),
    "col.value": ("Measured value", "指标值"),
    "col.headroom": ("Headroom", "距阈值空间"),
    "col.breached": ("Breached", "已触发"),
    "col.ledger": ("Account", "账户"),
    # the steps' parts and the ledgers' accounts
    "part.collections": ("Pool collections", "资产池回收款"),
    "part.reserve": ("Reserve account", "储备账户"),
    "part.held": ("Cash held", "留存资金"),
    "part.haircut": ("Excess-spread haircut", "超额利差折减"),
    "part.fee": ("Senior fee", "优先费用"),
    "part.interest": ("Interest", "利息"),
    "part.accelerated_principal": ("Principal (accelerated)", "本金(加速清偿)"),
    "part.principal": ("Principal", "本金分配"),
    "part.purchases": ("Revolving purchases", "循环购买"),
    "part.turbo": ("Turbo principal", "超额本金偿付"),
    # lines that are not a period table's column
    "item.reserve_open": ("Reserve balance released", "储备账户余额转入"),
    "item.held_open": ("Cash held from last month", "上期留存资金"),
    "item.excess_spread_haircut": ("Haircut", "折减"),
    "item.reserve_top_up": ("Top-up to target", "补足至目标余额"),
    "item.notes": ("Notes", "证券本金"),
    "item.receivables": ("Receivables bought", "购买资产"),
    "item.rated_classes": ("Rated classes", "评级档次"),
    "item.written_down_to_date": ("Written down to date (net)", "累计减记(净额)"),
    "item.fee_unpaid": ("Unpaid, carried", "未付结转"),
    "item.reserve_target": ("Target balance", "目标余额"),
    "item.reserve_close": ("Closing balance", "期末余额"),
    "item.principal_deficiency": ("Principal deficiency", "本金亏损"),
    "item.call_proceeds": ("Clean-up call proceeds", "清仓回购款"),
    "item.reinstated": ("Reinstated", "恢复本金"),
    # target balances and floating coupons (issue 16 item 4)
    "item.target_balance": ("Target balance", "目标余额"),
    "item.coupon_period": ("Coupon of the month (before any step-up)", "当期利率(不含跳升)"),
    "item.step_up": ("Step-up applied (1 = yes)", "利率跳升已适用(1为是)"),
    # deal payment frequency (issue 16 item 4b)
    "item.payment_date": ("Payment date of the deal (1 = yes)", "交易兑付日(1为是)"),
    # liquidity support (issue 16 item 5)
    "part.liquidity": DEAL["liquidity_reserve"],
    "part.liquidity_draw": ("Liquidity reserve drawn", "流动性储备账户支付"),
    "part.advance": DEAL["servicer_advance"],
    "part.advance_made": ("Advanced by the servicer", "资产服务机构垫付支付"),
    "part.servicer_advance": DEAL["servicer_advance"],
    "item.liquidity_released": ("Released above target", "超出目标余额部分转入"),
    "item.liquidity_replenished": ("Replenished to target", "补足至目标余额"),
    "item.liquidity_open": ("Opening balance", "期初余额"),
    "item.liquidity_target": ("Target balance", "目标余额"),
    "item.liquidity_drawn": ("Drawn", "动用金额"),
    "item.liquidity_close": ("Closing balance", "期末余额"),
    "item.advance_open": ("Outstanding at start", "期初垫付余额"),
    "item.advance_interest": ("Interest on advances", "垫付利息"),
    "item.advance_reimbursed": ("Reimbursed to the servicer", "偿还垫付款"),
    "item.advance_made": ("Advanced", "新增垫付"),
    "item.advance_lost": ("Lost to the servicer at the end", "到期无法偿还的垫付款"),
    "item.advance_close": ("Outstanding at end", "期末垫付余额"),
    "part.residual": DEAL["residual"],
    "part.pool": DEAL["pool"],
    "item.residual": DEAL["residual"],
}
"""The waterfall inspector's tables (:class:`~abs_tool.analysis.inspector.WaterfallInspection`):
columns, parts and line codes, for the app and the term sheet's Cash Flows sheet."""

PERIOD_LINES: dict[str, Label] = {
    "principal_due": ("Principal due", "应付本金"),
    "coupon_month_annual": ("Coupon of the month, annual (before any step-up)",
                      "当期年化票面利率(不含跳升)"),
    "step_up": ("Step-up applied", "利率跳升已适用"),
    # the lines the inspector names: its terms
    **{key.removeprefix("item."): label for key, label in INSPECTOR.items()
       if key in ("item.target_balance", "item.reinstated")
       or key.startswith(("item.liquidity_", "item.advance_"))},
}
"""The period tables' lines of the waterfall options (issue 16;
:func:`abs_tool.report.tables.cashflow_tables`) by column name, for the app and the term
sheet's Cash Flows sheet: the principal due, the annual coupon of the month and the step-up
flag, and the inspector's own terms (:data:`INSPECTOR` ``item.*``) for the lines it names
(target balance, reinstated, the liquidity reserve's and the servicer advance's lines)."""

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


# --- Deal-file fields and error messages (issue 18 item 3) -------------------------------------

DEAL_FIELDS_ZH: dict[str, str] = {
    # sections
    "version": "版本", "type": "类型", "name": "名称", "currency": "币种",
    "dates": "日期", "parties": "参与机构", "pool": "资产池", "structure": "结构",
    "assumptions": "模型假设", "run": "运行设置", "pricing": "定价",
    # dates and parties
    "cutoff": "封包日", "closing": "起息日", "first_payment": "首个兑付日",
    "legal_final": "法定到期日", "business_day_convention": "工作日调整规则",
    "day_count": "计息基准", "originator": "原始权益人", "servicer": "资产服务机构",
    "manager": "计划管理人", "trustee": "托管人", "lead_underwriter": "主承销商",
    "rating_agencies": "评级机构",
    # pool
    "sample": "样本资产池", "tape": "资产清单文件", "embedded_csv": "内嵌资产清单",
    "file_name": "文件名", "sheet": "工作表", "rate_unit": "利率单位",
    "scale_to_balance": "缩放至本金", "sample_seed": "样本随机种子",
    "eligibility": "合格标准", "concentration": "集中度限制",
    "min_balance": "最低未偿本金", "max_balance": "最高未偿本金", "min_rate": "最低利率",
    "max_rate": "最高利率", "min_remaining_term_months": "最短剩余期限(月)",
    "max_remaining_term_months": "最长剩余期限(月)", "min_seasoning_months": "最短账龄(月)",
    "max_seasoning_months": "最长账龄(月)", "allowed_amortization": "允许的还款方式",
    "allowed_grades": "允许的信用等级", "allowed_regions": "允许的地区",
    "allowed_industries": "允许的行业", "excluded_obligors": "排除的借款人",
    "max_obligor_share": "单一借款人占比上限", "max_region_share": "单一地区占比上限",
    "max_industry_share": "单一行业占比上限",
    # structure
    "classes": "证券档次", "tier": "层级", "size": "规模", "size_unit": "规模单位",
    "coupon_annual": "票面利率", "coupon_priority": "票息顺序",
    "payment_frequency_months": "兑付频率(月)", "target_rating": "目标评级",
    "fees": "费用", "rate_annual": "年费率", "fixed_annual": "年固定金额", "basis": "计费基础",
    "cap_per_month": "每月上限", "upfront_fees": "前端费用", "share_of_placed": "占发行金额比例",
    "fixed": "固定金额", "reserve": "储备账户", "initial_share": "初始比例",
    "target_share": "目标比例", "floor_share": "下限比例", "triggers": "触发事件",
    "metric": "指标", "action": "触发后果", "threshold": "阈值", "revolving": "循环期",
    "months": "月数", "clean_up_call": "清仓回购", "threshold_share": "阈值比例",
    "loss_allocation": "损失分配", "timing": "时点", "reinstate": "恢复",
    "excess_interest": "超额利息", "use": "用途", "cover_limit_per_month": "每月弥补上限",
    "haircut_share": "折扣比例", "principal_mode": "本金偿付方式", "turbo": "加速清偿",
    "tiers": "层级规则", "principal": "本金分配", "target_balance": "目标余额",
    "kind": "方式", "schedule": "摊还计划", "month": "期数", "share": "比例",
    "share_of_pool": "占资产池比例", "floating": "浮动利率", "cap_annual": "利率上限",
    "floor_annual": "利率下限", "step_up_bp": "利率跳升(bp)", "exercised": "行使",
    "liquidity_reserve": "流动性储备账户", "floor_amount": "下限金额",
    "replenish_after": "补足顺序", "servicer_advance": "资产服务机构垫付",
    "limit_amount": "上限金额", "limit_share": "上限比例",
    "benchmark": "基准利率", "steps": "调整",
    # assumptions
    "default": "违约假设", "annual": "年化数值", "by_grade": "按信用等级",
    "from_tape": "取自资产清单", "multiplier": "倍数", "cumulative_rate": "累计违约率",
    "prepayment": "早偿假设", "recovery": "回收假设", "rate": "利率", "lag_months": "回收滞后(月)",
    "recovery_volatility": "回收率波动", "recovery_correlation": "回收率相关系数",
    "copula": "连接函数", "correlation": "资产相关系数", "sector_correlation": "行业相关系数",
    "sector_column": "行业分组列", "t_degrees_of_freedom": "t 分布自由度",
    "default_method": "违约模拟方法", "importance_sampling": "重要性抽样",
    "importance_shift": "重要性抽样偏移", "paths": "模拟路径数", "seed": "随机种子",
    # pricing
    "benchmark_rate_annual": "基准融资利率", "benchmark_curve": "基准利率曲线",
    "tenor_years": "期限(年)", "spread_wal_years": "利差期限(年)", "spreads": "利差",
    "rating": "评级", "spreads_bp": "利差(bp)",
    # a stress-scenario file (abs_tool.analysis.stress, docs/stress.md), as the Stress page
    # names its columns
    "scenarios": "压力情景", "timing_power": "时间分布指数", "cpr_multiplier": "早偿率倍数",
    "cpr_annual": "固定早偿率", "recovery_multiplier": "回收率倍数",
    "recovery_rate": "固定回收率", "extra_lag_months": "回收滞后增加(月)",
    "yield_compression_annual": "资产收益率压缩(年化)", "benchmark_shift_bp": "基准利率平移(bp)",
    "multiples": "违约倍数",
}
"""A deal file's field names (every field of :class:`abs_tool.model.deal.Deal`, nested) in
Chinese, for error messages that name a field by its path (:func:`field_path`)."""

INDEXED_ZH: dict[str, str] = {"classes": "第{n}档"}
"""A list field whose items have a name of their own in Chinese (``classes[1]`` is 第2档);
any other list's item is 第{n}项 after the list's name."""

PHRASES_ZH: dict[str, str] = {
    "true or false": "true 或 false", "an integer": "整数", "a finite number": "有限数值",
    "a string": "文本",
}
"""Words an error message takes from its caller (what a value must be), in Chinese."""

MESSAGES: dict[str, Label] = {
    # -- a value of the wrong kind (the deal-file reader) --
    "json_object": ("a deal file holds one JSON object {{...}}",
        "交易文件应为一个 JSON 对象 {{...}}"),
    "surrogate": ("holds a lone surrogate escape (\\ud800 to \\udfff), which is no character; "
                  "give UTF-8 text",
                  "含有单独的代理项转义(\\ud800 至 \\udfff),不是字符;请使用 UTF-8 文本"),
    "invalid_json": ("invalid JSON at line {line}, column {column}: {detail}",
                     "JSON 格式错误,第 {line} 行第 {column} 列:{detail}"),
    "nested": ("lists and objects are nested more than {depth} levels deep; a deal file needs 6",
               "列表和对象嵌套超过 {depth} 层;交易文件只需 6 层"),
    "not_utf8": ("not UTF-8 text (byte {byte}); save the file as UTF-8",
                 "不是 UTF-8 文本(第 {byte} 字节);请将文件另存为 UTF-8"),
    "too_many_values": ("the file holds about {n} JSON values (numbers, strings, lists, "
                        "objects), over the limit of {limit}; a deal file needs a few thousand",
                        "文件含约 {n} 个 JSON 值(数字、字符串、列表、对象),超过上限 {limit};"
                        "交易文件只需几千个"),
    "must_be_list": ("must be a list", "应为列表"),
    "must_be_pairs": ("must be an object of key: value", "应为“键: 值”形式的对象"),
    "must_be_object": ("must be an object {{...}}", "应为对象 {{...}}"),
    "must_be_tagged": ('must be an object with "{key}" one of {tags}',
                       "应为对象,且“{key}”为 {tags} 之一"),
    "must_be_kind": ("must be {expected}", "应为{expected_zh}"),
    "iso_date": ('must be an ISO date string "YYYY-MM-DD"', "应为 ISO 日期字符串“YYYY-MM-DD”"),
    "not_iso_date": ("not an ISO date YYYY-MM-DD", "不是 ISO 日期 YYYY-MM-DD"),
    "not_calendar_date": ("not a calendar date: {detail}", "不是有效的日历日期:{detail}"),
    "required": ("required", "必填"),
    "required_one_of": ("required: one of {values}", "必填:{values} 之一"),
    "unknown_field_close": ("unknown field; did you mean {close}?",
        "无法识别的字段;是否应为 {close}?"),
    "unknown_field": ("unknown field; expected one of {names}", "无法识别的字段;可接受:{names}"),
    "unknown_sample_deal": ("unknown sample deal {name}; expected one of {names}",
                            "无法识别的样本交易 {name};可接受:{names}"),
    "unknown_sample_pool": ("unknown sample pool; expected one of {names}",
                            "无法识别的样本资产池;可接受:{names}"),
    "version_required": ("required; this tool reads version {version}",
                         "必填;本工具读取第 {version} 版"),
    "version_unsupported": ("unsupported deal file version {got}; this tool reads version "
                            "{version}", "不支持的交易文件版本 {got};本工具读取第 {version} 版"),
    "class_shares": ("class shares add up to {total}, not 1", "各档规模占比合计为 {total},而非 1"),
    "class_shares_fix": ("the classes must add up to the whole pool", "各档合计须等于整个资产池"),
    # -- the pool's tape named by a deal file --
    "tape_absolute": ("an absolute path is not allowed; give the path relative to the deal "
                      "file's folder", "不允许使用绝对路径;请给出相对于交易文件所在文件夹的路径"),
    "tape_no_folder": ("the deal has no folder to find a tape in; give the pool as "
                       "`embedded_csv` or `sample`",
                       "该交易没有可查找资产清单的文件夹;请以内嵌资产清单或样本资产池给出资产池"),
    "tape_outside": ("the path leads outside the deal file's folder; put the tape in that "
                     "folder or below it",
                         "路径指向交易文件所在文件夹之外;请将资产清单放在该文件夹或其子文件夹中"),
    "tape_no_files": ("this deal file may not read files (an uploaded deal file cannot name a "
                      "tape on the server); give the pool as `embedded_csv` or `sample`, or "
                      "upload the tape separately",
                      "此交易文件不可读取文件(上传的交易文件不能指向服务器上的资产清单);"
                      "请以内嵌资产清单或样本资产池给出资产池,或单独上传资产清单"),
    # -- ranges and kinds of a field's value --
    "in_range": ("must be in {interval}", "应在 {interval} 内"),
    "in_range_bp": ("must be in [0, 10000) bp", "应在 [0, 10000) bp 内"),
    "in_range_factor": ("must be a number in [-8, 8] (standard deviations of the factor)",
                        "应为 [-8, 8] 内的数(因子的标准差倍数)"),
    "share_range": ("a share must be in (0, 1]", "占比应在 (0, 1] 内"),
    "greater": ("must be > {bound}", "应 > {bound}"),
    "at_least_bound": ("must be >= {bound}", "应 ≥ {bound}"),
    "compare_amount": ("an amount must be > 0", "金额应 > 0"),
    "amount_or_null": ("must be an amount > 0, or null for no cap",
        "应为 > 0 的金额,不设上限则为 null"),
    "amount_nonneg": ("must be an amount >= 0", "应为 ≥ 0 的金额"),
    "amount_range": ("must be an amount from {lo} to {hi}", "应为 {lo} 至 {hi} 之间的金额"),
    "amount_range_zero": ("must be an amount of 0 or from {lo} to {hi}",
                          "应为 0 或 {lo} 至 {hi} 之间的金额"),
    "looks_percent": ("it looks like percent: give {value}", "看起来是百分数:应填 {value}"),
    "integer_range": ("must be an integer from {lo} to {hi}", "应为 {lo} 至 {hi} 之间的整数"),
    "at_least": ("must be at least {n}", "应不小于 {n}"),
    "positive_increasing": ("must be > 0 and increasing", "应 > 0 且递增"),
    "one_of": ("must be one of {values}", "应为 {values} 之一"),
    "true_false": ("must be true or false", "应为 true 或 false"),
    "not_empty": ("must not be empty", "不能为空"),
    "frequency": ("must be 1 (monthly) or 3 (quarterly)", "应为 1(按月)或 3(按季)"),
    "deal_frequency": ("must be 1 (monthly), 3 (quarterly) or 6 (semi-annual)",
                       "应为 1(按月)、3(按季)或 6(按半年)"),
    "file_name": ("must be a file name of 1 to {n} characters on one line",
                  "应为 1 至 {n} 个字符的单行文件名"),
    "party_name": ("must be a name of at most {n} characters on one line, without spaces "
                   "around it", "应为不超过 {n} 个字符的单行名称,首尾不留空格"),
    "nul_path": ("a path may not contain a NUL character", "路径不能包含 NUL 字符"),
    "listed_twice": ("is listed twice", "重复列出"),
    "duplicate_class": ("duplicate class name", "档次名称重复"),
    "duplicate_grade": ("duplicate grade", "信用等级重复"),
    "at_least_one_value": ("must have at least one value", "至少需要一个数值"),
    "at_least_one_point": ("must have at least one point", "至少需要一个点"),
    "at_least_one_wal": ("must have at least one WAL", "至少需要一个加权平均期限"),
    "at_least_one_rating": ("must have at least one rating", "至少需要一个评级"),
    "spread_per_wal": ("must have one spread per WAL of spread_wal_years ({n})",
                       "每个利差期限须对应一个利差(共 {n} 个)"),
    "tenors_increase": ("tenors must increase", "期限须递增"),
    "ratings_order": ("ratings are listed best first, each once", "评级须由高到低列出,且各列一次"),
    "worse_rating_spread": ("a worse rating cannot pay less than `{rating}` at any WAL",
                            "较低评级在任何期限的利差都不能低于“{rating}”"),
    "shares_sum": ("shares must sum to 1", "各比例之和须为 1"),
    "above_two": ("must be > 2", "应 > 2"),
    # -- the structure --
    "one_class": ("at least one class is needed", "至少需要一个档次"),
    "one_subordinated": ("at most one subordinated class, listed last",
        "至多一个次级档,且列在最后"),
    "tier_order": ("classes are listed senior first, so `{lower}` ({lower_tier}) cannot rank "
                   "below `{upper}` ({upper_tier}): a {a} class may not be senior to a {b} class",
                   "档次须按优先顺序列出,“{lower}”({lower_tier_zh})不能排在“{upper}”"
                   "({upper_tier_zh})之后:{a_zh}不能优先于{b_zh}"),
    "sizes_add_up": ("class sizes add up to {total} but the pool balance is {pool} ({share} of "
                     "the pool); sizes must add up to the pool",
                     "各档规模合计 {total},而资产池未偿本金为 {pool}(为资产池的 {share});"
                     "各档合计须等于资产池"),
    "after_principal": ('"after_principal" is for the subordinated class\'s coupon (期间收益): '
                        "give the subordinated class a `coupon_annual` > 0, or set \"interest\"",
                        "“after_principal”用于次级档的期间收益:请为次级档设置大于 0 的票面利率,"
                        "或设为“interest”"),
    "fixed_fee_rate": ('must be 0 with `basis` "fixed": a fixed fee is its `fixed_annual` '
                       'amount; give the rate a basis such as "performing_start" instead',
                       "计费基础为“fixed”时应为 0:固定费用即其年固定金额;"
                       "如需按费率计费,请改用“performing_start”等计费基础"),
    "cover_limit_use": ('applies only with `use` "cover_up_to"; set `use` to "cover_up_to" or '
                        'the limit to 0 (`use` is "{use}")',
                        "仅在用途为“cover_up_to”时适用;请将用途设为“cover_up_to”,"
                        "或将上限设为 0(当前用途为“{use}”)"),
    "cover_limit_positive": ('must be > 0 with `use` "cover_up_to" (a limit of 0 is `use` '
                             '"release")', "用途为“cover_up_to”时应 > 0(上限为 0 即用途“release”)"),
    "turbo_release": ("the turbo pays all the cash left to the rated classes, which leaves no "
                      "excess interest to release; set `turbo` to false or `use` to "
                      '"cover_deficiency"',
                      "加速清偿将剩余现金全部支付给受评档次,没有超额利息可释放;"
                      "请将加速清偿设为 false,或将用途设为“cover_deficiency”"),
    "reinstate_at_end": ('with `timing` "at_end" nothing is written down before the deal ends, '
                         'so nothing can be reinstated; set `timing` to "on_default" or '
                         '"on_liquidation", or `reinstate` to false',
                         "时点为“at_end”时,交易结束前不核销任何本金,因而无可恢复;"
                         "请将时点设为“on_default”或“on_liquidation”,或将恢复设为 false"),
    "revolving_end": ("must end before the legal final date ({months} months after the "
                      "cut-off)", "须在法定到期日(封包日后 {months} 个月)之前结束"),
    # -- dates --
    "on_or_after": ("must be on or after `{earlier}` ({date})", "不得早于“{earlier_zh}”({date})"),
    "after_closing_accrual": ("must be after `closing` ({date}) when coupons accrue between the "
                              "dates paid (a `business_day_convention` or `day_count` set): the "
                              "first period runs from the closing date to it",
                              "按实际兑付日计息时(设置了工作日调整规则或计息基准)须晚于起息日"
                              "({date}):首个计息期自起息日起算"),
    "after_closing": ("must be after the closing date {date}", "须晚于起息日 {date}"),
    "later_month": ("must be in a later month than `cutoff` ({date}): the model runs one period "
                    "per month after the cut-off",
                    "须晚于封包日({date})所在月份:模型自封包日后每月一期"),
    "horizon_limit": ("the horizon from the cut-off ({date}) to the legal final date is {months} "
                      "months, over the limit of {limit} months ({years} years)",
                      "封包日({date})至法定到期日共 {months} 个月,超过上限 {limit} 个月"
                      "({years} 年)"),
    # -- the pool and its source --
    "one_source": ("give exactly one of `sample`, `tape`, `embedded_csv`",
                   "样本资产池、资产清单文件、内嵌资产清单须且只能给出一项"),
    "file_name_embedded": ("names the file of an `embedded_csv` tape; a `tape` or `sample` "
                           "names itself",
                               "用于命名内嵌资产清单的文件;资产清单文件或样本资产池自带名称"),
    "pool_balance": ("pool `{pool}`: `balance` must be > 0", "资产池“{pool}”:未偿本金应 > 0"),
    "pool_rate": ("pool `{pool}`: `rate` must be in [0, 1)", "资产池“{pool}”:利率应在 [0, 1) 内"),
    "pool_term": ("pool `{pool}`: `remaining_term` must be >= 1", "资产池“{pool}”:剩余期限应 ≥ 1"),
    "pool_duplicate": ("pool `{pool}`: duplicate loan_id", "资产池“{pool}”:资产编号重复"),
    "pool_columns": ("pool `{pool}`: missing column(s) {columns}",
        "资产池“{pool}”:缺少列 {columns}"),
    "pool_empty": ("pool `{pool}`: no loans", "资产池“{pool}”:没有资产"),
    "pool_amortization": ("pool `{pool}`: unknown amortization {codes}; expected one of {values}",
                          "资产池“{pool}”:无法识别的还款方式 {codes};可接受:{values}"),
    "unknown_amortization": ("unknown amortization {code}; expected one of {values}",
                             "无法识别的还款方式 {code};可接受:{values}"),
    "unknown_rating": ("unknown rating {rating}; expected one of {values} (or a Moody's symbol)",
                       "无法识别的评级 {rating};可接受:{values}(或穆迪评级符号)"),
    "unknown_moodys": ("unknown Moody's rating(s) {ratings}; expected one of {values}",
                       "无法识别的穆迪评级 {ratings};可接受:{values}"),
    "unknown_default": ("unknown default assumption {name}", "无法识别的违约假设 {name}"),
    "default_kinds": ("must be one of: annual PD by loan/grade, CDR vector, lifetime cumulative "
                      "default with timing curve",
                      "应为以下之一:按资产或信用等级的年违约概率、年化违约率向量、累计违约率加违约时间分布"),
    "no_pd": ("{n} loan(s) have no annual PD: the tape has no `annual_pd` for them and their "
              "grade(s) {grades} are not in the PD-by-grade table; add the grades to the table "
              "or use a CDR / lifetime default assumption",
              "{n} 笔资产没有年违约概率:资产清单未给出,"
              "且其信用等级 {grades} 不在按等级的违约概率表中;"
              "请在表中补充这些等级,或改用年化违约率或累计违约率假设"),
    "sectors_limit": ("the pool has {n} distinct `{column}` values, over the limit of {limit} "
                      "sectors", "资产池的“{column_zh}”有 {n} 个不同取值,超过行业数上限 {limit}"),
    "no_revolving_loan": ("no loan of the pool meets the revolving-period eligibility criteria, "
                          "so the receivables to be bought cannot be modelled",
                          "资产池中没有资产符合循环期合格标准,无法模拟拟购买的资产"),
    # -- assumptions --
    "beta_sd": ("a Beta distribution with mean {mean} needs a standard deviation below {limit}",
                "均值为 {mean} 的 Beta 分布,标准差须低于 {limit}"),
    "beta_narrow": ("must be 0 or at least {n}: a narrower Beta distribution is a constant "
                    "recovery rate, give 0",
                        "应为 0 或不小于 {n}:更窄的 Beta 分布即固定回收率,请填 0"),
    "correlation_sum": ("correlation + sector_correlation must be below 1",
                        "资产相关系数与行业相关系数之和须小于 1"),
    "sector_column": ("name the column whose values are the sectors ('region' or 'industry') "
                      "when sector_correlation > 0",
                      "行业相关系数大于 0 时,请指定作为行业分组的列('region' 或 'industry')"),
    # -- eligibility criteria and concentration limits --
    "criteria_problems": ("eligibility criteria: {problems}", "合格标准:{problems_zh}"),
    "limits_problems": ("concentration limits: {problems}", "集中度限制:{problems_zh}"),
    "rule_nan": ("`{name}` (got nan) must be a number; give None for no limit",
                 "“{name_zh}”(实际为 nan)应为数字;不设限制请留空"),
    "rule_got": ("`{name}` (got {value}) {rule}", "“{name_zh}”(实际为 {value}){rule_zh}"),
    "rule_bounds": ("`{low}` ({low_value}) must be <= `{high}` ({high_value})",
                    "“{low_zh}”({low_value})应 ≤ “{high_zh}”({high_value})"),
    "rule_empty": ("`{name}` is empty, which would exclude every loan; give None for no limit",
                   "“{name_zh}”为空,将排除全部资产;不设限制请留空"),
    "rule_codes": ("`allowed_amortization` has unknown code(s) {codes}; expected some of {values}",
                   "允许的还款方式含无法识别的代码 {codes};可接受:{values}"),
    "rule_list": ("must be a list of strings", "应为字符串列表"),
    "rule_number": ("must be a number", "应为数字"),
    "rule_share": ("must be a number in (0, 1]", "应为 (0, 1] 内的数"),
    "rule_months": ("must be a whole number of months", "应为整月数"),
    "rule_most_months": ("must be at most {n} months", "应不超过 {n} 个月"),
    "rule_removed_all": ("eligibility rule `{rule}` ({condition}) removed the last eligible loan "
                         "of pool `{pool}`; relax it",
                         "合格标准“{rule_zh}”({condition})剔除了资产池“{pool}”的最后一笔合格资产;请放宽该标准"),
    "keys_object": ("{what} must be an object of key: value", "{what_zh}应为“键: 值”形式的对象"),
    "keys_unknown": ("{what}: unknown key(s) {keys}; expected some of {names}",
                     "{what_zh}:无法识别的键 {keys};可接受:{names}"),
    # -- limits (docs/limits.md) --
    "env_number": ("the environment variable {name} must be a number > 0 (got {value}); unset "
                   "it for the default {default}",
                   "环境变量 {name} 应为大于 0 的数(实际为 {value});"
                   "取消设置则使用默认值 {default}"),
    "memory_limit": ("{what} needs about {need} of memory, over the limit of {limit} MiB (got "
                     "{value}); ask for less, or raise the limit with the environment variable "
                     "{name} (docs/limits.md)",
                     "{what_zh}约需 {need} 内存,超过上限 {limit} MiB(实际为 {value});"
                     "请减少请求,或以环境变量 {name} 提高上限"),
    "time_limit": ("{what} would take about {need}, over the limit of {limit} s (got {value}); "
                   "ask for less, or raise the limit with the environment variable {name} "
                   "(docs/limits.md)",
                   "{what_zh}约需 {need},超过上限 {limit} 秒(实际为 {value});"
                   "请减少请求,或以环境变量 {name} 提高上限"),
    # -- a new deal for a pool (abs_tool.analysis.new_deal) and the stress page --
    "new_deal_cutoff": ("required unless the dates are kept: the new deal's cut-off",
                        "除非沿用原日期,否则必填:新交易的封包日"),
    "unknown_parts": ("unknown part(s) {parts}; expected a comma-separated list of {names}",
                      "无法识别的部分 {parts};应为以逗号分隔的 {names}"),
    "scenario_name_repeated": ("repeats the name {name}; each scenario needs its own",
                               "名称 {name} 重复;每个情景须有自己的名称"),
    # -- tiers, target balances, floating coupons, liquidity support (issue 16) --
    "whole_month": ("must be a whole month >= 1", "应为不小于 1 的整数月"),
    "integer_in_months": ("must be an integer in [1, {high}]", "应为 [1, {high}] 内的整数"),
    "target_needs_point": ("a scheduled target needs at least one {{month, share}} point",
                           "计划摊还至少需要一个 {{期数, 比例}} 节点"),
    "only_pool_share": ('applies only with `kind` "target_share_of_pool"; set it to 0',
                        "仅适用于“target_share_of_pool”方式;请设为 0"),
    "only_scheduled": ('applies only with `kind` "scheduled"; leave it empty',
                       "仅适用于“scheduled”方式;请留空"),
    "target_months_increase": ("months must increase (the point before is month {month})",
                               "期数须递增(前一节点为第 {month} 期)"),
    "target_may_not_rise": ("a target may not rise: shares must not increase (the point before "
                            "is {share})", "目标余额不得上升:比例不得增加(前一节点为 {share})"),
    "target_not_sub": ("a target balance is for a rated class; the subordinated class takes "
                       "what is left: remove it",
                       "目标余额仅适用于评级档次;次级档获得剩余资金,请删除"),
    "tier_no_class": ("no class is in this tier (the classes' tiers are {tiers}); remove the "
                      "rule or add a class",
                      "该层级没有证券档次(各档层级为 {tiers});请删除该规则或增加档次"),
    "tier_rule_twice": ("this tier has a rule already: give each tier one rule",
                        "该层级已有规则:每个层级只能有一条规则"),
    "within_horizon": ("must be within the deal's {months} months (cut-off to legal final)",
                       "应在交易的 {months} 个月内(封包日至法定到期日)"),
    "must_be_benchmark_step": ("must be a BenchmarkStep", "应为基准利率调整项"),
    "benchmark_months_after": ("months must increase (got {month} after {before})",
                               "期数须递增(实际为 {before} 之后的 {month})"),
    "must_be_bp": ("must be a number of basis points", "应为基点数"),
    "shift_out_of_range": ("moves a rate of the benchmark path out of [0, 1) (got {shift} bp "
                           "on rates from {low} to {high})",
                           "使基准利率路径中的利率超出 [0, 1)(实际为 {shift} bp,"
                           "利率区间 {low} 至 {high})"),
    "must_be_benchmark_path": ("must be a BenchmarkPath", "应为基准利率路径"),
    "cap_positive": ("must be > 0 (a cap of 0 pays no coupon; give no floating coupon "
                     "instead)", "应大于 0(上限为 0 则不付息;请改为不设浮动利率)"),
    "floor_at_most_cap": ("must be at most `cap_annual` ({cap})",
                          "不得高于利率上限 cap_annual({cap})"),
    "must_be_floating": ("must be a FloatingCoupon or null", "应为浮动利率设置或 null"),
    "step_up_needs_call": ("steps the coupon up after the clean-up call date, but the deal has "
                           "no `clean_up_call`; add one (with `exercised` false for the step-up "
                           "to apply) or set 0",
                           "清仓回购日后利率跳升,但交易未设清仓回购 clean_up_call;请添加"
                           "(exercised 设为 false 时跳升才生效)或设为 0"),
    "liquidity_does_nothing": ("a liquidity reserve with no initial balance, target or floor "
                               "does nothing; give one of them, or remove `liquidity_reserve`",
                               "流动性储备账户未设初始余额、目标或下限,不起作用;请设置其一,"
                               "或删除 liquidity_reserve"),
    "advance_needs_limit": ("a servicer advance needs a limit: give `limit_amount` or "
                            "`limit_share` > 0, or remove `servicer_advance`",
                            "资产服务机构垫付需设上限:请给出大于 0 的 limit_amount 或 "
                            "limit_share,或删除 servicer_advance"),
    "advance_one_limit": ("give the limit as an amount or as a share of the pool, not both; set "
                          "`limit_amount` or `limit_share` to 0",
                          "上限请以金额或资产池比例之一给出,不可同时设置;请将 limit_amount 或 "
                          "limit_share 设为 0"),
    "liquidity_needs_senior": ("liquidity support covers the senior classes' interest, and the "
                               "deal has no senior class",
                               "流动性支持用于优先级档次的利息,但交易没有优先级档次"),
    # -- analysis (issue 18 item 3: every message translated) --
    "field_message": ("`{name}` {message}", "“{name_zh}”{message_zh}"),
    "integer_at_least": ("must be an integer >= {bound}", "应为 ≥ {bound} 的整数"),
    "number_at_least": ("must be a number >= {bound}", "应为 ≥ {bound} 的数"),
    "number_greater": ("must be a number > {bound}", "应为 > {bound} 的数"),
    "whole_greater": ("must be > {bound}, a whole number", "应为 > {bound} 的整数"),
    "either_quoted": ("must be '{a}' or '{b}'", "应为 '{a}' 或 '{b}'"),
    "must_be_object_plain": ("must be an object", "应为对象"),
    "finite_amount": ("must be a finite amount >= 0", "应为 ≥ 0 的有限金额"),
    "upfront_all_proceeds": ("the upfront fees take all the proceeds of the placed notes",
                             "前端费用耗尽了已发行证券的全部募集资金"),
    "structuring_alone": ("give `structuring` alone: its Monte Carlo, break-evens and rating "
                          "tables are the ones used",
                          "“structuring”须单独给出:蒙特卡洛模拟、临界违约率和评级表均取自它"),
    "structuring_other_deal": ("`structuring` sized another deal than `prepared`'s: analyse "
                               "prepare_deal(structuring.deal, pool)",
                               "“structuring”分层的交易与“prepared”的交易不同:"
                               "请分析 prepare_deal(structuring.deal, pool)"),
    "classes_differ": ("`{name}` is for classes {given}, the deal has {expected}: pass {fix} of "
                       "the same prepared deal",
                       "“{name}”对应的档次为 {given},而交易的档次为 {expected}:"
                       "请传入同一交易的“{fix}”"),
    "strat_unknown": ("cannot stratify by `{column}`; expected one of {names}",
                      "不能按“{column}”分层;可接受:{names}"),
    "strat_text": ("`bins` and `labels` apply to numeric columns; `{column}` is text (one "
                   "bucket per value)",
                   "分组边界“bins”和标签“labels”仅适用于数值列;“{column}”为文本列(每个取值一组)"),
    "strat_labels_values": ("`labels` needs {n} names (one per value of `{column}`), got {m}",
                            "标签“labels”需要 {n} 个名称(“{column}”的每个取值一个),实际为 {m} 个"),
    "strat_labels_edges": ("`labels` needs {n} names (one per interval of edges {edges}), got {m}",
                           "标签“labels”需要 {n} 个名称(分组边界 {edges} 的每个区间一个),"
                           "实际为 {m} 个"),
    "strat_edges": ("`bins` edges (got {value}) must be at least two strictly increasing numbers",
                    "分组边界“bins”(实际为 {value})应为至少两个严格递增的数"),
    "strat_bins": ("`bins` (got {value}) must be an integer >= 1 or a list of edges",
                   "分组“bins”(实际为 {value})应为不小于 1 的整数或分组边界列表"),
    "positive_years": ("must be a positive number of years", "应为正的年数"),
    "one_positive_years": ("must be one positive number of years", "应为一个正的年数"),
    "lgd_ref_not_derived": ("rating table `{table}` is not derived as PD x LGD_ref (its `lgd_ref` "
                            "is null), so `lgd_ref` cannot rescale it; leave `lgd_ref` out",
                            "评级表“{table}”并非按违约概率 × 参考违约损失率推导(其“lgd_ref”为空),"
                            "不能以“lgd_ref”换算;请不要给出“lgd_ref”"),
    "rating_not_in_table": ("rating {rating} is not in rating table `{table}`",
                            "评级 {rating} 不在评级表“{table}”中"),
    "threshold_needs_wal": ("a {kind} threshold needs the class WAL in years",
                            "“{kind}”阈值需要档次的加权平均期限(年)"),
    "quantile_sample": ("the sample for a quantile must be non-empty and contain no NaN",
                        "求分位数的样本不能为空,也不能含缺失值"),
    "quantile_levels": ("quantile levels must be in [0, 1]", "分位水平应在 [0, 1] 内"),
    "one_weight_each": ("must have one weight per sample value", "应每个样本值对应一个权重"),
    "weights_finite": ("must be finite, >= 0 and not all zero", "应为有限值、≥ 0 且不全为零"),
    "weights_sample": ("`weights` apply to a sample, not to a quantile function",
                       "权重“weights”仅适用于样本,不适用于分位函数"),
    "no_seasoned_defaults": ("no defaults in the {n} seasoned vintages ({names}): a lifetime "
                             "default rate of 0, and no timing curve to extrapolate with",
                             "{n} 个已充分观察的放款月份({names})中没有违约:累计违约率为 0,"
                             "也没有可用于外推的违约时间曲线"),
    "none_developed": ("no vintage has shown enough of its lifetime defaults to enter the base "
                       "case (min_developed_share {share})",
                       "没有放款月份的违约已充分显现,无一可计入基准情景"
                       "(最低已发展比例“min_developed_share”为 {share})"),
    "either_not_both": ("give either {a} or {b}, not both", "“{a}”与“{b}”只能给出其一"),
    "scenario_list": ("must be a list of scenario objects (or an object with a `scenarios` "
                      "list), got {value}",
                      "应为情景对象列表(或含“scenarios”列表的对象),实际为 {value}"),
    "unknown_field_some": ("unknown field; expected some of {names}",
                           "无法识别的字段;可接受:{names}"),
    "scenario_needs_name": ("missing: every scenario needs a name", "缺失:每个情景都需要名称"),
    "no_scenario_given": ("must hold at least one scenario (got none)",
                          "至少需要一个情景(实际为空)"),
    "scenarios_at_most": ("at most {n} scenarios in one table", "一张表至多 {n} 个情景"),
    "must_be_scenario": ("must be a StressScenario", "应为压力情景"),
    "rating_pairs": ("must be (rating, multiple) pairs", "应为(评级, 倍数)组合"),
    "unknown_rating_plain": ("unknown rating; expected one of {values}",
                             "无法识别的评级;可接受:{values}"),
    "given_twice": ("given twice", "重复给出"),
    "one_rating_level": ("give at least one rating level, e.g. AAA=4.5",
                         "请至少给出一个评级的倍数,例如 AAA=4.5"),
    "multiple_order": ("{value} is below {worse}'s {other}: a better rating must withstand at "
                       "least the same multiple",
                       "{value} 低于 {worse} 的 {other}:较高评级承受的倍数不得低于较低评级"),
    "timing_no_defaults": ("the base case has no defaults, so a front- or back-loaded timing has "
                           "nothing to reshape; give the deal a default assumption with defaults",
                           "基准情景没有违约,前置或后置的违约时间分布无从调整;"
                           "请为交易设置有违约的违约假设"),
    "lag_over_limit": ("the deal's lag of {lag} months plus {more} passes the limit of {limit} "
                       "months", "交易的回收滞后 {lag} 个月加上 {more},超过上限 {limit} 个月"),
    "no_class_named": ("no class {name}; the deal has {names}",
                       "没有档次 {name};交易的档次为 {names}"),
    "no_scenario_named": ("no scenario {name}; the table has {names}",
                          "没有情景 {name};表中的情景为 {names}"),
    "stress_cancelled": ("stress table cancelled after {done} of {n} scenarios",
                         "压力测试表已取消:{n} 个情景中已完成 {done} 个"),
    "structuring_needs_sub": ("structuring needs a subordinated class, listed last, to take what "
                              "the rated classes leave",
                              "分层需要一个列在最后的次级档,以承接评级档次之外的剩余部分"),
    "no_rated_class": ("there is no rated class to size", "没有可分层的评级档次"),
    "needs_target_rating": ("class `{name}` needs a target rating to be sized",
                            "档次“{name}”需设定目标评级才能分层"),
    "no_class_named_the": ("there is no class named {name}; the classes are {names}",
                           "没有名为 {name} 的档次;现有档次为 {names}"),
    "fix_subordinated": ("class `{name}` is the subordinated class, which takes what the rated "
                         "classes leave: hold it at a minimum with the retained share instead",
                         "档次“{name}”为次级档,承接评级档次之外的剩余部分:"
                         "请改以自留比例设定其最低规模"),
    "fixed_leaves_nothing": ("class `{name}` at {size} leaves the subordinated class nothing of a "
                             "pool of {pool}",
                             "档次“{name}”规模为 {size} 时,资产池({pool})没有留给次级档任何部分"),
    "fixed_over_retained": ("the fixed classes take {share} of the pool, leaving less than the "
                            "retained share ({retained}) for the subordinated class",
                            "固定规模的档次占资产池的 {share},"
                            "留给次级档的不足自留比例({retained})"),
    "unknown_sensitivity": ("unknown sensitivity parameter {name}; expected one of {names}",
                            "无法识别的敏感性参数 {name};可接受:{names}"),
    # -- credit and engine --
    "attach_detach": ("`attach` must be below `detach` (got attach={attach}, detach={detach})",
                      "分层起点应低于终点(实际起点为 {attach},终点为 {detach})"),
    "attach_no_convergence": ("attachment solver did not converge ({flag}; target_el={el}, "
                              "pd={pd}, rho={rho}, lgd={lgd}, detach={detach})",
                              "分层起点求解未收敛({flag};目标预期损失 {el},违约概率 {pd},"
                              "资产相关系数 {rho},违约损失率 {lgd},分层终点 {detach})"),
    "benchmark_or_none": ("must be a BenchmarkPath (abs_tool.model.assumptions) or None",
                          "应为基准利率路径或留空"),
    "lifetime_and_schedule": ("a lifetime default rate with a timing curve takes its defaults "
                              "from the whole pool and cannot be combined with a default "
                              "schedule; give the other loans a flat `cdr_annual` (0 for none)",
                              "累计违约率加违约时间分布的假设从整个资产池取违约,不能与违约计划"
                              "同时使用;请为其他资产设置固定的年化违约率“cdr_annual”"
                              "(无违约则为 0)"),
    "schedule_pairs": ("at most {n} distinct (default_month, recovery_rate) pairs",
                       "至多 {n} 组不同的(违约月份, 回收率)组合"),
    "dask_missing": ("running on a Dask cluster needs the optional Dask extra, which is not "
                     "installed ({detail}): {install}",
                     "在 Dask 集群上运行需要可选的 Dask 组件,但尚未安装({detail}):{install}"),
    "dask_no_worker": ("the Dask cluster at {address} has no worker yet: start workers "
                       "(docs/dask.md) and try again",
                       "位于 {address} 的 Dask 集群尚无工作进程:请启动工作进程后重试"),
    "dask_unreachable": ("could not reach the Dask scheduler at {address} within {seconds} s "
                         "({detail}); is it running (`dask scheduler`), and is its port open "
                         "from this machine? (docs/dask.md)",
                         "{seconds} 秒内未能连接位于 {address} 的 Dask 调度器({detail});"
                         "请确认调度器已启动(“dask scheduler”),且本机可访问其端口"),
    "dask_not_scheduler": ("something answered at {address}, but not a Dask scheduler ({detail}); "
                           "check the address and port (docs/dask.md)",
                           "{address} 有响应,但不是 Dask 调度器({detail});请检查地址和端口"),
    "dask_local_n": ("`local:N` needs N, the worker processes, from 1 to {n}",
                     "“local:N”中的 N(工作进程数)应为 1 至 {n}"),
    "dask_spec": ("expected `local`, `local:N` or a scheduler address `tcp://HOST:8786`",
                  "应为“local”、“local:N”或调度器地址“tcp://HOST:8786”"),
    "no_purchase_profile": ("the deal buys receivables but no purchase profile is set",
                            "交易在循环期购买新资产,但未设置拟购买资产的特征"),
    "floating_no_benchmark": ("class `{name}` has a floating coupon but no benchmark path is "
                              "given (Assumptions.benchmark)",
                              "档次“{name}”为浮动利率,但模型假设未给出基准利率路径"),
    # -- io --
    "cannot_read": ("cannot read the file: {detail}", "无法读取文件:{detail}"),
    "temp_removed": ("its temporary files were removed {n} times while being created; another "
                     "process is cleaning the folder",
                     "其临时文件在创建时被删除了 {n} 次;另有进程在清理该文件夹"),
    "not_valid_json": ("not valid JSON ({detail})", "不是有效的 JSON({detail})"),
    "rating_table_sidecar": ("must be a JSON object with `kind`, `label` and `source`",
                             "应为含“kind”、“label”和“source”的 JSON 对象"),
    "not_csv_table": ("not a readable CSV table ({detail})", "不是可读取的 CSV 表格({detail})"),
    "rating_table_missing": ('file not found; a rating table is a .csv file and a .json sidecar '
                             'of the same name with {{"kind": ..., "label": ..., "source": ...}}',
                             "找不到文件;评级表由一个 .csv 文件和一个同名的 .json 说明文件组成,"
                             '后者内容为 {{"kind": ..., "label": ..., "source": ...}}'),
    "rating_table_kind": ("rating table `{name}` is a `{kind}` table; this needs a `{need}` table "
                          "(e.g. the built-in `{builtin}`)",
                          "评级表“{name}”为“{kind}”表;此处需要“{need}”表(例如内置的“{builtin}”)"),
    "rating_table_given": ("rating table `{name}` is a `{kind}` table, given where a `{need}` "
                           "table is needed",
                           "评级表“{name}”为“{kind}”表,而此处需要“{need}”表"),
    "unknown_sample_pool_named": ("unknown sample pool {name}; expected one of {names}",
                                  "无法识别的样本资产池 {name};可接受:{names}"),
    "unknown_static_sample": ("unknown sample static pool {name}; expected one of {names}",
                              "无法识别的样本静态池 {name};可接受:{names}"),
    "expected_month": ("expected a month YYYY-MM, e.g. 2015-01 (2015/01, 201501, 2015年1月 and "
                       "dates also read)",
                       "应为 年-月 格式的月份,如 2015-01"
                       "(也可读取 2015/01、201501、2015年1月和日期)"),
    "must_have_shape": ("must have shape {shape}", "维度应为 {shape}"),
    "each_month": ("each must be a month YYYY-MM", "每项应为 年-月 格式的月份"),
    "counts_together": ("give `original_count` and `cumulative_default_count` together, or "
                        "neither",
                        "“original_count”与“cumulative_default_count”须同时给出或同时不给出"),
    "no_month_on_book": ("the vintage has no observed month on book",
                         "该放款月份没有已观察的账龄月份"),
    "whole_numbers": ("must be whole numbers >= 1", "应为不小于 1 的整数"),
    "exactly_where": ("must be given exactly where `cumulative_default_balance` is (NaN "
                      "elsewhere)", "应恰在“cumulative_default_balance”有值处给出(其余为空)"),
    "cumulative_falls": ("falls from {a} at month on book {m} to {b} at {n}; a cumulative figure "
                         "never falls",
                         "从账龄第 {m} 个月的 {a} 降至第 {n} 个月的 {b};累计数不会下降"),
    "over_original": ("{value} at month on book {m} is more than the vintage's original {cap}",
                      "账龄第 {m} 个月的 {value} 超过该放款月份的初始值 {cap}"),
    "static_pool_suffix": ("static-pool file `{name}` must end in .csv or .xlsx",
                           "静态池文件“{name}”的扩展名应为 .csv 或 .xlsx"),
    "tape_suffix": ("tape file `{name}` must end in .csv or .xlsx",
                    "资产清单文件“{name}”的扩展名应为 .csv 或 .xlsx"),
    "workbook_twin_parts": ("the workbook has two parts named {a} and {b}; refused as damaged",
                            "工作簿中有两个同名部件 {a} 和 {b};视为已损坏,拒绝读取"),
    # -- report --
    "stress_month": ("must be a whole month of the stress case, 1 to {n}, or None to let the "
                     "rule pick it", "应为压力情景中的整月份(1 至 {n}),或留空由规则选取"),
    "pdf_unavailable": ("PDF export needs LibreOffice, which is not installed: install it "
                        "(Debian/Ubuntu: `apt-get install --no-install-recommends {package}`) or "
                        "set ABS_SOFFICE to its `soffice`; the .xlsx term sheet works without it",
                        "导出 PDF 需要 LibreOffice,但尚未安装:请安装(Debian/Ubuntu:"
                        "“apt-get install --no-install-recommends {package}”),或将环境变量"
                        "“ABS_SOFFICE”设为其“soffice”程序;.xlsx 条款概要无需 LibreOffice"),
    "pdf_timeout": ("LibreOffice did not finish the PDF within {seconds} s",
                    "LibreOffice 未在 {seconds} 秒内完成 PDF"),
    "pdf_no_output": ("LibreOffice wrote no PDF (exit status {status}): {detail}",
                      "LibreOffice 未生成 PDF(退出状态 {status}):{detail}"),
    "results_need_mc": ("the results JSON needs an analysis with a Monte Carlo result: "
                        "analyse(prepared, monte_carlo=...)",
                        "结果 JSON 需要含蒙特卡洛模拟结果的分析:"
                        "analyse(prepared, monte_carlo=...)"),
    # -- the command line (abs_tool.cli) and argparse's messages --
    "finite_in": ("must be a finite number in {interval}", "应为 {interval} 内的有限数值"),
    "numbers_commas": ("expected numbers separated by commas", "应为以逗号分隔的数"),
    "no_deal_file": ("{spec}: no such deal file, and not a sample deal ({names})",
                     "{spec}:没有这个交易文件,也不是样本交易({names})"),
    "out_strats_by": ("--out-strats writes the stratification tables: name their columns with "
                      "--by, e.g. --by grade region",
                      "--out-strats 写出分层表:请用 --by 指定分层的列,例如 --by grade region"),
    "csv_or_xlsx": ("write a .csv or an .xlsx file", "请写出 .csv 或 .xlsx 文件"),
    "paths_need_quantile": ("--paths and --seed choose the Monte Carlo of --quantile: give "
                            "--quantile with them",
                            "--paths 和 --seed 用于选择 --quantile 的蒙特卡洛模拟:"
                            "请同时给出 --quantile"),
    "quantile_alone": ("--quantile inspects a Monte Carlo path of the deal's own assumptions: it "
                       "cannot be combined with {options}",
                       "--quantile 查看按交易自身假设模拟的一条蒙特卡洛路径:"
                       "不能与 {options} 同时使用"),
    "same_output": ("two deals would write the same file in {folder}: {names}; rename one",
                    "两个交易会在 {folder} 中写出同一文件:{names};请重命名其一"),
    "out_dir": ("--out-dir {folder}: cannot create it ({detail})",
                "--out-dir {folder}:无法创建({detail})"),
    "grid_axis": ("expected PARAMETER=v1,v2,... (e.g. correlation=0.1,0.2), got {value}",
                  "应为 参数=值1,值2,...(如 correlation=0.1,0.2),实际为 {value}"),
    "grid_axis_numbers": ("expected PARAMETER=v1,v2,... with numbers",
                          "应为 参数=值1,值2,...,且各值为数"),
    "share_under_100": ("a share must be under 100%", "比例应低于 100%"),
    "name_or_size": ("expected NAME or NAME=SIZE", "应为 档次名 或 档次名=规模"),
    "deal_write_deal": ("--deal and --write-deal go together: --deal names the deal whose "
                        "assumptions take the base case, --write-deal the file to write",
                        "--deal 与 --write-deal 须同时给出:--deal 指定采用基准情景的交易,"
                        "--write-deal 指定要写出的文件"),
    "not_a_date": ("not a date YYYY-MM-DD", "不是 年-月-日 格式的日期"),
    "rating_multiples": ("expected RATING=MULTIPLE,... such as AAA=4.5,AA=3.5",
                         "应为 评级=倍数,...,如 AAA=4.5,AA=3.5"),
    "rating_twice": ("rating {rating} given twice", "评级 {rating} 重复给出"),
    "not_json_file": ("not a JSON file ({detail})", "不是 JSON 文件({detail})"),
    "argument": ("argument {option}: {message}", "参数 {option}:{message_zh}"),
    "args_required": ("the following arguments are required: {names}", "缺少必需的参数:{names}"),
    "args_unrecognized": ("unrecognized arguments: {names}", "无法识别的参数:{names}"),
    "invalid_choice": ("invalid choice: {value} (choose from {choices})",
                       "无效的选项 {value}(可选:{choices})"),
    "invalid_value": ("invalid {kind} value: {value}", "无效的取值:{value}"),
    "one_argument": ("expected one argument", "需要一个取值"),
    "at_most_one_argument": ("expected at most one argument", "至多需要一个取值"),
    "at_least_one_argument": ("expected at least one argument", "至少需要一个取值"),
    "ambiguous_option": ("ambiguous option: {option} could match {matches}",
                         "选项 {option} 有歧义,可能是 {matches}"),
    "not_allowed_with": ("not allowed with argument {option}", "不能与参数 {option} 同时使用"),
    "one_required": ("one of the arguments {names} is required", "须给出参数 {names} 之一"),
    "ignored_argument": ("ignored explicit argument {value}", "忽略了显式给出的取值 {value}"),
    # -- wrappers, tried last: a value received, a path, messages joined --
    "got": ("{message} (got {value})", "{message_zh}(实际为 {value})"),
    "file_message": ("{file}: {message}", "{file}:{message_zh}"),
}
"""Error messages of the deal file, the model's fields and the limits, by code: the English is
the message as the library writes it (``{name}`` stands for any text), the Chinese says the
same with each ``{name_zh}`` filled by :func:`message` (a field path, a phrase of
:data:`PHRASES_ZH`, or a message itself, in Chinese). A test scans the library's source and
fails on a message no template matches."""

ERROR_TEXT: dict[str, Label] = {
    "untranslated": ("{message}", "以下信息暂无中文译文:{message}"),
    "problems": ("{file}: {n} problem(s):", "{file}:{n} 个问题:"),
    "row": ("row {row} ", "第 {row} 行 "),
    # A report's lead sentence, by the error class that carries it (the first class of the
    # error's MRO found here).
    "report.TapeError": ("{file}: the tape was not loaded, {n} error(s):",
                         "{file}:资产清单未能载入,{n} 个错误:"),
    "report.StaticPoolError": ("{file}: the static-pool data were not loaded, {n} error(s):",
                               "{file}:静态池数据未能载入,{n} 个错误:"),
    "report.DefaultScheduleError": ("{file}: the default schedule was not used, {n} error(s):",
                                    "{file}:违约计划未被采用,{n} 个错误:"),
    "report.RatingTableError": ("{file}: the rating table was not loaded, {n} problem(s):",
                                "{file}:评级表未能载入,{n} 个问题:"),
}
"""The words :func:`abs_tool.errors.render` puts around messages: a message no template of
:data:`MESSAGES` fits (shown as raised, after a lead sentence), a list of problems, the lead
sentence of a report of findings."""

_WRAPPERS = ("got", "file_message")
"""Templates tried after the others and after splitting at "; " (they match almost anything)."""

_REQUIRED = frozenset({"message", "problems", "expected", "rule"})
"""Holes whose Chinese must be found (a message or a phrase): a template whose such hole has
no Chinese does not match."""

_HOLE = r"(?:(?! ?\(got |; ).)+?"
"""What a template's ``{name}`` matches: any text but the " (got " of a value received, which
the ``got`` wrapper takes (a hole at a template's end would swallow it), and the "; " between
two messages; a hole that holds a
message (:data:`_REQUIRED`) matches any text."""

_PATH = re.compile(r"[A-Za-z_]\w*(?:\[[^\]]+\]|\.[A-Za-z_]\w*)*")
_SEGMENT = re.compile(r"\.?([A-Za-z_]\w*)|\[([^\]]+)\]")


def field_path(path: str, lang: str) -> str:
    """A deal file's field path in ``lang``: ``structure.classes[1].coupon_annual`` is
    结构.第2档.票面利率 in Chinese (:data:`DEAL_FIELDS_ZH`, :data:`INDEXED_ZH`); a name the
    glossary does not know stays as written."""
    if lang_index(lang) == 0:
        return path
    parts: list[str] = []
    last = ""
    for match in _SEGMENT.finditer(path):
        name, index = match.groups()
        if name is not None:
            parts.append(DEAL_FIELDS_ZH.get(name, name))
            last = name
        elif not index.isdigit():
            parts[-1] += f"[{index}]"
        elif last in INDEXED_ZH:
            parts[-1] = INDEXED_ZH[last].format(n=int(index) + 1)
        else:
            parts[-1] += f"第{int(index) + 1}项"
    return ".".join(parts)


@functools.cache
def _templates() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """``(code, English pattern, Chinese template)`` of :data:`MESSAGES`, wrappers last."""
    out = []
    for code in sorted(MESSAGES, key=lambda c: c in _WRAPPERS):
        en, zh = MESSAGES[code]
        pattern = "".join(re.escape(literal) + (
            f"(?P<{name}>{'.+?' if name in _REQUIRED else _HOLE})" if name else "")
                          for literal, name, _, _ in string.Formatter().parse(en))
        out.append((code, re.compile(pattern, re.DOTALL), zh))
    return tuple(out)


def _hole(value: str) -> str | None:
    """The Chinese of a template's hole: a phrase, a tier, a field path, a message; None if
    none of these."""
    if value in PHRASES_ZH:
        return PHRASES_ZH[value]
    if value in TIERS:
        return TIERS[value][1]
    names = [m[1] for m in _SEGMENT.finditer(value) if m[1]]
    if _PATH.fullmatch(value) and names and all(n in DEAL_FIELDS_ZH for n in names):
        return field_path(value, "zh")
    found = _match(value)
    return None if found is None else found[1]


def _by_template(text: str, wrappers: bool) -> tuple[str, str] | None:
    for code, pattern, zh in _templates():
        if (code in _WRAPPERS) != wrappers:
            continue
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = match.groupdict()
        filled: dict[str, str] = {}
        for name in placeholders(zh):
            base = name.removesuffix("_zh")
            shown = values[base] if name == base else _hole(values[base])
            if shown is None and base in _REQUIRED:
                break
            filled[name] = values[base] if shown is None else shown
        else:
            return code, zh.format(**filled)
    return None


def _match(text: str) -> tuple[str, str] | None:
    """``(code, Chinese)`` of an English error message: a template of :data:`MESSAGES`;
    else messages joined by "; " (each matched); else a field path and a message
    (``path: message``); else a wrapper (``message (got value)``). None if nothing fits."""
    found = _by_template(text, wrappers=False)
    if found is not None:
        return found
    pieces = text.split("; ")
    for k in range(1, len(pieces)):
        first, then = _match("; ".join(pieces[:k])), _match("; ".join(pieces[k:]))
        if first is not None and then is not None:
            return first[0], f"{first[1]};{then[1]}"
    path, _, rest = text.partition(": ")
    said = _match(rest) if rest and _PATH.fullmatch(path) else None
    if said is not None:
        return said[0], f"{field_path(path, 'zh')}:{said[1]}"
    return _by_template(text, wrappers=True)


def message_code(text: str) -> str | None:
    """The code of :data:`MESSAGES` that an English error message matches (its first part's,
    for messages joined by "; "), or None."""
    found = _match(text)
    return None if found is None else found[0]


def message(text: str, lang: str) -> str | None:
    """An English error message of the library in ``lang`` (``"en"``: ``text``), or None
    where no template of :data:`MESSAGES` fits it."""
    if lang_index(lang) == 0:
        return text
    found = _match(text)
    return None if found is None else found[1]


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
    TIERS, DEAL, METRICS, FIELDS, AMORTIZATION, UNITS, SEVERITY, SCENARIOS, INSPECTOR,
    PERIOD_LINES,
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
