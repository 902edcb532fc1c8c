"""gunicorn settings for the web processes (PostgreSQL and a broker behind them):

    gunicorn -c python:procure.gunicorn_conf 'procure:create_app()'

Every value can be changed without editing this file: PROCURE_BIND, WEB_CONCURRENCY (worker
processes) and PROCURE_WEB_THREADS, or any gunicorn flag in GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("PROCURE_BIND", "127.0.0.1:8000")
# Requests are short (solves, frontiers and PDFs run as jobs), so a few threaded processes per
# core serve many users; each process keeps its own database pool (db_pool_size + db_max_overflow
# connections at most), so web processes x that must stay below PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("PROCURE_WEB_THREADS", "4"))
timeout = 60  # a request that takes longer is a bug: long work belongs in a job
graceful_timeout = 30
keepalive = 5
max_requests = 20000  # recycle processes now and then (bounded memory growth)
max_requests_jitter = 2000
preload_app = False  # each process opens its own connections after the fork
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("PROCURE_LOG_LEVEL", "info").lower()
# Behind a TLS-terminating proxy on the same host; set FORWARDED_ALLOW_IPS for another host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
