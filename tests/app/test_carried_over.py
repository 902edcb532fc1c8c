"""A new period starts from the previous one's figures, each marked "carried over, check this"
until the vendor changes or confirms it; attaching a file keeps what was typed; before
submitting, the vendor sees the claims with no file behind them and the figures still unchecked.
"""

import copy
import html
import io
import re

from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.disclosures.models import CARRIED_OVER, Disclosure
from procure.extensions import db
from tests.conftest import PDF, csrf_token_from, disclosure_form_fields, valid_document

# The figures of valid_document() that carry over (every figure not None, evidence left out):
# workforce 12 counts + 7 categories (0 is a figure) + 2 retention + 2 promotions = 23;
# the one site's 13 fields; training 5. 23 + 13 + 5 = 41.
CARRIED_FROM_VALID = 41
PERIOD_2026 = {"period_start": "2026-01-01", "period_end": "2026-12-31"}


def _submitted(client, headers, vendor, document=None):
    """A submitted version (through the API); its JSON."""
    body = {"vendor_id": vendor.id, **(document or valid_document())}
    created = client.post("/api/v1/disclosures", headers=headers, json=body)
    assert created.status_code == 201, created.json
    submitted = client.post(f"/api/v1/disclosures/{created.json['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def _start_2026(client, headers, vendor, **body):
    return client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={"vendor_id": vendor.id, **PERIOD_2026, **body},
    )


def _patch(client, headers, draft, **body):
    return client.patch(
        f"/api/v1/disclosures/{draft['id']}",
        headers=headers,
        json={"edit_version": draft["edit_version"], **body},
    )


def test_a_second_period_carries_the_first_ones_figures_and_marks_them(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    first = _submitted(client, headers, vendor)
    response = _start_2026(client, headers, vendor, carry_over=True)
    assert response.status_code == 201, response.json
    draft = response.json
    document = valid_document()
    assert (draft["period_start"], draft["period_end"]) == ("2026-01-01", "2026-12-31")
    assert draft["workforce"]["headcount_end"] == 115
    assert draft["workforce"]["categories"]["refugee_or_displaced"] == 10
    site = draft["wages"][0]
    assert {key: site[key] for key in document["wages"][0]} == document["wages"][0]
    assert draft["training"] == document["training"]
    # evidence claims start at the lowest real claim: files stay with their own period
    assert draft["evidence"] == dict.fromkeys(("workforce", "wages", "training"), "self_reported")
    assert draft["evidence_files"] == []
    assert draft["carried_over_from"] == first["id"]
    assert len(draft["carried_over"]) == CARRIED_FROM_VALID
    assert "wages[0].living_wage_source" in draft["carried_over"]
    assert "workforce.categories.women_low_participation" in draft["carried_over"]  # a 0
    assert "workforce.other_category_label" not in draft["carried_over"]  # not disclosed
    assert not any(path.startswith("evidence") for path in draft["carried_over"])
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "disclosure.create").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.changes["after"]["carried_over"] == CARRIED_FROM_VALID


def test_the_api_starts_blank_unless_asked_and_keeps_the_sections_sent(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor)
    blank = _start_2026(client, headers, vendor).json
    assert blank["carried_over"] == [] and blank["carried_over_from"] is None
    assert blank["workforce"]["headcount_end"] is None and blank["wages"] == []

    other, other_user = make_vendor()
    other_headers = bearer(other_user)
    _submitted(client, other_headers, other)
    training = {**valid_document()["training"], "employees_trained": 80}
    mixed = _start_2026(client, other_headers, other, carry_over=True, training=training).json
    assert mixed["training"]["employees_trained"] == 80  # as sent, not carried
    assert not any(path.startswith("training") for path in mixed["carried_over"])
    assert len(mixed["carried_over"]) == CARRIED_FROM_VALID - 5


