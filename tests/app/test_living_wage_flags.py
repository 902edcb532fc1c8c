"""Living-wage shortfalls are flagged wherever a vendor is shown (issue #22), not only on plan
views: the buyer's comparison (`/scores`), the vendor directory (`/vendors`) and a vendor's
scorecard as a buyer sees it say "Below a living wage (<ratio>)" in words for a vendor whose
impact workers' median wage is under the living wage at the site that scores, and nothing for
one paying exactly a living wage. The comparison and the directory read the ratio from the
disclosure versions their stored rows were scored on, scoring nothing on the read."""

from __future__ import annotations

import re

import pytest

from procure.scoring import services
from tests.conftest import valid_document

FLAG = "Below a living wage"


@pytest.fixture
def wage_world(client, make_vendor, make_user, bearer):
    """Two scored vendors in data annotation: Alpha pays its impact workers exactly a living
    wage (36,000 ÷ 36,000 = 1.00), Beta below it (36,000 ÷ 42,000 = 0.857)."""
    (alpha, alpha_user), (beta, beta_user) = (
        make_vendor("Alpha Annotation"),
        make_vendor("Beta BPO"),
    )
    for (vendor, user), living in (((alpha, alpha_user), 36000.0), ((beta, beta_user), 42000.0)):
        document = valid_document()
        document["wages"][0]["living_wage_benchmark"] = living
        headers = bearer(user)
        created = client.post(
            "/api/v1/disclosures", headers=headers, json={"vendor_id": vendor.id, **document}
        )
        assert created.status_code == 201, created.text
        submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
        assert submitted.status_code == 200, submitted.text
    return {"alpha": alpha, "beta": beta, "buyer": make_user("buyer")}


def _row_of(html: str, name: str) -> str:
    """The table row (`<tr>…</tr>`) that names the vendor."""
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if name in row]
    assert len(rows) == 1, (name, rows)
    return rows[0]


@pytest.mark.parametrize("path", ["/scores?category=data_annotation", "/vendors"])
def test_the_comparison_and_the_directory_flag_a_vendor_below_a_living_wage(
    client, sign_in, wage_world, path
):
    sign_in(client, wage_world["buyer"])
    page = client.get(path)
    assert page.status_code == 200
    assert f"{FLAG} (0.86)" in _row_of(page.text, "Beta BPO")
    assert FLAG not in _row_of(page.text, "Alpha Annotation")  # 1.00 is a living wage
    assert "median wage ÷ living wage" in page.text  # the ratio is explained on the page


def test_the_comparison_reads_the_flag_without_scoring(client, sign_in, wage_world, monkeypatch):
    sign_in(client, wage_world["buyer"])
    assert client.get("/scores?category=data_annotation").status_code == 200  # stored once

    def refuse(*args, **kwargs):
        raise AssertionError("a read of the stored ranking scored the vendors again")

    monkeypatch.setattr(services, "rank_vendors", refuse)
    page = client.get("/scores?category=data_annotation")
    assert f"{FLAG} (0.86)" in _row_of(page.text, "Beta BPO")


def test_a_buyer_sees_the_flag_on_the_scorecard_of_a_vendor_below_a_living_wage(
    client, sign_in, wage_world
):
    sign_in(client, wage_world["buyer"])
    below = client.get(f"/vendors/{wage_world['beta'].id}/scorecard")
    assert below.status_code == 200
    assert f"{FLAG} (0.86):" in below.text
    assert 'id="living-wage-flag"' in below.text and 'role="status"' in below.text
    at = client.get(f"/vendors/{wage_world['alpha'].id}/scorecard")
    assert at.status_code == 200
    assert "Median ÷ living" in at.text  # the scorecard is shown, its sites with their ratio
    assert FLAG not in at.text


def test_one_rule_for_the_ratio_in_the_site_table_and_the_flags():
    """The scorecard's site table and the lists' flags read a site's ratio by one rule: a median
    of 0 or an unreadable value gives no ratio in both (the flags used to read 0.00)."""
    from procure.disclosures.tables import living_wage_ratio, site_wages

    for median, expected in ((0, None), ("n/a", None), (430.0, 0.86)):
        site = {
            "site": "Nairobi",
            "impact_worker_median_wage": median,
            "living_wage_benchmark": 500,
        }
        figures = {"wages": [site]}
        table_ratio = site_wages(figures)[0]["median_to_living"]
        assert living_wage_ratio(figures) == table_ratio == expected
