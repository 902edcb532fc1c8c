"""Pages: a vendor's own profile and rate card; the vendor directory for buyers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.accounts.models import Organization
from procure.disclosures.models import Disclosure
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db
from procure.forms import form_number, form_version
from procure.reference import reference
from procure.transactions import discard, writes
from procure.vendors import services
from procure.vendors.categories import UNITS, service_categories
from procure.vendors.models import Offer, Vendor

bp = Blueprint("vendor_pages", __name__)


def own_vendor() -> Vendor | None:
    """The signed-in vendor user's profile, if it exists yet."""
    return db.session.scalar(
        select(Vendor).where(Vendor.organization_id == current_user.organization_id)
    )


def _profile_from_form(form) -> dict:
    sites = []
    index = 0
    while f"sites[{index}].name" in form:
        site = {
            key: form.get(f"sites[{index}].{key}", "").strip()
            for key in ("name", "city", "country")
        }
        site["country"] = site["country"].upper()
        if any(site.values()):
            sites.append(site)
        index += 1
    return {
        "name": form.get("name", "").strip(),
        "country": form.get("country", "").strip().upper(),
        "description": form.get("description", "").strip(),
        "service_categories": form.getlist("service_categories"),
        "sites": sites,
    }


def _dotted(errors: dict) -> dict:
    """Service error keys (sites.0.name) as the form's field names (sites[0].name)."""
    out = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            key = f"{parts[0]}[{parts[1]}].{parts[2]}"
        out[key] = messages
    return out


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
    }
    if request.method == "POST":
        values = _profile_from_form(request.form)
        try:
            if vendor is None:
                organization = db.session.get(Organization, current_user.organization_id)
                vendor = services.create_vendor(organization, values, current_user)
            else:
                services.update_vendor(vendor, values, form_version(request.form), current_user)
        except (ValidationFailed, ConflictError) as failed:
            discard()
            vendor = own_vendor()
            errors = _dotted(failed.errors) if isinstance(failed, ValidationFailed) else {}
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
        categories=service_categories(),
    ), status


def _offer_from_form(form) -> tuple[dict, dict]:
    errors: dict = {}
    values = {
        "service_category": form.get("service_category", ""),
        "unit": form.get("unit", ""),
        "currency": form.get("currency", "").strip().upper(),
        "active": form.get("active", "on") == "on",
        **{
            key: form_number(form, key, errors, required="Required.")
            for key in ("price", "capacity_per_period", "quality")
        },
    }
    return values, errors


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
        values, errors = _offer_from_form(request.form)
        if not errors:
            try:
                services.create_offer(vendor, values, current_user)
            except ValidationFailed as failed:
                discard()
                errors = failed.errors
            else:
                flash("The offer is added to your rate card.", "success")
                return redirect(url_for("vendor_pages.offers"))
        status = 422
    rate_card = db.session.scalars(
        scoped_select(Offer).where(Offer.vendor_id == vendor.id).order_by(Offer.id)
    ).all()
    categories = service_categories()
    return render_template(
        "vendors/offers.html",
        vendor=vendor,
        offers=rate_card,
        values=values,
        errors=errors,
        categories=categories,
        category_options=[(key, c.label) for key, c in categories.items()],
        unit_options=[(unit, unit) for unit in UNITS],
    ), status


@bp.route("/vendor/offers/<int:offer_id>", methods=["POST"])
@access(roles("vendor"))
@writes
def edit_offer(offer_id):
    offer = get_scoped_or_404(Offer, offer_id)
    values, errors = _offer_from_form(request.form)
    try:
        if errors:
            raise ValidationFailed(errors)
        services.update_offer(offer, values, form_version(request.form), current_user)
    except (ValidationFailed, ConflictError) as failed:
        discard()
        detail = (
            "; ".join(f"{k}: {' '.join(v)}" for k, v in failed.errors.items())
            if isinstance(failed, ValidationFailed)
            else failed.message
        )
        flash(f"The offer was not changed. {detail}", "error")
    else:
        flash("The offer is updated.", "success")
    return redirect(url_for("vendor_pages.offers"))


@bp.route("/vendors")
@access(roles("buyer", "executive", "admin"))
def directory():
    category = request.args.get("category") or None
    vendors = db.session.scalars(scoped_select(Vendor).order_by(Vendor.name)).all()
    if category:
        vendors = [v for v in vendors if category in v.service_categories]
    countries = reference().countries
    return render_template(
        "vendors/directory.html",
        vendors=vendors,
        category=category,
        categories=service_categories(),
        countries=countries,
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