def test_only_a_submitted_unrejected_earlier_version_of_ones_own_carries(
    client, make_vendor, make_user, bearer
):
    vendor, user = make_vendor()
    headers = bearer(user)
    nothing = _start_2026(client, headers, vendor, carry_over=True)
    assert nothing.status_code == 201 and nothing.json["carried_over"] == []  # nothing to carry

    older = valid_document("2024-01-01", "2024-12-31")
    older["workforce"]["promotions_all"] = 7
    kept = _submitted(client, headers, vendor, older)
    rejected = _submitted(client, headers, vendor)  # 2025, promotions_all 9
    buyer = bearer(make_user("buyer"))
    review = client.post(
        f"/api/v1/disclosures/{rejected['id']}/review",
        headers=buyer,
        json={"decision": "rejected", "comment": "Headcount does not match payroll."},
    )
    assert review.status_code == 200
    draft_2025 = client.post(
        f"/api/v1/disclosures/{rejected['id']}/amend", headers=headers
    ).json  # a draft carries nothing either
    assert draft_2025["state"] == "draft"
    later = client.post(
        "/api/v1/disclosures",
        headers=headers,
        json={
            "vendor_id": vendor.id,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "carry_over": True,
        },
    ).json
    assert later["carried_over_from"] == kept["id"]
    assert later["workforce"]["promotions_all"] == 7

    # another organization's vendor never gets these figures, nor may start a draft for it
    stranger, stranger_user = make_vendor()
    stranger_headers = bearer(stranger_user)
    own = _start_2026(client, stranger_headers, stranger, carry_over=True).json
    assert own["carried_over"] == [] and own["workforce"]["promotions_all"] is None
    refused = client.post(
        "/api/v1/disclosures",
        headers=stranger_headers,
        json={
            "vendor_id": vendor.id,
            "period_start": "2028-01-01",
            "period_end": "2028-12-31",
            "carry_over": True,
        },
    )
    assert refused.status_code == 404


def test_saving_clears_the_mark_of_what_was_changed_or_confirmed(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor)
    draft = _start_2026(client, headers, vendor, carry_over=True).json
    workforce = {**draft["workforce"], "headcount_end": 120, "full_time_end": 105}
    # the same figures sent back unchanged keep their marks: only a change or a confirmation
    # says the vendor looked
    changed = _patch(client, headers, draft, workforce=workforce, training=draft["training"])
    assert changed.status_code == 200, changed.json
    marks = changed.json["carried_over"]
    assert len(marks) == CARRIED_FROM_VALID - 2
    assert "workforce.headcount_end" not in marks and "workforce.full_time_end" not in marks
    assert "training.employees_trained" in marks

    confirmed = _patch(
        client,
        headers,
        changed.json,
        confirmed=["training.employees_trained", "wages[0]"],
    )
    assert confirmed.status_code == 200, confirmed.json
    marks = confirmed.json["carried_over"]
    assert len(marks) == CARRIED_FROM_VALID - 2 - 1 - 13
    assert not any(path.startswith("wages") for path in marks)
    assert confirmed.json["training"]["employees_trained"] == 95  # confirmed as it was

    wrong = _patch(client, headers, confirmed.json, confirmed=["wages.0.site", "salary"])
    assert wrong.status_code == 422
    assert list(wrong.json["errors"]) == ["confirmed"]
    assert "'wages.0.site', 'salary'" in wrong.json["errors"]["confirmed"][0]
    assert db.session.get(Disclosure, draft["id"]).carried_over == marks  # nothing changed

    cleared = _patch(client, headers, confirmed.json, confirmed=["workforce", "training"])
    assert cleared.json["carried_over"] == [] and cleared.json["carried_over_from"] is None
    assert CARRIED_OVER not in db.session.get(Disclosure, draft["id"]).figures


def test_a_site_keeps_its_marks_when_another_is_removed(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    document = valid_document()
    second = {**document["wages"][0], "site": "Mombasa", "entry_level_wage": 30000.0}
    document["wages"].append(second)
    _submitted(client, headers, vendor, document)
    draft = _start_2026(client, headers, vendor, carry_over=True).json
    assert len(draft["carried_over"]) == CARRIED_FROM_VALID + 13
    only_mombasa = _patch(client, headers, draft, wages=[draft["wages"][1]]).json
    site_marks = [p for p in only_mombasa["carried_over"] if p.startswith("wages")]
    # Mombasa moved from wages[1] to wages[0] and is still unchecked
    assert len(site_marks) == 13 and all(p.startswith("wages[0].") for p in site_marks)


def test_submitting_is_not_blocked_and_strips_the_marks(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor)
    draft = _start_2026(client, headers, vendor, carry_over=True).json
    submitted = client.post(f"/api/v1/disclosures/{draft['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["carried_over"] == []
    stored = db.session.get(Disclosure, draft["id"])
    assert CARRIED_OVER not in stored.figures
    assert stored.figures["workforce"]["headcount_end"] == 115
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "disclosure.submit").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.changes["after"]["carried_over_unchecked"] == CARRIED_FROM_VALID


def test_a_carried_figure_todays_rules_refuse_is_left_blank(
    client, make_vendor, bearer, monkeypatch
):
    """A benchmark date that lies after today cannot be carried (today moved back here, as a
    currency that lost its exchange rate would be refused): it starts blank, unmarked."""
    from datetime import date

    from procure.disclosures import services

    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor)

    class Before(date):
        @classmethod
        def today(cls):
            return date(2025, 3, 1)

    monkeypatch.setattr(services, "date", Before)
    draft = _start_2026(client, headers, vendor, carry_over=True)
    assert draft.status_code == 201, draft.json
    site = draft.json["wages"][0]
    assert site["living_wage_date"] is None  # 2025-06-01, after "today"
    assert site["living_wage_benchmark"] == 35000.0
    assert "wages[0].living_wage_date" not in draft.json["carried_over"]
    assert len(draft.json["carried_over"]) == CARRIED_FROM_VALID - 1


