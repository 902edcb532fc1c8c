"""The access matrix: every route of the URL map, pages and API, for every actor.

The actors: anonymous; vendor A, which owns the vendor profile, offers, disclosures and evidence
named below, and vendor B; buyer X, who keeps the profile, custom metric, need, scenarios and job
of buyer organization X; buyer Y of another buyer organization, which keeps the same records;
executive X, who reads X's scenarios, compares them and approves or rejects the submitted one,
but edits nothing; executive Y; the admin of organization X (where the demo keeps its admin);
the admin of organization Y; the admin of vendor B's organization; and the platform operator.
An admin is a member of its own organization: it reads what that organization's executives (a
buyer organization) or vendor users (a vendor organization) read, administers its own users only,
and another organization's users answer 404. The operator creates organizations and reads counts
across them (/api/v1/platform/summary), never a tenant's records. The assurer is a user of an
assurance provider that vendor A granted its submitted version (and that attested its wages); it
is granted nothing of vendor B, whose own version another provider was granted and attested. It
reads that version and its evidence files through its grant, the attestations it issued, and
nothing else: the vendor-side scopes give it no vendor, offer or disclosure (404), and the
buyer- and vendor-side rules refuse it (403).

`ok` means the access layer let the request through (the handler may still answer 2xx, 3xx, 409
or 422 for the body sent); `404` means the record is hidden; `403` the role is refused; `anon`
that sign-in is required (401 on the API, a redirect to the sign-in page for pages). Every route
of the URL map needs a row: a new route without one fails the test.

Placeholders name records: {vendor} {offer} {draft} {submitted} {evidence} {token} {organization}
{user} are vendor A's, {vendor_b} {offer_b} {organization_b} {user_b} vendor B's; {profile}
{metric} {need} {scenario}
{submitted_scenario} {job} {organization_x} {user_x} are organization X's, the same names ending
in `_y` organization Y's. {invitation} and {invitation_y} are invitations of X and Y;
{invitation_link} is the secret of a pending invitation of X. {notification} is buyer X's own:
every other user, its organization's admin and the operator included, gets 404. {rate},
{rate_delete} and {rate_remove} are exchange rates (seeded KES rates): the platform's reference
data, which every signed-in user reads and only the operator changes; {category} is a seeded
service category (SEO), the same. {campaign} and
{campaign_y} are campaigns of X (asking vendor A) and Y (asking vendor B). {grant} and
{attestation} are the assurer's grant of vendor A's submitted version and its attestation;
{grant_b}, {attestation_b} and {evidence_b} are vendor B's (another provider's), and
{organization_assurance} is the assurer's organization. {event} and {event_y} are published
sealed sourcing events of X (inviting vendor A) and Y (inviting vendor B), before their deadline;
{lot} is a lot of {event}; {bid} is vendor A's bid on it and {bid_b} vendor B's on {event_y}:
sealed, so only their own vendor reads them. {approved_scenario} and {approved_scenario_y} are
approved plans of X and Y, each with a delivery ({delivery}, {delivery_y}; {delivery_delete} is
X's second). {plan} and {plan_y} are open corrective action plans of X on vendor A and of Y on
vendor B. {coalition} is a coalition of a backbone that is none of the actors, with a
target {coalition_target}; no actor's organization is invited to it, so the buyer and vendor
sides get 404 on what a reader reads, the operator and assurer 403, and only a backbone's
coordinator (none here) may run it
(tests/app/test_coalition_access.py has the coalition's own actors).

The admin of vendor B's organization also acts as vendor B (procure/access.py, ACTS_AS): the
vendor routes admit it, and vendor A's records answer it 404 as they answer vendor B.
"""

import io
import re
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from procure.access import route_rules
from procure.extensions import db
from procure.notifications.services import notify
from procure.states import NotificationKind
from tests.conftest import PDF, csrf_token_from, metric_body, valid_document

ACTORS = (
    "anonymous",
    "vendor_a",
    "vendor_b",
    "buyer_x",
    "buyer_y",
    "executive_x",
    "executive_y",
    "admin",
    "admin_y",
    "admin_vendor_b",
    "operator",
    "assurer",
)


def row(*outcomes):
    """One outcome per actor, in the order of ACTORS."""
    return dict(zip(ACTORS, outcomes, strict=True))


