"""AppTest of the new-pool dialogue on the Pool page: a tape uploaded while the consumer deal is
loaded offers the choice of what the new deal keeps, says which eligibility rules the current
deal leaves out on the tape until then; starting it with the fees kept and scaled multiplies
every fixed amount by the ratio of the pool balances (both after eligibility) and keeps the
eligibility rules; declining clears them and shows what was cleared. Expected numbers come
from the library called directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import Pool, load_deal_pool, load_sample_deal, sample_pool
from abs_tool.io.tape import tape_bytes
from abs_tool.model.eligibility import EligibilityCriteria, apply_eligibility
from ui import labels, state

Start = Callable[..., AppTest]
PARTS = ("structure", "fees", "triggers", "eligibility", "dates")


def en(key: str) -> str:
    return labels.LABELS[key][0]


def eligible_tape() -> Pool:
    """2,000 loans of one balance, one obligor each, over five regions: the consumer deal's
    eligibility criteria and concentration limits (one obligor at most 0.1%, one region 25%)
    keep every loan."""
    loans = sample_pool("consumer", n_loans=2_000).loans.copy()
    loans["balance"] = 5_000.0
    loans["obligor_id"] = [f"B{i}" for i in range(len(loans))]
    loans["region"] = [f"R{i % 5}" for i in range(len(loans))]
    loans["rate"] = loans["rate"].clip(upper=0.2)
    loans["remaining_term"] = loans["remaining_term"].clip(upper=24)
    return Pool(loans, "new.csv")


def upload(at: AppTest, pool: Pool) -> AppTest:
    at.radio(key="pool_source").set_value("upload").run()
    at.file_uploader(key="tape_upload").set_value(
        (pool.name, tape_bytes(pool, "csv"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def tape() -> Pool:
    return eligible_tape()


def test_a_tape_offers_the_choice_and_says_what_is_left_out(app: Start, tape: Pool) -> None:
    at = upload(app(), tape)
    assert {c.key for c in at.checkbox} >= {f"nd_keep_{p}" for p in PARTS}
    assert [at.checkbox(key=f"nd_keep_{p}").value for p in PARTS] == [True] * 4 + [False]
    assert at.text_input(key="nd_name").value == "new"
    assert at.radio(key="nd_fixed").value == "scale"
    # Until the new deal starts, the current deal's eligibility rules are not applied.
    pending = [i.value for i in at.info if "eligibility criteria" in i.value]
    assert len(pending) == 1
    for rule in ("max_rate", "max_remaining_term_months", "max_obligor_share",
                 "max_region_share"):
        assert en(f"rule.{rule}") in pending[0]
    # The tape is still the pool shown (as before the dialogue).
    assert at.session_state[state.POOL_KEY].startswith("tape:")


def test_keeping_the_fees_scales_them_and_keeps_eligibility(app: Start, tape: Pool) -> None:
    consumer = load_sample_deal("consumer")
    old = load_deal_pool(consumer, None)[0].balance
    new = apply_eligibility(tape, consumer.pool.eligibility or EligibilityCriteria(),
                            consumer.pool.concentration).pool.balance
    assert new == pytest.approx(2_000 * 5_000.0)  # every loan eligible
    ratio = new / old
    at = upload(app(), tape)
    at.button(key="nd_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    deal = at.session_state[state.DEAL_BASE]
    assert deal.name == "new"
    assert deal.dates.cutoff == dt.date.today()
    assert deal.dates.horizon_months == consumer.dates.horizon_months
    assert deal.pool.file_name == "new.csv"
    assert (deal.pool.eligibility, deal.pool.concentration) == (
        consumer.pool.eligibility, consumer.pool.concentration)
    fixed = {f.name: f.fixed_annual for f in deal.structure.fees}
    assert fixed["rating and audit"] == pytest.approx(300_000 * ratio, rel=1e-12)
    upfront = {f.name: f.fixed for f in deal.structure.upfront_fees}
    before = {f.name: f.fixed for f in consumer.structure.upfront_fees}
    assert upfront == pytest.approx({k: v * ratio for k, v in before.items()}, rel=1e-12)
    assert deal.structure.triggers == consumer.structure.triggers
    assert deal.structure.revolving == consumer.structure.revolving
    # The page now shows the new deal's pool, named after the file, and what was scaled.
    assert at.radio(key="pool_source").value == "deal"
    assert any(c.value == en("pool.name").format(name="new.csv") for c in at.caption)
    assert any("rating and audit" in i.value and "×" not in i.value for i in at.info)
    assert not at.warning  # nothing cleared, nothing flagged
    # Back to the upload: the dialogue says the deal was started from this tape.
    at.radio(key="pool_source").set_value("upload").run()
    assert any(c.value == en("nd.started_from") for c in at.caption)


def test_declining_shows_what_was_cleared(app: Start, tape: Pool) -> None:
    at = upload(app(), tape)
    for part in ("fees", "triggers", "eligibility"):
        at.checkbox(key=f"nd_keep_{part}").uncheck()
    at.checkbox(key="nd_keep_dates").check()
    at.text_input(key="nd_name").set_value("ABS 2026-1")
    at.button(key="nd_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    consumer = load_sample_deal("consumer")
    deal = at.session_state[state.DEAL_BASE]
    assert (deal.name, deal.dates) == ("ABS 2026-1", consumer.dates)
    assert deal.pool.eligibility is None
    assert deal.pool.concentration is None
    assert deal.structure.fees == deal.structure.upfront_fees == deal.structure.triggers == ()
    warnings = {w.value.split(":")[0]: w.value for w in at.warning}
    eligibility = warnings[en("nd.cleared.eligibility").split(":")[0]]
    assert en("rule.max_obligor_share") in eligibility
    assert "early amortisation" in warnings[en("nd.cleared.triggers").split(":")[0]]
    assert "trustee set-up" in warnings[en("nd.cleared.fees").split(":")[0]]


def test_fees_kept_unscaled_are_flagged(app: Start, tape: Pool) -> None:
    at = upload(app(), tape)
    at.radio(key="nd_fixed").set_value("keep")
    at.button(key="nd_start").click().run()
    assert not at.exception
    deal = at.session_state[state.DEAL_BASE]
    assert {f.name: f.fixed_annual for f in deal.structure.fees}["rating and audit"] == 300_000
    assert len(at.warning) == 1
    assert "rating and audit" in at.warning[0].value


def test_eligibility_that_leaves_no_loan_is_said_before_the_start(app: Start) -> None:
    # 50 loans cannot meet the consumer deal's concentration limits: no loan is eligible.
    small = Pool(sample_pool("consumer", n_loans=50).loans, "small.csv")
    at = upload(app(), small)
    notes = [m.value for m in at.markdown if "removed the last eligible loan" in m.value]
    assert len(notes) == 1
    assert not at.error  # a preview of the choice, not a mistake of the user's
    assert at.button(key="nd_start").disabled
    at.checkbox(key="nd_keep_eligibility").uncheck().run()
    assert not [m for m in at.markdown if "removed the last eligible loan" in m.value]
    at.button(key="nd_start").click().run()
    assert not at.exception
    deal = at.session_state[state.DEAL_BASE]
    assert (deal.name, deal.pool.eligibility) == ("small", None)
