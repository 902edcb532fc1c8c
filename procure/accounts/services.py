"""Accounts: organizations, users, password checks, sign-in throttling and API tokens.

Services add and flush; the request or command commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from math import ceil

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from procure.accounts.common_passwords import COMMON_PASSWORDS
from procure.accounts.models import ROLES_BY_KIND, ApiToken, Organization, SignInThrottle, User
from procure.audit.services import record_event
from procure.db import utcnow
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db

MIN_PASSWORD_LENGTH = 12
# Letters commonly swapped for look-alike digits and symbols ("p@ssw0rd").
_LOOK_ALIKES = str.maketrans("0134578@$", "oieastbas")
# The session key holding session_stamp(user) of the user who signed in.
SESSION_STAMP_KEY = "auth_stamp"

# Compared against when the email is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def locked_message(user: User) -> str:
    """What a locked user who gave the right password is told: who can unlock, and when the lock lapses."""
    message = "Your account is locked after too many wrong passwords in a row. Ask an administrator to unlock it"
    minutes = current_app.config["LOCKOUT_MINUTES"]
    if not minutes:
        return message + "."
    left = max(
        1, ceil((user.locked_at + timedelta(minutes=minutes) - utcnow()).total_seconds() / 60)
    )
    return message + f", or try again in {left} minute(s)."


class SignInRefused(Exception):
    """Sign-in failed: 401 for wrong credentials, 429 while throttled."""

    def __init__(self, code: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _is_common(password: str) -> bool:
    """The password, or its stem (letters left when digits and symbols around them are removed,
    look-alike substitutions undone), is one of the most commonly used passwords."""
    lowered = password.strip().lower()
    stem = re.sub(r"^[^a-z]+|[^a-z]+$", "", lowered)
    plain_stem = stem.translate(_LOOK_ALIKES)
    candidates = {lowered, stem, plain_stem, re.sub(r"[^a-z]", "", plain_stem)}
    return bool(candidates & COMMON_PASSWORDS)


def password_problems(password: str, email: str = "") -> list[str]:
    """Plain-language reasons a password is refused (empty when it is acceptable).

    The policy: at least MIN_PASSWORD_LENGTH characters, 4 of them different, not containing the
    email address or its part before the @ (when that part has 3 or more characters), and not
    one of the most common passwords.
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(set(password)) < 4:
        problems.append("Use at least 4 different characters.")
    email = normalise_email(email)
    local_part = email.partition("@")[0]
    if email and (
        email in password.lower() or (len(local_part) >= 3 and local_part in password.lower())
    ):
        problems.append("Do not use your email address, or its part before the @, in the password.")
    if _is_common(password):
        problems.append("This password is among the most commonly used ones: choose another.")
    return problems


def _name_key(name: str) -> str:
    """What two organization names are compared by: Unicode case folded after compatibility
    normalisation, so "Ärzte" and "ärzte", "Straße" and "STRASSE" are one name."""
    return unicodedata.normalize("NFKC", name).casefold()


def _organization_name_taken(name: str) -> bool:
    """Compared in Python, the same on every database: SQLite's lower() folds ASCII letters only,
    so a name differing in non-ASCII case passed there and was refused on PostgreSQL."""
    key = _name_key(name)
    return any(_name_key(taken) == key for taken in db.session.scalars(select(Organization.name)))


def create_organization(name: str, kind: str) -> Organization:
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Give the organization a name."]
    elif _organization_name_taken(name):
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
        errors["role"] = [
            f"A {organization.kind} organization's user may be: {', '.join(allowed)}."
        ]
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
        "user.create",
        user,
        after={"email": email, "role": role},
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


