"""units of work: hours per unit, monthly capacity (placeholder: filled in by the units work)

Revision ID: 0017_units_of_work
Revises: 0016_exchange_rates
Create Date: 2026-12-06 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0017_units_of_work'
down_revision = '0016_exchange_rates'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
