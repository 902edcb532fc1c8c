"""Service categories as reference data the platform operator keeps (issue 16): the list every
signed-in user reads, the operator's API and page to add, edit and retire categories (each change
audited), refusals that name the field and change nothing, a retired category refused for new
offers, needs and profiles while the old ones keep working, the cache that sees a change in any
process, and migration 0020's seed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from procure import create_app
from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.needs.models import Need
from procure.vendors.categories import (
    ServiceCategory,
    category_options,
    seed_service_categories,
    service_categories,
)
from procure.vendors.models import Offer
from tests.conftest import NEED, csrf_token_from

VOICE = {
    "key": "voice_data_collection",
    "label": "Voice data collection",
    "unit": "hour",
    "description": "Recording read speech in local languages",
}
OFFER = {
    "service_category": "transcription",
    "unit": "hour",
    "price": 9,
    "currency": "USD",
    "capacity_per_period": 500,
    "quality": 0.9,
}
API = "/api/v1/service-categories"


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def operator_headers(operator, bearer):
    return bearer(operator)


def _category(key: str) -> ServiceCategory:
    db.session.commit()  # a fresh snapshot: requests commit in their own sessions
    return db.session.scalars(select(ServiceCategory).where(ServiceCategory.key == key)).one()


def _count() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(ServiceCategory.id))) or 0


def _events(prefix: str = "service_category.") -> list[AuditEvent]:
    db.session.commit()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
    ).all()


def _retire(client, headers, key: str) -> dict:
    category = _category(key)
    response = client.patch(
        f"{API}/{category.id}", headers=headers, json={"retired": True, "version": category.version}
    )
    assert response.status_code == 200, response.json
    return response.json


# ---------------------------------------------------------------- reading


def test_every_signed_in_user_reads_the_seeded_list(
    client, make_user, make_vendor, bearer, operator_headers
):
    seed = seed_service_categories()
    assert len(seed) == _count() == 12  # the twelve categories of config/service_categories.toml
    for headers in (
        bearer(make_user("buyer")),
        bearer(make_user("executive")),
        bearer(make_vendor()[1]),
        bearer(make_user("admin")),
        operator_headers,
    ):
        listing = client.get(API, headers=headers)
        assert listing.status_code == 200, listing.json
        assert {(c["key"], c["label"], c["unit"]) for c in listing.json} == {
            (c.key, c.label, c.unit) for c in seed.values()
        }
        labels = [c["label"] for c in listing.json]
        assert labels == sorted(labels, key=str.lower)  # by label
        assert not any(c["retired"] for c in listing.json)
        assert all(c["created_by_id"] is None for c in listing.json)  # seeded
        one = client.get(f"{API}/{listing.json[0]['id']}", headers=headers)
        assert one.status_code == 200 and one.json == listing.json[0]
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/999999", headers=operator_headers).status_code == 404


# ---------------------------------------------------------------- writing (the operator only)


def test_the_operator_adds_edits_retires_and_brings_back_a_category_each_audited(
    client, operator, operator_headers
):
    added = client.post(API, headers=operator_headers, json=VOICE)
    assert added.status_code == 201, added.json
    category = added.json
    assert {k: category[k] for k in VOICE} == VOICE
    assert (category["version"], category["retired"], category["created_by_id"]) == (
        1,
        False,
        operator.id,
    )
    (event,) = _events()
    assert (event.action, event.actor_id, event.organization_id, event.target_id) == (
        "service_category.add",
        operator.id,
        operator.organization_id,
        str(category["id"]),
    )
    assert event.changes["after"] == VOICE

    item = f"{API}/{category['id']}"
    edited = client.patch(
        item,
        headers=operator_headers,
        json={"label": "Voice data", "unit": "task", "description": "", "version": 1},
    )
    assert edited.status_code == 200, edited.json
    assert (edited.json["label"], edited.json["unit"], edited.json["version"]) == (
        "Voice data",
        "task",
        2,
    )
    assert edited.json["key"] == VOICE["key"]  # the key never changes
    update = _events()[-1]
    assert update.action == "service_category.update" and update.actor_id == operator.id
    assert update.changes == {
        "before": {
            "key": VOICE["key"],
            "label": VOICE["label"],
            "unit": "hour",
            "description": VOICE["description"],
        },
        "after": {"key": VOICE["key"], "label": "Voice data", "unit": "task", "description": ""},
    }
    stale = client.patch(item, headers=operator_headers, json={"label": "Other", "version": 1})
    assert stale.status_code == 409 and "version" in stale.json["errors"]

    retired = client.patch(item, headers=operator_headers, json={"retired": True, "version": 2})
    assert retired.status_code == 200 and retired.json["retired"] is True
    assert retired.json["retired_at"] is not None
    back = client.patch(item, headers=operator_headers, json={"retired": False, "version": 3})
    assert back.status_code == 200 and back.json["retired"] is False
    assert back.json["retired_at"] is None
    assert [(e.action, e.changes["after"]) for e in _events()[-2:]] == [
        ("service_category.retire", {"key": VOICE["key"], "retired": True}),
        ("service_category.unretire", {"key": VOICE["key"], "retired": False}),
    ]
    # the same values again: nothing to save, no version, no event
    again = client.patch(item, headers=operator_headers, json={"label": "Voice data", "version": 4})
    assert again.status_code == 200 and again.json["version"] == 4
    assert len(_events()) == 4


@pytest.mark.parametrize("role", ["buyer", "executive", "admin", "vendor", "vendor_admin"])
def test_no_tenant_role_writes_a_category(client, make_user, make_vendor, bearer, role):
    if role == "vendor":
        user = make_vendor()[1]
    elif role == "vendor_admin":
        user = make_user("admin", organization=make_vendor()[1].organization)
    else:
        user = make_user(role)
    headers = bearer(user)
    seo = _category("seo")
    assert client.post(API, headers=headers, json=VOICE).status_code == 403
    for body in ({"label": "Hijacked", "version": 1}, {"retired": True, "version": 1}):
        assert client.patch(f"{API}/{seo.id}", headers=headers, json=body).status_code == 403
    assert _count() == 12
    seo = _category("seo")
    assert (seo.label, seo.retired, seo.version) == ("Search engine optimisation (SEO)", False, 1)
    assert _events() == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"key": "Voice_Data"}, "key", "lowercase slug"),
        ({"key": "voice data"}, "key", "lowercase slug"),
        ({"key": "2nd_line_support"}, "key", "starting with a letter"),
        ({"key": "voice__data"}, "key", "single underscores"),
        ({"key": "voice_"}, "key", "lowercase slug"),
        ({"key": "v"}, "key", "2 to 60 characters"),
        ({"key": "v" * 61}, "key", "2 to 60 characters"),
        ({"key": "transcription"}, "key", "The key 'transcription' is taken already"),
        ({"label": ""}, "label", "1 to 120 characters"),
        ({"label": "   "}, "label", "1 to 120 characters"),
        ({"label": "x" * 121}, "label", "1 to 120 characters"),
        ({"label": "data ANNOTATION"}, "label", "'data_annotation' has this label already"),
        # look-alikes: a full-width letter and extra spaces fold away; invisible characters are
        # refused (they let a label pass for another in every form's list)
        ({"label": "Ｂookkeeping"}, "label", "'bookkeeping' has this label already"),
        ({"label": "  Data   annotation "}, "label", "'data_annotation' has this label already"),
        ({"label": "Bookkeeping\u200b"}, "label", "U+200B ZERO WIDTH SPACE"),
        ({"label": "Data annotation\u00ad"}, "label", "U+00AD SOFT HYPHEN"),
        ({"label": "\u200b"}, "label", "invisible or control characters"),
        ({"unit": "day"}, "unit", "Use one of: hour, item, task."),
        ({"description": "x" * 2001}, "description", "2000 characters"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    client, operator_headers, change, field, message
):
    refused = client.post(API, headers=operator_headers, json={**VOICE, **change})
    assert refused.status_code == 422, refused.json
    assert list(refused.json["errors"]) == [field]
    assert message in " ".join(refused.json["errors"][field])
    assert _count() == 12
    assert _events() == []


def test_an_edit_with_bad_input_is_refused_naming_the_field(client, operator_headers):
    seo = _category("seo")
    item = f"{API}/{seo.id}"
    for body, field in (
        ({"version": 1}, "label"),  # nothing to change
        ({"label": "", "version": 1}, "label"),
        ({"label": "Transcription", "version": 1}, "label"),  # another category's
        ({"unit": "minute", "version": 1}, "unit"),
        ({"retired": "perhaps", "version": 1}, "retired"),
        ({"label": "SEO"}, "version"),
    ):
        refused = client.patch(item, headers=operator_headers, json=body)
        assert refused.status_code == 422, (body, refused.json)
        assert list(refused.json["errors"]) == [field], body
    seo = _category("seo")
    assert (seo.label, seo.unit, seo.version) == ("Search engine optimisation (SEO)", "hour", 1)
    assert _events() == []


def test_the_unit_stays_once_an_offer_or_a_need_uses_the_category(
    client, operator_headers, make_vendor, make_user, bearer
):
    """Data annotation: make_vendor's two offers and the buyer's one need use it, in hours."""
    make_vendor(), make_vendor()
    client.post("/api/v1/needs", headers=bearer(make_user("buyer")), json=NEED)
    annotation = _category("data_annotation")
    refused = client.patch(
        f"{API}/{annotation.id}", headers=operator_headers, json={"unit": "item", "version": 1}
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "unit": [
            "The unit stays hour: 2 offers and 1 needs use this category in it. Add a category "
            "with the other unit instead."
        ]
    }
    assert _category("data_annotation").unit == "hour"
    # a category nobody uses may change its unit
    fundraising = _category("fundraising")
    changed = client.patch(
        f"{API}/{fundraising.id}", headers=operator_headers, json={"unit": "task", "version": 1}
    )
    assert changed.status_code == 200 and changed.json["unit"] == "task"


# ---------------------------------------------------------------- retired: refused anew, kept


def test_a_retired_category_is_refused_for_a_new_offer_while_the_old_one_keeps_working(
    client, make_vendor, bearer, operator_headers
):
    vendor, user = make_vendor()
    headers = bearer(user)
    offers = f"/api/v1/vendors/{vendor.id}/offers"
    (old,) = client.get(offers, headers=headers).json
    assert old["service_category"] == "data_annotation"
    _retire(client, operator_headers, "data_annotation")

    refused = client.post(
        offers, headers=headers, json={**OFFER, "service_category": "data_annotation"}
    )
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["service_category"]
    (message,) = refused.json["errors"]["service_category"]
    assert "'Data annotation' (data_annotation) is retired: choose another" in message
    # the old offer keeps it on an edit (its page form sends the category back unchanged)
    kept = client.patch(
        f"/api/v1/offers/{old['id']}",
        headers=headers,
        json={"service_category": "data_annotation", "price": 7, "version": 1},
    )
    assert kept.status_code == 200, kept.json
    # another offer may not move into it
    other = client.post(offers, headers=headers, json=OFFER).json
    into = client.patch(
        f"/api/v1/offers/{other['id']}",
        headers=headers,
        json={"service_category": "data_annotation", "version": other["version"]},
    )
    assert into.status_code == 422 and list(into.json["errors"]) == ["service_category"]
    listed = client.get(offers, headers=headers).json
    assert [(o["service_category"], o["price"]) for o in listed] == [
        ("data_annotation", 7.0),
        ("transcription", 9.0),
    ]
    db.session.commit()
    assert db.session.scalar(select(func.count(Offer.id))) == 2


def test_a_retired_category_is_refused_for_a_new_need_and_kept_by_the_old_one(
    client, world, operator_headers
):
    """The world's need (data annotation) still solves after the category is retired: Beta
    takes 0.8 x 1,000 h at 6 USD = 4,800 USD, Alpha the other 200 h at 8 USD = 1,600 USD;
    6,400 USD in all."""
    headers, need = world["headers"], world["need"]
    _retire(client, operator_headers, "data_annotation")
    refused = client.post("/api/v1/needs", headers=headers, json={**NEED, "title": "Again"})
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["service_category"]
    assert "is retired" in refused.json["errors"]["service_category"][0]
    edited = client.patch(
        f"/api/v1/needs/{need['id']}", headers=headers, json={"volume": 1000, "version": 1}
    )
    assert edited.status_code == 200, edited.json
    scenario = client.post(
        "/api/v1/scenarios", headers=headers, json={"name": "Plan", "need_ids": [need["id"]]}
    ).json
    assert scenario["status"] == "solved", scenario
    assert scenario["totals"]["cost"] == 6400.0
    db.session.commit()
    assert db.session.scalar(select(func.count(Need.id))) == 1


def test_a_vendor_keeps_a_retired_category_in_its_profile_but_cannot_add_one(
    client, make_vendor, bearer, operator_headers
):
    vendor, user = make_vendor()
    headers = bearer(user)
    _retire(client, operator_headers, "data_annotation")
    _retire(client, operator_headers, "seo")
    kept = client.patch(
        f"/api/v1/vendors/{vendor.id}",
        headers=headers,
        json={"service_categories": ["data_annotation", "transcription"], "version": 1},
    )
    assert kept.status_code == 200, kept.json
    refused = client.patch(
        f"/api/v1/vendors/{vendor.id}",
        headers=headers,
        json={"service_categories": ["data_annotation", "seo"], "version": 2},
    )
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["service_categories.1"]
    assert "is retired" in refused.json["errors"]["service_categories.1"][0]


def test_forms_offer_no_retired_category_but_show_a_record_its_own(
    client, world, operator_headers, make_vendor, sign_in
):
    _retire(client, operator_headers, "data_annotation")
    with client.application.app_context():
        options = dict(category_options())
        assert "data_annotation" not in options and options["seo"].startswith("Search engine")
        assert dict(category_options(["data_annotation"]))["data_annotation"] == (
            "Data annotation (retired)"
        )
    sign_in(client, world["buyer"])
    needs = client.get("/needs").text
    assert 'value="data_annotation"' not in needs  # not offered for a new need
    assert "Data annotation" in needs  # the listed need still shows its label
    edit = client.get(f"/needs/{world['need']['id']}").text
    assert '<option selected value="data_annotation">Data annotation (retired)</option>' in edit
    vendor_client = client.application.test_client()
    sign_in(vendor_client, make_vendor()[1])
    rate_card = vendor_client.get("/vendor/offers").text
    assert '<option value="data_annotation">' not in rate_card
    assert "<td>Data annotation</td>" in rate_card  # the old offer's row
    profile = vendor_client.get("/vendor/profile").text
    assert 'value="data_annotation" checked> Data annotation (retired)' in profile


# ---------------------------------------------------------------- pages


def test_the_operator_adds_edits_and_retires_a_category_on_the_page(client, operator, sign_in):
    sign_in(client, operator)
    page = client.get("/service-categories")
    assert page.status_code == 200 and "Add a category" in page.text
    assert 'href="/service-categories"' in page.text  # in the operator's navigation
    token = csrf_token_from(page.text)
    refused = client.post(
        "/service-categories", data={**VOICE, "key": "Voice Data", "csrf_token": token}
    )
    assert refused.status_code == 422 and "lowercase slug" in refused.text
    assert 'value="Voice Data"' in refused.text  # the form shows what was typed
    assert _count() == 12
    added = client.post("/service-categories", data={**VOICE, "csrf_token": token})
    assert added.status_code == 302
    assert (
        "“Voice data collection” (voice_data_collection) is added."
        in client.get(added.headers["Location"]).text
    )
    category = _category(VOICE["key"])
    assert category.created_by_id == operator.id
    edit = client.get(f"/service-categories/{category.id}")
    assert edit.status_code == 200 and 'value="Voice data collection"' in edit.text
    assert "Used by 0 offers and 0 needs" in edit.text
    bad = client.post(
        f"/service-categories/{category.id}",
        data={"label": "", "unit": "hour", "description": "", "version": "1", "csrf_token": token},
    )
    assert bad.status_code == 422 and "1 to 120 characters" in bad.text
    saved = client.post(
        f"/service-categories/{category.id}",
        data={
            "label": "Voice recording",
            "unit": "task",
            "description": "Read speech",
            "version": "1",
            "csrf_token": token,
            "action": "save",
        },
    )
    assert saved.status_code == 302
    category = _category(VOICE["key"])
    assert (category.label, category.unit, category.description, category.version) == (
        "Voice recording",
        "task",
        "Read speech",
        2,
    )
    stale = client.post(
        f"/service-categories/{category.id}",
        data={"label": "Late", "unit": "task", "version": "1", "csrf_token": token},
    )
    assert "was changed since you loaded it" in client.get(stale.headers["Location"]).text
    retired = client.post(
        f"/service-categories/{category.id}",
        data={"action": "retire", "version": "2", "csrf_token": token},
    )
    assert (
        "is retired: new offers and needs can no longer choose it"
        in client.get(retired.headers["Location"]).text
    )
    assert _category(VOICE["key"]).retired
    assert "Offer again" in client.get(f"/service-categories/{category.id}").text
    client.post(
        f"/service-categories/{category.id}",
        data={"action": "unretire", "version": "3", "csrf_token": token},
    )
    assert not _category(VOICE["key"]).retired
    assert [e.action for e in _events()] == [
        "service_category.add",
        "service_category.update",
        "service_category.retire",
        "service_category.unretire",
    ]


def test_the_edit_page_fixes_the_unit_of_a_category_in_use(client, operator, sign_in, make_vendor):
    make_vendor()  # one data annotation offer
    sign_in(client, operator)
    annotation = _category("data_annotation")
    page = client.get(f"/service-categories/{annotation.id}").text
    assert "Used by 1 offer and 0 needs" in page
    assert "Fixed: offers and needs use this category in it." in page
    assert '<option value="item">' not in page
    listing = client.get("/service-categories").text
    assert '<td class="num">1</td>' in listing  # its offer, counted for the operator


def test_others_read_the_page_without_its_forms_or_counts(client, make_user, sign_in):
    sign_in(client, make_user("buyer"))
    page = client.get("/service-categories")
    assert page.status_code == 200
    assert "Search engine optimisation (SEO)" in page.text and "Add a category" not in page.text
    assert "/service-categories/" not in page.text  # no links to the edit page
    assert "Service categories</a>" not in page.text  # not in a buyer's navigation
    token = csrf_token_from(page.text)
    assert (
        client.post("/service-categories", data={**VOICE, "csrf_token": token}).status_code == 403
    )
    seo = _category("seo")
    assert client.get(f"/service-categories/{seo.id}").status_code == 403
    assert (
        client.post(
            f"/service-categories/{seo.id}",
            data={"action": "retire", "version": "1", "csrf_token": token},
        ).status_code
        == 403
    )
    assert _count() == 12 and not _category("seo").retired


# ---------------------------------------------------------------- the readers see a change


def test_the_list_is_cached_per_process_and_reloaded_after_a_change_in_another(
    app, client, operator_headers, tmp_path
):
    """Two app objects keep two process caches, as two gunicorn workers do: the one that did
    not take the write sees it at its next request, by the table's signature."""
    other = create_app(
        {"database_url": app.config["SQLALCHEMY_DATABASE_URI"], "secret_key": "other"},
        instance_path=str(tmp_path / "other"),
    )

    def list_of(an_app):
        with an_app.app_context():
            return service_categories()

    cached = list_of(other)
    assert list_of(other) is cached and "voice_data_collection" not in cached
    client.post(API, headers=operator_headers, json=VOICE)
    added = list_of(other)
    assert added["voice_data_collection"].label == "Voice data collection"
    _retire(client, operator_headers, "voice_data_collection")
    assert list_of(other)["voice_data_collection"].retired
    with other.app_context():
        db.engine.dispose()


