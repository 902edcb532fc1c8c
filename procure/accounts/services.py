"""Accounts: organizations, users, password checks, sign-in throttling and API tokens.

Services add and flush; the request or command commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from math import ceil

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from procure.accounts.models import ROLES_BY_KIND, ApiToken, Organization, SignInThrottle, User
from procure.audit.services import record_event
from procure.db import utcnow
from procure.errors import ValidationFailed
from procure.extensions import db

MIN_PASSWORD_LENGTH = 10
# Compared against when the email is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class SignInRefused(Exception):
    """Sign-in failed: 401 for wrong credentials, 429 while throttled."""

    def __init__(self, code: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problems(password: str, email: str = "") -> list[str]:
    """Plain-language reasons a password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(set(password)) < 4:
        problems.append("Use at least 4 different characters.")
    if email and password.strip().lower() == normalise_email(email):
        problems.append("Do not use your email address as the password.")
    return problems


def create_organization(name: str, kind: str) -> Organization:
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Give the organization a name."]
    elif db.session.scalar(select(Organization.id).where(  # SQLite's lower() leaves non-ASCII letters alone
            (Organization.name == name) | (func.lower(Organization.name) == name.lower()))):
        errors["name"] = [f"An organization named {name!r} already exists."]
    if kind not in ROLES_BY_KIND:
        errors["kind"] = ["Choose buyer or vendor."]
    if errors:
        raise ValidationFailed(errors)
    organization = Organization(name=name, kind=kind)
    db.session.add(organization)
    record_event("organization.create", organization, after={"name": name, "kind": kind})
    return organization


def create_user(
    organization: Organization, email: str, name: str, role: str, password: str
) -> User:
    """Create a user after checking every field; raises ValidationFailed naming the fields."""
    errors: dict[str, list[str]] = {}
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = ["Enter a valid email address."]
    elif db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = ["A user with this email already exists."]
    if not name.strip():
        errors["name"] = ["Give the user a name."]
    allowed = ROLES_BY_KIND[organization.kind]
    if role not in allowed:
        errors["role"] = [f"A {organization.kind} organization's user may be: {', '.join(allowed)}."]
    problems = password_problems(password, email)
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    user = User(
        organization=organization,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=generate_password_hash(password),
    )
    db.session.add(user)
    record_event(
        "user.create", user, after={"email": email, "role": role},
        organization_id=organization.id,
    )
    return user


def _throttle_for(email: str) -> SignInThrottle | None:
    throttle = db.session.get(SignInThrottle, email)
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    if throttle is not None and utcnow() - throttle.window_started_at >= window:
        db.session.delete(throttle)
        db.session.flush()
        return None
    return throttle


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials, or SignInRefused.

    The message is the same whether or not the email exists. After LOGIN_MAX_FAILURES
    failures for one email within LOGIN_WINDOW_MINUTES, sign-in for that email answers 429
    until the window has passed. The caller commits also on failure, so failures count.
    """
    email = normalise_email(email)
    throttle = _throttle_for(email)
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    if throttle is not None and throttle.failures >= max_failures:
        wait = throttle.window_started_at + window - utcnow()
        minutes = max(1, ceil(wait.total_seconds() / 60))
        raise SignInRefused(
            429,
            f"Too many failed sign-ins for this email. Try again in {minutes} minute(s).",
            retry_after=int(wait.total_seconds()) + 1,
        )
    user = db.session.scalar(select(User).where(User.email == email))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        if throttle is None:
            throttle = SignInThrottle(email=email, failures=0, window_started_at=utcnow())
            db.session.add(throttle)
        throttle.failures += 1
        record_event("auth.sign_in_failed", throttle, after={"email": email}, actor=None)
        raise SignInRefused(401, "The email or password is not correct.")
    if throttle is not None:
        db.session.delete(throttle)
    user.last_sign_in_at = utcnow()
    record_event("auth.sign_in", user, actor=user)
    return user


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, name: str = "API token") -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the secret is returned once and never stored."""
    secret = "ipk_" + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user=user,
        name=(name or "API token").strip()[:100] or "API token",
        token_hash=_hash_token(secret),
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["TOKEN_LIFETIME_DAYS"]),
    )
    db.session.add(token)
    record_event("token.create", token, after={"name": token.name}, actor=user)
    return token, secret


def user_for_token(secret: str) -> User | None:
    """The active user of a valid (known, unexpired, unrevoked) token, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    return token.user


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event("token.revoke", token, after={"revoked_at": token.revoked_at})
    db.session.flush()


def token_is_live(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and token.expires_at > now
