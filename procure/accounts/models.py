from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.db import Base, TimestampMixin, UTCDateTime, utcnow

ORGANIZATION_KINDS = ("buyer", "vendor")
# Which roles a user may hold in each kind of organization.
ROLES_BY_KIND = {"buyer": ("admin", "buyer", "executive"), "vendor": ("admin", "vendor")}


class Organization(TimestampMixin, Base):
    __tablename__ = "organization"
    __table_args__ = (CheckConstraint("kind IN ('buyer', 'vendor')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))

    users: Mapped[list[User]] = relationship(back_populates="organization", order_by="User.id")

    @classmethod
    def scope(cls, user):
        """Admins see every organization; other users their own."""
        if not user.is_authenticated:
            return false()
        if user.role == "admin":
            return true()
        return cls.id == user.organization_id


class User(TimestampMixin, Base):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'buyer', 'vendor', 'executive')", name="role"),
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
    # Raised at every sign-out: the sessions (cookies) opened before it no longer match (session_stamp).
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
        """May use the service: not deactivated and not locked (sessions and tokens stop otherwise)."""
        return self.active and not self.locked

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @classmethod
    def scope(cls, user):
        """Admins see every user; other users the members of their own organization."""
        if not user.is_authenticated:
            return false()
        if user.role == "admin":
            return true()
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