# ---------------------------------------------------------------- migration 0020


def test_0020_seeds_the_toml_list_adds_unlisted_keys_in_use_and_downgrades(tmp_path, capfd):
    """The upgrade seeds the twelve categories config/service_categories.toml lists (frozen in
    the migration: the same keys, labels and units), adds a key in use that the seed lacks
    (labelled with its key, in its offers' unit) with a warning, and the downgrade drops the
    table."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    app = create_app(
        {"database_url": f"sqlite:///{tmp_path / 'categories.sqlite3'}", "secret_key": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="0019_vendor_name_keys")
        now = "2026-01-01 00:00:00.000000"
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organization (id, name, name_key, kind, created_at, updated_at) "
                    "VALUES (1, 'V', 'v', 'vendor', :t, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO vendor (id, organization_id, name, name_key, country, sites, "
                    "service_categories, description, version, created_at, updated_at) "
                    "VALUES (3, 1, 'V', 'v', 'KE', '[]', '[\"legal_review\", \"seo\"]', '', 1, "
                    ":t, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO offer (vendor_id, service_category, unit, price, currency, "
                    "hours_per_unit, capacity_per_period, quality, active, version, created_at, "
                    "updated_at) VALUES (3, 'photo_tagging', 'item', 1, 'USD', 0.1, 10, 0.9, 1, "
                    "1, :t, :t)"
                ),
                {"t": now},
            )
        capfd.readouterr()
        upgrade(revision="0020_service_categories")  # Alembic logs to stderr
        assert "labelled with their key (legal_review, photo_tagging)" in capfd.readouterr().err
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT key, label, unit, description, retired_at, created_by_id, version "
                    "FROM service_category ORDER BY id"
                )
            ).all()
        seed = seed_service_categories()
        assert [tuple(r) for r in rows[:12]] == [
            (c.key, c.label, c.unit, "", None, None, 1) for c in seed.values()
        ]
        assert [tuple(r) for r in rows[12:]] == [
            ("legal_review", "legal_review", "hour", "", None, None, 1),  # a profile's: hour
            ("photo_tagging", "photo_tagging", "item", "", None, None, 1),  # its offer's unit
        ]
        downgrade(revision="0019_vendor_name_keys")
        with db.engine.connect() as connection:
            assert "service_category" not in inspect(connection).get_table_names()
        db.engine.dispose()
