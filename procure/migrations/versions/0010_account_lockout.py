"""account lockout: consecutive failed sign-ins and the time an account was locked

Revision ID: 0010_account_lockout
Revises: 0009_custom_metrics
Create Date: 2026-11-22 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0010_account_lockout'
down_revision = '0009_custom_metrics'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_at', procure.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('failed_sign_ins')
