"""Wiring of the application: settings, extensions, access control, blueprints, headers."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, g, request, session
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from procure import access as access_layer
from procure import models  # noqa: F401  (every model registered before use)
from procure.accounts.limits import init_rate_limits
from procure.accounts.models import User
from procure.accounts.routes import blp as accounts_api
from procure.accounts.services import SESSION_STAMP_KEY, session_stamp, user_for_token
from procure.accounts.views import bp as accounts_pages
from procure.api_fields import MAX_RECORD_ID
from procure.assurance.routes import blp as assurance_api
from procure.assurance.views import bp as assurance_pages
from procure.awards.routes import blp as awards_api
from procure.awards.views import bp as award_pages
from procure.campaigns.routes import blp as campaigns_api
from procure.campaigns.views import bp as campaign_pages
from procure.categories.routes import blp as categories_api
from procure.categories.views import bp as category_pages
from procure.coalitions.measurement import COALITION_PROFILES
from procure.coalitions.routes import blp as coalitions_api
from procure.coalitions.views import bp as coalition_pages
from procure.corrective.routes import blp as corrective_api
from procure.corrective.views import bp as corrective_pages
from procure.deliveries.reliability import delivery_reliability
from procure.deliveries.routes import blp as deliveries_api
from procure.deliveries.views import bp as delivery_pages
from procure.disclosures.evidence_store import check_evidence_settings
from procure.disclosures.routes import blp as disclosures_api
from procure.disclosures.views import bp as disclosure_pages
from procure.docs import ErrorResponses
from procure.docs import bp as docs_pages
from procure.errors import register_error_handlers
from procure.events.routes import blp as events_api
from procure.events.views import bp as event_pages
from procure.extensions import api, csrf, db, login_manager, migrate
from procure.formatting import register_formatting
from procure.health import bp as health
from procure.invitations.routes import blp as invitations_api
from procure.invitations.views import bp as invitation_pages
from procure.jobs.routes import blp as jobs_api
from procure.jobs.runner import start_committed
from procure.jobs.views import bp as job_pages
from procure.mail import check_mail_settings
from procure.navigation import register_navigation
from procure.needs.routes import blp as needs_api
from procure.needs.views import bp as need_pages
from procure.notifications.routes import blp as notifications_api
from procure.notifications.views import bp as notification_pages
from procure.platform import blp as platform_api
from procure.rates.routes import blp as rates_api
from procure.rates.views import bp as rate_pages
from procure.request_guard import register_request_guard
from procure.scenarios.routes import blp as scenarios_api
from procure.scenarios.views import bp as scenario_pages
from procure.scoring.adapter import read_buyer_figure
from procure.scoring.routes import blp as scoring_api
from procure.scoring.shared_profiles import share_profiles
from procure.scoring.views import bp as scoring_pages
from procure.settings import flask_config, load_settings, resource_dir
from procure.spend.routes import blp as spend_api
from procure.spend.views import bp as spend_pages
from procure.transactions import commit_answered, guard_reads
from procure.vendors.routes import blp as vendors_api
from procure.vendors.views import bp as vendor_pages
from scoring.contract import DELIVERY_RELIABILITY_COLUMN

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number larger than any record id matches no route (404) instead
    of overflowing the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(url_map, *args, **kwargs)


class Anonymous(AnonymousUserMixin):
    role = None
    organization_id = None


def build_app(config: Mapping[str, Any] | None, instance_path: Path | None) -> Flask:
    if instance_path is None and os.environ.get("PROCURE_INSTANCE_PATH"):
        instance_path = Path(os.environ["PROCURE_INSTANCE_PATH"])
    app = Flask(
        "procure",
        instance_path=str(instance_path.resolve()) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(Path(__file__).resolve().parent / "static"),
    )
    app.url_map.converters["int"] = RecordIdConverter  # before any route is added
    overrides = {k: v for k, v in (config or {}).items() if k.lower() == k}
    flask_keys = {k: v for k, v in (config or {}).items() if k.lower() != k}
    settings = load_settings(Path(app.instance_path), overrides=overrides)
    app.config.update(flask_config(settings, Path(app.instance_path)))
    app.config.update(flask_keys)
    check_mail_settings(app.config)  # mail links need public_url: refuse to start without
    check_evidence_settings(app.config)  # an evidence store that cannot work: refuse too
    logging.getLogger("procure").setLevel(app.config["LOG_LEVEL"])

    _init_extensions(app)
    _register_blueprints(app)
    register_error_handlers(app)
    register_navigation(app)
    register_formatting(app)
    read_buyer_figure(DELIVERY_RELIABILITY_COLUMN, delivery_reliability)  # custom metrics read it
    share_profiles(COALITION_PROFILES)  # a member that adopted its coalition's ranks under it
    guard_reads(app)
    register_request_guard(app)  # first of the hooks: hostile input reaches no other
    app.before_request(_authenticate_bearer)
    app.before_request(_protect_forms)
    app.before_request(access_layer.enforce_access_rule)
    app.after_request(_start_committed_jobs)
    app.after_request(_security_headers)
    app.after_request(commit_answered)  # registered last, so it runs first: see its docstring
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    init_rate_limits(app)
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "accounts_pages.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "strong"
    api.init_app(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
            "extra_plugins": [ErrorResponses(app)],
        },
    )

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.is_active:  # deactivated (a lock refuses new sign-ins only)
            return None
        # a session opened before the password last changed has ended
        return user if session.get(SESSION_STAMP_KEY) == session_stamp(user) else None


def _sqlite_pragmas(connection, _record) -> None:
    """SQLite: WAL lets readers and one writer (a job's heartbeat) work at
    once; wait for a lock instead of failing at once."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    # the job kinds register themselves where their work is written (the runner, which starts
    # committed jobs after each commit, is imported at the top of this module)
    import_module("procure.scenarios.jobs")
    import_module("procure.coalitions.jobs")
    import_module("procure.scoring.jobs")

    api.register_blueprint(accounts_api)
    api.register_blueprint(vendors_api)
    api.register_blueprint(disclosures_api)
    api.register_blueprint(scoring_api)
    api.register_blueprint(needs_api)
    api.register_blueprint(scenarios_api)
    api.register_blueprint(jobs_api)
    api.register_blueprint(platform_api)
    api.register_blueprint(invitations_api)
    api.register_blueprint(notifications_api)
    api.register_blueprint(campaigns_api)
    api.register_blueprint(rates_api)
    api.register_blueprint(categories_api)
    api.register_blueprint(assurance_api)
    api.register_blueprint(events_api)
    api.register_blueprint(awards_api)
    api.register_blueprint(deliveries_api)
    api.register_blueprint(coalitions_api)
    api.register_blueprint(spend_api)
    api.register_blueprint(corrective_api)
    app.register_blueprint(accounts_pages)
    app.register_blueprint(docs_pages)
    app.register_blueprint(health)
    app.register_blueprint(vendor_pages)
    app.register_blueprint(disclosure_pages)
    app.register_blueprint(scoring_pages)
    app.register_blueprint(need_pages)
    app.register_blueprint(scenario_pages)
    app.register_blueprint(job_pages)
    app.register_blueprint(award_pages)
    app.register_blueprint(invitation_pages)
    app.register_blueprint(notification_pages)
    app.register_blueprint(campaign_pages)
    app.register_blueprint(rate_pages)
    app.register_blueprint(category_pages)
    app.register_blueprint(assurance_pages)
    app.register_blueprint(event_pages)
    app.register_blueprint(delivery_pages)
    app.register_blueprint(coalition_pages)
    app.register_blueprint(spend_pages)
    app.register_blueprint(corrective_pages)


def _authenticate_bearer():
    """An `Authorization: Bearer` header authenticates this request alone (no session)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, secret = header.partition(" ")
    user = user_for_token(secret.strip()) if scheme.lower() == "bearer" and secret else None
    g._login_user = user or Anonymous()  # Flask-Login reads the current user from here
    g.bearer_auth = True


def _protect_forms():
    """CSRF on every state-changing request, except those authenticated by a bearer header."""
    if request.method in {"GET", "HEAD", "OPTIONS", "TRACE"} or g.get("bearer_auth"):
        return
    if request.routing_exception is not None:  # 404 and 405 are answered by routing
        return
    if request.path.startswith("/api/") and request.endpoint == "accounts_api.Tokens":
        return  # exchanging credentials for a token needs no session
    if request.path.startswith("/api/") and not current_user.is_authenticated:
        return  # no session to ride on: the access rule answers (401 "send a bearer token")
    csrf.protect()


def _start_committed_jobs(response):
    """Start the jobs a request committed and did not start itself (a safety net: routes that
    answer with a job's outcome start it right after their commit)."""
    try:
        start_committed()
    except Exception:  # the request's own work is committed: its answer must not turn into a 500
        logging.getLogger("procure.jobs").exception(
            "starting the jobs of %s %s failed", request.method, request.path
        )
    return response


def _security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if _no_store(response):
        headers["Cache-Control"] = "no-store"
    return response


STATIC_ENDPOINTS = {"static", "api_docs_assets.swagger_asset"}


def _no_store(response) -> bool:
    """Whether no cache, shared or private, may keep the answer: any JSON of the API, and every
    page or download of a signed-in user (or a bearer token's), which holds tenant data. Static
    assets are the same for everyone and stay cacheable."""
    if request.path.startswith("/api/") and response.mimetype == "application/json":
        return True
    # the session's user id, not the user: loading it may need the database, which may be down
    signed_in = g.get("bearer_auth") or "_user_id" in session
    return bool(signed_in) and request.endpoint not in STATIC_ENDPOINTS
