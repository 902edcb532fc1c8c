"""Migration 0046 (card basis label): each stored ranking gets the basis it was scored under:
the default profile; its own profile version by name and number; a coalition's profile at its
version now when the ranking is current for its organization (none of the profile's changes
since). One that cannot be told (a coalition ranking out of date, a profile version gone) is
deleted with its cards (a cache). The downgrade drops the columns; up again fills them again."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from procure import create_app
from procure.extensions import db
from tests.app.test_coalition_measurement_migration import NOW, _ranking, seed_coalition

BEFORE = "0045_projection_rows"
BASES = [
    (1, "default", "Default profile", None, "Default profile"),
    (2, "named", "Own", 3, "Own v3"),
    (4, "coalition", "C", 2, "Coalition profile: C, version 2"),
]


def _bases(connection):
    return connection.execute(
        text(
            "SELECT id, basis_kind, basis_name, basis_version, basis_label FROM stored_ranking "
            "ORDER BY id"
        )
    ).all()


def test_0046_labels_the_stored_rankings_and_drops_what_it_cannot_tell(tmp_path):
    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'basis.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            seed_coalition(connection)
            for statement in (
                "INSERT INTO scoring_profile (id, organization_id, name, number, settings, "
                "locked, created_at) VALUES (3, 2, 'Own', 3, '{}', 0, :t)",
                "INSERT INTO coalition_profile (id, coalition_id, settings, updated_at, version) "
                "VALUES (1, 4, '{}', :t, 2)",
                # organization 2's data changed 7 times: the last a change of the profile
                "INSERT INTO ranking_data_version (scope, version) VALUES (2, 7)",
            ):
                connection.execute(text(statement), {"t": NOW})
            for ranking_id in (1, 2, 3):
                _ranking(connection, ranking_id)
            for ranking_id in (4, 5):
                _ranking(connection, ranking_id, coalition_id=4)
            connection.execute(text("UPDATE stored_ranking SET profile_id = 3 WHERE id = 2"))
            connection.execute(text("UPDATE stored_ranking SET profile_id = 99 WHERE id = 3"))
            # 4 read the data as it is now (version 2 of the profile), 5 before its last change
            connection.execute(
                text("UPDATE stored_ranking SET organization_version = 7 WHERE id = 4")
            )
            connection.execute(
                text("UPDATE stored_ranking SET organization_version = 6 WHERE id = 5")
            )
        upgrade(revision="0046_card_basis_label")
        with db.engine.connect() as connection:
            assert _bases(connection) == BASES
            assert connection.execute(
                text("SELECT ranking_id FROM stored_ranking_card ORDER BY ranking_id")
            ).all() == [(1,), (2,), (4,)]
            columns = {c["name"]: c for c in inspect(connection).get_columns("stored_ranking")}
            assert not columns["basis_label"]["nullable"]
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("stored_ranking")}
            assert not {"basis_kind", "basis_name", "basis_version", "basis_label"} & columns
            assert connection.execute(text("SELECT id FROM stored_ranking ORDER BY id")).all() == [
                (1,),
                (2,),
                (4,),
            ]
        upgrade(revision="0046_card_basis_label")
        with db.engine.connect() as connection:
            assert _bases(connection) == BASES
        db.engine.dispose()
