"""Service categories API: every signed-in user reads the controlled list (forms offer it); the
platform operator adds categories, edits them and retires them, each change audited."""

from flask.views import MethodView
from flask_login import current_user

from procure.access import SIGNED_IN, access, get_scoped_or_404, roles, scoped_select
from procure.api_paging import Blueprint, page_of_list
from procure.categories import services
from procure.categories.schemas import (
    ServiceCategoryCreateSchema,
    ServiceCategorySchema,
    ServiceCategoryUpdateSchema,
)
from procure.transactions import writes
from procure.vendors.categories import ServiceCategory

blp = Blueprint(
    "categories_api",
    __name__,
    url_prefix="/api/v1",
    description="Service categories, the controlled list kept by the platform operator",
)


@blp.route("/service-categories")
class ServiceCategories(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, ServiceCategorySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Every category by label, retired ones included (`retired`: refused for new offers,
        needs and profiles)"""
        return page_of_list(services.listing(scoped_select(ServiceCategory)), pagination_parameters)

    @access(roles("operator"))
    @blp.arguments(ServiceCategoryCreateSchema)
    @blp.response(201, ServiceCategorySchema)
    @writes
    def post(self, body):
        """Add a category (the platform operator); a key or a label taken already answers 422"""
        return services.add_category(body, current_user._get_current_object())


@blp.route("/service-categories/<int:category_id>")
class ServiceCategoryItem(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, ServiceCategorySchema)
    def get(self, category_id):
        """One category"""
        return get_scoped_or_404(ServiceCategory, category_id)

    @access(roles("operator"))
    @blp.arguments(ServiceCategoryUpdateSchema)
    @blp.response(200, ServiceCategorySchema)
    @blp.alt_response(409, description="Changed by someone else since your version")
    @writes
    def patch(self, body, category_id):
        """Edit a category's label, description or unit, or retire it (`retired`: true) or bring
        it back (false) (the platform operator). The unit stays once an offer or a need uses the
        category (422); the key never changes"""
        category = get_scoped_or_404(ServiceCategory, category_id)
        return services.update_category(
            category, body, body.pop("version"), current_user._get_current_object()
        )
