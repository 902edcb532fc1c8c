"""Demo vendors for `procure demo`: profiles, rate cards and impact disclosures.

Thirty-three vendor organizations modelled on the archetypes in the design's seeds:
digital-work providers in Nairobi and Kampala, youth digitisation shops in Phnom Penh and
Nairobi, a refugee digital workforce in the Kakuma and Dadaab camps, women-led rural BPOs in
Rajasthan, conventional BPOs in Manila and Bengaluru, and a few vendors in Uganda, Rwanda,
Ghana and South Africa. Every record is made through the services, so validation runs and
audit events are written.

The figures are deterministic: each vendor draws from its own `random.Random` seeded with
`SEED` and the vendor's slug, so adding a vendor does not change the others. The only use of
the clock is to leave out reporting periods that have not ended yet.

Wage benchmarks name the public sources they are modelled on (national minimum-wage orders,
Anker Living Wage Reference Values); the amounts are approximations for demonstration, not
quotations, and where a country has no statutory minimum wage the source text says which
proxy is used. `capacity_per_period` on offers is a month of work.

Actors: the services write audit events through `record_event`, which takes the signed-in
user from the request. A CLI command has no request, so each step runs inside
`app.test_request_context()` with the acting user signed in (`_acting_as`); otherwise the
events would have no actor. The request context reuses the command's app context, so the
database session, and its single transaction, are the same.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, g
from flask_login import login_user
from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.services import create_organization, create_user
from procure.disclosures.services import (
    add_evidence,
    amend,
    create_draft,
    review,
    submit,
    update_draft,
)
from procure.extensions import db
from procure.reference import reference
from procure.vendors.categories import service_categories
from procure.vendors.models import Vendor
from procure.vendors.services import create_offer, create_vendor

SEED = 20250331
VENDOR_PASSWORD = "demo-vendor-pass"
PERIODS = {year: (date(year, 1, 1), date(year, 12, 31)) for year in (2023, 2024, 2025)}

# Plans for one reporting period: how far its versions get.
DRAFT = "draft"  # a complete draft, ready to submit
INCOMPLETE_DRAFT = "incomplete_draft"  # a draft still missing fields that submitting requires
SUBMITTED = "submitted"  # waiting in the buyer's review queue
VERIFIED = "verified"
REJECTED_RESUBMITTED = "rejected_resubmitted"  # v1 rejected with a comment, v2 submitted
RESTATED = "restated"  # v1 verified, then amended: v2 verified
RESTATED_PENDING = "restated_pending"  # v1 verified, then amended: v2 submitted
AMENDED_PLANS = (REJECTED_RESUBMITTED, RESTATED, RESTATED_PENDING)


# --- wage benchmarks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmarks:
    minimum: float
    minimum_source: str
    minimum_date: str
    living: float
    living_source: str
    living_date: str


@dataclass(frozen=True)
class WageZone:
    """Where a site's wage benchmarks come from: one country, or one region of it."""

    country: str
    currency: str
    pay_period: str  # the period the minimum, the benchmark and the site's wages are paid per
    weekly_hours: float
    by_year: Mapping[int, Benchmarks]


def _kenya(
    area: str,
    minimum_2022: float,
    minimum_2024: float,
    living: tuple[float, float, float],
    living_area: str,
) -> dict[int, Benchmarks]:
    order_2022 = (
        f"Kenya Regulation of Wages (General) (Amendment) Order 2022, general labourer, {area}"
    )
    order_2024 = (
        f"Kenya Regulation of Wages (General) (Amendment) Order 2024, general labourer, {area}"
    )
    return {
        2023: Benchmarks(
            minimum_2022,
            order_2022,
            "2022-05-01",
            living[0],
            f"Anker Living Wage Reference Value, {living_area} 2023",
            "2023-07-01",
        ),
        2024: Benchmarks(
            minimum_2024,
            order_2024,
            "2024-11-01",
            living[1],
            f"Anker Living Wage Reference Value, {living_area} 2024",
            "2024-07-01",
        ),
        2025: Benchmarks(
            minimum_2024,
            order_2024,
            "2024-11-01",
            living[2],
            f"Anker Living Wage Reference Value, {living_area} 2025",
            "2025-07-01",
        ),
    }


def _yearly(
    minimums: Mapping[int, tuple[float, str, str]], livings: Mapping[int, float], living_source: str
) -> dict[int, Benchmarks]:
    """Benchmarks per year; `living_source` is formatted with the year."""
    return {
        year: Benchmarks(
            minimum, source, when, livings[year], living_source.format(year=year), f"{year}-07-01"
        )
        for year, (minimum, source, when) in minimums.items()
    }


_UGANDA_PROXY = (
    "Uganda: no statutory minimum wage in force (the 1984 rate is obsolete); proxy: UGX 130,000 "
    "per month, the rate the Minimum Wages Advisory Board recommended in 2019 (never gazetted)"
)
_RWANDA_PROXY = (
    "Rwanda: no general statutory minimum wage applied in this period (the 1974 rate of RWF 100 "
    "per day is obsolete); proxy: demo estimate of the lowest formal entry wage in Kigali services"
)
_CAMBODIA_PROXY = (
    "Cambodia: the statutory minimum wage covers only garment, textile, footwear and travel goods "
    "(Prakas on minimum wage {year}, USD {usd} per month); used as a proxy for services at KHR "
    "4,100 per USD"
)
_GHANA = "Ghana National Daily Minimum Wage {year} (GHS {day} per day, National Tripartite Committee) x 5 days"
_MANILA = (
    "Philippines NCR Regional Tripartite Wages and Productivity Board Wage Order No. {order} "
    "(PHP {day} per day x 261/12)"
)

