"""`procure evidence`: the operator's commands for the evidence store (see
procure/disclosures/evidence_store.py for where files are kept).

- `procure evidence migrate` copies into the configured store the files it lacks: those that
  earlier versions wrote to the evidence folder (`evidence_dir`) and, with an S3 store, those
  still in the database. Each copy is checked against the SHA-256 recorded at upload; nothing is
  deleted or overwritten, and a second run copies nothing. Exit status 1 when a recorded file is
  missing everywhere or found only with other bytes.
- `procure evidence gc` removes the store's files that no evidence record names, stored before
  a grace period (an upload in flight has its file stored before its record commits), printing
  each; `--dry-run` only prints them.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import timedelta

import click
from flask.cli import with_appcontext

from procure.transactions import command

GRACE_MINUTES = 60.0


@click.group("evidence")
def evidence_group():
    """Evidence files: copy older files into the store, remove files no record names."""


@evidence_group.command("migrate")
@with_appcontext
def evidence_migrate():
    """Copy the evidence files the store lacks into it (from the evidence folder of earlier
    versions and, with an S3 store, from the database), checking each SHA-256. Idempotent."""
    # here: the disclosures area (every model, scoring) loads for these commands alone
    from procure.disclosures.evidence_store import evidence_store, legacy_folder
    from procure.disclosures.evidence_upkeep import (  # here: as above
        COPIED,
        PROBLEMS,
        copy_into_store,
        recorded_files,
        unrecorded_legacy_files,
    )

    click.echo(f"Evidence store: {evidence_store().label}")
    counts: Counter[str] = Counter()
    for name, sha256 in recorded_files():
        with command():  # one file per transaction: an interrupted run keeps what it copied
            outcome = copy_into_store(name, sha256)
        counts[outcome.action] += 1
        if outcome.action == COPIED:
            click.echo(f"copied {name} {outcome.detail}")
        elif outcome.action in PROBLEMS:
            click.echo(f"error: {name}: {outcome.action}: {outcome.detail}", err=True)
    left = unrecorded_legacy_files()
    click.echo(
        f"{counts[COPIED]} copied, {counts['present']} already in the store, "
        f"{sum(counts[p] for p in PROBLEMS)} missing or mismatched."
    )
    if left:
        click.echo(
            f"{len(left)} files in {legacy_folder().folder} are named by no evidence record: "
            "left where they are."
        )
    if any(counts[p] for p in PROBLEMS):
        sys.exit(1)


@evidence_group.command("gc")
@click.option("--dry-run", is_flag=True, help="Print what would be removed; remove nothing.")
@click.option(
    "--grace-minutes",
    type=click.FloatRange(min=0),
    default=GRACE_MINUTES,
    show_default=True,
    help="Spare files stored less than this long ago (an upload whose record is not yet saved).",
)
@with_appcontext
def evidence_gc(dry_run: bool, grace_minutes: float):
    """Remove the store's files that no evidence record names (orphans of interrupted
    uploads), printing each."""
    from procure.db import utcnow  # here: as in evidence_migrate
    from procure.disclosures.evidence_store import evidence_store  # here: as above
    from procure.disclosures.evidence_upkeep import find_orphans, remove_orphan  # here: as above

    click.echo(f"Evidence store: {evidence_store().label}")
    verb = "would remove" if dry_run else "removed"
    with command():  # the database store's deletions commit at the end, all or none
        orphans = find_orphans(timedelta(minutes=grace_minutes), utcnow())
        for entry in orphans.removable:
            if not dry_run:
                remove_orphan(entry)
            click.echo(
                f"{verb} {entry.name} ({entry.size} bytes, "
                f"stored {entry.stored_at:%Y-%m-%d %H:%M:%S %Z})"
            )
    click.echo(
        f"{verb.capitalize()} {len(orphans.removable)} orphans; kept {len(orphans.recent)} "
        f"stored within the last {grace_minutes:g} minutes."
    )
