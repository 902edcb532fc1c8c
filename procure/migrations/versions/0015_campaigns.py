"""disclosure campaigns, and mail choices and digests for notifications

Three new tables and one new column, the same on SQLite and PostgreSQL; nothing to migrate:

- `campaign`: a buyer organization's request for the disclosures of one period (first and last
  day) by a deadline, with a title and an optional message, and who started it;
- `campaign_request`: each vendor a campaign asks, either a vendor on the platform (`vendor_id`)
  or an address invited through an invitation (`invitation_id`), exactly one of the two; with the
  last day it was reminded and how many reminders it got. Where each vendor stands (invited,
  registered, draft started, submitted, reviewed, overdue) is read from the invitation and the
  disclosures, never stored;
- `mail_settings`: per user, the notification kinds it does not want by email, and the day its
  last daily digest went out (a row is written when the user chooses, or at its first digest);
- `notification.emailed_at`: when a notification went out by mail, so no digest repeats it.
  Existing notifications keep NULL: the first digest after mail is set up may list them.

Revision ID: 0015_campaigns
Revises: 0014_invitations
Create Date: 2026-12-06 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0015_campaigns'
down_revision = '0014_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('period_end > period_start', name=op.f('ck_campaign_period')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_campaign_created_by_id_user')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_campaign_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_organization_id'), ['organization_id'], unique=False)

    op.create_table('campaign_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('reminders', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('(vendor_id IS NULL) <> (invitation_id IS NULL)', name=op.f('ck_campaign_request_vendor_or_invitation')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_request_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_campaign_request_invitation_id_invitation')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_campaign_request_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_request')),
    sa.UniqueConstraint('campaign_id', 'invitation_id', name='uq_campaign_request_invitation'),
    sa.UniqueConstraint('campaign_id', 'vendor_id', name='uq_campaign_request_vendor')
    )
    with op.batch_alter_table('campaign_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_request_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_request_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_request_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('mail_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('muted_kinds', sa.JSON(), nullable=False),
    sa.Column('digest_sent_on', sa.Date(), nullable=True),
    sa.Column('updated_at', procure.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mail_settings_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mail_settings'))
    )

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emailed_at', procure.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('emailed_at')

    op.drop_table('mail_settings')
    with op.batch_alter_table('campaign_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_request_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_request_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_request_campaign_id'))
    op.drop_table('campaign_request')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_organization_id'))
    op.drop_table('campaign')
