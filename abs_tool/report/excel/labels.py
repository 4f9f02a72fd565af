"""Every text the term-sheet workbook shows, in English and Chinese.

One table ``{key: (english, chinese)}``. The template holds its fixed texts in English; each
of them must be an English label here (a test checks it), so :func:`translation` can turn the
template into Chinese. Texts with ``{placeholders}`` are filled with :meth:`str.format`.
"""

from __future__ import annotations

from abs_tool.analysis.pool_stats import LANGS

Label = tuple[str, str]

SHEETS: dict[str, Label] = {
    "sheet.term_sheet": ("Term Sheet", "条款概要"),
    "sheet.pool": ("Pool", "资产池"),
    "sheet.assumptions": ("Assumptions", "模型假设"),
    "sheet.monte_carlo": ("Monte Carlo", "蒙特卡洛模拟"),
    "sheet.cash_flows": ("Cash Flows", "现金流"),
    "sheet.structuring": ("Structuring", "结构设计"),
    "sheet.audit": ("Audit", "审计信息"),
}

# Fixed texts of the template (English there, translated for lang="zh").
TEMPLATE: dict[str, Label] = {
    "ts.title": ("Indicative term sheet", "发行条款概要(参考)"),
    "ts.disclaimer": (
        "For discussion only. Ratings are indicative, from editable tables (see Assumptions); "
        "they are not a rating agency's opinion.",
        "仅供讨论。评级为参考评级,来自可编辑的评级标准表(见“模型假设”),并非评级机构意见。",
    ),
    "ts.deal": ("Deal", "交易概况"),
    "ts.currency": ("Currency", "币种"),
    "ts.cutoff": ("Cut-off date", "封包日"),
    "ts.closing": ("Closing date", "起息日"),
    "ts.first_payment": ("First payment date", "首个兑付日"),
    "ts.legal_final": ("Legal final date", "法定到期日"),
    "ts.pool_balance": ("Pool balance", "资产池未偿本金"),
    "ts.loan_count": ("Number of loans", "资产笔数"),
    "ts.pool_wac": ("Pool weighted average rate", "资产池加权平均利率"),
    "ts.cost": ("Cost of funds (base case)", "融资成本(基准情景)"),
    "ts.senior_size": ("Most senior class: amount", "最优先档次:发行金额"),
    "ts.senior_share": ("Most senior class: share", "最优先档次:占比"),
    "ts.wa_coupon": ("WA coupon of placed classes", "对外发行档次加权平均票面利率"),
    "ts.all_in": ("All-in cost", "综合融资成本"),
    "ts.benchmark": ("Benchmark funding rate", "基准融资利率"),
    "ts.saving": ("Saving vs benchmark (bp)", "较基准节约(bp)"),
    "ts.upfront": ("Upfront fees", "前端费用"),
    "ts.excess_spread": ("Excess spread (a year)", "年化超额利差"),
    "ts.capital_structure": ("Capital structure", "资本结构"),
}

TIERS: dict[str, Label] = {
    "tier.senior": ("Senior", "优先A级"),
    "tier.mezzanine": ("Mezzanine", "优先B级"),
    "tier.subordinated": ("Subordinated", "次级"),
}

