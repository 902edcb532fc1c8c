"""Pages: a buyer organization's sourcing events (the list, making one from its needs and the
vendors it invites, an event's page with its lots, the vendors invited and whether each has bid,
publishing, extending, closing and cancelling it, and the bids once unsealed), and for an
invited vendor its events (also on its home page: `invited_events`, a template global) and a
bid form per lot with its current bid. Forms are read through the API's schemas."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from procure.access import access, get_scoped_or_404, permitted, roles, scoped_select
from procure.disclosures.evidence_levels import LEVEL_LABELS
from procure.errors import ConflictError
from procure.events import bid_sheets, services
from procure.events.models import BUYER_SIDE, Bid, EventLot, SourcingEvent
from procure.events.routes import READERS, bid_to_withdraw
from procure.events.schemas import (
    BidAmendSchema,
    BidCreateSchema,
    BidWithdrawSchema,
    EventCreateSchema,
    EventExtendSchema,
    EventInviteByEmailSchema,
    EventVersionSchema,
)
from procure.extensions import db
from procure.forms import form_body, load_form
from procure.invitations.services import invitation_link, mail_invitation_again
from procure.invitations.views import show_link_once
from procure.mail import mail_configured
from procure.needs.models import Need
from procure.states import EventState
from procure.transactions import submit, writes
from procure.vendors.categories import category_label
from procure.vendors.models import Vendor
from scoring.fields import EVIDENCE_LEVELS

bp = Blueprint("event_pages", __name__)


@bp.context_processor
def _evidence_words():
    """An evidence level as readers say it ("self-reported documented"), on every events page."""
    return {"evidence_words": LEVEL_LABELS}


@bp.context_processor
def _labels():
    """Lots and needs name their service category by its label."""
    return {"category_label": category_label}


# the vendors the new event's form lists to tick (by name); the API takes any vendor's id
MAX_VENDORS_LISTED = 300


def _user():
    return current_user._get_current_object()


@bp.route("/events")
@access(READERS)
def index():
    events = db.session.scalars(
        scoped_select(SourcingEvent)
        .order_by(SourcingEvent.deadline.desc(), SourcingEvent.id.desc())
        .limit(500)
    ).all()
    return render_template(
        "events/index.html",
        events=events,
        can_make=permitted("POST", "event_pages.new"),
        buyer_side=current_user.reads_as in BUYER_SIDE,
    )


@bp.route("/events/new", methods=["GET", "POST"])
@access(roles("buyer"))
@writes
def new():
    """Make a draft event; the form is read through the API's schema (EventCreateSchema)."""
    values: dict = {"need_ids": [], "vendor_ids": [], "sealed": True, "show_rank_bands": False}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        schema = EventCreateSchema()
        body = form_body(
            schema,
            request.form,
            null_if_blank=("message", "min_quality", "evidence_required"),
            checkboxes=("need_ids", "vendor_ids"),
        )
        values = {**values, **body}
        made = submit(
            lambda: services.create_event(_user(), load_form(schema, body), services.event_now())
        )
        if (event := made.result) is not None:
            flash(f"The draft event {event.title!r} is saved: publish it to invite the vendors.")
            return redirect(url_for("event_pages.show", event_id=event.id))
        errors, status = _by_field(made.errors), made.status
    needs = db.session.scalars(
        scoped_select(Need).where(Need.archived.is_(False)).order_by(Need.title, Need.id)
    ).all()
    vendors = db.session.scalars(
        scoped_select(Vendor).order_by(Vendor.name_key, Vendor.id).limit(MAX_VENDORS_LISTED)
    ).all()
    return render_template(
        "events/new.html",
        values=values,
        errors=errors,
        needs=needs,
        vendors=vendors,
        chosen_needs={str(v) for v in values.get("need_ids") or ()},
        chosen_vendors={str(v) for v in values.get("vendor_ids") or ()},
        evidence_levels=EVIDENCE_LEVELS,
        now=services.event_now(),
    ), status


