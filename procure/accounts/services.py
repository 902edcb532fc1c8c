"""Accounts: organizations, users, password checks, sign-in throttling and API tokens.

Services add and flush; the request or command commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from math import ceil
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from procure.accounts.common_passwords import COMMON_PASSWORDS
from procure.accounts.models import (
    NAME_KEY_LENGTH,
    ORGANIZATION_KINDS,
    ROLES_BY_KIND,
    TENANT_KINDS,
    ApiToken,
    Organization,
    SignInThrottle,
    User,
)
from procure.accounts.names import name_key, name_problems
from procure.audit.services import record_event
from procure.db import rowcount, utcnow
from procure.editing import insert_once
from procure.errors import ConflictError, ValidationFailed
from procure.extensions import db

MIN_PASSWORD_LENGTH = 12
# zxcvbn's guessability score (0-4): 3 is 'safely unguessable' for an online attack
MIN_PASSWORD_SCORE = 3
PASSWORD_CHECK_CHARACTERS = 72  # zxcvbn refuses longer input
# Letters commonly swapped for look-alike digits and symbols ("p@ssw0rd").
_LOOK_ALIKES = str.maketrans("0134578@$", "oieastbas")
# The session key holding session_stamp(user) of the user who signed in.
SESSION_STAMP_KEY = "auth_stamp"

# Compared against when the email is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def locked_message(user: User) -> str:
    """What a locked user who gave the right password is told: who can unlock, and when the lock
    lapses."""
    message = (
        "Your account is locked after too many wrong passwords in a row. "
        "Ask an administrator to unlock it"
    )
    minutes = current_app.config["LOCKOUT_MINUTES"]
    if not minutes:
        return message + "."
    if user.locked_at is None:
        raise ValueError(f"{user.email} is not locked")
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
    if not problems:
        problems += _guessable(password, [email, local_part])
    return problems


def _guessable(password: str, user_inputs: list[str]) -> list[str]:
    """zxcvbn's estimate: refused below MIN_PASSWORD_SCORE (0-4), with its own warning (a
    sequence, a repeat, a keyboard pattern, a date...) where it gives one. Only the first
    PASSWORD_CHECK_CHARACTERS are estimated: past them a password is long enough, and the
    estimate's time grows with the length."""
    estimate = zxcvbn(
        password[:PASSWORD_CHECK_CHARACTERS], user_inputs=[u for u in user_inputs if u]
    )
    if estimate["score"] >= MIN_PASSWORD_SCORE:
        return []
    warning = (estimate.get("feedback") or {}).get("warning") or ""
    reason = f" {warning.rstrip('.')}." if warning else ""
    return [
        "This password is too easy to guess." + reason + " Use a few unrelated words, or more "
        "characters that follow no pattern."
    ]


def organization_name_errors(name: str) -> list[str]:
    """Why `name` cannot be a new organization's name (empty when it can): it is blank, holds an
    invisible or control character, or an organization's name has the same name_key (case,
    compatibility forms and spacing aside). Compared on the stored key, the same on every
    database (SQLite's lower() folds ASCII letters only)."""
    problems = name_problems(name)
    if problems:
        return problems
    key = name_key(name)
    if len(key) > NAME_KEY_LENGTH:
        return ["The name is too long."]
    if db.session.scalar(select(Organization.id).where(Organization.name_key == key)):
        return [f"An organization named {name!r} already exists."]
    return []


def _organization_errors(
    name: str, kind: str, kinds: tuple[str, ...] = ORGANIZATION_KINDS
) -> dict[str, list[str]]:
    errors = {}
    problems = organization_name_errors(name.strip())
    if problems:
        errors["name"] = problems
    if kind not in kinds:
        errors["kind"] = [f"Choose one of: {', '.join(kinds)}."]
    return errors


