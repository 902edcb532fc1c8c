"""Needs: validation naming the field, versions, archive, organization scoping, pages."""

from html.parser import HTMLParser

from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.needs.models import Need
from tests.conftest import csrf_token_from

NEED = {
    "title": "Catalogue image annotation",
    "service_category": "data_annotation",
    "volume": 12000,
    "unit": "hour",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "budget_usd": 110000,
    "min_quality": 0.9,
    "max_vendor_share": 0.5,
    "min_avg_impact": 55,
}


def test_register_edit_and_archive_a_need(client, make_user, bearer):
    buyer = make_user("buyer")
    headers = bearer(buyer)
    created = client.post("/api/v1/needs", headers=headers, json=NEED)
    assert created.status_code == 201 and created.json["version"] == 1
    need_id = created.json["id"]
    edited = client.patch(
        f"/api/v1/needs/{need_id}", headers=headers, json={"volume": 15000, "version": 1}
    )
    assert (
        edited.status_code == 200 and edited.json["volume"] == 15000 and edited.json["version"] == 2
    )
    assert (
        client.patch(
            f"/api/v1/needs/{need_id}", headers=headers, json={"volume": 1, "version": 1}
        ).status_code
        == 409
    )
    client.patch(f"/api/v1/needs/{need_id}", headers=headers, json={"archived": True, "version": 2})
    assert client.get("/api/v1/needs", headers=headers).json == []
    assert [
        n["id"] for n in client.get("/api/v1/needs?include_archived=true", headers=headers).json
    ] == [need_id]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "Need")
    ).all()
    assert actions == ["need.create", "need.update", "need.update"]


def test_bad_needs_get_messages_per_field_and_change_nothing(client, make_user, bearer):
    headers = bearer(make_user("buyer"))
    response = client.post(
        "/api/v1/needs",
        headers=headers,
        json={
            **NEED,
            "service_category": "juggling",
            "volume": 0,
            "period_end": "2025-12-31",
            "min_quality": 1.5,
            "max_vendor_share": 0,
            "min_avg_impact": 120,
            "budget_usd": -5,
        },
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "service_category": ["Unknown service category 'juggling'."],
        "volume": ["The volume must be above zero and at most 1,000,000,000,000."],
        "budget_usd": [
            "A budget must be above zero (leave it empty for no budget limit) and at most "
            "1,000,000,000,000,000,000,000."
        ],
        "min_quality": ["Use a value between 0 and 1."],
        "min_avg_impact": ["Use a value between 0 and 100."],
        "max_vendor_share": ["Use a share above 0 and at most 1 (1 = one vendor may take it all)."],
        "period_end": ["The period must end after it starts."],
    }
    assert db.session.scalar(select(Need.id)) is None


def test_a_need_runs_at_most_36_calendar_months(client, make_user, bearer):
    # 2026-01 to 2029-01 is 37 months: refused on period_end, nothing saved; 36 is fine
    headers = bearer(make_user("buyer"))
    long = client.post(
        "/api/v1/needs",
        headers=headers,
        json={**NEED, "period_start": "2026-01-15", "period_end": "2029-01-01"},
    )
    assert long.status_code == 422
    assert long.json["errors"] == {
        "period_end": [
            "A need runs for at most 36 calendar months; this period spans 37. Split it into "
            "needs of a few years at most."
        ]
    }
    assert db.session.scalar(select(Need.id)) is None
    fine = client.post(
        "/api/v1/needs",
        headers=headers,
        json={**NEED, "period_start": "2026-01-01", "period_end": "2028-12-31"},
    )
    assert fine.status_code == 201


