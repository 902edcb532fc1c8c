"""The analyst commands start without the web app (issue #23: commands start at once).

`procure score`, `optimize` and `frontier` go through `procure.entry`, which never imports
Flask, the database layer or the models; every other command still reaches the Flask group.
Each case runs the entry point in a process of its own, as the console script does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
WEB_APP = (
    "flask",
    "sqlalchemy",
    "flask_sqlalchemy",
    "procure.app",
    "procure.cli",
    "procure.models",
)
RUN = """
import atexit, json, sys
atexit.register(
    lambda: print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)), file=sys.stderr)
)
sys.argv = {argv!r}
from procure.entry import main
main()
"""


def _run(*argv: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    script = RUN.format(modules=WEB_APP, argv=["procure", *argv])
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    return done, loaded


@pytest.mark.parametrize(
    "argv",
    [
        ("optimize", str(DATA / "optimizer" / "impact_binding.json")),
        ("frontier", str(DATA / "optimizer" / "impact_binding.json"), "--points", "3"),
        ("score", str(DATA / "scoring" / "golden_vendors.csv")),
    ],
)
def test_the_analyst_commands_work_without_loading_the_web_app(argv):
    done, loaded = _run(*argv)
    assert done.returncode == 0, done.stderr
    assert loaded == []  # no Flask, no database layer, no models
    assert done.stdout.strip()  # the result document or the scores table


def test_other_commands_and_the_help_still_go_through_the_flask_group():
    done, loaded = _run("--help")
    assert done.returncode == 0, done.stderr
    assert {"flask", "procure.cli"} <= set(loaded)
    for command in ("score", "optimize", "frontier", "demo", "worker", "db"):
        assert f"  {command} " in done.stdout, command
