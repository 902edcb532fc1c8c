"""The coalition report (PDF) for the members' boards, the search for buyer organizations to
invite, and the actual line that ends at the last month delivered.

The world is tests/app/coalition_world.py. Deliveries (A's and B's approved plans), with Alpha's
2027 disclosure (55 impact workers of 115 at the end: share 55/115):
  A: Alpha 2027-01 1,000 h invoiced 10,000 USD; Beta 2027-01 500 h, 2,500 USD (Beta disclosed
     nothing: no impact-worker hours); B: Alpha 2027-03 300 h, 3,000 USD.
  Jobs, actual: A 1,000 × 55/115 / 2,000 = 0.239130; B 300 × 55/115 / 1,800 = 0.079710;
  together 0.318841, printed "0.3". Projected 2.8 (tests/app/test_coalitions.py).
  Spend share, actual: with impact vendors (Alpha, score 70 ≥ 50) 10,000 + 3,000 = 13,000 of
  15,500 = 0.838710, which would print "83.9%"; but its spend with other vendors is A's alone
  (Beta's 2,500; projected, Beta's 15,000), so it is withheld, projected and actual, and the
  report prints "fewer than 2 members; not shown" (as tests/app/test_coalitions.py explains,
  these tests run at a minimum of 2 members: the world has two).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from markupsafe import escape

from procure.charts import cumulative_chart
from procure.coalitions.progress import Delivered, Target, target_progress
from procure.coalitions.report import figure_text
from procure.extensions import db
from tests.app.coalition_world import SECRETS, build, pdf_figures, pdf_text
from tests.conftest import csrf_token_from, valid_document


@pytest.fixture
def cw(app, make_org, make_user, make_vendor, bearer):
    app.config["COALITION_MIN_CELL_MEMBERS"] = 2  # two members: see tests/app/test_coalitions.py
    world = build(make_org, make_user, make_vendor)
    world["headers"] = {name: bearer(user) for name, user in world["users"].items()}
    world["users"]["buyer_b"] = make_user("buyer", organization=world["organizations"]["member_b"])
    world["headers"]["buyer_b"] = bearer(world["users"]["buyer_b"])
    return world


DELIVERED = [  # (who, plan, vendor, month, volume, invoiced)
    ("buyer_a", "a", "alpha", "2027-01", 1000, 10000),
    ("buyer_a", "a", "beta", "2027-01", 500, 2500),
    ("buyer_b", "b", "alpha", "2027-03", 300, 3000),
]


def _deliver(client, cw, rows=DELIVERED):
    headers = cw["headers"]["vendor"]
    created = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": cw["vendors"]["alpha"].id, **valid_document("2027-01-01", "2027-12-31")},
    )
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    for who, plan, vendor, month, volume, amount in rows:
        recorded = client.post(
            f"/api/v1/scenarios/{cw['plans'][plan].id}/deliveries",
            headers=cw["headers"][who],
            json={
                "vendor_id": cw["vendors"][vendor].id,
                "month": month,
                "delivered_volume": volume,
                "invoiced_amount": amount,
            },
        )
        assert recorded.status_code == 201, recorded.json


def _report(client, headers, coalition_id) -> tuple[dict, bytes]:
    started = client.post(f"/api/v1/coalitions/{coalition_id}/report", headers=headers)
    assert started.status_code == 202, started.json
    job = client.get(f"/api/v1/jobs/{started.json['id']}", headers=headers).json
    assert job["status"] == "succeeded", job
    assert job["kind"] == "report.coalition_pdf"
    pdf = client.get(job["file_url"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and job["result"]["bytes"] == len(pdf.data)
    return job, pdf.data


def test_the_pdf_carries_the_figures_of_the_api_and_the_page(client, cw, tmp_path):
    _deliver(client, cw)
    coalition_id = cw["ids"]["coalition"]
    for reader in ("coordinator", "executive_b"):
        headers = cw["headers"][reader]
        progress = client.get(f"/api/v1/coalitions/{coalition_id}/progress", headers=headers).json
        _, pdf = _report(client, headers, coalition_id)
        text = pdf_text(pdf, tmp_path)
        labels = [target["label"] for target in progress["targets"]]
        expected = {
            target["label"]: tuple(
                figure_text(target, key, target["measure"], target["suppressed_reason"])
                for key in ("projected", "actual")
            )
            for target in progress["targets"]
        }
        first_words = {label: tuple(f.split()[0] for f in pair) for label, pair in expected.items()}
        assert pdf_figures(text, labels) == first_words
        # every page after the cover says what the report is (not "Board report")
        assert text.count("Coalition report · for the members' boards") >= 2
        assert "Board report" not in text
        # hand-checked (the module's docstring)
        jobs, share = (expected[label] for label in labels)
        assert jobs == ("2.8", "0.3")
        # was share[1] == "83.9%": withheld (the docstring), in words on the PDF
        assert share == ("fewer than 2 members; not shown",) * 2
        assert "fewer than 2 members; not shown" in " ".join(text.split())
        # the page prints the same figures
        page = client.get(f"/coalitions/{coalition_id}", headers=headers).text
        on_page = re.findall(r'<strong class="(projected|actual)">([^<]+)</strong>', page)
        assert [value for _, value in on_page] == [
            figure for label in labels for figure in expected[label]
        ]
        # the cover, the charter, the named contribution, the method
        assert "Buyers for Impact 2027" in text and "Impact Sourcing Coalition Secretariat" in text
        assert "Steady demand lets impact vendors hire and train." in text
        assert "Member A" in text and "Other members" in text
        # the backbone: A (sharing) folded into "other members" with B, and why, as on the page
        folded = [target["folded_reason"] for target in progress["targets"]]
        if reader == "coordinator":
            assert folded[0] and folded[0].startswith("A member that shares its contribution")
            assert "1 of 2 members share theirs, so 1 is summed" in folded[0]
            assert folded[0] in " ".join(text.split())
            assert str(escape(folded[0])) in page
        else:
            assert folded == [None, None]
        assert "hours per FTE-year" in text and "impact score is 50 or more" in text
        # vendors beyond capacity: Alpha, 1,000 + 300 h booked a month against 1,200 from 2027-01
        assert "Alpha Annotation" in text and "108 %" in text


def test_no_price_budget_need_or_delivery_of_a_member_is_in_the_pdf(client, cw, tmp_path):
    """Member A's need title, scenario name, price and budget, and B's delivered volume and
    invoiced amount, are in no report the backbone or the other member makes."""
    _deliver(client, cw, [*DELIVERED, ("buyer_b", "b", "alpha", "2027-02", 4321.25, 86421.97)])
    delivered = ["4321.25", "4,321", "86421.97", "86,421", "86,422"]
    secrets = [*SECRETS.values(), "987,654", "120,000", "120000", "47.39", *delivered]
    for reader in ("coordinator", "backbone_admin", "executive_a", "buyer_b"):
        _, pdf = _report(client, cw["headers"][reader], cw["ids"]["coalition"])
        text = " ".join(pdf_text(pdf, tmp_path).split())
        leaked = [secret for secret in secrets if secret in text]
        if reader == "buyer_b":  # its own plan's need and name would be its own; none is shown
            assert SECRETS["other_need_title"] not in text
        assert leaked == [], (reader, leaked)


def test_only_the_backbone_and_active_members_make_and_read_the_report(client, cw):
    coalition_id = cw["ids"]["coalition"]
    job, _ = _report(client, cw["headers"]["coordinator"], coalition_id)
    again = client.post(
        f"/api/v1/coalitions/{coalition_id}/report", headers=cw["headers"]["coordinator"]
    )
    assert again.status_code == 202  # the first one ended: a new one is made
    # another organization never reads the backbone's job or its file
    for reader in ("executive_b", "invited", "outsider"):
        headers = cw["headers"][reader]
        assert client.get(f"/api/v1/jobs/{job['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/jobs/{job['id']}/file", headers=headers).status_code == 404
    for reader, status in (("invited", 404), ("outsider", 404), ("vendor", 404)):
        refused = client.post(
            f"/api/v1/coalitions/{coalition_id}/report", headers=cw["headers"][reader]
        )
        assert refused.status_code == status, (reader, refused.json)
    # a member that left makes it no more, and no longer reads the ones it made as a member:
    # the job stays in its list, without a file to fetch
    made, _ = _report(client, cw["headers"]["executive_b"], coalition_id)
    left = client.post(
        f"/api/v1/coalitions/{coalition_id}/membership/leave", headers=cw["headers"]["executive_b"]
    )
    assert left.status_code == 200
    gone = client.post(
        f"/api/v1/coalitions/{coalition_id}/report", headers=cw["headers"]["executive_b"]
    )
    assert gone.status_code == 404
    listed = client.get(f"/api/v1/jobs/{made['id']}", headers=cw["headers"]["executive_b"])
    assert listed.status_code == 200 and listed.json["file_url"] is None
    refused = client.get(f"/api/v1/jobs/{made['id']}/file", headers=cw["headers"]["executive_b"])
    assert refused.status_code == 403 and "no longer a member" in refused.json["message"]
    # the backbone still reads its own
    assert (
        client.get(f"/api/v1/jobs/{job['id']}/file", headers=cw["headers"]["coordinator"])
    ).status_code == 200


def test_the_page_makes_the_report_and_links_its_file(client, cw, sign_in):
    coalition_id = cw["ids"]["coalition"]
    sign_in(client, cw["users"]["executive_a"])
    page = client.get(f"/coalitions/{coalition_id}")
    assert "Prepare the coalition report (PDF)" in page.text
    made = client.post(
        f"/coalitions/{coalition_id}/report", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert made.status_code == 302 and made.location.endswith(f"/coalitions/{coalition_id}#report")
    page = client.get(f"/coalitions/{coalition_id}")
    link = re.search(r'href="(/api/v1/jobs/\d+/file)">Download coalition-\d+-report', page.text)
    assert link, "no download link on the page"
    assert client.get(link.group(1)).data.startswith(b"%PDF")


# ---------------------------------------------------------------- finding whom to invite


def test_the_backbone_finds_buyer_organizations_to_invite_by_name(client, cw, make_org):
    coalition_id = cw["ids"]["coalition"]
    headers = cw["headers"]["coordinator"]
    url = f"/api/v1/coalitions/{coalition_id}/candidates"
    found = client.get(url, headers=headers, query_string={"q": "organization"}).json
    # C is invited and A, B are members: only D is left
    only_d = [{"id": cw["ids"]["organization_d"], "name": "Organization D"}]
    assert found == {"items": only_d, "total": 1}
    everyone = client.get(url, headers=headers).json
    names = {item["name"] for item in everyone["items"]}
    assert names.isdisjoint({"Member A", "Member B", "Organization C"})
    assert "Impact Sourcing Coalition Secretariat" not in names  # a backbone, not a buyer
    for number in range(25):
        make_org("buyer", f"Zeta Buyer {number:02}")
    make_org("buyer", "Alpha Zeta Foods")
    make_org("vendor", "Zeta Vendor")
    many = client.get(url, headers=headers, query_string={"q": "ZETA"}).json
    assert many["total"] == 26 and len(many["items"]) == 20
    assert many["items"][0]["name"] == "Zeta Buyer 00"  # those starting with it first
    assert all(set(item) == {"id", "name"} for item in many["items"])
    too_long = client.get(url, headers=headers, query_string={"q": "x" * 201})
    assert too_long.status_code == 422 and "q" in str(too_long.json)
    # a declined organization may be found and invited again
    declined = client.post(
        f"/api/v1/coalitions/{coalition_id}/membership/decline", headers=cw["headers"]["invited"]
    )
    assert declined.status_code == 200
    again = client.get(url, headers=headers, query_string={"q": "organization"}).json
    assert [item["name"] for item in again["items"]] == ["Organization C", "Organization D"]
    # nobody else searches
    assert client.get(url, headers=cw["headers"]["executive_a"]).status_code == 403


def test_the_page_searches_without_javascript_and_invites_from_the_result(client, cw, sign_in):
    coalition_id = cw["ids"]["coalition"]
    sign_in(client, cw["users"]["coordinator"])
    page = client.get(f"/coalitions/{coalition_id}", query_string={"q": "org"})
    assert page.status_code == 200
    assert "1 match." in page.text and "Organization D" in page.text
    assert "Organization C" not in page.text.split('id="invite"')[1]  # invited already
    invited = client.post(
        f"/coalitions/{coalition_id}/members",
        data={
            "csrf_token": csrf_token_from(page.text),
            "organization_id": cw["ids"]["organization_d"],
        },
    )
    assert invited.status_code == 302
    page = client.get(f"/coalitions/{coalition_id}", query_string={"q": "org"})
    assert "No buyer organization to invite has a name holding “org”." in page.text
    db.session.expire_all()
    states = {m.organization.name: m.state for m in cw["coalition"].members}
    assert states["Organization D"] == "invited"
    # a member's page has no search
    member = sign_in(client.application.test_client(), cw["users"]["executive_a"])
    assert 'id="invite"' not in member.get(f"/coalitions/{coalition_id}?q=org").text


# ---------------------------------------------------------------- the actual line's end


def test_the_actual_line_ends_at_the_last_month_delivered():
    """A target over 2027 (12 months); A delivers 100 impact-worker hours in 2027-01, B 50 in
    2027-03 and nothing after. Cumulative actual: 100 (01), 100 (02), 150 (03), then nothing
    known: None for 2027-04 to 2027-12, and the chart's actual line has 3 points."""
    months = tuple(date(2027, month, 1) for month in range(1, 13))
    target = Target(1, "impact_worker_hours", 1000.0, months)
    delivered = [
        Delivered(1, date(2027, 1, 1), 100.0, 2000.0),
        Delivered(2, date(2027, 3, 1), 50.0, 2000.0),
    ]
    progress = target_progress(target, [], delivered, 50.0, [1, 2], {})
    actual = [row["actual"] for row in progress["months"]]
    assert actual == [100.0, 100.0, 150.0] + [None] * 9
    assert progress["actual"] == 150.0
    chart = str(
        cumulative_chart(
            months,
            [row["projected"] for row in progress["months"]],
            actual,
            1000.0,
            "impact-worker hours",
        )
    )
    lines = re.findall(r'<polyline[^>]*points="([^"]+)"', chart)
    assert [len(points.split()) for points in lines] == [12, 3]  # projected, actual
    # a delivery after the target's period: the line runs to the period's end
    later = [*delivered, Delivered(1, date(2028, 2, 1), 10.0, 2000.0)]
    progress = target_progress(target, [], later, 50.0, [1, 2], {})
    assert [row["actual"] for row in progress["months"]][-1] == 150.0
