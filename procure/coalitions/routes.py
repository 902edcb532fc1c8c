"""Coalitions API: a backbone's coalitions (make one, edit its charter, invite buyer
organizations, set and change joint targets, announce), a buyer organization's invitations and
memberships (accept, decline, leave, share its contribution by name), and what the backbone and
the active members read: the progress toward each target, the vendor load, and the feed.

An organization invited but not a member reads the charter and the targets only: the progress,
the vendor load and the feed answer it 404, as they answer anyone outside the coalition."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy.orm import selectinload

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_list, page_of_select
from procure.coalitions import jobs as coalition_jobs
from procure.coalitions import measurement, services
from procure.coalitions.models import Coalition, CoalitionTarget
from procure.coalitions.schemas import (
    AnnouncementSchema,
    CandidateQuerySchema,
    CandidatesSchema,
    CharterSchema,
    CoalitionDetailSchema,
    CoalitionMetricSchema,
    CoalitionProfileSchema,
    CoalitionProfileUpdateSchema,
    CoalitionSchema,
    CoalitionUpdateSchema,
    InviteSchema,
    MemberSchema,
    PostSchema,
    ProgressSchema,
    SharingSchema,
    TargetOutSchema,
    TargetSchema,
    TargetUpdateSchema,
    UsesProfileSchema,
    VendorLoadViewSchema,
)
from procure.jobs.schemas import JobSchema
from procure.scoring.schemas import MetricSchema
from procure.transactions import writes

blp = Blueprint(
    "coalitions_api",
    __name__,
    url_prefix="/api/v1",
    description="Coalitions of buyer organizations run by a backbone: charter, members, joint "
    "targets, progress (aggregates only), vendor load and feed",
)

# the backbone (coordinators; its admin acts as one) and a buyer organization's buyer side list
# the coalitions they see
LISTERS = roles("coordinator", "buyer", "executive", "admin")
# one coalition: those and a vendor organization's users pass the access layer; the coalition's
# scope then answers everyone outside it 404 (a vendor organization is never in one)
READERS = roles("coordinator", "buyer", "executive", "admin", "vendor")
# a member's buyer side adopts the coalition profile; a vendor organization's users get 404
ADOPTERS = roles("buyer", "executive", "admin", "vendor")
BACKBONE = roles("coordinator")
# who answers for a buyer organization: its executives and its admin
ANSWERING = roles("executive", "admin")


def user():
    return current_user._get_current_object()


class CoalitionView:
    """A coalition as one reader sees it: the members it may see and its own membership."""

    def __init__(self, coalition: Coalition):
        self.coalition = coalition
        self.reader = services.reader(coalition, user())
        self.members = services.visible_members(coalition, self.reader)
        self.membership = self.reader.membership

    def __getattr__(self, name: str) -> Any:
        return getattr(self.coalition, name)


def insider_or_404(coalition_id: int) -> tuple[Coalition, services.Reader]:
    """The coalition, for its backbone or an active member; 404 for anyone else (an invited
    organization included), as for a coalition it cannot see."""
    coalition = get_scoped_or_404(Coalition, coalition_id)
    seen_by = services.reader(coalition, user())
    if not seen_by.insider:
        abort(404, f"No coalition with id {coalition_id} is visible to you.")
    return coalition, seen_by


def target_or_404(coalition: Coalition, target_id: int) -> CoalitionTarget:
    target = services.target_of(coalition, target_id)
    if target is None:
        abort(404, f"No target with id {target_id} in this coalition.")
    return target


@blp.route("/coalitions")
class Coalitions(MethodView):
    @access(LISTERS)
    @blp.response(200, CoalitionSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Your backbone's coalitions, or those your buyer organization is invited to or a
        member of; the newest first, a page at a time"""
        return page_of_select(
            scoped_select(Coalition)
            .options(selectinload(Coalition.organization))
            .order_by(Coalition.id.desc()),
            pagination_parameters,
        )

    @access(BACKBONE)
    @blp.arguments(CharterSchema)
    @blp.response(201, CoalitionDetailSchema)
    @writes
    def post(self, body):
        """Make a coalition of your backbone organization: its charter and period"""
        return CoalitionView(services.create_coalition(user(), body))


