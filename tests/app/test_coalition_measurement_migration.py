"""Migration 0037 (coalition measurement): the coalition's metric catalog and profile tables,
`coalition_member.uses_profile` (false for every existing member) and
`stored_ranking.coalition_id` (null for every existing ranking); the downgrade drops them and
deletes the stored rankings made under a coalition profile (with their cards), keeping the
others."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.extensions import db

NOW = "2026-01-01 00:00:00.000000"


def _ranking(connection, ranking_id: int, coalition_id: int | None = None) -> None:
    columns = "id, organization_id, profile_id, category, top_k, global_version, "
    columns += "organization_version, priced_on, peers, computed_at"
    values = ":i, 2, NULL, '', 5, 0, 0, '2026-01-01', 1, :t"
    if coalition_id is not None:
        columns, values = columns + ", coalition_id", values + ", :c"
    connection.execute(
        text(f"INSERT INTO stored_ranking ({columns}) VALUES ({values})"),
        {"i": ranking_id, "t": NOW, "c": coalition_id},
    )
    connection.execute(
        text("INSERT INTO stored_ranking_card (ranking_id, vendor_id, card) VALUES (:i, 9, '{}')"),
        {"i": ranking_id},
    )


def insert_organizations(connection, *organizations: tuple[int, str, str]) -> None:
    """Rows of `organization` as a migration left them: (id, name, kind) each."""
    for org_id, name, kind in organizations:
        connection.execute(
            text(
                "INSERT INTO organization (id, name, name_key, kind, created_at, "
                "updated_at) VALUES (:i, :n, :k2, :k, :t, :t)"
            ),
            {"i": org_id, "n": name, "k2": name.lower(), "k": kind, "t": NOW},
        )


def seed_coalition(connection) -> None:
    """Organizations 1 (a backbone) and 2 (a buyer), and coalition 4 run by 1."""
    insert_organizations(connection, (1, "Backbone", "backbone"), (2, "Buyer", "buyer"))
    connection.execute(
        text(
            "INSERT INTO coalition (id, organization_id, name, charter, period_start, "
            "period_end, impact_vendor_min_score, created_at, updated_at, version) "
            "VALUES (4, 1, 'C', 'c', '2026-01-01', '2026-12-31', 50, :t, :t, 1)"
        ),
        {"t": NOW},
    )


def test_0037_adds_the_shared_measurement_and_downgrades(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'measure.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0036_event_rank_bands")
        with db.engine.begin() as connection:
            seed_coalition(connection)
            connection.execute(
                text(
                    "INSERT INTO coalition_member (id, coalition_id, organization_id, state, "
                    "shares_contribution, invited_at) VALUES (5, 4, 2, 'active', 0, :t)"
                ),
                {"t": NOW},
            )
            _ranking(connection, 1)
        upgrade(revision="0037_coalition_measurement")
        with db.engine.begin() as connection:
            assert connection.execute(
                text("SELECT id, uses_profile FROM coalition_member")
            ).all() == [(5, 0)]
            assert connection.execute(
                text("SELECT id, coalition_id FROM stored_ranking")
            ).all() == [(1, None)]
            connection.execute(
                text(
                    "INSERT INTO coalition_metric (id, coalition_id, key, label, formula, unit, "
                    "direction, goalposts, section, source, created_at, updated_at) VALUES "
                    "(1, 4, 'k', 'K', 'impact_workers_end', 'u', 'higher', '[0, 100]', "
                    "'workforce', 's', :t, :t)"
                ),
                {"t": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO coalition_profile (id, coalition_id, settings, updated_at) "
                    "VALUES (1, 4, '{}', :t)"
                ),
                {"t": NOW},
            )
            connection.execute(text("UPDATE coalition_member SET uses_profile = 1"))
            _ranking(connection, 2, coalition_id=4)
            # one profile per coalition, one key per coalition's catalog
            for statement in (
                "INSERT INTO coalition_profile (id, coalition_id, settings, updated_at) "
                "VALUES (2, 4, '{}', :t)",
                "INSERT INTO coalition_metric (id, coalition_id, key, label, formula, unit, "
                "direction, goalposts, section, source, created_at, updated_at) VALUES "
                "(2, 4, 'k', 'K', 'x', 'u', 'higher', '[0, 1]', 'workforce', 's', :t, :t)",
            ):
                nested = connection.begin_nested()
                try:
                    connection.execute(text(statement), {"t": NOW})
                    raise AssertionError(f"accepted: {statement}")
                except Exception as refused:  # noqa: BLE001 - the unique constraint's error
                    assert "UNIQUE" in str(refused), refused
                    nested.rollback()
        downgrade(revision="0036_event_rank_bands")
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            member_columns = {
                c["name"] for c in inspect(connection).get_columns("coalition_member")
            }
            ranking_columns = {c["name"] for c in inspect(connection).get_columns("stored_ranking")}
            assert {"coalition_metric", "coalition_profile"} & tables == set()
            assert "uses_profile" not in member_columns and "coalition_id" not in ranking_columns
            assert connection.execute(text("SELECT id FROM coalition_member")).all() == [(5,)]
            assert connection.execute(text("SELECT id FROM stored_ranking")).all() == [(1,)]
            assert connection.execute(text("SELECT ranking_id FROM stored_ranking_card")).all() == [
                (1,)
            ]
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(
                text("SELECT id, uses_profile FROM coalition_member")
            ).all() == [(5, 0)]
        db.engine.dispose()
