"""Drafts save as the vendor types: the page's script posts the form with X-Autosave after a
pause. The figures are saved (never a file, never a submission); a refusal names the field by
its label and changes nothing; a stale version answers 409; another organization's user, or a
submitted version, changes nothing."""

import io
from datetime import timedelta

from sqlalchemy import select

from procure.accounts.models import User
from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure
from procure.extensions import db
from tests.app.test_carried_over import _carried_document, _page_draft
from tests.conftest import PDF, csrf_token_from, disclosure_form_fields

AUTOSAVE = {"X-Autosave": "1", "Accept": "application/json"}


def _form(page: str, draft: Disclosure, **changes) -> dict:
    form = disclosure_form_fields(_carried_document())
    form.update(csrf_token=csrf_token_from(page), edit_version=str(draft.edit_version))
    form.update(changes)
    return form


def test_a_pause_in_typing_saves_the_draft_and_moves_its_version(
    client, make_vendor, bearer, sign_in
):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    assert "data-autosave" in page and "Drafts save by themselves" in page
    version = draft.edit_version
    form = _form(
        page, draft, **{"workforce.headcount_end": "118", "workforce.full_time_end": "103"}
    )
    form["action"] = "submit"  # an autosave never submits, whatever the form says
    saved = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        content_type="multipart/form-data",
        data={**form, "file": (io.BytesIO(PDF), "headcount.pdf")},  # nor attaches a file
    )
    assert saved.status_code == 200, saved.json
    assert saved.json == {"saved": True, "edit_version": version + 1, "message": "Draft saved"}
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 118 and draft.state == "draft"
    assert draft.evidence == [] and draft.edit_version == version + 1

    # the next pause sends the version the answer gave
    again = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data={
            **form,
            "edit_version": str(version + 1),
            "workforce.headcount_end": "119",
            "workforce.full_time_end": "104",
        },
    )
    assert again.status_code == 200 and again.json["edit_version"] == version + 2


def test_a_figure_that_is_no_number_is_named_by_its_label_and_nothing_changes(
    client, make_vendor, bearer, sign_in
):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    before = (dict(draft.figures["workforce"]), draft.edit_version)
    refused = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data=_form(page, draft, **{"workforce.headcount_end": "lots"}),
    )
    assert refused.status_code == 422 and refused.json["saved"] is False
    message = refused.json["message"]
    assert message == 'Not saved yet: Employees at period end must be a whole number; got "lots".'
    db.session.refresh(draft)
    assert (draft.figures["workforce"], draft.edit_version) == before


def test_a_stale_version_answers_409_and_saves_nothing(client, make_vendor, bearer, sign_in):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    form = _form(
        page, draft, **{"workforce.headcount_end": "118", "workforce.full_time_end": "103"}
    )
    assert pages.post(f"/disclosures/{draft.id}", headers=AUTOSAVE, data=form).status_code == 200
    # a second tab, loaded before that save, sends the old version
    stale = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data={**form, "workforce.headcount_end": "200", "workforce.full_time_end": "185"},
    )
    assert stale.status_code == 409 and stale.json["saved"] is False
    assert stale.json["message"].startswith("You changed this draft in another window or tab")
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 118


def test_another_vendor_and_a_submitted_version_change_nothing(
    client, make_vendor, bearer, sign_in
):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    form = _form(
        page, draft, **{"workforce.headcount_end": "118", "workforce.full_time_end": "103"}
    )
    _other, intruder = make_vendor()
    stranger = client.application.test_client()
    sign_in(stranger, intruder)
    token = csrf_token_from(stranger.get("/vendor/disclosures").text)
    answer = stranger.post(
        f"/disclosures/{draft.id}", headers=AUTOSAVE, data={**form, "csrf_token": token}
    )
    assert answer.status_code == 404
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 115

    submitted = client.post(
        f"/api/v1/disclosures/{draft.id}/submit", headers=bearer(draft_user(draft))
    )
    assert submitted.status_code == 200, submitted.json
    late = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data={**form, "edit_version": str(submitted.json["edit_version"])},
    )
    assert late.status_code == 409 and late.json["saved"] is False
    db.session.refresh(draft)
    assert draft.state == "submitted" and draft.figures["workforce"]["headcount_end"] == 115


def draft_user(draft: Disclosure) -> User:
    return db.session.query(User).filter_by(organization_id=draft.vendor.organization_id).first()


def _updates(draft: Disclosure) -> list[dict]:
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == "Disclosure",
            AuditEvent.target_id == str(draft.id),
            AuditEvent.action == "disclosure.update",
        )
        .order_by(AuditEvent.id)
    )
    return [event.changes["after"] for event in events]


def _typed(headcount: int) -> dict[str, str]:
    """Figures typed between two pauses: a headcount and the full-time count it implies."""
    return {
        "workforce.headcount_end": str(headcount),
        "workforce.full_time_end": str(headcount - 15),
    }


