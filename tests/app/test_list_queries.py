"""A page of a list reads what its rows show in a fixed number of queries, however many rows it
holds (#23: the buyer's review queue read each row's vendor and evidence files one by one)."""

import json

import pytest
from sqlalchemy import event

from procure.extensions import db
from tests.conftest import request_token


@pytest.fixture
def northwind(demo, client):
    response = request_token(client, "buyer@northwind.example", "demo-purchasing-pass")
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}


def _queries(client, url: str, headers) -> tuple[int, list]:
    """The SELECTs one GET of `url` runs, and its answer's rows."""
    selects: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    db.session.remove()  # nothing cached from an earlier request
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return len(selects), response.json


@pytest.mark.parametrize("url", ["/api/v1/disclosures?state=submitted", "/api/v1/disclosures"])
def test_a_page_of_disclosures_reads_its_vendors_and_files_in_fixed_queries(client, northwind, url):
    small, two = _queries(
        client, f"{url}&page_size=2" if "?" in url else f"{url}?page_size=2", northwind
    )
    large, many = _queries(
        client, f"{url}&page_size=1000" if "?" in url else f"{url}?page_size=1000", northwind
    )
    assert len(two) == 2
    assert len(many) > 4, "the demo should hold enough versions to tell"
    assert large == small, (small, large)
    # what each row shows from its vendor and files is there, as before
    assert all(row["vendor_name"] for row in many)
    assert all(isinstance(row["evidence_files"], list) for row in many)
    assert many[:2] == two  # the same order, page or whole


def test_the_review_queue_counts_every_waiting_version(client, northwind):
    response = client.get("/api/v1/disclosures?state=submitted&page_size=1", headers=northwind)
    assert response.status_code == 200
    total = json.loads(response.headers["X-Pagination"])["total"]
    whole = client.get("/api/v1/disclosures?state=submitted&page_size=1000", headers=northwind)
    assert total == len(whole.json) > 1
    assert {row["state"] for row in whole.json} == {"submitted"}


@pytest.mark.parametrize(
    ("query", "field"), [("page_size=0", "page_size"), ("page=0", "page"), ("state=nope", "state")]
)
def test_bad_review_queue_parameters_answer_422_naming_them(client, northwind, query, field):
    response = client.get(f"/api/v1/disclosures?{query}", headers=northwind)
    assert response.status_code == 422
    assert field in json.dumps(response.json["errors"])
