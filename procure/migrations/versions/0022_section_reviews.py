"""section reviews and effective evidence: buyers verify or reject each evidence section

- `disclosure_section_review`: one buyer organization's decision (verified or rejected, with a
  comment) on one evidence section (workforce, wages, training) of one version; one per
  version, organization and section. Scores use the effective level it sets for that
  organization (procure/disclosures/evidence_levels.py), never the level the vendor claims.
- Existing verifications of whole versions become verifications of the sections that had a file
  when they were made (files are attached to drafts only, so they are the files now): a section
  without a file was never backed by anything to verify, and is not lifted. The version-level
  reviews stay as they are (a rejected version is still left out of that buyer's scores).

The downgrade drops the table: the version-level reviews, which the upgrade kept, are again the
only reviews (decisions on single sections are lost).

Revision ID: 0022_section_reviews
Revises: 0021_campaign_changes
Create Date: 2026-12-06 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0022_section_reviews'
down_revision = '0021_campaign_changes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosure_section_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reviewed_at', procure.db.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("decision IN ('verified', 'rejected')", name=op.f('ck_disclosure_section_review_decision')),
    sa.CheckConstraint("section IN ('workforce', 'wages', 'training')", name=op.f('ck_disclosure_section_review_section')),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'], name=op.f('fk_disclosure_section_review_disclosure_id_disclosure')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_disclosure_section_review_organization_id_organization')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_disclosure_section_review_reviewed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_section_review')),
    sa.UniqueConstraint('disclosure_id', 'organization_id', 'section', name=op.f('uq_disclosure_section_review_disclosure_id'))
    )
    with op.batch_alter_table('disclosure_section_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_section_review_disclosure_id'), ['disclosure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_section_review_organization_id'), ['organization_id'], unique=False)

    op.execute(
        "INSERT INTO disclosure_section_review "
        "(disclosure_id, organization_id, section, decision, comment, reviewed_at, reviewed_by_id) "
        "SELECT r.disclosure_id, r.organization_id, s.section, 'verified', r.comment, r.reviewed_at, "
        "r.reviewed_by_id "
        "FROM disclosure_review r "
        "JOIN (SELECT DISTINCT disclosure_id, section FROM evidence) s "
        "ON s.disclosure_id = r.disclosure_id "
        "WHERE r.decision = 'verified'")


def downgrade():
    with op.batch_alter_table('disclosure_section_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_section_review_organization_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_section_review_disclosure_id'))
    op.drop_table('disclosure_section_review')