@blp.route("/coalitions/<int:coalition_id>")
class CoalitionDetail(MethodView):
    @access(READERS)
    @blp.response(200, CoalitionDetailSchema)
    @blp.alt_response(404, description="No such coalition visible to you")
    def get(self, coalition_id):
        """A coalition: its charter, its targets, the members you may see and your own
        membership"""
        return CoalitionView(get_scoped_or_404(Coalition, coalition_id))

    @access(BACKBONE)
    @blp.arguments(CoalitionUpdateSchema)
    @blp.response(200, CoalitionDetailSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    @blp.alt_response(409, description="A stale version")
    @writes
    def patch(self, body, coalition_id):
        """Replace the charter: every field again, and the version you loaded"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        sent = body.pop("version")
        return CoalitionView(services.update_coalition(coalition, user(), body, sent))


@blp.route("/coalitions/<int:coalition_id>/members")
class CoalitionMembers(MethodView):
    @access(BACKBONE)
    @blp.arguments(InviteSchema)
    @blp.response(201, MemberSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    @blp.alt_response(409, description="Invited or a member already")
    @writes
    def post(self, body, coalition_id):
        """Invite a buyer organization (by id): its executives and admin are told"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.invite_member(coalition, user(), body["organization_id"])


@blp.route("/coalitions/<int:coalition_id>/candidates")
class CoalitionCandidates(MethodView):
    @access(BACKBONE)
    @blp.arguments(CandidateQuerySchema, location="query")
    @blp.response(200, CandidatesSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    def get(self, query, coalition_id):
        """Buyer organizations to invite, by part of their name: at most 20, names only, never
        one invited or a member already; those whose name starts with it first, and how many
        match in all"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        found, total = services.candidates(coalition, query["q"])
        return {"items": found, "total": total}


@blp.route("/coalitions/<int:coalition_id>/membership/accept")
class MembershipAccept(MethodView):
    @access(ANSWERING)
    @blp.response(200, MemberSchema)
    @blp.alt_response(404, description="No such coalition your organization is invited to")
    @blp.alt_response(409, description="Not invited (a member already, or answered)")
    @writes
    def post(self, coalition_id):
        """Join: your organization's approved plans count toward the joint targets (as
        aggregates) from now on, and the members are told in the feed"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.accept_invitation(coalition, user())


@blp.route("/coalitions/<int:coalition_id>/membership/decline")
class MembershipDecline(MethodView):
    @access(ANSWERING)
    @blp.response(200, MemberSchema)
    @blp.alt_response(404, description="No such coalition your organization is invited to")
    @blp.alt_response(409, description="Not invited")
    @writes
    def post(self, coalition_id):
        """Decline the invitation: the backbone is told"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.decline_invitation(coalition, user())


@blp.route("/coalitions/<int:coalition_id>/membership/leave")
class MembershipLeave(MethodView):
    @access(ANSWERING)
    @blp.response(200, MemberSchema)
    @blp.alt_response(404, description="No such coalition your organization is a member of")
    @blp.alt_response(409, description="Not a member")
    @writes
    def post(self, coalition_id):
        """Leave: your plans count no more; the members are told in the feed"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.leave_coalition(coalition, user())


@blp.route("/coalitions/<int:coalition_id>/membership/sharing")
class MembershipSharing(MethodView):
    @access(ANSWERING)
    @blp.arguments(SharingSchema)
    @blp.response(200, MemberSchema)
    @blp.alt_response(404, description="No such coalition your organization is a member of")
    @blp.alt_response(409, description="Not a member")
    @writes
    def put(self, body, coalition_id):
        """Whether your own contribution shows by name (otherwise it is summed into 'other
        members')"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.set_sharing(coalition, user(), body["shares_contribution"])


@blp.route("/coalitions/<int:coalition_id>/targets")
class CoalitionTargets(MethodView):
    @access(BACKBONE)
    @blp.arguments(TargetSchema)
    @blp.response(201, TargetOutSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    @writes
    def post(self, body, coalition_id):
        """Set a joint target in a common measure over a period within the coalition's; the
        members are told in the feed"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.add_target(coalition, user(), body)


@blp.route("/coalitions/<int:coalition_id>/targets/<int:target_id>")
class CoalitionTargetDetail(MethodView):
    @access(BACKBONE)
    @blp.arguments(TargetUpdateSchema)
    @blp.response(200, TargetOutSchema)
    @blp.alt_response(404, description="No such target of your backbone's coalition")
    @blp.alt_response(409, description="A stale version")
    @writes
    def patch(self, body, coalition_id, target_id):
        """Change a target: every field again, and the version you loaded; the members are
        told in the feed"""
        target = target_or_404(get_scoped_or_404(Coalition, coalition_id), target_id)
        sent = body.pop("version")
        return services.update_target(target, user(), body, sent)


@blp.route("/coalitions/<int:coalition_id>/progress")
class CoalitionProgress(MethodView):
    @access(READERS)
    @blp.response(200, ProgressSchema)
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    def get(self, coalition_id):
        """Progress toward each target, projected from the active members' approved plans and
        actual from their deliveries: aggregates only, month by month; a member's contribution
        by name only when it shares it, your own in full; a figure of fewer contributing members
        than the coalition minimum is null, with `suppressed` and the reason"""
        coalition, seen_by = insider_or_404(coalition_id)
        return services.progress_view(coalition, seen_by)


@blp.route("/coalitions/<int:coalition_id>/vendor-load")
class CoalitionVendorLoad(MethodView):
    @access(READERS)
    @blp.response(200, VendorLoadViewSchema)
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    def get(self, coalition_id):
        """For the backbone, the hours the members' plans book with each vendor by month
        against its capacity; for a member, its own vendors booked beyond capacity with its own
        hours; hours and load of fewer booking members than the minimum are null (`suppressed`)"""
        coalition, seen_by = insider_or_404(coalition_id)
        return services.vendor_load_view(coalition, seen_by)


@blp.route("/coalitions/<int:coalition_id>/posts")
class CoalitionPosts(MethodView):
    @access(READERS)
    @blp.response(200, PostSchema(many=True))
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    @blp.paginate()
    def get(self, coalition_id, pagination_parameters):
        """The feed: announcements, targets set and changed, members joining and leaving; the
        newest first, a page at a time"""
        coalition, _ = insider_or_404(coalition_id)
        return page_of_select(services.feed_select(coalition), pagination_parameters)

    @access(BACKBONE)
    @blp.arguments(AnnouncementSchema)
    @blp.response(201, PostSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    @writes
    def post(self, body, coalition_id):
        """Announce to the members: the post is in the feed and each member is told"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.announce(coalition, user(), body["text"])


@blp.route("/coalitions/<int:coalition_id>/report")
class CoalitionReport(MethodView):
    @access(READERS)
    @blp.response(202, JobSchema)
    @blp.alt_response(
        200,
        schema=JobSchema,
        description="Your organization's report of this coalition is already under way: that job",
    )
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    @blp.alt_response(
        429,
        description="The organization's most reports at once are under way (see Retry-After)",
    )
    @writes
    def post(self, coalition_id):
        """Start rendering the coalition report (PDF) for the members' boards: the charter, the
        targets' projected and actual progress, the contributions, the vendors booked beyond
        capacity, the members and the method; aggregates only, as the coalition's page shows
        them to you. Download it from the job's `file_url` when it is done"""
        coalition, _ = insider_or_404(coalition_id)
        started = coalition_jobs.start_report(coalition, user())
        return started.job, 202 if started.new else 200


# ---------------------------------------------------------------- shared measurement


def metric_or_404(coalition: Coalition, metric_id: int):
    metric = measurement.metric_of(coalition, metric_id)
    if metric is None:
        abort(404, f"No metric with id {metric_id} in this coalition.")
    return metric


@blp.route("/coalitions/<int:coalition_id>/metrics")
class CoalitionMetrics(MethodView):
    @access(READERS)
    @blp.response(200, CoalitionMetricSchema(many=True))
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    @blp.paginate()
    def get(self, coalition_id, pagination_parameters):
        """The coalition's metric catalog: the built-in metrics, then the backbone's, each with
        its weight in the coalition profile; a page at a time"""
        coalition, seen_by = insider_or_404(coalition_id)
        metrics = measurement.profile_view(coalition, seen_by.membership)["metrics"]
        return page_of_list(metrics, pagination_parameters)

    @access(BACKBONE)
    @blp.arguments(MetricSchema)
    @blp.response(201, CoalitionMetricSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    @writes
    def post(self, body, coalition_id):
        """Add a metric to the coalition's catalog, checked as a buyer's custom metric (it
        weighs nothing until the coalition profile gives it a weight)"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        metric = measurement.add_metric(coalition, user(), body)
        return {**metric.definition(), "id": metric.id, "coalition": True, "weight": 0.0}


@blp.route("/coalitions/<int:coalition_id>/metrics/<int:metric_id>")
class CoalitionMetricDetail(MethodView):
    @access(BACKBONE)
    @blp.arguments(MetricSchema)
    @blp.response(200, CoalitionMetricSchema)
    @blp.alt_response(404, description="No such metric of your backbone's coalition")
    @writes
    def put(self, body, coalition_id, metric_id):
        """Change a metric (every field again): the members that adopted the coalition profile
        are ranked with it from now on"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        metric = measurement.update_metric(
            coalition, metric_or_404(coalition, metric_id), user(), body
        )
        weights = measurement.coalition_profile(coalition.id).to_dict()["metric_weights"]
        return {
            **metric.definition(),
            "id": metric.id,
            "coalition": True,
            "weight": float(weights.get(metric.key, 0.0)),
        }

    @access(BACKBONE)
    @blp.response(204)
    @blp.alt_response(404, description="No such metric of your backbone's coalition")
    @blp.alt_response(409, description="The coalition profile weighs it")
    @writes
    def delete(self, coalition_id, metric_id):
        """Remove a metric the coalition profile does not weigh"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        measurement.delete_metric(coalition, metric_or_404(coalition, metric_id), user())


@blp.route("/coalitions/<int:coalition_id>/profile")
class CoalitionProfileDetail(MethodView):
    @access(READERS)
    @blp.response(200, CoalitionProfileSchema)
    @blp.alt_response(404, description="No such coalition you run or are a member of")
    def get(self, coalition_id):
        """The coalition profile: its settings, the catalog it weighs with each metric's weight,
        and whether your organization ranks under it"""
        coalition, seen_by = insider_or_404(coalition_id)
        return measurement.profile_view(coalition, seen_by.membership)

    @access(BACKBONE)
    @blp.arguments(CoalitionProfileUpdateSchema)
    @blp.response(200, CoalitionProfileSchema)
    @blp.alt_response(404, description="No such coalition of your backbone")
    @blp.alt_response(409, description="A stale version")
    @writes
    def put(self, body, coalition_id):
        """Set the coalition profile (checked against the coalition's catalog as a buyer's
        profile is); the members that adopted it are ranked under it from now on"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        measurement.set_profile(coalition, user(), body["settings"], body["version"])
        return measurement.profile_view(coalition, None)


@blp.route("/coalitions/<int:coalition_id>/membership/profile")
class MembershipProfile(MethodView):
    @access(ADOPTERS)
    @blp.arguments(UsesProfileSchema)
    @blp.response(200, MemberSchema)
    @blp.alt_response(404, description="No such coalition your organization is a member of")
    @blp.alt_response(409, description="Not a member")
    @writes
    def put(self, body, coalition_id):
        """Adopt the coalition profile (your rankings without a profile of your own, and your
        new plans, are under it) or stop using it (your default profile again)"""
        coalition = get_scoped_or_404(Coalition, coalition_id)
        return services.set_uses_profile(coalition, user(), body["uses_profile"])
