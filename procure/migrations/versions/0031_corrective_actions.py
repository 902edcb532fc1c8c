"""corrective actions: a buyer organization's plans on a vendor's weak metric, and the answers

- `corrective_plan`: a buyer organization's plan on one metric of one vendor (key, label, unit
  and direction as they were when opened), the baseline its scorecard showed then and the
  disclosure version it came from, the target and due date, a note; closed by a buyer as met or
  not met (outcome, comment, when and by whom), with a version for conditional changes.
- `corrective_answer`: one answer of the vendor, its actions (text and day) as JSON.
- The notification kind CHECK constraint widens: `corrective_opened` and `corrective_closed`
  (the vendor: a plan was opened on it, or closed) and `corrective_answered` (the buyers: the
  vendor answered).

No existing row changes. The downgrade refuses while a notification of the new kinds exists (the
narrower CHECK constraint could not hold it); it drops both tables: plans and answers are lost.

Revision ID: 0031_corrective_actions
Revises: 0030_rankings
Create Date: 2026-12-08 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0031_corrective_actions"
down_revision = "0030_rankings"
branch_labels = None
depends_on = None

NEW_KINDS = ("corrective_opened", "corrective_answered", "corrective_closed")
OLD_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed', "
    "'event_awarded', 'coalition_invitation', 'coalition_answer', 'coalition_post')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed', "
    "'event_awarded', 'coalition_invitation', 'coalition_answer', 'coalition_post', "
    "'corrective_opened', 'corrective_answered', 'corrective_closed')"
)

notification = sa.table("notification", sa.column("kind", sa.String))


def _notification_kinds(kinds):
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notification_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notification_kind"), kinds)


def upgrade():
    _notification_kinds(NEW_NOTIFICATIONS)
    op.create_table(
        "corrective_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("metric_label", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("baseline", sa.Double(), nullable=True),
        sa.Column("baseline_disclosure_id", sa.Integer(), nullable=True),
        sa.Column("baseline_period_end", sa.Date(), nullable=True),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", procure.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("close_comment", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "outcome IN ('met', 'not_met')", name=op.f("ck_corrective_plan_outcome")
        ),
        sa.CheckConstraint(
            "direction IN ('higher', 'lower')", name=op.f("ck_corrective_plan_direction")
        ),
        sa.CheckConstraint(
            "(outcome IS NULL) = (closed_at IS NULL)",
            name=op.f("ck_corrective_plan_closed_with_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["baseline_disclosure_id"],
            ["disclosure.id"],
            name=op.f("fk_corrective_plan_baseline_disclosure_id_disclosure"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user.id"], name=op.f("fk_corrective_plan_closed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["user.id"], name=op.f("fk_corrective_plan_opened_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_corrective_plan_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendor.id"], name=op.f("fk_corrective_plan_vendor_id_vendor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_plan")),
    )
    with op.batch_alter_table("corrective_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_plan_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_corrective_plan_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "corrective_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_corrective_answer_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["corrective_plan.id"],
            name=op.f("fk_corrective_answer_plan_id_corrective_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_answer")),
    )
    with op.batch_alter_table("corrective_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_answer_plan_id"), ["plan_id"], unique=False
        )


def downgrade():
    connection = op.get_bind()
    left = connection.execute(
        sa.select(sa.func.count()).select_from(notification).where(notification.c.kind.in_(NEW_KINDS))
    ).scalar()
    if left:
        raise RuntimeError(
            "A notification about a corrective action plan exists: remove those notifications "
            "before downgrading below 0031, whose constraint does not allow them."
        )
    with op.batch_alter_table("corrective_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_answer_plan_id"))
    op.drop_table("corrective_answer")
    with op.batch_alter_table("corrective_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_plan_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_corrective_plan_organization_id"))
    op.drop_table("corrective_plan")
    _notification_kinds(OLD_NOTIFICATIONS)
