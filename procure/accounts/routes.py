"""Accounts API: bearer tokens, the signed-in user, organizations and users."""

from flask.views import MethodView
from flask_login import current_user

from procure.access import PUBLIC, SIGNED_IN, access, get_scoped_or_404, roles, scoped_select
from procure.accounts import services
from procure.accounts.limits import sign_in_attempts
from procure.accounts.models import ApiToken, Organization, User
from procure.accounts.schemas import (
    IssuedTokenSchema,
    MeSchema,
    OrganizationCreatedSchema,
    OrganizationCreateSchema,
    OrganizationSchema,
    OrganizationSettingsSchema,
    PasswordResetSchema,
    TokenRequestSchema,
    TokenSchema,
    TokensRevokedSchema,
    UserCreateSchema,
    UserSchema,
)
from procure.api_paging import Blueprint, page_of_select
from procure.errors import respond_error
from procure.transactions import keep_when_refused, writes

blp = Blueprint(
    "accounts_api",
    __name__,
    url_prefix="/api/v1",
    description="Sign-in tokens, users and organizations",
)


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @access(PUBLIC)
    @blp.doc(security=[])
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, IssuedTokenSchema)
    @blp.alt_response(401, description="Wrong email or password")
    @blp.alt_response(
        403,
        description="Right password, but the account is locked until an administrator unlocks it",
    )
    @blp.alt_response(
        429,
        description="Too many failed attempts for this email, or too many attempts from your "
        "address (setting sign_in_per_address_per_minute); Retry-After says when to try again",
    )
    @sign_in_attempts
    @writes
    def post(self, body):
        """Exchange an email and password for a bearer token"""
        try:
            user = services.authenticate(body["email"], body["password"])
        except services.SignInRefused as refused:
            keep_when_refused()  # failed attempts must count
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
            return respond_error(refused.code, refused.message, headers=headers)
        token, secret = services.issue_token(user, body["name"])
        token.token = secret  # shown in this response only; never stored
        return token

    @access(SIGNED_IN)
    @blp.response(200, TokenSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List your own tokens (their secrets are never shown again)"""
        return page_of_select(scoped_select(ApiToken).order_by(ApiToken.id), pagination_parameters)


@blp.route("/auth/tokens/<int:token_id>")
class TokenById(MethodView):
    @access(SIGNED_IN)
    @blp.response(204)
    @writes
    def delete(self, token_id):
        """Revoke one of your tokens; it stops working at once"""
        services.revoke_token(get_scoped_or_404(ApiToken, token_id), actor=current_user)


@blp.route("/me")
class Me(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in user and their organization"""
        return current_user


@blp.route("/organizations")
class Organizations(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, OrganizationSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Organizations visible to you: your own, or every one for the operator"""
        return page_of_select(
            scoped_select(Organization).order_by(Organization.id), pagination_parameters
        )

    @access(roles("operator"))
    @blp.arguments(OrganizationCreateSchema)
    @blp.response(201, OrganizationCreatedSchema)
    @writes
    def post(self, body):
        """Create a buyer, vendor or assurance organization with its first admin (the platform
        operator)"""
        organization, admin = services.onboard_organization(
            body["name"],
            body["kind"],
            body["admin_email"],
            body["admin_name"],
            body["admin_password"],
            actor=current_user,
        )
        organization.admin = admin
        return organization


@blp.route("/organizations/<int:organization_id>")
class OrganizationById(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, OrganizationSchema)
    def get(self, organization_id):
        """One organization; another organization's answers 404"""
        return get_scoped_or_404(Organization, organization_id)


@blp.route("/organizations/<int:organization_id>/settings")
class OrganizationSettings(MethodView):
    @access(roles("admin"))
    @blp.response(200, OrganizationSettingsSchema)
    def get(self, organization_id):
        """Your buyer organization's settings (its admin); another organization's answers 404"""
        return get_scoped_or_404(Organization, organization_id)

    @access(roles("admin"))
    @blp.arguments(OrganizationSettingsSchema)
    @blp.response(200, OrganizationSettingsSchema)
    @writes
    def patch(self, body, organization_id):
        """Set your buyer organization's settings (its admin; an audit event when one changes);
        another organization's answers 404, a vendor organization's 422"""
        organization = get_scoped_or_404(Organization, organization_id)
        services.set_vendors_see_plan_share(
            organization, body["vendors_see_plan_share"], actor=current_user
        )
        return organization


@blp.route("/users")
class Users(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The members of your organization"""
        return page_of_select(scoped_select(User).order_by(User.id), pagination_parameters)

    @access(roles("admin"))
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(404, description="No such organization of yours")
    @writes
    def post(self, body):
        """Create a user in your own organization (admin); another organization answers 404"""
        organization = get_scoped_or_404(Organization, body["organization_id"])
        user = services.create_user(
            organization,
            body["email"],
            body["name"],
            body["role"],
            body["password"],
            actor=current_user,
        )
        return user


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user; a user of another organization answers 404"""
        return get_scoped_or_404(User, user_id)


@blp.route("/users/<int:user_id>/unlock")
class UserUnlock(MethodView):
    @access(roles("admin"))
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such user visible to you")
    @blp.alt_response(409, description="Not locked")
    @writes
    def post(self, user_id):
        """Unlock a user locked after too many wrong passwords in a row (admin); the count starts again"""  # noqa: E501
        user = get_scoped_or_404(User, user_id)
        services.unlock_user(user, actor=current_user)
        return user


@blp.route("/users/<int:user_id>/password")
class UserPasswordReset(MethodView):
    @access(roles("admin"))
    @blp.arguments(PasswordResetSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such user visible to you")
    @writes
    def post(self, body, user_id):
        """Set a new password for a user who forgot theirs (admin): their sessions end, their API
        tokens are revoked and a lock is lifted. Give them the password by a channel you trust"""
        user = get_scoped_or_404(User, user_id)
        services.reset_password(user, body["password"], actor=current_user)
        return user


@blp.route("/users/<int:user_id>/deactivate")
class UserDeactivate(MethodView):
    @access(roles("admin"))
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such user in your organization")
    @blp.alt_response(
        409, description="Yourself, already deactivated, or your organization's last admin"
    )
    @writes
    def post(self, user_id):
        """Deactivate a user of your organization (admin): they can no longer sign in, and their
        sessions and API tokens end at once"""
        user = get_scoped_or_404(User, user_id)
        services.deactivate_user(user, current_user._get_current_object())
        return user


@blp.route("/users/<int:user_id>/reactivate")
class UserReactivate(MethodView):
    @access(roles("admin"))
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such user in your organization")
    @blp.alt_response(409, description="Active already")
    @writes
    def post(self, user_id):
        """Let a deactivated user of your organization sign in again (admin); their old sessions
        and tokens stay ended"""
        user = get_scoped_or_404(User, user_id)
        services.reactivate_user(user, actor=current_user)
        return user


@blp.route("/users/<int:user_id>/tokens/revoke")
class UserTokensRevoke(MethodView):
    @access(roles("admin"))
    @blp.response(200, TokensRevokedSchema)
    @blp.alt_response(404, description="No such user in your organization")
    @writes
    def post(self, user_id):
        """Revoke every API token of a user of your organization (admin); their sessions go on"""
        user = get_scoped_or_404(User, user_id)
        revoked = services.revoke_user_tokens(user, actor=current_user)
        return {"user_id": user.id, "revoked": revoked}