WAGE_ZONES: dict[str, WageZone] = {
    "KE_urban": WageZone(
        "KE",
        "KES",
        "month",
        45.0,
        _kenya(
            "Nairobi, Mombasa and Kisumu",
            15201.65,
            16113.75,
            (33800.0, 35600.0, 37100.0),
            "urban Kenya",
        ),
    ),
    "KE_rural": WageZone(
        "KE",
        "KES",
        "month",
        45.0,
        _kenya("all other areas", 8109.90, 8596.49, (22000.0, 23200.0, 24200.0), "rural Kenya"),
    ),
    "UG_urban": WageZone(
        "UG",
        "UGX",
        "month",
        45.0,
        _yearly(
            {year: (130000.0, _UGANDA_PROXY, "2019-06-01") for year in (2023, 2024, 2025)},
            {2023: 720000.0, 2024: 760000.0, 2025: 795000.0},
            "Anker Living Wage Reference Value, urban Uganda {year}",
        ),
    ),
    "UG_rural": WageZone(
        "UG",
        "UGX",
        "month",
        45.0,
        _yearly(
            {year: (130000.0, _UGANDA_PROXY, "2019-06-01") for year in (2023, 2024, 2025)},
            {2023: 480000.0, 2024: 505000.0, 2025: 530000.0},
            "Anker Living Wage Reference Value, rural Uganda {year}",
        ),
    ),
    "RW_urban": WageZone(
        "RW",
        "RWF",
        "month",
        45.0,
        _yearly(
            {
                2023: (60000.0, _RWANDA_PROXY, "2023-01-01"),
                2024: (64000.0, _RWANDA_PROXY, "2024-01-01"),
                2025: (68000.0, _RWANDA_PROXY, "2025-01-01"),
            },
            {2023: 190000.0, 2024: 200000.0, 2025: 212000.0},
            "Anker Living Wage Reference Value, urban Rwanda {year}",
        ),
    ),
    "GH_urban": WageZone(
        "GH",
        "GHS",
        "week",
        40.0,
        _yearly(
            {
                2023: (74.40, _GHANA.format(year=2023, day="14.88"), "2023-01-01"),
                2024: (90.75, _GHANA.format(year=2024, day="18.15"), "2024-01-01"),
                2025: (99.85, _GHANA.format(year=2025, day="19.97"), "2025-03-01"),
            },
            {2023: 520.0, 2024: 610.0, 2025: 680.0},
            "Anker Living Wage Reference Value, urban Ghana {year} (monthly value x 12/52)",
        ),
    ),
    "ZA_urban": WageZone(
        "ZA",
        "ZAR",
        "hour",
        45.0,
        _yearly(
            {
                year: (
                    rate,
                    f"South Africa National Minimum Wage {year} (Government Gazette, Department of "
                    f"Employment and Labour)",
                    f"{year}-03-01",
                )
                for year, rate in ((2023, 25.42), (2024, 27.58), (2025, 28.79))
            },
            {2023: 46.50, 2024: 49.00, 2025: 51.00},
            "Anker Living Wage Reference Value, urban South Africa {year} (monthly value per hour)",
        ),
    ),
    "KH_urban": WageZone(
        "KH",
        "KHR",
        "month",
        48.0,
        _yearly(
            {
                year: (usd * 4100.0, _CAMBODIA_PROXY.format(year=year, usd=usd), f"{year}-01-01")
                for year, usd in ((2023, 200), (2024, 204), (2025, 208))
            },
            {2023: 1230000.0, 2024: 1265000.0, 2025: 1300000.0},
            "Anker Living Wage Reference Value, urban Cambodia {year}",
        ),
    ),
    "IN_rural_rajasthan": WageZone(
        "IN",
        "INR",
        "month",
        48.0,
        _yearly(
            {
                2023: (
                    7046.0,
                    "Rajasthan Labour Department minimum wages notification 2023, semi-skilled "
                    "(daily rate x 26)",
                    "2023-01-01",
                ),
                2024: (
                    7410.0,
                    "Rajasthan Labour Department minimum wages notification 2024, semi-skilled "
                    "(daily rate x 26)",
                    "2024-01-01",
                ),
                2025: (
                    7410.0,
                    "Rajasthan Labour Department minimum wages notification 2024, semi-skilled "
                    "(daily rate x 26)",
                    "2024-01-01",
                ),
            },
            {2023: 11800.0, 2024: 12400.0, 2025: 13000.0},
            "Anker Living Wage Reference Value, rural India {year}",
        ),
    ),
    "IN_bengaluru": WageZone(
        "IN",
        "INR",
        "month",
        48.0,
        _yearly(
            {
                year: (
                    minimum,
                    f"Karnataka Minimum Wages Notification {year}, shops and commercial "
                    f"establishments, Zone I (Bengaluru)",
                    f"{year}-04-01",
                )
                for year, minimum in ((2023, 14200.0), (2024, 14900.0), (2025, 15600.0))
            },
            {2023: 24500.0, 2024: 25800.0, 2025: 27000.0},
            "Anker Living Wage Reference Value, urban India {year}",
        ),
    ),
    "PH_ncr": WageZone(
        "PH",
        "PHP",
        "month",
        40.0,
        _yearly(
            {
                2023: (13267.50, _MANILA.format(order="NCR-24", day=610), "2023-07-16"),
                2024: (14028.75, _MANILA.format(order="NCR-25", day=645), "2024-07-17"),
                2025: (15116.25, _MANILA.format(order="NCR-26", day=695), "2025-07-19"),
            },
            {2023: 24000.0, 2024: 25000.0, 2025: 26000.0},
            "Anker Living Wage Reference Value, urban Philippines {year}",
        ),
    ),
}


# --- vendor specifications -----------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    name: str
    city: str
    zone: str  # key of WAGE_ZONES


@dataclass(frozen=True)
class OfferSpec:
    category: str
    price: str  # per unit of the category's usual unit
    quality: float
    share: float  # share of the workforce on this service, for the capacity
    currency: str = "USD"


@dataclass(frozen=True)
class WorkforceSpec:
    headcount: int  # at the start of the first period
    impact_share: float  # impact workers at the start of the first period / headcount
    impact_hire_share: float  # impact-worker hires / total hires
    categories: Mapping[str, float] = field(default_factory=dict)  # each impact worker in one
    overlap: Mapping[str, float] = field(default_factory=dict)  # share also counted here
    hire_rate: tuple[float, float] = (0.22, 0.34)
    departure_rate: tuple[float, float] = (0.10, 0.18)
    part_time: float = 0.05
    retention: tuple[float, float] = (0.68, 0.86)
    promotion_rate: tuple[float, float] = (0.04, 0.08)
    other_category_label: str | None = None


@dataclass(frozen=True)
class PaySpec:
    entry_to_living: float  # entry-level wage / living-wage benchmark (never below the minimum)
    median_to_living: float  # impact workers' median wage / living-wage benchmark
    training_hours: tuple[float, float]  # per FTE per year
    training_usd: float  # spend per FTE per year, in US dollars
    training_in_usd: bool = False  # report spend in USD instead of the local currency


@dataclass(frozen=True)
class VendorSpec:
    name: str
    slug: str
    country: str
    contact: str
    description: str
    sites: tuple[Site, ...]
    offers: tuple[OfferSpec, ...]
    workforce: WorkforceSpec
    pay: PaySpec
    evidence_levels: tuple[str, str, str]  # workforce, wages, training
    years: tuple[int, ...] = (2024, 2025)
    plans: Mapping[int, str] = field(default_factory=dict)  # year -> plan; VERIFIED otherwise
    flaw: str | None = None  # what version 1 of an amended period got wrong
    review_comment: str = ""  # the buyer's comment on a rejected version 1
    evidence_files: tuple[tuple[int, str], ...] = ()  # (year, section) with a file attached
    knockout: tuple[int, str] | None = None  # (year, site) paying entry wages below the minimum
    email: str | None = None

    @property
    def user_email(self) -> str:
        return self.email or f"ops@{self.slug}.example"

    def plan(self, year: int) -> str:
        return self.plans.get(year, VERIFIED)


_DOCUMENTED = ("self_reported_documented", "self_reported_documented", "self_reported")
_SELF = ("self_reported", "self_reported", "self_reported")
_AUDITED = ("third_party_limited", "self_reported_documented", "self_reported_documented")
_BUYER = ("buyer_verified", "buyer_verified", "self_reported_documented")

