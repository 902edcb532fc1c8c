"""Vendors API: profiles and rate cards."""

from flask.views import MethodView
from flask_login import current_user
from sqlalchemy.orm import selectinload

from procure.access import SIGNED_IN, access, get_scoped_or_404, roles, scoped_select
from procure.accounts.models import Organization
from procure.api_paging import Blueprint, json_list_holds, page_of_select
from procure.extensions import db
from procure.transactions import writes
from procure.vendors import services
from procure.vendors.models import Offer, Vendor
from procure.vendors.schemas import (
    OfferSchema,
    OfferUpdateSchema,
    VendorQuerySchema,
    VendorSchema,
    VendorUpdateSchema,
)

blp = Blueprint(
    "vendors_api", __name__, url_prefix="/api/v1", description="Vendor profiles and rate cards"
)


@blp.route("/vendors")
class Vendors(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(VendorQuerySchema, location="query")
    @blp.response(200, VendorSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Vendor profiles visible to you (a vendor sees only its own), by name, a page at a time"""
        statement = (
            scoped_select(Vendor)
            .options(selectinload(Vendor.capacity_changes))  # shown with each, in one query
            .order_by(Vendor.name, Vendor.id)
        )
        if query.get("country"):
            statement = statement.where(Vendor.country == query["country"])
        if query.get("category"):
            statement = statement.where(
                json_list_holds(Vendor.service_categories, query["category"])
            )
        return page_of_select(statement, pagination_parameters)

    @access(roles("vendor"))
    @blp.arguments(VendorSchema)
    @blp.response(201, VendorSchema)
    @blp.alt_response(409, description="Your organization already has a profile")
    @writes
    def post(self, body):
        """Create your organization's vendor profile"""
        organization = db.session.get(Organization, current_user.organization_id)
        vendor = services.create_vendor(organization, body, current_user)
        return vendor


@blp.route("/vendors/<int:vendor_id>")
class VendorById(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, VendorSchema)
    def get(self, vendor_id):
        """One vendor profile"""
        return get_scoped_or_404(Vendor, vendor_id)

    @access(roles("vendor"))
    @blp.arguments(VendorUpdateSchema)
    @blp.response(200, VendorSchema)
    @blp.alt_response(409, description="Stale version")
    @writes
    def patch(self, body, vendor_id):
        """Edit your profile; send the version you loaded"""
        vendor = get_scoped_or_404(Vendor, vendor_id)
        sent = body.pop("version")
        services.update_vendor(vendor, body, sent, current_user)
        return vendor


@blp.route("/vendors/<int:vendor_id>/offers")
class VendorOffers(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, OfferSchema(many=True))
    @blp.paginate()
    def get(self, vendor_id, pagination_parameters):
        """A vendor's rate card, a page at a time"""
        vendor = get_scoped_or_404(Vendor, vendor_id)
        return page_of_select(
            scoped_select(Offer)
            .options(selectinload(Offer.capacity_changes))
            .where(Offer.vendor_id == vendor.id)
            .order_by(Offer.id),
            pagination_parameters,
        )

    @access(roles("vendor"))
    @blp.arguments(OfferSchema)
    @blp.response(201, OfferSchema)
    @writes
    def post(self, body, vendor_id):
        """Add a line to your rate card"""
        offer = services.create_offer(get_scoped_or_404(Vendor, vendor_id), body, current_user)
        return offer


@blp.route("/offers/<int:offer_id>")
class OfferById(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, OfferSchema)
    def get(self, offer_id):
        """One rate-card line"""
        return get_scoped_or_404(Offer, offer_id)

    @access(roles("vendor"))
    @blp.arguments(OfferUpdateSchema)
    @blp.response(200, OfferSchema)
    @blp.alt_response(409, description="Stale version")
    @writes
    def patch(self, body, offer_id):
        """Edit a rate-card line (set active to false to withdraw it); send the version you loaded"""  # noqa: E501
        offer = get_scoped_or_404(Offer, offer_id)
        sent = body.pop("version")
        services.update_offer(offer, body, sent, current_user)
        return offer
