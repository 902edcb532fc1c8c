"""assurance providers: a third kind of organization, whose assurers attest disclosure versions
that vendors share with them

- The CHECK constraints widen: organization kind `assurance`, user role `assurer`, and the two
  notification kinds `assurance_shared` (an assurer: a vendor shared a version) and
  `attestation_issued` (the vendor: a section of its version is attested).
- `assurance_grant`: a vendor's grant of one submitted disclosure version to one assurance
  provider; revoked (revoked_at), never deleted. One open grant per version and provider (a
  partial unique index, on SQLite and PostgreSQL alike).
- `attestation`: an assurance provider's statement on one evidence section of one version: the
  standard, the level (limited, reasonable), the opinion (unqualified, qualified, adverse), the
  date and expiry (after the date), and the statement PDF with its SHA-256. Immutable: no code
  updates or deletes a row. No existing row changes: before this revision nobody attested
  anything, so every effective evidence level stays as it was.

The downgrade refuses while an assurance organization, an assurer or a notification of the new
kinds exists (the narrower CHECK constraints could not hold them); remove them first. It drops
both tables: the grants and attestations are lost.

Revision ID: 0025_attestations
Revises: 0024_job_delivery
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0025_attestations'
down_revision = '0024_job_delivery'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('buyer', 'vendor', 'operator')"
NEW_KINDS = "kind IN ('buyer', 'vendor', 'assurance', 'operator')"
OLD_ROLES = "role IN ('admin', 'buyer', 'vendor', 'executive', 'operator')"
NEW_ROLES = "role IN ('admin', 'buyer', 'vendor', 'executive', 'operator', 'assurer')"
OLD_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('disclosure_submitted', 'review_decided', 'scenario_submitted', "
    "'scenario_decided', 'campaign_request', 'campaign_reminder', 'invitation_accepted', "
    "'assurance_shared', 'attestation_issued')"
)

organization = sa.table('organization', sa.column('kind', sa.String))
user = sa.table('user', sa.column('role', sa.String))
notification = sa.table('notification', sa.column('kind', sa.String))


def _checks(kinds, roles, notifications):
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organization_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_organization_kind'), kinds)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role'), roles)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notification_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_kind'), notifications)


def upgrade():
    _checks(NEW_KINDS, NEW_ROLES, NEW_NOTIFICATIONS)
    op.create_table('assurance_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', procure.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_assurance_grant_disclosure_id_disclosure')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_assurance_grant_granted_by_id_user')),
    sa.ForeignKeyConstraint(['provider_id'], ['organization.id'], name=op.f('fk_assurance_grant_provider_id_organization')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_assurance_grant_revoked_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assurance_grant'))
    )
    with op.batch_alter_table('assurance_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assurance_grant_disclosure_id'), ['disclosure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assurance_grant_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('uq_assurance_grant_open', ['disclosure_id', 'provider_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('attestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('standard', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('opinion', sa.String(length=20), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('statement_filename', sa.String(length=255), nullable=False),
    sa.Column('statement_size', sa.Integer(), nullable=False),
    sa.Column('statement_sha256', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.LargeBinary(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("level IN ('limited', 'reasonable')", name=op.f('ck_attestation_level')),
    sa.CheckConstraint("opinion IN ('unqualified', 'qualified', 'adverse')", name=op.f('ck_attestation_opinion')),
    sa.CheckConstraint("section IN ('workforce', 'wages', 'training')", name=op.f('ck_attestation_section')),
    sa.CheckConstraint('expires_on > issued_on', name=op.f('ck_attestation_expiry')),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_attestation_disclosure_id_disclosure')),
    sa.ForeignKeyConstraint(['grant_id'], ['assurance_grant.id'], name=op.f('fk_attestation_grant_id_assurance_grant')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_attestation_issued_by_id_user')),
    sa.ForeignKeyConstraint(['provider_id'], ['organization.id'], name=op.f('fk_attestation_provider_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestation'))
    )
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.create_index('ix_attestation_disclosure_section', ['disclosure_id', 'section'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestation_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestation_provider_id'), ['provider_id'], unique=False)


def downgrade():
    connection = op.get_bind()
    left = sum(
        connection.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar()
        for table, condition in (
            (organization, organization.c.kind == 'assurance'),
            (user, user.c.role == 'assurer'),
            (notification, notification.c.kind.in_(('assurance_shared', 'attestation_issued'))),
        )
    )
    if left:
        raise RuntimeError(
            'An assurance organization, an assurer or a notification about assurance exists: '
            'remove them before downgrading below 0025, whose constraints do not allow them.'
        )
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attestation_provider_id'))
        batch_op.drop_index(batch_op.f('ix_attestation_grant_id'))
        batch_op.drop_index('ix_attestation_disclosure_section')
    op.drop_table('attestation')
    with op.batch_alter_table('assurance_grant', schema=None) as batch_op:
        batch_op.drop_index('uq_assurance_grant_open', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_assurance_grant_provider_id'))
        batch_op.drop_index(batch_op.f('ix_assurance_grant_disclosure_id'))
    op.drop_table('assurance_grant')
    _checks(OLD_KINDS, OLD_ROLES, OLD_NOTIFICATIONS)
