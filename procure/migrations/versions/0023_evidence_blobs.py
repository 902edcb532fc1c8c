"""evidence blobs: evidence file bytes kept in the database (the default evidence store)

- `evidence_blob`: the bytes of one stored evidence file, keyed by its generated stored name.
  Evidence rows of amended copies share one stored name, so each file is kept once however
  many versions name it. `sha256` is the digest of `content`, checked again on every read;
  `created_at` lets `procure evidence gc` spare a blob whose row is still being committed.
- Files already in the legacy evidence folder stay where they are: reads fall back to the
  folder, and `procure evidence migrate` copies them into the configured store (no data move
  happens here, so the upgrade needs no access to any host's disk).

The downgrade drops the table: files uploaded after the upgrade existed only as blobs and are
lost unless copied out first (there is no store the older code reads except the folder).

Revision ID: 0023_evidence_blobs
Revises: 0022_section_reviews
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0023_evidence_blobs'
down_revision = '0022_section_reviews'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_blob',
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', procure.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('stored_name', name=op.f('pk_evidence_blob'))
    )


def downgrade():
    op.drop_table('evidence_blob')