VENDORS: tuple[VendorSpec, ...] = (
    # Digital-work providers in Nairobi and Kampala.
    VendorSpec(
        "Kazi Data Works",
        "kazidata",
        "KE",
        "Wanjiru Kamau",
        "Data annotation and content moderation from Nairobi. We hire young people from Kibera and "
        "Mathare who have been out of work for a year or more, train them for eight weeks on full "
        "pay, and promote team leads from within.",
        (Site("Nairobi Westlands", "Nairobi", "KE_urban"),),
        (
            OfferSpec("data_annotation", "7.80", 0.95, 0.6),
            OfferSpec("content_moderation", "8.60", 0.93, 0.4),
        ),
        WorkforceSpec(
            180,
            0.55,
            0.70,
            {"youth_neet": 0.55, "long_term_unemployed": 0.30, "below_poverty_line": 0.15},
            {"below_poverty_line": 0.35},
        ),
        PaySpec(0.78, 0.98, (60, 80), 260),
        _DOCUMENTED,
        years=(2023, 2024, 2025),
        plans={2025: DRAFT},
        evidence_files=((2024, "workforce"),),
        email="vendor@kazidata.example",
    ),
    VendorSpec(
        "Lakeside Annotation Collective",
        "lakeside-annotation",
        "UG",
        "Grace Nakato",
        "Image and text annotation and transcription from Kampala, staffed by young Ugandans who "
        "left school early and were not in work or training when they joined.",
        (Site("Kampala Ntinda", "Kampala", "UG_urban"),),
        (
            OfferSpec("data_annotation", "6.40", 0.92, 0.7),
            OfferSpec("transcription", "5.90", 0.90, 0.3),
        ),
        WorkforceSpec(
            95,
            0.62,
            0.75,
            {"youth_neet": 0.6, "below_poverty_line": 0.4},
            {"below_poverty_line": 0.3},
        ),
        PaySpec(0.80, 1.02, (50, 70), 180),
        _DOCUMENTED,
    ),
    VendorSpec(
        "Savannah AI Labelling",
        "savannah-ai",
        "KE",
        "Otieno Odhiambo",
        "Computer-vision labelling and trust-and-safety review from Nairobi and Mombasa. About a "
        "third of our staff are hired through community partners from households below the "
        "poverty line or after long unemployment.",
        (
            Site("Nairobi Upper Hill", "Nairobi", "KE_urban"),
            Site("Mombasa Nyali", "Mombasa", "KE_urban"),
        ),
        (
            OfferSpec("data_annotation", "8.20", 0.96, 0.65),
            OfferSpec("content_moderation", "9.10", 0.94, 0.35),
        ),
        WorkforceSpec(
            320,
            0.38,
            0.50,
            {
                "below_poverty_line": 0.5,
                "long_term_unemployed": 0.35,
                "disability": 0.05,
                "youth_neet": 0.10,
            },
        ),
        PaySpec(0.85, 1.08, (40, 60), 320),
        _AUDITED,
        years=(2023, 2024, 2025),
        plans={2024: RESTATED},
        flaw="missing_site",
    ),
    VendorSpec(
        "Mwangaza Trust & Safety",
        "mwangaza-ts",
        "KE",
        "Achieng Njeri",
        "Content moderation and customer support from Nairobi with full psychological support for "
        "moderators. We recruit people who have been unemployed for over a year, young people out "
        "of work and people with disabilities.",
        (Site("Nairobi Kilimani", "Nairobi", "KE_urban"),),
        (
            OfferSpec("content_moderation", "9.40", 0.95, 0.7),
            OfferSpec("customer_support", "8.80", 0.93, 0.3),
        ),
        WorkforceSpec(
            210, 0.22, 0.28, {"long_term_unemployed": 0.5, "youth_neet": 0.3, "disability": 0.2}
        ),
        PaySpec(0.92, 1.12, (70, 100), 410),
        _DOCUMENTED,
        plans={2025: SUBMITTED},
    ),
    VendorSpec(
        "Pearl Data Services",
        "pearl-data",
        "UG",
        "Brian Ssempala",
        "Annotation and document digitisation from Kampala and Gulu. Most of our team are young "
        "people from northern Uganda and women who had never held a paid job before.",
        (Site("Kampala Kololo", "Kampala", "UG_urban"), Site("Gulu Town", "Gulu", "UG_rural")),
        (
            OfferSpec("data_annotation", "5.80", 0.91, 0.6),
            OfferSpec("digitisation_data_entry", "0.07", 0.95, 0.4),
        ),
        WorkforceSpec(
            140,
            0.70,
            0.80,
            {"youth_neet": 0.5, "below_poverty_line": 0.3, "women_low_participation": 0.2},
            {"below_poverty_line": 0.25},
        ),
        PaySpec(0.70, 0.88, (45, 65), 150),
        _DOCUMENTED,
        plans={2025: REJECTED_RESUBMITTED},
        flaw="training_currency",
        review_comment=(
            "Training spend reads UGX {spend} for {fte} FTE, about USD {usd} in all: it looks "
            "like a US-dollar amount entered as shillings. Correct the amount or the currency "
            "and resubmit."
        ),
    ),
    VendorSpec(
        "Nile Bridge Digital",
        "nile-bridge",
        "UG",
        "Patience Akello",
        "Content moderation and annotation from Kampala. We hire school leavers from low-income "
        "neighbourhoods such as Kisenyi and Bwaise and pay for evening courses.",
        (Site("Kampala Nakawa", "Kampala", "UG_urban"),),
        (
            OfferSpec("content_moderation", "7.20", 0.92, 0.5),
            OfferSpec("data_annotation", "6.90", 0.93, 0.5),
        ),
        WorkforceSpec(120, 0.45, 0.55, {"below_poverty_line": 0.6, "youth_neet": 0.4}),
        PaySpec(0.75, 0.92, (35, 55), 140),
        _SELF,
        years=(2023, 2024, 2025),
    ),
    VendorSpec(
        "Tujenge Tech Hub",
        "tujenge",
        "KE",
        "Kevin Ochieng",
        "A small Kisumu studio for annotation and transcription in English, Swahili and Dholuo. "
        "We hire young people from the lakeside villages who were out of work and out of school.",
        (Site("Kisumu Milimani", "Kisumu", "KE_urban"),),
        (
            OfferSpec("data_annotation", "7.10", 0.90, 0.6),
            OfferSpec("transcription", "6.20", 0.91, 0.4),
        ),
        WorkforceSpec(60, 0.72, 0.85, {"youth_neet": 0.6, "long_term_unemployed": 0.4}),
        PaySpec(0.74, 0.90, (80, 110), 220),
        _DOCUMENTED,
    ),
    # Youth digitisation shops in Phnom Penh and Nairobi.
    VendorSpec(
        "Angkor Digital Futures",
        "angkor-digital",
        "KH",
        "Sokha Chan",
        "Digitisation and transcription from Phnom Penh. We hire young people from poor rural "
        "families, pay them a full wage and fund their university studies alongside the job.",
        (Site("Phnom Penh Toul Kork", "Phnom Penh", "KH_urban"),),
        (
            OfferSpec("digitisation_data_entry", "0.06", 0.97, 0.7),
            OfferSpec("transcription", "6.50", 0.93, 0.3),
        ),
        WorkforceSpec(
            260,
            0.68,
            0.80,
            {"youth_neet": 0.7, "below_poverty_line": 0.3},
            {"below_poverty_line": 0.4},
        ),
        PaySpec(0.82, 0.98, (90, 120), 300),
        _AUDITED,
        years=(2023, 2024, 2025),
        evidence_files=((2025, "training"),),
    ),
    VendorSpec(
        "Mekong Youth Data",
        "mekong-youth",
        "KH",
        "Dara Pich",
        "Data entry, digitisation and annotation from Phnom Penh and Siem Reap, with school "
        "leavers from the provinces who were not in work or training.",
        (
            Site("Phnom Penh Chamkar Mon", "Phnom Penh", "KH_urban"),
            Site("Siem Reap Centre", "Siem Reap", "KH_urban"),
        ),
        (
            OfferSpec("digitisation_data_entry", "0.05", 0.95, 0.6),
            OfferSpec("data_annotation", "5.60", 0.92, 0.4),
        ),
        WorkforceSpec(150, 0.60, 0.70, {"youth_neet": 0.8, "below_poverty_line": 0.2}),
        PaySpec(0.72, 0.86, (50, 70), 160),
        _DOCUMENTED,
        plans={2025: RESTATED_PENDING},
        flaw="training_hours",
    ),
    VendorSpec(
        "Vijana Digitise",
        "vijana-digitise",
        "KE",
        "Brian Mutua",
        "Records digitisation and transcription from Nairobi's Eastlands, run by and for young "
        "people who were out of work, most of them from the informal settlements nearby.",
        (Site("Nairobi Eastlands", "Nairobi", "KE_urban"),),
        (
            OfferSpec("digitisation_data_entry", "9.50", 0.94, 0.7, "KES"),
            OfferSpec("transcription", "850", 0.90, 0.3, "KES"),
        ),
        WorkforceSpec(
            85,
            0.80,
            0.90,
            {"youth_neet": 0.8, "long_term_unemployed": 0.2},
            {"below_poverty_line": 0.5},
        ),
        PaySpec(0.66, 0.80, (60, 90), 120),
        _SELF,
    ),
    VendorSpec(
        "Tonle Scribe",
        "tonle-scribe",
        "KH",
        "Srey Mom",
        "Transcription and digitisation from Phnom Penh by young women and men from poor "
        "families, trained in our own three-month course.",
        (Site("Phnom Penh Sen Sok", "Phnom Penh", "KH_urban"),),
        (
            OfferSpec("transcription", "5.40", 0.90, 0.6),
            OfferSpec("digitisation_data_entry", "0.055", 0.93, 0.4),
        ),
        WorkforceSpec(45, 0.75, 0.80, {"youth_neet": 0.6, "below_poverty_line": 0.4}),
        PaySpec(0.70, 0.84, (70, 90), 110),
        _SELF,
        plans={2025: INCOMPLETE_DRAFT},
    ),
    VendorSpec(
        "Mathare Youth Data Centre",
        "mathare-youth",
        "KE",
        "Joseph Kariuki",
        "Document digitisation from a community centre in Mathare, Nairobi. Everyone we hire is "
        "a young person from the settlement who was not in work, school or training.",
        (Site("Nairobi Mathare", "Nairobi", "KE_urban"),),
        (OfferSpec("digitisation_data_entry", "0.065", 0.94, 1.0),),
        WorkforceSpec(
            70,
            0.85,
            0.90,
            {"youth_neet": 0.7, "below_poverty_line": 0.3},
            {"below_poverty_line": 0.5},
        ),
        PaySpec(0.62, 0.76, (70, 100), 90),
        _SELF,
        years=(2023, 2024, 2025),
        plans={2025: SUBMITTED},
    ),
    # Refugee digital workforce in the Kakuma and Dadaab camps (Kenya) and Nakivale (Uganda).
    VendorSpec(
        "Horizon Refugee Digital Workforce",
        "horizon-refugee",
        "KE",
        "Mohamed Hassan Abdi",
        "A digital workforce of refugees in the Kakuma and Dadaab camps, re-skilled as digital "
        "marketers, recruiters and fundraisers for start-ups, charities and enterprises.",
        (
            Site("Kakuma Camp Hub", "Kakuma", "KE_rural"),
            Site("Dadaab Camp Hub", "Dadaab", "KE_rural"),
        ),
        (
            OfferSpec("digital_marketing", "9.50", 0.90, 0.45),
            OfferSpec("recruitment", "22.00", 0.89, 0.25),
            OfferSpec("fundraising", "11.00", 0.87, 0.3),
        ),
        WorkforceSpec(
            240,
            0.88,
            0.92,
            {"refugee_or_displaced": 1.0},
            {"below_poverty_line": 0.6, "youth_neet": 0.3},
            part_time=0.15,
        ),
        PaySpec(0.55, 0.72, (100, 140), 260),
        _AUDITED,
        years=(2023, 2024, 2025),
        plans={2025: REJECTED_RESUBMITTED},
        flaw="categories",
        review_comment=(
            "The impact-worker categories add up to fewer people than the impact-worker total. "
            "Count every impact worker in at least one category (refugees who are also young "
            "people not in work may be counted in both) and attach the payroll summary for "
            "the Dadaab site."
        ),
        evidence_files=((2024, "workforce"), (2025, "wages")),
    ),
    VendorSpec(
        "Kakuma Growth Studio",
        "kakuma-growth",
        "KE",
        "Nyakuma Deng",
        "Digital marketing and SEO delivered from Kakuma refugee camp by refugees from South Sudan, "
        "Somalia and the Democratic Republic of the Congo, half of them women.",
        (Site("Kakuma Studio", "Kakuma", "KE_rural"),),
        (OfferSpec("digital_marketing", "8.80", 0.89, 0.6), OfferSpec("seo", "9.60", 0.90, 0.4)),
        WorkforceSpec(
            55,
            0.92,
            0.95,
            {"refugee_or_displaced": 1.0},
            {"women_low_participation": 0.35},
            part_time=0.2,
        ),
        PaySpec(0.60, 0.78, (90, 120), 200),
        _DOCUMENTED,
    ),
    VendorSpec(
        "Dadaab Connect Talent",
        "dadaab-connect",
        "KE",
        "Abdirahman Ali",
        "Recruitment sourcing, sales lead generation and fundraising research by refugees in "
        "Dadaab, most of whom grew up in the camp.",
        (Site("Dadaab Hagadera", "Dadaab", "KE_rural"),),
        (
            OfferSpec("recruitment", "19.00", 0.87, 0.4),
            OfferSpec("sales_lead_generation", "5.20", 0.86, 0.35),
            OfferSpec("fundraising", "10.00", 0.86, 0.25),
        ),
        WorkforceSpec(
            80, 0.90, 0.93, {"refugee_or_displaced": 1.0}, {"youth_neet": 0.4}, part_time=0.2
        ),
        PaySpec(0.52, 0.68, (80, 110), 150),
        _SELF,
        plans={2025: SUBMITTED},
    ),
    VendorSpec(
        "Nakivale Digital Works",
        "nakivale-digital",
        "UG",
        "Esperance Uwase",
        "Annotation and social-media marketing from Nakivale refugee settlement in south-west "
        "Uganda, by refugees from Burundi, the Democratic Republic of the Congo and South Sudan.",
        (Site("Nakivale Base Camp", "Isingiro", "UG_rural"),),
        (
            OfferSpec("data_annotation", "5.20", 0.88, 0.6),
            OfferSpec("digital_marketing", "7.90", 0.87, 0.4),
        ),
        WorkforceSpec(
            65, 0.90, 0.92, {"refugee_or_displaced": 0.9, "youth_neet": 0.1}, part_time=0.1
        ),
        PaySpec(0.60, 0.75, (70, 100), 120),
        _DOCUMENTED,
    ),
    # Women-led rural BPOs in India.
    VendorSpec(
        "Sakhi Rural Services",
        "sakhi-rural",
        "IN",
        "Meena Sharma",
        "A women-led rural BPO in Tonk district, Rajasthan: customer support in Hindi and English, "
        "bookkeeping and digitisation, by women from villages where few women are in paid work.",
        (
            Site("Tonk Centre", "Tonk", "IN_rural_rajasthan"),
            Site("Malpura Centre", "Malpura", "IN_rural_rajasthan"),
        ),
        (
            OfferSpec("customer_support", "480", 0.93, 0.5, "INR"),
            OfferSpec("bookkeeping", "620", 0.95, 0.2, "INR"),
            OfferSpec("digitisation_data_entry", "4.50", 0.96, 0.3, "INR"),
        ),
        WorkforceSpec(
            190,
            0.74,
            0.85,
            {"women_low_participation": 0.8, "below_poverty_line": 0.2},
            {"below_poverty_line": 0.5},
            part_time=0.12,
        ),
        PaySpec(0.68, 0.86, (55, 75), 140),
        _AUDITED,
        years=(2023, 2024, 2025),
        evidence_files=((2025, "workforce"),),
    ),
    VendorSpec(
        "Gramin Mahila BPO",
        "gramin-mahila",
        "IN",
        "Sunita Meena",
        "Customer support and bookkeeping from Bhilwara district, Rajasthan. We hire and train women "
        "from farming families, including women with disabilities.",
        (Site("Bhilwara Centre", "Bhilwara", "IN_rural_rajasthan"),),
        (
            OfferSpec("customer_support", "450", 0.91, 0.7, "INR"),
            OfferSpec("bookkeeping", "590", 0.93, 0.3, "INR"),
        ),
        WorkforceSpec(
            120,
            0.66,
            0.75,
            {"women_low_participation": 0.85, "disability": 0.05, "below_poverty_line": 0.10},
            part_time=0.1,
        ),
        PaySpec(0.63, 0.80, (40, 60), 100),
        _DOCUMENTED,
    ),
    VendorSpec(
        "Aarohi Women's Data Centre",
        "aarohi-women",
        "IN",
        "Kavita Saini",
        "Digitisation and transcription from Jhunjhunu, Rajasthan, by young women from rural "
        "families; many are the first in their family to earn a wage.",
        (Site("Jhunjhunu Centre", "Jhunjhunu", "IN_rural_rajasthan"),),
        (
            OfferSpec("digitisation_data_entry", "0.05", 0.95, 0.7),
            OfferSpec("transcription", "5.10", 0.92, 0.3),
        ),
        WorkforceSpec(
            75, 0.80, 0.85, {"women_low_participation": 0.9, "youth_neet": 0.1}, part_time=0.1
        ),
        PaySpec(0.65, 0.82, (50, 70), 90),
        _SELF,
        plans={2025: SUBMITTED},
    ),
    # Conventional BPOs in Manila and Bengaluru: few or no impact workers.
    VendorSpec(
        "Metro Manila Contact Solutions",
        "metro-manila-contact",
        "PH",
        "Mark Anthony Reyes",
        "A conventional contact-centre BPO in Makati and Quezon City for customer support and content "
        "moderation. We hire experienced agents and graduates through open recruitment.",
        (
            Site("Makati Ayala", "Makati", "PH_ncr"),
            Site("Quezon City Eastwood", "Quezon City", "PH_ncr"),
        ),
        (
            OfferSpec("customer_support", "7.40", 0.97, 0.7),
            OfferSpec("content_moderation", "6.10", 0.96, 0.3),
        ),
        WorkforceSpec(
            1200,
            0.02,
            0.03,
            {"below_poverty_line": 0.5, "disability": 0.5},
            hire_rate=(0.45, 0.55),
            departure_rate=(0.38, 0.46),
            part_time=0.02,
            retention=(0.45, 0.6),
            promotion_rate=(0.05, 0.07),
        ),
        PaySpec(0.74, 0.83, (20, 30), 90),
        _SELF,
        years=(2023, 2024, 2025),
        knockout=(2025, "Quezon City Eastwood"),
    ),
    VendorSpec(
        "Pasig Shore BPO",
        "pasig-shore",
        "PH",
        "Kristine Santos",
        "Customer support and content moderation from Ortigas, Pasig, staffed through open "
        "recruitment of college graduates and experienced agents.",
        (Site("Pasig Ortigas", "Pasig", "PH_ncr"),),
        (
            OfferSpec("customer_support", "7.10", 0.96, 0.6),
            OfferSpec("content_moderation", "5.80", 0.95, 0.4),
        ),
        WorkforceSpec(
            650,
            0.04,
            0.05,
            {"below_poverty_line": 0.7, "disability": 0.3},
            hire_rate=(0.4, 0.5),
            departure_rate=(0.35, 0.42),
            part_time=0.03,
            retention=(0.5, 0.62),
        ),
        PaySpec(0.70, 0.80, (18, 26), 70),
        _SELF,
    ),
    VendorSpec(
        "BayBridge CX Manila",
        "baybridge-cx",
        "PH",
        "Paolo Villanueva",
        "Customer experience and software testing from Bonifacio Global City for international "
        "brands, with experienced bilingual agents and ISTQB-certified testers.",
        (Site("Taguig BGC", "Taguig", "PH_ncr"),),
        (
            OfferSpec("customer_support", "7.90", 0.98, 0.75),
            OfferSpec("software_testing", "9.80", 0.97, 0.25),
        ),
        WorkforceSpec(
            900,
            0.0,
            0.01,
            {"disability": 1.0},
            hire_rate=(0.35, 0.45),
            departure_rate=(0.3, 0.38),
            part_time=0.0,
            retention=(0.55, 0.7),
        ),
        PaySpec(0.78, 0.86, (30, 40), 150),
        _DOCUMENTED,
    ),
    VendorSpec(
        "Garden City Tech Services",
        "garden-city-tech",
        "IN",
        "Rahul Iyer",
        "Software testing and customer support from Whitefield and Electronic City, Bengaluru, with "
        "engineering graduates hired through campus recruitment.",
        (
            Site("Bengaluru Whitefield", "Bengaluru", "IN_bengaluru"),
            Site("Bengaluru Electronic City", "Bengaluru", "IN_bengaluru"),
        ),
        (
            OfferSpec("software_testing", "8.90", 0.98, 0.6),
            OfferSpec("customer_support", "6.90", 0.96, 0.4),
        ),
        WorkforceSpec(
            1500,
            0.01,
            0.02,
            {"disability": 1.0},
            hire_rate=(0.3, 0.38),
            departure_rate=(0.24, 0.3),
            part_time=0.0,
            retention=(0.6, 0.75),
        ),
        PaySpec(0.62, 0.75, (35, 45), 180),
        _SELF,
        years=(2023, 2024, 2025),
    ),
    VendorSpec(
        "Silicon Plateau QA",
        "silicon-plateau-qa",
        "IN",
        "Ananya Rao",
        "Software testing and data annotation from Koramangala, Bengaluru. A small returnship "
        "programme brings back women who left work to raise children.",
        (Site("Bengaluru HSR Layout", "Bengaluru", "IN_bengaluru"),),
        (
            OfferSpec("software_testing", "9.40", 0.97, 0.6),
            OfferSpec("data_annotation", "4.90", 0.97, 0.4),
        ),
        WorkforceSpec(
            480,
            0.05,
            0.08,
            {"women_low_participation": 0.5, "disability": 0.2, "below_poverty_line": 0.3},
            hire_rate=(0.3, 0.36),
            departure_rate=(0.22, 0.28),
            part_time=0.04,
        ),
        PaySpec(0.64, 0.78, (30, 40), 160),
        _SELF,
        plans={2025: SUBMITTED},
    ),
    VendorSpec(
        "Koramangala Outsourcing",
        "koramangala-outsourcing",
        "IN",
        "Vikram Nair",
        "Content moderation, customer support and bookkeeping from Bengaluru with graduates hired "
        "through open recruitment.",
        (Site("Bengaluru Koramangala", "Bengaluru", "IN_bengaluru"),),
        (
            OfferSpec("content_moderation", "5.20", 0.96, 0.4),
            OfferSpec("customer_support", "6.40", 0.95, 0.4),
            OfferSpec("bookkeeping", "9.80", 0.97, 0.2),
        ),
        WorkforceSpec(
            700,
            0.0,
            0.0,
            hire_rate=(0.35, 0.42),
            departure_rate=(0.3, 0.36),
            part_time=0.0,
            retention=(0.5, 0.65),
        ),
        PaySpec(0.60, 0.70, (20, 28), 80),
        _SELF,
    ),
    # Rwanda, Ghana, South Africa and northern Uganda.
    VendorSpec(
        "Kigali Digital Impact",
        "kigali-digital",
        "RW",
        "Aline Mukamana",
        "Annotation, customer support and transcription in Kinyarwanda, French and English from "
        "Kigali, by young graduates and school leavers who were out of work.",
        (Site("Kigali Kacyiru", "Kigali", "RW_urban"),),
        (
            OfferSpec("data_annotation", "6.80", 0.93, 0.4),
            OfferSpec("customer_support", "7.60", 0.92, 0.4),
            OfferSpec("transcription", "6.00", 0.91, 0.2),
        ),
        WorkforceSpec(110, 0.50, 0.60, {"youth_neet": 0.7, "women_low_participation": 0.3}),
        PaySpec(0.72, 0.90, (50, 70), 170),
        _DOCUMENTED,
    ),
    VendorSpec(
        "Imena Bookkeeping Rwanda",
        "imena-bookkeeping",
        "RW",
        "Eric Habimana",
        "Bookkeeping and document digitisation from Kigali, by young accountants and people with "
        "disabilities who could not find work after training.",
        (Site("Kigali Remera", "Kigali", "RW_urban"),),
        (
            OfferSpec("bookkeeping", "12500", 0.94, 0.7, "RWF"),
            OfferSpec("digitisation_data_entry", "0.08", 0.93, 0.3),
        ),
        WorkforceSpec(40, 0.40, 0.50, {"disability": 0.5, "youth_neet": 0.5}),
        PaySpec(0.80, 0.95, (40, 60), 140),
        _DOCUMENTED,
        plans={2025: DRAFT},
    ),
    VendorSpec(
        "Accra Youth Tech Services",
        "accra-youth-tech",
        "GH",
        "Kwame Mensah",
        "Annotation and software testing from Accra, by young Ghanaians who finished school or "
        "national service and could not find work.",
        (Site("Accra Osu", "Accra", "GH_urban"),),
        (
            OfferSpec("data_annotation", "7.00", 0.93, 0.6),
            OfferSpec("software_testing", "9.20", 0.93, 0.4),
        ),
        WorkforceSpec(130, 0.48, 0.60, {"youth_neet": 0.8, "long_term_unemployed": 0.2}),
        PaySpec(0.66, 0.86, (50, 70), 200),
        _BUYER,
        years=(2023, 2024, 2025),
    ),
    VendorSpec(
        "Volta Data Collective",
        "volta-data",
        "GH",
        "Akosua Agbeko",
        "Digitisation and transcription from Accra and Ho, by women and young people from low-income "
        "households in the Volta Region.",
        (Site("Accra Kaneshie", "Accra", "GH_urban"), Site("Ho Centre", "Ho", "GH_urban")),
        (
            OfferSpec("digitisation_data_entry", "0.07", 0.94, 0.6),
            OfferSpec("transcription", "6.10", 0.91, 0.4),
        ),
        WorkforceSpec(
            90,
            0.58,
            0.65,
            {"women_low_participation": 0.4, "youth_neet": 0.4, "below_poverty_line": 0.2},
        ),
        PaySpec(0.58, 0.74, (40, 60), 110),
        _SELF,
    ),
    VendorSpec(
        "Ubuntu Youth Contact Centre",
        "ubuntu-youth",
        "ZA",
        "Thandiwe Dlamini",
        "Customer support and sales lead generation from Johannesburg and Durban. We hire young South "
        "Africans who have been out of work, education and training, most of them for over a year.",
        (
            Site("Johannesburg Braamfontein", "Johannesburg", "ZA_urban"),
            Site("Durban Umhlanga", "Durban", "ZA_urban"),
        ),
        (
            OfferSpec("customer_support", "9.90", 0.94, 0.7),
            OfferSpec("sales_lead_generation", "7.50", 0.91, 0.3),
        ),
        WorkforceSpec(
            420,
            0.64,
            0.80,
            {"youth_neet": 0.85, "long_term_unemployed": 0.15},
            {"long_term_unemployed": 0.5},
        ),
        PaySpec(0.64, 0.78, (60, 80), 380),
        _AUDITED,
        years=(2023, 2024, 2025),
        evidence_files=((2025, "training"),),
    ),
    VendorSpec(
        "Cape Flats Digital",
        "cape-flats-digital",
        "ZA",
        "Nomvula Jacobs",
        "Annotation and software testing from Cape Town, by young people from the Cape Flats, people "
        "with disabilities and young adults leaving foster care.",
        (Site("Cape Town Woodstock", "Cape Town", "ZA_urban"),),
        (
            OfferSpec("data_annotation", "9.40", 0.95, 0.6),
            OfferSpec("software_testing", "12.50", 0.94, 0.4),
        ),
        WorkforceSpec(
            95,
            0.55,
            0.65,
            {"youth_neet": 0.5, "disability": 0.3, "other": 0.2},
            other_category_label="Young adults leaving foster care",
        ),
        PaySpec(0.70, 0.90, (60, 90), 300),
        _DOCUMENTED,
    ),
    VendorSpec(
        "Table Bay CX",
        "table-bay-cx",
        "ZA",
        "Pieter van der Merwe",
        "A conventional customer-experience BPO in Cape Town for UK and Australian brands, with a "
        "small youth-employment intake each year.",
        (Site("Cape Town Foreshore", "Cape Town", "ZA_urban"),),
        (OfferSpec("customer_support", "10.80", 0.98, 1.0),),
        WorkforceSpec(
            800,
            0.06,
            0.10,
            {"youth_neet": 1.0},
            hire_rate=(0.3, 0.38),
            departure_rate=(0.26, 0.32),
            part_time=0.03,
        ),
        PaySpec(0.62, 0.72, (30, 40), 200),
        _SELF,
    ),
    VendorSpec(
        "Acholi Women's Data Hub",
        "acholi-women",
        "UG",
        "Florence Atim",
        "Annotation and digitisation from Gulu, northern Uganda, by women who were displaced by the "
        "war and women from villages where few women earn a wage.",
        (Site("Gulu Pece", "Gulu", "UG_rural"),),
        (
            OfferSpec("data_annotation", "5.40", 0.89, 0.6),
            OfferSpec("digitisation_data_entry", "0.06", 0.92, 0.4),
        ),
        WorkforceSpec(
            50,
            0.86,
            0.90,
            {"women_low_participation": 0.6, "refugee_or_displaced": 0.4},
            part_time=0.1,
        ),
        PaySpec(0.55, 0.70, (60, 90), 100),
        _SELF,
    ),
)