# --------------------------------------------------------------------------- the pages


def _page_draft(client, sign_in, make_vendor, bearer):
    """A vendor with a submitted 2025 version that starts 2026 on the page; (draft, page)."""
    vendor, user = make_vendor()
    _submitted(client, bearer(user), vendor)
    pages = client.application.test_client()
    sign_in(pages, user)
    index = pages.get("/vendor/disclosures")
    assert "Start from my previous disclosure's figures" in index.text
    started = pages.post(
        "/vendor/disclosures",
        data={"csrf_token": csrf_token_from(index.text), **PERIOD_2026, "carry_over": "1"},
    )
    assert started.status_code == 302
    return pages, db.session.get(Disclosure, int(started.location.rsplit("/", 1)[1]))


def _carried_document() -> dict:
    document = valid_document(**PERIOD_2026)
    document["evidence"] = dict.fromkeys(("workforce", "wages", "training"), "self_reported")
    return document


def test_the_page_marks_each_carried_figure_and_saving_clears_what_was_saved(
    client, make_vendor, bearer, sign_in
):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    assert (
        f"{CARRIED_FROM_VALID} figures carried over from the 2025 disclosure; check each one."
        in (html.unescape(page))
    )
    assert page.count("Carried over, check this") == CARRIED_FROM_VALID
    assert page.count('name="confirmed"') == CARRIED_FROM_VALID + 4  # and 4 whole-part boxes
    assert 'id="unchecked-carried"' in page  # listed before the submit button

    form = disclosure_form_fields(_carried_document())
    form.update(
        {
            "csrf_token": csrf_token_from(page),
            "edit_version": str(draft.edit_version),
            "workforce.promotions_all": "11",  # changed
            "confirmed": ["wages[0].currency", "training"],  # confirmed as they are
            "action": "save",
        }
    )
    saved = pages.post(f"/disclosures/{draft.id}", data=form)
    assert saved.status_code == 302
    db.session.refresh(draft)
    assert draft.figures["workforce"]["promotions_all"] == 11
    assert len(draft.carried_over) == CARRIED_FROM_VALID - 1 - 1 - 5
    assert "workforce.promotions_all" not in draft.carried_over
    assert "wages[0].currency" not in draft.carried_over
    assert "wages[0].country" in draft.carried_over
    page = pages.get(f"/disclosures/{draft.id}").text
    assert page.count("Carried over, check this") == CARRIED_FROM_VALID - 7
    unchecked = re.search(r'id="unchecked-carried">(.*?)</ul>', page, re.S).group(1)
    assert ">Site 1: Country</a>" in unchecked and "Promotions" not in unchecked

    # a refused save keeps every mark and every typed value
    form.update(
        {
            "edit_version": str(draft.edit_version),
            "workforce.impact_workers_end": "500",
            "confirmed": ["workforce"],
        }
    )
    refused = pages.post(f"/disclosures/{draft.id}", data=form)
    assert refused.status_code == 422 and 'value="500"' in refused.text
    db.session.refresh(draft)
    assert len(draft.carried_over) == CARRIED_FROM_VALID - 7


def test_a_vendor_may_start_blank_on_the_page(client, make_vendor, bearer, sign_in):
    vendor, user = make_vendor()
    _submitted(client, bearer(user), vendor)
    pages = client.application.test_client()
    sign_in(pages, user)
    index = pages.get("/vendor/disclosures")
    started = pages.post(
        "/vendor/disclosures", data={"csrf_token": csrf_token_from(index.text), **PERIOD_2026}
    )
    assert started.status_code == 302
    draft = db.session.get(Disclosure, int(started.location.rsplit("/", 1)[1]))
    assert draft.carried_over == [] and draft.figures["wages"] == []
    assert "carried over" not in pages.get(f"/disclosures/{draft.id}").text.lower()


