"""The `procure` command line: a Flask CLI group (`procure --help`)."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from procure import create_app
from procure.analysis_cli import frontier_command, optimize_command, score_command
from procure.audit.services import SYSTEM
from procure.errors import ConflictError, ValidationFailed
from procure.evidence_cli import evidence_group
from procure.extensions import api, db
from procure.transactions import command


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main():
    """impact-procure: impact sourcing with scoring and an allocation optimizer."""


main.add_command(score_command)
main.add_command(optimize_command)
main.add_command(frontier_command)
main.add_command(evidence_group)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up the database and demo data, then exit.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool):
    """Create or upgrade the database, load the demo data, print the logins and serve."""
    # here: procure.demo loads every model and scoring (pandas, ~0.5 s); other commands skip it
    from procure.demo import load_demo

    upgrade()
    with command():  # then the score refreshes the disclosures queued start (inline, or workers)
        logins = load_demo()
    click.echo(f"Database: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo("Demo logins (email / password):")
    for login in logins:
        click.echo(
            f"  {login.role:<11} {login.email:<28} {login.password:<26} {login.organization}"
        )
    if no_serve:
        return
    click.echo(f"Open http://{host}:{port} and sign in. Stop with Ctrl+C.")
    # current_app is a LocalProxy typed as the Flask it stands for: mypy misses this method
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _start_scheduler(app)
    _start_background_runner(app)
    # app.run() refuses to start inside a Flask CLI command, so serve with werkzeug directly.
    run_simple(host, port, app, threaded=True)


def _start_scheduler(app) -> None:
    """Run the scheduler thread while this process serves or works: the jobs' round (reap silent
    jobs, retry failed system jobs, re-send lost messages; reads never do any of it) and the daily
    rounds (campaign reminders, mail digests; schedule_interval_seconds = 0: never)."""
    # here: the scheduler loads the jobs' runner (Celery when installed) and the campaigns and
    # notifications areas (~0.05 s); serve and work only
    from procure.scheduler import Scheduler, job_round_seconds

    Scheduler(
        app,
        float(app.config["SCHEDULE_INTERVAL_SECONDS"]),
        job_interval=job_round_seconds(app.config),
    ).start()


def _start_background_runner(app) -> None:
    """Without a broker, run the served requests' jobs in a thread of this process, so a page
    answers at once and shows the job's progress (the demo loaded its data inline before)."""
    # here: as in _start_scheduler (the runner loads every job kind)
    from procure.jobs.background import start_background_runner
    from procure.jobs.runner import run_job

    start_background_runner(app, run_job)


@main.command("worker")
@click.option(
    "--concurrency",
    type=int,
    help="Worker processes; default: the worker_concurrency setting (0: one per CPU core).",
)
@click.option("--loglevel", default="INFO", show_default=True)
@with_appcontext
def worker_command(concurrency: int | None, loglevel: str):
    """Run a Celery worker for background jobs (needs PROCURE_BROKER_URL)."""
    # here: Celery (the prod extra) and the runner are needed by the worker alone
    from procure.jobs.queue import celery_for, worker_arguments
    from procure.jobs.runner import reap_and_commit, run_job  # here: as in _start_scheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    if not app.config.get("BROKER_URL"):
        click.echo(
            "error: set PROCURE_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without a broker, "
            "jobs run inline in the web process and no worker is needed.",
            err=True,
        )
        sys.exit(2)
    db.engine.dispose()  # the worker's processes open their own connections
    _start_scheduler(app)
    celery_for(app, run_job, reap_and_commit).worker_main(
        worker_arguments(
            concurrency if concurrency is not None else app.config["WORKER_CONCURRENCY"],
            loglevel,
            app.config["JOB_QUEUE"],
        )
    )


@main.group("jobs")
def jobs_group():
    """Background jobs."""


@jobs_group.command("reap")
@with_appcontext
def jobs_reap():
    """Mark failed the running jobs whose worker went silent or overran its time limit
    (cron-able)."""
    from procure.jobs.runner import reap_and_commit  # here: as in worker_command

    reaped = reap_and_commit()
    click.echo(f"Marked {reaped} stale job(s) failed.")


