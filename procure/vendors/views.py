"""Pages: a vendor's own profile and rate card; the vendor directory for buyers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.accounts.models import Organization
from procure.api_fields import PageNumber
from procure.disclosures.models import Disclosure
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.formatting import input_number, refusal_words
from procure.forms import form_body, load_form
from procure.page_query import read_query
from procure.reference import reference
from procure.scoring.rankings import (
    TOP_K,
    default_key,
    directory_rows,
    living_wage_ratios,
    read_ranking,
    scored_under,
)
from procure.scoring.services import default_category
from procure.transactions import discard, writes
from procure.vendors import services
from procure.vendors.categories import UNITS, category_options, service_categories
from procure.vendors.models import Offer, Vendor, declares_category
from procure.vendors.schemas import (
    OfferSchema,
    OfferUpdateSchema,
    VendorSchema,
    VendorUpdateSchema,
    listed_category,
)

bp = Blueprint("vendor_pages", __name__)

VENDORS_PER_PAGE = 50
DIRECTORY_ORDERS = {"name": "Name", "rank": "Rank in the category"}
DIRECTORY_QUERY = Schema.from_dict(
    {
        "category": fields.String(validate=listed_category),
        "order": fields.String(
            load_default="name", validate=validate.OneOf(list(DIRECTORY_ORDERS))
        ),
        "page": PageNumber(),
    },
    name="DirectoryPageQuerySchema",
)()


CHANGES = "capacity_changes"


def without_removed_changes(form: MultiDict[str, str]) -> MultiDict[str, str]:
    """The form with every capacity change row whose "Remove" box is ticked
    (`capacity_changes.<n>.remove`) blanked, so that it is left out of the list sent."""
    kept = MultiDict(form)
    for key in list(form):
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == CHANGES and parts[2] == "remove":
            prefix = f"{CHANGES}.{parts[1]}."
            for field in [name for name in form if name.startswith(prefix)]:
                kept.setlist(field, [""])
    return kept


def changes_shown(changes: Sequence[Any], amount: str) -> list[dict[str, str]]:
    """Stored capacity changes as the page's rows show them (YYYY-MM, plain numbers)."""
    return [
        {
            "from_month": f"{change.from_month:%Y-%m}",
            amount: input_number(getattr(change, amount)),
        }
        for change in changes
    ]


def own_vendor() -> Vendor | None:
    """The signed-in vendor user's profile, if it exists yet."""
    return db.session.scalar(
        select(Vendor).where(Vendor.organization_id == current_user.organization_id)
    )


@bp.route("/vendor/profile", methods=["GET", "POST"])
@access(roles("vendor"))
@writes
def profile():
    vendor = own_vendor()
    errors: dict = {}
    status = 200
    values = {
        "name": vendor.name if vendor else current_user.organization.name,
        "country": vendor.country if vendor else "",
        "description": vendor.description if vendor else "",
        "service_categories": vendor.service_categories if vendor else [],
        "sites": vendor.sites if vendor else [],
        "capacity_hours_per_month": input_number(vendor.capacity_hours_per_month) if vendor else "",
        CHANGES: changes_shown(vendor.capacity_changes, "hours_per_month") if vendor else [],
    }
    if request.method == "POST":
        schema = VendorSchema() if vendor is None else VendorUpdateSchema()
        body = form_body(
            schema,
            without_removed_changes(request.form),
            checkboxes=("service_categories",),
            null_if_blank=("capacity_hours_per_month",),
        )
        values = {"sites": [], CHANGES: []} | body  # shown again as sent
        try:
            loaded = load_form(schema, body)
            if vendor is None:
                organization = db.session.get(Organization, current_user.organization_id)
                vendor = services.create_vendor(organization, loaded, current_user)
            else:
                services.update_vendor(vendor, loaded, loaded.pop("version"), current_user)
        except (ValidationFailed, ConflictError) as failed:
            discard()
            vendor = own_vendor()
            errors = failed.errors if isinstance(failed, ValidationFailed) else {}
            if isinstance(failed, ConflictError):
                flash(failed.message, "error")
            status = 422 if isinstance(failed, ValidationFailed) else 409
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("vendor_pages.profile"))
    countries = sorted(
        ((c.code, f"{c.name} ({c.code})") for c in reference().countries.values()),
        key=lambda pair: pair[1],
    )
    return render_template(
        "vendors/profile.html",
        vendor=vendor,
        values=values,
        errors=errors,
        countries=countries,
        category_choices=category_options(vendor.service_categories if vendor else ()),
    ), status


