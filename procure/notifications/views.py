"""Pages: your notifications, newest first, 50 to a page; mark one or all read; choose which
kinds you get by email."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from procure.access import SIGNED_IN, access, get_scoped_or_404
from procure.errors import ValidationFailed
from procure.forms import form_body, load_form
from procure.mail import mail_configured
from procure.notifications import email_choices, services
from procure.notifications.models import PER_PAGE, Notification
from procure.notifications.schemas import MailSettingsUpdateSchema
from procure.page_query import page_asked
from procure.states import NotificationKind
from procure.transactions import discard, writes

bp = Blueprint("notification_pages", __name__)

# what each kind is, in a word or three, shown next to the notification's own sentence
KIND_LABELS = {
    NotificationKind.DISCLOSURE_SUBMITTED: "Disclosure to review",
    NotificationKind.REVIEW_DECIDED: "Review of your disclosure",
    NotificationKind.SCENARIO_SUBMITTED: "Scenario to decide",
    NotificationKind.SCENARIO_DECIDED: "Scenario decided",
    NotificationKind.CAMPAIGN_REQUEST: "Disclosure requested",
    NotificationKind.CAMPAIGN_REMINDER: "Disclosure reminder",
    NotificationKind.INVITATION_ACCEPTED: "Invitation accepted",
    NotificationKind.ASSURANCE_SHARED: "Disclosure to assess",
    NotificationKind.ATTESTATION_ISSUED: "Section attested",
    NotificationKind.ATTESTATION_WITHDRAWN: "Attestation withdrawn",
    NotificationKind.EVENT_PUBLISHED: "Invited to bid",
    NotificationKind.EVENT_CLOSED: "Bidding ended",
    NotificationKind.COALITION_INVITATION: "Invited to a coalition",
    NotificationKind.COALITION_ANSWER: "Coalition invitation answered",
    NotificationKind.COALITION_POST: "Coalition feed",
    NotificationKind.EVENT_AWARDED: "Volume awarded",
    NotificationKind.CORRECTIVE_OPENED: "Corrective action plan",
    NotificationKind.CORRECTIVE_ANSWERED: "Corrective action answered",
    NotificationKind.CORRECTIVE_CLOSED: "Corrective action plan closed",
}


def _page_number(raw: str | None) -> int:
    """A page number sent back by a form: anything but a positive whole number is page 1."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _back_to_list():
    page = _page_number(request.form.get("page"))
    return redirect(url_for("notification_pages.index", page=page if page > 1 else None))


@bp.route("/notifications")
@access(SIGNED_IN)
def index():
    listing = services.page_of(current_user, page_asked(), PER_PAGE, clamp=True)
    return render_template("notifications/index.html", listing=listing, kind_labels=KIND_LABELS)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@access(SIGNED_IN)
@writes
def read(notification_id):
    services.mark_read(get_scoped_or_404(Notification, notification_id), current_user)
    return _back_to_list()


@bp.route("/notifications/read-all", methods=["POST"])
@access(SIGNED_IN)
@writes
def read_all():
    marked = services.mark_all_read(current_user)
    flash(
        f"Marked {marked} notification{'' if marked == 1 else 's'} as read."
        if marked
        else "Nothing was unread.",
        "success",
    )
    return _back_to_list()


@bp.route("/notifications/settings", methods=["GET", "POST"])
@access(SIGNED_IN)
@writes
def settings():
    """Which kinds of notification the user gets by email: a box for each kind its role
    receives, read through the API's schema (another kind is refused, naming the field)."""
    errors: dict[str, list[str]] = {}
    status = 200
    chosen = [kind.value for kind in email_choices.email_kinds(current_user)]
    if request.method == "POST":
        schema = MailSettingsUpdateSchema()
        body = form_body(schema, request.form, checkboxes=("email_kinds",))
        try:
            loaded = load_form(schema, body)
            email_choices.choose_email_kinds(
                current_user._get_current_object(), loaded["email_kinds"]
            )
        except ValidationFailed as failed:
            discard()
            # one message list for the boxes (an unknown kind is email_kinds.<index> to the API)
            errors = {"email_kinds": [m for ms in failed.errors.values() for m in ms]}
            status = 422
            chosen = body.get("email_kinds", [])
        else:
            flash("Your mail settings are saved.", "success")
            return redirect(url_for("notification_pages.settings"))
    return render_template(
        "notifications/settings.html",
        offered={kind: KIND_LABELS[kind] for kind in email_choices.receivable_kinds(current_user)},
        chosen=chosen,
        errors=errors,
        mail=mail_configured(),
        digest_sent_on=email_choices.mail_settings_of(current_user).digest_sent_on,
    ), status
