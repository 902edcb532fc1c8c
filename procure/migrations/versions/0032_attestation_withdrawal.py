"""attestation withdrawal: the provider that issued an attestation withdraws it, once, with a reason

- `attestation.withdrawn_at`, `withdrawn_by_id` (a user) and `withdrawal_reason` (text), null
  while the attestation stands; a CHECK constraint (`ck_attestation_withdrawal`) keeps the time
  and the reason set together. A withdrawn attestation counts for no reader on any day.
- The notification kind CHECK constraint widens: `attestation_withdrawn` (the vendor and every
  buyer: an attestation no longer counts).

No existing row changes: every attestation so far stands, so every effective evidence level stays
as it was. The downgrade refuses while an attestation is withdrawn (dropping the columns would
make it count again, silently) or a notification of the new kind exists (the narrower constraint
could not hold it).

Revision ID: 0032_attestation_withdrawal
Revises: 0031_corrective_actions
Create Date: 2026-12-08 15:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = "0032_attestation_withdrawal"
down_revision = "0031_corrective_actions"
branch_labels = None
depends_on = None

OLD_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'event_published', 'event_closed', "
    "'event_awarded', 'coalition_invitation', 'coalition_answer', 'coalition_post', "
    "'corrective_opened', 'corrective_answered', 'corrective_closed')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued', 'attestation_withdrawn', 'event_published', "
    "'event_closed', 'event_awarded', 'coalition_invitation', 'coalition_answer', "
    "'coalition_post', 'corrective_opened', 'corrective_answered', 'corrective_closed')"
)
WITHDRAWAL = (
    "(withdrawn_at IS NULL AND withdrawal_reason IS NULL) OR "
    "(withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)"
)

notification = sa.table("notification", sa.column("kind", sa.String))
attestation = sa.table("attestation", sa.column("withdrawn_at", procure.db.UTCDateTime()))


def _notification_kinds(kinds):
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notification_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notification_kind"), kinds)


def upgrade():
    _notification_kinds(NEW_NOTIFICATIONS)
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawn_at", procure.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attestation_withdrawn_by_id_user"), "user", ["withdrawn_by_id"], ["id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_attestation_withdrawal"), WITHDRAWAL)


def downgrade():
    connection = op.get_bind()
    withdrawn = connection.execute(
        sa.select(sa.func.count())
        .select_from(attestation)
        .where(attestation.c.withdrawn_at.is_not(None))
    ).scalar()
    told = connection.execute(
        sa.select(sa.func.count())
        .select_from(notification)
        .where(notification.c.kind == "attestation_withdrawn")
    ).scalar()
    if withdrawn or told:
        raise RuntimeError(
            "A withdrawn attestation or a notification of a withdrawal exists: below 0032 the "
            "attestation would count again and the notification break the kind constraint. "
            "Remove them before downgrading."
        )
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_attestation_withdrawal"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_attestation_withdrawn_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
    _notification_kinds(OLD_NOTIFICATIONS)
