"""scoring and optimizer are pure: they import nothing from the web stack or the app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "flask",
    "flask_sqlalchemy",
    "flask_smorest",
    "flask_login",
    "flask_wtf",
    "sqlalchemy",
    "marshmallow",
    "weasyprint",
    "procure",
    "werkzeug",
    "alembic",
}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            roots.add("__import__")
    return roots


@pytest.mark.parametrize("package", ["scoring", "optimizer"])
def test_pure_package_imports_nothing_forbidden(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offenders = {
        str(f.relative_to(ROOT)): sorted(_imported_roots(f) & (FORBIDDEN | {"__import__"}))
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_checker_catches_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from flask import Flask\nimport sqlalchemy.orm\n")
    assert _imported_roots(module) & FORBIDDEN == {"flask", "sqlalchemy"}