TERM_SHEET: dict[str, Label] = {
    "col.class": ("Class", "档次"),
    "col.tier": ("Tier", "层级"),
    "col.amount": ("Amount", "发行金额"),
    "col.share": ("Share", "占比"),
    "col.ce": ("Credit enhancement", "信用增级"),
    "col.coupon": ("Coupon", "票面利率"),
    "col.wal": ("WAL (years)", "加权平均期限(年)"),
    "col.expected_final": ("Expected final", "预期到期日"),
    "col.legal_final": ("Legal final", "法定到期日"),
    "col.el": ("EL", "预期损失率"),
    "col.pd": ("PD", "违约概率"),
    "col.bdr": ("BDR", "盈亏平衡违约率"),
    "col.rating_el": ("Rating (EL)", "评级(EL)"),
    "col.rating_pd": ("Rating (PD)", "评级(PD)"),
    "col.rating_dirr": ("Rating (DIRR)", "评级(DIRR)"),
    "col.rating_tdr": ("Rating (BDR ≥ TDR)", "评级(BDR≥TDR)"),
    "col.target": ("Target rating", "目标评级"),
    "total": ("Total", "合计"),
    "residual": ("residual", "剩余收益"),
    "not_run": ("not run", "未运行"),
    "note.ce": (
        "Credit enhancement: the classes below plus the reserve funded at closing, as a share "
        "of the pool; excess spread is not counted. WAL and expected final: base case.",
        "信用增级:劣后档次与起息日储备金之和占资产池的比例,不含超额利差。加权平均期限与预期"
        "到期日:基准情景。",
    ),
    "note.mc": (
        "EL and PD: Monte Carlo, {paths:,} paths, seed {seed}; standard errors on the Monte "
        "Carlo sheet.",
        "预期损失率与违约概率:蒙特卡洛模拟,{paths:,} 条路径,随机种子 {seed};标准误见“蒙特卡洛"
        "模拟”表。",
    ),
    "note.no_mc": (
        "No Monte Carlo was run: EL, PD and the indicative ratings are not shown.",
        "未运行蒙特卡洛模拟:不显示预期损失率、违约概率与参考评级。",
    ),
    "note.bdr": (
        "BDR: lifetime pool default rate at which the class first loses, the deal's default "
        "assumption stressed by a multiplier; \"≥\" marks a class that never loses (a lower "
        "bound).",
        "BDR:交易违约假设按倍数加压时,该档次开始出现损失的资产池累计违约率;“≥”表示始终无损失"
        "(所示为下限)。",
    ),
    "note.stress": (
        "Stress case: the deal's default assumption × {multiplier:,.2f}, the break-even of "
        "{cls} (lifetime pool default rate {rate:.2%}).",
        "压力情景:交易违约假设 × {multiplier:,.2f},即 {cls} 的盈亏平衡点(资产池累计违约率 "
        "{rate:.2%})。",
    ),
    "risks.title": ("Key risks", "主要风险"),
    "risk.none": (
        "No key risk flagged by the automatic checks.", "自动检查未发现主要风险。"
    ),
    "risk.concentration": (
        "Obligor concentration: the largest obligor is {top1:.2%} and the ten largest "
        "{top10:.2%} of the pool (effective number of obligors {effective:,.0f}).",
        "借款人集中度:最大借款人占资产池 {top1:.2%},前十大借款人占 {top10:.2%}(有效借款人数 "
        "{effective:,.0f})。",
    ),
    "risk.excess_spread": (
        "Thin excess spread: {spread:.2%} a year in the base case against pool losses of "
        "{loss:.2%} a year.",
        "超额利差较薄:基准情景下年化超额利差 {spread:.2%},资产池年化损失 {loss:.2%}。",
    ),
    "risk.target": (
        "{cls} misses its target rating {target}: indicative ratings EL {el}, PD {pd}, "
        "DIRR {dirr}, BDR ≥ TDR {tdr}.",
        "{cls} 未达到目标评级 {target}:参考评级 EL {el},PD {pd},DIRR {dirr},BDR≥TDR {tdr}。",
    ),
    "risk.base_loss": (
        "{cls} loses {loss:.4%} of its balance (PV at its coupon) in the base case.",
        "{cls} 在基准情景下损失其本金的 {loss:.4%}(按票面利率折现)。",
    ),
    "risk.cost": (
        "The all-in cost {all_in:.2%} is above the benchmark funding rate {benchmark:.2%}.",
        "综合融资成本 {all_in:.2%} 高于基准融资利率 {benchmark:.2%}。",
    ),
}

POOL: dict[str, Label] = {
    "pool.summary": ("Pool summary", "资产池概况"),
    "pool.top_obligors": ("Largest {n} obligors", "前 {n} 大借款人"),
    "col.obligor": ("Obligor, by balance", "借款人(按余额排序)"),
    "pool.obligor_rank": ("Obligor {n}", "借款人{n}"),
    "pool.strat": ("Stratification by {column}", "按{column}分层"),
    "col.figure": ("Figure", "指标"),
    "col.value": ("Value", "数值"),
    "col.unit": ("Unit", "单位"),
    "col.bucket": ("Bucket", "分层"),
    "col.count": ("Loans", "笔数"),
    "col.balance": ("Balance", "未偿本金"),
    "col.wac": ("WA rate", "加权平均利率"),
    "col.wa_remaining_term": ("WA remaining term (months)", "加权平均剩余期限(月)"),
    "col.wa_annual_pd": ("WA annual PD", "加权平均年违约概率"),
    "poolcol.amortization": ("repayment type", "还款方式"),
    "poolcol.remaining_term": ("remaining term (months)", "剩余期限(月)"),
    "poolcol.seasoning": ("seasoning (months)", "账龄(月)"),
    "poolcol.balance": ("balance", "未偿本金"),
    "poolcol.rate": ("rate", "利率"),
    "poolcol.annual_pd": ("annual PD", "年违约概率"),
    "poolcol.grade": ("grade", "信用等级"),
    "poolcol.region": ("region", "地区"),
    "poolcol.industry": ("industry", "行业"),
    "poolcol.score": ("score", "信用评分"),
}