@jobs_group.command("tend")
@with_appcontext
def jobs_tend():
    """The scheduler's jobs round once (cron-able, for deployments that run the plain celery
    worker): mark dead jobs failed, queue failed system jobs whose retry is due, send again the
    queued jobs whose message is lost."""
    from procure.jobs.runner import tend_jobs  # here: as in worker_command

    done = tend_jobs()
    click.echo(
        f"Marked {done.reaped} stale job(s) failed, queued {done.requeued} retry(ies), "
        f"sent {done.resent} lost message(s) again."
    )


def _day(value: str | None) -> date | None:
    """A --today option: a YYYY-MM-DD date, or exit 2 naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        click.echo(f"error: today: {value!r} is not a date (YYYY-MM-DD).", err=True)
        sys.exit(2)


@main.group("events")
def events_group():
    """Sourcing events."""


@events_group.command("close-due")
@with_appcontext
def events_close_due():
    """Close the sealed sourcing events whose deadline has passed, as a buyer's close would
    (cron-able, and run by the scheduler too)."""
    from procure.scheduler import close_events  # here: as in campaigns_remind

    click.echo(f"Closed {close_events()} event(s).")


@main.group("campaigns")
def campaigns_group():
    """Disclosure campaigns."""


@campaigns_group.command("remind")
@click.option("--today", help="The day to remind for (YYYY-MM-DD, UTC); default: today.")
@with_appcontext
def campaigns_remind(today: str | None):
    """Remind the vendors that campaigns still await, 7 days and 1 day before each deadline and
    weekly for four weeks after it; each vendor at most once a day (cron-able; `procure worker`
    and the embedded server also do it every schedule_interval_seconds)."""
    # here: the scheduler loads the campaigns area and the web app's models, which
    # `procure optimize/score/frontier` must not pay for
    from procure.scheduler import remind_campaigns

    reminded = remind_campaigns(_day(today))
    click.echo(f"Reminded {reminded} vendor(s).")


@main.group("notifications")
def notifications_group():
    """Notifications."""


@notifications_group.command("digest")
@click.option("--today", help="The day of the digest (YYYY-MM-DD, UTC); default: today.")
@with_appcontext
def notifications_digest(today: str | None):
    """Mail each user its unread notifications not mailed yet, of the kinds it wants by email,
    at most once a day (needs smtp_url; cron-able, and run by the scheduler too). Exits 1 when
    the mail server did not take some digest, so that cron reports it."""
    if not current_app.config.get("SMTP_URL"):
        click.echo("No mail server is set up (smtp_url): nothing to send.")
        return
    from procure.scheduler import mail_digests  # here: as in campaigns_remind

    done = mail_digests(_day(today))
    click.echo(f"Mailed {done.mailed} digest(s).")
    if done.refused:
        raise click.ClickException(
            f"The mail server did not take {done.refused} digest(s) (refused or unreachable; "
            "logged): the next run sends them."
        )


@main.group("rates")
def rates_group():
    """Exchange rates."""


@rates_group.command("rescore-due")
@click.option("--today", help="The day the rates are in force by (YYYY-MM-DD); default: today.")
@with_appcontext
def rates_rescore_due(today: str | None):
    """Re-score the periods whose stored scores were priced before an exchange rate came into
    force, as an edit of the rate would (cron-able, and run by the scheduler too); once per
    period, however often it runs."""
    from procure.scheduler import rescore_rates  # here: as in campaigns_remind

    periods = rescore_rates(_day(today))
    click.echo(f"Re-scoring {len(periods)} period(s).")
    for period_end in periods:
        click.echo(f"  the period ending {period_end.isoformat()}")


@main.group("scenarios")
def scenarios_group():
    """Allocation scenarios."""


STORE_FACTS_BATCH = 50
"""Scenarios per commit of `procure scenarios store-facts`: a large database never holds one
huge transaction (a plan of 10,000 vendors has some 9 MB of documents)."""


@scenarios_group.command("store-facts")
@click.option("--dry-run", is_flag=True, help="Count the scenarios to store, store nothing.")
@with_appcontext
def scenarios_store_facts(dry_run: bool):
    """Store the projection and page facts of the scenarios solved before the solve stored them
    (migrations 0041, 0045, 0047), so their pages read as fast as a new plan's; once after an
    upgrade. Changes no figure, version or audit trail; a second run stores nothing."""
    from procure.scenarios import stored_facts  # here: as in campaigns_remind

    ids, current = stored_facts.scenarios_with_result()
    stored = 0
    for start in range(0, len(ids), STORE_FACTS_BATCH):
        with command():
            stored += stored_facts.store_missing(ids[start : start + STORE_FACTS_BATCH], dry_run)
    verb = "Would store" if dry_run else "Stored"
    click.echo(
        f"{verb} the projection or page facts of {stored} scenario(s); skipped "
        f"{current + len(ids) - stored} that have them or need none."
    )


@main.group("users")
def users_group():
    """Manage user accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "buyer", "vendor", "executive", "operator", "assurer"]),
    help="operator: the platform operator, in an organization of kind operator; assurer: in an "
    "organization of kind assurance.",
)
@click.option(
    "--organization", "organization_name", required=True, help="Organization name; created if new."
)
@click.option(
    "--kind",
    type=click.Choice(["buyer", "vendor", "assurance", "operator"]),
    help="Kind of a new organization.",
)
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def users_create(email, name, role, organization_name, kind, password):
    """Create a user (and its organization when it does not exist yet)."""
    # here, not at the top: only the users commands need the accounts area, and its services hash
    # a dummy password at import (~0.1 s), which `procure optimize/score/frontier` should not pay
    from procure.accounts.models import Organization
    from procure.accounts.names import name_key  # here: as above
    from procure.accounts.services import create_organization, create_user  # here: as above

    try:
        with command():
            organization = db.session.scalar(
                select(Organization).where(Organization.name_key == name_key(organization_name))
            )
            if organization is None:
                if kind is None:
                    raise ValidationFailed(
                        {
                            "kind": [
                                "Give --kind buyer, vendor, assurance or operator for a new "
                                "organization."
                            ]
                        }
                    )
                organization = create_organization(organization_name, kind, actor=SYSTEM)
            user = create_user(organization, email, name, role, password, actor=SYSTEM)
    except ValidationFailed as failed:
        _refuse(failed)
    click.echo(f"Created {user.role} {user.email} in {organization.name} (user id {user.id}).")


