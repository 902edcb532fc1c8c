"""Migration 0038 (scenario coalition profile): `scenario.coalition_id` (a foreign key to the
coalition) and `scenario.coalition_profile_version`, null for every existing scenario, and the
feed's `measurement_changed` posts; the downgrade drops the two columns, keeping the scenarios,
and turns the new posts into announcements with their text."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.extensions import db
from tests.app.test_coalition_measurement_migration import NOW, seed_coalition

POST = (
    "INSERT INTO coalition_post (id, coalition_id, kind, text, at) "
    "VALUES (:i, 4, :k, 'Measures changed.', :t)"
)


def _refused(connection, statement: str, values: dict, words: str) -> None:
    nested = connection.begin_nested()
    try:
        connection.execute(text(statement), values)
        raise AssertionError(f"accepted: {statement}")
    except Exception as refused:  # noqa: BLE001 - the constraint's error
        assert words in str(refused), refused
        nested.rollback()


def test_0038_records_the_coalition_profile_of_a_plan_and_downgrades(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'plans.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0037_coalition_measurement")
        with db.engine.begin() as connection:
            seed_coalition(connection)
            connection.execute(
                text(
                    "INSERT INTO scenario (id, organization_id, name, need_ids, objective, "
                    "targets, status, version, created_at, updated_at) "
                    "VALUES (7, 2, 'Plan', '[]', 'min_cost', '{}', 'draft', 1, :t, :t)"
                ),
                {"t": NOW},
            )
            # the narrower constraint refuses the new kind before the upgrade
            _refused(connection, POST, {"i": 1, "k": "measurement_changed", "t": NOW}, "CHECK")
        upgrade(revision="0038_scenario_coalition_profile")
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, coalition_id, coalition_profile_version FROM scenario")
            ).all() == [(7, None, None)]
            connection.execute(text("PRAGMA foreign_keys = ON"))
            connection.execute(
                text("UPDATE scenario SET coalition_id = 4, coalition_profile_version = 3")
            )
            _refused(
                connection, "UPDATE scenario SET coalition_id = 99", {}, "FOREIGN KEY"
            )  # no such coalition
            connection.execute(text(POST), {"i": 1, "k": "measurement_changed", "t": NOW})
            _refused(connection, POST, {"i": 2, "k": "gossip", "t": NOW}, "CHECK")
        downgrade(revision="0037_coalition_measurement")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("scenario")}
            assert {"coalition_id", "coalition_profile_version"} & columns == set()
            assert connection.execute(text("SELECT id, name FROM scenario")).all() == [(7, "Plan")]
            assert connection.execute(text("SELECT kind, text FROM coalition_post")).all() == [
                ("announcement", "Measures changed.")
            ]
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(
                text("SELECT id, coalition_id, coalition_profile_version FROM scenario")
            ).all() == [(7, None, None)]
        db.engine.dispose()