ASSUMPTIONS: dict[str, Label] = {
    "as.run": ("Monte Carlo run", "蒙特卡洛模拟设置"),
    "as.paths": ("Paths", "路径数"),
    "as.seed": ("Seed", "随机种子"),
    "as.block_paths": ("Paths per seeded block", "每个随机块的路径数"),
    "as.shift": ("Importance-sampling shift", "重要性抽样偏移"),
    "as.runtime": ("Runtime (seconds)", "运行时间(秒)"),
    "as.stress": ("Stress scenario (Cash Flows sheet)", "压力情景(见“现金流”表)"),
    "as.multiplier": ("Default multiplier", "违约压力倍数"),
    "as.stress_class": ("Break-even of class", "对应档次的盈亏平衡点"),
    "as.pd_by_grade": ("PD by grade as modelled", "模型采用的各信用等级违约概率"),
    "col.grade": ("Grade", "信用等级"),
    "col.annual_pd": ("Annual PD", "年违约概率"),
    "col.source": ("Source", "来源"),
    "source.deal": ("deal file (by_grade)", "交易文件(by_grade)"),
    "source.tape": ("loan tape (annual_pd)", "资产清单(annual_pd)"),
    "as.inputs": ("Deal inputs: every field of the deal file", "交易输入:交易文件的全部字段"),
    "as.embedded_tape": (
        "the loan tape embedded in the deal file (loan-level data: not in this document; the "
        "deal file is a separate download)",
        "交易文件内嵌的资产清单(逐笔资产数据,不列入本文件;交易文件另行下载)",
    ),
    "col.input": ("Input", "输入项"),
    "col.field": ("Deal-file field", "交易文件字段"),
    "col.values": ("Value(s)", "取值"),
    "as.tables": ("Rating tables used (indicative)", "所用评级标准表(参考)"),
    "col.table": ("Table", "表"),
    "col.kind": ("Kind", "类型"),
    "col.label": ("Label", "标注"),
    "col.description": ("Description", "说明"),
    "col.rating": ("Rating", "评级"),
}

# Descriptions of deal-file fields on the Assumptions sheet, by path ([i] dropped).
FIELDS: dict[str, Label] = {
    "field.name": ("Deal name", "交易名称"),
    "field.currency": ("Currency", "币种"),
    "field.benchmark_rate_annual": ("Benchmark funding rate", "基准融资利率"),
    "field.run.paths": ("Monte Carlo paths (deal default)", "蒙特卡洛路径数(交易默认)"),
    "field.run.seed": ("Seed (deal default)", "随机种子(交易默认)"),
    "field.assumptions.default.type": ("Default model", "违约模型"),
    "field.assumptions.default.multiplier": ("PD multiplier", "违约概率倍数"),
    "field.assumptions.prepayment.annual": ("CPR (annual, by year)", "年提前还款率 CPR"),
    "field.assumptions.recovery.rate": ("Recovery rate", "回收率"),
    "field.assumptions.recovery.lag_months": ("Recovery lag (months)", "回收滞后(月)"),
    "field.assumptions.recovery.from_tape": (
        "Recovery from the tape's loan-level LGD where given",
        "有逐笔违约损失率时采用资产清单数据"),
    "field.assumptions.correlation": ("Asset correlation", "资产相关系数"),
    "field.assumptions.copula": ("Copula", "Copula 类型"),
    "field.assumptions.t_degrees_of_freedom": ("Student-t degrees of freedom", "t 分布自由度"),
    "field.assumptions.sector_correlation": ("Sector correlation", "行业/地区相关系数"),
    "field.assumptions.recovery_volatility": ("Recovery volatility", "回收率波动率"),
    "field.structure.classes.name": ("Class name", "档次名称"),
    "field.structure.classes.size": ("Class size", "档次规模"),
    "field.structure.classes.coupon_annual": ("Class coupon", "票面利率"),
    "field.structure.revolving.months": ("Revolving period (months)", "循环期(月)"),
}

