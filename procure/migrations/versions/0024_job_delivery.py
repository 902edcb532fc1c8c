"""job delivery: when a job's message last went to the job queue, and when a failed job retries

- `job.sent_at`: when the job's message was last handed to the job queue (None while the queue
  could not be reached). The scheduler of `procure worker` sends a queued job again when its
  message is older than job_resend_seconds, so a message lost with the broker is never the end
  of the job. Jobs queued before this revision have none: the first round sends them again
  (a worker drops a message of a job already taken, so nothing runs twice).
- `job.retry_at`: when the scheduler queues a failed job again by itself (the kinds that retry
  on their own, such as re-scoring); None for every job before this revision.

The downgrade drops both columns: re-sending and automatic retries stop (a job whose message
is lost stays queued until a user cancels it).

Revision ID: 0024_job_delivery
Revises: 0023_evidence_blobs
Create Date: 2026-12-07 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import procure.db


# revision identifiers, used by Alembic.
revision = '0024_job_delivery'
down_revision = '0023_evidence_blobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', procure.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('retry_at', procure.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_retry_at'), ['retry_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_retry_at'))
        batch_op.drop_column('retry_at')
        batch_op.drop_column('sent_at')
