"""A page of a list reads what its rows show in a fixed number of queries, however many rows it
holds (#23: the buyer's review queue read each row's vendor and evidence files one by one)."""

import json
import re

import pytest
from sqlalchemy import event

from procure.disclosures import views
from procure.extensions import db
from tests.conftest import request_token


@pytest.fixture
def northwind(demo, client):
    response = request_token(client, "buyer@northwind.example", "demo-purchasing-pass")
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}


def _selects(client, url: str, headers) -> tuple[list[str], object]:
    """The SELECTs one GET of `url` runs, and its answer."""
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
    return selects, response


def _queries(client, url: str, headers) -> tuple[int, list]:
    """How many SELECTs one GET of `url` runs, and its answer's rows."""
    selects, response = _selects(client, url, headers)
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


def test_a_page_of_disclosures_reads_its_vendors_names_with_its_rows(client, northwind):
    """Each row's vendor name comes joined into the page's own query: no query of its own, and
    not the vendor's whole row (its sites, categories and description are JSON and text)."""
    selects, response = _selects(client, "/api/v1/disclosures?page_size=1000", northwind)
    assert len(response.json) > 4
    vendor_reads = [s for s in selects if re.match(r"\s*SELECT vendor\.", s)]
    assert vendor_reads == []
    assert not any("vendor" in s and ".sites" in s for s in selects)
    assert all(row["vendor_name"] for row in response.json)


def _waiting_rows(html: str) -> list[str]:
    """The version links of the review queue page's waiting table."""
    waiting = html.split("Recently reviewed")[0]
    return re.findall(r'href="/disclosures/(\d+)"', waiting)


@pytest.fixture
def northwind_page(demo, app, sign_in):
    return sign_in(app.test_client(), demo, "demo-purchasing-pass")


def test_the_review_queue_page_shows_one_page_of_the_waiting_versions(
    client, northwind, northwind_page, monkeypatch
):
    api = client.get("/api/v1/disclosures?state=submitted&page_size=1000", headers=northwind)
    waiting = {str(row["id"]) for row in api.json}
    assert len(waiting) > 3, "the demo should hold enough waiting versions to tell"
    monkeypatch.setattr(views, "REVIEWS_PER_PAGE", 2)
    first = northwind_page.get("/reviews")
    assert first.status_code == 200
    assert f"Waiting for review ({len(waiting)})" in first.text  # the total, not the page's
    shown = _waiting_rows(first.text)
    assert len(shown) == 2 and set(shown) <= waiting
    assert 'rel="next" href="/reviews?page=2"' in first.text
    second = _waiting_rows(northwind_page.get("/reviews?page=2").text)
    assert len(second) == 2 and not set(second) & set(shown)
    last = -(-len(waiting) // 2)
    every = [
        row
        for n in range(1, last + 1)
        for row in _waiting_rows(northwind_page.get(f"/reviews?page={n}").text)
    ]
    assert sorted(every) == sorted(waiting)  # every one, once, on some page
    assert northwind_page.get("/reviews?page=0").status_code == 422


def test_the_review_queue_page_reads_its_rows_in_fixed_queries(northwind_page, monkeypatch):
    monkeypatch.setattr(views, "REVIEWS_PER_PAGE", 1)
    small, one = _selects(northwind_page, "/reviews", {})
    monkeypatch.setattr(views, "REVIEWS_PER_PAGE", 1000)
    large, whole = _selects(northwind_page, "/reviews", {})
    assert len(_waiting_rows(one.text)) == 1
    assert len(_waiting_rows(whole.text)) > 3
    assert len(large) == len(small), (len(small), len(large))
    # the documents are not read for the queue, which shows no figure of them (the count's
    # subquery names every column and reads none)
    rows = [s for s in large if not s.lstrip().startswith("SELECT count(*)")]
    assert not any("disclosure.figures" in s for s in rows)
