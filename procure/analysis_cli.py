"""The analyst commands: `procure score`, `procure optimize`, `procure frontier`.

They work on files alone (no database), through the pure `scoring` and `optimizer` packages.
Exit status: 0 when the work was done (an infeasible problem included), 2 for a file that
cannot be read or is invalid, with the reason on standard error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from procure.settings import resource_dir

MAX_VENDORS = 100_000


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(2)


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))


@click.command("score")
@click.argument("vendors_csv", type=click.Path(dir_okay=False))
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(dir_okay=False),
    help="Scoring profile TOML; the default profile when absent.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="CSV to write; stdout when absent."
)
@click.option(
    "--max-rows",
    default=MAX_VENDORS,
    show_default=True,
    type=click.IntRange(1),
    help="Refuse a file of more vendors (scoring holds them all in memory: 100,000 take 250 MB).",
)
def score_command(vendors_csv: str, profile_path: str | None, output: str | None, max_rows: int):
    """Score vendors from a CSV with the metric catalog and a scoring profile."""
    # here, not at the top: every `procure` command imports this module; only this one needs
    # scoring (pandas, ~0.3 s) and procure.spreadsheets (pandas and openpyxl)
    import scoring
    from procure.spreadsheets import escape_cell  # here: as `import scoring` above

    config = resource_dir("config")
    catalog = scoring.load_catalog(config / "metrics.toml")
    try:
        profile = scoring.load_profile(profile_path or config / "scoring_profile.toml", catalog)
    except FileNotFoundError:
        _fail([f"{profile_path}: no such file"])
    except (scoring.ProfileError, ValueError) as invalid:
        _fail(
            [f"{profile_path}: {e.field}: {e.message}" for e in getattr(invalid, "errors", [])]
            or [str(invalid)]
        )
    try:
        table = scoring.read_vendor_table(vendors_csv, max_rows=max_rows)
    except FileNotFoundError:
        _fail([f"{vendors_csv}: no such file"])
    except scoring.TableError as invalid:
        _fail(
            [
                f"{vendors_csv}: row {e.row}{f', column {e.column}' if e.column else ''}: "
                f"{e.message}"
                for e in invalid.errors
            ]
        )
    except (UnicodeDecodeError, ValueError) as unreadable:
        _fail([f"{vendors_csv}: not a readable CSV file ({unreadable})"])
    result = scoring.score_table(table, catalog, profile, checked=True)  # read checks it
    scores = scoring.output_table(result)
    scores["vendor_id"] = scores["vendor_id"].map(
        escape_cell
    )  # the one text column: the file's own ids
    scores.to_csv(output or sys.stdout, index=False)


def _read_problem(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        _fail([f"{path}: no such file"])
    except (UnicodeDecodeError, json.JSONDecodeError) as unreadable:
        _fail([f"{path}: not valid JSON ({unreadable})"])


@click.command("optimize")
@click.argument("problem_json", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write; stdout when absent."
)
def optimize_command(problem_json: str, output: str | None):
    """Solve an allocation problem document and print the result document."""
    import optimizer  # here: loads pulp, highspy and numpy (~0.25 s), which other commands skip

    result = optimizer.solve(_read_problem(problem_json))
    _write(json.dumps(result, indent=2, sort_keys=False) + "\n", output)


@click.command("frontier")
@click.argument("problem_json", type=click.Path(dir_okay=False))
@click.option("--points", default=11, show_default=True, type=click.IntRange(2, 200))
@click.option(
    "--measure",
    type=click.Choice(["impact", "hours"]),
    default="impact",
    show_default=True,
    help="Sweep average impact, or impact-worker hours (version 2 documents).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write; stdout when absent."
)
def frontier_command(problem_json: str, points: int, measure: str, output: str | None):
    """Sweep least cost against average impact (or impact-worker hours with --measure hours):
    N points; a version 1 document on one warm-started model."""
    import optimizer  # here: loads pulp, highspy and numpy (~0.25 s), which other commands skip

    result = optimizer.frontier(_read_problem(problem_json), points, measure=measure)
    _write(json.dumps(result, indent=2) + "\n", output)


@click.group()
def analyst_commands() -> None:
    """The analyst commands alone, as `procure.entry` runs them (without the web app)."""


analyst_commands.add_command(score_command)
analyst_commands.add_command(optimize_command)
analyst_commands.add_command(frontier_command)
