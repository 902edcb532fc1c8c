"""service categories as data: the service_category table, seeded with the controlled list

- `service_category` holds the controlled list that offers, needs and vendor profiles name by
  `key`, kept by the platform operator from now on (procure.categories): a label, the usual unit
  of work (hour, item or task: a CHECK), an optional description, `retired_at` (a retired
  category is refused for new records; existing ones keep it) and a version for optimistic
  edits. Ids are never reused (AUTOINCREMENT on SQLite): procure.reference detects a change by
  (count, max id, sum of versions), as it does for the exchange rates.
- The upgrade seeds it with the twelve categories of config/service_categories.toml, frozen
  below as the file read when this migration was written (a later edit of the file must not
  change what this revision does), with no author (created_by_id NULL shows "seeded").
- A key that an existing offer, need or vendor profile uses but the seed lacks (a deployment
  that had edited the file) is added too, not retired, labelled with its key, in the unit most
  of its offers and needs use (hour when none says), and named in a warning: relabel it on the
  Service categories page. So every key a record holds has its row, and nothing that worked
  before stops working.
- The downgrade drops the table (and the operator's categories with it); the code before this
  revision reads config/service_categories.toml again.

Revision ID: 0020_service_categories
Revises: 0019_vendor_name_keys
Create Date: 2026-12-06 09:10:00.000000

"""
import logging
from collections import Counter

from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0020_service_categories'
down_revision = '0019_vendor_name_keys'
branch_labels = None
depends_on = None

# config/service_categories.toml when this migration was written: (key, label, unit)
SEED = (
    ('data_annotation', 'Data annotation', 'hour'),
    ('content_moderation', 'Content moderation', 'hour'),
    ('digitisation_data_entry', 'Digitisation and data entry', 'item'),
    ('customer_support', 'Customer support', 'hour'),
    ('transcription', 'Transcription', 'hour'),
    ('bookkeeping', 'Bookkeeping', 'hour'),
    ('software_testing', 'Software testing', 'hour'),
    ('digital_marketing', 'Digital marketing', 'hour'),
    ('sales_lead_generation', 'Sales and lead generation', 'task'),
    ('recruitment', 'Recruitment', 'task'),
    ('seo', 'Search engine optimisation (SEO)', 'hour'),
    ('fundraising', 'Fundraising', 'hour'),
)


def upgrade():
    service_category = op.create_table('service_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('retired_at', procure.db.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', procure.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("unit IN ('hour', 'item', 'task')", name=op.f('ck_service_category_unit_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_service_category_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_category')),
    sa.UniqueConstraint('key', name=op.f('uq_service_category_key')),
    sqlite_autoincrement=True,
    )
    seeded = {key for key, _, _ in SEED}
    unlisted = _unlisted_keys_in_use(seeded)
    now = procure.db.utcnow()
    rows = [*SEED, *((key, key, unit) for key, unit in sorted(unlisted.items()))]
    op.bulk_insert(service_category, [
        {
            'key': key,
            'label': label,
            'unit': unit,
            'description': '',
            'retired_at': None,
            'created_by_id': None,
            'version': 1,
            'created_at': now,
            'updated_at': now,
        }
        for key, label, unit in rows
    ])
    if unlisted:
        logging.getLogger('alembic.runtime.migration').warning(
            'Service categories in use but not in the seed were added, labelled with their key '
            '(%s): give them labels on the Service categories page or through '
            '/api/v1/service-categories.',
            ', '.join(sorted(unlisted)),
        )


def _unlisted_keys_in_use(seeded):
    """Each key an offer, need or vendor profile holds that is not in `seeded`, with the unit
    most of its offers and needs use (hour when only profiles name it)."""
    connection = op.get_bind()
    units = Counter()
    keys = set()
    for name in ('offer', 'need'):
        table = sa.table(name, sa.column('service_category', sa.String), sa.column('unit', sa.String))
        for key, unit, count in connection.execute(
            sa.select(table.c.service_category, table.c.unit, sa.func.count())
            .group_by(table.c.service_category, table.c.unit)
        ):
            keys.add(key)
            units[key, unit] += count
    vendor = sa.table('vendor', sa.column('service_categories', sa.JSON))
    for listed in connection.execute(sa.select(vendor.c.service_categories)).scalars():
        keys.update(listed or [])
    return {
        key: max(('hour', 'item', 'task'), key=lambda unit: (units[key, unit], unit == 'hour'))
        for key in keys - seeded
    }


def downgrade():
    op.drop_table('service_category')
