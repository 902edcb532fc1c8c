"""Pages answer a bad query parameter as the API does: 422, naming the parameter and what it
takes (procure.page_query), and a good one as before."""

import pytest

from procure.extensions import db
from procure.scenarios.models import Scenario

# (page, a good query, bad queries with the parameter each names); {vendor} and {scenario} are
# filled in with the buyer's (a scenario never solved: the query is read all the same)
PAGES = [
    ("/scores", "category=&sort=impact&page=2", ["category=zzz", "sort=no", "page=a", "profile=a"]),
    ("/vendors", "category=data_annotation&order=rank", ["category=zzz", "order=x", "page=0"]),
    ("/vendors/{vendor}/scorecard", "category=data_annotation", ["category=zzz", "profile=0"]),
    ("/exchange-rates", "currency=kes&page=1", ["currency=zz1", "page=-1"]),
    ("/scenarios", "", ["event_id=abc"]),
    ("/scenarios/{scenario}", "page=2", ["page=abc"]),
    ("/scenarios/{scenario}/deliveries", "page=1", ["page=0"]),
    ("/scenarios/compare", "ids={scenario}&ids={scenario}", ["ids=abc&ids=1"]),
    ("/notifications", "page=5", ["page=1.5"]),
    ("/invitations", "page=1", ["page=x"]),
    ("/campaigns", "page=3", ["page=99999999999"]),
    ("/disclosures/table/export.csv", "latest_period=1", ["latest_period=maybe"]),
]


@pytest.mark.parametrize(("path", "good", "bad"), PAGES, ids=[p[0] for p in PAGES])
def test_a_bad_query_parameter_answers_422_naming_it(
    client, make_user, make_vendor, sign_in, path, good, bad
):
    buyer = make_user("buyer")
    vendor, _ = make_vendor()
    scenario = Scenario(organization_id=buyer.organization_id, name="Plan", need_ids=[])
    db.session.add(scenario)
    db.session.commit()
    sign_in(client, buyer)
    url = path.format(vendor=vendor.id, scenario=scenario.id)
    answered = client.get(f"{url}?{good.format(scenario=scenario.id)}")
    assert answered.status_code == 200, answered.text
    for query in bad:
        refused = client.get(f"{url}?{query}")
        name = query.split("=")[0]
        assert refused.status_code == 422, (query, refused.text)
        assert f"<code>{name}" in refused.text, (query, refused.text)
        assert "each parameter refused is named" in refused.text
