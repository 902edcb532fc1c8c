"""Jargon gets help a phone reaches (issue #22): a job's time limit reads "stops after 10 minutes
at most", not "time limit 600 s"; the Data page tells a vendor what its export is for, with no
command name; the comparison explains its rank range and TOPSIS rank in a <details> a tap or a
key opens (the scorecard's own help: test_scorecard_stored)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from procure.extensions import db
from procure.formatting import duration_words
from procure.jobs.models import Job
from procure.scenarios.models import Scenario


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (600, "10 minutes"),
        (600.4, "10 minutes"),
        (60, "1 minute"),
        (90, "1 minute 30 seconds"),
        (45, "45 seconds"),
        (5400, "1 hour 30 minutes"),
        (7200, "2 hours"),
        (0, "0 seconds"),
        (None, "—"),
        (float("inf"), "—"),
    ],
)
def test_a_duration_reads_as_people_say_it(seconds, words):
    assert duration_words(seconds) == words


def test_a_jobs_time_limit_is_said_in_minutes(client, world, sign_in, make_scenario):
    scenario = make_scenario()
    job_id = scenario["job"]["id"]
    # a solve still running, as the page shows it with its panel
    db.session.execute(
        update(Scenario).where(Scenario.id == scenario["id"]).values(status="draft", result=None)
    )
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status="running", progress=45, finished_at=None, time_limit_seconds=600.0)
    )
    db.session.commit()
    sign_in(client, world["buyer"])
    page = client.get(f"/scenarios/{scenario['id']}")
    assert page.status_code == 200
    assert f'data-job-url="/api/v1/jobs/{job_id}"' in page.text  # the job's panel is shown
    assert "stops after 10 minutes at most" in page.text
    assert "time limit" not in page.text and "600 s" not in page.text


def test_the_data_page_tells_a_vendor_what_the_export_is_for(client, make_vendor, sign_in):
    _, user = make_vendor("Alpha Annotation")
    sign_in(client, user)
    page = client.get("/disclosures/table")
    assert page.status_code == 200
    assert "procure score" not in page.text and "command" not in page.text
    assert "every\n       figure your score is worked out from" in page.text
    assert "Only the period your score reads now (your latest)" in page.text


def test_the_data_page_names_no_command_to_a_buyer(client, make_user, sign_in):
    sign_in(client, make_user("buyer"))
    page = client.get("/disclosures/table")
    assert page.status_code == 200
    assert "procure score" not in page.text
    assert "with every figure the\n       scores are worked out from" in page.text


def test_the_comparison_explains_rank_range_and_topsis_where_a_tap_reaches(client, world, sign_in):
    sign_in(client, world["buyer"])
    page = client.get("/scores?category=data_annotation")
    assert page.status_code == 200
    help_start = page.text.index('<details class="help" id="rank-help">')
    help_text = page.text[help_start : page.text.index("</details>", help_start)]
    assert "<summary>What do the rank range and the TOPSIS rank mean?</summary>" in help_text
    assert "<strong>Rank range (90 %):</strong>" in help_text
    assert "1,000 times with the weights moved a little at random" in help_text
    assert "<strong>TOPSIS rank:</strong>" in help_text
    assert "an ideal vendor that is best on every metric" in help_text