MONTE_CARLO: dict[str, Label] = {
    "mc.none": (
        "No Monte Carlo was run for this workbook; run `abs-tool run DEAL --out-xlsx FILE` "
        "for loss distributions, EL, PD and ratings.",
        "本工作簿未运行蒙特卡洛模拟;运行 `abs-tool run DEAL --out-xlsx FILE` 可得到损失分布、"
        "预期损失率、违约概率与评级。",
    ),
    "mc.quantiles": ("Pool lifetime default and loss rates", "资产池累计违约率与损失率"),
    "col.statistic": ("Statistic", "统计量"),
    "col.default_rate": ("Default rate", "违约率"),
    "col.loss_rate": ("Loss rate", "损失率"),
    "stat.mean": ("Mean", "均值"),
    "stat.mean_se": ("Standard error of the mean", "均值标准误"),
    "stat.sd": ("Standard deviation", "标准差"),
    "stat.quantile": ("{q:.2%} quantile", "{q:.2%} 分位数"),
    "mc.distribution": ("Pool loss rate distribution", "资产池损失率分布"),
    "col.from": ("Loss rate from", "损失率下限"),
    "col.to": ("to", "上限"),
    "col.probability": ("Probability", "概率"),
    "col.cumulative": ("Cumulative", "累计概率"),
    "mc.classes": ("Class loss statistics (standard errors beside)", "各档次损失统计(附标准误)"),
    "col.se": ("se", "标准误"),
    "stat.expected_loss": ("EL", "预期损失率"),
    "stat.principal_loss": ("Principal loss", "本金损失率"),
    "stat.pd": ("PD", "违约概率"),
    "stat.lgd": ("LGD given loss", "损失时损失率"),
    "stat.wal_years": ("WAL (years)", "加权平均期限(年)"),
    "stat.yield_annual": ("IRR", "内部收益率"),
    "stat.dirr_bp": ("DIRR (bp)", "收益率下降(bp)"),
    "mc.tdr": (
        "Target default rate (TDR) by rating against each class's BDR",
        "各评级目标违约率(TDR)与各档次盈亏平衡违约率(BDR)",
    ),
    "col.tdr": ("TDR", "TDR"),
    "col.pass": ("BDR ≥ TDR", "BDR≥TDR"),
    "pass": ("pass", "通过"),
    "fail": ("fail", "未通过"),
}

CASH_FLOWS: dict[str, Label] = {
    "cf.expected": ("Expected case: the deal's assumptions", "基准情景:交易假设"),
    "cf.stress": ("Stress case: default assumption × {multiplier:,.2f}", "压力情景:违约假设 × "
                  "{multiplier:,.2f}"),
    "cf.pool": ("Pool", "资产池"),
    "cfc.period": ("Period", "期数"),
    "cfc.date": ("Date", "日期"),
    "cfc.balance_close": ("Closing balance", "期末余额"),
    "cfc.collections": ("Collections", "回收款合计"),
    "cfc.default": ("Defaults", "违约金额"),
    "cfc.recovery": ("Recoveries", "违约回收"),
    "cfc.loss": ("Losses", "损失"),
    "cfc.purchases": ("Revolving purchases", "循环购买"),
    "cfc.cumulative_default_rate": ("Cumulative default rate", "累计违约率"),
    "cfc.interest_paid": ("Interest paid", "实付利息"),
    "cfc.interest_shortfall": ("Interest shortfall", "利息缺口"),
    "cfc.principal_paid": ("Principal paid", "偿还本金"),
    "cfc.writedown": ("Write-down", "本金减记"),
    "cfc.residual": ("Residual", "剩余收益"),
}

AUDIT: dict[str, Label] = {
    "au.tool": ("Tool", "工具"),
    "au.version": ("abs-tool version", "abs-tool 版本"),
    "au.generated": ("Generated (UTC)", "生成时间(UTC)"),
    "au.libraries": ("Python, numpy, pandas, openpyxl", "Python、numpy、pandas、openpyxl 版本"),
    "au.deal": ("Deal name", "交易名称"),
    "au.seed": ("Monte Carlo seed", "蒙特卡洛随机种子"),
    "au.paths": ("Monte Carlo paths", "蒙特卡洛路径数"),
    "au.hashes": ("Inputs (SHA-256)", "输入(SHA-256)"),
    "au.deal_hash": ("Deal as canonical JSON", "交易(规范 JSON)"),
    "au.pool_hash": ("Pool as modelled (CSV of its loans)", "模型所用资产池(CSV)"),
    "col.input_name": ("Input", "输入"),
    "col.sha256": ("SHA-256", "SHA-256"),
}

TABLES: tuple[dict[str, Label], ...] = (
    SHEETS, TEMPLATE, TIERS, TERM_SHEET, POOL, ASSUMPTIONS, FIELDS, MONTE_CARLO, CASH_FLOWS,
    AUDIT,
)
LABELS: dict[str, Label] = {key: label for table in TABLES for key, label in table.items()}


def text(key: str, lang: str, **values: object) -> str:
    """Label ``key`` in ``lang`` (an index into :data:`~abs_tool.analysis.pool_stats.LANGS`),
    filled."""
    label = LABELS[key][LANGS.index(lang)]
    return label.format(**values) if values else label


def translation(lang: str) -> dict[str, str]:
    """English label -> label in ``lang``, to translate the template's fixed texts."""
    i = LANGS.index(lang)
    return {label[0]: label[i] for label in LABELS.values()}
