"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from procure.accounts.models import ApiToken, Organization, SignInThrottle, User
from procure.audit.models import AuditEvent

__all__ = ["ApiToken", "AuditEvent", "Organization", "SignInThrottle", "User"]
