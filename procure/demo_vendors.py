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

The vendors and their sites' wage benchmarks are data, in config/demo/vendors.toml and
config/demo/wage_zones.toml (the benchmarks name the public sources they are modelled on);
this module reads them into `VendorSpec` and `WageZone` values, draws the figures and calls
the services. A vendor's capacity is labour hours per month (its people × 160 hours × 55 %
sellable), with a change per month of `growth`; an offer's `capacity_per_period` is its own cap
in units per month (the people on the service, their hours over the offer's `hours_per_unit`).

Actors: every service takes the user it acts for and records it in the audit events; the
vendor's own user acts for the vendor, the demo buyer reviews.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

from sqlalchemy import select

from procure.accounts.models import Organization, User
from procure.accounts.services import create_organization, create_user
from procure.audit.services import SYSTEM
from procure.disclosures.reviews import review_version
from procure.disclosures.services import (
    DOCUMENTED_LEVELS,
    add_evidence,
    amend,
    create_draft,
    submit,
    update_draft,
)
from procure.extensions import db
from procure.reference import seed_reference
from procure.settings import read_toml, resource_dir
from procure.states import ReviewDecision
from procure.vendors.categories import seed_service_categories
from procure.vendors.models import Vendor
from procure.vendors.services import create_offer, create_vendor
from scoring.fields import EVIDENCE_SECTIONS

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
    hours_per_unit: float | None = None  # the vendor's own figure; items and tasks only


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
    # (year, section) with a file attached, besides those claimed documented or more (_attach)
    evidence_files: tuple[tuple[int, str], ...] = ()
    knockout: tuple[int, str] | None = None  # (year, site) paying entry wages below the minimum
    email: str | None = None
    growth: Mapping[str, int] = field(default_factory=dict)  # "YYYY-MM" -> headcount from then

    @property
    def user_email(self) -> str:
        return self.email or f"ops@{self.slug}.example"

    def plan(self, year: int) -> str:
        return self.plans.get(year, VERIFIED)


# --- reading config/demo/ ------------------------------------------------------------------

PLANS = (DRAFT, INCOMPLETE_DRAFT, SUBMITTED, VERIFIED, *AMENDED_PLANS)
FLAWS = ("categories", "training_currency", "missing_site", "training_hours")


class DemoDataError(ValueError):
    """A demo data file lacks a key the loader needs, has an unknown key or a wrong value."""


def _read(path: Path, top_level: tuple[str, ...]) -> dict[str, Any]:
    try:
        raw = read_toml(path)
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{path.name}: {error}") from None
    for key in raw:
        if key not in top_level:
            raise DemoDataError(f"{path.name}: unknown key {key!r}")
    for key in top_level:
        if key not in raw:
            raise DemoDataError(f"{path.name}: missing key {key!r}")
    return raw


def _value(value: Any, hint: Any, where: str) -> Any:
    """`value` as read from TOML, checked against the field type `hint`.

    Tables become dataclasses or dicts (in file order, which `_split` relies on for ties),
    arrays become tuples, and table keys become ints where the type says so (years). Numbers
    keep their TOML type: an int where a float is expected stays an int.
    """
    if get_origin(hint) is UnionType:  # `X | None`: TOML has no null, so the value is an X
        (hint,) = (arg for arg in get_args(hint) if arg is not NoneType)
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value, where)
    origin, args = get_origin(hint), get_args(hint)
    if origin is tuple:
        if not isinstance(value, list):
            raise DemoDataError(f"{where}: expected an array, got {value!r}")
        item_hints = [args[0]] * len(value) if args[-1] is Ellipsis else list(args)
        if len(value) != len(item_hints):
            raise DemoDataError(f"{where}: expected an array of {len(item_hints)}, got {value!r}")
        return tuple(
            _value(item, item_hint, f"{where}[{index}]")
            for index, (item, item_hint) in enumerate(zip(value, item_hints, strict=True))
        )
    if origin is Mapping:
        key_hint, value_hint = args
        if not isinstance(value, dict):
            raise DemoDataError(f"{where}: expected a table, got {value!r}")
        if key_hint is int and not all(key.isdigit() for key in value):
            raise DemoDataError(f"{where}: expected years as keys, got {list(value)}")
        return {
            (int(key) if key_hint is int else key): _value(item, value_hint, f"{where}.{key}")
            for key, item in value.items()
        }
    expected = (int, float) if hint is float else hint
    if not isinstance(value, expected) or isinstance(value, bool) != (hint is bool):
        raise DemoDataError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def _build(cls: type, raw: Any, where: str) -> Any:
    """A `cls` from the TOML table `raw`: every field without a default present, no other key."""
    if not isinstance(raw, dict):
        raise DemoDataError(f"{where}: expected a table, got {raw!r}")
    names = [spec_field.name for spec_field in fields(cls)]
    for key in raw:
        if key not in names:
            raise DemoDataError(f"{where}: unknown key {key!r}")
    for spec_field in fields(cls):
        required = spec_field.default is MISSING and spec_field.default_factory is MISSING
        if required and spec_field.name not in raw:
            raise DemoDataError(f"{where}: missing key {spec_field.name!r}")
    hints = get_type_hints(cls)
    return cls(**{key: _value(value, hints[key], f"{where}, {key}") for key, value in raw.items()})


