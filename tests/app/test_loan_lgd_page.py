"""AppTest of the Assumptions page's loan-level LGD checkbox (issue 15, item 3), in both
languages: the consumer sample's tape gives an LGD for every loan, which the deal uses until
the checkbox is cleared; the caption says which, and for what share of the pool balance."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import load_deal_pool, load_sample_deal
from abs_tool.model.pool_model import tape_lgd
from ui import format as fmt, labels, state

ASSUMPTIONS = "ui/pages/assumptions.py"


@pytest.mark.parametrize(("lang", "column"), [("en", 0), ("zh", 1)])
def test_the_tapes_lgd_is_used_until_the_checkbox_is_cleared(
        app: Callable[..., AppTest], lang: str, column: int) -> None:
    at = app(ASSUMPTIONS, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    box = at.checkbox(key="as_recovery_tape")
    assert box.label == labels.LABELS["as.recovery_tape"][column]
    assert box.value is True
    assert at.session_state[state.DEAL].assumptions.recovery.from_tape is True
    pool, _ = load_deal_pool(load_sample_deal("consumer"), None)
    share, lgd = tape_lgd(pool)
    used = labels.LABELS["as.recovery_tape_used"][column].format(
        share=fmt.percent(share, 1), lgd=fmt.percent(lgd, 1))
    assert used in [c.value for c in at.caption]

    box.uncheck().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[state.DEAL].assumptions.recovery.from_tape is False
    ignored = labels.LABELS["as.recovery_tape_ignored"][column].format(
        share=fmt.percent(share, 1))
    assert ignored in [c.value for c in at.caption]
