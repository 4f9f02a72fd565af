"""Shared test settings.

Under CI (the ``CI`` environment variable, set by .ci/run's caller) hypothesis draws the same
examples on every run, so that main's CI result does not depend on luck; locally it keeps
exploring new examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
