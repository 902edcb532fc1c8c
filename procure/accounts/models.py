from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from procure.accounts.names import name_key
from procure.db import Base, TimestampMixin, UTCDateTime, utcnow

# Tenants are buyer and vendor organizations and assurance providers (social auditors,
# certification bodies: they attest the disclosure versions vendors share with them,
# procure.assurance) and backbones (the secretariat that runs a coalition of buyers,
# procure.coalitions: its own tenant, so it holds no prices, budgets, needs or scenarios); the
# operator organization holds the people who run the platform (they create organizations and see
# counts across tenants, never their records).
ORGANIZATION_KINDS = ("buyer", "vendor", "assurance", "backbone", "operator")
TENANT_KINDS = ("buyer", "vendor", "assurance", "backbone")
# Which roles a user may hold in each kind of organization.
ROLES_BY_KIND = {
    "buyer": ("admin", "buyer", "executive"),
    "vendor": ("admin", "vendor"),
    "assurance": ("admin", "assurer"),
    "backbone": ("admin", "coordinator"),
    "operator": ("operator",),
}
# The role an organization's admin also acts as, by the organization's kind (procure.access): a
# vendor organization's admin keeps its vendor's records, an assurance provider's admin attests
# (its first and often only user, as a vendor's is), a backbone's admin coordinates its
# coalitions; a buyer organization's admin only reads.
ACTS_AS = {"vendor": "vendor", "assurance": "assurer", "backbone": "coordinator"}
# The roles (as `User.reads_as` gives them) that read no vendor's records through the vendor-side
# scopes: the operator sees counts only, and an assurance provider reads only the versions a
# vendor shared with it, through its grants (procure.assurance), never the vendors, offers or
# other versions that every buyer reads; a backbone's coordinator sees vendors only as the
# coalition's vendor load names them (procure.coalitions).
NO_VENDOR_READS = ("operator", "assurer", "coordinator")
# Room for name_key(name): NFKC and case folding can make a name of 200 characters longer.
NAME_KEY_LENGTH = 800


class Organization(TimestampMixin, Base):
    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('buyer', 'vendor', 'assurance', 'backbone', 'operator')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # name_key(name): two organizations whose names differ only in case, compatibility forms or
    # spacing would have the same key, and the unique constraint refuses the second.
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # a buyer lets vendors see how an improvement would change their share of its approved plans
    # (procure.scenarios.plan_share); its admin sets it, off by default
    vendors_see_plan_share: Mapped[bool] = mapped_column(default=False, server_default=false())

    users: Mapped[list[User]] = relationship(back_populates="organization", order_by="User.id")

    @validates("name")
    def _keep_name_key(self, _key, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @classmethod
    def scope(cls, user):
        """Each user sees its own organization; the operator sees every organization (its name
        and kind: what it needs to onboard them), never their records."""
        if not user.is_authenticated:
            return false()
        if user.role == "operator":
            return true()
        return cls.id == user.organization_id


class User(TimestampMixin, Base):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'buyer', 'vendor', 'executive', 'operator', 'assurer', "
            "'coordinator')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wrong passwords in a row; the account is locked (locked_at) when they reach lockout_failures.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised at every sign-out: the sessions (cookies) opened before it no longer match
    # (session_stamp).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    organization: Mapped[Organization] = relationship(back_populates="users")

    # Flask-Login's user interface
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def locked(self) -> bool:
        """Locked after too many wrong passwords, and the lock has not lapsed (LOCKOUT_MINUTES)."""
        if self.locked_at is None:
            return False
        minutes = current_app.config["LOCKOUT_MINUTES"]
        return not minutes or utcnow() - self.locked_at < timedelta(minutes=minutes)

    @property
    def is_active(self) -> bool:
        """May use the service: not deactivated. A lock refuses new sign-ins only (the sessions and
        tokens the owner already holds go on), so a stranger who knows an email and types wrong
        passwords cannot throw its owner out."""
        return self.active

    @property
    def reads_as(self) -> str:
        """The role whose reading rights this user has. An admin is a member of its own
        organization: in a buyer organization it reads what that organization's executives read,
        in a vendor organization what that vendor's users read, in an assurance provider what its
        assurers read, in a backbone what its coordinators read (`ACTS_AS`)."""
        if self.role == "admin":
            return ACTS_AS.get(self.organization.kind, "executive")
        return self.role

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @classmethod
    def scope(cls, user):
        """Every user, admins and the operator included, sees the members of its own organization
        only: an admin administers its own organization's users and nobody else."""
        if not user.is_authenticated:
            return false()
        return cls.organization_id == user.organization_id


class ApiToken(Base):
    """A bearer token for the API. Only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @classmethod
    def scope(cls, user):
        """A user sees and revokes only their own tokens."""
        if not user.is_authenticated:
            return false()
        return cls.user_id == user.id


class SignInThrottle(Base):
    """Failed sign-ins per email (known or not), for rate limiting without revealing accounts."""

    __tablename__ = "sign_in_throttle"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
