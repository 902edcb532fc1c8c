"""notifications: in-app notifications, each its recipient's own (what waits for whom)

Revision ID: 0014_notifications
Revises: 0013_operator_and_name_keys
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0014_notifications'
down_revision = '0013_operator_and_name_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('subject_type', sa.String(length=40), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', procure.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', 'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted')", name=op.f('ck_notification_kind')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_notification_organization_id_organization')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_user_created')
        batch_op.drop_index(batch_op.f('ix_notification_organization_id'))
    op.drop_table('notification')
