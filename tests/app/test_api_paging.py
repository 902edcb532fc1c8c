"""Every list of the API comes a page at a time (procure/api_paging.py), on the demo.

A list keeps answering a JSON array; `page` and `page_size` choose the page, and the headers say
how many there are (`X-Pagination`) and where the other pages are (`Link`). Walking the pages
gives every record once, in the order of the whole list.
"""

import json
import re
from html import unescape as html_unescape

import pytest

from procure.api_paging import MAX_PAGE_SIZE, PAGE_SIZE
from procure.extensions import db
from procure.vendors.models import Vendor


def _token(client, email: str, password: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.fixture
def northwind(demo, client):
    return _token(client, "buyer@northwind.example", "demo-purchasing-pass")


def _walk(client, url: str, headers, page_size: int) -> list:
    """Every item of a list, page after page, following the `Link` header's `next`."""
    items, pages = [], 0
    next_url = f"{url}{'&' if '?' in url else '?'}page_size={page_size}"
    while next_url:
        response = client.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        assert len(response.json) <= page_size
        items.extend(response.json)
        pages += 1
        found = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        next_url = found.group(1) if found else None
    total = json.loads(response.headers["X-Pagination"])["total"]
    assert pages == -(-total // page_size) or (total == 0 and pages == 1)
    return items


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/vendors",
        "/api/v1/vendors?country=KE",
        "/api/v1/scores",
        "/api/v1/disclosures",
        "/api/v1/disclosures?state=submitted",
        "/api/v1/needs",
        "/api/v1/service-categories",
        "/api/v1/metrics",
    ],
)
def test_walking_the_pages_gives_the_whole_list_in_its_order(client, northwind, url):
    whole = client.get(url, headers=northwind)
    assert whole.status_code == 200
    assert len(whole.json) > 2, "the demo should hold enough rows to page"
    assert json.loads(whole.headers["X-Pagination"])["total"] == len(whole.json)
    assert _walk(client, url, northwind, page_size=2) == whole.json


def test_the_headers_count_all_and_link_the_other_pages(client, northwind):
    every = db.session.query(Vendor).count()
    response = client.get("/api/v1/vendors?page=2&page_size=5", headers=northwind)
    assert response.status_code == 200
    assert len(response.json) == 5
    last = -(-every // 5)
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": every,
        "total_pages": last,
        "first_page": 1,
        "last_page": last,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }
    links = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    )
    assert set(links) == {"first", "prev", "next", "last"}
    assert links["next"].startswith("/api/v1/vendors?")
    assert "page=3" in links["next"] and "page_size=5" in links["next"]
    assert f"page={last}" in links["last"]
    # past the last page: an empty page, still counted
    beyond = client.get(f"/api/v1/vendors?page={last + 1}&page_size=5", headers=northwind)
    assert beyond.status_code == 200 and beyond.json == []
    assert json.loads(beyond.headers["X-Pagination"])["total"] == every


def test_a_page_of_the_ranking_keeps_the_rank_over_all_vendors(client, northwind):
    whole = client.get("/api/v1/scores", headers=northwind).json
    second = client.get("/api/v1/scores?page=2&page_size=4", headers=northwind).json
    assert second == whole[4:8]
    assert [row["rank"] for row in second] == [row["rank"] for row in whole[4:8]]


def test_the_category_filter_runs_in_the_database_and_pages(client, northwind):
    category = "data_annotation"
    expected = [
        v.id
        for v in db.session.query(Vendor).order_by(Vendor.name, Vendor.id)
        if category in v.service_categories
    ]
    assert len(expected) > 2
    got = _walk(client, f"/api/v1/vendors?category={category}", northwind, page_size=2)
    assert [v["id"] for v in got] == expected
    assert client.get("/api/v1/vendors?category=no_such", headers=northwind).json == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("page_size=0", "page_size"),
        (f"page_size={MAX_PAGE_SIZE + 1}", "page_size"),
        ("page_size=ten", "page_size"),
    ],
)
def test_bad_paging_parameters_answer_422_naming_them(client, northwind, query, field):
    response = client.get(f"/api/v1/vendors?{query}", headers=northwind)
    assert response.status_code == 422, response.text
    assert list(response.json["errors"]) == [field], response.json


