"""session epoch: signing out ends every session of the user, copied cookies included

Revision ID: 0011_session_epoch
Revises: 0010_account_lockout
Create Date: 2026-11-22 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_session_epoch'
down_revision = '0010_account_lockout'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
