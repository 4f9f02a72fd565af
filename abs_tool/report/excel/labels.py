"""Every text the term-sheet workbook shows, in English and Chinese.

One table per part of the workbook, each ``{key: (english, chinese)}``; concept terms (tiers,
metrics, tape columns) are the glossary's (:mod:`abs_tool.glossary`), so the workbook says
what the app says. The template holds its fixed texts in English; each
of them must be an English label here (a test checks it), so :func:`translation` can turn the
template into Chinese. Texts with ``{placeholders}`` are filled with :meth:`str.format`.
"""

from __future__ import annotations

from abs_tool import glossary as g
from abs_tool.analysis.pool_stats import LANGS

Label = tuple[str, str]

SHEETS: dict[str, Label] = {
    "sheet.term_sheet": ("Term Sheet", "条款概要"),
    "sheet.pool": g.DEAL["pool"],
    "sheet.assumptions": g.DEAL["assumptions"],
    "sheet.monte_carlo": g.METRICS["monte_carlo"],
    "sheet.cash_flows": ("Cash Flows", "现金流"),
    "sheet.structuring": g.DEAL["structuring"],
    # "Static pool" is the glossary's 静态池; the sheet is its analysis.
    "sheet.static_pool": ("Static pool analysis", "静态池分析"),
    "sheet.stress": g.DEAL["stress_tests"],
    "sheet.audit": ("Audit", "审计信息"),
}

# Fixed texts of the template (English there, translated for lang="zh").
TEMPLATE: dict[str, Label] = {
    "ts.title": ("Indicative term sheet", "发行条款概要(参考)"),
    "ts.disclaimer": (
        "For discussion only. Ratings are indicative, computed by this tool from editable "
        "tables (see Assumptions): not a rating agency's opinion.",
        "仅供讨论。评级为本工具按可编辑的评级标准表(见“模型假设”)计算的参考评级,并非评级机构意见。",
    ),
    "ts.deal": ("Deal", "交易"),
    "ts.currency": g.DEAL["currency"],
    "ts.cutoff": g.DEAL["cutoff"],
    "ts.closing": g.DEAL["closing"],
    "ts.first_payment": g.DEAL["first_payment"],
    "ts.legal_final": g.DEAL["legal_final"],
    "ts.pool_balance": g.DEAL["pool_balance"],
    "ts.loan_count": g.DEAL["loan_count"],
    "ts.pool_wac": ("Pool weighted average rate", "资产池加权平均利率"),
    "ts.day_count": g.DEAL["day_count"],
    "ts.business_day": g.DEAL["business_day_convention"],
    "ts.parties": g.DEAL["parties"],
    "ts.originator": g.DEAL["originator"],
    "ts.servicer": g.DEAL["servicer"],
    "ts.manager": g.DEAL["manager"],
    "ts.trustee": g.DEAL["trustee"],
    "ts.underwriter": g.DEAL["underwriter"],
    "ts.rating_agency": g.DEAL["rating_agencies"],
    "ts.cost": ("Cost of funds (base case)", "融资成本(基准情景)"),
    "ts.senior_size": ("Most senior class: amount", "最优先级档次:发行金额"),
    "ts.senior_share": ("Most senior class: share", "最优先级档次:占比"),
    "ts.wa_coupon": g.METRICS["wa_coupon"],
    "ts.all_in": g.METRICS["all_in"],
    "ts.benchmark": g.METRICS["benchmark"],
    "ts.saving": g.METRICS["saving_bp"],
    "ts.upfront": g.DEAL["upfront_fees"],
    "ts.excess_spread": g.METRICS["excess_spread_annual"],
    "ts.capital_structure": ("Capital structure", "资本结构"),
}

# Values of page 1's deal block (dates conventions, payment frequency, parties).
DEAL_TERMS: dict[str, Label] = {
    "freq.1": ("Monthly", "按月"),
    "freq.revolving": ("Monthly; quarterly while revolving: {classes}",
                       "按月;循环期内按季:{classes}"),
    # Deal payment frequency (issue 16 item 4b)
    "freq.3": ("Quarterly (every 3 months)", "按季兑付(每3个月)"),
    "freq.6": ("Semi-annual (every 6 months)", "按半年兑付(每6个月)"),
    "bdc.none": ("Unadjusted", "不调整"),
    "bdc.following": ("Following", "顺延至下一工作日"),
    "bdc.modified_following": ("Modified following", "经修正的顺延"),
    "party.none": ("not given", "未填写"),
}

