"""exchange rates as data: the exchange_rate table, seeded from config/fx.toml

- `exchange_rate` holds US dollars per unit of a currency in force from an effective date, one
  rate per currency and day, kept by the platform operator (procure.rates). Ids are never reused
  (AUTOINCREMENT on SQLite): procure.reference detects a change by (count, max id, sum of
  versions).
- The upgrade seeds it with the rates of config/fx.toml as that file reads at upgrade time, with
  no author (created_by_id NULL shows "seeded"). Seeding here, not on first use: a request that
  only reads must never write, the seed is applied once in the deployment's own migration
  transaction (so every web process and worker sees the same rates from the start), and a rate
  the operator later removes is not brought back by a restart. After this, editing fx.toml
  changes nothing in an existing database.
- Amounts stored before this revision in a currency the seed has no rate for (an offer's
  currency, a disclosure's training currency) are listed in a warning: add their rates first
  (from now on such a currency is refused where it is entered).
- The downgrade drops the table (and the operator's rates with it); the code before this
  revision reads fx.toml again.

Revision ID: 0016_exchange_rates
Revises: 0015_campaigns
Create Date: 2026-12-06 06:30:00.000000

"""
import logging

from alembic import op
import sqlalchemy as sa
import procure.db
from procure.reference_data import load_reference
from procure.settings import resource_dir


# revision identifiers, used by Alembic.
revision = '0016_exchange_rates'
down_revision = '0015_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    exchange_rate = op.create_table('exchange_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('usd_per_unit', sa.Double(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', procure.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('usd_per_unit > 0', name=op.f('ck_exchange_rate_usd_per_unit_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_exchange_rate_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rate')),
    sa.UniqueConstraint('currency', 'effective_date', name=op.f('uq_exchange_rate_currency')),
    sqlite_autoincrement=True,
    )
    now = procure.db.utcnow()
    seed = load_reference(resource_dir('config')).fx.rates()
    op.bulk_insert(exchange_rate, [
        {
            'currency': rate.currency,
            'effective_date': rate.date,
            'usd_per_unit': rate.usd_per_unit,
            'source': rate.source,
            'created_by_id': None,
            'version': 1,
            'created_at': now,
            'updated_at': now,
        }
        for rate in seed
    ])
    _warn_of_unconvertible_amounts({rate.currency for rate in seed} | {'USD'})


def _warn_of_unconvertible_amounts(convertible):
    connection = op.get_bind()
    offer = sa.table('offer', sa.column('currency', sa.String))
    disclosure = sa.table('disclosure', sa.column('figures', sa.JSON))
    used = {
        f'offer currency {code}'
        for code in connection.execute(sa.select(offer.c.currency).distinct()).scalars()
        if code not in convertible
    }
    for figures in connection.execute(sa.select(disclosure.c.figures)).scalars():
        training = (figures or {}).get('training') or {}
        code = training.get('training_currency')
        if code and code not in convertible:
            used.add(f'training currency {code}')
    if used:
        logging.getLogger('alembic.runtime.migration').warning(
            'Stored amounts have no exchange rate to USD (%s): add their rates on the Exchange '
            'rates page or through /api/v1/exchange-rates before scoring.',
            ', '.join(sorted(used)),
        )


def downgrade():
    op.drop_table('exchange_rate')
