"""Pages: sign-in and sign-out, the home page per role, API tokens, user administration."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import Schema
from werkzeug.wrappers import Response

from procure.access import PUBLIC, SIGNED_IN, access, get_scoped_or_404, roles, scoped_select
from procure.accounts import services
from procure.accounts.limits import sign_in_attempts
from procure.accounts.models import ROLES_BY_KIND, TENANT_KINDS, ApiToken, User
from procure.accounts.schemas import (
    OrganizationCreateSchema,
    OrganizationSettingsSchema,
    PasswordChangeSchema,
    PasswordResetFormSchema,
    TokenRequestSchema,
    UserCreateSchema,
)
from procure.audit.services import record_event
from procure.deliveries.actuals import actuals_of_many
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.forms import form_body, load_form
from procure.platform import PLATFORM_COUNTS, platform_summary
from procure.scenarios.listing import LIST_LOAD, listed
from procure.scenarios.models import Scenario
from procure.scenarios.review import projected_summary
from procure.states import ScenarioStatus
from procure.transactions import attempt, discard, keep_when_refused, writes

bp = Blueprint("accounts_pages", __name__)

TOKEN_NAME = "API token"  # the new-token form's name until the user types another


def load_page_form(schema: Schema) -> dict[str, Any]:
    """The request's form loaded by `schema` (an API schema, or a page's next to it): a refused
    field raises ValidationFailed naming it as the API does. Secrets (the schema's load_only
    fields: passwords) are read as typed, spaces included."""
    secrets = [name for name, field in schema.load_fields.items() if field.load_only]
    return load_form(schema, form_body(schema, request.form, verbatim=secrets))


def typed(*names: str) -> dict[str, str]:
    """The text typed into these fields of the request's form, to show again (never a password)."""
    return {name: request.form.get(name, "").strip() for name in names}