def create_organization(name: str, kind: str, *, actor: Any) -> Organization:
    """Create an organization (the operator's, or the command line's); ValidationFailed names
    `name` or `kind`."""
    errors = _organization_errors(name, kind)
    if errors:
        raise ValidationFailed(errors)
    return _add_organization(name.strip(), kind, actor)


def _add_organization(name: str, kind: str, actor: Any) -> Organization:
    organization = Organization(name=name, kind=kind)
    db.session.add(organization)
    # another request may have taken the name since the check: the unique name_key refuses it
    insert_once(
        organization,
        ValidationFailed({"name": [f"An organization named {name!r} already exists."]}),
    )
    record_event(
        "organization.create",
        organization,
        actor=actor,
        after={"name": name, "kind": kind},
        organization_id=organization.id,
    )
    return organization


def onboard_organization(
    name: str, kind: str, admin_email: str, admin_name: str, admin_password: str, *, actor: Any
) -> tuple[Organization, User]:
    """Create a tenant organization with its first admin, who then adds its other users; all
    or nothing. ValidationFailed names `name`, `kind`, `admin_email`, `admin_name` or
    `admin_password`."""
    errors = _organization_errors(name, kind, TENANT_KINDS)
    admin_errors = _user_errors(kind, admin_email, admin_name, "admin", admin_password)
    errors.update({f"admin_{field}": messages for field, messages in admin_errors.items()})
    if errors:
        raise ValidationFailed(errors)
    organization = _add_organization(name.strip(), kind, actor)
    admin = _add_user(organization, admin_email, admin_name, "admin", admin_password, actor)
    return organization, admin


def register_organization(
    organization_name: str, kind: str, email: str, name: str, password: str
) -> tuple[Organization, User]:
    """Self-registration (through an invitation's link): a tenant organization with its first
    admin, who is the actor of both audit events, since nobody else acted. All or nothing;
    ValidationFailed names `organization_name`, `kind`, `email`, `name` or `password`."""
    errors = _organization_errors(organization_name, kind, TENANT_KINDS)
    if "name" in errors:
        errors["organization_name"] = errors.pop("name")
    errors.update(_user_errors(kind, email, name, "admin", password))
    if errors:
        raise ValidationFailed(errors)
    organization_name = organization_name.strip()
    organization = Organization(name=organization_name, kind=kind)
    db.session.add(organization)
    # parallel requests may have taken the name or the email since the checks: the unique keys
    # refuse the later one, which is told so like any duplicate
    insert_once(
        organization,
        ValidationFailed(
            {"organization_name": [f"An organization named {organization_name!r} already exists."]}
        ),
    )
    admin = User(
        organization=organization,
        email=normalise_email(email),
        name=name.strip(),
        role="admin",
        password_hash=generate_password_hash(password),
    )
    db.session.add(admin)
    insert_once(admin, ValidationFailed({"email": ["A user with this email already exists."]}))
    record_event(
        "organization.create",
        organization,
        actor=admin,
        after={"name": organization_name, "kind": kind},
        organization_id=organization.id,
    )
    record_event(
        "user.create",
        admin,
        actor=admin,
        after={"email": admin.email, "role": admin.role},
        organization_id=organization.id,
    )
    return organization, admin


def _user_errors(
    kind: str, email: str, name: str, role: str, password: str
) -> dict[str, list[str]]:
    """What is wrong with these fields for a new user of an organization of `kind`."""
    errors: dict[str, list[str]] = {}
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = ["Enter a valid email address."]
    elif db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = ["A user with this email already exists."]
    if not name.strip():
        errors["name"] = ["Give the user a name."]
    allowed = ROLES_BY_KIND.get(kind, ())
    if role not in allowed:
        article = "An" if kind[:1] in "aeiou" else "A"
        errors["role"] = [f"{article} {kind} organization's user may be: {', '.join(allowed)}."]
    problems = password_problems(password, email)
    if problems:
        errors["password"] = problems
    return errors


