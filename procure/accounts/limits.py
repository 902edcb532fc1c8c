"""The per-address limit on sign-in attempts (the page's POST /sign-in and POST
/api/v1/auth/tokens share one count per client address).

Flask-Limiter checks it when the view is entered, before the form or body is read and before
any password is hashed, so a flood from one address costs the server no scrypt work past the
limit: it answers 429 with Retry-After. The count lives in memory (per process) by default, or
in Redis when `rate_limit_storage_url` (else `broker_url`) names one, shared by every process.
"""

from __future__ import annotations

import time
from math import ceil

from flask import Flask, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded

from procure.errors import respond_error, wants_json
from procure.extensions import limiter


def _per_address_per_minute() -> str:
    return f"{current_app.config['SIGN_IN_PER_ADDRESS_PER_MINUTE']} per minute"


def _unlimited() -> bool:
    return current_app.config["SIGN_IN_PER_ADDRESS_PER_MINUTE"] <= 0


def client_address() -> str:
    """The address of the client: the peer's, or, behind `trusted_proxy_hops` proxies that each
    append the address they saw to X-Forwarded-For, the one the outermost proxy saw. Without
    that setting behind a proxy, every client would share the proxy's address and its count."""
    hops = current_app.config["TRUSTED_PROXY_HOPS"]
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    if hops > 0 and len(forwarded) >= hops and forwarded[-hops]:
        return forwarded[-hops]
    return request.remote_addr or "unknown"


# The decorator of both sign-in views: POSTs only (showing the page is free).
sign_in_attempts = limiter.shared_limit(
    _per_address_per_minute,
    scope="sign-in",
    key_func=client_address,
    methods=["POST"],
    exempt_when=_unlimited,
)


def storage_url(config) -> str:
    """Where the counts live: the configured Redis, else the broker's, else process memory."""
    return config["RATE_LIMIT_STORAGE_URL"] or config["BROKER_URL"] or "memory://"


def init_rate_limits(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = storage_url(app.config)
    # deployments sharing one Redis count apart, as their jobs travel apart (job_queue)
    app.config["RATELIMIT_KEY_PREFIX"] = app.config["JOB_QUEUE"]
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_attempts)


def _too_many_attempts(_error: RateLimitExceeded):
    breached = limiter.current_limit
    reset_time = breached.window[0] if breached is not None else time.time() + 60
    seconds = max(1, ceil(reset_time - time.time()))
    message = f"Too many sign-in attempts from your address. Try again in {seconds} second(s)."
    headers = {"Retry-After": str(seconds)}
    if request.endpoint == "accounts_pages.sign_in" and not wants_json():
        # the sign-in page again, with the address typed and the reason where the form is
        page = render_template(
            "accounts/sign_in.html",
            errors={},
            refusal=message,
            values={"email": (request.form.get("email") or "").strip()},
        )
        return page, 429, headers
    return respond_error(429, message, headers=headers)
