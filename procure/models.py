"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from procure.accounts.models import ApiToken, Organization, SignInThrottle, User
from procure.audit.models import AuditEvent
from procure.disclosures.models import Disclosure, Evidence
from procure.jobs.models import Job
from procure.needs.models import Need
from procure.scenarios.models import Scenario
from procure.scoring.models import CustomMetric, ScoreSnapshot, ScoringProfile
from procure.vendors.models import Offer, Vendor

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Disclosure",
    "CustomMetric",
    "Evidence",
    "Job",
    "Need",
    "Offer",
    "Organization",
    "Scenario",
    "ScoreSnapshot",
    "ScoringProfile",
    "SignInThrottle",
    "User",
    "Vendor",
]
