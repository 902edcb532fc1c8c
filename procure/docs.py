"""The interactive API docs page's assets, served from the installed swagger-ui-bundle."""

import swagger_ui_bundle
from flask import Blueprint, send_from_directory

from procure.access import PUBLIC, access

bp = Blueprint("api_docs_assets", __name__)


@bp.route("/api/v1/docs/assets/<path:filename>")
@access(PUBLIC)
def swagger_asset(filename):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