def create_user(
    organization: Organization, email: str, name: str, role: str, password: str, *, actor: Any
) -> User:
    """Create a user after checking every field; raises ValidationFailed naming the fields."""
    errors = _user_errors(organization.kind, email, name, role, password)
    if errors:
        raise ValidationFailed(errors)
    return _add_user(organization, email, name, role, password, actor)


def _add_user(
    organization: Organization, email: str, name: str, role: str, password: str, actor: Any
) -> User:
    email = normalise_email(email)
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
        actor=actor,
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


def _count_failure(email: str) -> SignInThrottle:
    """One more failed sign-in for `email`, in one INSERT ... ON CONFLICT DO UPDATE: parallel
    first failures for one email neither collide on the row's key (a 500 before) nor lose a
    count."""
    table = cast(Table, SignInThrottle.__table__)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(email=email, failures=1, window_started_at=utcnow())
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.email], set_={"failures": table.c.failures + 1}
        )
    )
    return db.session.get_one(SignInThrottle, email, populate_existing=True)


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
    if rowcount(locked) == 1:
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
        throttle = _count_failure(email)
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
        rowcount(
            db.session.execute(
                update(User)
                .where(User.id == user.id, *only_if)
                .values(**LOCK_CLEARED)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )
    db.session.refresh(user, list(LOCK_CLEARED))
    return before if cleared else None


def _clear_throttle(email: str) -> None:
    # a declarative class's __table__ is its Table; SQLAlchemy types it as any FromClause
    throttles = cast(Table, SignInThrottle.__table__)
    db.session.execute(throttles.delete().where(SignInThrottle.email == email))


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


def unlock_user(user: User, *, actor: Any) -> None:
    """Lift a lockout: the count starts again and the email's sign-in throttle is cleared.
    ConflictError when the account is not locked (also when another admin was first)."""
    before = _clear_lock(user, User.locked_at.is_not(None))
    if before is None:
        raise ConflictError(f"{user.email} is not locked.")
    _clear_throttle(user.email)
    record_event(
        "user.unlocked",
        user,
        actor=actor,
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
    if user.locked:  # no more guesses at the current password until the lock is lifted or lapses
        raise ValidationFailed({"current_password": [locked_message(user)]})
    errors: dict[str, list[str]] = {}
    problems = password_problems(new_password, user.email)
    if not check_password_hash(user.password_hash, current_password):
        errors["current_password"] = ["Your current password is not correct."]
        _count_wrong_password(user)
        record_event(
            "user.password_change_failed",
            user,
            actor=user,
            after={"failed_sign_ins": user.failed_sign_ins},
        )
    elif new_password == current_password:
        problems = ["Choose a password different from your current one."]
    if problems:
        errors["new_password"] = problems
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = generate_password_hash(new_password)
    user.failed_sign_ins = 0
    record_event("user.password_change", user, actor=user, after={"password": "changed"})
    db.session.flush()


def reset_password(user: User, new_password: str, *, actor: Any) -> int:
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
    revoked = _revoke_all_tokens(user)
    record_event(
        "user.password_reset",
        user,
        actor=actor,
        after={"password": "reset", "tokens_revoked": revoked},
        organization_id=user.organization_id,
    )
    db.session.flush()
    return revoked


def _revoke_all_tokens(user: User) -> int:
    """Revoke every live API token of `user` in one UPDATE; how many were live."""
    return rowcount(
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )


def revoke_user_tokens(user: User, *, actor: Any) -> int:
    """An administrator revokes every API token of one of its organization's users (a lost
    laptop, a leaked script); their sessions go on. Returns how many were revoked."""
    revoked = _revoke_all_tokens(user)
    record_event(
        "user.tokens_revoked",
        user,
        actor=actor,
        after={"tokens_revoked": revoked},
        organization_id=user.organization_id,
    )
    db.session.flush()
    return revoked


def deactivate_user(user: User, actor: User) -> int:
    """Offboarding: the user can no longer sign in, and every session and API token they hold
    ends at once (a reactivation brings none back). ConflictError (409) when the user is the
    actor, is already deactivated, or is the last active admin of its organization: an
    organization always keeps someone who can administer it. Returns how many tokens were
    revoked."""
    if user.id == actor.id:
        raise ConflictError("You cannot deactivate yourself: ask another administrator.")
    # one deactivation of an organization's admins at a time (PostgreSQL; SQLite writes one at a
    # time anyway), so two admins deactivating each other cannot leave the organization with none
    db.session.execute(
        select(Organization.id).where(Organization.id == user.organization_id).with_for_update()
    )
    db.session.refresh(user, ["active", "role"])
    if not user.active:
        raise ConflictError(f"{user.email} is already deactivated.")
    if user.role == "admin":
        other_admins = db.session.scalar(
            select(func.count(User.id)).where(
                User.organization_id == user.organization_id,
                User.role == "admin",
                User.active.is_(True),
                User.id != user.id,
            )
        )
        if not other_admins:
            raise ConflictError(
                f"{user.email} is the last active administrator of {user.organization.name}: "
                "add another administrator first."
            )
    user.active = False
    end_sessions(user)
    revoked = _revoke_all_tokens(user)
    record_event(
        "user.deactivated",
        user,
        actor=actor,
        before={"active": True},
        after={"active": False, "tokens_revoked": revoked},
        organization_id=user.organization_id,
    )
    db.session.flush()
    return revoked


def reactivate_user(user: User, *, actor: Any) -> None:
    """Let a deactivated user sign in again (with the password they had); their old sessions and
    tokens stay ended. ConflictError (409) when the user is active."""
    db.session.refresh(user, ["active"])
    if user.active:
        raise ConflictError(f"{user.email} is active already.")
    user.active = True
    record_event(
        "user.reactivated",
        user,
        actor=actor,
        before={"active": False},
        after={"active": True},
        organization_id=user.organization_id,
    )
    db.session.flush()


def session_stamp(user: User) -> str:
    """A mark of the password and the session epoch a session was opened with: kept in the
    session at sign-in, it no longer matches once the password changes (which ends every other
    session) or the user signs out (which ends every session, a copied cookie included: Flask's
    sessions live in the cookie, so the server can only refuse an old one by what it holds)."""
    secret = current_app.secret_key
    if not isinstance(secret, str):  # create_app sets it, from settings.secret_key
        raise RuntimeError("SECRET_KEY is not set to a text key")
    key = secret.encode()
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
    token = db.session.scalar(  # its user in the same statement: every API request reads both
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == _hash_token(secret))
    )
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.is_active:  # deactivated (a lock refuses new sign-ins only)
        return None
    return token.user


def revoke_token(token: ApiToken, *, actor: Any) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event("token.revoke", token, actor=actor, after={"revoked_at": token.revoked_at})
    db.session.flush()


def token_is_live(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and token.expires_at > now


def set_vendors_see_plan_share(organization: Organization, allowed: bool, *, actor: Any) -> bool:
    """A buyer organization's admin lets vendors see (or stops them seeing) how an improvement
    would change their share of its approved plans (procure.scenarios.plan_share); an audit event
    when the setting changes. Only a buyer organization has the setting (ValidationFailed names
    `vendors_see_plan_share`). Returns whether it changed."""
    if organization.kind != "buyer":
        raise ValidationFailed(
            {"vendors_see_plan_share": ["Only a buyer organization has approved plans to show."]}
        )
    before = organization.vendors_see_plan_share
    if before == allowed:
        return False
    organization.vendors_see_plan_share = allowed
    record_event(
        "organization.settings_change",
        organization,
        actor=actor,
        before={"vendors_see_plan_share": before},
        after={"vendors_see_plan_share": allowed},
        organization_id=organization.id,
    )
    db.session.flush()
    return True