def test_the_default_page_and_the_largest_are_documented_on_every_list(client):
    spec = client.get("/api/v1/openapi.json").json
    lists = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        content = get["responses"].get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if schema.get("type") != "array":
            continue
        lists.append(path)
        parameters = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
        assert "page" in parameters and "page_size" in parameters, path
        size = parameters["page_size"]["schema"]
        assert size["default"] == PAGE_SIZE and size["maximum"] == MAX_PAGE_SIZE, path
        assert {"X-Pagination", "Link"} <= set(get["responses"]["200"].get("headers", {})), path
    assert "/api/v1/scores" in lists and "/api/v1/vendors" in lists


def test_a_page_far_past_the_last_is_empty_not_an_error(client, northwind):
    for url in ("/api/v1/vendors", "/api/v1/scores", "/api/v1/auth/tokens"):
        response = client.get(f"{url}?page={2**70}", headers=northwind)
        assert response.status_code == 200 and response.json == [], url
        assert "next" not in response.headers.get("Link", "")


def _page_names(html: str) -> list[str]:
    """The vendor names of the comparison table, in its order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html_unescape(name) for name in re.findall(r'/scorecard[^"]*">([^<]+)</a>', body)]


def test_the_comparison_page_shows_one_page_of_the_ranking(client, northwind, sign_in, demo):
    from procure.scoring.views import SCORES_PER_PAGE

    whole = client.get("/api/v1/scores", headers=northwind).json
    sign_in(client, demo, "demo-purchasing-pass")
    first = client.get("/scores?category=")  # every category, as the API
    assert first.status_code == 200
    shown = _page_names(first.text)
    assert len(shown) == min(SCORES_PER_PAGE, len(whole))
    assert shown == [r["vendor_name"] for r in whole[:SCORES_PER_PAGE]]


def test_the_comparison_page_pages_and_sorts_the_whole_ranking(
    client, northwind, sign_in, demo, monkeypatch
):
    import procure.scoring.views as views

    monkeypatch.setattr(views, "SCORES_PER_PAGE", 5)
    whole = client.get("/api/v1/scores", headers=northwind).json
    sign_in(client, demo, "demo-purchasing-pass")
    second = client.get("/scores?category=&page=2")
    names = _page_names(second.text)
    assert names == [r["vendor_name"] for r in whole[5:10]]
    assert f"Page 2 of {-(-len(whole) // 5)}" in second.text
    assert 'rel="next"' in second.text and 'rel="prev"' in second.text
    assert f"sorts all {len(whole)} before they are paged" in second.text
    by_impact = sorted(whole, key=lambda r: -r["impact_score"])  # stable, as the page sorts
    third = client.get("/scores?category=&sort=impact&page=3")
    names = _page_names(third.text)
    assert names == [r["vendor_name"] for r in by_impact[10:15]]
    previous = re.search(r'<a rel="prev" href="([^"]+)"', third.text).group(1)
    assert "sort=impact" in previous and "page=2" in previous and "category=&" in previous
    # an unreadable page or sort is refused, naming each and what it takes
    refused = client.get("/scores?category=&page=abc&sort=nonsense")
    assert refused.status_code == 422
    assert "<code>page</code>: Give a page number: a whole number from 1." in refused.text
    assert "<code>sort</code>: Must be one of: rank, impact, stability" in refused.text


def test_a_list_built_whole_is_paged_as_the_pages_page_it():
    from types import SimpleNamespace

    from procure.api_paging import page_of_list
    from procure.paging import page_of_items

    items = tuple(range(7))
    parameters = SimpleNamespace(page=3, page_size=3, item_count=None)
    assert page_of_list(items, parameters) == [6]
    assert parameters.item_count == 7
    page = page_of_items(items, 3, 3)
    assert (page.items, page.total, page.pages) == ([6], 7, 3)
    assert page_of_items(items, 4, 3).items == []


def test_the_comparison_page_reads_no_page_as_the_first_and_refuses_any_other(
    client, northwind, sign_in, demo, monkeypatch
):
    import procure.scoring.views as views

    monkeypatch.setattr(views, "SCORES_PER_PAGE", 5)
    whole = client.get("/api/v1/scores", headers=northwind).json
    sign_in(client, demo, "demo-purchasing-pass")
    shown = client.get("/scores?category=&page=")
    assert shown.status_code == 200
    assert _page_names(shown.text) == [r["vendor_name"] for r in whole[:5]]
    for page in ("0", "-2", "1.5", "99999999999999999999999"):
        refused = client.get(f"/scores?category=&page={page}")
        assert refused.status_code == 422 and "<code>page</code>" in refused.text, page


def _directory_rows(html: str) -> list[tuple[str, str, str]]:
    """(vendor, score, rank) of each row of the directory's table, in its order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in body.split("</tr>")[:-1]:
        name = re.search(r'/vendors/\d+">([^<]+)</a>', row).group(1)
        score = re.search(r'/scorecard[^"]*">([\d.]+)</a>', row)
        rank = re.search(r'data-sort="\d*">([^<]+)</td>', row)
        rows.append((html_unescape(name), score.group(1) if score else "not scored", rank.group(1)))
    return rows


