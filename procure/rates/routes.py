"""Exchange rates API: every signed-in user reads the rates to US dollars; the platform operator
adds, corrects and removes them, each change audited."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from procure.access import SIGNED_IN, access, get_scoped_or_404, roles, scoped_select
from procure.rates import services
from procure.rates.models import ExchangeRate
from procure.rates.schemas import (
    ExchangeRateCorrectionSchema,
    ExchangeRateCreateSchema,
    ExchangeRatePageSchema,
    ExchangeRateQuerySchema,
    ExchangeRateSchema,
)
from procure.transactions import writes

blp = Blueprint(
    "rates_api",
    __name__,
    url_prefix="/api/v1",
    description="Exchange rates to US dollars, kept by the platform operator",
)


@blp.route("/exchange-rates")
class ExchangeRates(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ExchangeRateQuerySchema, location="query")
    @blp.response(200, ExchangeRatePageSchema)
    def get(self, query):
        """The rates by currency, newest first, a page at a time; `convertible` lists every
        currency amounts may be entered in"""
        return services.page_of(
            scoped_select(ExchangeRate), query["page"], query["per_page"], query["currency"]
        )

    @access(roles("operator"))
    @blp.arguments(ExchangeRateCreateSchema)
    @blp.response(201, ExchangeRateSchema)
    @writes
    def post(self, body):
        """Add a currency's rate in force from a day (the platform operator); a day the
        currency has a rate for already answers 422: correct that one"""
        return services.add_rate(body, current_user._get_current_object())


@blp.route("/exchange-rates/<int:rate_id>")
class ExchangeRateItem(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, ExchangeRateSchema)
    def get(self, rate_id):
        """One rate"""
        return get_scoped_or_404(ExchangeRate, rate_id)

    @access(roles("operator"))
    @blp.arguments(ExchangeRateCorrectionSchema)
    @blp.response(200, ExchangeRateSchema)
    @blp.alt_response(409, description="Changed by someone else since your version")
    @writes
    def patch(self, body, rate_id):
        """Correct a rate's value or source (the platform operator)"""
        rate = get_scoped_or_404(ExchangeRate, rate_id)
        return services.correct_rate(
            rate, body, body.pop("version"), current_user._get_current_object()
        )

    @access(roles("operator"))
    @blp.response(204)
    @blp.alt_response(409, description="The currency's only rate: correct it instead")
    @writes
    def delete(self, rate_id):
        """Remove a rate (the platform operator); its days fall back to the currency's previous
        rate. A currency's only rate cannot be removed"""
        services.remove_rate(
            get_scoped_or_404(ExchangeRate, rate_id), current_user._get_current_object()
        )
