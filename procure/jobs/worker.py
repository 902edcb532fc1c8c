"""Entry point for the plain celery command line (`procure worker` does the same):

    celery -A procure.jobs.worker worker --queues=procure --loglevel=INFO

Settings come from the environment (PROCURE_DATABASE_URL, PROCURE_BROKER_URL, ...).
"""

from procure import create_app
from procure.jobs.queue import celery_for
from procure.jobs.runner import reap_and_commit, run_job

flask_app = create_app()
app = celery_for(flask_app, run_job, reap_and_commit)
