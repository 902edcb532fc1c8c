"""The codebase's own rules, checked on its source: one transaction rule, access rules declared
in the one layer, reads that never write."""

import ast
from pathlib import Path

from procure.access import route_rules

ROOT = Path(__file__).resolve().parents[2]
PROCURE = ROOT / "procure"
# The only modules that may commit or roll back: the transaction helpers, and the job runner,
# which owns its short transactions (claim, heartbeat, end). The error handlers may also roll
# back: a database error leaves the transaction failed, and the error page must still read.
TRANSACTION_OWNERS = {PROCURE / "transactions.py", PROCURE / "jobs" / "runner.py"}
ROLLBACK_OWNERS = {*TRANSACTION_OWNERS, PROCURE / "errors.py"}


def _sources(pattern: str = "*.py"):
    for path in sorted(PROCURE.rglob(pattern)):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text())


def test_nothing_commits_or_rolls_back_outside_the_transaction_helpers():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}()"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and not node.args
        and (
            (node.func.attr == "commit" and path not in TRANSACTION_OWNERS)
            or (node.func.attr == "rollback" and path not in ROLLBACK_OWNERS)
        )
    ]
    assert found == []


def _role_comparisons(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(
            isinstance(part, ast.Attribute) and part.attr == "role"
            for side in [node.left, *node.comparators]
            for part in ast.walk(side)
        )
    ]


def test_no_inline_role_checks_in_routes_or_views():
    """Who may call a route is declared with @access (a rule per method where a page answers
    several); a route or view never compares a user's role itself."""
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in _sources()
        if path.name in {"routes.py", "views.py"}
        for line in _role_comparisons(tree)
    ]
    assert found == []


def test_the_inline_role_check_finder_finds_one():
    tree = ast.parse("if current_user.role != 'buyer':\n    abort(403)\n")
    assert _role_comparisons(tree) == [1]


def test_every_write_route_commits_through_writes(app):
    """Each route that answers POST, PUT, PATCH or DELETE runs inside `writes`, so its work
    commits once or rolls back whole, or inside `computes` (a what-if), which never commits."""
    missing = []
    for path, method, endpoint, _rule in route_rules(app):
        if method in {"GET", "HEAD", "OPTIONS"} or endpoint in {"static"}:
            continue
        view = app.view_functions[endpoint]
        handler = getattr(getattr(view, "view_class", None), method.lower(), view)
        if not (getattr(handler, "writes", False) or getattr(handler, "computes", False)):
            missing.append(f"{method} {path}")
    assert missing == []


def test_a_read_that_writes_is_refused(app, make_user, caplog):
    """The read guard: a GET handler that changes the database fails (ReadWroteError in tests,
    an error logged in production) and nothing is written."""
    from flask import Blueprint

    from procure.access import PUBLIC, access
    from procure.extensions import db

    user = make_user(role="buyer")
    name = user.name
    probe = Blueprint("read_probe", __name__)

    @probe.route("/read-probe")
    @access(PUBLIC)
    def read_probe():
        user_row = db.session.get(type(user), user.id)
        user_row.name = "changed by a read"
        db.session.flush()
        return "wrote"

    app.register_blueprint(probe)
    response = app.test_client().get("/read-probe")
    assert response.status_code == 500
    assert "GET /read-probe tried to write (a flush); reads never write" in caplog.text
    db.session.expire_all()
    assert db.session.get(type(user), user.id).name == name
