"""The `procure` command's entry point: the analyst commands start at once.

`procure score`, `procure optimize` and `procure frontier` work on files with the pure
`scoring` and `optimizer` packages, so they run without the web app: no Flask, no database
layer, no models (`procure.cli` loads all of them, about 1.5 s before any work). Every other
command, and `procure --help`, which lists them all, goes through the Flask command group.
"""

from __future__ import annotations

import sys

ANALYST_COMMANDS = frozenset({"score", "optimize", "frontier"})


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ANALYST_COMMANDS:
        # here: the analyst commands alone, without the web app's imports
        from procure.analysis_cli import analyst_commands

        analyst_commands(prog_name="procure")
    else:
        # here: the Flask group loads the app, its models and blueprints (about 1.5 s)
        from procure.cli import main as app_commands

        app_commands(prog_name="procure")