def first_role(kind: str) -> str:
    """The role a new user of an organization of `kind` gets unless the admin picks another: the
    first that is not admin, so adding an administrator takes a deliberate choice."""
    roles_of_kind = ROLES_BY_KIND[kind]
    return next((role for role in roles_of_kind if role != "admin"), roles_of_kind[0])


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("accounts_pages.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@access(PUBLIC)
@sign_in_attempts
@writes
def sign_in():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("accounts_pages.home"))
    errors: dict[str, list[str]] = {}
    refusal = None
    status = 200
    if request.method == "POST":
        try:
            credentials = load_page_form(TokenRequestSchema(only=("email", "password")))
            user = services.authenticate(credentials["email"], credentials["password"])
        except ValidationFailed as failed:  # a blank field: no attempt was made
            errors, status = failed.errors, 422
        except services.SignInRefused as refused:
            keep_when_refused()  # failed attempts must count
            refusal, status = refused.message, refused.code
        else:
            open_session(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template(
        "accounts/sign_in.html", errors=errors, refusal=refusal, values=typed("email")
    ), status


def open_session(user: User) -> None:
    """A fresh session for `user`, marked with their password so a password change ends it."""
    session.clear()
    login_user(user)
    session[services.SESSION_STAMP_KEY] = services.session_stamp(user)


@bp.route("/sign-out", methods=["POST"])
@access(SIGNED_IN)
@writes
def sign_out():
    user = current_user._get_current_object()
    services.end_sessions(user)  # the cookie, even a copy of it, no longer signs anyone in
    record_event("auth.sign_out", user, actor=user)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts_pages.sign_in"))


@bp.route("/")
@access(SIGNED_IN)
def home():
    organization = current_user.organization
    members = db.session.scalars(
        scoped_select(User).where(User.organization_id == organization.id).order_by(User.name)
    ).all()
    context = HOME_CONTEXT.get(current_user.role, dict)()
    return render_template(
        f"home/{current_user.role}.html", organization=organization, members=members, **context
    )


def _scenario_overview() -> dict:
    """Open and approved scenarios of the organization (the ids of those waiting for a decision,
    to compare side by side), with the projected impact of the approved and, where deliveries
    are recorded, their actual impact-worker hours against the hours projected to the same month
    (procure.deliveries.actuals)."""
    scenarios = db.session.scalars(
        # never their problem and result documents (at 10,000 vendors 8.7 MB a plan): the
        # figures below read the projection and, for deliveries, the page lines' plan
        scoped_select(Scenario).options(*LIST_LOAD).order_by(Scenario.id.desc())
    ).all()
    approved = [s for s in scenarios if s.status == ScenarioStatus.APPROVED]
    impacts = {s.id: projected_summary(s) for s in approved}
    # every plan's deliveries in one read; a plan without any is not worked out
    tracking = actuals_of_many(approved, undelivered=False)
    # the newest five waiting for a decision, oldest first: as many as the comparison takes
    waiting = [s.id for s in scenarios if s.status == ScenarioStatus.SUBMITTED][:5]
    open_scenarios = [
        s for s in scenarios if s.status in (ScenarioStatus.SOLVED, ScenarioStatus.SUBMITTED)
    ]
    return {
        "open_scenarios": open_scenarios,
        "relaxed": listed(open_scenarios).relaxed,  # their status badges, read by the database
        "compare_ids": sorted(waiting) if len(waiting) >= 2 else [],
        "approved_scenarios": approved,
        "impacts": impacts,
        "tracking": tracking,
        "total_jobs": sum(i["fte_jobs"] for i in impacts.values()),
        "total_hours": sum(i["impact_worker_hours"] for i in impacts.values()),
    }


@bp.route("/account", methods=["GET", "POST"])
@access(SIGNED_IN)
@writes
def account():
    if request.method == "GET":
        return _account_page()
    try:
        name = load_page_form(TokenRequestSchema(only=("name",)))["name"]
    except ValidationFailed as failed:
        return _account_page(
            token_errors=failed.errors, token_name=typed("name")["name"], status=422
        )
    _, new_secret = services.issue_token(current_user._get_current_object(), name)
    return _account_page(new_secret=new_secret)


def _account_page(
    *,
    token_errors: dict[str, list[str]] | None = None,
    token_name: str = TOKEN_NAME,
    password_errors: dict[str, list[str]] | None = None,
    new_secret: str | None = None,
    status: int = 200,
):
    """The account page, its forms showing the given errors (none for those not given)."""
    tokens = db.session.scalars(scoped_select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template(
        "accounts/account.html",
        tokens=tokens,
        new_secret=new_secret,
        token_errors=token_errors or {},
        token_name=token_name,
        password_errors=password_errors or {},
        is_live=services.token_is_live,
        min_password_length=services.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/account/password", methods=["POST"])
@access(SIGNED_IN)
@writes
def change_password():
    """Change one's own password: this session goes on (renewed), every other session ends;
    API tokens are kept (they are listed, and revocable, on the same page)."""
    try:
        passwords = load_page_form(PasswordChangeSchema())
    except ValidationFailed as failed:  # a blank field, or two new passwords that differ
        return _account_page(password_errors=failed.errors, status=422)
    user = current_user._get_current_object()
    try:
        services.change_password(user, passwords["current_password"], passwords["new_password"])
    except ValidationFailed as failed:
        keep_when_refused()  # a wrong current password counts towards the lockout
        return _account_page(password_errors=failed.errors, status=422)
    open_session(user)
    flash(
        "Your password is changed. Your other sessions are signed out; your API tokens still work.",
        "success",
    )
    return redirect(url_for("accounts_pages.account"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@access(SIGNED_IN)
@writes
def revoke_token(token_id):
    token = get_scoped_or_404(ApiToken, token_id)
    services.revoke_token(token, actor=current_user)
    flash(f"Token “{token.name}” is revoked.", "success")
    return redirect(url_for("accounts_pages.account"))


@bp.route("/admin/users", methods=["GET", "POST"])
@access(roles("admin"))
@writes
def admin_users():
    """The admin's own organization: its users, and a form to add one."""
    organization = current_user.organization
    errors: dict[str, list[str]] = {}
    values = {"role": first_role(organization.kind)}
    status = 200
    if request.method == "POST":
        values = typed("name", "email", "role")
        try:
            # the API's body less its organization: the admin's own is the only one
            new = load_page_form(UserCreateSchema(exclude=("organization_id",)))
            user = services.create_user(
                organization,
                new["email"],
                new["name"],
                new["role"],
                new["password"],
                actor=current_user,
            )
        except ValidationFailed as failed:
            discard()
            errors, status = failed.errors, 422
        else:
            flash(f"{user.name} can now sign in as {user.email}.", "success")
            return redirect(url_for("accounts_pages.admin_users"))
    users = db.session.scalars(scoped_select(User).order_by(User.name)).all()
    return render_template(
        "accounts/admin_users.html",
        errors=errors,
        values=values,
        role_options=[(role, role.title()) for role in ROLES_BY_KIND[organization.kind]],
        organization=organization,
        users=users,
        min_password_length=services.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@access(roles("admin"))
@writes
def unlock_user(user_id):
    return _user_action(
        user_id,
        lambda user: services.unlock_user(user, actor=current_user),
        "{} is unlocked and can sign in again.",
    )


def _user_action(user_id: int, change: Callable[[User], Any], done: str) -> Response:
    """One confirmed change to a user of the admin's organization (another's answers 404), then
    back to the Users page; `done` names the user at its {}."""
    user = get_scoped_or_404(User, user_id)
    attempt(lambda: change(user), done.format(f"{user.name} ({user.email})"))
    return redirect(url_for("accounts_pages.admin_users"))


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@access(roles("admin"))
@writes
def reset_password(user_id):
    """An administrator sets a new password for a user who forgot theirs."""
    user = get_scoped_or_404(User, user_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            password = load_page_form(PasswordResetFormSchema())["password"]
            revoked = services.reset_password(user, password, actor=current_user)
        except ValidationFailed as failed:
            discard()
            errors, status = failed.errors, 422
        else:
            flash(
                f"{user.name} ({user.email}) has a new password; their sessions are signed out and "
                f"{revoked} API token(s) revoked. Give them the password by a channel you trust.",
                "success",
            )
            return redirect(url_for("accounts_pages.admin_users"))
    return render_template(
        "accounts/reset_password.html",
        errors=errors,
        user=user,
        min_password_length=services.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@access(roles("admin"))
@writes
def deactivate_user(user_id):
    return _user_action(
        user_id,
        lambda user: services.deactivate_user(user, current_user._get_current_object()),
        "{} is deactivated: their sessions and API tokens have ended.",
    )


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@access(roles("admin"))
@writes
def reactivate_user(user_id):
    return _user_action(
        user_id,
        lambda user: services.reactivate_user(user, actor=current_user),
        "{} can sign in again.",
    )


@bp.route("/admin/users/<int:user_id>/tokens/revoke", methods=["POST"])
@access(roles("admin"))
@writes
def revoke_user_tokens(user_id):
    user = get_scoped_or_404(User, user_id)
    revoked = services.revoke_user_tokens(user, actor=current_user)
    flash(f"{revoked} API token(s) of {user.name} ({user.email}) revoked.", "success")
    return redirect(url_for("accounts_pages.admin_users"))


@bp.route("/admin/organizations", methods=["GET", "POST"])
@access(roles("operator"))
@writes
def admin_organizations():
    """The operator's page: every organization with counts of its users and records, and a form
    to create an organization with its first admin."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = typed("name", "kind", "admin_name", "admin_email")
        try:
            new = load_page_form(OrganizationCreateSchema())
            organization, admin = services.onboard_organization(
                new["name"],
                new["kind"],
                new["admin_email"],
                new["admin_name"],
                new["admin_password"],
                actor=current_user,
            )
        except ValidationFailed as failed:
            discard()
            errors, status = failed.errors, 422
        else:
            flash(
                f"{organization.name} is created; its administrator {admin.name} can sign in as "
                f"{admin.email} and add its users. Give them the password by a channel you trust.",
                "success",
            )
            return redirect(url_for("accounts_pages.admin_organizations"))
    return render_template(
        "accounts/admin_organizations.html",
        errors=errors,
        values=values,
        kind_options=[(kind, kind.title()) for kind in TENANT_KINDS],
        summary=platform_summary(),
        counted=PLATFORM_COUNTS,
        min_password_length=services.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/admin/settings", methods=["GET", "POST"])
@access(roles("admin"))
@writes
def organization_settings():
    """A buyer organization's settings, set by its admin (an audit event when one changes); an
    organization of another kind has none (404)."""
    organization = current_user.organization
    if organization.kind != "buyer":
        abort(404)
    if request.method == "POST":
        # the box sends "true" before its hidden "false": read as the API reads its body
        try:
            allowed = load_form(
                OrganizationSettingsSchema(), form_body(OrganizationSettingsSchema(), request.form)
            )["vendors_see_plan_share"]
        except ValidationFailed as refused:
            return render_template(
                "accounts/organization_settings.html",
                organization=organization,
                errors=refused.errors,
            ), 422
        if services.set_vendors_see_plan_share(organization, allowed, actor=current_user):
            flash(
                "Vendors now see how an improvement would change their share of your approved "
                "plans."
                if allowed
                else "Vendors no longer see how an improvement would change their share of your "
                "approved plans.",
                "success",
            )
        return redirect(url_for("accounts_pages.organization_settings"))
    return render_template(
        "accounts/organization_settings.html", organization=organization, errors={}
    )


# What each role's home page shows besides its organization and members.
HOME_CONTEXT = {"buyer": _scenario_overview, "executive": _scenario_overview}