def _refuse(failed) -> None:
    """Print a ValidationFailed, one line per field and message, and exit 2."""
    for field, messages in failed.errors.items():
        for message in messages:
            click.echo(f"error: {field}: {message}", err=True)
    sys.exit(2)


def _user_by_email(email: str):
    """The user with this email (any case), or exit 2 saying there is none."""
    # here: as in users_create
    from procure.accounts.models import User
    from procure.accounts.services import normalise_email  # here: as in users_create

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        click.echo("error: email: No user with this email.", err=True)
        sys.exit(2)
    return user


@users_group.command("unlock")
@click.argument("email")
@with_appcontext
def users_unlock(email):
    """Unlock a user locked after too many wrong passwords in a row."""
    from procure.accounts.services import unlock_user  # here: as in users_create

    user = _user_by_email(email)
    try:
        with command():
            unlock_user(user, actor=SYSTEM)
    except ConflictError as conflict:
        click.echo(f"error: {conflict.message}", err=True)
        sys.exit(2)
    click.echo(f"Unlocked {user.email}: they can sign in again.")


@users_group.command("set-password")
@click.argument("email")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def users_set_password(email, password):
    """Set a new password for a user who forgot theirs: their sessions end, their API tokens are
    revoked and a lock is lifted."""
    from procure.accounts.services import reset_password  # here: as in users_create

    user = _user_by_email(email)
    try:
        with command():
            revoked = reset_password(user, password, actor=SYSTEM)
    except ValidationFailed as failed:
        _refuse(failed)
    click.echo(
        f"New password set for {user.email}; their sessions are signed out and {revoked} "
        "API token(s) revoked."
    )


@main.command("openapi")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write; stdout when absent.",
)
@with_appcontext
def openapi_command(output: str | None):
    """Write the OpenAPI document of the API."""
    document = json.dumps(api.spec.to_dict(), indent=2, sort_keys=True)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(document + "\n")
        click.echo(f"Wrote {output}")
    else:
        click.echo(document)