def test_the_vendor_directory_shows_each_vendors_score_and_rank_in_the_category(
    client, northwind, sign_in, demo, monkeypatch
):
    """The directory opens on the comparison's category (data annotation for Northwind), shows
    the score and rank the API ranks there (13 scored), pages, and orders by rank in SQL."""
    import procure.vendors.views as views

    ranked = client.get("/api/v1/scores?category=data_annotation", headers=northwind).json
    assert len(ranked) == 13
    sign_in(client, demo, "demo-purchasing-pass")
    by_rank = client.get("/vendors?order=rank")
    assert by_rank.status_code == 200
    assert '<option value="data_annotation" selected>' in by_rank.text
    assert _directory_rows(by_rank.text) == [
        (r["vendor_name"], f"{r['total']:.1f}", f"{r['rank']} of 13") for r in ranked
    ]
    with client.application.app_context():  # every vendor that lists the category, by name
        listing = sorted(
            (
                v.name
                for v in db.session.scalars(db.select(Vendor))
                if "data_annotation" in v.service_categories
            ),
            key=str.lower,
        )
    by_name = _directory_rows(client.get("/vendors").text)
    assert [name for name, _, _ in by_name] == listing
    scored = {r["vendor_name"] for r in ranked}
    assert {name for name, score, _ in by_name if score == "not scored"} == set(listing) - scored
    # every category: all vendors, paged
    monkeypatch.setattr(views, "VENDORS_PER_PAGE", 10)
    with client.application.app_context():
        everyone = db.session.scalar(db.select(db.func.count()).select_from(Vendor))
    second = client.get("/vendors?category=&page=2")
    assert len(_directory_rows(second.text)) == 10
    assert f"Page 2 of {-(-everyone // 10)} ({everyone} vendors)" in second.text
    assert re.search(r'rel="next" href="[^"]*category=&amp;', second.text)
    refused = client.get("/vendors?category=no_such_category")
    assert refused.status_code == 422 and "<code>category</code>" in refused.text


def test_a_category_filter_is_no_pattern():
    """Keys are matched as whole JSON strings: `_` and `%` are no wildcards."""
    from procure.vendors.models import declares_category

    clause = declares_category("data_annotation")
    assert clause.right.value == '%"data\\_annotation"%'
