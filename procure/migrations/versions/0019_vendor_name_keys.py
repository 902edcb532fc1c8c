"""vendor name keys: vendor profile names unique after Unicode normalisation, in the database

`vendor.name_key` (unique) holds each profile name NFKC-normalised, case folded and with its
whitespace trimmed and collapsed, as `organization.name_key` does since 0013 (the function is
frozen below as it was when this migration was written). The service has refused such
look-alike names since 0013, but only by a check in Python, which two requests at the same
moment could both pass; the unique key closes that. Existing rows get their key here; two
existing names with the same key both stay, the later one's key with " #<its id>" appended, so
neither is renamed and a new vendor can take neither name. The downgrade drops the column.

Revision ID: 0019_vendor_name_keys
Revises: 0018_objective_in_hours
Create Date: 2026-12-06 07:55:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_vendor_name_keys'
down_revision = '0018_objective_in_hours'
branch_labels = None
depends_on = None

vendor = sa.table(
    'vendor', sa.column('id', sa.Integer), sa.column('name', sa.String),
    sa.column('name_key', sa.String),
)


def _name_key(name):
    folded = unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', name).casefold())
    return ' '.join(folded.split())


def upgrade():
    connection = op.get_bind()
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=800), nullable=True))
    taken = set()
    rows = connection.execute(sa.select(vendor.c.id, vendor.c.name).order_by(vendor.c.id)).all()
    for vendor_id, name in rows:
        key = _name_key(name)
        if key in taken:
            key = f'{key} #{vendor_id}'
        taken.add(key)
        connection.execute(vendor.update().where(vendor.c.id == vendor_id).values(name_key=key))
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=800), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_vendor_name_key'), ['name_key'])


def downgrade():
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_vendor_name_key'), type_='unique')
        batch_op.drop_column('name_key')
