"""The package's layers (STYLE.md, "A target layout"): a module imports only from its own layer
or lower ones, so data flows one way, model/io -> credit -> engine -> analysis -> report ->
cli; only ui/ and streamlit_app.py import Streamlit; only io/, report/ and cli.py name files.

The imports are read from the source (every ``import`` statement, inside functions too), so a
late import inside a function cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "abs_tool"

LAYERS: dict[str, int] = {
    "errors": 0, "limits": 0, "types": 0, "glossary": 0,
    "model": 1,
    "io": 2,
    "credit": 3,
    "engine": 4,
    "analysis": 5,
    "report": 6,
    "cli": 7,
}
"""Rank of each top-level module or subpackage of abs_tool; a lower rank never imports a
higher one. ``abs_tool/__init__.py`` (the public API, loaded lazily) is above them all."""


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _layer(module: str) -> str:
    """Layer name of a dotted module inside abs_tool (``abs_tool.engine.kernel`` -> engine)."""
    return module.split(".")[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in ``source`` of ``module``, relative ones
    resolved; ``from abs_tool import x`` names the submodule ``abs_tool.x`` where there is
    one."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{a.name}") for a in node.names
                      if name == "abs_tool" and a.name in LAYERS]
    return found


def _upward(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports of ``source`` (the text of ``module``) from a layer above its own."""
    own = LAYERS[_layer(module)]
    return [f"line {line}: {name} ({_layer(name)}, rank {LAYERS[_layer(name)]})"
            for line, name in _imports(source, module, is_package)
            if name.startswith("abs_tool.") and LAYERS[_layer(name)] > own]


def _source(path: Path) -> tuple[str, str, bool]:
    return path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py"


def test_every_module_belongs_to_a_layer():
    unknown = {_layer(_module_name(p)) for p in _modules()} - set(LAYERS)
    assert not unknown, f"give these a rank in LAYERS: {sorted(unknown)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path: Path):
    upward = _upward(*_source(path))
    assert not upward, (f"{path.relative_to(PACKAGE.parent)} (layer "
                        f"{_layer(_module_name(path))}) imports from above it: {upward}")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_library_never_imports_the_app(path: Path):
    banned = [m for _, m in _imports(*_source(path)) if m.split(".")[0] in ("streamlit", "ui")]
    assert not banned, f"{path.relative_to(PACKAGE.parent)} imports {banned}"


@pytest.mark.parametrize("source", [
    "from abs_tool.analysis.structuring import structure_deal\n",
    "def late():\n    from ..analysis import structuring\n",
    "from abs_tool import analysis\n",
    "import abs_tool.report.tables\n",
])
def test_the_check_catches_an_upward_import_in_any_form(source: str):
    assert _upward(source, "abs_tool.engine.kernel")


def test_the_check_allows_same_and_lower_layers():
    source = ("from abs_tool.engine.waterfall import run_waterfall\n"
              "from ..model.deal import Deal\nfrom abs_tool import errors, __version__\n")
    assert _upward(source, "abs_tool.engine.kernel") == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_imports_the_public_api(path: Path):
    # Names from the package root hide their layer from the check above; inside the library
    # they are imported from their modules. The CLI, at the top, may use the public API.
    if path.name == "cli.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rooted = [f"line {node.lineno}: {alias.name}" for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module == "abs_tool" and not node.level
              for alias in node.names if alias.name not in LAYERS and alias.name != "__version__"]
    assert not rooted, f"{path.relative_to(PACKAGE.parent)} imports from abs_tool: {rooted}"