# Rows that repeat: vendors' records, which every buyer, executive and buyer organization's admin
# may read (the scores by role: the operator's is refused); records of organization X (read by
# its buyers, executives and admin; written by its buyers); vendor A's records that only a vendor
# writes; and a buyer's write that no other role makes.
VENDOR_READ = row("anon", "ok", "404", "ok", "ok", "ok", "ok", "ok", "ok", "404", "404", "404")
VENDOR_SCORES = row("anon", "ok", "404", "ok", "ok", "ok", "ok", "ok", "ok", "404", "403", "403")
VENDOR_WRITE = row(
    "anon", "ok", "404", "403", "403", "403", "403", "403", "403", "404", "403", "403"
)
X_READ = row("anon", "403", "403", "ok", "404", "ok", "404", "ok", "404", "403", "403", "403")
X_WRITE = row("anon", "403", "403", "ok", "404", "403", "403", "403", "403", "403", "403", "403")
X_PAGE_WRITE = row(
    "anon", "403", "403", "ok", "404", "403", "403", "403", "403", "403", "403", "403"
)  # the page's POST admits buyers only (its GET the buyer side), then looks the record up
Y_READ = row("anon", "403", "403", "404", "ok", "404", "ok", "404", "ok", "403", "403", "403")
Y_WRITE = row("anon", "403", "403", "404", "ok", "403", "403", "403", "403", "403", "403", "403")
BUYER_ONLY = row("anon", "403", "403", "ok", "ok", "403", "403", "403", "403", "403", "403", "403")
ORGANIZATION_READ = row(
    "anon", "403", "403", "ok", "ok", "ok", "ok", "ok", "ok", "403", "403", "403"
)
VENDOR_ONLY = row("anon", "ok", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403")
SIGNED_IN = row("anon", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
TENANT_USERS = row("anon", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "403", "403")
PUBLIC = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
# Accounts: a record only vendor A's user sees (its token, itself); routes of every admin, of the
# operator only; and an admin's action on a user of organization X, Y or vendor B's organization,
# which that organization's admin alone may take (404 for the other admins).
OWN_VENDOR_A = row(
    "anon", "ok", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"
)
OWN_BUYER_X = row(
    "anon", "404", "404", "ok", "404", "404", "404", "404", "404", "404", "404", "404"
)
ANY_ADMIN = row("anon", "403", "403", "403", "403", "403", "403", "ok", "ok", "ok", "403", "403")
# invitations: read by the buyers and admin of the inviting buyer organization only
INVITATION_READ = row(
    "anon", "403", "403", "ok", "ok", "403", "403", "ok", "ok", "403", "403", "403"
)
# a campaign of organization X (or Y): read by that organization's buyers and admin only
CAMPAIGN_X_READ = row(
    "anon", "403", "403", "ok", "404", "403", "403", "ok", "404", "403", "403", "403"
)
CAMPAIGN_Y_READ = row(
    "anon", "403", "403", "404", "ok", "403", "403", "404", "ok", "403", "403", "403"
)
# assurance: the grants a vendor gave and an assurance provider holds; what only an assurer reads
GRANT_READERS = row("anon", "ok", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "ok")
ASSURER_ONLY = row("anon", *["403"] * 10, "ok")
# sourcing events: the buyer side of the event's organization and its invited vendor read it
EVENT_READERS = row("anon", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "403", "403")
EVENT_X_READ = row("anon", "ok", "404", "ok", "404", "ok", "404", "ok", "404", "404", "403", "403")
EVENT_Y_READ = row("anon", "404", "ok", "404", "ok", "404", "ok", "404", "ok", "ok", "403", "403")
# a sealed bid: its own vendor alone reads it, the buyer side of the event included gets 404
SEALED_BID_A = row(
    "anon", "ok", "404", "404", "404", "404", "404", "404", "404", "404", "403", "403"
)
SEALED_BID_B = row(
    "anon", "404", "ok", "404", "404", "404", "404", "404", "404", "ok", "403", "403"
)
# a coalition none of the actors' organizations belongs to: the buyer and vendor sides 404 (a
# hidden record), the operator and the assurer 403
COALITION_HIDDEN = row(
    "anon", "404", "404", "404", "404", "404", "404", "404", "404", "404", "403", "403"
)
BACKBONE_ONLY = row("anon", *["403"] * 11)  # a backbone's coordinators (and its admin) alone
# a buyer organization's executives and admin answer for it; not a member: 404
COALITION_ANSWER = row(
    "anon", "403", "403", "403", "403", "404", "404", "404", "404", "403", "403", "403"
)
NOT_GRANTED = row("anon", *["403"] * 10, "404")  # vendor B's version: not shared with the assurer
ATTESTATION_READERS = row("anon", *["ok"] * 9, "403", "ok")
OPERATOR_ONLY = row(
    "anon", "403", "403", "403", "403", "403", "403", "403", "403", "403", "ok", "403"
)
ADMINISTER_X = row(
    "anon", "403", "403", "403", "403", "403", "403", "ok", "404", "404", "403", "403"
)
ADMINISTERED = {
    "user_x": ADMINISTER_X,
    "user_y": row(
        "anon", "403", "403", "403", "403", "403", "403", "404", "ok", "404", "403", "403"
    ),
    "user_b": row(
        "anon", "403", "403", "403", "403", "403", "403", "404", "404", "ok", "403", "403"
    ),
}
# in this order: a deactivated user is then reactivated
ADMIN_ACTIONS = ("unlock", "password", "deactivate", "reactivate", "tokens/revoke")

# path (with placeholders and, for some, a query), method -> outcome per actor
MATRIX = {
    ("/api/v1/vendors", "GET"): SIGNED_IN,
    ("/api/v1/vendors", "POST"): VENDOR_ONLY,
    ("/api/v1/vendors/{vendor}", "GET"): VENDOR_READ,
    ("/api/v1/vendors/{vendor_b}", "GET"): row(
        "anon", "404", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "404", "404"
    ),
    ("/api/v1/vendors/{vendor}", "PATCH"): VENDOR_WRITE,
    ("/api/v1/vendors/{vendor_b}", "PATCH"): row(
        "anon", "404", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403"
    ),
    ("/api/v1/vendors/{vendor}/offers", "GET"): VENDOR_READ,
    ("/api/v1/vendors/{vendor}/offers", "POST"): VENDOR_WRITE,
    ("/api/v1/offers/{offer}", "GET"): VENDOR_READ,
    ("/api/v1/offers/{offer}", "PATCH"): VENDOR_WRITE,
    ("/api/v1/offers/{offer_b}", "PATCH"): row(
        "anon", "404", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403"
    ),
    ("/api/v1/disclosures", "GET"): SIGNED_IN,
    ("/api/v1/disclosures", "POST"): VENDOR_ONLY,
    ("/api/v1/disclosures/{draft}", "GET"): row(
        "anon", "ok", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"
    ),
    ("/api/v1/disclosures/{submitted}", "GET"): VENDOR_READ,
    ("/api/v1/disclosures/{draft}", "PATCH"): VENDOR_WRITE,
    ("/api/v1/disclosures/{draft}/submit", "POST"): VENDOR_WRITE,
    ("/api/v1/disclosures/{submitted}/review", "POST"): row(
        "anon", "403", "403", "ok", "ok", "403", "403", "403", "403", "403", "403", "403"
    ),
    # evidence sections: read as the disclosure is; each buyer organization reviews for itself
    ("/api/v1/disclosures/{submitted}/sections", "GET"): VENDOR_READ,
    ("/api/v1/disclosures/{draft}/sections", "GET"): row(
        "anon", "ok", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"
    ),
    ("/api/v1/disclosures/{submitted}/sections/wages/review", "POST"): row(
        "anon", "403", "403", "ok", "ok", "403", "403", "403", "403", "403", "403", "403"
    ),
    ("/api/v1/disclosures/{submitted}/amend", "POST"): VENDOR_WRITE,
    ("/api/v1/disclosures/{submitted}/versions", "GET"): VENDOR_READ,
    ("/api/v1/disclosures/{draft}/evidence", "GET"): row(
        "anon", "ok", "404", "404", "404", "403", "403", "403", "403", "404", "403", "403"
    ),
    ("/api/v1/disclosures/{draft}/evidence", "POST"): VENDOR_WRITE,
    ("/api/v1/evidence/{evidence}", "GET"): row(
        "anon", "ok", "404", "ok", "ok", "403", "403", "403", "403", "404", "403", "403"
    ),
    ("/api/v1/evidence/{evidence}/download", "GET"): row(
        "anon", "ok", "404", "ok", "ok", "403", "403", "403", "403", "404", "403", "403"
    ),
    ("/api/v1/disclosures/export", "GET"): SIGNED_IN,
    ("/api/v1/disclosures/import", "POST"): row(
        "anon", "ok", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403"
    ),
    ("/vendor/profile", "GET"): VENDOR_ONLY,
    ("/vendor/profile", "POST"): VENDOR_ONLY,
    ("/vendor/offers", "GET"): VENDOR_ONLY,
    ("/vendor/offers", "POST"): VENDOR_ONLY,
    ("/vendor/offers/{offer}", "POST"): VENDOR_WRITE,
    ("/vendors", "GET"): ORGANIZATION_READ,
    ("/vendors/{vendor}", "GET"): ORGANIZATION_READ,
    ("/vendor/disclosures", "GET"): VENDOR_ONLY,
    ("/vendor/disclosures", "POST"): VENDOR_ONLY,
    ("/disclosures/{draft}", "GET"): row(
        "anon", "ok", "404", "404", "404", "404", "404", "404", "404", "404", "404", "404"
    ),
    ("/disclosures/{submitted}", "GET"): VENDOR_READ,
    ("/disclosures/{draft}", "POST"): row(
        "anon", "ok", "404", "403", "403", "403", "403", "403", "403", "404", "403", "403"
    ),
    ("/disclosures/{submitted}/amend", "POST"): VENDOR_WRITE,
    ("/disclosures/{submitted}/review", "POST"): row(
        "anon", "403", "403", "ok", "ok", "403", "403", "403", "403", "403", "403", "403"
    ),
    ("/disclosures/{submitted}/sections/training/review", "POST"): row(
        "anon", "403", "403", "ok", "ok", "403", "403", "403", "403", "403", "403", "403"
    ),
    ("/disclosures/{draft}/evidence", "POST"): VENDOR_WRITE,
    # what submitting the draft would do to the vendor's score: its own vendor side alone
    ("/disclosures/{draft}/score-effect", "GET"): VENDOR_WRITE,
    ("/reviews", "GET"): BUYER_ONLY,
    ("/disclosures/table", "GET"): TENANT_USERS,
    ("/disclosures/table", "POST"): row(
        "anon", "ok", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403"
    ),
    ("/disclosures/table/export.{fmt}", "GET"): TENANT_USERS,
    # scoring profiles and custom metrics: the buyer organization's own
    ("/api/v1/scoring-profiles", "GET"): ORGANIZATION_READ,
    ("/api/v1/scoring-profiles", "POST"): BUYER_ONLY,
    ("/api/v1/scoring-profiles/{profile}", "GET"): X_READ,
    ("/api/v1/scoring-profiles/{profile_y}", "GET"): Y_READ,
    ("/api/v1/scoring-profiles/{profile}", "PATCH"): X_WRITE,
    ("/api/v1/scoring-profiles/{profile_y}", "PATCH"): Y_WRITE,
    ("/api/v1/scoring-profiles/{profile}/versions", "GET"): X_READ,
    ("/api/v1/scores", "GET"): ORGANIZATION_READ,
    ("/api/v1/vendors/{vendor}/scorecard", "GET"): VENDOR_SCORES,
    ("/api/v1/vendors/{vendor}/what-if", "POST"): VENDOR_SCORES,
    ("/scores", "GET"): ORGANIZATION_READ,
    ("/scorecard", "GET"): VENDOR_ONLY,
    ("/scorecard", "POST"): VENDOR_ONLY,
    ("/vendors/{vendor}/scorecard", "GET"): ORGANIZATION_READ,
    ("/vendors/{vendor}/scorecard", "POST"): ORGANIZATION_READ,
    ("/profiles", "GET"): ORGANIZATION_READ,
    ("/profiles", "POST"): BUYER_ONLY,
    ("/profiles/preview", "POST"): BUYER_ONLY,
    ("/profiles/{profile}", "GET"): X_READ,
    ("/profiles/{profile}", "POST"): X_PAGE_WRITE,
    ("/api/v1/metrics", "GET"): ORGANIZATION_READ,
    ("/api/v1/metrics", "POST"): row(
        "anon", "403", "403", "ok", "ok", "403", "403", "ok", "ok", "403", "403", "403"
    ),
    ("/api/v1/metrics/{metric}", "DELETE"): row(
        "anon", "403", "403", "ok", "404", "403", "403", "ok", "404", "403", "403", "403"
    ),
    ("/api/v1/metrics/{metric_y}", "DELETE"): row(
        "anon", "403", "403", "404", "ok", "403", "403", "404", "ok", "403", "403", "403"
    ),
    ("/metrics", "GET"): ORGANIZATION_READ,
    ("/metrics", "POST"): row(
        "anon", "403", "403", "ok", "ok", "403", "403", "ok", "ok", "403", "403", "403"
    ),
    ("/metrics/{metric}/delete", "POST"): row(
        "anon", "403", "403", "ok", "404", "403", "403", "ok", "404", "403", "403", "403"
    ),
    # needs
    ("/api/v1/needs", "GET"): ORGANIZATION_READ,
    ("/api/v1/needs", "POST"): BUYER_ONLY,
    ("/api/v1/needs/{need}", "GET"): X_READ,
    ("/api/v1/needs/{need_y}", "GET"): Y_READ,
    ("/api/v1/needs/{need}", "PATCH"): X_WRITE,
    ("/api/v1/needs/{need_y}", "PATCH"): Y_WRITE,
    ("/needs", "GET"): ORGANIZATION_READ,
    ("/needs", "POST"): BUYER_ONLY,
    ("/needs/{need}", "GET"): X_READ,
    ("/needs/{need}", "POST"): X_PAGE_WRITE,
    # scenarios: executives read, compare and decide; only buyers build; vendors never see one
    ("/api/v1/scenarios", "GET"): ORGANIZATION_READ,
    ("/api/v1/scenarios", "POST"): BUYER_ONLY,
    ("/api/v1/scenarios/{scenario}", "GET"): X_READ,
    ("/api/v1/scenarios/{scenario_y}", "GET"): Y_READ,
    ("/api/v1/scenarios/{scenario}", "PATCH"): X_WRITE,
    ("/api/v1/scenarios/{scenario_y}", "PATCH"): Y_WRITE,
    ("/api/v1/scenarios/{scenario}/solve", "POST"): X_WRITE,
    ("/api/v1/scenarios/{scenario}/copy", "POST"): X_WRITE,
    ("/api/v1/scenarios/{scenario}/problem.json", "GET"): X_READ,
    ("/api/v1/scenarios/{scenario}/result.json", "GET"): X_READ,
    ("/api/v1/scenarios/{scenario}/frontier", "GET"): X_READ,
    ("/api/v1/scenarios/{scenario}/frontier", "POST"): X_WRITE,
    ("/api/v1/scenarios/{scenario_y}/frontier", "POST"): Y_WRITE,
    ("/api/v1/scenarios/{scenario}/submit", "POST"): X_WRITE,
    ("/api/v1/scenarios/{submitted_scenario}/decision", "POST"): row(
        "anon", "403", "403", "403", "403", "ok", "404", "403", "403", "403", "403", "403"
    ),
    ("/api/v1/scenarios/{submitted_scenario_y}/decision", "POST"): row(
        "anon", "403", "403", "403", "403", "404", "ok", "403", "403", "403", "403", "403"
    ),
    ("/api/v1/scenarios/{scenario}/check", "GET"): X_READ,
    ("/api/v1/scenarios/{scenario}/impact", "GET"): X_READ,
    ("/api/v1/scenarios/compare?ids={scenario}&ids={submitted_scenario}", "GET"): X_READ,
    ("/api/v1/scenarios/compare?ids={scenario}&ids={scenario_y}", "GET"):  # nobody sees both
    row("anon", "403", "403", "404", "404", "404", "404", "404", "404", "403", "403", "403"),
    ("/api/v1/scenarios/{scenario}/report", "POST"): X_READ,
    ("/api/v1/scenarios/{scenario}/export.xlsx", "GET"): X_READ,
    ("/scenarios", "GET"): ORGANIZATION_READ,
    ("/scenarios", "POST"): BUYER_ONLY,
    # the award scenario form of an event: its organization's event only (another's: 404)
    ("/scenarios?event_id={event}", "GET"): X_READ,
    ("/scenarios?event_id={event_y}", "GET"): Y_READ,
    ("/scenarios/{scenario}", "GET"): X_READ,
    ("/scenarios/{scenario_y}", "GET"): Y_READ,
    ("/scenarios/{scenario}/solve", "POST"): X_WRITE,
    ("/scenarios/{scenario}/frontier", "POST"): X_WRITE,
    ("/scenarios/{scenario}/copy", "POST"): X_WRITE,
    ("/scenarios/{scenario}/edit", "POST"): X_WRITE,
    ("/scenarios/{scenario}/rule-fix", "POST"): X_WRITE,
    ("/scenarios/{scenario}/vendor-group", "POST"): X_WRITE,
    ("/scenarios/{scenario}/priorities", "POST"): X_WRITE,
    ("/scenarios/{scenario}/incumbent-rule", "POST"): X_WRITE,
    ("/scenarios/{scenario}/bid-adjustment", "POST"): X_WRITE,
    ("/scenarios/{scenario}/vendor-list-group", "POST"): X_WRITE,
    ("/scenarios/{scenario}/region-group", "POST"): X_WRITE,
    ("/scenarios/{scenario}/submit", "POST"): X_WRITE,
    ("/scenarios/{submitted_scenario}/decision", "POST"): row(
        "anon", "403", "403", "403", "403", "ok", "404", "403", "403", "403", "403", "403"
    ),
    ("/scenarios/{submitted_scenario_y}/decision", "POST"): row(
        "anon", "403", "403", "403", "403", "404", "ok", "403", "403", "403", "403", "403"
    ),
    ("/scenarios/{scenario}/check", "GET"): X_READ,
    ("/scenarios/compare?ids={scenario}&ids={submitted_scenario}", "GET"): X_READ,
    ("/scenarios/{scenario}/report", "POST"): X_READ,
    # deliveries of an approved scenario: its organization's buyers record, its executives and
    # admin read; another organization's buyer side gets 404, vendors (even the one delivered by),
    # the operator and assurers 403. The API's DELETE takes {delivery_delete}; the page's removes
    # {delivery}, after the PUT has answered
    ("/api/v1/scenarios/{approved_scenario}/deliveries", "GET"): X_READ,
    ("/api/v1/scenarios/{approved_scenario_y}/deliveries", "GET"): Y_READ,
    ("/api/v1/scenarios/{approved_scenario}/deliveries", "POST"): X_WRITE,
    ("/api/v1/scenarios/{approved_scenario_y}/deliveries", "POST"): Y_WRITE,
    ("/api/v1/scenarios/{approved_scenario}/deliveries/{delivery}", "PUT"): X_WRITE,
    ("/api/v1/scenarios/{approved_scenario_y}/deliveries/{delivery_y}", "PUT"): Y_WRITE,
    ("/api/v1/scenarios/{approved_scenario}/deliveries/{delivery_delete}", "DELETE"): X_WRITE,
    ("/api/v1/scenarios/{approved_scenario}/deliveries/import", "POST"): X_WRITE,
    ("/api/v1/scenarios/{approved_scenario_y}/deliveries/import", "POST"): Y_WRITE,
    ("/api/v1/scenarios/{approved_scenario}/actuals", "GET"): X_READ,
    ("/api/v1/scenarios/{approved_scenario_y}/actuals", "GET"): Y_READ,
    ("/scenarios/{approved_scenario}/deliveries", "GET"): X_READ,
    ("/scenarios/{approved_scenario_y}/deliveries", "GET"): Y_READ,
    ("/scenarios/{approved_scenario}/deliveries", "POST"): X_PAGE_WRITE,
    ("/scenarios/{approved_scenario}/deliveries/import", "POST"): X_WRITE,
    ("/scenarios/{approved_scenario}/deliveries/{delivery}/delete", "POST"): X_WRITE,
    ("/scenarios/{approved_scenario_y}/deliveries/{delivery_y}/delete", "POST"): Y_WRITE,
    # corrective action plans: {plan} is X's on vendor A, {plan_y} Y's on vendor B. The opening
    # organization's buyer side and the vendor it is on read it; its buyers open and close, the
    # vendor answers; another buyer organization and another vendor get 404
    ("/api/v1/corrective-plans", "GET"): EVENT_READERS,
    ("/api/v1/corrective-plans", "POST"): BUYER_ONLY,
    ("/api/v1/corrective-plans/{plan}", "GET"): EVENT_X_READ,
    ("/api/v1/corrective-plans/{plan_y}", "GET"): EVENT_Y_READ,
    ("/api/v1/corrective-plans/{plan}/answers", "POST"): VENDOR_WRITE,
    ("/api/v1/corrective-plans/{plan_y}/answers", "POST"): row(
        "anon", "404", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403"
    ),
    ("/api/v1/corrective-plans/{plan}/close", "POST"): X_WRITE,
    ("/api/v1/corrective-plans/{plan_y}/close", "POST"): Y_WRITE,
    ("/corrective-plans", "GET"): EVENT_READERS,
    ("/corrective-plans/{plan}", "GET"): EVENT_X_READ,
    ("/corrective-plans/{plan_y}", "GET"): EVENT_Y_READ,
    ("/vendors/{vendor}/corrective-plans", "GET"): BUYER_ONLY,
    ("/vendors/{vendor}/corrective-plans", "POST"): BUYER_ONLY,
    ("/corrective-plans/{plan}/answer", "POST"): VENDOR_WRITE,
    ("/corrective-plans/{plan}/close", "POST"): X_WRITE,
    ("/corrective-plans/{plan_y}/close", "POST"): Y_WRITE,
    # jobs belong to the organization they were started in; cancel and retry to their starter or its
    # admin
    ("/api/v1/jobs", "GET"): SIGNED_IN,
    ("/api/v1/jobs/{job}", "GET"): row(
        "anon", "404", "404", "ok", "404", "ok", "404", "ok", "404", "404", "404", "404"
    ),
    ("/api/v1/jobs/{job_y}", "GET"): row(
        "anon", "404", "404", "404", "ok", "404", "ok", "404", "ok", "404", "404", "404"
    ),
    ("/api/v1/jobs/{job}/file", "GET"): row(
        "anon", "404", "404", "ok", "404", "ok", "404", "ok", "404", "404", "404", "404"
    ),
    ("/api/v1/jobs/{job}/cancel", "POST"): row(
        "anon", "404", "404", "ok", "404", "403", "404", "ok", "404", "404", "404", "404"
    ),
    ("/api/v1/jobs/{job_y}/cancel", "POST"): row(
        "anon", "404", "404", "404", "ok", "404", "403", "404", "ok", "404", "404", "404"
    ),
    ("/api/v1/jobs/{job}/retry", "POST"): row(
        "anon", "404", "404", "ok", "404", "403", "404", "ok", "404", "404", "404", "404"
    ),
    ("/jobs/{job}/cancel", "POST"): row(
        "anon", "404", "404", "ok", "404", "403", "404", "ok", "404", "404", "404", "404"
    ),
    ("/jobs/{job}/retry", "POST"): row(
        "anon", "404", "404", "ok", "404", "403", "404", "ok", "404", "404", "404", "404"
    ),
    # notifications: everyone has its own; another user's answers 404, whoever asks
    ("/api/v1/notifications", "GET"): SIGNED_IN,
    ("/api/v1/notifications/{notification}/read", "POST"): OWN_BUYER_X,
    ("/api/v1/notifications/read-all", "POST"): SIGNED_IN,
    ("/notifications", "GET"): SIGNED_IN,
    ("/notifications/{notification}/read", "POST"): OWN_BUYER_X,
    ("/notifications/read-all", "POST"): SIGNED_IN,
    # invitations: the inviting buyer organization's buyers and admin read them, its buyers send
    # and revoke them (a second revoke answers 409); the link's page is public: a signed-in vendor
    # accepts for its organization there, any other signed-in user is asked to sign out (409)
    ("/api/v1/invitations", "GET"): INVITATION_READ,
    ("/api/v1/invitations", "POST"): BUYER_ONLY,
    ("/api/v1/invitations/{invitation}/revoke", "POST"): X_WRITE,
    ("/api/v1/invitations/{invitation_y}/revoke", "POST"): Y_WRITE,
    ("/invitations", "GET"): INVITATION_READ,
    ("/invitations", "POST"): BUYER_ONLY,
    ("/invitations/{invitation}/revoke", "POST"): X_WRITE,
    ("/invitations/{invitation_y}/revoke", "POST"): Y_WRITE,
    ("/invitations/{invitation_link}", "GET"): PUBLIC,
    ("/invitations/{invitation_link}", "POST"): PUBLIC,
    # campaigns: the asking buyer organization's buyers and admin read them, its buyers start them
    # and remind the late vendors; a vendor (and its organization's admin) reads the requests to
    # its own organization only
    ("/api/v1/campaigns", "GET"): INVITATION_READ,
    ("/api/v1/campaigns", "POST"): BUYER_ONLY,
    ("/api/v1/campaigns/{campaign}", "GET"): CAMPAIGN_X_READ,
    ("/api/v1/campaigns/{campaign_y}", "GET"): CAMPAIGN_Y_READ,
    ("/api/v1/campaigns/{campaign}/remind", "POST"): X_WRITE,
    ("/api/v1/campaigns/{campaign_y}/remind", "POST"): Y_WRITE,
    # its buyers and admin edit, close and reopen it; its buyers ask more vendors (and search
    # the vendors to ask)
    ("/api/v1/campaigns/vendor-search", "GET"): BUYER_ONLY,
    ("/api/v1/campaigns/{campaign}", "PATCH"): X_WRITE,
    ("/api/v1/campaigns/{campaign_y}", "PATCH"): Y_WRITE,
    ("/api/v1/campaigns/{campaign}/vendors", "POST"): X_WRITE,
    ("/api/v1/campaigns/{campaign_y}/vendors", "POST"): Y_WRITE,
    ("/api/v1/campaigns/{campaign}/close", "POST"): X_WRITE,
    ("/api/v1/campaigns/{campaign_y}/close", "POST"): Y_WRITE,
    ("/api/v1/campaigns/{campaign}/reopen", "POST"): X_WRITE,
    ("/api/v1/campaigns/{campaign_y}/reopen", "POST"): Y_WRITE,
    ("/api/v1/campaigns/{campaign}/status.csv", "GET"): CAMPAIGN_X_READ,
    ("/api/v1/campaigns/{campaign_y}/status.csv", "GET"): CAMPAIGN_Y_READ,
    ("/api/v1/campaign-requests", "GET"): VENDOR_ONLY,
    ("/campaigns", "GET"): INVITATION_READ,
    ("/campaigns/new", "GET"): BUYER_ONLY,
    ("/campaigns/new", "POST"): BUYER_ONLY,
    ("/campaigns/{campaign}", "GET"): CAMPAIGN_X_READ,
    ("/campaigns/{campaign_y}", "GET"): CAMPAIGN_Y_READ,
    ("/campaigns/{campaign}/status.csv", "GET"): CAMPAIGN_X_READ,
    ("/campaigns/{campaign}/remind", "POST"): X_WRITE,
    ("/campaigns/{campaign_y}/remind", "POST"): Y_WRITE,
    ("/campaigns/{campaign}/edit", "GET"): X_WRITE,
    ("/campaigns/{campaign}/edit", "POST"): X_WRITE,
    ("/campaigns/{campaign_y}/edit", "POST"): Y_WRITE,
    ("/campaigns/{campaign}/vendors", "GET"): X_WRITE,
    ("/campaigns/{campaign}/vendors", "POST"): X_WRITE,
    ("/campaigns/{campaign_y}/vendors", "POST"): Y_WRITE,
    ("/campaigns/{campaign}/close", "POST"): X_WRITE,
    ("/campaigns/{campaign_y}/close", "POST"): Y_WRITE,
    ("/campaigns/{campaign}/reopen", "POST"): X_WRITE,
    ("/campaigns/{campaign_y}/reopen", "POST"): Y_WRITE,
    # sourcing events: the buyer side reads its organization's, an invited vendor the published
    # ones; buyers change them; invited vendors bid; a sealed bid is its vendor's alone
    ("/api/v1/events", "GET"): EVENT_READERS,
    ("/api/v1/events", "POST"): BUYER_ONLY,
    ("/api/v1/events/{event}", "GET"): EVENT_X_READ,
    ("/api/v1/events/{event_y}", "GET"): EVENT_Y_READ,
    ("/api/v1/events/{event}/publish", "POST"): X_WRITE,
    ("/api/v1/events/{event_y}/publish", "POST"): Y_WRITE,
    ("/api/v1/events/{event}/extend", "POST"): X_WRITE,
    ("/api/v1/events/{event_y}/extend", "POST"): Y_WRITE,
    ("/api/v1/events/{event}/close", "POST"): X_WRITE,
    ("/api/v1/events/{event_y}/close", "POST"): Y_WRITE,
    ("/api/v1/events/{event}/cancel", "POST"): X_WRITE,
    ("/api/v1/events/{event_y}/cancel", "POST"): Y_WRITE,
    # a vendor not on the platform invited to the event by email (an invitation of X or Y)
    ("/api/v1/events/{event}/invitations", "POST"): X_WRITE,
    ("/api/v1/events/{event_y}/invitations", "POST"): Y_WRITE,
    ("/events/{event}/invitations", "POST"): X_WRITE,
    ("/api/v1/events/{event}/bids", "GET"): EVENT_X_READ,  # each reads the bids it may: none
    ("/api/v1/events/{event_y}/bids", "GET"): EVENT_Y_READ,
    ("/api/v1/events/{event}/bids", "POST"): VENDOR_WRITE,
    ("/api/v1/bids/{bid}", "GET"): SEALED_BID_A,
    ("/api/v1/bids/{bid_b}", "GET"): SEALED_BID_B,
    ("/api/v1/bids/{bid}", "PUT"): VENDOR_WRITE,
    ("/api/v1/bids/{bid}/withdraw", "POST"): VENDOR_WRITE,  # a stale version: its vendor 409
    ("/events/{event}/bids/{bid}/withdraw", "POST"): VENDOR_WRITE,  # no version: said, kept
    # bid sheets: blank for the buyer side, its own bids for a vendor; an invited vendor uploads
    ("/api/v1/events/{event}/bid-sheet.xlsx", "GET"): EVENT_X_READ,
    ("/api/v1/events/{event_y}/bid-sheet.xlsx", "GET"): EVENT_Y_READ,
    ("/api/v1/events/{event}/bid-sheet", "POST"): VENDOR_WRITE,
    ("/events/{event}/bid-sheet", "POST"): VENDOR_WRITE,
    # awards: each reads the lines it may (a vendor its own, the buyer side its organization's)
    ("/api/v1/awards", "GET"): EVENT_READERS,
    ("/api/v1/events/{event}/award", "GET"): EVENT_X_READ,
    ("/api/v1/events/{event_y}/award", "GET"): EVENT_Y_READ,
    # the award workbook: the buyer side of the event's organization only (not awarded: 409)
    ("/api/v1/events/{event}/award.xlsx", "GET"): X_READ,
    ("/api/v1/events/{event_y}/award.xlsx", "GET"): Y_READ,
    ("/events", "GET"): EVENT_READERS,
    ("/events/new", "GET"): BUYER_ONLY,
    ("/events/new", "POST"): BUYER_ONLY,
    ("/events/{event}", "GET"): EVENT_X_READ,
    ("/events/{event_y}", "GET"): EVENT_Y_READ,
    ("/events/{event}/publish", "POST"): X_WRITE,
    ("/events/{event_y}/publish", "POST"): Y_WRITE,
    ("/events/{event}/extend", "POST"): X_WRITE,
    ("/events/{event}/close", "POST"): X_WRITE,
    ("/events/{event}/cancel", "POST"): X_WRITE,
    ("/events/{event_y}/cancel", "POST"): Y_WRITE,
    ("/events/{event}/lots/{lot}/bid", "GET"): VENDOR_WRITE,
    ("/events/{event}/lots/{lot}/bid", "POST"): VENDOR_WRITE,
    # coalitions: read by a backbone's coordinators and its members' buyer side, run by the
    # backbone, answered by a buyer organization's executives and admin
    ("/api/v1/coalitions", "GET"): ORGANIZATION_READ,
    ("/api/v1/coalitions", "POST"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}", "GET"): COALITION_HIDDEN,
    ("/api/v1/coalitions/{coalition}", "PATCH"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/members", "POST"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/membership/accept", "POST"): COALITION_ANSWER,
    ("/api/v1/coalitions/{coalition}/membership/decline", "POST"): COALITION_ANSWER,
    ("/api/v1/coalitions/{coalition}/membership/leave", "POST"): COALITION_ANSWER,
    ("/api/v1/coalitions/{coalition}/membership/sharing", "PUT"): COALITION_ANSWER,
    ("/api/v1/coalitions/{coalition}/targets", "POST"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/targets/{coalition_target}", "PATCH"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/progress", "GET"): COALITION_HIDDEN,
    ("/api/v1/coalitions/{coalition}/vendor-load", "GET"): COALITION_HIDDEN,
    ("/api/v1/coalitions/{coalition}/posts", "GET"): COALITION_HIDDEN,
    ("/api/v1/coalitions/{coalition}/posts", "POST"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/spend", "GET"): COALITION_HIDDEN,
    ("/coalitions/{coalition}/spend", "GET"): COALITION_HIDDEN,
    # the impact spend report of the reader's own buyer organization (no record to hide)
    ("/api/v1/spend", "GET"): ORGANIZATION_READ,
    ("/spend", "GET"): ORGANIZATION_READ,
    ("/api/v1/coalitions/{coalition}/candidates", "GET"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/report", "POST"): COALITION_HIDDEN,
    ("/coalitions/{coalition}/report", "POST"): COALITION_HIDDEN,
    ("/coalitions", "GET"): ORGANIZATION_READ,
    ("/coalitions/new", "GET"): BACKBONE_ONLY,
    ("/coalitions/new", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}", "GET"): COALITION_HIDDEN,
    ("/coalitions/{coalition}/edit", "GET"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/edit", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/members", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/membership/accept", "POST"): COALITION_ANSWER,
    ("/coalitions/{coalition}/membership/decline", "POST"): COALITION_ANSWER,
    ("/coalitions/{coalition}/membership/leave", "POST"): COALITION_ANSWER,
    ("/coalitions/{coalition}/membership/sharing", "POST"): COALITION_ANSWER,
    # shared measurement: read by the backbone and the members, kept by the backbone, adopted
    # by a member's buyer side
    ("/api/v1/coalitions/{coalition}/metrics", "GET"): COALITION_HIDDEN,
    ("/api/v1/coalitions/{coalition}/metrics", "POST"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/metrics/{coalition_metric}", "PUT"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/metrics/{coalition_metric}", "DELETE"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/profile", "GET"): COALITION_HIDDEN,
    ("/api/v1/coalitions/{coalition}/profile", "PUT"): BACKBONE_ONLY,
    ("/api/v1/coalitions/{coalition}/membership/profile", "PUT"): COALITION_HIDDEN,
    ("/coalitions/{coalition}/measurement", "GET"): COALITION_HIDDEN,
    ("/coalitions/{coalition}/metrics", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/metrics/{coalition_metric}/delete", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/profile", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/membership/profile", "POST"): COALITION_HIDDEN,
    ("/coalitions/{coalition}/targets/new", "GET"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/targets/new", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/targets/{coalition_target}/edit", "GET"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/targets/{coalition_target}/edit", "POST"): BACKBONE_ONLY,
    ("/coalitions/{coalition}/posts", "POST"): BACKBONE_ONLY,
    # mail settings: everyone its own
    ("/api/v1/notifications/settings", "GET"): SIGNED_IN,
    ("/api/v1/notifications/settings", "PUT"): SIGNED_IN,
    ("/notifications/settings", "GET"): SIGNED_IN,
    ("/notifications/settings", "POST"): SIGNED_IN,
    # exchange rates: the platform's, read by every signed-in user, changed by the operator only
    ("/api/v1/exchange-rates", "GET"): SIGNED_IN,
    ("/api/v1/exchange-rates", "POST"): OPERATOR_ONLY,
    ("/api/v1/exchange-rates/{rate}", "GET"): SIGNED_IN,
    ("/api/v1/exchange-rates/{rate}", "PATCH"): OPERATOR_ONLY,
    ("/api/v1/exchange-rates/{rate_delete}", "DELETE"): OPERATOR_ONLY,
    ("/exchange-rates", "GET"): SIGNED_IN,
    ("/exchange-rates", "POST"): OPERATOR_ONLY,
    ("/exchange-rates/{rate}", "GET"): OPERATOR_ONLY,
    ("/exchange-rates/{rate}", "POST"): OPERATOR_ONLY,
    ("/exchange-rates/{rate_remove}/remove", "POST"): OPERATOR_ONLY,
    # service categories: the platform's controlled list, read by every signed-in user (forms
    # offer it), changed by the operator only
    ("/api/v1/service-categories", "GET"): SIGNED_IN,
    ("/api/v1/service-categories", "POST"): OPERATOR_ONLY,
    ("/api/v1/service-categories/{category}", "GET"): SIGNED_IN,
    ("/api/v1/service-categories/{category}", "PATCH"): OPERATOR_ONLY,
    ("/service-categories", "GET"): SIGNED_IN,
    ("/service-categories", "POST"): OPERATOR_ONLY,
    ("/service-categories/{category}", "GET"): OPERATOR_ONLY,
    ("/service-categories/{category}", "POST"): OPERATOR_ONLY,
    # assurance providers: a vendor shares a submitted version with one (and revokes it); its
    # assurers read that version and its evidence files, nothing else, and attest its sections.
    # Every buyer-side reader sees every attestation; the vendor those of its versions; a
    # provider those it issued; the operator none. Revoking comes last: it ends the reading.
    ("/api/v1/assurance-providers", "GET"): VENDOR_ONLY,
    ("/api/v1/assurance-grants", "GET"): GRANT_READERS,
    ("/api/v1/assurance-grants", "POST"): VENDOR_WRITE,  # the body names A's version
    ("/api/v1/assurance-grants/{grant}", "GET"): row(
        "anon", "ok", "404", "403", "403", "403", "403", "403", "403", "404", "403", "ok"
    ),
    ("/api/v1/assurance-grants/{grant_b}", "GET"): row(
        "anon", "404", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "404"
    ),
    ("/api/v1/assurance-grants/{grant}/version", "GET"): ASSURER_ONLY,
    ("/api/v1/assurance-grants/{grant_b}/version", "GET"): NOT_GRANTED,
    ("/api/v1/assurance-grants/{grant}/evidence/{evidence}", "GET"): ASSURER_ONLY,
    ("/api/v1/assurance-grants/{grant}/evidence/{evidence_b}", "GET"): NOT_GRANTED,
    ("/api/v1/assurance-grants/{grant_b}/evidence/{evidence_b}", "GET"): NOT_GRANTED,
    ("/api/v1/attestations", "GET"): ATTESTATION_READERS,
    ("/api/v1/attestations", "POST"): ASSURER_ONLY,  # the body names A's version (shared)
    ("/api/v1/attestations/{attestation}", "GET"): row(
        "anon", "ok", "404", "ok", "ok", "ok", "ok", "ok", "ok", "404", "403", "ok"
    ),
    ("/api/v1/attestations/{attestation}/statement", "GET"): row(
        "anon", "ok", "404", "ok", "ok", "ok", "ok", "ok", "ok", "404", "403", "ok"
    ),
    ("/api/v1/attestations/{attestation_b}", "GET"): row(
        "anon", "404", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "403", "404"
    ),
    # withdrawal: the issuing provider's assurers only (a blank reason, refused 422: the
    # attestation stands); another provider's attestation is not visible to the assurer
    ("/api/v1/attestations/{attestation}/withdraw", "POST"): ASSURER_ONLY,
    ("/api/v1/attestations/{attestation_b}/withdraw", "POST"): NOT_GRANTED,
    ("/assurance/attestations/{attestation}/withdraw", "POST"): ASSURER_ONLY,
    ("/assurance/attestations/{attestation_b}/withdraw", "POST"): NOT_GRANTED,
    ("/assurance", "GET"): ASSURER_ONLY,
    ("/assurance/grants/{grant}", "GET"): ASSURER_ONLY,
    ("/assurance/grants/{grant_b}", "GET"): NOT_GRANTED,
    ("/assurance/grants/{grant}", "POST"): ASSURER_ONLY,
    ("/assurance/grants/{grant_b}", "POST"): NOT_GRANTED,
    ("/disclosures/{submitted}/assurance", "POST"): VENDOR_WRITE,
    ("/api/v1/assurance-grants/{grant_b}/revoke", "POST"): row(
        "anon", "404", "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "403"
    ),
    ("/api/v1/assurance-grants/{grant}/revoke", "POST"): VENDOR_WRITE,
    ("/assurance-grants/{grant}/revoke", "POST"): VENDOR_WRITE,
    # public files, documents and health
    ("/static/css/app.css", "GET"): PUBLIC,
    ("/api/v1/openapi.json", "GET"): PUBLIC,
    ("/api/v1/docs", "GET"): PUBLIC,
    ("/api/v1/docs/assets/swagger-ui-bundle.js", "GET"): PUBLIC,
    ("/healthz", "GET"): PUBLIC,
    ("/healthz/live", "GET"): PUBLIC,
    ("/healthz/ready", "GET"): PUBLIC,
    ("/healthz/broker", "GET"): PUBLIC,
    # accounts: tokens are their owner's; everyone sees its own organization and its members, the
    # operator every organization (name and kind) but no other organization's members. An admin
    # administers its own organization's users: another organization's answer 404. Only the
    # operator creates organizations and reads the platform's counts.
    ("/api/v1/auth/tokens", "GET"): SIGNED_IN,
    ("/api/v1/auth/tokens", "POST"): PUBLIC,
    ("/api/v1/auth/tokens/{token}", "DELETE"): OWN_VENDOR_A,
    ("/api/v1/me", "GET"): SIGNED_IN,
    ("/api/v1/organizations", "GET"): SIGNED_IN,
    ("/api/v1/organizations", "POST"): OPERATOR_ONLY,
    ("/api/v1/organizations/{organization}", "GET"): row(
        "anon", "ok", "404", "404", "404", "404", "404", "404", "404", "404", "ok", "404"
    ),
    ("/api/v1/organizations/{organization_x}", "GET"): row(
        "anon", "404", "404", "ok", "404", "ok", "404", "ok", "404", "404", "ok", "404"
    ),
    ("/api/v1/organizations/{organization_y}", "GET"): row(
        "anon", "404", "404", "404", "ok", "404", "ok", "404", "ok", "404", "ok", "404"
    ),
    ("/api/v1/organizations/{organization_b}", "GET"): row(
        "anon", "404", "ok", "404", "404", "404", "404", "404", "404", "ok", "ok", "404"
    ),
    # a buyer organization's settings: its own admin only (another's 404; a vendor
    # organization's admin reads its own, whose setting a vendor organization cannot turn on)
    **{
        ("/api/v1/organizations/{organization_x}/settings", method): row(
            "anon", "403", "403", "403", "403", "403", "403", "ok", "404", "404", "403", "403"
        )
        for method in ("GET", "PATCH")
    },
    ("/api/v1/platform/summary", "GET"): OPERATOR_ONLY,
    ("/api/v1/users", "GET"): SIGNED_IN,
    # the body names organization X: its admin adds the user, any other admin gets 404
    ("/api/v1/users", "POST"): ADMINISTER_X,
    ("/api/v1/users/{user}", "GET"): OWN_VENDOR_A,
    ("/api/v1/users/{user_x}", "GET"): row(
        "anon", "404", "404", "ok", "404", "ok", "404", "ok", "404", "404", "404", "404"
    ),
    ("/api/v1/users/{user_y}", "GET"): row(
        "anon", "404", "404", "404", "ok", "404", "ok", "404", "ok", "404", "404", "404"
    ),
    ("/api/v1/users/{user_b}", "GET"): row(
        "anon", "404", "ok", "404", "404", "404", "404", "404", "404", "ok", "404", "404"
    ),
    **{
        (f"/api/v1/users/{{{target}}}/{action}", "POST"): outcome
        for action in ADMIN_ACTIONS
        for target, outcome in ADMINISTERED.items()
    },
    ("/", "GET"): SIGNED_IN,
    ("/account", "GET"): SIGNED_IN,
    ("/account", "POST"): SIGNED_IN,
    ("/account/password", "POST"): SIGNED_IN,
    ("/account/tokens/{page_token}/revoke", "POST"): OWN_VENDOR_A,
    ("/admin/users", "GET"): ANY_ADMIN,
    ("/admin/users", "POST"): ANY_ADMIN,  # the form adds to the admin's own organization
    # a buyer organization's settings page: an organization of another kind has none (404)
    **{
        ("/admin/settings", method): row(
            "anon", "403", "403", "403", "403", "403", "403", "ok", "ok", "404", "403", "403"
        )
        for method in ("GET", "POST")
    },
    **{
        (f"/admin/users/{{{target}}}/password", "GET"): outcome
        for target, outcome in ADMINISTERED.items()
    },
    **{
        (f"/admin/users/{{{target}}}/{action}", "POST"): outcome
        for action in ADMIN_ACTIONS
        for target, outcome in ADMINISTERED.items()
    },
    ("/admin/organizations", "GET"): OPERATOR_ONLY,
    ("/admin/organizations", "POST"): OPERATOR_ONLY,
    ("/sign-in", "GET"): PUBLIC,
    ("/sign-in", "POST"): PUBLIC,
    ("/sign-out", "POST"): SIGNED_IN,  # last: it ends the session
}

# Bodies that pass the schema, so that the record's visibility is what decides (a schema error
# answers 422 before any record is looked up, the same for every id: it reveals nothing).
# Keyed by the path with its placeholders left empty.
OFFER = {
    "service_category": "seo",
    "unit": "hour",
    "price": 1,
    "currency": "USD",
    "capacity_per_period": 1,
    "quality": 0.9,
}
BID = {
    "price": 9,
    "currency": "USD",
    "unit": "hour",
    "capacity": 100,
    "valid_until": "2999-12-31",
}
JSON_BODIES = {
    ("/api/v1/organizations/{}/settings", "PATCH"): {"vendors_see_plan_share": False},
    ("/api/v1/vendors/{}", "PATCH"): {"description": "x", "version": 1},
    ("/api/v1/vendors/{}/offers", "POST"): OFFER,
    ("/api/v1/offers/{}", "PATCH"): {"price": 2, "version": 1},
    ("/api/v1/disclosures/{}", "PATCH"): {"edit_version": 1},
    ("/api/v1/disclosures/{}/review", "POST"): {"decision": "verified"},
    ("/api/v1/disclosures/{}/sections/wages/review", "POST"): {"decision": "verified"},
    ("/api/v1/scoring-profiles", "POST"): {"name": "x", "settings": {}},
    ("/api/v1/scoring-profiles/{}", "PATCH"): {"settings": {}},
    ("/api/v1/vendors/{}/what-if", "POST"): {"changes": {}},
    ("/api/v1/needs/{}", "PATCH"): {"volume": 10, "version": 1},
    ("/api/v1/scenarios", "POST"): {"name": "x", "need_ids": []},
    ("/api/v1/scenarios/{}", "PATCH"): {"name": "y", "version": 1},
    ("/api/v1/scenarios/{}/decision", "POST"): {"decision": "approved"},
    ("/api/v1/scenarios/{}/frontier", "POST"): {"measure": "hours"},
    ("/api/v1/scenarios/{}/deliveries", "POST"): {
        "vendor_id": 1,
        "month": "2026-01",
        "delivered_volume": 1,
        "invoiced_amount": 1,
    },
    ("/api/v1/scenarios/{}/deliveries/{}", "PUT"): {
        "delivered_volume": 1,
        "invoiced_amount": 1,
        "version": 999,
    },
    ("/api/v1/users/{}/password", "POST"): {"password": "a long unusual passphrase 71"},
    ("/api/v1/users", "POST"): lambda ids: {
        "organization_id": ids["organization_x"],
        "email": "matrix.new@example.test",
        "name": "Matrix New",
        "role": "buyer",
        "password": "a long unusual passphrase 72",
    },
    ("/api/v1/invitations", "POST"): {"email": "matrix.vendor@example.test"},
    ("/api/v1/campaigns", "POST"): lambda ids: {
        "year": 2025,
        "deadline": "2999-12-31",
        "vendor_ids": [ids["vendor"]],
    },
    ("/api/v1/campaigns/{}", "PATCH"): {"title": "Matrix", "version": 1},
    ("/api/v1/campaigns/{}/vendors", "POST"): {"emails": ["matrix.more@example.test"]},
    ("/api/v1/notifications/settings", "PUT"): {"email_kinds": ["campaign_request"]},
    # stale versions: the state changes answer 409 and change nothing
    ("/api/v1/events", "POST"): lambda ids: {
        "title": "Matrix event",
        "need_ids": [ids["need"]],
        "vendor_ids": [ids["vendor"]],
        "deadline": "2999-12-31T00:00:00Z",
    },
    ("/api/v1/events/{}/publish", "POST"): {"version": 999},
    ("/api/v1/events/{}/extend", "POST"): {"version": 999, "deadline": "2999-12-31T00:00:00Z"},
    ("/api/v1/events/{}/close", "POST"): {"version": 999},
    ("/api/v1/events/{}/cancel", "POST"): {"version": 999},
    ("/api/v1/events/{}/invitations", "POST"): {
        "email": "matrix.event@example.test",
        "company_name": "Matrix Co",
    },
    ("/api/v1/events/{}/bids", "POST"): lambda ids: {**BID, "lot_id": ids["lot"]},
    ("/api/v1/bids/{}", "PUT"): {**BID, "version": 999},
    ("/api/v1/bids/{}/withdraw", "POST"): {"version": 999},
    ("/api/v1/corrective-plans", "POST"): lambda ids: {
        "vendor_id": ids["vendor"],
        "metric": "impact_worker_share",
        "target": 0.99,
        "due_on": "2999-12-31",
    },
    ("/api/v1/corrective-plans/{}/answers", "POST"): {
        "actions": [{"text": "Matrix action", "on": "2999-01-01"}]
    },
    ("/api/v1/corrective-plans/{}/close", "POST"): {"version": 999, "outcome": "met"},
    # a reason the schema takes and the service refuses (blank once stripped): the attestation
    # is looked up (another provider's hidden: 404), and its own answers 422, still standing
    ("/api/v1/attestations/{}/withdraw", "POST"): {"reason": "   "},
    # a body the schema takes, so that the coalition is looked up (and hidden: 404)
    ("/api/v1/coalitions/{}/membership/sharing", "PUT"): {"shares_contribution": True},
    ("/api/v1/coalitions/{}/membership/profile", "PUT"): {"uses_profile": True},
    ("/api/v1/exchange-rates", "POST"): {
        "currency": "CAD",
        "effective_date": "2026-01-01",
        "usd_per_unit": 0.73,
        "source": "Matrix",
    },
    ("/api/v1/exchange-rates/{}", "PATCH"): {"usd_per_unit": 0.0078, "version": 1},
    ("/api/v1/service-categories", "POST"): {
        "key": "matrix_work",
        "label": "Matrix work",
        "unit": "task",
    },
    ("/api/v1/service-categories/{}", "PATCH"): {"label": "Matrix SEO", "version": 1},
    ("/api/v1/assurance-grants", "POST"): lambda ids: {
        "disclosure_id": ids["submitted"],
        "provider_id": ids["organization_assurance"],
    },
    ("/api/v1/organizations", "POST"): {
        "name": "Matrix Org",
        "kind": "vendor",
        "admin_email": "matrix.admin@example.test",
        "admin_name": "Matrix Admin",
        "admin_password": "a long unusual passphrase 73",
    },
}
MULTIPART = {
    ("/api/v1/disclosures/{}/evidence", "POST"),
    ("/api/v1/disclosures/import", "POST"),
    ("/api/v1/scenarios/{}/deliveries/import", "POST"),  # a PDF: 422 once the scenario is found
    ("/api/v1/events/{}/bid-sheet", "POST"),  # a PDF: 422 once the event is found
}
# multipart bodies other than an evidence upload's, keyed as JSON_BODIES
MULTIPART_BODIES = {
    ("/api/v1/attestations", "POST"): lambda ids: {
        "disclosure_id": str(ids["submitted"]),
        "section": "wages",  # attested in the world already: the assurer gets 409
        "standard": "ISAE 3000",
        "level": "limited",
        "opinion": "unqualified",
        "issued_on": date.today().isoformat(),
        "expires_on": date(2999, 1, 1).isoformat(),
        "file": (io.BytesIO(PDF), "statement.pdf"),
    },
}


def _shape(path, method):
    return re.sub(r"\{\w+\}", "{}", path.split("?")[0]), method


def test_every_route_is_in_the_matrix(app):
    adapter = app.url_map.bind("localhost")
    any_id = defaultdict(lambda: "1")
    covered = {
        (
            adapter.match(path.split("?")[0].format_map(any_id), method, return_rule=True)[0].rule,
            method,
        )
        for path, method in MATRIX
    }
    routes = {(path, method) for path, method, _, _ in route_rules(app)}
    assert routes - covered == set()


def _buyer_organization(buyer, suffix):
    """A custom metric, a profile using it, a need, a solved and a submitted scenario, and a
    finished job with a file, all of the buyer's organization; their ids, names ending in suffix."""
    from procure.jobs.models import Job
    from procure.jobs.runner import start_committed
    from procure.needs.services import create_need
    from procure.scenarios.services import create_scenario, solve_scenario, submit_scenario
    from procure.scoring.services import add_custom_metric, create_profile, default_profile

    organization_id = buyer.organization_id
    metric = add_custom_metric(organization_id, metric_body("matrix_metric"), buyer)
    settings = default_profile().to_dict()
    settings["goalposts"] = {"matrix_metric": [0, 0.5]}  # in use: a DELETE answers 409 and keeps it
    profile = create_profile(organization_id, "Matrix", settings, buyer)
    need = create_need(
        organization_id,
        {
            "title": "Matrix need",
            "service_category": "data_annotation",
            "volume": 100,
            "unit": "hour",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 12, 31),
        },
        buyer,
    )
    scenarios = [
        create_scenario(organization_id, {"name": name, "need_ids": [need.id]}, buyer)
        for name in ("Matrix plan", "Matrix plan for review")
    ]
    for scenario in scenarios:
        solve_scenario(scenario, buyer)
    db.session.commit()
    start_committed()
    assert [s.status for s in scenarios] == ["solved", "solved"]
    submit_scenario(scenarios[1], buyer)
    job = Job(
        kind="report.board_pdf",
        organization_id=organization_id,
        created_by_id=buyer.id,
        subject_type="Scenario",
        subject_id=scenarios[0].id,
        status="succeeded",
        progress=100,
        output=PDF,
        output_name="report.pdf",
        output_type="application/pdf",
    )  # a finished job with a file
    db.session.add(job)
    db.session.commit()
    ids = {
        "metric": metric.id,
        "profile": profile.id,
        "need": need.id,
        "scenario": scenarios[0].id,
        "submitted_scenario": scenarios[1].id,
        "job": job.id,
        "organization": organization_id,
        "user": buyer.id,
    }
    return {name + suffix: value for name, value in ids.items()}


@pytest.fixture
def world(app, client, make_org, make_vendor, make_user, bearer):
    vendor_a, user_a = make_vendor("Vendor A")
    vendor_b, user_b = make_vendor("Vendor B")
    headers_a = bearer(user_a)
    submitted = client.post(
        "/api/v1/disclosures",
        headers=headers_a,
        json={"vendor_id": vendor_a.id, **valid_document("2024-01-01", "2024-12-31")},
    ).json
    evidence = client.post(
        f"/api/v1/disclosures/{submitted['id']}/evidence",
        headers=headers_a,
        data={
            "section": "wages",
            "level": "self_reported_documented",
            "file": (io.BytesIO(PDF), "payroll.pdf"),
        },
        content_type="multipart/form-data",
    ).json
    client.post(f"/api/v1/disclosures/{submitted['id']}/submit", headers=headers_a)
    draft = client.post(
        "/api/v1/disclosures",
        headers=headers_a,
        json={"vendor_id": vendor_a.id, **valid_document()},
    ).json
    x, y = make_org("buyer", "Buyer X"), make_org("buyer", "Buyer Y")
    users = {
        "vendor_a": user_a,
        "vendor_b": user_b,
        "buyer_x": make_user("buyer", organization=x),
        "buyer_y": make_user("buyer", organization=y),
        "executive_x": make_user("executive", organization=x),
        "executive_y": make_user("executive", organization=y),
        "admin": make_user("admin", organization=x),
        "admin_y": make_user("admin", organization=y),
        "admin_vendor_b": make_user("admin", organization=user_b.organization),
        "operator": make_user("operator"),
        "assurer": make_user("assurer", organization=make_org("assurance", "Assurer A")),
    }
    ids = {
        "vendor": vendor_a.id,
        "offer": vendor_a.offers[0].id,
        "draft": draft["id"],
        "submitted": submitted["id"],
        "evidence": evidence["id"],
        "fmt": "csv",
        "organization": user_a.organization_id,
        "user": user_a.id,
        "vendor_b": vendor_b.id,
        "offer_b": vendor_b.offers[0].id,
        "organization_b": user_b.organization_id,
        "user_b": user_b.id,
        **_buyer_organization(users["buyer_x"], "_x"),
        **_buyer_organization(users["buyer_y"], "_y"),
    }
    for name in ("metric", "profile", "need", "scenario", "submitted_scenario", "job"):
        ids[name] = ids.pop(name + "_x")  # organization X's records carry the plain names
    from procure.accounts.models import ApiToken

    bearer(user_a)  # a second token, for the page that revokes one
    ids["token"], ids["page_token"] = db.session.scalars(
        select(ApiToken.id).where(ApiToken.user_id == user_a.id).order_by(ApiToken.id)
    ).all()[:2]
    (notification,) = notify([users["buyer_x"]], NotificationKind.SCENARIO_DECIDED, "Buyer X's")
    db.session.commit()
    ids["notification"] = notification.id
    from procure.invitations.services import create_invitation

    ids["invitation"] = create_invitation(users["buyer_x"], "x@vendor.example.test", None)[0].id
    ids["invitation_y"] = create_invitation(users["buyer_y"], "y@vendor.example.test", None)[0].id
    _, ids["invitation_link"] = create_invitation(users["buyer_x"], "link@x.example.test", None)
    from procure.campaigns.progress import today_utc
    from procure.campaigns.services import create_campaign

    for campaign, buyer, asked in (
        ("campaign", "buyer_x", vendor_a),
        ("campaign_y", "buyer_y", vendor_b),
    ):
        ids[campaign] = create_campaign(
            users[buyer],
            {"year": 2025, "deadline": date(2999, 12, 31), "vendor_ids": [asked.id]},
            today_utc(),
        ).campaign.id
    db.session.commit()
    from procure.rates.models import ExchangeRate

    ids["rate"], ids["rate_delete"], ids["rate_remove"] = db.session.scalars(
        select(ExchangeRate.id)
        .where(ExchangeRate.currency == "KES")
        .order_by(ExchangeRate.effective_date)
    ).all()[:3]
    from procure.vendors.categories import ServiceCategory

    ids["category"] = db.session.scalars(
        select(ServiceCategory.id).where(ServiceCategory.key == "seo")
    ).one()
    ids.update(_assurance(client, make_org, make_user, bearer, users, vendor_b, submitted))
    ids.update(_sourcing_events(users, ids, vendor_a, vendor_b))
    ids.update(_coalition(make_org, make_user))
    ids.update(_deliveries(users, ids))
    ids.update(_corrective_plans(users, vendor_a, vendor_b))
    return users, ids


def _corrective_plans(users, vendor_a, vendor_b) -> dict:
    """An open corrective action plan of X on vendor A, and one of Y on vendor B."""
    from procure.corrective.services import open_plan, today

    found = {}
    for suffix, buyer, vendor in (("", "buyer_x", vendor_a), ("_y", "buyer_y", vendor_b)):
        plan = open_plan(
            users[buyer],
            vendor,
            {"metric": "impact_worker_share", "target": 0.99, "due_on": date(2999, 1, 1)},
            today(),
        )
        db.session.commit()
        found["plan" + suffix] = plan.id
    return found


def _deliveries(users, ids) -> dict:
    """An approved plan of X and one of Y over their matrix need, each with a delivery recorded
    for January 2026; X's with one more for February (the API's DELETE takes it)."""
    from procure.deliveries.services import record_delivery
    from procure.jobs.runner import start_committed
    from procure.scenarios.services import (
        create_scenario,
        decide_scenario,
        solve_scenario,
        submit_scenario,
    )

    found = {}
    for suffix, buyer, executive in (
        ("", "buyer_x", "executive_x"),
        ("_y", "buyer_y", "executive_y"),
    ):
        scenario = create_scenario(
            users[buyer].organization_id,
            {"name": "Matrix approved plan", "need_ids": [ids["need" + suffix]]},
            users[buyer],
        )
        solve_scenario(scenario, users[buyer])
        db.session.commit()
        start_committed()
        submit_scenario(scenario, users[buyer])
        decide_scenario(scenario, "approved", "", users[executive])
        vendor_id = int(scenario.result["allocations"][0]["vendor"][1:])
        rows = [
            record_delivery(
                scenario,
                users[buyer],
                {
                    "vendor_id": vendor_id,
                    "need_id": None,
                    "month": date(2026, month, 1),
                    "delivered_volume": 10,
                    "invoiced_amount": 80,
                },
            )[0]
            for month in ((1, 2) if not suffix else (1,))
        ]
        db.session.commit()
        found["approved_scenario" + suffix] = scenario.id
        found["delivery" + suffix] = rows[0].id
        if not suffix:
            found["delivery_delete"] = rows[1].id
    return found


def _sourcing_events(users, ids, vendor_a, vendor_b) -> dict:
    """A published sealed event of X inviting vendor A, and one of Y inviting vendor B, each with
    its vendor's bid on its first lot, before their deadline (the year 2999)."""
    from datetime import UTC, datetime

    from procure.events.services import create_event, place_bid, publish_event

    found = {}
    now = datetime.now(UTC)
    for name, buyer, need, vendor, bidder in (
        ("", "buyer_x", ids["need"], vendor_a, "vendor_a"),
        ("_y", "buyer_y", ids["need_y"], vendor_b, "vendor_b"),
    ):
        event = create_event(
            users[buyer],
            {
                "title": "Matrix event",
                "need_ids": [need],
                "vendor_ids": [vendor.id],
                "deadline": datetime(2999, 1, 1, tzinfo=UTC),
            },
            now,
        )
        publish_event(event, users[buyer], event.version, now)
        lot = event.lots[0]
        figures = {**BID, "valid_until": date(2999, 12, 31), "lot_id": lot.id}
        bid = place_bid(event, users[bidder], figures, now)
        db.session.commit()
        found["event" + name] = event.id
        found["bid" + ("_b" if name else "")] = bid.id
        if not name:
            found["lot"] = lot.id
    return found


def _coalition(make_org, make_user) -> dict:
    """A coalition of a backbone none of the actors belongs to, with one target; no actor's
    organization is invited."""
    from procure.coalitions.measurement import add_metric
    from procure.coalitions.services import add_target, create_coalition

    coordinator = make_user("coordinator", organization=make_org("backbone", "Matrix Backbone"))
    coalition = create_coalition(
        coordinator,
        {
            "name": "Matrix coalition",
            "charter": "Together.",
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 12, 31),
            "impact_vendor_min_score": 50.0,
        },
    )
    target = add_target(
        coalition,
        coordinator,
        {
            "measure": "impact_worker_jobs",
            "value": 10,
            "label": "Matrix target",
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 12, 31),
        },
    )
    metric = add_metric(coalition, coordinator, metric_body("matrix_coalition_metric"))
    db.session.commit()
    return {
        "coalition": coalition.id,
        "coalition_target": target.id,
        "coalition_metric": metric.id,
    }


def _assurance(client, make_org, make_user, bearer, users, vendor_b, submitted) -> dict:
    """Vendor A's submitted version shared with the assurer's organization, which attested its
    wages; vendor B's own submitted version (with a file) shared with another provider, which
    attested it too. The assurer is granted nothing of vendor B."""
    from procure.assurance.models import AssuranceGrant
    from procure.assurance.services import grant_access, issue_attestation
    from procure.disclosures.models import Disclosure

    headers_b = bearer(users["vendor_b"])
    version_b = client.post(
        "/api/v1/disclosures",
        headers=headers_b,
        json={"vendor_id": vendor_b.id, **valid_document("2024-01-01", "2024-12-31")},
    ).json
    evidence_b = client.post(
        f"/api/v1/disclosures/{version_b['id']}/evidence",
        headers=headers_b,
        data={
            "section": "wages",
            "level": "self_reported_documented",
            "file": (io.BytesIO(PDF), "payroll-b.pdf"),
        },
        content_type="multipart/form-data",
    ).json
    client.post(f"/api/v1/disclosures/{version_b['id']}/submit", headers=headers_b)
    other = make_user("assurer", organization=make_org("assurance", "Assurer B"))
    found = {}
    for name, vendor_user, version, assurer in (
        ("", users["vendor_a"], submitted, users["assurer"]),
        ("_b", users["vendor_b"], version_b, other),
    ):
        disclosure = db.session.get(Disclosure, version["id"])
        grant = grant_access(disclosure, assurer.organization_id, vendor_user)
        attestation = issue_attestation(
            grant,
            {
                "section": "wages",
                "standard": "ISAE 3000",
                "level": "reasonable",
                "opinion": "unqualified",
                "issued_on": date.today(),
                "expires_on": date(2999, 1, 1),
            },
            "statement.pdf",
            PDF,
            assurer,
        )
        db.session.commit()
        found["grant" + name], found["attestation" + name] = grant.id, attestation.id
    assert db.session.get(AssuranceGrant, found["grant_b"]).provider_id == other.organization_id
    return found | {
        "evidence_b": evidence_b["id"],
        "organization_assurance": users["assurer"].organization_id,
    }


def _outcome(response, is_api):
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (
        not is_api and response.status_code == 302 and "/sign-in?next=" in location
    ):  # signing out goes to /sign-in too
        return "anon"
    if (
        response.status_code in (403, 404) or response.status_code >= 500
    ):  # a crash is never "let through"
        return str(response.status_code)
    return "ok"


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(app, world, sign_in, actor):
    users, ids = world
    client = app.test_client()
    if actor != "anonymous":
        sign_in(client, users[actor])
    token = csrf_token_from(client.get("/sign-in" if actor == "anonymous" else "/account").text)
    failures = []
    for (path, method), expected in MATRIX.items():
        url = path.format(**ids)
        is_api = url.startswith("/api/")
        headers = {"X-CSRFToken": token}
        if method == "GET":
            response = client.get(url)
        elif _shape(path, method) in MULTIPART_BODIES:
            response = client.open(
                url,
                method=method,
                headers=headers,
                content_type="multipart/form-data",
                data=MULTIPART_BODIES[_shape(path, method)](ids),
            )
        elif _shape(path, method) in MULTIPART:
            response = client.open(
                url,
                method=method,
                headers=headers,
                content_type="multipart/form-data",
                data={
                    "section": "wages",
                    "level": "self_reported",
                    "file": (io.BytesIO(PDF), "x.pdf"),
                },
            )
        elif is_api:
            body = JSON_BODIES.get(_shape(path, method), {})
            body = body(ids) if callable(body) else body
            response = client.open(url, method=method, json=body, headers=headers)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        got = _outcome(response, is_api)
        if got != expected[actor]:
            failures.append(
                f"{method} {url}: expected {expected[actor]}, got {response.status_code}"
            )
    assert failures == [], "\n".join(failures)