# Page 1's structure block: amortisation, revolving criteria, triggers, reserve, clean-up.
STRUCTURE: dict[str, Label] = {
    "st.title": ("Structure and triggers", "交易结构与触发事件"),
    "st.description": ("Structure and priority of payments", "交易结构与现金流分配机制"),
    "st.amortisation": g.DEAL["amortisation_type"],
    "st.revolving": ("Revolving {months} months (principal collections buy new receivables), "
                     "then ", "循环期 {months} 个月(本金回收款用于购买新资产),之后"),
    "st.sequential": ("sequential: principal to {first} until paid, then to each class in turn",
                      "顺序偿付:本金先偿付 {first},偿清后依次偿付后续档次"),
    "st.pro_rata": ("pro rata across the notes until a trigger turns it sequential",
                    "各档次按比例偿付,触发事件发生后转为顺序偿付"),
    "st.payments": g.DEAL["payment_date"],
    "st.payments_text": ("{frequency}; first {first}", "{frequency};首个兑付日 {first}"),
    "st.criteria": g.DEAL["revolving_criteria"],
    "st.criteria_none": ("none in the deal file", "交易文件未设定"),
    "st.excluded": ("{n} obligors excluded by name (not listed here)",
                    "{n} 个借款人被列名排除(此处不列示)"),
    "st.trigger": g.DEAL["trigger"],
    "st.trigger_text": ("{metric} above {level} → {action}", "{metric}高于 {level} → {action}"),
    "st.level_vector": ("{first} in month 1, {last} from month {month}",
                        "第 1 个月 {first},第 {month} 个月起 {last}"),
    "st.triggers_none": ("none", "无"),
    "metric.cumulative_default_rate": g.METRICS["cumulative_default_rate"],
    "metric.reserve_shortfall": ("Reserve shortfall", "储备金缺口"),
    "metric.principal_deficiency": ("Principal deficiency", "本金亏损"),
    "action.sequential": ("principal paid sequentially", "转为顺序偿付"),
    "action.end_revolving": ("revolving ends (early amortisation)", "循环期提前结束(提前摊还)"),
    "action.accelerate": ("acceleration", "加速清偿"),
    "st.reserve": g.DEAL["reserve"],
    "st.reserve_text": ("{initial} of the notes funded at closing; target {target}, floor {floor}",
                        "起息日按证券金额的 {initial} 计提;目标 {target},下限 {floor}"),
    "st.reserve_none": ("none", "无"),
    # Liquidity support (issue 16 item 5)
    "st.liquidity": g.DEAL["liquidity_reserve"],
    "st.liquidity_text": (
        "{initial} of the senior notes funded at closing; target {target} of the senior "
        "notes outstanding, floor {floor}; pays only senior fees and senior interest left "
        "unpaid; replenished {after}; not counted in the credit enhancement",
        "起息日按优先级证券金额的 {initial} 计提;目标为未偿优先级证券的 {target},下限 {floor};"
        "仅用于支付不足的优先费用及优先级利息;于{after}补足;不计入信用增级"),
    "st.liquidity_after.senior_interest": ("right after interest", "利息之后"),
    "st.liquidity_after.principal": ("after principal", "本金之后"),
    "st.advance": g.DEAL["servicer_advance"],
    "st.advance_text": (
        "up to {limit} outstanding, at {rate} a year, for senior fees and senior interest "
        "left unpaid, when recoverable; reimbursed first the next months",
        "垫付余额上限 {limit},年利率 {rate},用于不足的优先费用及优先级利息(以可回收为限);"
        "于其后各期最优先偿还"),
    "st.advance_share": ("{share} of the pool", "资产池余额的 {share}"),
    "st.clean_up": g.DEAL["clean_up_call"],
    "st.clean_up_text": ("when the pool falls below {share} of its initial balance",
                         "资产池余额降至初始余额的 {share} 以下时"),
}

