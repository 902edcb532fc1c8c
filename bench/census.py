"""Census of the codebase: the figures the codebase issue tracks, measured the same way each time.

Prints, for `procure`, `scoring` and `optimizer`:
- `commit()` and `rollback()` calls outside the transaction helpers (`procure/transactions.py`,
  the job runner; rollbacks also in the error handlers);
- bare status strings: string constants equal to a state or status value, outside the module
  that names them (`procure/states.py`, `optimizer/status.py`) and outside docstrings;
- import cycles between modules (module-level and function-local imports both count);
- function-local imports, and those without a comment saying why;
- files over 400 lines;
- mypy errors (strict on the pure packages, the configured level on `procure`), if mypy runs.

Run from the repository root:  python bench/census.py [--no-mypy]
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("procure", "scoring", "optimizer")
# The modules that may commit (the transaction helpers, the job runner) and roll back (those,
# and the error handlers), as tests/app/test_structure.py holds them.
COMMIT_OWNERS = {ROOT / "procure" / "transactions.py", ROOT / "procure" / "jobs" / "runner.py"}
ROLLBACK_OWNERS = {*COMMIT_OWNERS, ROOT / "procure" / "errors.py"}
STATE_MODULES = {ROOT / "procure" / "states.py", ROOT / "optimizer" / "status.py"}
STATE_VALUES = {
    "draft", "submitted", "verified", "rejected", "solved", "infeasible", "failed",
    "approved", "queued", "running", "succeeded", "cancelled", "optimal", "time_limit",
    "invalid", "solving", "outdated", "ready", "pending", "error", "interrupted",
}  # fmt: skip


def python_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def imported_modules(node: ast.Import | ast.ImportFrom, module: str, known: set[str]) -> set[str]:
    names = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")[: -node.level] if node.level else []
            base = ".".join([*package, base] if base else package)
        # `from package import module` imports the module (and runs the package's __init__,
        # which is no dependency worth a cycle); `from module import name` imports the module
        submodules = [f"{base}.{alias.name}" for alias in node.names]
        names = [name for name in submodules if name in known] or [base]
    targets = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            targets.add(name)
    return targets


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def local_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child):
                continue
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                found.append(child)
            visit(child, inside)

    visit(tree, False)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def mypy_errors(targets: list[str], *extra: str) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", *extra, *targets],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        return f"not run ({error})"
    last = done.stdout.strip().splitlines()[-1:] or ["no output"]
    return last[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-mypy", action="store_true", help="skip the mypy runs")
    args = parser.parse_args()

    files = python_files()
    known = {module_name(path) for path in files}
    commits = rollbacks = bare_states = 0
    locals_total = locals_unexplained = 0
    long_files = []
    graph: dict[str, set[str]] = defaultdict(set)
    for path in files:
        text = path.read_text()
        lines = text.splitlines()
        if len(lines) > 400:
            long_files.append(f"{path.relative_to(ROOT)} ({len(lines)})")
        tree = ast.parse(text)
        module = module_name(path)
        docstrings = docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if path not in COMMIT_OWNERS and node.func.attr == "commit" and not node.args:
                    commits += 1
                if path not in ROLLBACK_OWNERS and node.func.attr == "rollback" and not node.args:
                    rollbacks += 1
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in STATE_VALUES
                and id(node) not in docstrings
                and path not in STATE_MODULES
            ):
                bare_states += 1
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[module] |= imported_modules(node, module, known)
        for node in local_imports(tree):
            locals_total += 1
            around = lines[max(0, node.lineno - 2) : node.end_lineno or node.lineno]
            if not any("#" in line for line in around):
                locals_unexplained += 1
    cycles = strongly_connected(graph)

    print(f"python files:                      {len(files)}")
    print(
        f"lines of code:                     {sum(len(p.read_text().splitlines()) for p in files)}"
    )
    print(f"commit() outside the helpers:      {commits}")
    print(f"rollback() outside the helpers:    {rollbacks}")
    print(f"bare status strings:               {bare_states}")
    print(f"import cycles (strongly connected components): {len(cycles)}")
    for component in cycles:
        print(f"  - {' <-> '.join(component)}")
    print(
        f"function-local imports:            {locals_total} "
        f"({locals_unexplained} without a comment)"
    )
    print(f"files over 400 lines:              {len(long_files)}")
    for name in long_files:
        print(f"  - {name}")
    if not args.no_mypy:
        print(
            "mypy --strict scoring optimizer:   "
            f"{mypy_errors(['scoring', 'optimizer'], '--strict')}"
        )
        print(f"mypy procure (configured level):   {mypy_errors(['procure'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