def _count_wrong_password(user: User) -> None:
    """One more wrong password in a row for `user`; the one that reaches LOCKOUT_FAILURES locks
    the account. Both steps are single UPDATEs, so parallel attempts neither lose a count nor
    lock twice."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_sign_ins", "locked_at"])
    limit = current_app.config["LOCKOUT_FAILURES"]
    if not limit or user.failed_sign_ins < limit or user.locked_at is not None:
        return
    now = utcnow()
    locked = db.session.execute(
        update(User)
        .where(User.id == user.id, User.locked_at.is_(None))
        .values(locked_at=now)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 1:
        user.locked_at = now
        record_event(
            "user.locked",
            user,
            after={"failed_sign_ins": user.failed_sign_ins, "locked_at": now},
            actor=None,
            organization_id=user.organization_id,
        )


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials, or SignInRefused.

    The message is the same whether or not the email exists. After LOGIN_MAX_FAILURES
    failures for one email within LOGIN_WINDOW_MINUTES, sign-in for that email answers 429
    until the window has passed. LOCKOUT_FAILURES wrong passwords in a row for an existing
    account lock it until an administrator unlocks it or LOCKOUT_MINUTES pass (the next attempt
    then finds the lock lapsed and the count starts again): only the right password learns that
    (403), so the lock tells a guesser nothing about which emails exist. The caller commits also
    on failure, so failures count.
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
    if user is not None and user.locked_at is not None and not user.locked:
        _lapse_lock(user)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        if throttle is None:
            throttle = SignInThrottle(email=email, failures=0, window_started_at=utcnow())
            db.session.add(throttle)
        throttle.failures += 1
        if user is not None and not valid:
            _count_wrong_password(user)
        record_event("auth.sign_in_failed", throttle, after={"email": email}, actor=None)
        raise SignInRefused(401, "The email or password is not correct.")
    if user.locked:
        record_event(
            "auth.sign_in_failed",
            user,
            after={"email": email, "reason": "locked"},
            actor=None,
            organization_id=user.organization_id,
        )
        raise SignInRefused(403, locked_message(user))
    if throttle is not None:
        db.session.delete(throttle)
    user.failed_sign_ins = 0
    user.last_sign_in_at = utcnow()
    record_event("auth.sign_in", user, actor=user)
    return user


LOCK_CLEARED = {"locked_at": None, "failed_sign_ins": 0}


def _clear_lock(user: User, *only_if) -> dict | None:
    """Lift the user's lock and start the count of wrong passwords again, in one UPDATE that
    applies only if `only_if` still holds (so of two requests at once, one clears it). The lock
    as it was when cleared, or None when the conditions no longer held."""
    before = {"locked_at": user.locked_at, "failed_sign_ins": user.failed_sign_ins}
    cleared = (
        db.session.execute(
            update(User)
            .where(User.id == user.id, *only_if)
            .values(**LOCK_CLEARED)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    db.session.refresh(user, list(LOCK_CLEARED))
    return before if cleared else None


def _clear_throttle(email: str) -> None:
    db.session.execute(SignInThrottle.__table__.delete().where(SignInThrottle.email == email))


def _lapse_lock(user: User) -> None:
    """A lock older than LOCKOUT_MINUTES ends: the count of wrong passwords starts again (once,
    however many sign-ins find it lapsed at the same moment)."""
    before = _clear_lock(user, User.locked_at == user.locked_at)
    if before is not None:
        record_event(
            "user.lock_lapsed",
            user,
            before=before,
            after=LOCK_CLEARED,
            actor=None,
            organization_id=user.organization_id,
        )


def unlock_user(user: User) -> None:
    """Lift a lockout: the count starts again and the email's sign-in throttle is cleared.
    ConflictError when the account is not locked (also when another admin was first)."""
    before = _clear_lock(user, User.locked_at.is_not(None))
    if before is None:
        raise ConflictError(f"{user.email} is not locked.")
    _clear_throttle(user.email)
    record_event(
        "user.unlocked",
        user,
        before=before,
        after=LOCK_CLEARED,
        organization_id=user.organization_id,
    )
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password after checking the current one and the policy; ValidationFailed names
    `current_password` or `new_password`. A wrong current password counts towards the lockout
    like a failed sign-in (the caller commits also then), so a borrowed session cannot guess it
    freely."""
    errors: dict[str, list[str]] = {}
    problems = password_problems(new_password, user.email)
    if not check_password_hash(user.password_hash, current_password):
        errors["current_password"] = ["Your current password is not correct."]
        _count_wrong_password(user)
        record_event(
            "user.password_change_failed", user, after={"failed_sign_ins": user.failed_sign_ins}
        )
    elif new_password == current_password:
        problems = ["Choose a password different from your current one."]
    if problems:
        errors["new_password"] = problems
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = generate_password_hash(new_password)
    user.failed_sign_ins = 0
    record_event("user.password_change", user, after={"password": "changed"})
    db.session.flush()


def reset_password(user: User, new_password: str) -> int:
    """An administrator sets a new password for someone who forgot theirs (ValidationFailed names
    `password`). Their sessions end (the session stamp changes with the password), their API
    tokens are revoked, and a lock is lifted: the administrator vouches for who asked. Returns how
    many tokens were revoked."""
    problems = password_problems(new_password, user.email)
    if problems:
        raise ValidationFailed({"password": problems})
    user.password_hash = generate_password_hash(new_password)
    _clear_lock(user)
    _clear_throttle(user.email)
    revoked = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    record_event(
        "user.password_reset",
        user,
        after={"password": "reset", "tokens_revoked": revoked},
        organization_id=user.organization_id,
    )
    db.session.flush()
    return revoked


def session_stamp(user: User) -> str:
    """A mark of the password and the session epoch a session was opened with: kept in the
    session at sign-in, it no longer matches once the password changes (which ends every other
    session) or the user signs out (which ends every session, a copied cookie included: Flask's
    sessions live in the cookie, so the server can only refuse an old one by what it holds)."""
    key = current_app.secret_key.encode()
    mark = f"{user.password_hash}:{user.session_epoch}".encode()
    return hmac.new(key, mark, hashlib.sha256).hexdigest()[:32]


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session opened so far stops matching session_stamp."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_epoch=User.session_epoch + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["session_epoch"])


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
    if not token.user.is_active:  # deactivated or locked
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
