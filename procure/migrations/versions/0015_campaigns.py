"""disclosure campaigns (placeholder: filled in by the campaigns work)

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
    pass


def downgrade():
    pass
