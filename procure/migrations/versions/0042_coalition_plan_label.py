"""coalition plan label: a plan solved under a coalition profile before 0038 says so

Before migration 0038 a plan solved without a profile of its own by a member that had adopted
its coalition's profile kept only the weights it was solved with (`scenario.profile_settings`):
neither those settings nor the problem document name the profile, so its page and board report
said "Default profile". The audit log does record what decided it, and this data migration reads
it back for each such plan (solved, no profile of its own, no coalition recorded):

- when it was solved: its latest `scenario.solve` event;
- which coalition profile its organization ranked with then: its `coalition.uses_profile`
  events (adopting one stops any other) and `coalition.leave` events up to that time;
- that profile's version then: the coalition's `coalition_profile.set` events up to that time
  (none: not set yet, the default weights, version null); the plan's stored weights must equal
  the last one's settings, or the plan is left as it is.

A plan the log does not settle so (no solve event, adopted nothing then, or weights that differ)
keeps null: it was solved under the default profile, or nothing on record says otherwise. Each
plan filled in gets a `scenario.coalition_profile_backfill` audit event naming what was written.

The downgrade empties the two columns again for the plans those events name (where they still
hold what was written) and deletes the events.

Revision ID: 0042_coalition_plan_label
Revises: 0041_scenario_projections
Create Date: 2026-12-07 13:45:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0042_coalition_plan_label"
down_revision = "0041_scenario_projections"
branch_labels = None
depends_on = None

BACKFILL = "scenario.coalition_profile_backfill"

scenario = sa.table(
    "scenario",
    sa.column("id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("profile_id", sa.Integer),
    sa.column("profile_settings", sa.JSON),
    sa.column("coalition_id", sa.Integer),
    sa.column("coalition_profile_version", sa.Integer),
)
audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("organization_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("target_type", sa.String),
    sa.column("target_id", sa.String),
    sa.column("changes", sa.JSON),
)


def _events(connection, *actions):
    return connection.execute(
        sa.select(
            audit_event.c.created_at,
            audit_event.c.action,
            audit_event.c.target_id,
            audit_event.c.changes,
        )
        .where(audit_event.c.action.in_(actions))
        .order_by(audit_event.c.created_at, audit_event.c.id)
    ).all()


def _adopted(membership_events, organization_id, at):
    """The coalition (id) whose profile the organization ranked with at `at`, or None."""
    adopted = None
    for created_at, action, target_id, changes in membership_events:
        after = (changes or {}).get("after") or {}
        if created_at > at or after.get("organization_id") != organization_id:
            continue
        coalition_id = int(target_id)
        if action == "coalition.uses_profile" and after.get("uses_profile"):
            adopted = coalition_id  # adopting one stops any other
        elif adopted == coalition_id:  # stopped using it, or left the coalition
            adopted = None
    return adopted


def upgrade():
    connection = op.get_bind()
    plans = connection.execute(
        sa.select(scenario.c.id, scenario.c.organization_id, scenario.c.profile_settings).where(
            scenario.c.profile_settings.is_not(None),
            scenario.c.profile_id.is_(None),
            scenario.c.coalition_id.is_(None),
        )
    ).all()
    if not plans:
        return
    solved = {
        int(target_id): created_at
        for created_at, _, target_id, _ in _events(connection, "scenario.solve")
    }  # in time order: the latest solve of each scenario wins
    membership = _events(connection, "coalition.uses_profile", "coalition.leave")
    profile_sets = _events(connection, "coalition_profile.set")
    now = datetime.now(UTC)
    for plan_id, organization_id, settings in plans:
        at = solved.get(plan_id)
        coalition_id = None if at is None else _adopted(membership, organization_id, at)
        if coalition_id is None:
            continue
        sets = [
            (changes or {}).get("after")
            for created_at, _, target_id, changes in profile_sets
            if int(target_id) == coalition_id and created_at <= at
        ]
        if not sets or sets[-1] != settings:
            # no profile set yet (the weights cannot be told from the default's here), or the
            # weights it kept are not the coalition profile's then: not settled, left as it is
            continue
        version = len(sets)
        connection.execute(
            sa.update(scenario)
            .where(scenario.c.id == plan_id)
            .values(coalition_id=coalition_id, coalition_profile_version=version)
        )
        written = {"coalition_id": coalition_id, "coalition_profile_version": version}
        connection.execute(
            sa.insert(audit_event).values(
                created_at=now,
                organization_id=organization_id,
                action=BACKFILL,
                target_type="Scenario",
                target_id=str(plan_id),
                changes={"after": written},
            )
        )


def downgrade():
    connection = op.get_bind()
    for event_id, target_id, changes in connection.execute(
        sa.select(audit_event.c.id, audit_event.c.target_id, audit_event.c.changes).where(
            audit_event.c.action == BACKFILL
        )
    ).all():
        written = (changes or {}).get("after") or {}
        connection.execute(
            sa.update(scenario)
            .where(
                scenario.c.id == int(target_id),
                scenario.c.coalition_id == written.get("coalition_id"),
            )
            .values(coalition_id=None, coalition_profile_version=None)
        )
        connection.execute(sa.delete(audit_event).where(audit_event.c.id == event_id))
