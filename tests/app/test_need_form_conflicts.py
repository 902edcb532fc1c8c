"""The need's page: a form loaded before someone else saved the need (409, what was typed
kept), an untouched save (no new version, no audit event), and the facts a reader sees."""

from sqlalchemy import func, select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.needs.models import Need
from procure.needs.views import FORM_LABELS
from tests.app.test_needs import NEED
from tests.conftest import csrf_token_from


def _form(page: str, **typed) -> dict:
    """The edit form as the buyer sends it: the need's figures (NEED), with `typed` changes."""
    return (
        {key: str(value) for key, value in NEED.items()}
        | {"csrf_token": csrf_token_from(page), "action": "save"}
        | typed
    )


def _events() -> int:
    """The audit events of needs (signing in writes events of its own)."""
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.target_type == "Need")
    )


def test_a_form_loaded_before_another_save_is_shown_again_with_what_was_typed(
    client, make_user, bearer, sign_in
):
    buyer = make_user("buyer")
    need = client.post("/api/v1/needs", headers=bearer(buyer), json=NEED).json
    sign_in(client, buyer)
    page = client.get(f"/needs/{need['id']}").text
    assert 'name="version" value="1"' in page
    # a colleague saves a new budget meanwhile
    colleague = make_user("buyer", organization=buyer.organization)
    changed = client.patch(
        f"/api/v1/needs/{need['id']}",
        headers=bearer(colleague),
        json={"budget_usd": 95000, "version": 1},
    )
    assert changed.status_code == 200 and changed.json["version"] == 2
    events = _events()

    stale = client.post(
        f"/needs/{need['id']}",
        data=_form(page, version="1", volume="13579", title="Typed title"),
    )
    assert stale.status_code == 409
    text = stale.text
    assert "Someone else changed this need since you opened the page" in text
    assert "review the current values and save again" in text
    # what was typed is in the form again, at the current version so that saving again works
    assert 'name="volume" type="number" value="13579"' in text
    assert 'value="Typed title"' in text
    assert 'name="version" value="2"' in text
    # what is saved now, where it differs from the form: the colleague's budget, by its label
    notice = text.split('id="conflict-notice"', 1)[1].split("</div>", 1)[0]
    assert "<li>Budget: 95,000 USD</li>" in notice
    assert "<li>Volume: 12,000 hours</li>" in notice and "Title" in notice
    assert "Minimum quality" not in notice  # typed as saved: not listed
    # nothing changed
    db.session.expire_all()
    stored = db.session.get(Need, need["id"])
    assert (stored.version, stored.volume, stored.title, stored.budget_usd) == (
        2,
        12000,
        NEED["title"],
        95000,
    )
    assert _events() == events

    # saved again from the page shown: it stands, one audit event with the two fields changed
    again = client.post(
        f"/needs/{need['id']}",
        data=_form(text, version="2", volume="13579", title="Typed title", budget_usd="95000"),
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Need, need["id"]).volume == 13579
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert _events() == events + 1 and event.action == "need.update"
    assert event.changes["before"] == {"title": NEED["title"], "volume": 12000}
    assert event.changes["after"] == {"title": "Typed title", "volume": 13579}


def test_an_untouched_save_writes_no_version_and_no_audit_event(client, make_user, bearer, sign_in):
    buyer = make_user("buyer")
    headers = bearer(buyer)
    need = client.post("/api/v1/needs", headers=headers, json=NEED).json
    events = _events()
    # through the API: the same figures answer 200 at the same version
    same = client.patch(
        f"/api/v1/needs/{need['id']}",
        headers=headers,
        json={"volume": NEED["volume"], "min_quality": NEED["min_quality"], "version": 1},
    )
    assert same.status_code == 200 and same.json["version"] == 1
    assert _events() == events
    # through the page: "No changes to save", nothing written
    sign_in(client, buyer)
    page = client.get(f"/needs/{need['id']}").text
    saved = client.post(
        f"/needs/{need['id']}", data=_form(page, version="1"), follow_redirects=True
    )
    assert saved.status_code == 200 and "No changes to save" in saved.text
    db.session.expire_all()
    assert db.session.get(Need, need["id"]).version == 1 and _events() == events
    # one changed figure is a change: a new version and one event naming only it
    changed = client.post(f"/needs/{need['id']}", data=_form(page, version="1", volume="12500"))
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Need, need["id"]).version == 2 and _events() == events + 1
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.changes == {"before": {"volume": 12000}, "after": {"volume": 12500}}


def test_a_reader_sees_the_forms_labels_and_figures_in_words(
    app, client, make_user, bearer, sign_in
):
    buyer = make_user("buyer")
    body = NEED | {"min_impact_spend_share": 0.25, "max_vendors": 3, "min_award": 500}
    need = client.post("/api/v1/needs", headers=bearer(buyer), json=body).json
    executive = make_user("executive", organization=buyer.organization)
    sign_in(client, executive)
    page = client.get(f"/needs/{need['id']}")
    assert page.status_code == 200
    facts = page.text.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    shown = [
        ("Title", NEED["title"]),
        ("Service category", "Data annotation"),
        ("Volume", "12,000 hours"),
        ("Unit", "hour"),
        ("From", "2026-01-01"),
        ("To", "2026-12-31"),
        ("Budget", "110,000 USD"),
        ("Minimum quality", "90 %"),
        ("Largest share per vendor", "50 %"),
        ("Minimum average impact", "55"),
        ("Share of spend with impact vendors", "25 %"),
        ("Most vendors for this need", "3"),
        ("Minimum award per vendor", "500 hours"),
    ]
    for label, text in shown:
        assert f"<dt>{label}</dt><dd>{text}</dd>" in facts, (label, text)
    for key in ("min quality", "max vendor share", "budget usd", "min_award", "0.9<", "0.5<"):
        assert key not in facts
    # one source of labels: the buyer's form names the fields with the same words
    browser = app.test_client()
    sign_in(browser, buyer)
    form = browser.get(f"/needs/{need['id']}").text
    assert f'<label for="budget_usd">{FORM_LABELS["budget_usd"]}' in form
    assert FORM_LABELS["budget_usd"] == "Budget (USD)"
    assert FORM_LABELS["min_quality"] == "Minimum quality (0–1)"


def test_a_limit_left_empty_reads_as_none(client, make_user, bearer, sign_in):
    buyer = make_user("buyer")
    body = {
        key: value for key, value in NEED.items() if key not in ("budget_usd", "min_avg_impact")
    }
    need = client.post("/api/v1/needs", headers=bearer(buyer), json=body).json
    sign_in(client, make_user("admin", organization=buyer.organization))
    facts = client.get(f"/needs/{need['id']}").text.split('<dl class="facts">', 1)[1]
    assert "<dt>Budget</dt><dd>no budget limit</dd>" in facts
    assert "<dt>Minimum average impact</dt><dd>none</dd>" in facts


def test_another_organizations_buyer_cannot_read_or_save_the_need(
    client, make_user, bearer, sign_in
):
    buyer = make_user("buyer")
    need = client.post("/api/v1/needs", headers=bearer(buyer), json=NEED).json
    stranger = make_user("buyer")
    sign_in(client, stranger)
    assert client.get(f"/needs/{need['id']}").status_code == 404
    token = csrf_token_from(client.get("/needs").text)
    form = {key: str(value) for key, value in NEED.items()} | {"csrf_token": token}
    refused = client.post(f"/needs/{need['id']}", data=form | {"version": "1", "volume": "9"})
    assert refused.status_code == 404
    db.session.expire_all()
    assert db.session.get(Need, need["id"]).volume == 12000
