"""Shared test settings.

Under CI (the ``CI`` environment variable, set by .ci/run's caller) hypothesis draws the same
examples on every run, so that main's CI result does not depend on luck; locally it keeps
exploring new examples.
"""

import os
from collections.abc import Callable

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def count_calls(monkeypatch: pytest.MonkeyPatch) -> Callable[[object, str], list[int]]:
    """``count_calls(module, name)``: patch ``module.name`` (in its own module, where callers
    look it up) to count its calls; returns the list that grows by one per call."""
    def count(module: object, name: str) -> list[int]:
        calls: list[int] = []
        real = getattr(module, name)

        def counted(*args: object, **kwargs: object) -> object:
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
        return calls

    return count