def test_one_sitting_of_autosaves_is_one_audit_event_and_a_button_save_is_its_own(
    client, make_vendor, bearer, sign_in
):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    version = draft.edit_version
    already = len(_updates(draft))
    for step in range(3):  # three pauses in the typing
        answer = pages.post(
            f"/disclosures/{draft.id}",
            headers=AUTOSAVE,
            data=_form(
                page,
                draft,
                edit_version=str(version + step),
                **{
                    "workforce.headcount_end": str(116 + step),
                    "workforce.full_time_end": str(101 + step),
                },
            ),
        )
        assert answer.status_code == 200, answer.json
    assert _updates(draft)[already:] == [{"edit_version": version + 1, "autosave": True}]

    # the button's save is recorded as ever; the next pause starts a new sitting
    button = pages.post(
        f"/disclosures/{draft.id}",
        data=_form(page, draft, edit_version=str(version + 3), action="save"),
    )
    assert button.status_code == 302
    pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data=_form(page, draft, edit_version=str(version + 4), **_typed(130)),
    )
    # a pause with nothing new typed saves nothing and records nothing
    unchanged = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data=_form(page, draft, edit_version=str(version + 5), **_typed(130)),
    )
    assert unchanged.json["edit_version"] == version + 5
    assert _updates(draft)[already + 1 :] == [
        {"edit_version": version + 4},
        {"edit_version": version + 5, "autosave": True},
    ]

    # a sitting ends after a quarter of an hour without a save
    newest = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    newest.created_at = newest.created_at - timedelta(minutes=16)
    db.session.commit()
    pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data=_form(page, draft, edit_version=str(version + 5), **_typed(140)),
    )
    assert _updates(draft)[-1] == {"edit_version": version + 6, "autosave": True}
    assert len(_updates(draft)) == already + 4


def test_a_version_that_is_no_number_is_named_in_words(client, make_vendor, bearer, sign_in):
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    page = pages.get(f"/disclosures/{draft.id}").text
    refused = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data=_form(page, draft, edit_version="seven"),
    )
    assert refused.status_code == 422
    assert refused.json["message"].startswith(
        "Not saved yet: The version of the draft this page was opened on"
    )
    assert "edit_version" not in refused.json["message"]


def test_a_colleagues_change_is_named_and_what_was_typed_stays(
    client, make_vendor, make_user, bearer, sign_in
):
    """Two users of one vendor open the draft; the colleague's autosave comes first. Mine is
    refused (409) and says who changed the draft and when; nothing of mine is saved. Saving by
    the button then shows the page again with what I typed, and the notice."""
    pages, draft = _page_draft(client, sign_in, make_vendor, bearer)
    mine = pages.get(f"/disclosures/{draft.id}").text
    me = db.session.get(User, draft.created_by_id)
    colleague = make_user("vendor", organization=me.organization)
    colleague.name = "Amara Osei"
    db.session.commit()
    theirs = client.application.test_client()
    sign_in(theirs, colleague)
    their_page = theirs.get(f"/disclosures/{draft.id}").text
    saved = theirs.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data=_form(
            their_page,
            draft,
            **{"workforce.headcount_end": "118", "workforce.full_time_end": "103"},
        ),
    )
    assert saved.status_code == 200, saved.json
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Disclosure", AuditEvent.target_id == str(draft.id))
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == colleague.id
    at = f"{event.created_at:%Y-%m-%d %H:%M} UTC"

    typed = _form(
        mine, draft, **{"workforce.headcount_end": "130", "workforce.full_time_end": "115"}
    )
    refused = pages.post(f"/disclosures/{draft.id}", headers=AUTOSAVE, data=typed)
    assert refused.status_code == 409
    assert refused.json == {
        "saved": False,
        "message": f"Amara Osei changed this draft as they typed, from {at} (since you opened "
        "the page), so what you typed was not saved.",
        "changed_by": "Amara Osei",
        "changed_at": event.created_at.isoformat(),
    }
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 118  # theirs, not overwritten

    # the button: the page again (409), with my figure in the form and the notice
    page = pages.post(f"/disclosures/{draft.id}", data={**typed, "action": "save"})
    assert page.status_code == 409
    assert "Amara Osei changed this draft as they typed" in page.text
    assert "What you typed is in the form below; saving it again replaces the other changes" in (
        page.text
    )
    assert 'name="workforce.headcount_end"' in page.text and 'value="130"' in page.text
    db.session.refresh(draft)
    assert draft.figures["workforce"]["headcount_end"] == 118
    assert f'name="edit_version" type="hidden" value="{draft.edit_version}"' in page.text or (
        f'value="{draft.edit_version}"' in page.text
    )

    # my own change in another tab is said as mine
    other_tab = pages.post(
        f"/disclosures/{draft.id}",
        headers=AUTOSAVE,
        data={**typed, "edit_version": str(draft.edit_version)},
    )
    assert other_tab.status_code == 200
    stale = pages.post(f"/disclosures/{draft.id}", headers=AUTOSAVE, data=typed)
    assert stale.status_code == 409 and stale.json["changed_by"] == "you"
    assert stale.json["message"].startswith("You changed this draft in another window or tab")