def test_needs_are_private_to_the_buyer_organization(client, make_user, make_vendor, bearer):
    buyer = make_user("buyer")
    need_id = client.post("/api/v1/needs", headers=bearer(buyer), json=NEED).json["id"]
    colleague = make_user("executive", organization=buyer.organization)
    assert client.get(f"/api/v1/needs/{need_id}", headers=bearer(colleague)).status_code == 200
    assert (
        client.patch(
            f"/api/v1/needs/{need_id}", headers=bearer(colleague), json={"volume": 1, "version": 1}
        ).status_code
        == 403
    )
    other = bearer(make_user("buyer"))
    assert client.get(f"/api/v1/needs/{need_id}", headers=other).status_code == 404
    assert (
        client.patch(
            f"/api/v1/needs/{need_id}", headers=other, json={"volume": 1, "version": 1}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/needs", headers=other).json == []
    _, vendor_user = make_vendor()
    assert client.get("/api/v1/needs", headers=bearer(vendor_user)).status_code == 403
    assert db.session.get(Need, need_id).volume == 12000


def test_needs_pages(client, make_user, sign_in):
    sign_in(client, make_user("buyer"))
    page = client.get("/needs")
    assert "No needs yet" in page.text
    form = {k: str(v) for k, v in NEED.items()} | {"csrf_token": csrf_token_from(page.text)}
    refused = client.post("/needs", data=form | {"volume": "lots"})
    assert refused.status_code == 422 and "&#39;lots&#39; is not a number." in refused.text
    # the error summary names fields in words, never by their keys
    refused = client.post("/needs", data=form | {"service_category": "juggling"})
    summary = refused.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'data-field="service_category">Service category</a>: Unknown service category' in summary
    assert client.post("/needs", data=form).status_code == 302
    listed = client.get("/needs")
    assert "Catalogue image annotation" in listed.text and "$110,000" in listed.text
    need = db.session.scalars(select(Need)).one()
    edit = client.get(f"/needs/{need.id}")
    archived = client.post(
        f"/needs/{need.id}",
        data=form | {"csrf_token": csrf_token_from(edit.text), "version": "1", "action": "archive"},
    )
    assert archived.status_code == 302
    db.session.refresh(need)
    assert need.archived is True


def test_a_volume_beyond_what_the_optimizer_accepts_is_refused_at_the_need(
    client, make_user, bearer
):
    # found by probing: 1e300 hours was stored, and every scenario over it then failed
    response = client.post(
        "/api/v1/needs", headers=bearer(make_user("buyer")), json={**NEED, "volume": 1e300}
    )
    assert response.status_code == 422 and list(response.json["errors"]) == ["volume"]
    assert db.session.scalar(select(Need.id)) is None


def test_the_needs_page_refuses_infinity(client, make_user, sign_in):
    # before the shared form_number, float("inf") passed as a budget
    sign_in(client, make_user("buyer"))
    page = client.get("/needs")
    form = {k: str(v) for k, v in NEED.items()} | {
        "csrf_token": csrf_token_from(page.text),
        "budget_usd": "inf",
    }
    response = client.post("/needs", data=form)
    assert response.status_code == 422 and "&#39;inf&#39; is not a number." in response.text
    assert db.session.scalar(select(Need.id)) is None


class _FormFields(HTMLParser):
    """The fields a page's forms send as they stand: each input's value, each select's chosen
    option."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "input" and named.get("name"):
            self.fields[named["name"]] = named.get("value") or ""
        elif tag == "select":
            self._select = named.get("name")
        elif tag == "option" and self._select and "selected" in named:
            self.fields[self._select] = named.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_the_need_edit_form_shows_figures_as_typed_and_saves_unchanged(
    client, make_user, bearer, sign_in
):
    """Stored floats show as a person types them (1000, not 1000.0), every digit kept, so
    saving the form untouched changes nothing."""
    buyer = make_user("buyer")
    body = {**NEED, "volume": 1000.0, "budget_usd": 1234.5678, "min_quality": 0.85}
    body |= {"min_avg_impact": 20.0, "min_award": 0.1}
    need_id = client.post("/api/v1/needs", headers=bearer(buyer), json=body).json["id"]
    sign_in(client, buyer)
    page = client.get(f"/needs/{need_id}")
    assert page.status_code == 200
    found = _FormFields()
    found.feed(page.text)
    shown = {k: found.fields[k] for k in ("volume", "budget_usd", "min_quality", "min_avg_impact")}
    assert shown == {
        "volume": "1000",
        "budget_usd": "1234.5678",
        "min_quality": "0.85",
        "min_avg_impact": "20",
    }
    assert found.fields["min_award"] == "0.1" and found.fields["max_vendor_share"] == "0.5"
    assert found.fields["max_vendors"] == "" and "1000.0" not in page.text
    assert found.fields["service_category"] == "data_annotation"
    before = db.session.get(Need, need_id)
    stored = {key: getattr(before, key) for key in (*shown, "min_award", "period_end")}
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    saved = client.post(f"/needs/{need_id}", data=found.fields | {"action": "save"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/needs/{need_id}")
    db.session.expire_all()
    after = db.session.get(Need, need_id)
    assert after.version == 1  # nothing changed: no new version
    assert {key: getattr(after, key) for key in stored} == stored
    assert after.budget_usd == 1234.5678
    # an untouched save writes no audit event (none equal to the last one) and says so
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    assert "No changes to save" in client.get(saved.headers["Location"]).text