# --- figures -------------------------------------------------------------------------------


@dataclass
class _Carry:
    """What one period hands to the next."""

    headcount: int
    impact_workers: int
    impact_hires: int | None = None


def _round_money(amount: float) -> float:
    """Round a wage or spend as a payroll would show it (to 3–4 significant figures)."""
    for step in (1000, 100, 10, 1):
        if amount >= step * 100:
            return float(round(amount / step) * step)
    return round(amount, 2)


def _split(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """`total` split by `weights` in whole numbers that add up to `total` (largest remainder)."""
    weight_sum = sum(weights.values())
    if not weights or weight_sum <= 0:
        return {}
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: counts[k] - exact[k])[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _usd_per_unit(currency: str, on: date) -> float:
    return reference().fx.to_usd(1.0, currency, on).usd_amount


def _workforce(spec: VendorSpec, rng: random.Random, carry: _Carry) -> dict[str, Any]:
    w = spec.workforce
    start, impact_start = carry.headcount, carry.impact_workers
    hires = round(start * rng.uniform(*w.hire_rate))
    impact_hires = min(
        hires, round(hires * min(1.0, max(0.0, w.impact_hire_share + rng.uniform(-0.04, 0.04))))
    )
    departures = min(start + hires, round(start * rng.uniform(*w.departure_rate)))
    impact_share = impact_start / start if start else 0.0
    impact_departures = min(
        departures,
        impact_start + impact_hires,
        round(departures * impact_share * rng.uniform(0.75, 1.05)),
    )
    others_available = (start - impact_start) + (hires - impact_hires)
    impact_departures = max(impact_departures, departures - others_available)
    end = start + hires - departures
    impact_end = impact_start + impact_hires - impact_departures
    voluntary = round(departures * rng.uniform(0.6, 0.8))
    part_time = round(end * w.part_time)
    fte = round((start + end) / 2 * (1 - w.part_time / 2), 1)

    categories = dict.fromkeys(
        (
            "long_term_unemployed",
            "below_poverty_line",
            "refugee_or_displaced",
            "disability",
            "youth_neet",
            "women_low_participation",
            "other",
        ),
        0,
    )
    categories.update(_split(impact_end, w.categories))
    for key, share in w.overlap.items():
        categories[key] = min(impact_end, categories[key] + round(impact_end * share))

    cohort = (
        carry.impact_hires
        if carry.impact_hires is not None
        else round(impact_hires * rng.uniform(0.85, 1.0))
    )
    promotions = round((start + end) / 2 * rng.uniform(*w.promotion_rate))
    impact_mean_share = (impact_start + impact_end) / (start + end) if start + end else 0.0
    promotions_impact = min(
        promotions, round(promotions * impact_mean_share * rng.uniform(0.8, 1.2))
    )
    return {
        "headcount_start": start,
        "headcount_end": end,
        "full_time_end": end - part_time,
        "part_time_end": part_time,
        "fte_avg": fte,
        "total_hires": hires,
        "impact_worker_hires": impact_hires,
        "departures_voluntary": voluntary,
        "departures_involuntary": departures - voluntary,
        "impact_worker_departures": impact_departures,
        "impact_workers_start": impact_start,
        "impact_workers_end": impact_end,
        "categories": categories,
        "other_category_label": w.other_category_label if categories["other"] else None,
        "retention_cohort_hired": cohort,
        "retention_cohort_retained_12m": round(cohort * rng.uniform(*w.retention)),
        "promotions_all": promotions,
        "promotions_impact_workers": promotions_impact,
    }


def _wages(spec: VendorSpec, year: int, rng: random.Random) -> list[dict[str, Any]]:
    sites = []
    for site in spec.sites:
        zone = WAGE_ZONES[site.zone]
        benchmarks = zone.by_year[year]
        entry = benchmarks.living * spec.pay.entry_to_living * rng.uniform(0.97, 1.03)
        # Employers pay at least the minimum, except the one knock-out case below.
        entry = max(entry, benchmarks.minimum * rng.uniform(1.01, 1.06))
        if spec.knockout == (year, site.name):
            entry = benchmarks.minimum * 0.96  # a "trainee rate" below the legal minimum
        median = benchmarks.living * spec.pay.median_to_living * rng.uniform(0.97, 1.03)
        median = max(median, entry * rng.uniform(1.04, 1.12))
        sites.append(
            {
                "site": site.name,
                "country": zone.country,
                "currency": zone.currency,
                "pay_period": zone.pay_period,
                "standard_weekly_hours": zone.weekly_hours,
                "entry_level_wage": _round_money(entry),
                "impact_worker_median_wage": _round_money(median),
                "local_minimum_wage": benchmarks.minimum,
                "minimum_wage_source": benchmarks.minimum_source,
                "minimum_wage_date": benchmarks.minimum_date,
                "living_wage_benchmark": benchmarks.living,
                "living_wage_source": benchmarks.living_source,
                "living_wage_date": benchmarks.living_date,
            }
        )
    return sites


def _training(
    spec: VendorSpec, workforce: Mapping[str, Any], period_end: date, rng: random.Random
) -> dict[str, Any]:
    fte = workforce["fte_avg"]
    hours = round(fte * rng.uniform(*spec.pay.training_hours))
    impact_mean = (workforce["impact_workers_start"] + workforce["impact_workers_end"]) / 2
    headcount_mean = (workforce["headcount_start"] + workforce["headcount_end"]) / 2
    # New impact workers get the longest courses, so their share of hours beats their headcount share.
    impact_hours = min(hours, round(hours * impact_mean / headcount_mean * rng.uniform(1.15, 1.35)))
    currency = "USD" if spec.pay.training_in_usd else WAGE_ZONES[spec.sites[0].zone].currency
    spend_usd = fte * spec.pay.training_usd * rng.uniform(0.9, 1.1)
    return {
        "training_hours_all": float(hours),
        "training_hours_impact_workers": float(impact_hours),
        "training_spend": _round_money(spend_usd / _usd_per_unit(currency, period_end)),
        "training_currency": currency,
        "employees_trained": min(
            workforce["headcount_start"] + workforce["total_hires"],
            round(workforce["headcount_end"] * rng.uniform(0.7, 0.98)),
        ),
    }


def build_documents(
    spec: VendorSpec, years: tuple[int, ...] | None = None
) -> dict[int, dict[str, Any]]:
    """The correct disclosure document for each of the vendor's years, from its own seeded RNG.

    The figures chain: one period's end headcount and impact workers are the next one's start.
    """
    rng = random.Random(f"{SEED}:{spec.slug}")
    w = spec.workforce
    carry = _Carry(w.headcount, round(w.headcount * w.impact_share))
    documents = {}
    for year in years or spec.years:
        period_start, period_end = PERIODS[year]
        workforce = _workforce(spec, rng, carry)
        documents[year] = {
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "workforce": workforce,
            "wages": _wages(spec, year, rng),
            "training": _training(spec, workforce, period_end, rng),
            "evidence": dict(zip(("workforce", "wages", "training"), spec.evidence_levels)),
        }
        carry = _Carry(
            workforce["headcount_end"],
            workforce["impact_workers_end"],
            workforce["impact_worker_hires"],
        )
    return documents


def _with_flaw(spec: VendorSpec, document: Mapping[str, Any]) -> dict[str, Any]:
    """Version 1 of an amended period: the correct document with the vendor's mistake in it."""
    flawed = {
        **document,
        "workforce": dict(document["workforce"]),
        "training": dict(document["training"]),
    }
    if spec.flaw == "categories":  # only the main category filled in: fewer people than the total
        flawed["workforce"]["categories"] = {
            key: (round(count * 0.8) if key == "refugee_or_displaced" else 0)
            for key, count in document["workforce"]["categories"].items()
        }
    elif spec.flaw == "training_currency":  # the US-dollar amount typed into the local currency
        training = flawed["training"]
        usd = training["training_spend"] * _usd_per_unit(
            training["training_currency"], date.fromisoformat(document["period_end"])
        )
        training["training_spend"] = _round_money(usd)
    elif spec.flaw == "missing_site":  # the second site's wages left out
        flawed["wages"] = list(document["wages"][:1])
    elif spec.flaw == "training_hours":  # refresher courses left out of the hours
        for key in ("training_hours_all", "training_hours_impact_workers"):
            flawed["training"][key] = float(round(document["training"][key] * 0.7))
    return flawed


def _incomplete(document: Mapping[str, Any]) -> dict[str, Any]:
    """A draft still being filled in: no evidence levels and no training figures yet."""
    return {key: value for key, value in document.items() if key not in ("evidence", "training")}


def _capacity(offer: OfferSpec, headcount: int) -> float:
    """Units per month: the people on this service, 160 hours each, 55 % of it sellable."""
    hours = headcount * offer.share * 160 * 0.55
    per_hour = {"item": 40.0, "task": 0.3 if offer.category == "recruitment" else 1.5}
    units = hours * per_hour.get(service_categories()[offer.category].unit, 1.0)
    magnitude = 10 ** max(0, len(str(int(units))) - 2)
    return float(max(1, round(units / magnitude)) * magnitude)


# --- loading -------------------------------------------------------------------------------

_NO_USER = object()


@contextmanager
def _acting_as(user: User) -> Iterator[None]:
    """Run service calls as if `user` made them in a request, so audit events name the actor."""
    previous = g.get("_login_user", _NO_USER)
    with current_app.test_request_context("/"):
        login_user(user)
        try:
            yield
        finally:
            # Flask-Login keeps the user on `g`, which belongs to the (reused) app context.
            if previous is _NO_USER:
                g.pop("_login_user", None)
            else:
                g._login_user = previous


def evidence_pdf(title: str) -> bytes:
    """A one-page PDF that says `title` (plain ASCII), with a correct cross-reference table."""
    text = (
        title.encode("ascii", "replace")
        .replace(b"\\", b"\\\\")
        .replace(b"(", b"\\(")
        .replace(b")", b"\\)")
    )
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(pdf)


_EVIDENCE_TITLES = {
    "workforce": "headcount and hiring register summary",
    "wages": "payroll summary by site",
    "training": "training attendance records",
}


def _attach(spec: VendorSpec, disclosure, year: int, user: User) -> None:
    levels = dict(zip(("workforce", "wages", "training"), spec.evidence_levels))
    for file_year, section in spec.evidence_files:
        if file_year == year:
            title = f"{spec.name}: {_EVIDENCE_TITLES[section]}, {year} (demo evidence)"
            add_evidence(
                disclosure,
                f"{spec.slug}-{year}-{section}.pdf",
                evidence_pdf(title),
                section,
                levels[section],
                user,
            )


def _review_comment(spec: VendorSpec, flawed: Mapping[str, Any]) -> str:
    training = flawed["training"]
    spend = training["training_spend"]
    usd = spend * _usd_per_unit(
        training["training_currency"], date.fromisoformat(flawed["period_end"])
    )
    return spec.review_comment.format(
        spend=f"{spend:,.0f}", fte=f"{flawed['workforce']['fte_avg']:,.0f}", usd=f"{usd:,.0f}"
    )


def _disclose(
    vendor: Vendor, spec: VendorSpec, year: int, document: dict[str, Any], user: User, buyer: User
) -> None:
    plan = spec.plan(year)
    first = _with_flaw(spec, document) if plan in AMENDED_PLANS else document
    if plan == INCOMPLETE_DRAFT:
        first = _incomplete(document)
    with _acting_as(user):
        disclosure = create_draft(vendor, first, user)
        if plan not in (REJECTED_RESUBMITTED, INCOMPLETE_DRAFT):  # a resubmission brings the file
            _attach(spec, disclosure, year, user)
        if plan in (DRAFT, INCOMPLETE_DRAFT):
            return
        submit(disclosure, user)
    if plan == SUBMITTED:
        return
    with _acting_as(buyer):
        if plan == REJECTED_RESUBMITTED:
            review(disclosure, "rejected", _review_comment(spec, first), buyer)
        else:
            review(disclosure, "verified", "", buyer)
    if plan not in AMENDED_PLANS:
        return
    with _acting_as(user):
        amendment = amend(disclosure, user)
        update_draft(amendment, document, amendment.edit_version)
        if plan == REJECTED_RESUBMITTED:
            _attach(spec, amendment, year, user)
        submit(amendment, user)
    if plan == RESTATED:
        with _acting_as(buyer):
            review(
                amendment, "verified", "Restatement checked against the corrected figures.", buyer
            )


def _vendor_user(organization: Organization, spec: VendorSpec) -> User:
    user = db.session.scalar(select(User).where(User.email == spec.user_email))
    if user is None:
        user = create_user(organization, spec.user_email, spec.contact, "vendor", VENDOR_PASSWORD)
        db.session.flush()
    return user


def load_demo_vendors(buyer_user: User) -> int:
    """Create the demo vendors that have no profile yet; return how many were created.

    `buyer_user` reviews the submitted disclosures. A vendor organization that already has a
    profile is left alone, so loading twice changes nothing. Periods that have not ended by
    today are left out.
    """
    today = date.today()
    created = 0
    for spec in VENDORS:
        organization = db.session.scalar(select(Organization).where(Organization.name == spec.name))
        if (
            organization is not None
            and db.session.scalar(
                select(Vendor.id).where(Vendor.organization_id == organization.id)
            )
            is not None
        ):
            continue
        if organization is None:
            organization = create_organization(spec.name, "vendor")
            db.session.flush()
        user = _vendor_user(organization, spec)
        years = tuple(year for year in spec.years if PERIODS[year][1] < today)
        documents = build_documents(spec, years)
        latest_headcount = (
            documents[years[-1]]["workforce"]["headcount_end"]
            if years
            else spec.workforce.headcount
        )
        with _acting_as(user):
            vendor = create_vendor(
                organization,
                {
                    "name": spec.name,
                    "country": spec.country,
                    "description": spec.description,
                    "service_categories": [offer.category for offer in spec.offers],
                    "sites": [
                        {
                            "name": site.name,
                            "city": site.city,
                            "country": WAGE_ZONES[site.zone].country,
                        }
                        for site in spec.sites
                    ],
                },
            )
            for offer in spec.offers:
                create_offer(
                    vendor,
                    {
                        "service_category": offer.category,
                        "unit": service_categories()[offer.category].unit,
                        "price": Decimal(offer.price),
                        "currency": offer.currency,
                        "capacity_per_period": _capacity(offer, latest_headcount),
                        "quality": offer.quality,
                        "active": True,
                    },
                )
        for year in years:
            _disclose(vendor, spec, year, documents[year], user, buyer_user)
        created += 1
    db.session.flush()
    return created
