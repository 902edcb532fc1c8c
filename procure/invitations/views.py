"""Pages: a buyer's invitations (invite a vendor, follow each invitation, revoke one), and the
public page of an invitation's link, where the invitee registers its vendor organization or
joins with the one it has."""

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from procure.access import PUBLIC, access, get_scoped_or_404, permitted, roles, scoped_select
from procure.accounts.services import MIN_PASSWORD_LENGTH
from procure.accounts.views import load_page_form, open_session, typed
from procure.db import utcnow
from procure.errors import ConflictError, ValidationFailed
from procure.forms import form_body, load_form
from procure.invitations import services
from procure.invitations.models import Invitation
from procure.invitations.schemas import InvitationCreateSchema, RegistrationSchema
from procure.mail import mail_configured
from procure.page_query import page_asked
from procure.transactions import attempt, discard, writes

bp = Blueprint("invitation_pages", __name__)

PER_PAGE = 25
# The session key holding the link of the invitation just created, until the page shows it once.
NEW_LINK = "invitations.new_link"


@bp.route("/invitations", methods=["GET", "POST"])
@access(roles("buyer", "admin"), POST=roles("buyer"))
@writes
def index():
    """The buyer organization's invitations, and (for its buyers) a form to invite a vendor."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = typed("email", "message")
        try:
            schema = InvitationCreateSchema()
            # a blank message is none, as the API's null
            new = load_form(schema, form_body(schema, request.form, null_if_blank=("message",)))
            invitation, secret = services.create_invitation(
                current_user._get_current_object(), new["email"], new["message"]
            )
        except ValidationFailed as failed:
            discard()
            errors, status = failed.errors, 422
        else:
            show_link_once(invitation, services.invitation_link(secret))
            return redirect(url_for("invitation_pages.index"))
    page = page_asked()
    return render_template(
        "invitations/index.html",
        errors=errors,
        values=values,
        can_invite=permitted("POST"),
        listing=services.page_of(scoped_select(Invitation), page, PER_PAGE),
        new_link=session.pop(NEW_LINK, None) if request.method == "GET" else None,
        mail=mail_configured(),
        days=current_app.config["INVITATION_DAYS"],
        now=utcnow(),
    ), status


def show_link_once(invitation: Invitation, link: str) -> None:
    """Mail the link (after the commit), or keep it for the next page to show once: without mail
    settings, and when the mail server did not take it (the invitation stands either way)."""
    outgoing = services.mail_invitation(invitation, link)
    email = invitation.email

    @after_this_request
    def remember(response):
        # runs once `writes` has committed and the mail has gone or failed
        if response.status_code >= 400:
            return response
        if outgoing is not None and outgoing.sent:
            flash(f"The invitation is mailed to {email}.", "success")
        else:
            session[NEW_LINK] = {"email": email, "link": link, "mail_failed": outgoing is not None}
        return response


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@access(roles("buyer"))
@writes
def revoke(invitation_id):
    invitation = get_scoped_or_404(Invitation, invitation_id)
    attempt(
        lambda: services.revoke_invitation(invitation, actor=current_user._get_current_object()),
        f"The invitation to {invitation.email} is revoked: its link no longer works.",
    )
    return redirect(url_for("invitation_pages.index"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@access(PUBLIC)
@writes
def accept(token):
    """The invitation's link. Anonymous: register a vendor organization and its first user (its
    admin), who is then signed in. Signed in as a vendor organization's user or admin: accept
    for that organization. The invited address's owner signed in with another kind of
    organization is told it cannot accept (nothing changes); any other user is asked to sign
    out first."""
    try:
        invitation = services.usable_invitation(token)
    except services.InvitationUnusable as unusable:
        return _unusable(unusable)
    joining = services.joining_organization(current_user)
    # the invited address's owner, signed in with an organization that cannot bid: told why
    owner_refused = services.owner_refusal(invitation, current_user)
    buyer = invitation.organization.name
    errors: dict[str, list[str]] = {}
    values = {"email": invitation.email}  # the invited address, to keep or change
    refusal = None
    status = 200
    if request.method == "POST" and current_user.is_authenticated:
        try:
            organization = services.join_vendor(invitation, current_user._get_current_object())
        except ConflictError as conflict:
            refusal, status = (None if owner_refused else conflict.message), 409
        except services.InvitationUnusable as unusable:
            discard()
            return _unusable(unusable)
        else:
            flash(f"{organization.name} accepted the invitation of {buyer}.", "success")
            return redirect(url_for("accounts_pages.home"))
    elif request.method == "POST":
        values = typed("organization_name", "name", "email")
        try:
            new = load_page_form(RegistrationSchema())
            user = services.register_vendor(
                invitation, new["organization_name"], new["name"], new["email"], new["password"]
            )
        except ValidationFailed as failed:
            discard()
            errors, status = failed.errors, 422
        except services.InvitationUnusable as unusable:
            discard()
            return _unusable(unusable)
        else:
            open_session(user)
            flash(
                f"Welcome, {user.name}. {user.organization.name} is registered and {buyer} "
                "sees that you accepted. Add your colleagues on the Users page.",
                "success",
            )
            return redirect(url_for("accounts_pages.home"))
    return render_template(
        "invitations/accept.html",
        invitation=invitation,
        buyer=buyer,
        errors=errors,
        values=values,
        joining=joining,
        refusal=refusal,
        owner_refused=owner_refused,
        min_password_length=MIN_PASSWORD_LENGTH,
    ), status


def _unusable(unusable: services.InvitationUnusable):
    return render_template("invitations/unusable.html", unusable=unusable), unusable.code
