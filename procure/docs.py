"""The API documentation: the interactive docs page's assets, and the error answers every
operation documents."""

from http import HTTPStatus
from pathlib import Path

from apispec import BasePlugin
from flask import Blueprint, Flask, send_from_directory

from procure.access import PUBLIC, access, rule_for

bp = Blueprint("api_docs_assets", __name__)

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
FILE = {"type": "string", "format": "binary"}  # the schema of a download
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Swagger UI from the npm package swagger-ui-dist, copied here by .ci/update-swagger-ui (committed,
# so an installed app serves the page offline and needs no npm).
SWAGGER_UI_DIR = Path(__file__).resolve().parent / "static" / "swagger-ui"


@bp.route("/api/v1/docs/assets/<path:filename>")
@access(PUBLIC)
def swagger_asset(filename):
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=86400)


class ErrorResponses(BasePlugin):
    """Each operation lists the error statuses it can answer, all in the one error shape of
    procure.errors, instead of flask-smorest's catch-all `default` (which let any status pass as
    documented): 401 when its access rule needs a signed-in user, 403 when it needs a role, 404
    when its path names a record, 400 when it changes something (a body that is not JSON, or a
    session-signed request without its CSRF token), 413 when it takes a body (past
    MAX_CONTENT_LENGTH), 422 always (a control character anywhere: procure.request_guard). Routes
    document their other errors (409, a 403 or 404 of their own) with
    `alt_response`; those get the error shape here too.
    """

    def __init__(self, app: Flask):
        super().__init__()
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs["rule"]
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            access_rule = rule_for(self.app, rule.endpoint, method.upper())
            implied = {
                400: method in UNSAFE_METHODS,
                401: access_rule is not None and access_rule.signed_in,  # no rule: refused, 403
                403: access_rule is None or access_rule.roles is not None,
                404: bool(rule.arguments),
                413: "requestBody" in operation,
                # the request guard refuses control characters in any part of any request
                422: True,
            }
            documented = {int(code) for code in responses}
            for code, applies in implied.items():
                if applies and code not in documented:
                    responses[code] = HTTPStatus(
                        code
                    ).name  # flask-smorest's component: the error shape
            for code, response in responses.items():
                if int(code) >= 400 and isinstance(response, dict) and "content" not in response:
                    response["content"] = {"application/json": {"schema": "Error"}}
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


def file_types(blp, content_types, description: str):
    """Document a view's 200 answer as a file of one of `content_types` (the view returns it)."""

    def document(view):
        for content_type in content_types:
            view = blp.alt_response(
                200, schema=FILE, content_type=content_type, description=description, success=True
            )(view)
        return view

    return document
