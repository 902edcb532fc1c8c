"""The demo vendors: enough of them, figures that pass validation, every review state,
idempotent."""

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import func, select

from procure.accounts.models import Organization, User
from procure.audit.models import AuditEvent
from procure.demo import load_demo
from procure.demo_vendors import VENDOR_PASSWORD, VENDORS, build_documents, load_demo_vendors
from procure.disclosures.models import Disclosure, Evidence
from procure.disclosures.services import read_evidence
from procure.disclosures.validation import validate_disclosure
from procure.extensions import db
from procure.reference import reference, seed_reference
from procure.vendors.categories import service_categories
from procure.vendors.models import Offer, Vendor


def _document(disclosure):
    return {
        "period_start": disclosure.period_start.isoformat(),
        "period_end": disclosure.period_end.isoformat(),
        **disclosure.figures,
    }


def _below_minimum(disclosure):
    return [
        site["site"]
        for site in disclosure.figures.get("wages") or []
        if site["entry_level_wage"] < site["local_minimum_wage"]
    ]


def test_every_document_passes_validation_and_only_the_knockout_and_flaws_warn():
    # Pure: the generated figures, before any service sees them.
    for spec in VENDORS:
        for year, document in build_documents(spec).items():
            report = validate_disclosure(
                document, seed_reference(), today=date(2026, 6, 1), for_submit=True
            )
            assert report.errors == [], (spec.slug, year, report.errors)
            expected = (
                ["wages[1].entry_level_wage"] if spec.knockout and spec.knockout[0] == year else []
            )
            assert [w.field for w in report.warnings] == expected, (
                spec.slug,
                year,
                report.warnings,
            )
    assert build_documents(VENDORS[0]) == build_documents(VENDORS[0])  # deterministic


def test_demo_vendors_have_profiles_offers_and_valid_disclosures(demo):
    vendors = db.session.scalars(select(Vendor)).all()
    assert len(vendors) == len(VENDORS) >= 30
    categories = service_categories()
    for vendor in vendors:
        assert (
            vendor.description
            and 1 <= len(vendor.sites) <= 2
            and all(s["city"] for s in vendor.sites)
        )
        assert 1 <= len(vendor.offers) <= 3
        for offer in vendor.offers:
            assert offer.unit == categories[offer.service_category].unit
            assert (
                0.85 <= offer.quality <= 0.99 and offer.price > 0 and offer.capacity_per_period > 0
            )
            assert offer.service_category in vendor.service_categories
            # the vendor's own hours per unit: 1 for hours; 0.02-0.05 h per digitised item,
            # 0.5-4 h per recruitment or lead-generation task
            if offer.unit == "hour":
                assert offer.hours_per_unit == 1
            elif offer.unit == "item":
                assert 0.02 <= offer.hours_per_unit <= 0.05, (vendor.name, offer.hours_per_unit)
            else:
                assert 0.5 <= offer.hours_per_unit <= 4, (vendor.name, offer.hours_per_unit)
        # capacity in labour hours a month: about 88 sellable hours per person
        assert vendor.capacity_hours_per_month > 0
    grown = db.session.scalars(select(Vendor).where(Vendor.capacity_changes.any())).all()
    assert [vendor.name for vendor in grown] == ["Horizon Refugee Digital Workforce"]
    assert [
        (f"{change.from_month:%Y-%m}", change.hours_per_month)
        for change in grown[0].capacity_changes
    ] == [("2026-07", 53000), ("2027-01", 88000), ("2027-07", 120000)]  # 600, 1,000, 1,400 people

    periods = defaultdict(set)
    for disclosure in db.session.scalars(select(Disclosure)):
        periods[disclosure.vendor_id].add(disclosure.period_start)
        if disclosure.state != "draft":
            report = validate_disclosure(
                _document(disclosure), reference(), today=date.today(), for_submit=True
            )
            assert report.errors == [], (
                disclosure.vendor.name,
                disclosure.period_start,
                report.errors,
            )
            # The stored warnings are those the validator gives now, plus claimed documented
            # evidence levels without a file (a check of the submission, not of the figures).
            from procure.disclosures.services import unbacked_evidence_warnings

            assert len(disclosure.warnings) == len(report.warnings) + len(
                unbacked_evidence_warnings(disclosure)
            )
    assert len(periods) == len(vendors) and all(len(starts) >= 2 for starts in periods.values())

    # Exactly one conventional BPO pays an entry wage below the local minimum, in one period.
    knocked_out = [
        (d.vendor.name, d.period_start.year, _below_minimum(d))
        for d in db.session.scalars(select(Disclosure).where(Disclosure.state != "draft"))
        if _below_minimum(d)
    ]
    assert knocked_out == [("Metro Manila Contact Solutions", 2025, ["Quezon City Eastwood"])]

    # Kazi Data Works is the organization and user the demo already had, now with a profile.
    kazi = db.session.scalar(select(Organization).where(Organization.name == "Kazi Data Works"))
    kazi_user = db.session.scalar(select(User).where(User.email == "vendor@kazidata.example"))
    assert kazi_user.organization_id == kazi.id
    assert db.session.scalar(select(Vendor).where(Vendor.organization_id == kazi.id)).offers
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.name == "Kazi Data Works")
        )
        == 1
    )
    lakeside = db.session.scalar(
        select(User).where(User.email == "ops@lakeside-annotation.example")
    )
    assert (
        lakeside.role == "vendor" and lakeside.organization.name == "Lakeside Annotation Collective"
    )


