"""engine/ is plain Python: it imports neither odoo nor any third-party package (docs/design.md, Layers)."""

import ast
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parent.parent / "engine"
MODULES = sorted(ENGINE.glob("*.py"))


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." if node.level else node.module


def test_engine_has_modules():
    assert len(MODULES) >= 2


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_engine_module_imports_only_the_standard_library(path):
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top != "odoo", f"{path.name} imports {name}"
        assert name == "." or top == "engine" or top in sys.stdlib_module_names, f"{path.name} imports {name}"
