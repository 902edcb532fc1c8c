"""Migration 0042 (coalition plan label): a plan solved under its coalition's profile before
migration 0038 recorded the coalition gets the coalition and the profile's version back from
the audit log (when the organization adopted the profile, the profile's settings events, the
plan's solve), only where its stored weights are that profile's; every other plan keeps null.
The downgrade empties what it wrote; up again writes it again."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from procure import create_app
from procure.extensions import db
from procure.scenarios.models import Scenario
from procure.scenarios.services import profile_label
from procure.scoring.shared_profiles import UNRECORDED_LABEL
from procure.scoring_defaults import default_profile
from tests.app.test_coalition_measurement_migration import NOW, seed_coalition

V1 = {"pillar_weights": {"impact": 0.5, "cost": 0.3, "quality": 0.2}}
V2 = {"pillar_weights": {"impact": 0.6, "cost": 0.2, "quality": 0.2}}
OWN = {"pillar_weights": {"impact": 0.1, "cost": 0.8, "quality": 0.1}}

# (time, action, target type, target id, after): the log of organization 2 and coalition 4
EVENTS = [
    ("2026-03-02", "scenario.solve", "Scenario", 10, {}),  # before adopting: default profile
    ("2026-03-03", "coalition.uses_profile", "Coalition", 4, {"uses_profile": True}),
    # adopted, but no profile set yet: its weights say nothing of the coalition, unsettled
    ("2026-03-03 13:00:00.000000", "scenario.solve", "Scenario", 17, {}),
    ("2026-03-03 14:00:00.000000", "coalition_profile.set", "Coalition", 4, V1),  # version 1
    ("2026-03-04", "scenario.solve", "Scenario", 11, {}),  # under version 1
    ("2026-03-05", "coalition_profile.set", "Coalition", 4, V2),  # version 2
    ("2026-03-06", "scenario.solve", "Scenario", 12, {}),  # under version 2
    ("2026-03-06", "scenario.solve", "Scenario", 13, {}),  # weights not version 2's: unsettled
    ("2026-03-07", "coalition.leave", "Coalition", 4, {"state": "left"}),
    ("2026-03-08", "scenario.solve", "Scenario", 14, {}),  # after leaving: default profile
]
# (scenario id, stored weights); 15 was never solved, 16 has a profile of its own
PLANS = [(10, OWN), (11, V1), (12, V2), (13, OWN), (14, V2), (15, None), (16, V1), (17, OWN)]


def _seed(connection) -> None:
    seed_coalition(connection)
    for plan_id, settings in PLANS:
        connection.execute(
            text(
                "INSERT INTO scenario (id, organization_id, name, need_ids, objective, targets, "
                "status, version, created_at, updated_at, profile_settings, profile_id) "
                "VALUES (:i, 2, 'Plan', '[]', 'min_cost', '{}', 'draft', 1, :t, :t, :s, NULL)"
            ),
            {"i": plan_id, "t": NOW, "s": None if settings is None else json.dumps(settings)},
        )
    for day, action, target_type, target_id, after in EVENTS:
        connection.execute(
            text(
                "INSERT INTO audit_event (created_at, organization_id, action, target_type, "
                "target_id, changes) VALUES (:t, 2, :a, :y, :i, :c)"
            ),
            {
                "t": day if " " in day else f"{day} 12:00:00.000000",
                "a": action,
                "y": target_type,
                "i": str(target_id),
                # a member's events name the organization; the profile's hold its settings
                "c": json.dumps(
                    {
                        "after": after
                        if target_type == "Scenario" or "pillar_weights" in after
                        else {"organization_id": 2, **after}
                    }
                ),
            },
        )


def _labels(connection):
    return connection.execute(
        text("SELECT id, coalition_id, coalition_profile_version FROM scenario ORDER BY id")
    ).all()


BACKFILLED = [
    (10, None, None),
    (11, 4, 1),
    (12, 4, 2),
    (13, None, None),
    (14, None, None),
    (15, None, None),
    (16, None, None),
    (17, None, None),
]
UNTOUCHED = [(plan_id, None, None) for plan_id, _ in PLANS]


def test_0042_fills_in_the_coalition_profile_of_old_plans_and_downgrades(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'label.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0041_scenario_projections")
        with db.engine.begin() as connection:
            # a plan with a profile of its own keeps it (16's weights equal version 1's)
            connection.execute(
                text(
                    "INSERT INTO scoring_profile (id, organization_id, name, number, settings, "
                    "locked, created_at) VALUES (3, 2, 'Own', 1, '{}', 0, :t)"
                ),
                {"t": NOW},
            )
            _seed(connection)
            connection.execute(text("UPDATE scenario SET profile_id = 3 WHERE id = 16"))
        upgrade(revision="0042_coalition_plan_label")
        with db.engine.connect() as connection:
            assert _labels(connection) == BACKFILLED
            events = connection.execute(
                text(
                    "SELECT target_id, changes FROM audit_event "
                    "WHERE action = 'scenario.coalition_profile_backfill' ORDER BY target_id"
                )
            ).all()
            assert [(i, json.loads(c)["after"]) for i, c in events] == [
                ("11", {"coalition_id": 4, "coalition_profile_version": 1}),
                ("12", {"coalition_id": 4, "coalition_profile_version": 2}),
            ]
        downgrade(revision="0041_scenario_projections")
        with db.engine.connect() as connection:
            assert _labels(connection) == UNTOUCHED
            assert (
                connection.execute(
                    text(
                        "SELECT count(*) FROM audit_event "
                        "WHERE action = 'scenario.coalition_profile_backfill'"
                    )
                ).scalar()
                == 0
            )
        upgrade(revision="0042_coalition_plan_label")
        with db.engine.connect() as connection:
            assert _labels(connection) == BACKFILLED
        db.engine.dispose()


def test_a_solved_plan_says_default_only_for_the_default_weights(app):
    """A plan the log did not settle (null coalition) says "Default profile" only when its
    weights are the default profile's; weighed otherwise, that nothing is on record."""
    weights = default_profile().to_dict()
    other = weights | {"pillar_weights": {"impact": 0.6, "cost": 0.25, "quality": 0.15}}
    with app.app_context():
        plans = [
            Scenario(organization_id=None, profile_id=None, profile_settings=settings)
            for settings in (weights, other)
        ]
        assert [profile_label(plan) for plan in plans] == ["Default profile", UNRECORDED_LABEL]
    assert UNRECORDED_LABEL == (
        "Not on record: solved before plans recorded their profile, with other than the "
        "default weights"
    )
