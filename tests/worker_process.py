"""`procure worker` run as a real process on Redis, for the tests that need a Celery worker
(the `broker` and `start_worker` fixtures in tests/conftest.py).

Redis comes from PROCURE_TEST_BROKER_URL (default redis://127.0.0.1:6379/15). Without it the
tests skip with the reason, except when PROCURE_REQUIRE_WORKER=1 (CI sets it): then they fail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

BROKER_URL = os.environ.get("PROCURE_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
# A queue of this test run's own: two runs on one machine (or one Redis) never take each other's
# jobs.
JOB_QUEUE = f"procure-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
WORKER_REQUIRED = os.environ.get("PROCURE_REQUIRE_WORKER") == "1"


def redis_reachable() -> bool:
    parts = urlsplit(BROKER_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


class Worker:
    """`procure worker` in its own process group, sharing the test database and Redis."""

    def __init__(self, database_url: str, instance: str, log_path: str, step_delay: float):
        env = {
            **os.environ,
            "PROCURE_DATABASE_URL": database_url,
            "PROCURE_BROKER_URL": BROKER_URL,
            "PROCURE_JOB_QUEUE": JOB_QUEUE,
            "PROCURE_SECRET_KEY": "test-secret",
            "PROCURE_INSTANCE_PATH": instance,
            "PROCURE_JOB_HEARTBEAT_SECONDS": "0.5",
            "PROCURE_JOB_STALE_SECONDS": "3",
            "PROCURE_JOB_STEP_DELAY_SECONDS": str(step_delay),
        }
        self.log_path = log_path
        # Open for the worker's whole life (its stdout and stderr): kill() closes it.
        self.log = open(log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "procure", "worker", "--concurrency", "1"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited: {self.output()}")
            with open(self.log_path, "rb") as log:
                if b" ready." in log.read():
                    return
            time.sleep(0.2)
        self.kill()  # never leave a worker taking jobs behind
        raise AssertionError(f"the worker did not start in {timeout} s: {self.output()}")

    def output(self) -> str:
        return open(self.log_path, "rb").read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool processes."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()
