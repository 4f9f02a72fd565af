"""AppTest of the Structure page's editing of several classes in one tier and of target
balances (issue 16 item 4a): a scheduled target and a target share of the pool in the class
table, a rule for principal inside a tier in the tiers table, each refused with the field's
message when wrong, and a loaded deal's targets and rules shown in the tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from streamlit.testing.v1 import AppTest

from abs_tool import load_sample_deal
from abs_tool.io.dealfile import deal_to_dict
from abs_tool.model.deal import (
    TargetBalance,
    TargetKind,
    TargetPoint,
    Tier,
    TierPrincipal,
    TierRule,
)
from ui import inputs, state

Start = Callable[..., AppTest]
STRUCTURE = "ui/pages/structure.py"


def deal_of(at: AppTest):
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state[state.DEAL]


def edit(at: AppTest, editor: str, rows: dict[int, dict[str, object]],
         added: list[dict[str, object]] | None = None) -> AppTest:
    """Seed a data editor's edits (its widget state), as the browser would send them."""
    at.session_state[editor] = {"edited_rows": rows, "added_rows": added or [],
                                "deleted_rows": []}
    return at.run()


def test_a_scheduled_target_is_edited_in_the_class_table(app: Start) -> None:
    at = app(STRUCTURE)
    edit(at, "st_classes", {0: {"target_kind": "scheduled",
                                "target_schedule": "3: 0.8, 12: 0.5"}})
    assert not at.error
    assert deal_of(at).structure.classes[0].target_balance == TargetBalance(
        TargetKind.SCHEDULED, (TargetPoint(3, 0.8), TargetPoint(12, 0.5)))
    # A rising target is refused, naming the point.
    edit(at, "st_classes", {0: {"target_kind": "scheduled",
                                "target_schedule": "3: 0.5, 12: 0.8"}})
    assert deal_of(at) is None
    assert any(e.value.startswith("structure.classes[0].target_balance.schedule[1].share: "
                                  "a target may not rise") for e in at.error)


def test_a_target_share_of_the_pool_is_edited_in_the_class_table(app: Start) -> None:
    at = app(STRUCTURE)
    edit(at, "st_classes", {0: {"target_kind": "target_share_of_pool",
                                "target_share_of_pool": 0.6}})
    assert not at.error
    assert deal_of(at).structure.classes[0].target_balance == TargetBalance(
        TargetKind.TARGET_SHARE_OF_POOL, share_of_pool=0.6)
    edit(at, "st_classes", {0: {"target_kind": inputs.TARGET_NONE}})
    assert deal_of(at).structure.classes[0].target_balance is None


def test_a_tier_rule_is_edited_in_the_tiers_table(app: Start) -> None:
    at = app(STRUCTURE)
    edit(at, "st_tiers", {}, [{"tier": "senior", "principal": "pro_rata"}])
    assert not at.error
    assert deal_of(at).structure.tiers == (TierRule(Tier.SENIOR, TierPrincipal.PRO_RATA),)
    # Two rules for one tier are refused below the table.
    edit(at, "st_tiers", {}, [{"tier": "senior", "principal": "pro_rata"},
                              {"tier": "senior", "principal": "sequential"}])
    assert deal_of(at) is None
    assert any(e.value.startswith("structure.tiers[1].tier: this tier has a rule already")
               for e in at.error)


def test_the_sample_deal_opens_without_targets_or_rules(app: Start) -> None:
    at = app(STRUCTURE)
    table = at.session_state["classes_table"]
    assert (table["target_kind"] == inputs.TARGET_NONE).all()
    assert at.session_state["tiers_table"].empty
    assert deal_of(at).structure.tiers == ()


def test_a_loaded_target_becomes_its_cells_and_back() -> None:
    """What :func:`ui.inputs.load` writes into the class table for a target balance, and
    what the page reads back from it: the same deal-file value."""
    deal = load_sample_deal("consumer")
    classes = deal.structure.classes
    for target in (TargetBalance(TargetKind.SCHEDULED, (TargetPoint(13, 0.9),
                                                        TargetPoint(20, 0.25))),
                   TargetBalance(TargetKind.TARGET_SHARE_OF_POOL, share_of_pool=0.6)):
        changed = replace(deal, structure=replace(
            deal.structure, classes=(replace(classes[0], target_balance=target),
                                     *classes[1:])))
        data = deal_to_dict(changed)["structure"]["classes"][0]["target_balance"]
        cells = inputs.target_cells(data)
        assert inputs.target_field(cells["target_kind"], cells["target_schedule"],
                                   cells["target_share_of_pool"]) == {
            k: v for k, v in data.items() if k == "kind" or v not in ([], 0.0)}
    assert inputs.target_cells(None)["target_kind"] == inputs.TARGET_NONE
