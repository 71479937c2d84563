"""The package's layers (pyproject.toml's import-linter contract) hold, a
back-import breaks them, and no module reads another module's private names."""
import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports") or str(pathlib.Path(sys.executable).parent / "lint-imports")

pytestmark = pytest.mark.skipif(not pathlib.Path(LINT).exists(),
                                reason="import-linter is not installed (pip install .[test])")


def _lint(cwd):
    return subprocess.run([LINT, "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_layers_contract_is_kept():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_a_back_import_inside_a_function_breaks_the_contract(tmp_path):
    """The bottom layer's op table importing the top layer's solvers, inside a
    function (where today's circles hid), is reported."""
    shutil.copytree(ROOT / "adjit", tmp_path / "adjit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    run = _lint(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr  # the copy itself is fine
    ops = tmp_path / "adjit" / "ops.py"
    ops.write_text(ops.read_text() + "\n\ndef _late():\n    from . import solvers\n"
                   "    return solvers\n")
    run = _lint(tmp_path)
    assert run.returncode != 0
    assert "adjit.ops is not allowed to import adjit.solvers" in run.stdout


def _private_reads(path: pathlib.Path, modules: set) -> list:
    """``module._name`` reads and ``from .module import _name`` of this package's
    modules in ``path`` (dunder names are not private)."""
    tree = ast.parse(path.read_text())
    imported = {}  # local name -> module of this package
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is None:
                for a in node.names:
                    if a.name in modules:
                        imported[a.asname or a.name] = a.name
            elif node.module in modules:
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        found.append(f"{path.name}: from .{node.module} import {a.name}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in imported and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_reads_another_modules_private_names():
    pkg = ROOT / "adjit"
    modules = {p.stem for p in pkg.glob("*.py")}
    # ops._partial_exprs (read by codegen) is the op-table helper's to make public
    allowed = {"ops._partial_exprs"}
    found = [f for p in sorted(pkg.glob("*.py")) for f in _private_reads(p, modules)
             if not any(a in f for a in allowed)]
    assert not found, "\n".join(found)