def test_attaching_a_file_keeps_everything_typed(client, make_vendor, bearer, sign_in):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    form = disclosure_form_fields(_carried_document())
    form.update(
        {
            "csrf_token": csrf_token_from(page),
            "edit_version": str(draft.edit_version),
            "workforce.headcount_end": "118",
            "workforce.full_time_end": "103",  # 103 + 15 = 118
            "section": "workforce",
            "level": "self_reported_documented",
            "action": "attach",
        }
    )
    refused = pages.post(
        f"/disclosures/{draft.id}/evidence",
        content_type="multipart/form-data",
        data={**form, "file": (io.BytesIO(b"not a pdf at all"), "headcount.pdf")},
    )
    assert refused.status_code == 422 and "its content is not a type we accept" in refused.text
    assert 'value="118"' in refused.text  # carried through the refusal, on the page
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 115 and draft.evidence == []

    nothing = pages.post(f"/disclosures/{draft.id}/evidence", data=form)
    assert nothing.status_code == 422 and "Choose a file to upload." in nothing.text
    assert 'value="118"' in nothing.text

    attached = pages.post(
        f"/disclosures/{draft.id}/evidence",
        content_type="multipart/form-data",
        data={**form, "file": (io.BytesIO(PDF), "headcount.pdf")},
    )
    assert attached.status_code == 302 and attached.location.endswith("#evidence")
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 118  # saved with the file
    assert [(e.filename, e.section) for e in draft.evidence] == [("headcount.pdf", "workforce")]
    assert "workforce.headcount_end" not in draft.carried_over
    shown = pages.get(f"/disclosures/{draft.id}").text
    assert "Draft saved. headcount.pdf is attached to the workforce section." in html.unescape(
        shown
    )

    # a file chosen and "Save draft" pressed is attached too, never dropped
    form.update({"edit_version": str(draft.edit_version), "section": "wages", "action": "save"})
    pages.post(
        f"/disclosures/{draft.id}",
        content_type="multipart/form-data",
        data={**form, "file": (io.BytesIO(PDF), "payroll.pdf")},
    )
    db.session.refresh(draft)
    assert [e.filename for e in draft.evidence] == ["headcount.pdf", "payroll.pdf"]


def test_before_submitting_the_page_lists_claims_with_no_file(client, make_vendor, sign_in):
    vendor, user = make_vendor()
    pages = client.application.test_client()
    sign_in(pages, user)
    index = pages.get("/vendor/disclosures")
    assert "Start from my previous" not in index.text  # nothing submitted to start from
    started = pages.post(
        "/vendor/disclosures",
        data={
            "csrf_token": csrf_token_from(index.text),
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    draft = db.session.get(Disclosure, int(started.location.rsplit("/", 1)[1]))
    page = pages.get(f"/disclosures/{draft.id}").text
    form = disclosure_form_fields(valid_document())
    form["evidence.training"] = "third_party_limited"
    form.update(
        {
            "csrf_token": csrf_token_from(page),
            "edit_version": str(draft.edit_version),
            "action": "save",
        }
    )
    assert pages.post(f"/disclosures/{draft.id}", data=form).status_code == 302
    page = html.unescape(pages.get(f"/disclosures/{draft.id}").text)
    lacking = re.search(r'id="unbacked-claims">(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", lacking, re.S)
    assert [re.sub(r"<[^>]+>", "", item).split(":")[0] for item in items] == [
        "Workforce",
        "Training",
    ]
    assert "you claim self-reported documented evidence, but no file attached" in items[0]
    assert page.index('id="unbacked-claims"') < page.index('value="submit"')
    assert "No file is attached behind your claim for: workforce, training." in page

    db.session.refresh(draft)
    form["edit_version"] = str(draft.edit_version)
    form.update({"section": "training", "level": "third_party_limited", "action": "attach"})
    pages.post(
        f"/disclosures/{draft.id}/evidence",
        content_type="multipart/form-data",
        data={**form, "file": (io.BytesIO(PDF), "training-log.pdf")},
    )
    page = html.unescape(pages.get(f"/disclosures/{draft.id}").text)
    lacking = re.search(r'id="unbacked-claims">(.*?)</ul>', page, re.S).group(1)
    assert "Workforce" in lacking and "Training" not in lacking
    assert "No file is attached behind your claim for: workforce." in page


def test_another_vendor_cannot_confirm_or_read_a_draft(client, make_vendor, bearer):
    vendor, user = make_vendor()
    headers = bearer(user)
    _submitted(client, headers, vendor)
    draft = _start_2026(client, headers, vendor, carry_over=True).json
    _, other_user = make_vendor()
    other = bearer(other_user)
    assert client.get(f"/api/v1/disclosures/{draft['id']}", headers=other).status_code == 404
    refused = _patch(client, other, draft, confirmed=["workforce"])
    assert refused.status_code == 404
    assert len(db.session.get(Disclosure, draft["id"]).carried_over) == CARRIED_FROM_VALID
    assert (
        copy.deepcopy(draft["carried_over"]) == db.session.get(Disclosure, draft["id"]).carried_over
    )
