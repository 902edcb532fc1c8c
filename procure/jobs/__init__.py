"""Jobs: the long-running work (solves, board PDFs, re-scoring).

- `kinds`: what kinds of job exist; each kind registers itself with `@job_kind`.
- `services`: enqueue (once, within a limit), cancel, retry, reap, requeue the due automatic
  retries (flush only; the request or command commits).
- `runner`: runs a job and owns its short transactions (the one place besides
  `procure.transactions` that commits), and `tend_jobs`, the scheduler's round (procure.scheduler):
  reap, retry system jobs by themselves, re-send lost messages.
- `queue`: Celery on Redis, the transport when a broker is configured.
"""
