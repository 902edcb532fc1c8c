"""campaign changes: a campaign can be edited and closed, and a vendor is reminded once a day

- `campaign.version`: the optimistic version of a campaign's edits (title, message, deadline)
  and of closing and reopening it; existing campaigns start at 1;
- `campaign.closed_at` and `campaign.closed_by_id`: when and by whom its buyer closed it (no more
  reminders, no vendors added); NULL while it is open, as every existing campaign is;
- `vendor_reminder_day`: per vendor organization, or per invited address not registered yet,
  the last day (UTC) it was reminded of any campaign, which the reminders claim with a
  conditional UPDATE so that a vendor asked by several campaigns gets one reminder a day naming
  them all. Empty at first: the first reminder of each vendor writes its row.

Revision ID: 0021_campaign_changes
Revises: 0020_service_categories
Create Date: 2026-12-06 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0021_campaign_changes'
down_revision = '0020_service_categories'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', procure.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_closed_by_id_user'), 'user', ['closed_by_id'], ['id'])

    op.create_table('vendor_reminder_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.CheckConstraint('(organization_id IS NULL) <> (email IS NULL)', name=op.f('ck_vendor_reminder_day_organization_or_email')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_vendor_reminder_day_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_reminder_day')),
    sa.UniqueConstraint('email', name=op.f('uq_vendor_reminder_day_email')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_vendor_reminder_day_organization_id'))
    )


def downgrade():
    op.drop_table('vendor_reminder_day')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_closed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('version')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_at')
