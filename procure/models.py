"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from procure.accounts.models import ApiToken, Organization, SignInThrottle, User
from procure.assurance.models import AssuranceGrant, Attestation
from procure.audit.models import AuditEvent
from procure.campaigns.models import Campaign, CampaignRequest, VendorReminderDay
from procure.disclosures.models import Disclosure, Evidence, EvidenceBlob
from procure.invitations.models import Invitation
from procure.jobs.models import Job
from procure.needs.models import Need
from procure.notifications.models import MailSettings, Notification
from procure.rates.models import ExchangeRate
from procure.scenarios.models import Scenario
from procure.scoring.models import CustomMetric, ScoreSnapshot, ScoringProfile
from procure.vendors.categories import ServiceCategory
from procure.vendors.models import Offer, OfferCapacityChange, Vendor, VendorCapacityChange

__all__ = [
    "ApiToken",
    "AssuranceGrant",
    "Attestation",
    "AuditEvent",
    "Campaign",
    "CampaignRequest",
    "Disclosure",
    "CustomMetric",
    "Evidence",
    "EvidenceBlob",
    "ExchangeRate",
    "Invitation",
    "Job",
    "MailSettings",
    "Need",
    "Notification",
    "Offer",
    "OfferCapacityChange",
    "Organization",
    "Scenario",
    "ScoreSnapshot",
    "ScoringProfile",
    "ServiceCategory",
    "SignInThrottle",
    "User",
    "Vendor",
    "VendorCapacityChange",
    "VendorReminderDay",
]
