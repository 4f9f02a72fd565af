"""The structure of a deal in words, as a Chinese rating report or term sheet states it
(交易结构 / 现金流分配机制), in English and Chinese: one sentence per rule in force, from the
deal's terms alone (docs/waterfall.md states each rule precisely).
"""

from __future__ import annotations

from abs_tool.model.dates import BusinessDayConvention, DayCount
from abs_tool.model.deal import (
    CouponPriority,
    Deal,
    ExcessInterestUse,
    Fee,
    FeeBasis,
    LiquidityReplenishment,
    LossTiming,
    NoteClass,
    PrincipalMode,
    TargetKind,
    Tier,
    TierPrincipal,
)
from abs_tool.report import format as fmt

_FEE_BASES: dict[FeeBasis, tuple[str, str]] = {
    FeeBasis.PERFORMING_START_INCL_DEFAULTS: (
        "the performing pool balance at the start of the month, the month's defaults included",
        "当期期初正常资产池余额（含当期违约资产）"),
    FeeBasis.PERFORMING_START: (
        "the performing pool balance at the start of the month, less the month's defaults",
        "当期期初正常资产池余额（不含当期违约资产）"),
    FeeBasis.NOTES: ("the notes outstanding at the start of the month",
                     "当期期初各档证券未偿本金余额"),
}
_CONVENTIONS: dict[BusinessDayConvention, tuple[str, str]] = {
    BusinessDayConvention.NONE: ("are not moved for holidays", "不作节假日调整"),
    BusinessDayConvention.FOLLOWING: (
        "falling on a holiday move to the next business day of mainland China (make-up "
        "working days included)",
        "如遇中国内地法定节假日或休息日（含调休安排）顺延至下一工作日"),
    BusinessDayConvention.MODIFIED_FOLLOWING: (
        "falling on a holiday move to the next business day of mainland China (make-up "
        "working days included), or to the previous one when the next is in the next month",
        "如遇中国内地法定节假日或休息日（含调休安排）顺延至下一工作日，顺延跨月的则提前至上一工作日"),
}
_DAY_COUNTS: dict[DayCount, tuple[str, str]] = {
    DayCount.THIRTY_360: ("30/360", "30/360"),
    DayCount.ACT_365: ("ACT/365 (actual days / 365)", "实际天数/365"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "en" else pair[1]


def _names(names: list[str], lang: str) -> str:
    return ", ".join(names) if lang == "en" else "、".join(names)


def _fee(fee: Fee, lang: str) -> str:
    parts: list[str] = []
    if fee.basis != FeeBasis.FIXED and fee.rate_annual > 0:
        base = _pick(_FEE_BASES[fee.basis], lang)
        rate = fmt.percent(fee.rate_annual, 4)
        parts.append(f"{rate} a year of {base}" if lang == "en" else f"{base}的{rate}/年")
    if fee.fixed_annual > 0:
        amount = fmt.money(fee.fixed_annual, lang)
        parts.append(f"{amount} a year" if lang == "en" else f"每年{amount}")
    if not parts:
        parts.append("nothing" if lang == "en" else "无")
    text = (" plus " if lang == "en" else "加").join(parts)
    if fee.cap_per_month is not None:
        cap = fmt.money(fee.cap_per_month, lang)
        text += f", at most {cap} a month" if lang == "en" else f"，每月上限{cap}"
    return f"{fee.name}: {text}" if lang == "en" else f"{fee.name}：{text}"


def _tiers_and_targets(deal: Deal, lang: str) -> list[str]:
    """Sentences on the tiers of several classes (interest pari passu, principal inside the
    tier) and the classes' target balances (issue 16 item 4a); none without them."""
    en = lang == "en"
    s = deal.structure
    out: list[str] = []
    for tier in Tier:
        names = [c.name for c in s.classes if c.tier == tier]
        if len(names) < 2:
            continue
        listed = _names(names, lang)
        rule = s.tier_principal(tier)
        if rule is None and s.principal_mode == PrincipalMode.PRO_RATA:
            how = ("pro rata to their balances while principal is paid pro rata, then one "
                   "after the other")
            how_zh = "在本金按比例偿付期间按各档余额比例分配，其后按上述顺序依次偿付"
        elif rule == TierPrincipal.PRO_RATA:
            how, how_zh = "pro rata to their balances", "按各档余额比例分配"
        else:
            how, how_zh = "one after the other, in that order", "按上述顺序依次偿付"
        out.append(f"{listed} rank pari passu for interest (a shortfall is shared in "
                   f"proportion to the interest due); the principal reaching their tier is "
                   f"paid {how}." if en else
                   f"{listed}同顺位受偿利息（资金不足时按应付利息比例分配）；分配至该级别的本金"
                   f"{how_zh}。")
    for c in s.classes:
        target = c.target_balance
        if target is None:
            continue
        if target.kind == TargetKind.SCHEDULED:
            points = ", ".join(f"{fmt.percent(p.share)} from month {p.month}"
                               for p in target.schedule)
            points_zh = "、".join(f"第{p.month}期起{fmt.percent(p.share)}"
                                  for p in target.schedule)
            what = f"a scheduled target balance ({points} of its original balance)"
            what_zh = f"按计划摊还（目标余额为初始本金的{points_zh}）"
        else:
            share = fmt.percent(target.share_of_pool)
            what = f"a target balance of {share} of the performing pool"
            what_zh = f"设目标余额（正常资产池余额的{share}）"
        out.append(f"{c.name} amortises to {what}: while no event has occurred it receives "
                   "at most its balance above the target, and what it cannot take goes to "
                   "the next classes; after a trigger that switches principal to sequential, "
                   "or an acceleration, the target no longer applies." if en else
                   f"{c.name}{what_zh}：未发生触发事件时，每期至多偿付其余额超过目标余额的部分，"
                   "其余本金顺延分配给后续档次；触发顺序偿付事件或加速清偿后不再适用。")
    return out


def coupon_text(note: NoteClass, benchmark: str, lang: str) -> str:
    """A class's coupon as a term sheet states it: ``"5.10%"``, or for a floating coupon
    ``"1Y LPR + 80 bp, cap 6.00%, floor 2.00%"`` (``"1Y LPR + 80 bp，上限6.00%，下限2.00%"``)
    with ``benchmark`` the benchmark's name."""
    if note.floating is None:
        return fmt.percent(note.coupon_annual)
    en = lang == "en"
    text = f"{benchmark} + {note.coupon_annual * 1e4:g} bp"
    cap, floor = note.floating.cap_annual, note.floating.floor_annual
    if cap is not None:
        text += f", cap {fmt.percent(cap)}" if en else f"，上限{fmt.percent(cap)}"
    if floor is not None:
        text += f", floor {fmt.percent(floor)}" if en else f"，下限{fmt.percent(floor)}"
    return text


def structure_description(deal: Deal, lang: str) -> list[str]:
    """The deal's structure in sentences (``lang`` ``"en"`` or ``"zh"``): payment dates and
    accrual, senior fees, interest and its order (the subordinated class's coupon), the
    reserve, principal, the use of excess interest, loss allocation. Amounts in yuan in
    English and 万元 in Chinese (:func:`abs_tool.report.format.money`).

    Raises
    ------
    KeyError
        ``lang`` not ``"en"`` or ``"zh"``.
    """
    if lang not in ("en", "zh"):
        raise KeyError(f"`lang` (got {lang!r}) must be 'en' or 'zh'")
    en = lang == "en"
    s, dates = deal.structure, deal.dates
    out: list[str] = []

    day = dates.first_payment.day
    moved = _pick(_CONVENTIONS[BusinessDayConvention(dates.business_day_convention)], lang)
    counted = _pick(_DAY_COUNTS[DayCount(dates.day_count)], lang)
    if dates.dated_accrual:
        accrual = (f"interest accrues {counted} between the dates paid" if en
                   else f"利息按{counted}在相邻两个实际兑付日之间计算")
    else:
        accrual = ("interest accrues one twelfth of the annual rate a month (30/360)" if en
                   else "利息按年利率的十二分之一逐月计算（30/360）")
    every = dates.payment_frequency_months
    if every == 1:
        out.append(f"Payment dates fall on day {day} of each month from "
                   f"{dates.first_payment.isoformat()}; dates {moved}; {accrual}." if en else
                   f"兑付日为自{dates.first_payment.isoformat()}起每月{day}日，{moved}；{accrual}。")
    else:
        # Deal payment frequency (issue 16 item 4b)
        often = ({3: "quarterly", 6: "semi-annually"}[every] if en
                 else {3: "按季兑付", 6: "按半年兑付"}[every])
        out.append(f"Payment dates fall on day {day} every {every} months ({often}) from "
                   f"{dates.first_payment.isoformat()}; dates {moved}; {accrual}. Between "
                   "payment dates the collections are held in the trust account and fees and "
                   "interest accrue; fees, interest, reserve top-ups, principal and the "
                   "residual are paid on payment dates (receivables are still bought monthly "
                   "while revolving). A period's interest is the balance times the period's "
                   "accrual; only interest left unpaid on a payment date bears interest." if en
                   else
                   f"兑付日为自{dates.first_payment.isoformat()}起每{every}个月（{often}）的{day}日，"
                   f"{moved}；{accrual}。两个兑付日之间的回收款留存于信托账户，税费及利息逐月计提；"
                   "税费、利息、储备账户补足、本金及剩余收益均于兑付日支付（循环期内仍按月循环购买）。"
                   "每期利息为本金余额乘以该期计息期间，仅兑付日未付的利息按票面利率计息。")

    if s.fees:
        fees = "; ".join(_fee(f, lang) for f in s.fees) if en else "；".join(
            _fee(f, lang) for f in s.fees)
        out.append(f"Senior fees are paid first, in this order (unpaid amounts carried): "
                   f"{fees}." if en else
                   f"优先支付税费及各项费用（按以下顺序，未付部分累积至下期）：{fees}。")

    bench = deal.assumptions.benchmark.name
    coupons = [c for c in s.classes if (c.coupon_annual > 0 or c.floating is not None)
               and c.coupon_priority == CouponPriority.INTEREST]
    if coupons:
        listed = _names([f"{c.name} ({coupon_text(c, bench, lang)})" if en
                         else f"{c.name}（{coupon_text(c, bench, lang)}）" for c in coupons],
                        lang)
        out.append(f"Then interest to {listed}, in that order; unpaid interest is carried and "
                   "bears interest at the coupon." if en else
                   f"其次按顺序支付{listed}的应付利息；未付利息累积至下期并按票面利率计息。")
    for c in s.classes:
        if c.tier == Tier.SUBORDINATED and c.coupon_annual > 0:
            rate = fmt.percent(c.coupon_annual)
            if c.coupon_priority == CouponPriority.AFTER_PRINCIPAL:
                out.append(f"The subordinated class {c.name} carries a fixed return of {rate} a "
                           "year, paid after principal and before the residual." if en else
                           f"次级{c.name}享有{rate}/年的期间收益，于本金分配之后、剩余收益之前支付。")
            else:
                out.append(f"The subordinated class {c.name} carries a fixed return of {rate} a "
                           "year, paid with the interest, after the other classes'." if en else
                           f"次级{c.name}享有{rate}/年的期间收益，与利息同一顺序、在其他各档利息之后支付。")

    if any(c.floating is not None for c in s.classes):
        path = deal.assumptions.benchmark
        base = fmt.percent(path.rate_annual)
        out.append(f"Floating coupons reset monthly to {path.name} plus the margin, within any "
                   f"cap and floor ({path.name} of the base case: {base}"
                   f"{', with later steps' if path.steps else ''})." if en else
                   f"浮动利率按月重置为{path.name}加点差，受上下限约束（基准情形下{path.name}"
                   f"为{base}{'，此后分段调整' if path.steps else ''}）。")
    call = s.clean_up_call
    if call is not None and not call.exercised:
        share = fmt.percent(call.threshold_share)
        steps = [f"{c.name} +{c.step_up_bp:g} bp" for c in s.classes if c.step_up_bp > 0]
        stepped = (f"; from then on coupons step up: {_names(steps, lang)}" if en
                   else f"；此后票面利率上调：{_names(steps, lang)}") if steps else ""
        out.append(f"The clean-up call (pool at {share} of its initial balance) is assumed "
                   f"not exercised{stepped}." if en else
                   f"假设资产池余额降至初始余额的{share}时不行使清仓回购{stepped}。")

    reserve = s.reserve
    if reserve.initial_share > 0 or reserve.target_share > 0 or reserve.floor_share > 0:
        shares = (fmt.percent(reserve.initial_share), fmt.percent(reserve.target_share),
                  fmt.percent(reserve.floor_share))
        out.append("A reserve account, funded at closing with {} of the notes, is part of the "
                   "available funds each month and is topped up after interest to {} of the "
                   "notes outstanding (at least {} of the original notes).".format(*shares)
                   if en else
                   "设立储备账户：发行时按证券本金的{}计提，每期纳入可分配资金，于利息之后补足至"
                   "证券未偿本金的{}（不低于初始证券本金的{}）。".format(*shares))

    out.extend(_liquidity_support(deal, lang))

    mode = ("sequentially, senior first" if s.principal_mode == PrincipalMode.SEQUENTIAL
            else "pro rata while no trigger requires sequential payment")
    mode_zh = ("按顺序偿付（优先级在先）" if s.principal_mode == PrincipalMode.SEQUENTIAL
               else "在未触发顺序偿付事件前按比例偿付")
    revolving = s.revolving.months if s.revolving else 0
    if en:
        head = (f"During the {revolving}-month revolving period principal buys new "
                "receivables; after it, principal" if revolving else "Principal")
        turbo = (", then the turbo pays the rated classes' principal with all the cash left"
                 if s.turbo else "")
        out.append(f"{head} is paid {mode}{turbo}.")
    else:
        head = (f"循环期{revolving}个月内本金用于持续购买新资产；循环期结束后，本金"
                if revolving else "本金")
        turbo = "，剩余资金全部用于加速偿付优先级证券本金" if s.turbo else ""
        out.append(f"{head}{mode_zh}{turbo}。")
    out += _tiers_and_targets(deal, lang)

    excess = s.excess_interest
    if excess.use == ExcessInterestUse.COVER_DEFICIENCY:
        out.append("Excess interest covers the principal deficiency (defaults are paid down "
                   "from excess spread)." if en else
                   "超额利息用于弥补本金亏损（以超额利差覆盖违约损失）。")
    elif excess.use == ExcessInterestUse.RELEASE:
        out.append("Excess interest is not used to cover losses: it is released to the "
                   "residual holder." if en else
                   "超额利息不用于弥补本金亏损，直接作为剩余收益分配。")
    else:
        limit = fmt.money(excess.cover_limit_per_month, lang)
        out.append(f"Excess interest covers the principal deficiency up to {limit} a month; "
                   "the rest is released to the residual holder." if en else
                   f"超额利息每月至多{limit}用于弥补本金亏损，其余作为剩余收益分配。")
    if excess.haircut_share > 0:
        cut = fmt.percent(excess.haircut_share)
        out.append(f"For the rating run, {cut} of the pool's interest and fee income is "
                   "taken out before the waterfall (excess-spread haircut)." if en else
                   f"评级测算中，资产池利息及手续费收入的{cut}在分配前扣减（超额利差压降）。")

    losses = s.loss_allocation
    lag = deal.assumptions.recovery.lag_months
    if losses.timing == LossTiming.AT_END:
        out.append("Losses are not written off the notes before the deal ends; what is then "
                   "outstanding is written down." if en else
                   "证券本金不提前减记，交易结束时仍未偿付的本金予以减记。")
    else:
        when = ("in the month a loan defaults, by its whole balance"
                if losses.timing == LossTiming.ON_DEFAULT else
                f"when a defaulted loan is liquidated ({lag} months after default), by its "
                "balance less the recovery")
        when_zh = ("于资产违约当月按违约本金" if losses.timing == LossTiming.ON_DEFAULT else
                   f"于违约资产处置完毕时（违约后{lag}个月）按违约本金扣除回收金额")
        back = ("; written-down amounts are reinstated from later excess cash, senior "
                "first" if losses.reinstate else "")
        back_zh = "；已减记本金可由后续剩余资金按优先顺序恢复" if losses.reinstate else ""
        out.append(f"Losses are written off the notes {when}, the most junior class first"
                   f"{back}; interest then accrues on the written-down balance." if en else
                   f"{when_zh}自最次级证券起逆序减记证券本金{back_zh}；此后按减记后的本金计息。")
    residual = next((c.name for c in s.classes if c.tier == Tier.SUBORDINATED), None)
    out.append(f"What is left goes to {residual or 'the originator'} as residual." if en else
               f"剩余资金作为剩余收益分配给{residual or '原始权益人'}。")
    return out


def _liquidity_support(deal: Deal, lang: str) -> list[str]:
    """The liquidity reserve and the servicer advance in sentences (none without them)."""
    en = lang == "en"
    s = deal.structure
    out: list[str] = []
    liquidity, advance = s.liquidity_reserve, s.servicer_advance
    if liquidity is not None:
        initial, target = fmt.percent(liquidity.initial_share), fmt.percent(
            liquidity.target_share)
        floor = fmt.money(liquidity.floor_amount, lang)
        late = liquidity.replenish_after == LiquidityReplenishment.PRINCIPAL
        after = ("after principal, before the residual" if late else
                 "right after interest, before the reserve top-up")
        after_zh = "于本金之后、剩余收益之前" if late else "于利息之后、储备账户补足之前"
        out.append(f"A liquidity reserve, funded at closing with {initial} of the senior "
                   "classes, pays only what the available funds leave unpaid of the senior "
                   "fees and the senior classes' interest; it is kept at "
                   f"{target} of the senior classes outstanding (at least {floor}), "
                   f"replenished {after}, and released once they are repaid or the deal "
                   "winds down." if en else
                   f"设立流动性储备账户：发行时按优先级证券本金的{initial}计提，仅用于支付可分配资金"
                   f"不足以支付的优先费用及优先级证券利息；目标余额为未偿优先级证券本金的{target}"
                   f"（不低于{floor}），{after_zh}补足；优先级证券偿付完毕或交易结束时释放。")
    if advance is not None:
        limit = (fmt.money(advance.limit_amount, lang) if advance.limit_amount else
                 (f"{fmt.percent(advance.limit_share)} of the pool" if en
                  else f"资产池余额的{fmt.percent(advance.limit_share)}"))
        rate = fmt.percent(advance.rate_annual)
        out.append(f"The servicer advances what is still unpaid of the senior fees and "
                   f"senior interest, up to {limit} outstanding and as far as it deems the "
                   f"advances recoverable; advances bear {rate} a year and are reimbursed "
                   "first, before the fees, the next months; what is outstanding when the "
                   "deal ends is lost to the servicer." if en else
                   f"资产服务机构对仍未足额支付的优先费用及优先级证券利息进行垫付，垫付余额以{limit}"
                   f"为限且以可回收为前提；垫付款按年利率{rate}计息，于其后各期在支付费用之前最优先"
                   "偿还；交易结束时仍未偿还的部分由资产服务机构承担。")
    return out