def test_demo_disclosures_cover_every_review_state(demo):
    buyer = demo
    disclosures = db.session.scalars(select(Disclosure).order_by(Disclosure.id)).all()
    versions = defaultdict(list)
    for disclosure in disclosures:
        versions[(disclosure.vendor_id, disclosure.period_start)].append(disclosure)
    as_buyer = buyer.organization_id  # the demo buyer organization's reviews
    latest = Counter(found[-1].state_for(as_buyer) for found in versions.values())
    assert (
        latest["draft"] >= 2 and latest["submitted"] >= 3 and latest["verified"] > len(VENDORS) // 2
    )

    histories = {
        key: [(d.number, d.state_for(as_buyer)) for d in found] for key, found in versions.items()
    }
    rejected = [
        key for key, history in histories.items() if history == [(1, "rejected"), (2, "submitted")]
    ]
    assert len(rejected) == 2
    for key in rejected:
        review = versions[key][0].review_by(as_buyer)
        assert review.comment and review.reviewed_by_id == buyer.id
    restated = [
        key
        for key, history in histories.items()
        if history[0] == (1, "verified") and len(history) == 2
    ]
    assert len(restated) == 2  # one restatement verified again, one waiting for review

    # Evidence files were attached before submitting: small, well-formed PDFs.
    evidence = db.session.scalars(select(Evidence)).all()
    assert len({e.disclosure_id for e in evidence}) >= 4
    for item in evidence:
        assert read_evidence(item).startswith(b"%PDF-1.4")
        assert read_evidence(item).rstrip().endswith(b"%%EOF")

    # The audit log names who did what: vendors create and submit, the buyer reviews.
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("disclosure.%"))
    ).all()
    reviews = [e for e in events if e.action in {"disclosure.verify", "disclosure.reject"}]
    reviewers = {e.actor_id for e in reviews}
    # the demo buyer, and a coalition member's buyer that verifies one vendor (demo_coalition)
    assert buyer.id in reviewers
    assert {db.session.get(User, reviewer).role for reviewer in reviewers} == {"buyer"}
    vendor_users = set(db.session.scalars(select(User.id).where(User.role == "vendor")))
    vendor_actions = {"disclosure.create", "disclosure.submit", "disclosure.amend"}
    assert {e.actor_id for e in events if e.action in vendor_actions} <= vendor_users


def test_loading_twice_creates_nothing_new(demo, client):
    tables = (Organization, User, Vendor, Offer, Disclosure, Evidence, AuditEvent)
    counts = [db.session.scalar(select(func.count()).select_from(table)) for table in tables]
    assert load_demo_vendors(demo) == 0
    load_demo()
    assert [
        db.session.scalar(select(func.count()).select_from(table)) for table in tables
    ] == counts

    db.session.commit()
    response = client.post(
        "/api/v1/auth/tokens",
        json={"email": "ops@horizon-refugee.example", "password": VENDOR_PASSWORD},
    )
    assert response.status_code == 201
