"""Jobs: the long-running work (solves, board PDFs, re-scoring).

- `kinds`: what kinds of job exist; each kind registers itself with `@job_kind`.
- `services`: enqueue, cancel, retry, reap (flush only; the request or command commits).
- `runner`: runs a job and owns its short transactions (the one place besides
  `procure.transactions` that commits).
- `queue`: Celery on Redis, the transport when a broker is configured.
"""
