"""coalitions: buyer organizations acting together toward joint targets, run by a backbone

- The CHECK constraints widen: organization kind `backbone` (a coalition's secretariat, its own
  tenant), user role `coordinator` (a backbone's users), and the notification kinds
  `coalition_invitation` (a buyer organization's executives and admin: it is invited),
  `coalition_answer` (the backbone: a member accepted, declined or left) and `coalition_post`
  (the members: a new post in the feed).
- `coalition`: a backbone's coalition: name, charter, theory of change, period, the impact score
  from which a vendor counts as an impact vendor, and a version for conditional edits.
- `coalition_member`: a buyer organization's membership (invited, active, declined, left), with
  whether it shows its contribution by name; one invited or active row per coalition and
  organization (a partial unique index, on SQLite and PostgreSQL alike).
- `coalition_target`: a joint target in a common measure (impact_worker_jobs,
  impact_worker_hours, impact_spend_share), its value and period.
- `coalition_post`: the feed.

No existing row changes. The downgrade refuses while a backbone organization, a coordinator or a
notification of the new kinds exists (the narrower CHECK constraints could not hold them); it
drops the four tables: coalitions, memberships, targets and the feed are lost.

Revision ID: 0028_coalitions
Revises: 0027_deliveries
Create Date: 2026-12-10 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0028_coalitions"
down_revision = "0027_deliveries"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('buyer', 'vendor', 'assurance', 'operator')"
NEW_KINDS = "kind IN ('buyer', 'vendor', 'assurance', 'backbone', 'operator')"
OLD_ROLES = "role IN ('admin', 'buyer', 'vendor', 'executive', 'operator', 'assurer')"
NEW_ROLES = (
    "role IN ('admin', 'buyer', 'vendor', 'executive', 'operator', 'assurer', 'coordinator')"
)
OLD_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed', "
    "'coalition_invitation', 'coalition_answer', 'coalition_post')"
)
OPEN_STATES = "state IN ('invited', 'active')"

organization = sa.table("organization", sa.column("kind", sa.String))
user = sa.table("user", sa.column("role", sa.String))
notification = sa.table("notification", sa.column("kind", sa.String))


def _checks(kinds, roles, notifications):
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_organization_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_organization_kind"), kinds)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_user_role"), roles)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notification_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notification_kind"), notifications)


def upgrade():
    _checks(NEW_KINDS, NEW_ROLES, NEW_NOTIFICATIONS)
    op.create_table(
        "coalition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("charter", sa.Text(), nullable=False),
        sa.Column("theory_of_change", sa.Text(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("impact_vendor_min_score", sa.Double(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "impact_vendor_min_score >= 0 AND impact_vendor_min_score <= 100",
            name=op.f("ck_coalition_impact_vendor_min_score_range"),
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_coalition_period_order")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_coalition_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_coalition_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition")),
    )
    with op.batch_alter_table("coalition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalition_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "coalition_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("shares_contribution", sa.Boolean(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", procure.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declined_at", procure.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left_at", procure.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('invited', 'active', 'declined', 'left')",
            name=op.f("ck_coalition_member_state"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["user.id"], name=op.f("fk_coalition_member_answered_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_coalition_member_coalition_id_coalition"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["user.id"], name=op.f("fk_coalition_member_invited_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_coalition_member_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_member")),
    )
    with op.batch_alter_table("coalition_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalition_member_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coalition_member_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "uq_coalition_member_open",
            ["coalition_id", "organization_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_STATES),
            postgresql_where=sa.text(OPEN_STATES),
        )

    op.create_table(
        "coalition_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "measure IN ('impact_worker_jobs', 'impact_worker_hours', 'impact_spend_share')",
            name=op.f("ck_coalition_target_measure"),
        ),
        sa.CheckConstraint(
            "period_end >= period_start", name=op.f("ck_coalition_target_period_order")
        ),
        sa.CheckConstraint("value > 0", name=op.f("ck_coalition_target_value_positive")),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_coalition_target_coalition_id_coalition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_target")),
    )
    with op.batch_alter_table("coalition_target", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalition_target_coalition_id"), ["coalition_id"], unique=False
        )

    op.create_table(
        "coalition_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", procure.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('announcement', 'target_set', 'target_changed', 'member_joined', "
            "'member_left')",
            name=op.f("ck_coalition_post_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_coalition_post_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalition.id"],
            name=op.f("fk_coalition_post_coalition_id_coalition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_post")),
    )
    with op.batch_alter_table("coalition_post", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coalition_post_coalition_at", ["coalition_id", "at"], unique=False
        )


def downgrade():
    connection = op.get_bind()
    left = sum(
        connection.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar()
        for table, condition in (
            (organization, organization.c.kind == "backbone"),
            (user, user.c.role == "coordinator"),
            (
                notification,
                notification.c.kind.in_(
                    ("coalition_invitation", "coalition_answer", "coalition_post")
                ),
            ),
        )
    )
    if left:
        raise RuntimeError(
            "A backbone organization, a coordinator or a notification about a coalition exists: "
            "remove them before downgrading below 0028, whose constraints do not allow them."
        )
    with op.batch_alter_table("coalition_post", schema=None) as batch_op:
        batch_op.drop_index("ix_coalition_post_coalition_at")
    op.drop_table("coalition_post")
    with op.batch_alter_table("coalition_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalition_target_coalition_id"))
    op.drop_table("coalition_target")
    with op.batch_alter_table("coalition_member", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_coalition_member_open",
            sqlite_where=sa.text(OPEN_STATES),
            postgresql_where=sa.text(OPEN_STATES),
        )
        batch_op.drop_index(batch_op.f("ix_coalition_member_organization_id"))
        batch_op.drop_index(batch_op.f("ix_coalition_member_coalition_id"))
    op.drop_table("coalition_member")
    with op.batch_alter_table("coalition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalition_organization_id"))
    op.drop_table("coalition")
    _checks(OLD_KINDS, OLD_ROLES, OLD_NOTIFICATIONS)