def _by_field(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for name, messages in errors.items():
        merged.setdefault(name.split(".")[0], []).extend(messages)
    return merged


@bp.route("/events/<int:event_id>")
@access(READERS)
def show(event_id):
    return _event_page(get_scoped_or_404(SourcingEvent, event_id))


def _event_page(
    event: SourcingEvent,
    sheet_errors: dict[str, list[str]] | None = None,
    invite_errors: dict[str, list[str]] | None = None,
    invite_values: dict | None = None,
):
    """The event's page; `sheet_errors` the cells of a refused bid sheet, `invite_errors` the
    fields of a refused invitation by email (both answered 422)."""
    buyer_side = current_user.reads_as in BUYER_SIDE
    bids = db.session.scalars(
        scoped_select(Bid).where(Bid.event_id == event.id).order_by(Bid.lot_id, Bid.id)
    ).all()
    return render_template(
        "events/show.html",
        event=event,
        view=services.EventView(event, buyer_side),
        buyer_side=buyer_side,
        bids=bids,
        own_bids={bid.lot_id: bid for bid in bids} if not buyer_side else {},
        now=services.event_now(),
        can_change=permitted("POST", "event_pages.publish"),
        # a closed event's bids make award scenarios (the scenario form, procure.scenarios)
        can_make_scenario=event.state == EventState.CLOSED
        and permitted("POST", "scenario_pages.index"),
        can_bid=permitted(
            "POST",
            "event_pages.bid",
        )
        and event.state == EventState.PUBLISHED,
        states=EventState,
        sheet_errors=sheet_errors or {},
        can_invite=permitted("POST", "event_pages.invite_by_email")
        and event.state in (EventState.DRAFT, EventState.PUBLISHED),
        invite_errors=invite_errors or {},
        invite_values=invite_values or {},
    ), (422 if sheet_errors or invite_errors else 200)


def _state_change(event_id: int, change, done: str):
    """Run a state change from the event's page: the version the page showed is sent back."""
    event = get_scoped_or_404(SourcingEvent, event_id)
    changed = submit(lambda: change(event))
    if changed.done:
        flash(done, "success")
    for messages in changed.errors.values():
        flash(" ".join(messages), "error")
    return redirect(url_for("event_pages.show", event_id=event_id))


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@access(roles("buyer"))
@writes
def publish(event_id):
    return _state_change(
        event_id,
        lambda event: services.publish_event(
            event,
            _user(),
            load_form(EventVersionSchema(), form_body(EventVersionSchema(), request.form))[
                "version"
            ],
            services.event_now(),
        ),
        "Published: the invited vendors are told and may bid until the deadline.",
    )


@bp.route("/events/<int:event_id>/extend", methods=["POST"])
@access(roles("buyer"))
@writes
def extend(event_id):
    def change(event):
        loaded = load_form(EventExtendSchema(), form_body(EventExtendSchema(), request.form))
        services.extend_deadline(
            event, _user(), loaded["version"], loaded["deadline"], services.event_now()
        )

    return _state_change(event_id, change, "The deadline is moved.")


@bp.route("/events/<int:event_id>/close", methods=["POST"])
@access(roles("buyer"))
@writes
def close(event_id):
    return _state_change(
        event_id,
        lambda event: services.close_event(
            event,
            _user(),
            load_form(EventVersionSchema(), form_body(EventVersionSchema(), request.form))[
                "version"
            ],
            services.event_now(),
        ),
        "Closed: no more bids; the bids are below.",
    )


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@access(roles("buyer"))
@writes
def cancel(event_id):
    return _state_change(
        event_id,
        lambda event: services.cancel_event(
            event,
            _user(),
            load_form(EventVersionSchema(), form_body(EventVersionSchema(), request.form))[
                "version"
            ],
            services.event_now(),
        ),
        "Cancelled.",
    )


@bp.route("/events/<int:event_id>/invitations", methods=["POST"])
@access(roles("buyer"))
@writes
def invite_by_email(event_id):
    """Invite a vendor not on the platform by email and company name (EventInviteByEmailSchema):
    a new invitation's link is mailed, or shown once on the invitations page without mail; a
    pending invitation to the address is reused."""
    event = get_scoped_or_404(SourcingEvent, event_id)
    schema = EventInviteByEmailSchema()
    body = form_body(schema, request.form)

    def invite():
        loaded = load_form(schema, body)
        return services.invite_by_email(event, _user(), loaded["email"], loaded["company_name"])

    invited = submit(invite)
    if invited.errors:
        return _event_page(event, invite_errors=_by_field(invited.errors), invite_values=body)
    if (done := invited.result) is None:
        return redirect(url_for("event_pages.show", event_id=event.id))
    name = done.row.company_name
    if done.secret is None:
        email = done.invitation.email
        # with mail settings, a second mail names every event it carries (never the link)
        mailed = mail_invitation_again(done.invitation)  # queued for after the commit, or None
        told = (
            "A mail naming every event it carries goes to them"
            if mailed is not None
            else "No mail is sent (mail is not set up): tell them of this event yourself"
        )
        flash(
            f"{name} is invited: the pending invitation to {email} now also carries this "
            f"event. {told}; its first link still works.",
            "success",
        )
        return redirect(url_for("event_pages.show", event_id=event.id))
    show_link_once(done.invitation, invitation_link(done.secret))
    if mail_configured():
        return redirect(url_for("event_pages.show", event_id=event.id))
    flash(f"{name} is invited to {event.title!r}: send them the link below.", "success")
    return redirect(url_for("invitation_pages.index"))


@bp.route("/events/<int:event_id>/bid-sheet", methods=["POST"])
@access(roles("vendor"))
@writes
def upload_sheet(event_id):
    """Bid with a filled bid sheet: one bad cell and nothing is saved, each listed by row and
    column on the event's page."""
    event = get_scoped_or_404(SourcingEvent, event_id)
    uploaded = submit(
        lambda: bid_sheets.upload_bid_sheet(
            event,
            _user(),
            bid_sheets.read_upload(request.files.get("file")),
            services.event_now(),
        )
    )
    if uploaded.errors:
        return _event_page(event, uploaded.errors)
    if (result := uploaded.result) is not None:
        flash(
            f"Your bid sheet is saved: {result['placed']} new bid(s), {result['amended']} "
            f"amended, {result['unchanged']} unchanged.",
            "success",
        )
    return redirect(url_for("event_pages.show", event_id=event.id))


@bp.route("/events/<int:event_id>/lots/<int:lot_id>/bid", methods=["GET", "POST"])
@access(roles("vendor"))
@writes
def bid(event_id, lot_id):
    """The vendor's bid on one lot: a first bid, or its current bid amended (with its version)."""
    event = get_scoped_or_404(SourcingEvent, event_id)
    lot = db.session.get(EventLot, lot_id)
    if lot is None or lot.event_id != event.id:
        abort(404, f"No lot {lot_id} in this event.")
    vendor = services.vendor_of(_user())
    current = None
    if vendor is not None:
        current = db.session.scalars(
            select(Bid).where(Bid.lot_id == lot.id, Bid.vendor_id == vendor.id)
        ).first()
    values: dict = {"unit": lot.unit}
    if current is not None:
        values = {
            name: getattr(current, name)
            for name in ("price", "currency", "unit", "hours_per_unit", "capacity", "comment")
        } | {"valid_until": current.valid_until.isoformat(), "version": current.version}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        schema = BidAmendSchema() if current is not None else BidCreateSchema()
        body = form_body(schema, request.form, null_if_blank=("comment", "hours_per_unit"))
        if current is None:
            body["lot_id"] = lot.id
        values = {**values, **body}

        def change():
            loaded = load_form(schema, body)
            if current is not None:
                sent = loaded.pop("version")
                return services.amend_bid(current, _user(), loaded, sent, services.event_now())
            return services.place_bid(event, _user(), loaded, services.event_now())

        placed = submit(change)
        if placed.done:
            flash("Your bid is saved. You may amend it until the deadline.", "success")
            return redirect(url_for("event_pages.show", event_id=event.id))
        if placed.conflict:
            return redirect(url_for("event_pages.show", event_id=event.id))
        errors, status = placed.errors, placed.status
    return render_template(
        "events/bid.html",
        event=event,
        lot=lot,
        current=current,
        values=values,
        errors=errors,
    ), status


@bp.route("/events/<int:event_id>/bids/<int:bid_id>/withdraw", methods=["POST"])
@access(roles("vendor"))
@writes
def withdraw(event_id, bid_id):
    """Withdraw the vendor's bid from the event's page (the version the page showed); the lot
    may be bid on again until the deadline."""
    event = get_scoped_or_404(SourcingEvent, event_id)
    try:
        bid = bid_to_withdraw(bid_id, event.id)
    except ConflictError as withdrawn_already:  # a second press: said on the event's page
        flash(withdrawn_already.message, "error")
        return _event_page(event)[0], 409
    schema = BidWithdrawSchema()
    withdrawn = submit(
        lambda: services.withdraw_bid(
            bid,
            _user(),
            load_form(schema, form_body(schema, request.form))["version"],
            services.event_now(),
        )
    )
    if withdrawn.errors:
        flash(" ".join(m for messages in withdrawn.errors.values() for m in messages), "error")
    elif not withdrawn.conflict:
        flash(
            "Your bid is withdrawn: nobody reads it. You may bid on this lot again until the "
            "deadline.",
            "success",
        )
    return redirect(url_for("event_pages.show", event_id=event.id))


@bp.app_template_global("invited_events")
def invited_events() -> list[SourcingEvent]:
    """The published events the signed-in user's vendor is invited to, for its home page
    (nothing for anyone else)."""
    if current_user.reads_as != "vendor" or not permitted("GET", "event_pages.index"):
        return []
    return list(
        db.session.scalars(
            scoped_select(SourcingEvent)
            .where(SourcingEvent.state == EventState.PUBLISHED)
            .order_by(SourcingEvent.deadline)
        )
    )
