"""Migration 0041 (scenario projections): `scenario.projection`, null for every scenario solved
before it (its pages work the projection out as they did, writing nothing); the downgrade drops
the column and keeps the scenarios."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.extensions import db
from tests.app.test_coalition_measurement_migration import NOW, insert_organizations


def _columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("scenario")}


def test_0041_adds_the_stored_projection_and_downgrades(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'projections.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0040_disclosure_state_index")
        with db.engine.begin() as connection:
            insert_organizations(connection, (1, "Buyer", "buyer"))
            connection.execute(
                text(
                    "INSERT INTO scenario (id, organization_id, name, need_ids, objective, "
                    "targets, status, result, version, created_at, updated_at) VALUES "
                    "(7, 1, 'Plan', '[]', 'min_cost', '{}', 'solved', :r, 3, :t, :t)"
                ),
                {"t": NOW, "r": json.dumps({"status": "optimal", "allocations": []})},
            )
        assert "projection" not in _columns()
        upgrade(revision="0041_scenario_projections")
        stored = {"format": 1, "impact": {"impact_worker_hours": 165.2178}}
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, version, projection FROM scenario")
            ).all() == [(7, 3, None)]
            connection.execute(
                text("UPDATE scenario SET projection = :p WHERE id = 7"),
                {"p": json.dumps(stored)},
            )
            assert (
                json.loads(connection.execute(text("SELECT projection FROM scenario")).scalar_one())
                == stored
            )
        downgrade(revision="0040_disclosure_state_index")
        assert "projection" not in _columns()
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, name, status, version FROM scenario")
            ).all() == [(7, "Plan", "solved", 3)]
        upgrade()
        assert "projection" in _columns()
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT id, projection FROM scenario")).all() == [
                (7, None)
            ]
        db.engine.dispose()


def test_0045_splits_the_stored_projection_into_summary_and_rows_and_back(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'rows.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    rows = [
        {"vendor": "Alpha", "vendor_id": "V1", "living_wage_ratio": 0.97},
        {"vendor": "Beta", "vendor_id": "V2", "living_wage_ratio": 1.2},
    ]
    whole = {"format": 1, "impact": {"fte_jobs": 2.5, "by_vendor": rows}}
    with app.app_context():
        upgrade(revision="0044_award_visibility")
        with db.engine.begin() as connection:
            insert_organizations(connection, (1, "Buyer", "buyer"))
            for sid, projection in ((7, json.dumps(whole)), (8, None)):
                connection.execute(
                    text(
                        "INSERT INTO scenario (id, organization_id, name, need_ids, objective, "
                        "targets, status, version, projection, created_at, updated_at) VALUES "
                        "(:id, 1, 'Plan', '[]', 'min_cost', '{}', 'solved', 3, :p, :t, :t)"
                    ),
                    {"id": sid, "p": projection, "t": NOW},
                )
        upgrade(revision="0045_projection_rows")
        with db.engine.begin() as connection:
            stored = connection.execute(
                text("SELECT id, projection, projection_rows FROM scenario ORDER BY id")
            ).all()
        assert [
            (i, json.loads(p) if p else p, json.loads(r) if r else r) for i, p, r in stored
        ] == [
            (
                7,
                {
                    "format": 2,
                    "impact": {"fte_jobs": 2.5},
                    "vendors": 2,
                    "below_living_wage": ["Alpha (0.97)"],  # as review.below_living_wage says
                },
                rows,
            ),
            (8, None, None),
        ]
        downgrade(revision="0044_award_visibility")
        assert "projection_rows" not in _columns()
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, projection FROM scenario ORDER BY id")
            ).all() == [(7, json.dumps(whole)), (8, None)]
        db.engine.dispose()
