"""organizations administer themselves: an operator organization kind and role, and organization
names unique after Unicode normalisation

- The CHECK constraints widen: organization kind `operator`, user role `operator`.
- `organization.name_key` (unique) holds each name NFKC-normalised, case folded and with its
  whitespace trimmed and collapsed (procure.accounts.names.name_key; frozen below as it was when
  this migration was written). Existing rows get their key here. Two existing names with the same
  key (which the service refused already for case, but not for spacing or compatibility forms)
  both stay: the later one's key gets " #<its id>" appended, so neither is renamed and a new
  organization can take neither name.
- Existing admins become admins of their own organization, and no data changes for that: every
  user row has a NOT NULL organization_id (a foreign key), so each admin already names the one
  organization it administers, and both kinds that exist before this migration (buyer, vendor)
  allow the admin role. What changes is the code's scope: an admin reads and administers its own
  organization only. The upgrade checks that every admin has an organization and stops if not.
- No operator organization is created here: `procure users create --kind operator` or
  `procure demo` creates one. The downgrade refuses while an operator organization or user
  exists (the narrower CHECK constraints could not hold them); remove them first.

Revision ID: 0013_operator_and_name_keys
Revises: 0012_disclosure_reviews
Create Date: 2026-11-23 09:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_operator_and_name_keys'
down_revision = '0012_disclosure_reviews'
branch_labels = None
depends_on = None

organization = sa.table(
    'organization',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('kind', sa.String),
    sa.column('name_key', sa.String),
)
user = sa.table(
    'user', sa.column('id', sa.Integer), sa.column('organization_id', sa.Integer),
    sa.column('role', sa.String),
)


def _name_key(name):
    folded = unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', name).casefold())
    return ' '.join(folded.split())


def upgrade():
    connection = op.get_bind()
    orphans = connection.execute(
        sa.select(sa.func.count()).select_from(
            user.outerjoin(organization, organization.c.id == user.c.organization_id)
        ).where(user.c.role == 'admin', organization.c.id.is_(None))
    ).scalar()
    if orphans:
        raise RuntimeError(f'{orphans} admin(s) belong to no organization: assign them first.')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=800), nullable=True))
    taken = set()
    rows = connection.execute(
        sa.select(organization.c.id, organization.c.name).order_by(organization.c.id)
    ).all()
    for organization_id, name in rows:
        key = _name_key(name)
        if key in taken:
            key = f'{key} #{organization_id}'
        taken.add(key)
        connection.execute(
            organization.update().where(organization.c.id == organization_id).values(name_key=key)
        )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=800), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_organization_name_key'), ['name_key'])
        batch_op.drop_constraint(batch_op.f('ck_organization_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_organization_kind'), "kind IN ('buyer', 'vendor', 'operator')"
        )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_user_role'),
            "role IN ('admin', 'buyer', 'vendor', 'executive', 'operator')",
        )


def downgrade():
    connection = op.get_bind()
    operators = connection.execute(
        sa.select(sa.func.count()).select_from(organization).where(organization.c.kind == 'operator')
    ).scalar() + connection.execute(
        sa.select(sa.func.count()).select_from(user).where(user.c.role == 'operator')
    ).scalar()
    if operators:
        raise RuntimeError(
            'An operator organization or user exists: remove it (and its users) before '
            'downgrading below 0013, whose constraints do not allow them.'
        )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_user_role'), "role IN ('admin', 'buyer', 'vendor', 'executive')"
        )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organization_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_organization_kind'), "kind IN ('buyer', 'vendor')"
        )
        batch_op.drop_constraint(batch_op.f('uq_organization_name_key'), type_='unique')
        batch_op.drop_column('name_key')
