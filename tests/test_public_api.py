"""The curated public API of ``abs_tool/__init__.py``: every name resolves to its module's
object, the type checkers' view agrees with the lazy table, and ``import abs_tool`` is cheap."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import abs_tool

INIT = Path(abs_tool.__file__)


@pytest.mark.parametrize("name", abs_tool.__all__)
def test_every_public_name_is_its_modules_object(name: str):
    module = importlib.import_module(abs_tool._MODULE_OF[name])
    assert getattr(abs_tool, name) is getattr(module, name)


def test_the_type_checkers_imports_are_the_lazy_table():
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and getattr(node.test, "id", None) == "TYPE_CHECKING")
    imported = {alias.name: node.module for node in block.body
                if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert imported == abs_tool._MODULE_OF


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'run_monte_carol'"):
        _ = abs_tool.run_monte_carol  # type: ignore[attr-defined]
    assert {"load_deal", "analyse", "__version__"} <= set(dir(abs_tool))


def test_importing_the_package_loads_nothing_heavy():
    # `import abs_tool` (and so any `from abs_tool.errors import ...`) must not pay for numba,
    # scipy or pandas: the CLI's --help and error paths stay instant.
    code = ("import sys, abs_tool, abs_tool.errors; print(sorted(m for m in "
            "('numba', 'scipy', 'pandas', 'abs_tool.engine') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
