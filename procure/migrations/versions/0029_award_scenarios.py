"""award scenarios: scenarios priced by a closed event's bids, and the award they become

- `scenario.event_id` (nullable): an award scenario of that sourcing event; null for every
  scenario so far (they keep the rate cards).
- `award`: a closed event's award, the approved scenario that placed its lots (one per event,
  one event per scenario: both unique).
- `award_line`: one vendor's award on one lot: volume in the lot's unit, its own bid price and
  currency, the lot's period (one line per bid of an award).
- The notification kind CHECK constraint widens: `event_awarded` (the vendors with volume).

No existing row changes. The downgrade refuses while a notification of the new kind or an award
scenario exists (the narrower constraint, and a scenario without its event, could not hold
them); it drops the two tables: awards are lost.

Revision ID: 0029_award_scenarios
Revises: 0028_coalitions
Create Date: 2026-12-06 16:30:00.000000

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0029_award_scenarios"
down_revision = "0028_coalitions"
branch_labels = None
depends_on = None

OLD_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed', "
    "'coalition_invitation', 'coalition_answer', 'coalition_post')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed', "
    "'event_awarded', 'coalition_invitation', 'coalition_answer', 'coalition_post')"
)

notification = sa.table("notification", sa.column("kind", sa.String))
scenario = sa.table("scenario", sa.column("event_id", sa.Integer))


def _notification_kinds(kinds):
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notification_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notification_kind"), kinds)


def upgrade():
    _notification_kinds(NEW_NOTIFICATIONS)
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_scenario_event_id"), ["event_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_scenario_event_id_sourcing_event"),
            "sourcing_event",
            ["event_id"],
            ["id"],
        )

    op.create_table(
        "award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("awarded_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("awarded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["awarded_by_id"], ["user.id"], name=op.f("fk_award_awarded_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["sourcing_event.id"], name=op.f("fk_award_event_id_sourcing_event")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_award_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenario.id"], name=op.f("fk_award_scenario_id_scenario")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award")),
        sa.UniqueConstraint("event_id", name=op.f("uq_award_event_id")),
        sa.UniqueConstraint("scenario_id", name=op.f("uq_award_scenario_id")),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_award_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "award_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("volume", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.CheckConstraint("volume > 0", name=op.f("ck_award_line_volume_positive")),
        sa.ForeignKeyConstraint(
            ["award_id"], ["award.id"], name=op.f("fk_award_line_award_id_award")
        ),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_award_line_bid_id_bid")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["sourcing_event.id"],
            name=op.f("fk_award_line_event_id_sourcing_event"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["event_lot.id"], name=op.f("fk_award_line_lot_id_event_lot")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendor.id"], name=op.f("fk_award_line_vendor_id_vendor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_line")),
        sa.UniqueConstraint("award_id", "bid_id", name="uq_award_line_bid"),
    )
    with op.batch_alter_table("award_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_line_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_line_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_line_vendor_id"), ["vendor_id"], unique=False)


def downgrade():
    connection = op.get_bind()
    awarded = connection.execute(
        sa.select(sa.func.count())
        .select_from(notification)
        .where(notification.c.kind == "event_awarded")
    ).scalar()
    if awarded:
        raise RuntimeError(
            "A notification of an award exists: remove those notifications before downgrading "
            "below 0029, whose constraint does not allow them."
        )
    award_scenarios = connection.execute(
        sa.select(sa.func.count()).select_from(scenario).where(scenario.c.event_id.is_not(None))
    ).scalar()
    if award_scenarios:
        raise RuntimeError(
            "An award scenario of a sourcing event exists: below 0029 it would lose its event "
            "and be priced by the rate cards. Remove it before downgrading."
        )
    with op.batch_alter_table("award_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_line_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_award_line_event_id"))
        batch_op.drop_index(batch_op.f("ix_award_line_award_id"))

    op.drop_table("award_line")
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_organization_id"))

    op.drop_table("award")
    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scenario_event_id_sourcing_event"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_scenario_event_id"))
        batch_op.drop_column("event_id")

    _notification_kinds(OLD_NOTIFICATIONS)
