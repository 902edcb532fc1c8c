"""Fixtures of the app tests: the audit walker's world, and a job kind for tests."""

import pytest

from procure.jobs.kinds import KINDS, JobKind
from tests.app.counting_job import SEEN, counting
from tests.app.walking import World


@pytest.fixture
def walk_world(app, make_user, make_vendor, bearer, sign_in):
    return World(app, make_user, make_vendor, bearer, sign_in)


@pytest.fixture
def counting_kind(monkeypatch):
    """The job kind "test.counting" (tests/app/counting_job.py) registered, its SEEN emptied."""
    SEEN.clear()
    monkeypatch.setitem(KINDS, "test.counting", JobKind("Counting", counting))