# blank: null, refused for a price and a quality (and hours per unit of an item or task), no cap
# of its own for a capacity
OFFER_NUMBERS = ("price", "hours_per_unit", "capacity_per_period", "quality")


@bp.route("/vendor/offers", methods=["GET", "POST"])
@access(roles("vendor"))
@writes
def offers():
    vendor = own_vendor()
    if vendor is None:
        flash("Fill in your profile first; then add your rate card.", "info")
        return redirect(url_for("vendor_pages.profile"))
    errors: dict = {}
    values: dict = {"unit": "hour", "currency": "USD", "active": True}
    status = 200
    if request.method == "POST":
        schema = OfferSchema()
        values = form_body(
            schema, without_removed_changes(request.form), null_if_blank=OFFER_NUMBERS
        )
        try:
            services.create_offer(vendor, load_form(schema, values), current_user)
        except ValidationFailed as failed:
            discard()
            errors = failed.errors
        else:
            flash("The offer is added to your rate card.", "success")
            return redirect(url_for("vendor_pages.offers"))
        status = 422
    rate_card = db.session.scalars(
        scoped_select(Offer)
        .options(selectinload(Offer.capacity_changes))
        .where(Offer.vendor_id == vendor.id)
        .order_by(Offer.id)
    ).all()
    return render_template(
        "vendors/offers.html",
        vendor=vendor,
        offers=rate_card,
        changes={
            offer.id: changes_shown(offer.capacity_changes, "units_per_month")
            for offer in rate_card
        },
        values=values,
        errors=errors,
        categories=service_categories(),
        category_options=category_options(),
        unit_options=[(unit, unit) for unit in UNITS],
    ), status


@bp.route("/vendor/offers/<int:offer_id>", methods=["POST"])
@access(roles("vendor"))
@writes
def edit_offer(offer_id):
    offer = get_scoped_or_404(Offer, offer_id)
    schema = OfferUpdateSchema()
    try:
        values = load_form(
            schema,
            form_body(schema, without_removed_changes(request.form), null_if_blank=OFFER_NUMBERS),
        )
        services.update_offer(offer, values, values.pop("version"), current_user)
    except (ValidationFailed, ConflictError) as failed:
        discard()
        detail = (
            refusal_words(failed.errors) if isinstance(failed, ValidationFailed) else failed.message
        )
        flash(f"The offer was not changed. {detail}", "error")
    else:
        flash("The offer is updated.", "success")
    return redirect(url_for("vendor_pages.offers"))


@bp.route("/vendors")
@access(roles("buyer", "executive", "admin"))
def directory():
    """Every vendor, a page at a time, with its score and rank in the chosen category (the
    comparison's default category and stored ranking, under the default profile or the
    coalition profile the organization adopted)."""
    query = read_query(DIRECTORY_QUERY)
    if "category" in request.args:  # "All categories" sends an empty value
        category = query.get("category")
    else:
        category = default_category(current_user.organization_id)
    order = query["order"]
    vendors = scoped_select(Vendor).options(selectinload(Vendor.offers))
    if category:
        vendors = vendors.where(declares_category(category))
    key = default_key(current_user.organization_id, category or "", TOP_K)
    ranking = read_ranking(key, current_user).ranking
    listing = directory_rows(
        ranking, vendors, query["page"], VENDORS_PER_PAGE, by_rank=order == "rank"
    )
    return render_template(
        "vendors/directory.html",
        listing=listing,
        # the shown rows' living-wage ratios, by the disclosure version each was scored on
        living_wage_ratios=living_wage_ratios(row.disclosure_id for _, row in listing.items if row),
        peers=ranking.peers,
        scored_under=scored_under(ranking),
        category=category,
        order=order,
        orders=DIRECTORY_ORDERS,
        categories=service_categories(),
        countries=reference().countries,
    )


@bp.route("/vendors/<int:vendor_id>")
@access(roles("buyer", "executive", "admin"))
def detail(vendor_id):
    vendor = get_scoped_or_404(Vendor, vendor_id)
    disclosures = db.session.scalars(
        scoped_select(Disclosure)
        .where(Disclosure.vendor_id == vendor.id)
        .order_by(Disclosure.period_start.desc(), Disclosure.number.desc())
    ).all()
    return render_template(
        "vendors/detail.html",
        vendor=vendor,
        disclosures=disclosures,
        categories=service_categories(),
        countries=reference().countries,
    )
