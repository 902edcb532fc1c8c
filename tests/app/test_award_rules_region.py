"""A vendor group by region (issue 21): `countries` (two letters each, at least two) with the label
the buyer names ("East Africa"), expanded into the plan's vendors based in those countries as a
`country` group is, through the API, the scenario page's form, the rule sentences of the page
and the board report, and the audit trail.

The world is `test_award_rules_app.world` (the closed event of `test_award_scenarios.awarding`,
vendor A in Kenya, B in Uganda) with vendor C based in India, disclosed, and its lot 1 bid at
15 USD an hour (at most 5,000 hours). Lot 1 "Labelling", 1,000 hours: A 10 USD (at most 600), B
12 USD, C 15 USD. Lot 2 "Invoices", 2,000 items: B's 50 KES = 0.387 USD beats A's 0.50.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from procure.events.models import Bid
from procure.extensions import db
from procure.scenarios.models import Scenario
from procure.scenarios.report_context import board_context
from tests.app.test_award_rules_app import (
    _page_client,
    _refused,
    _same_as_the_api,
    world,  # noqa: F401 (a fixture, through region_world)
)
from tests.app.test_award_scenarios import (
    _documents,
    _scenario,
    awarding,  # noqa: F401 (a fixture, through world)
)
from tests.conftest import csrf_token_from, valid_document

EAST_AFRICA = ["KE", "UG", "TZ"]


@pytest.fixture
def region_world(client, request):
    """`world` with vendor C based in India, with a submitted disclosure, bidding 15 USD."""
    s = request.getfixturevalue("world")
    s.vendors["c"].country = "IN"
    db.session.commit()
    headers = s.headers["vendor_c"]
    created = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": s.vendors["c"].id, **valid_document()},
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    db.session.execute(update(Bid).where(Bid.id == s.bids["c", 1]).values(price=15))
    db.session.commit()
    return s


def _region(s, **changes) -> dict:
    return {
        "id": "east-africa",
        "label": "East Africa",
        "countries": list(EAST_AFRICA),
        "measure": "hours",
        "max_share": 0.7,
        "need": s.need_ids[0],
        **changes,
    }


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Scenario))


def test_a_region_cap_binds_and_places_the_lots_as_checked_by_hand(client, region_world, sign_in):
    """Without the rule, lot 1 goes A 600 hours at 10 (its cap) and B 400 at 12; C's 15 USD is
    the dearest and gets nothing; lot 2 B's 2,000 items at 0.387 = 774: 11,574 USD.
    East Africa (Kenya, Uganda, Tanzania: A and B, not C in India) gets at most 70 % of lot 1's
    1,000 hours, so A and B together at most 700: A keeps its cheaper 600 at 10 = 6,000, B 100
    at 12 = 1,200, and C in India takes the other 300 at 15 = 4,500. Lot 1: 11,700 USD; with
    lot 2's 774: 12,474 USD. A group of Kenya alone at 70 % would not bind (A has 600 < 700):
    B counts in the region because Uganda is listed, and C does not because India is not."""
    s = region_world
    a, b, c = (f"V{s.vendors[v].id}" for v in "abc")
    n1, n2 = (f"N{need_id}" for need_id in s.need_ids)
    created = _scenario(client, s, targets={"vendor_groups": [_region(s)]})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "solved"
    assert created.json["targets"]["vendor_groups"] == [_region(s)]  # as the buyer sent it
    problem, result = _documents(client, s, created.json["id"])
    # the document's group lists the vendors based in the region's countries, sorted
    assert problem["targets"]["vendor_groups"] == [
        {
            "id": "east-africa",
            "label": "East Africa",
            "measure": "hours",
            "max_share": 0.7,
            "vendors": sorted([a, b], key=lambda key: int(key[1:])),
            "need": n1,
        }
    ]
    assert problem["meta"]["vendor_group_countries"] == {"east-africa": ["KE", "TZ", "UG"]}
    placed = {
        (x["vendor"], x["need"]): x["volume"] for x in result["allocations"] if x["volume"] > 1e-6
    }
    assert placed == pytest.approx(
        {(a, n1): 600.0, (b, n1): 100.0, (c, n1): 300.0, (b, n2): 2000.0}, abs=1e-6
    )
    assert result["totals"]["cost"] == pytest.approx(12474.0, abs=1e-6)
    binding = {row["kind"] for row in result["constraints"] if row["binding"]}
    assert "vendor_group_max_share" in binding

    # the page and the board report say it with the region's countries and its vendors
    sentence = (
        "Vendors in East Africa (KE, TZ, UG; here Vendor A and Vendor B) get at most 70 % of "
        "the labour hours on “Labelling”."
    )
    browser = _page_client(client, s, sign_in)
    page = browser.get(f"/scenarios/{created.json['id']}").text
    assert sentence in page
    report = board_context(db.session.get(Scenario, created.json["id"]))["award_rules"]
    assert report["rules"] == [sentence]


@pytest.mark.parametrize(
    ("group", "field", "message"),
    [
        ({"countries": ["KE", "XX"]}, "targets.vendor_groups[0].countries[1]", "'XX'"),
        ({"countries": ["KE", "Kenya"]}, "targets.vendor_groups[0].countries[1]", "two letters"),
        ({"countries": ["KE", "ke"]}, "targets.vendor_groups[0].countries[1]", "listed twice"),
        ({"countries": ["KE"]}, "targets.vendor_groups[0].countries", "at least two"),
        ({"countries": "KE, UG"}, "targets.vendor_groups[0].countries", "at least two"),
        ({"country": "KE"}, "targets.vendor_groups[0]", "only one of them"),
        ({"vendors": [1]}, "targets.vendor_groups[0]", "only one of them"),
    ],
)
def test_a_bad_region_is_refused_naming_the_field_and_nothing_is_saved(
    client, region_world, group, field, message
):
    s = region_world
    if group.get("vendors") == [1]:
        group["vendors"] = [s.vendors["a"].id]
    record = _region(s, **group)
    created = _scenario(client, s, targets={"vendor_groups": [record]})
    assert created.status_code == 422, created.json
    assert field in created.json["errors"], created.json["errors"]
    assert message in " ".join(created.json["errors"][field])
    assert _count() == 0


def test_a_region_added_on_the_page_is_the_apis(client, region_world, sign_in):
    """The page's region form makes the same group as the API (the golden case's): 12,474 USD.
    The countries are typed separated by commas or spaces, in any case."""
    s = region_world
    n1 = s.need_ids[0]
    saved = _scenario(client, s).json
    browser = _page_client(client, s, sign_in)
    url = f"/scenarios/{saved['id']}"
    page = browser.get(url).text
    assert "Limit the share of a region" in page
    form = {
        "csrf_token": csrf_token_from(page),
        "version": str(saved["version"]),
        "region.label": "East Africa",
        "region.measure": "hours",
        "region.max_share": "70",
        "region.need": str(n1),
    }
    post = f"{url}/region-group"
    _refused(
        browser,
        post,
        {**form, "region.countries": "KE, XX"},
        "region.countries",
        "Countries (two letters each, such as KE, UG, TZ)</a>: Unknown country code &#39;XX&#39;",
        [
            'name="region.countries" type="text" value="KE, XX"',
            'name="region.label" type="text" value="East Africa"',
        ],
    )
    _refused(
        browser,
        post,
        {**form, "region.countries": " "},
        "region.countries",
        "Give the region&#39;s countries",
        ['name="region.max_share" type="number" value="70"'],
    )
    db.session.expire_all()
    assert db.session.get(Scenario, saved["id"]).targets == {}

    done = browser.post(post, data={**form, "region.countries": "ke, ug tz"})
    assert done.status_code == 302
    result = _same_as_the_api(client, s, saved["id"], {"vendor_groups": [_region(s)]})
    assert result["totals"]["cost"] == pytest.approx(12474.0, abs=1e-6)
    page = browser.get(url).text
    assert "Vendors in East Africa (KE, TZ, UG; here Vendor A and Vendor B)" in page


def test_a_region_is_said_by_its_countries_and_one_without_a_vendor_is_left_out():
    """`document_rules` expands a region into the document's vendors based there (vendor 3 in
    India is not); a region with none of them goes, and is said. The audit trail says a region
    by its countries."""
    from procure.scenarios.award_rules import document_rules
    from procure.scenarios.trail import change_words

    east = {"id": "east", "label": "East Africa", "countries": ["ke", "UG", "TZ"]}
    south = {"id": "south", "label": "Southern Africa", "countries": ["ZA", "BW"]}
    limits = {"measure": "spend", "max_share": 0.4}
    targets = {"vendor_groups": [{**east, **limits}, {**south, **limits}]}
    rules, notes = document_rules(targets, {1: "V1", 2: "V2", 3: "V3"}, {1: "KE", 2: "UG", 3: "IN"})
    assert rules == {
        "vendor_groups": [{"id": "east", "label": "East Africa", **limits, "vendors": ["V1", "V2"]}]
    }
    assert notes == [
        "The vendor group Southern Africa has no vendor in this plan, so its limits are not "
        "applied."
    ]
    assert change_words({"targets": {}}, {"targets": {"vendor_groups": [{**east, **limits}]}}, [])[
        0
    ] == (
        "added a vendor group: Vendors in East Africa (KE, TZ, UG) get at most 40 % of the "
        "spend over all needs."
    )
