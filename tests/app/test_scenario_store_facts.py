"""`procure scenarios store-facts` (issue #23): a plan solved before the solve stored its
projection (migrations 0041/0045) and page facts (0047) gets them, worked out as the solve works
them out, without changing the plan (its version, `updated_at`, audit trail or anything shown)."""

from sqlalchemy import func, select, update

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.scenarios import page_facts, review, stored_facts
from procure.scenarios.models import Scenario
from tests.app.test_scenario_projections import _shown
from tests.app.test_scenario_units import mixed  # noqa: F401 - the fixture of hours and items
from tests.conftest import run_cli

CACHES = ("projection", "projection_rows", "page_facts", "page_lines")


def _state(sid: int) -> dict:
    db.session.expire_all()
    scenario = db.session.get(Scenario, sid)
    return {
        "caches": {column: getattr(scenario, column) for column in CACHES},
        "version": scenario.version,
        "updated_at": scenario.updated_at,
    }


def test_store_facts_stores_what_the_solve_stores_and_changes_nothing_shown(
    client,
    mixed,  # noqa: F811 - the fixture imported above
    sign_in,
    make_scenario,
    migrated,
    tmp_path,
    monkeypatch,
):
    sid = mixed["scenario"]["id"]
    other = make_scenario("Hours only")["id"]
    sign_in(client, mixed["buyer"])
    shown = _shown(client, mixed["headers"], sid, other)
    solved = {s: _state(s) for s in (sid, other)}
    # two plans solved before 0041 and 0047
    db.session.execute(update(Scenario).values(**dict.fromkeys(CACHES)))
    db.session.commit()
    old = {s: _state(s) for s in (sid, other)}
    assert old[sid]["caches"] == dict.fromkeys(CACHES)
    audited = db.session.scalar(select(func.count()).select_from(AuditEvent))

    def store(*options: str) -> str:
        ran = run_cli(["scenarios", "store-facts", *options], tmp_path, monkeypatch, migrated)
        assert ran.exit_code == 0, ran.output
        return ran.output

    assert "Would store the projection or page facts of 2 scenario(s)" in store("--dry-run")
    assert _state(sid) == old[sid]
    assert "Stored the projection or page facts of 2 scenario(s); skipped 0" in store()
    for s in (sid, other):
        # the caches the solve stored, the version and the time of the last change unchanged
        assert _state(s) == old[s] | {"caches": solved[s]["caches"]}
    scenario = db.session.get(Scenario, sid)
    assert scenario.page_facts["format"] == page_facts.PAGE_FACTS_FORMAT
    assert page_facts.work_out(scenario) == (scenario.page_facts, scenario.page_lines)
    assert review.split_projection(review.compute_projection(scenario)) == (
        scenario.projection,
        scenario.projection_rows,
    )
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audited
    assert _shown(client, mixed["headers"], sid, other) == shown
    # idempotent: nothing left to store
    assert "Stored the projection or page facts of 0 scenario(s); skipped 2" in store()


def test_store_facts_leaves_a_plan_solved_again_meanwhile(app, world, make_scenario, monkeypatch):
    sid = make_scenario("Plan")["id"]
    db.session.execute(update(Scenario).values(**dict.fromkeys(CACHES)))
    store = page_facts.store

    def solved_meanwhile(scenario: Scenario) -> None:
        store(scenario)  # a solve commits new documents (and their caches) before the write
        db.session.execute(  # by another transaction: this copy keeps its version
            update(Scenario)
            .where(Scenario.id == sid)
            .values(version=Scenario.version + 1)
            .execution_options(synchronize_session=False)
        )

    monkeypatch.setattr(page_facts, "store", solved_meanwhile)
    assert stored_facts.store_missing([sid]) == 0
    assert _state(sid)["caches"] == dict.fromkeys(CACHES)
