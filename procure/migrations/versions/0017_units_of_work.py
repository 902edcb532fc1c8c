"""units of work: hours per unit on offers, monthly capacity on vendors, capacity changes

- `offer.hours_per_unit` (nullable): the labour hours one unit takes, the vendor's own figure.
  CHECK: above 0 and at most 1,000 when stated, and exactly 1 on an offer priced per hour.
- `offer.capacity_per_period` keeps its meaning (the offer's own cap, in units per month) and
  becomes optional: NULL is "no cap of its own", only the vendor's hours limit the offer.
- `vendor.capacity_hours_per_month` (nullable, >= 0): labour hours per month, shared by all the
  vendor's work; NULL is "not stated", no limit.
- Two tables of changes that hold from a month onward (`from_month` is the first day of the
  month; one change per owner and month, a unique constraint):
  `vendor_capacity_change(vendor_id, from_month, hours_per_month)` and
  `offer_capacity_change(offer_id, from_month, units_per_month)`.
  Two tables rather than one `capacity_change(vendor_id, offer_id NULL, from_month, amount)`:
  the two amounts are in different units (labour hours against units of the offer's unit), and
  one column holding either would be read wrongly sooner or later; each table gets a plain
  foreign key and a plain UNIQUE (owner, month), which the single table could not have on both
  SQLite and PostgreSQL (a UNIQUE over a NULL offer_id lets duplicates through on both; NULLS NOT
  DISTINCT is PostgreSQL 15 only); and each owner loads its own changes by one relationship.

Backfill: offers priced per hour get hours_per_unit = 1 (true by definition). Item and task
offers are left NULL, not given a guessed default: the figure is the vendor's own, it decides
how much of a vendor's monthly hours an allocation uses and how many impact-worker hours it
counts, and a placeholder would be taken for the vendor's word in every scenario solved before
the vendor corrects it. NULL is visible instead: the rate card shows "not stated", the next edit
of such an offer must state it (422 naming hours_per_unit), and the optimizer adapter leaves
the offer out of a scenario with the reason (procure.vendors.capacity.unstated_hours_reason).
Vendors get no capacity (NULL: not stated) and no changes.

Downgrade drops the changes (they have nowhere to go in 0016) and the two new columns; it
refuses while an offer has no cap (capacity_per_period NULL), which 0016 cannot hold: state a
cap on those offers first.

Plain ALTER TABLE (batch on SQLite, which recreates the table), the same on both databases.

Revision ID: 0017_units_of_work
Revises: 0016_exchange_rates
Create Date: 2026-12-06 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_units_of_work'
down_revision = '0016_exchange_rates'
branch_labels = None
depends_on = None

offer = sa.table(
    'offer',
    sa.column('unit', sa.String),
    sa.column('hours_per_unit', sa.Double),
    sa.column('capacity_per_period', sa.Double),
)


def upgrade():
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_hours_per_month', sa.Double(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_vendor_capacity_nonnegative'), 'capacity_hours_per_month >= 0'
        )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_per_unit', sa.Double(), nullable=True))
    op.execute(offer.update().where(offer.c.unit == 'hour').values(hours_per_unit=1.0))
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.alter_column('capacity_per_period', existing_type=sa.Double(), nullable=True)
        batch_op.create_check_constraint(
            batch_op.f('ck_offer_hours_per_unit_range'),
            'hours_per_unit > 0 AND hours_per_unit <= 1000',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_offer_an_hour_takes_one_hour'),
            "unit <> 'hour' OR (hours_per_unit IS NOT NULL AND hours_per_unit = 1)",
        )

    op.create_table('vendor_capacity_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('from_month', sa.Date(), nullable=False),
    sa.Column('hours_per_month', sa.Double(), nullable=False),
    sa.CheckConstraint('hours_per_month >= 0', name=op.f('ck_vendor_capacity_change_hours_nonnegative')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_vendor_capacity_change_vendor_id_vendor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_capacity_change')),
    sa.UniqueConstraint('vendor_id', 'from_month', name=op.f('uq_vendor_capacity_change_vendor_id'))
    )
    op.create_table('offer_capacity_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('from_month', sa.Date(), nullable=False),
    sa.Column('units_per_month', sa.Double(), nullable=False),
    sa.CheckConstraint('units_per_month >= 0', name=op.f('ck_offer_capacity_change_units_nonnegative')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_offer_capacity_change_offer_id_offer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_capacity_change')),
    sa.UniqueConstraint('offer_id', 'from_month', name=op.f('uq_offer_capacity_change_offer_id'))
    )


def downgrade():
    uncapped = op.get_bind().execute(
        sa.select(sa.func.count()).select_from(offer).where(offer.c.capacity_per_period.is_(None))
    ).scalar()
    if uncapped:
        raise RuntimeError(
            f'{uncapped} offer(s) have no cap of their own (capacity_per_period NULL), which '
            '0016 cannot hold: give them a cap before downgrading below 0017.'
        )
    op.drop_table('offer_capacity_change')
    op.drop_table('vendor_capacity_change')
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_offer_an_hour_takes_one_hour'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_offer_hours_per_unit_range'), type_='check')
        batch_op.alter_column('capacity_per_period', existing_type=sa.Double(), nullable=False)
        batch_op.drop_column('hours_per_unit')
    with op.batch_alter_table('vendor', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_vendor_capacity_nonnegative'), type_='check')
        batch_op.drop_column('capacity_hours_per_month')
