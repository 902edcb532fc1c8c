"""Invitations API: a buyer organization's invitations to vendors. The link they carry is
accepted on its page (/invitations/<token>), where the invitee registers or joins."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.invitations import services
from procure.invitations.models import Invitation
from procure.invitations.schemas import (
    InvitationCreatedSchema,
    InvitationCreateSchema,
    InvitationPageSchema,
    InvitationQuerySchema,
    InvitationSchema,
)
from procure.transactions import writes

blp = Blueprint(
    "invitations_api",
    __name__,
    url_prefix="/api/v1",
    description="Invitations of vendors by your buyer organization",
)


@blp.route("/invitations")
class Invitations(MethodView):
    @access(roles("buyer", "admin"))
    @blp.arguments(InvitationQuerySchema, location="query")
    @blp.response(200, InvitationPageSchema)
    def get(self, query):
        """Your organization's invitations, newest first, a page at a time"""
        return services.page_of(
            scoped_select(Invitation), query["page"], query["per_page"], query["state"]
        )

    @access(roles("buyer"))
    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationCreatedSchema)
    @writes
    def post(self, body):
        """Invite a vendor by email: the answer carries the one-time link, shown this once.
        With mail settings (smtp_url) it is also mailed, once the invitation is stored"""
        invitation, secret = services.create_invitation(
            current_user._get_current_object(), body["email"], body["message"]
        )
        invitation.link = services.invitation_link(secret)  # in this answer only; never stored
        invitation.outgoing = services.mail_invitation(invitation, invitation.link)
        return invitation


@blp.route("/invitations/<int:invitation_id>/revoke")
class InvitationRevoke(MethodView):
    @access(roles("buyer"))
    @blp.response(200, InvitationSchema)
    @blp.alt_response(404, description="No such invitation of your organization")
    @blp.alt_response(409, description="Accepted, revoked or expired already")
    @writes
    def post(self, invitation_id):
        """Revoke a pending invitation: its link stops working at once"""
        invitation = get_scoped_or_404(Invitation, invitation_id)
        services.revoke_invitation(invitation, actor=current_user._get_current_object())
        return invitation
