"""disclosure reviews per buyer organization: one buyer's verify or reject no longer changes the
disclosure for every other buyer

Existing reviews become reviews of the reviewer's organization, and their versions go back to
`submitted` (the state every organization that has not reviewed them sees).

Revision ID: 0012_disclosure_reviews
Revises: 0011_session_epoch
Create Date: 2026-11-22 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0012_disclosure_reviews'
down_revision = '0011_session_epoch'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosure_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reviewed_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("decision IN ('verified', 'rejected')", name=op.f('ck_disclosure_review_decision')),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_disclosure_review_disclosure_id_disclosure')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_disclosure_review_organization_id_organization')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_disclosure_review_reviewed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_review')),
    sa.UniqueConstraint('disclosure_id', 'organization_id', name=op.f('uq_disclosure_review_disclosure_id'))
    )
    with op.batch_alter_table('disclosure_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_review_disclosure_id'), ['disclosure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_review_organization_id'), ['organization_id'], unique=False)

    op.execute(
        "INSERT INTO disclosure_review (disclosure_id, organization_id, decision, comment, reviewed_at, reviewed_by_id) "
        "SELECT d.id, u.organization_id, d.state, d.review_comment, COALESCE(d.reviewed_at, d.updated_at), d.reviewed_by_id "
        "FROM disclosure d JOIN \"user\" u ON u.id = d.reviewed_by_id WHERE d.state IN ('verified', 'rejected')")
    op.execute("UPDATE disclosure SET state = 'submitted' WHERE state IN ('verified', 'rejected')")

    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_disclosure_state'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_disclosure_reviewed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
        batch_op.create_check_constraint(batch_op.f('ck_disclosure_state'), "state IN ('draft', 'submitted')")


def downgrade():
    """Back to one review per version: the earliest review of each version is kept (others are lost)."""
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_disclosure_state'), type_='check')
        batch_op.add_column(sa.Column('reviewed_at', procure.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_disclosure_reviewed_by_id_user'), 'user', ['reviewed_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_disclosure_state'),
                                         "state IN ('draft', 'submitted', 'verified', 'rejected')")
    first = ("(SELECT r.{column} FROM disclosure_review r WHERE r.disclosure_id = disclosure.id "
             "ORDER BY r.reviewed_at, r.id LIMIT 1)")
    op.execute(f"UPDATE disclosure SET state = COALESCE({first.format(column='decision')}, state), "
               f"reviewed_at = {first.format(column='reviewed_at')}, "
               f"reviewed_by_id = {first.format(column='reviewed_by_id')}, "
               f"review_comment = {first.format(column='comment')}")
    with op.batch_alter_table('disclosure_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_review_organization_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_review_disclosure_id'))
    op.drop_table('disclosure_review')