def load_wage_zones(path: Path) -> dict[str, WageZone]:
    """The wage zones in `path` (config/demo/wage_zones.toml), by key."""
    raw = _read(path, ("wage_zones",))
    return {
        key: _build(WageZone, zone, f"{path.name}: wage zone {key!r}")
        for key, zone in _value(raw["wage_zones"], Mapping[str, dict], path.name).items()
    }


def load_vendor_specs(path: Path, zones: Mapping[str, WageZone]) -> tuple[VendorSpec, ...]:
    """The vendors in `path` (config/demo/vendors.toml), in file order.

    Each vendor's `evidence_levels` names one of the file's [evidence_levels.*] tables; its
    sites must be in `zones`, with benchmarks for every year the vendor discloses.
    """
    raw = _read(path, ("evidence_levels", "vendors"))
    presets = {}
    for name, levels in _value(raw["evidence_levels"], Mapping[str, dict], path.name).items():
        levels = _value(levels, Mapping[str, str], f"{path.name}: evidence_levels.{name}")
        if sorted(levels) != sorted(EVIDENCE_SECTIONS):
            raise DemoDataError(
                f"{path.name}: evidence_levels.{name}: expected the keys "
                f"{', '.join(EVIDENCE_SECTIONS)}, got {', '.join(levels)}"
            )
        presets[name] = [levels[section] for section in EVIDENCE_SECTIONS]
    specs = []
    for index, vendor in enumerate(_value(raw["vendors"], tuple[dict, ...], path.name)):
        label = vendor.get("slug") or vendor.get("name") or f"#{index + 1}"
        where = f"{path.name}: vendor {label!r}"
        if "evidence_levels" in vendor:
            preset = vendor["evidence_levels"]
            if preset not in presets:
                raise DemoDataError(
                    f"{where}, evidence_levels: {preset!r} is not one of {', '.join(presets)}"
                )
            vendor = {**vendor, "evidence_levels": presets[preset]}
        spec = _build(VendorSpec, vendor, where)
        _check_vendor(spec, zones, where)
        specs.append(spec)
    for key in ("slug", "name"):
        seen = [getattr(spec, key) for spec in specs]
        repeated = sorted({value for value in seen if seen.count(value) > 1})
        if repeated:
            raise DemoDataError(f"{path.name}: {key} {repeated[0]!r} is used by two vendors")
    return tuple(specs)


def _check_vendor(spec: VendorSpec, zones: Mapping[str, WageZone], where: str) -> None:
    """What `_build` cannot see from the types: references to zones, periods, plans and sites."""
    for year in spec.years:
        if year not in PERIODS:
            raise DemoDataError(f"{where}, years: no reporting period {year}")
    for site in spec.sites:
        if site.zone not in zones:
            raise DemoDataError(f"{where}, sites: unknown wage zone {site.zone!r}")
        missing = [year for year in spec.years if year not in zones[site.zone].by_year]
        if missing:
            raise DemoDataError(f"{where}, sites: wage zone {site.zone!r} has no {missing[0]}")
    for year, plan in spec.plans.items():
        if year not in spec.years:
            raise DemoDataError(f"{where}, plans: {year} is not one of its years")
        if plan not in PLANS:
            raise DemoDataError(f"{where}, plans: {plan!r} is not one of {', '.join(PLANS)}")
        if plan in AMENDED_PLANS and spec.flaw is None:
            raise DemoDataError(f"{where}, plans: {plan!r} needs a 'flaw' for version 1")
    if spec.flaw is not None and spec.flaw not in FLAWS:
        raise DemoDataError(f"{where}, flaw: {spec.flaw!r} is not one of {', '.join(FLAWS)}")
    for _, section in spec.evidence_files:
        if section not in EVIDENCE_SECTIONS:
            raise DemoDataError(f"{where}, evidence_files: unknown section {section!r}")
    if spec.knockout and spec.knockout[1] not in {site.name for site in spec.sites}:
        raise DemoDataError(f"{where}, knockout: {spec.knockout[1]!r} is not one of its sites")
    for offer in spec.offers:
        category = seed_service_categories().get(offer.category)
        if category is None:
            raise DemoDataError(f"{where}, offers: unknown service category {offer.category!r}")
        if (category.unit == "hour") != (offer.hours_per_unit is None):
            raise DemoDataError(
                f"{where}, offers: {offer.category!r} is counted in {category.unit}s: "
                + ("leave hours_per_unit out" if category.unit == "hour" else "give hours_per_unit")
            )
    for month in spec.growth:
        try:
            date.fromisoformat(f"{month}-01")
        except ValueError:
            raise DemoDataError(f"{where}, growth: {month!r} is no month (YYYY-MM)") from None