TIERS: dict[str, Label] = {
    "tier.senior": g.TIERS["senior"],
    "tier.mezzanine": g.TIERS["mezzanine"],
    "tier.subordinated": g.TIERS["subordinated"],
}

TERM_SHEET: dict[str, Label] = {
    "col.class": g.DEAL["class"],
    "col.tier": g.DEAL["tier"],
    "col.amount": g.DEAL["amount"],
    "col.share": g.DEAL["share"],
    "col.ce": g.METRICS["credit_enhancement"],
    "col.subordination": g.METRICS["subordination"],
    "col.reserve": g.DEAL["reserve"],
    "col.indicative": g.METRICS["indicative_rating"],
    "col.coupon": g.DEAL["coupon"],
    "col.wal": g.METRICS["wal_years"],
    "col.expected_final": g.DEAL["expected_final"],
    "col.legal_final": ("Legal final", "法定到期日"),
    "col.el": g.METRICS["el"],
    "col.pd": g.METRICS["pd"],
    "col.bdr": g.METRICS["bdr"],
    "col.rating_el": ("Rating (EL)", "评级(预期损失)"),
    "col.rating_pd": ("Rating (PD)", "评级(违约概率)"),
    "col.rating_dirr": ("Rating (DIRR)", "评级(收益率减损)"),
    "col.rating_tdr": ("Rating (BDR ≥ TDR)", "评级(临界违约率≥目标违约率)"),
    "col.target": g.DEAL["target_rating"],
    "total": g.DEAL["total"],
    "residual": ("residual", "剩余收益"),
    "not_run": ("not run", "未运行"),
    "note.ce": (
        "Credit enhancement = subordination (classes below) + reserve funded at closing, as "
        "shares of the pool; excess spread ({spread:.2%} a year, base case) comes on top, not "
        "counted. WAL, expected final: base case.",
        "信用增级 = 次级支持(劣后档次)+ 起息日储备金,均为占资产池比例;超额利差(基准情景年化 "
        "{spread:.2%})另计,未计入。加权平均期限、预期到期日:基准情景。",
    ),
    "note.rating": (
        "Indicative rating: the lowest of four criteria (EL, PD, DIRR, BDR ≥ TDR; each on "
        "page 2), on one scale (AAA, AA+, AA, …). Indicative, not a rating agency's opinion.",
        "参考评级:预期损失、违约概率、收益率减损、临界违约率≥目标违约率四项标准中的最低者"
        "(各项见第 2 页),统一采用 AAA、AA+、AA… 级别。仅为参考,并非评级机构意见。",
    ),
    "ts.by_criterion": ("Indicative ratings by criterion", "各项标准下的参考评级"),
    "ts.chart_structure": ("Capital structure and credit enhancement (share of the pool)",
                           "资本结构与信用增级(占资产池比例)"),
    "note.mc": (
        "EL and PD: Monte Carlo, {paths:,} paths, seed {seed}; standard errors on the Monte "
        "Carlo sheet.",
        "预期损失与违约概率:蒙特卡洛模拟,{paths:,} 条路径,随机种子 {seed};"
        "标准误见“蒙特卡洛模拟”表。",
    ),
    "note.no_mc": (
        "No Monte Carlo was run: EL, PD and the indicative ratings are not shown.",
        "未运行蒙特卡洛模拟:不显示预期损失、违约概率与参考评级。",
    ),
    "note.bdr": (
        "BDR: lifetime pool default rate at which the class first loses, the deal's default "
        "assumption stressed by a multiplier; \"≥\" marks a class that never loses (a lower "
        "bound).",
        "临界违约率:交易违约假设按倍数加压时,该档次开始出现损失的资产池累计违约率;“≥”表示始终无损失"
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
    "risk.obligors": (
        "Obligor concentration: the largest obligor is {top1:.2%} and the ten largest "
        "{top10:.2%} of the pool (effective number of obligors {effective:,.0f}); "
        "stratifications on the Pool sheet.",
        "借款人集中度:最大借款人占资产池 {top1:.2%},前十大借款人占 {top10:.2%}(有效借款人数 "
        "{effective:,.0f});分层统计见“资产池”表。",
    ),
    "risk.spread_dependence": (
        "Excess spread: {spread:.2%} a year in the base case against pool losses of {loss:.2%} "
        "a year; it is not in the credit enhancement above and shrinks if loan rates fall or "
        "prepayments rise.",
        "超额利差:基准情景下年化 {spread:.2%},资产池年化损失 {loss:.2%};未计入上述信用增级,"
        "贷款利率下降或早偿上升时会减少。",
    ),
    "risk.revolving": (
        "Revolving period of {months} months: receivables bought later may differ from the "
        "pool analysed, within the revolving criteria; {triggers} trigger(s) can end it early.",
        "循环期 {months} 个月:后续购买的资产可能与所分析的资产池不同(受循环购买标准约束);"
        "{triggers} 个触发事件可使其提前结束。",
    ),
    "risk.commingling": (
        "Commingling and servicer risk are not modelled: collections held by the servicer "
        "before they reach the trust account would be at risk if the servicer failed.",
        "未模拟混同风险与资产服务机构风险:资产服务机构划转至信托账户前持有的回收款,"
        "在其违约时存在损失风险。",
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
        "{cls} 未达到目标评级 {target}:参考评级按预期损失 {el},按违约概率 {pd},按收益率减损 {dirr},"
        "按临界违约率≥目标违约率 {tdr}。",
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
    "col.figure": g.DEAL["figure"],
    "col.value": g.DEAL["value"],
    "col.unit": g.DEAL["unit"],
    "col.bucket": g.DEAL["bucket"],
    "col.count": g.DEAL["loans"],
    "col.balance": g.DEAL["balance"],
    "col.wac": g.METRICS["wa_rate"],
    "col.wa_remaining_term": ("WA remaining term (months)", "加权平均剩余期限(月)"),
    "col.wa_annual_pd": ("WA annual PD", "加权平均年违约概率"),
    "poolcol.amortization": g.FIELDS["amortization"],
    "poolcol.remaining_term": ("remaining term (months)", "剩余期限(月)"),
    "poolcol.seasoning": ("seasoning (months)", "账龄(月)"),
    "poolcol.balance": g.FIELDS["balance"],
    "poolcol.rate": g.FIELDS["rate"],
    "poolcol.annual_pd": g.FIELDS["annual_pd"],
    "poolcol.grade": g.FIELDS["grade"],
    "poolcol.region": g.FIELDS["region"],
    "poolcol.industry": g.FIELDS["industry"],
    "poolcol.score": g.FIELDS["score"],
}

ASSUMPTIONS: dict[str, Label] = {
    "as.run": ("Monte Carlo run", "蒙特卡洛模拟设置"),
    "as.paths": g.METRICS["paths"],
    "as.seed": g.METRICS["seed"],
    "as.block_paths": ("Paths per seeded block", "每个随机块的路径数"),
    "as.shift": ("Importance-sampling shift", "重要性抽样偏移"),
    "as.runtime": ("Runtime (seconds)", "运行时间(秒)"),
    "as.stress": ("Stress scenario (Cash Flows sheet)", "压力情景(见“现金流”表)"),
    "as.multiplier": g.METRICS["default_multiplier"],
    "as.stress_class": ("Break-even of class", "对应档次的盈亏平衡点"),
    "as.pd_by_grade": ("PD by grade as modelled", "模型采用的各信用等级违约概率"),
    "col.grade": g.FIELDS["grade"],
    "col.annual_pd": g.FIELDS["annual_pd"],
    "col.source": g.DEAL["source"],
    "source.deal": ("deal file (by_grade)", "交易文件(按信用等级设定)"),
    "source.tape": ("loan tape (annual_pd)", "资产清单(年违约概率)"),
    "as.inputs": ("Deal inputs: every field of the deal file", "交易输入:交易文件的全部字段"),
    "as.embedded_tape": (
        "the loan tape embedded in the deal file (loan-level data: not in this document; the "
        "deal file is a separate download)",
        "交易文件内嵌的资产清单(逐笔资产数据,不列入本文件;交易文件另行下载)",
    ),
    "col.input": g.DEAL["input"],
    "col.field": ("Deal-file field", "交易文件字段"),
    "col.values": ("Value(s)", "取值"),
    "as.tables": ("Rating tables used (indicative)", "所用评级标准表(参考)"),
    "col.table": ("Table", "表"),
    "col.kind": ("Kind", "类型"),
    "col.label": ("Label", "标注"),
    "col.description": ("Description", "说明"),
    "col.rating": g.DEAL["rating"],
}

# Descriptions of deal-file fields on the Assumptions sheet, by path ([i] dropped).
FIELDS: dict[str, Label] = {
    "field.name": ("Deal name", "交易名称"),
    "field.currency": g.DEAL["currency"],
    "field.benchmark_rate_annual": g.METRICS["benchmark"],
    "field.run.paths": ("Monte Carlo paths (deal default)", "蒙特卡洛路径数(交易默认)"),
    "field.run.seed": ("Seed (deal default)", "随机种子(交易默认)"),
    "field.assumptions.default.type": ("Default model", "违约模型"),
    "field.assumptions.default.multiplier": g.METRICS["pd_multiplier"],
    "field.assumptions.prepayment.annual": ("CPR (annual, by year)", "各年早偿率(年化)"),
    "field.assumptions.recovery.rate": g.METRICS["recovery_rate"],
    "field.assumptions.recovery.lag_months": g.METRICS["recovery_lag"],
    "field.assumptions.recovery.from_tape": (
        "Recovery from the tape's loan-level LGD where given",
        "有逐笔违约损失率时采用资产清单数据"),
    "field.assumptions.correlation": g.METRICS["asset_correlation"],
    "field.assumptions.copula": g.METRICS["copula"],
    "field.assumptions.t_degrees_of_freedom": ("Student-t degrees of freedom", "t 分布自由度"),
    "field.assumptions.sector_correlation": g.METRICS["sector_correlation"],
    "field.assumptions.recovery_volatility": ("Recovery volatility", "回收率波动率"),
    "field.structure.classes.name": ("Class name", "档次名称"),
    "field.structure.classes.size": ("Class size", "档次规模"),
    "field.structure.classes.coupon_annual": ("Class coupon", "档次票面利率"),
    "field.structure.revolving.months": g.DEAL["revolving_period"],
}

MONTE_CARLO: dict[str, Label] = {
    "mc.none": (
        "No Monte Carlo was run for this workbook; run `abs-tool run DEAL --out-xlsx FILE` "
        "for loss distributions, EL, PD and ratings.",
        "本工作簿未运行蒙特卡洛模拟;运行 `abs-tool run DEAL --out-xlsx FILE` 可得到损失分布、"
        "预期损失、违约概率与评级。",
    ),
    "mc.quantiles": ("Pool lifetime default and loss rates", "资产池累计违约率与损失率"),
    "col.statistic": g.DEAL["statistic"],
    "col.default_rate": g.METRICS["default_rate"],
    "col.loss_rate": g.METRICS["loss_rate"],
    "stat.mean": g.METRICS["mean"],
    "stat.mean_se": ("Standard error of the mean", "均值标准误"),
    "stat.sd": ("Standard deviation", "标准差"),
    "stat.quantile": ("{q:.2%} quantile", "{q:.2%} 分位数"),
    "mc.distribution": ("Pool loss rate distribution", "资产池损失率分布"),
    "col.from": ("Loss rate from", "损失率下限"),
    "col.to": ("to", "上限"),
    "col.probability": g.DEAL["probability"],
    "col.cumulative": ("Cumulative", "累计概率"),
    "mc.classes": ("Class loss statistics (standard errors beside)", "各档次损失统计(附标准误)"),
    "col.se": g.METRICS["se"],
    "stat.expected_loss": g.METRICS["el"],
    "stat.principal_loss": g.METRICS["principal_loss"],
    "stat.pd": g.METRICS["pd"],
    "stat.lgd": g.METRICS["lgd_given_loss"],
    "stat.wal_years": g.METRICS["wal_years"],
    "stat.yield_annual": g.METRICS["irr"],
    "stat.dirr_bp": g.METRICS["dirr_bp"],
    "mc.tdr": (
        "Target default rate (TDR) by rating against each class's BDR",
        "各评级目标违约率与各档次临界违约率",
    ),
    "col.tdr": g.METRICS["tdr"],
    "col.pass": ("BDR ≥ TDR", "临界违约率≥目标违约率"),
    "pass": ("pass", "通过"),
    "fail": ("fail", "未通过"),
}

CASH_FLOWS: dict[str, Label] = {
    "cf.expected": ("Expected case: the deal's assumptions", "基准情景:交易假设"),
    "cf.stress": ("Stress case: default assumption × {multiplier:,.2f}", "压力情景:违约假设 × "
                  "{multiplier:,.2f}"),
    "cf.pool": g.DEAL["pool"],
    "cfc.period": g.DEAL["period"],
    "cfc.date": g.DEAL["date"],
    "cfc.balance_close": ("Closing balance", "期末余额"),
    "cfc.collections": ("Collections", "回收款合计"),
    "cfc.default": ("Defaults", "违约金额"),
    "cfc.recovery": ("Recoveries", "违约回收"),
    "cfc.loss": ("Losses", "损失"),
    "cfc.purchases": ("Revolving purchases", "循环购买"),
    "cfc.cumulative_default_rate": g.METRICS["cumulative_default_rate"],
    "cfc.interest_paid": ("Interest paid", "实付利息"),
    "cfc.interest_shortfall": ("Interest shortfall", "利息缺口"),
    "cfc.principal_paid": ("Principal paid", "偿还本金"),
    "cfc.writedown": ("Write-down", "本金减记"),
    "cfc.residual": g.DEAL["residual"],
    # The waterfall options' lines (issue 16), as the app's period tables name them.
    **{f"cfc.{key}": label for key, label in g.PERIOD_LINES.items()},
    "cf.liquidity": g.DEAL["liquidity_reserve"],
    "cf.advance": g.DEAL["servicer_advance"],
}

# The stress case's waterfall inspector below the Cash Flows sheet's tables
# (abs_tool.report.excel.inspection; codes of abs_tool.analysis.inspector).
INSPECTOR: dict[str, Label] = {
    "insp.title": (f"{g.INSPECTOR['title'][0]}: stress case",
                   f"{g.INSPECTOR['title'][1]}:压力情景"),
    "insp.why": ("Why this month", "选取该期的原因"),
    "insp.why.chosen": ("The month chosen for this term sheet.", "编制本条款概要时指定的一期。"),
    "insp.why.interest_shortfall": (
        "The first month in which a senior or mezzanine class is not paid its full interest.",
        "优先级或中间级档次首次未足额获付利息的一期。"),
    "insp.why.trigger_breach": (
        "No interest shortfall on a senior or mezzanine class in the stress case: the first "
        "month in which a trigger is breached (its action takes effect from the next month).",
        "压力情景下优先级、中间级档次均无利息缺口:首次触发触发事件的一期(其后果自下一期起生效)。"),
    "insp.why.largest_loss": (
        "No interest shortfall and no trigger breach in the stress case: the month of its "
        "largest pool loss.",
        "压力情景下无利息缺口且未触发触发事件:资产池损失最大的一期。"),
    "insp.why.first_month": (
        "No interest shortfall, trigger breach or pool loss in the stress case: its first "
        "month.",
        "压力情景下无利息缺口、未触发触发事件且资产池无损失:首期。"),
    "insp.note": (
        "Each step of the priority of payments in order: funds after = funds before + "
        "received − paid. The principal due is the engine's own figure for the month.",
        "按分配顺序逐项列示:分配后资金 = 分配前资金 + 收入 − 已付。应付本金为模型当期计算值。"),
    "insp.steps": g.INSPECTOR["steps"],
    "insp.triggers": g.DEAL["triggers"],
    "insp.ledgers": g.INSPECTOR["ledgers"],
    "insp.col.trigger": g.DEAL["trigger"],
    "insp.col.level": g.METRICS["threshold"],
    **{f"insp.{key}": label for key, label in g.INSPECTOR.items()
       if key.startswith(("col.", "part.", "item."))},
    # Period-table lines the inspector names that the cash-flow tables above do not show.
    "cfc.balance_open": ("Opening balance", "期初余额"),
    "cfc.interest": ("Interest", "利息"),
    "cfc.scheduled_principal": ("Scheduled principal", "正常还本"),
    "cfc.prepayment": g.METRICS["prepayment"],
    "cfc.fee_income": ("Fee income", "手续费收入"),
    "cfc.interest_due": ("Interest due", "应付利息"),
    "cfc.held_close": ("Collections held to the payment date", "留存至兑付日的回收款"),
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
    "au.deal_hash": ("Deal as canonical JSON", "交易(规范化 JSON)"),
    "au.pool_hash": ("Pool as modelled (CSV of its loans)", "模型所用资产池(CSV)"),
    "col.input_name": g.DEAL["input"],
    "col.sha256": ("SHA-256", "SHA-256"),
}

STATIC_POOL: dict[str, Label] = {
    "sp.base_case": ("Base case", "基准情景"),
    "sp.lifetime": g.METRICS["lifetime_default_rate"],
    "sp.weighting": ("Weighting of vintages", "放款月份加权方式"),
    "sp.weighting.balance": ("by original balance", "按放款金额"),
    "sp.weighting.equal": ("equal", "等权"),
    "sp.weighting.recent": ("recent-weighted (half-life {months:g} months)",
                            "近期加权(半衰期 {months:g} 个月)"),
    "sp.vintages_used": ("Vintages in the base case", "计入基准情景的放款月份数"),
    "sp.std": ("Dispersion (std across vintages)", "离散程度(各放款月份标准差)"),
    "sp.min": ("Lowest vintage rate", "放款月份最低累计违约率"),
    "sp.max": ("Highest vintage rate", "放款月份最高累计违约率"),
    "sp.cv": ("Coefficient of variation", "变异系数"),
    "sp.by_count": ("Lifetime rate by count", "累计违约率(按笔数)"),
    "sp.fit": ("Lifetime rate (Weibull fit)", "累计违约率(威布尔拟合)"),
    "sp.months": ("Months of the curves", "曲线月数"),
    "sp.cpr_mean": ("Mean CPR", "平均早偿率"),
    "sp.recovery_rate": g.METRICS["recovery_rate"],
    "sp.recovery_lag": g.METRICS["recovery_lag"],
    "sp.correlation": ("Implied asset correlation (a suggestion)", "隐含资产相关系数(建议值)"),
    "sp.correlation_interval": ("Implied correlation: interval", "隐含相关系数:区间"),
    "sp.not_found": ("not in the data", "数据中无此项"),
    "sp.curves": ("Cumulative default curves", "累计违约曲线"),
    "sp.curves_help": (
        "Observed cumulative default rate of a few vintages, and the base case's timing as "
        "the cumulative share of lifetime defaults.",
        "部分放款月份已观察到的累计违约率,以及基准情景违约时间分布(占累计违约的比例)。",
    ),
    "sp.timing_cumulative": ("Base case: share of lifetime defaults", "基准情景:占累计违约比例"),
    "sp.curve": ("Timing curve and prepayment by month on book", "各账龄违约时间分布与早偿率"),
    "col.months_on_book": g.DEAL["months_on_book"],
    "col.timing": g.METRICS["timing_curve"],
    "col.cpr": g.METRICS["cpr_annual"],
    "sp.vintages": ("Vintages", "各放款月份"),
    "col.vintage": g.DEAL["vintage"],
    "col.original_balance": g.FIELDS["original_balance"],
    "col.months_observed": ("Months observed", "已观察月数"),
    "col.observed_rate": ("Observed cumulative default rate", "已观察累计违约率"),
    "col.developed_share": ("Share of lifetime defaults shown", "已显现违约占比"),
    "col.chain_ladder_lifetime_rate": ("Lifetime rate (chain-ladder)", "累计违约率(链梯法)"),
    "col.fit_lifetime_rate": ("Lifetime rate (Weibull fit)", "累计违约率(威布尔拟合)"),
    "col.in_base_case": ("In the base case", "计入基准情景"),
    "col.weight": ("Weight", "权重"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
}

STRESS: dict[str, Label] = {
    "ss.indicative": (" (indicative, editable)", "(参考值,可编辑)"),
    "ss.indicative_note": (
        "Indicative, editable: the default multiples by rating are midpoints of ranges "
        "agencies publish and the scenario levels are this tool's defaults, not any agency's "
        "criteria.",
        "参考值,可编辑:各评级违约倍数取评级机构公布区间的中点,情景参数为本工具的默认值,"
        "并非任何评级机构的标准。",
    ),
    "ss.base_rate": ("Base-case lifetime default rate", "基准情景累计违约率"),
    "ss.tdr_source": ("Target default rates from", "目标违约率来源"),
    "ss.tdr.multiples": ("rating multiples × base-case lifetime default rate",
                         "评级倍数 × 基准情景累计违约率"),
    "ss.tdr.monte_carlo": (
        "Monte Carlo TDR of each class (quantile at the rating's confidence)",
        "各档次的蒙特卡洛目标违约率(评级对应置信水平的分位数)",
    ),
    "ss.multiples": ("Default multiples by rating", "各评级违约倍数"),
    "col.multiple": ("Multiple", "倍数"),
    "ss.scenarios": ("Scenarios", "情景设置"),
    "col.scenario": g.DEAL["scenario"],
    "col.changes": ("What it changes", "情景设定"),
    "col.scenario_rate": ("Lifetime default rate (unstressed)", "累计违约率(未加压)"),
    "col.mean_month": ("Mean default month", "平均违约月份"),
    "ss.results": (
        "Break-even default rate (BDR) against target default rate (TDR)",
        "临界违约率与目标违约率",
    ),
    "ss.legend": (
        "Each rating column shows that rating's TDR: green passes (BDR ≥ TDR), red fails.",
        "各评级列显示该评级的目标违约率:绿色为通过(临界违约率 ≥ 目标违约率),红色为未通过。",
    ),
    "col.tdr_rating": ("TDR {rating}", "目标违约率 {rating}"),
    "col.lower_bound": ("BDR is a lower bound (≥)", "临界违约率为下限(≥)"),
    "col.highest": ("Highest rating in the scenario", "该情景下最高评级"),
    "ss.summary": ("Highest rating passed in every scenario", "所有情景下均通过的最高评级"),
    "col.summary_rating": g.METRICS["indicative_rating"],
    "col.reference": ("BDR, base timing in lifetime form", "临界违约率(基准时间分布,累计形式)"),
    # A scenario's settings in words (what abs_tool.analysis.stress.StressScenario.describe
    # says in English).
    "sc.none": ("as the deal", "与交易相同"),
    "sc.timing": ("timing {timing} (C^{power:g})", "违约时点{timing}(C^{power:g})"),
    "sc.timing.front": ("front", "前置"),
    "sc.timing.back": ("back", "后置"),
    "sc.cpr": ("CPR {rate:.2%}", "早偿率 {rate:.2%}"),
    "sc.cpr_times": ("CPR x{times:g}", "早偿率 ×{times:g}"),
    "sc.recovery": ("recovery {rate:.2%}", "回收率 {rate:.2%}"),
    "sc.recovery_times": ("recovery x{times:g}", "回收率 ×{times:g}"),
    "sc.lag": ("lag +{months} months", "回收滞后增加 {months} 个月"),
    "sc.yield": ("loan rates -{bp:g} bp", "资产利率下调 {bp:g} bp"),
    "sc.benchmark": ("benchmark {bp:+g} bp", "基准利率 {bp:+g} bp"),
}

TABLES: tuple[dict[str, Label], ...] = (
    SHEETS, TEMPLATE, DEAL_TERMS, STRUCTURE, TIERS, TERM_SHEET, POOL, ASSUMPTIONS, FIELDS,
    MONTE_CARLO, CASH_FLOWS, INSPECTOR, STATIC_POOL, STRESS, AUDIT,
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
