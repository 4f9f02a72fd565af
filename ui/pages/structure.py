"""Structure page: the note classes (name, tier, size, coupon and where it is paid, target
rating, target balance: 计划摊还 / 目标余额), how principal is shared inside a tier of several
classes, senior fees (rate, its basis, fixed amount, cap) and upfront fees, the reserve
account, triggers, the revolving period, the principal mode (sequential or pro rata), when
losses are written off and what excess interest pays (docs/waterfall.md), the liquidity
reserve and the servicer advance, the clean-up call and the benchmark funding rate.

Every input is a field of the deal (:mod:`ui.inputs`); a value the library refuses shows its
message below the input (for a table: below the table, naming the row and column).
"""

from __future__ import annotations

import streamlit as st

from abs_tool import Tier
from abs_tool.model.deal import (
    CouponPriority,
    ExcessInterestUse,
    FeeBasis,
    LiquidityReplenishment,
    LossTiming,
    SizeUnit,
    TargetKind,
    TierPrincipal,
    TriggerAction,
    TriggerMetric,
)
from ui import format as fmt, inputs, state
from ui.labels import column, namer, t

TIERS: tuple[str, ...] = tuple(tier.value for tier in Tier)
SIZE_UNITS: tuple[str, ...] = tuple(unit.value for unit in SizeUnit)
METRICS: tuple[str, ...] = tuple(m.value for m in TriggerMetric)
ACTIONS: tuple[str, ...] = tuple(a.value for a in TriggerAction)
PAYMENT_FREQUENCIES: tuple[int, ...] = (1, 3)
COUPON_PRIORITIES: tuple[str, ...] = tuple(p.value for p in CouponPriority)
FEE_BASES: tuple[str, ...] = tuple(b.value for b in FeeBasis)
LOSS_TIMINGS: tuple[str, ...] = tuple(t.value for t in LossTiming)
EXCESS_USES: tuple[str, ...] = tuple(u.value for u in ExcessInterestUse)
TARGET_KINDS: tuple[str, ...] = (inputs.TARGET_NONE, *(k.value for k in TargetKind))
TIER_PRINCIPALS: tuple[str, ...] = tuple(m.value for m in TierPrincipal)


# Option labels of the table columns that choose among the library's values.
OPTION_LABELS: dict[str, str] = {"tier": "tier", "size_unit": "opt.size_unit",
                                 "metric": "opt.metric", "action": "opt.action",
                                 "coupon_priority": "opt.coupon_priority",
                                 "basis": "opt.basis", "target_kind": "opt.target_kind",
                                 "principal": "opt.tier_principal"}


def select_column(prefix: str, name: str, options: tuple[str, ...]) -> object:
    """A table column choosing among ``options``: stored as the library's values, shown in
    the chosen language."""
    return st.column_config.SelectboxColumn(column(prefix, name), options=list(options),
                                            required=True,
                                            format_func=namer(OPTION_LABELS[name], options))


def classes_section() -> None:
    st.subheader(t("st.classes"))
    st.caption(t("st.classes_help"))
    inputs.table_editor(
        "st_classes", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "name": fmt.text_column(column("cls", "name")),
            "tier": select_column("cls", "tier", TIERS),
            "size": st.column_config.NumberColumn(column("cls", "size"), format="%.4f",
                                                  step=0.0001, min_value=0.0),
            "size_unit": select_column("cls", "size_unit", SIZE_UNITS),
            "coupon_annual": st.column_config.NumberColumn(column("cls", "coupon_annual"),
                                                           format="%.4f", step=0.0001),
            "coupon_priority": select_column("cls", "coupon_priority", COUPON_PRIORITIES),
            "payment_frequency_months": st.column_config.SelectboxColumn(
                column("cls", "payment_frequency_months"), options=list(PAYMENT_FREQUENCIES)),
            "target_rating": fmt.text_column(column("cls", "target_rating")),
            "floating": st.column_config.CheckboxColumn(column("cls", "floating"),
                                                        help=t("st.floating_help")),
            "cap_annual": st.column_config.NumberColumn(column("cls", "cap_annual"),
                                                        format="%.4f", step=0.0001),
            "floor_annual": st.column_config.NumberColumn(column("cls", "floor_annual"),
                                                          format="%.4f", step=0.0001),
            "step_up_bp": st.column_config.NumberColumn(column("cls", "step_up_bp"),
                                                        format="%.1f", step=1.0),
            "target_kind": select_column("cls", "target_kind", TARGET_KINDS),
            "target_schedule": fmt.text_column(column("cls", "target_schedule")),
            "target_share_of_pool": st.column_config.NumberColumn(
                column("cls", "target_share_of_pool"), format="%.4f", step=0.0001),
        })
    st.subheader(t("st.tiers"))
    st.caption(t("st.tiers_help"))
    inputs.table_editor(
        "st_tiers", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "tier": select_column("tr", "tier", TIERS),
            "principal": select_column("tr", "principal", TIER_PRINCIPALS),
        })


def fees_section() -> None:
    st.subheader(t("st.fees"))
    inputs.table_editor(
        "st_fees", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "name": fmt.text_column(column("fee", "name")),
            "rate_annual": st.column_config.NumberColumn(column("fee", "rate_annual"),
                                                         format="%.4f", step=0.0001),
            "fixed_annual": st.column_config.NumberColumn(column("fee", "fixed_annual"),
                                                          format="accounting"),
            "basis": select_column("fee", "basis", FEE_BASES),
            "cap_per_month": st.column_config.NumberColumn(column("fee", "cap_per_month"),
                                                           format="accounting", min_value=0.0),
        })
    st.subheader(t("st.upfront"))
    inputs.table_editor(
        "st_upfront", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "name": fmt.text_column(column("upf", "name")),
            "share_of_placed": st.column_config.NumberColumn(column("upf", "share_of_placed"),
                                                             format="%.4f", step=0.0001),
            "fixed": st.column_config.NumberColumn(column("upf", "fixed"), format="accounting"),
        })