DEMO_DATA = resource_dir("config") / "demo"
WAGE_ZONES: dict[str, WageZone] = load_wage_zones(DEMO_DATA / "wage_zones.toml")
VENDORS: tuple[VendorSpec, ...] = load_vendor_specs(DEMO_DATA / "vendors.toml", WAGE_ZONES)


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
    # the seed rates (config/fx.toml): the demo's figures are the same in every database
    return seed_reference().fx.to_usd(1.0, currency, on).usd_amount


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
    # New impact workers get the longest courses, so their share of hours beats their headcount
    # share.
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
            "evidence": dict(zip(EVIDENCE_SECTIONS, spec.evidence_levels, strict=True)),
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


def _two_figures(amount: float) -> float:
    """`amount` rounded to two significant figures (at least 1), as a vendor would state it."""
    magnitude = 10 ** max(0, len(str(int(amount))) - 2)
    return float(max(1, round(amount / magnitude)) * magnitude)


def _sellable_hours(headcount: int) -> float:
    """Labour hours per month: 160 hours a person, 55 % of it sellable."""
    return headcount * 160 * 0.55


def _vendor_capacity(spec: VendorSpec, headcount: int) -> dict[str, Any]:
    """The vendor's monthly labour hours now, and from each month of its growth onward."""
    return {
        "capacity_hours_per_month": _two_figures(_sellable_hours(headcount)),
        "capacity_changes": [
            {
                "from_month": date.fromisoformat(f"{month}-01"),
                "hours_per_month": _two_figures(_sellable_hours(people)),
            }
            for month, people in sorted(spec.growth.items())
        ],
    }


def _capacity(offer: OfferSpec, headcount: int) -> float:
    """Units per month: the hours of the people on this service over the hours one unit takes."""
    return _two_figures(_sellable_hours(headcount) * offer.share / (offer.hours_per_unit or 1.0))


# --- loading -------------------------------------------------------------------------------


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
    """A file for each section the vendor claims documented evidence (or more) for, the document
    the claim rests on, and for each section `evidence_files` names for the year. A file makes
    the section self_reported_documented, and the demo buyer's verification of the version
    buyer_verified (procure.disclosures.evidence_levels); a third-party claim stays a claim."""
    levels = dict(zip(EVIDENCE_SECTIONS, spec.evidence_levels, strict=True))
    named = {section for file_year, section in spec.evidence_files if file_year == year}
    for section in EVIDENCE_SECTIONS:
        if section in named or levels[section] in DOCUMENTED_LEVELS:
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
    disclosure = create_draft(vendor, first, user)
    if plan not in (REJECTED_RESUBMITTED, INCOMPLETE_DRAFT):  # a resubmission brings the file
        _attach(spec, disclosure, year, user)
    if plan in (DRAFT, INCOMPLETE_DRAFT):
        return
    submit(disclosure, user)
    if plan == SUBMITTED:
        return
    if plan == REJECTED_RESUBMITTED:
        review_version(disclosure, ReviewDecision.REJECTED, _review_comment(spec, first), buyer)
    else:
        review_version(disclosure, ReviewDecision.VERIFIED, "", buyer)
    if plan not in AMENDED_PLANS:
        return
    amendment = amend(disclosure, user)
    update_draft(amendment, document, amendment.edit_version, user)
    if plan == REJECTED_RESUBMITTED:
        _attach(spec, amendment, year, user)
    submit(amendment, user)
    if plan == RESTATED:
        review_version(
            amendment,
            ReviewDecision.VERIFIED,
            "Restatement checked against the corrected figures.",
            buyer,
        )


def _vendor_user(organization: Organization, spec: VendorSpec) -> User:
    user = db.session.scalar(select(User).where(User.email == spec.user_email))
    if user is None:
        user = create_user(
            organization, spec.user_email, spec.contact, "vendor", VENDOR_PASSWORD, actor=SYSTEM
        )
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
            organization = create_organization(spec.name, "vendor", actor=SYSTEM)
            db.session.flush()
        user = _vendor_user(organization, spec)
        years = tuple(year for year in spec.years if PERIODS[year][1] < today)
        documents = build_documents(spec, years)
        latest_headcount = (
            documents[years[-1]]["workforce"]["headcount_end"]
            if years
            else spec.workforce.headcount
        )
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
                **_vendor_capacity(spec, latest_headcount),
            },
            user,
        )
        for offer in spec.offers:
            create_offer(
                vendor,
                {
                    "service_category": offer.category,
                    "unit": seed_service_categories()[offer.category].unit,
                    "price": Decimal(offer.price),
                    "currency": offer.currency,
                    "hours_per_unit": offer.hours_per_unit,
                    "capacity_per_period": _capacity(offer, latest_headcount),
                    "quality": offer.quality,
                    "active": True,
                },
                user,
            )
        for year in years:
            _disclose(vendor, spec, year, documents[year], user, buyer_user)
        created += 1
    db.session.flush()
    return created
