"""exchange rates as data (placeholder: filled in by the exchange-rates work)

Revision ID: 0016_exchange_rates
Revises: 0015_campaigns
Create Date: 2026-12-06 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0016_exchange_rates'
down_revision = '0015_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
