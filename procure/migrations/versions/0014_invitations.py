"""invitations: a buyer organization's one-time links for vendors to register or join

One table, `invitation`: the inviting buyer organization and user, the invitee's email, an
optional message, the SHA-256 of the link's secret (the secret itself is never stored), when it
was created and expires, and when it was accepted (by which vendor organization and user) or
revoked. Its state (pending, accepted, revoked, expired) is read from those times, not stored.
Plain CREATE TABLE and CREATE INDEX, the same on SQLite and PostgreSQL; nothing to migrate.

Revision ID: 0014_invitations
Revises: 0014_notifications
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0014_invitations'
# written against 0013_operator_and_name_keys, and chained after 0014_notifications (made at the
# same time) so that the history has one head
down_revision = '0014_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', procure.db.UTCDateTime(), nullable=True),
    sa.Column('accepted_organization_id', sa.Integer(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', procure.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint('(accepted_at IS NULL AND accepted_organization_id IS NULL) OR (accepted_at IS NOT NULL AND accepted_organization_id IS NOT NULL)', name=op.f('ck_invitation_accepted_by_an_organization')),
    sa.CheckConstraint('accepted_at IS NULL OR revoked_at IS NULL', name=op.f('ck_invitation_accepted_or_revoked')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'], name=op.f('fk_invitation_accepted_by_id_user')),
    sa.ForeignKeyConstraint(['accepted_organization_id'], ['organization.id'], name=op.f('fk_invitation_accepted_organization_id_organization')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_invitation_invited_by_id_user')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_invitation_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_organization_id'))
    op.drop_table('invitation')
