"""The package's shape: a tree with one line per module (lines, first docstring line), then
the longest functions. Run on two checkouts to compare a refactor:
``python bench/layout.py [PACKAGE_DIR] [--top N]``."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path


def summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def functions(path: Path, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root.parent)
    return [(node.end_lineno - node.lineno + 1, f"{where}:{node.lineno} {node.name}")
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[1] / "abs_tool")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    root = args.package.resolve()
    modules = sorted(root.rglob("*.py"))
    print(f"{root.name}/")
    shown: set[Path] = set()
    for path in modules:
        rel = path.relative_to(root)
        for depth, folder in enumerate(rel.parents[:-1][::-1], start=1):
            if folder not in shown:
                shown.add(folder)
                print(f"{'  ' * depth}{folder.name}/")
        lines = len(path.read_text(encoding="utf-8").splitlines())
        indent = "  " * len(rel.parts)
        print(f"{indent}{rel.name:<{28 - len(indent)}} {lines:>5}  {summary(path)[:70]}")
    print(f"\n{len(modules)} modules, {sum(len(p.read_text().splitlines()) for p in modules):,} "
          f"lines\n\nlongest functions (lines):")
    found = sorted((f for p in modules for f in functions(p, root)), reverse=True)
    for length, name in found[:args.top]:
        print(f"{length:>5}  {name}")


if __name__ == "__main__":
    main()
