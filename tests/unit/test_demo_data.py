"""The demo data files (config/demo/): they load into the specs the demo builds from, the figures
are the ones the files state, and a broken file names the vendor and the key at fault."""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, fields
from decimal import Decimal
from pathlib import Path

import pytest

from procure.demo_vendors import (
    PERIODS,
    VENDORS,
    WAGE_ZONES,
    DemoDataError,
    OfferSpec,
    PaySpec,
    Site,
    VendorSpec,
    WorkforceSpec,
    load_vendor_specs,
    load_wage_zones,
)

DEMO_DIR = Path(__file__).resolve().parents[2] / "config" / "demo"
VENDORS_FILE = DEMO_DIR / "vendors.toml"
ZONES_FILE = DEMO_DIR / "wage_zones.toml"


def _required(cls: type) -> set[str]:
    return {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}


def test_the_files_load_into_the_module_specs():
    assert load_wage_zones(ZONES_FILE) == WAGE_ZONES
    assert load_vendor_specs(VENDORS_FILE, WAGE_ZONES) == VENDORS
    assert len(VENDORS) == 33
    assert len(WAGE_ZONES) == 11
    assert len({spec.slug for spec in VENDORS}) == len(VENDORS)


def test_every_vendor_in_the_file_has_the_keys_the_loader_needs():
    with open(VENDORS_FILE, "rb") as handle:
        raw = tomllib.load(handle)
    assert len(raw["vendors"]) == 33
    for vendor in raw["vendors"]:
        assert _required(VendorSpec) <= set(vendor), vendor.get("slug")
        assert _required(WorkforceSpec) <= set(vendor["workforce"]), vendor["slug"]
        assert _required(PaySpec) <= set(vendor["pay"]), vendor["slug"]
        for site in vendor["sites"]:
            assert _required(Site) <= set(site), vendor["slug"]
        for offer in vendor["offers"]:
            assert _required(OfferSpec) <= set(offer), vendor["slug"]
            assert isinstance(offer["price"], str)  # read as an exact Decimal
            Decimal(offer["price"])
        assert vendor["evidence_levels"] in raw["evidence_levels"], vendor["slug"]


def test_every_site_has_benchmarks_for_every_year_its_vendor_discloses():
    for spec in VENDORS:
        assert set(spec.years) <= set(PERIODS), spec.slug
        for site in spec.sites:
            assert set(spec.years) <= set(WAGE_ZONES[site.zone].by_year), (spec.slug, site.zone)


