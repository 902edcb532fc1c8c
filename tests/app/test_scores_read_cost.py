"""What a page of the stored ranking costs to serve (#23): `GET /api/v1/scores` reads the token
with its user, and the ranking with its data versions, each in one statement, and dumps its
stored rows (plain dicts) without marshmallow's lookup per field, giving the same JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest
from marshmallow import Schema, fields
from sqlalchemy import event

from procure import charts
from procure.extensions import db
from procure.scoring.schemas import ScoreRowSchema


def _tables_read(client, url: str, headers) -> list[set[str]]:
    """The tables each SELECT of one GET of `url` reads (after FROM or JOIN)."""
    tables: list[set[str]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        words = statement.split()
        if words[0].upper() == "SELECT":
            tables.append(
                {
                    after.strip('"')
                    for word, after in zip(words, words[1:], strict=False)
                    if word in ("FROM", "JOIN")
                }
            )

    db.session.remove()  # nothing cached from an earlier request
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.text
    return tables


def test_a_page_of_scores_reads_four_statements(client, world):
    headers = world["headers"]
    assert client.get("/api/v1/scores", headers=headers).status_code == 200  # stored once
    # the token and its user; the coalition profile adopted (none); the newest stored ranking
    # and the data versions it is checked against; the page's rows with their vendors' names
    assert _tables_read(client, "/api/v1/scores", headers) == [
        {"api_token", "user"},
        {"coalition_member"},
        {"stored_ranking", "ranking_data_version"},
        {"stored_ranking_row", "vendor"},
    ]


def _marshmallow_dump(rows):
    """What marshmallow itself dumps of `rows` with ScoreRowSchema's fields."""
    return Schema.from_dict(dict(ScoreRowSchema._declared_fields))(many=True).dump(rows)


def test_stored_rows_are_dumped_straight_as_marshmallow_dumps_them(client, world, monkeypatch):
    served = client.get("/api/v1/scores", headers=world["headers"]).json
    assert len(served) == 2
    rows = [
        row | {"period_end": date.fromisoformat(row["period_end"]), "rank": float(row["rank"])}
        for row in served
    ]
    rows[1] |= {"knockout_reason": None, "p_top_k": None, "topsis_rank": None, "total": 7}
    expected = _marshmallow_dump(rows)
    assert expected[1]["rank"] == 2 and expected[1]["total"] == 7.0  # formatted by the fields

    def looked_up(self, *arguments, **keywords):
        raise AssertionError("a stored row's field was looked up through marshmallow")

    with monkeypatch.context() as patched:
        patched.setattr(fields.Field, "serialize", looked_up)
        dumped = ScoreRowSchema(many=True).dump(rows)
    assert json.dumps(dumped) == json.dumps(expected)  # the same keys, order and values

    # a row that is not a dict of every field is dumped by marshmallow (a missing field left out)
    partial = {key: value for key, value in rows[0].items() if key != "unit"}
    assert ScoreRowSchema().dump(partial) == _marshmallow_dump([partial])[0]
    assert "unit" not in ScoreRowSchema().dump(partial)

    class Row:  # an object, not a dict
        vendor_id, vendor_name, rank, total = 3, "Alpha", 1, 50

    assert ScoreRowSchema(only=("vendor_id", "vendor_name", "rank", "total"), many=True).dump(
        [Row()]
    ) == [{"vendor_id": 3, "vendor_name": "Alpha", "rank": 1, "total": 50.0}]


@pytest.mark.parametrize(
    "points",
    [
        {"impact": 31.234, "cost": 20.0, "quality": 5.55},
        {"impact": 100.0},
        {"impact": -3, "cost": float("nan"), "quality": 1e-9},
        {},
    ],
)
def test_a_score_bar_is_written_straight_as_its_elements_would_write_it(points, monkeypatch):
    values = {pillar: max(0.0, float(points.get(pillar, 0.0))) for pillar in charts.PILLARS}
    segments = [
        (value / 100.0, f"{pillar}: {value:.1f} points", charts.PILLAR_COLOURS[pillar])
        for pillar, value in values.items()
    ]
    label = ", ".join(f"{p} {float(points.get(p, 0.0)):.1f}" for p in charts.PILLARS)
    expected = charts._svg(
        220, 14, f"Points by pillar: {label}", charts._bar_parts(segments, 220, 14), class_="bar"
    )

    def element(*arguments, **keywords):
        raise AssertionError("a score bar was built element by element")

    monkeypatch.setattr(charts, "_element", element)
    assert charts.stacked_bar(points) == expected