def number(where, label_key: str, key: str, *, step: float | int, fmt_: str | None = None,
           disabled: bool = False) -> None:
    where.number_input(t(label_key), step=step, format=fmt_, disabled=disabled,
                       **state.widget(key))
    inputs.show_problems(key, where)


def reserve_and_periods() -> None:
    st.subheader(t("st.reserve"))
    c1, c2, c3 = st.columns(3)
    number(c1, "st.reserve_initial", "st_reserve_initial", step=0.005, fmt_="%.4f")
    number(c2, "st.reserve_target", "st_reserve_target", step=0.005, fmt_="%.4f")
    number(c3, "st.reserve_floor", "st_reserve_floor", step=0.005, fmt_="%.4f")
    st.subheader(t("st.principal"))
    c1, c2, c3, c4 = st.columns(4)
    number(c1, "st.revolving", "st_revolving", step=1)
    modes = inputs.PRINCIPAL_MODES
    c2.radio(t("st.principal_mode"), modes, index=state.index("st_principal_mode", modes),
             format_func=namer("mode", modes), **state.widget("st_principal_mode", labelled=True))
    inputs.show_problems("st_principal_mode", c2)
    c2.checkbox(t("st.turbo"), help=t("st.turbo_help"), **state.widget("st_turbo"))
    call = c3.checkbox(t("st.cleanup_on"), **state.widget("st_cleanup_on"))
    number(c3, "st.cleanup", "st_cleanup", step=0.01, fmt_="%.4f", disabled=not call)
    c3.checkbox(t("st.cleanup_exercised"), help=t("st.cleanup_exercised_help"),
                disabled=not call, **state.widget("st_cleanup_exercised"))
    inputs.show_problems("st_cleanup_exercised", c3)
    number(c4, "st.benchmark", "st_benchmark", step=0.0025, fmt_="%.4f")


def losses_section() -> None:
    st.subheader(t("st.losses"))
    st.caption(t("st.losses_help"))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(t("st.loss_timing"), LOSS_TIMINGS,
                 index=state.index("st_loss_timing", LOSS_TIMINGS),
                 format_func=namer("opt.loss_timing", LOSS_TIMINGS),
                 **state.widget("st_loss_timing", labelled=True))
    inputs.show_problems("st_loss_timing", c1)
    c1.checkbox(t("st.reinstate"), **state.widget("st_reinstate"))
    inputs.show_problems("st_reinstate", c1)
    use = c2.selectbox(t("st.excess_use"), EXCESS_USES,
                       index=state.index("st_excess_use", EXCESS_USES),
                       format_func=namer("opt.excess_use", EXCESS_USES),
                       **state.widget("st_excess_use", labelled=True))
    inputs.show_problems("st_excess_use", c2)
    number(c2, "st.cover_limit", "st_cover_limit", step=1000.0, fmt_="%.2f",
           disabled=use != ExcessInterestUse.COVER_UP_TO)
    number(c3, "st.haircut", "st_haircut", step=0.01, fmt_="%.4f")


REPLENISHMENTS: tuple[str, ...] = tuple(r.value for r in LiquidityReplenishment)


def liquidity_section() -> None:
    """The liquidity reserve and the servicer advance (docs/waterfall.md), each switched on
    by its checkbox."""
    st.subheader(t("st.liquidity"))
    st.caption(t("st.liquidity_help"))
    c1, c2 = st.columns(2)
    on = c1.checkbox(t("st.liquidity_on"), **state.widget("st_liquidity_on"))
    inputs.show_problems("st_liquidity_on", c1)
    number(c1, "st.liquidity_initial", "st_liquidity_initial", step=0.005, fmt_="%.4f",
           disabled=not on)
    number(c1, "st.liquidity_target", "st_liquidity_target", step=0.005, fmt_="%.4f",
           disabled=not on)
    number(c1, "st.liquidity_floor", "st_liquidity_floor", step=10000.0, fmt_="%.2f",
           disabled=not on)
    c1.selectbox(t("st.liquidity_replenish"), REPLENISHMENTS,
                 index=state.index("st_liquidity_replenish", REPLENISHMENTS),
                 format_func=namer("opt.liquidity_replenish", REPLENISHMENTS), disabled=not on,
                 **state.widget("st_liquidity_replenish", labelled=True))
    inputs.show_problems("st_liquidity_replenish", c1)
    advance = c2.checkbox(t("st.advance_on"), **state.widget("st_advance_on"))
    number(c2, "st.advance_limit", "st_advance_limit", step=10000.0, fmt_="%.2f",
           disabled=not advance)
    number(c2, "st.advance_limit_share", "st_advance_limit_share", step=0.005, fmt_="%.4f",
           disabled=not advance)
    number(c2, "st.advance_rate", "st_advance_rate", step=0.005, fmt_="%.4f",
           disabled=not advance)


def triggers_section() -> None:
    st.subheader(t("st.triggers"))
    st.caption(t("st.triggers_help"))
    inputs.table_editor(
        "st_triggers", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "name": fmt.text_column(column("trg", "name")),
            "metric": select_column("trg", "metric", METRICS),
            "threshold": fmt.text_column(column("trg", "threshold")),
            "action": select_column("trg", "action", ACTIONS),
        })


def main() -> None:
    st.title(t("st.title"))
    inputs.current()
    classes_section()
    fees_section()
    reserve_and_periods()
    losses_section()
    liquidity_section()
    triggers_section()
    inputs.show_problems("")


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