def test_hand_picked_figures_are_the_ones_in_the_file():
    specs = {spec.slug: spec for spec in VENDORS}
    kazi = specs["kazidata"]
    assert (kazi.name, kazi.country, kazi.contact) == ("Kazi Data Works", "KE", "Wanjiru Kamau")
    assert kazi.sites == (Site("Nairobi Westlands", "Nairobi", "KE_urban"),)
    assert kazi.offers[0] == OfferSpec("data_annotation", "6.48", 0.95, 0.6, "USD")
    assert kazi.years == (2023, 2024, 2025)
    assert kazi.plans == {2025: "draft"}
    assert kazi.evidence_levels == (
        "self_reported_documented",
        "self_reported_documented",
        "self_reported",
    )
    assert kazi.evidence_files == ((2024, "workforce"),)
    assert kazi.user_email == "vendor@kazidata.example"
    assert kazi.workforce.headcount == 180
    # File order is kept: `_split` breaks ties between categories by it.
    assert list(kazi.workforce.categories) == [
        "youth_neet",
        "long_term_unemployed",
        "below_poverty_line",
    ]
    assert kazi.workforce.hire_rate == (0.22, 0.34)  # left out of the file: the default
    assert kazi.pay == PaySpec(0.78, 0.98, (60, 80), 260)

    lakeside = specs["lakeside-annotation"]
    assert lakeside.years == (2024, 2025)  # the default
    assert lakeside.user_email == "ops@lakeside-annotation.example"
    assert specs["vijana-digitise"].offers[1] == OfferSpec("transcription", "850", 0.90, 0.3, "KES")
    assert specs["metro-manila-contact"].knockout == (2025, "Quezon City Eastwood")
    assert specs["cape-flats-digital"].workforce.other_category_label == (
        "Young adults leaving foster care"
    )

    nairobi_2024 = WAGE_ZONES["KE_urban"].by_year[2024]
    assert nairobi_2024.minimum == 16113.75
    assert nairobi_2024.minimum_source == (
        "Kenya Regulation of Wages (General) (Amendment) Order 2024, general labourer, "
        "Nairobi, Mombasa and Kisumu"
    )
    assert nairobi_2024.minimum_date == "2024-11-01"
    assert nairobi_2024.living == 35600.0
    assert nairobi_2024.living_source == "Anker Living Wage Reference Value, urban Kenya 2024"
    accra = WAGE_ZONES["GH_urban"]
    assert (accra.currency, accra.pay_period, accra.weekly_hours) == ("GHS", "week", 40.0)
    # GHS 19.97 a day x 5 days = GHS 99.85 a week
    assert accra.by_year[2025].minimum == 99.85
    assert accra.by_year[2025].minimum_source == (
        "Ghana National Daily Minimum Wage 2025 (GHS 19.97 per day, National Tripartite "
        "Committee) x 5 days"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'contact = "Grace Nakato"\n',
            "",
            "vendors.toml: vendor 'lakeside-annotation': missing key 'contact'",
        ),
        (
            'slug = "kazidata"\n',
            "",
            "vendors.toml: vendor 'Kazi Data Works': missing key 'slug'",
        ),
        (
            "headcount = 180\n",
            "",
            "vendors.toml: vendor 'kazidata', workforce: missing key 'headcount'",
        ),
        (
            'price = "6.48", ',
            "",
            "vendors.toml: vendor 'kazidata', offers[0]: missing key 'price'",
        ),
        (
            "impact_share = 0.55",
            "impact_shares = 0.55",
            "vendors.toml: vendor 'kazidata', workforce: unknown key 'impact_shares'",
        ),
        (
            'price = "8.60"',
            "price = 8.60",
            "vendors.toml: vendor 'kazidata', offers[1], price: expected str, got 8.6",
        ),
        (
            "headcount = 180",
            "headcount = 180.0",
            "vendors.toml: vendor 'kazidata', workforce, headcount: expected int, got 180.0",
        ),
        (
            'zone = "KE_urban"',
            'zone = "KE_city"',
            "vendors.toml: vendor 'kazidata', sites: unknown wage zone 'KE_city'",
        ),
        (
            'evidence_levels = "documented"',
            'evidence_levels = "documentd"',
            "vendors.toml: vendor 'kazidata', evidence_levels: 'documentd' is not one of",
        ),
        (
            'plans = { 2025 = "draft" }',
            'plans = { 2025 = "drafted" }',
            "vendors.toml: vendor 'kazidata', plans: 'drafted' is not one of",
        ),
        ("[[vendors]]", "[[vendors]", "vendors.toml: "),
    ],
)
def test_a_broken_vendor_file_names_the_vendor_and_the_key(tmp_path, old, new, message):
    text = VENDORS_FILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "vendors.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DemoDataError) as raised:
        load_vendor_specs(broken, WAGE_ZONES)
    assert str(raised.value).startswith(message)


def test_a_broken_wage_zone_file_names_the_zone_year_and_key(tmp_path):
    text = ZONES_FILE.read_text(encoding="utf-8")
    old = 'minimum_date = "2022-05-01"\n'  # the first: KE_urban, 2023
    assert old in text
    broken = tmp_path / "wage_zones.toml"
    broken.write_text(text.replace(old, "", 1), encoding="utf-8")
    with pytest.raises(DemoDataError) as raised:
        load_wage_zones(broken)
    assert str(raised.value) == (
        "wage_zones.toml: wage zone 'KE_urban', by_year.2023: missing key 'minimum_date'"
    )
