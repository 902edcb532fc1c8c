"""Reference data: ISO country and currency lists, and dated FX rates to USD."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from procure.reference_data import (
    Country,
    Currency,
    FxRate,
    FxTable,
    ReferenceDataError,
    UsdConversion,
    load_reference,
)

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
REFERENCE = load_reference(CONFIG_DIR)
FX_SOURCE = "Approximate period-end rates modelled on IMF IFS (demo and test values)"


def test_every_assigned_country_and_active_currency_is_listed():
    assert len(REFERENCE.countries) == 249
    assert len(REFERENCE.currencies) >= 150
    assert all(len(code) == 2 and code.isupper() for code in REFERENCE.countries)
    assert all(len(code) == 3 and code.isupper() for code in REFERENCE.currencies)


def test_each_country_currency_is_a_listed_cash_currency():
    without_currency = [
        code for code, country in REFERENCE.countries.items() if country.currency is None
    ]
    assert without_currency == ["AQ"]  # Antarctica has no currency of its own
    for country in REFERENCE.countries.values():
        if country.currency is not None:
            assert REFERENCE.currencies[country.currency].is_cash, country.code


@pytest.mark.parametrize(
    ("code", "name", "currency"),
    [
        ("KE", "Kenya", "KES"),
        ("UG", "Uganda", "UGX"),
        ("KH", "Cambodia", "KHR"),
        ("IN", "India", "INR"),
        ("PH", "Philippines", "PHP"),
        ("US", "United States", "USD"),
        ("GB", "United Kingdom", "GBP"),
        ("DE", "Germany", "EUR"),
        ("ZA", "South Africa", "ZAR"),
        ("NG", "Nigeria", "NGN"),
        ("ET", "Ethiopia", "ETB"),
        ("EC", "Ecuador", "USD"),
        ("CI", "Côte d'Ivoire", "XOF"),
        ("SL", "Sierra Leone", "SLE"),
        ("TR", "Türkiye", "TRY"),
    ],
)
def test_country_sample(code, name, currency):
    country = REFERENCE.countries[code]
    assert (country.code, country.name, country.currency) == (code, name, currency)


@pytest.mark.parametrize(
    ("code", "name", "minor_units"),
    [
        ("KES", "Kenyan Shilling", 2),
        ("UGX", "Uganda Shilling", 0),
        ("KHR", "Riel", 2),
        ("INR", "Indian Rupee", 2),
        ("PHP", "Philippine Peso", 2),
        ("USD", "US Dollar", 2),
        ("EUR", "Euro", 2),
        ("GBP", "Pound Sterling", 2),
        ("ZAR", "Rand", 2),
        ("NGN", "Naira", 2),
        ("JPY", "Yen", 0),
        ("JOD", "Jordanian Dinar", 3),
        ("CLF", "Unidad de Fomento", 4),
    ],
)
def test_currency_sample(code, name, minor_units):
    currency = REFERENCE.currencies[code]
    assert (currency.code, currency.name, currency.minor_units) == (code, name, minor_units)


def test_metals_and_fund_codes_are_not_cash():
    assert not REFERENCE.currencies["XAU"].is_cash
    assert REFERENCE.currencies["XAU"].minor_units is None
    assert REFERENCE.currencies["BOV"].kind == "fund"
    assert "HRK" not in REFERENCE.currencies  # Croatia uses the euro since 2023


DEMO_COUNTRIES = [
    "KE",
    "UG",
    "KH",
    "IN",
    "PH",
    "US",
    "GB",
    "DE",
    "ZA",
    "NG",
    "ET",
    "RW",
    "GH",
    "BD",
    "PK",
    "EG",
    "LB",
    "JO",
    "TR",
    "BR",
    "MX",
    "CO",
]


@pytest.mark.parametrize("country", DEMO_COUNTRIES)
@pytest.mark.parametrize(
    "on", [date(2024, 6, 30), date(2024, 12, 31), date(2025, 6, 30), date(2025, 12, 31)]
)
def test_fx_has_a_rate_on_each_reporting_date_for_the_demo_countries(country, on):
    currency = REFERENCE.countries[country].currency
    conversion = REFERENCE.fx.to_usd(100, currency, on)
    assert conversion.rate_date == on
    assert not conversion.rate_is_after_date
    assert conversion.rate > 0


def test_fx_uses_the_latest_rate_on_or_before_the_day():
    # KES rates: 0.00774 on 2025-06-30, 0.00774 on 2025-12-31; 0.007734 on 2024-12-31
    usd, rate, rate_date, source = REFERENCE.fx.to_usd(1_000_000, "KES", date(2025, 3, 31))
    assert (rate, rate_date, source) == (0.007734, date(2024, 12, 31), FX_SOURCE)
    assert usd == pytest.approx(7734.0)  # 1,000,000 × 0.007734
    on_the_day = REFERENCE.fx.to_usd(100, "EUR", date(2025, 12, 31))
    assert on_the_day.usd_amount == pytest.approx(117.5)  # 100 × 1.175
    assert on_the_day.rate_date == date(2025, 12, 31)
    later = REFERENCE.fx.to_usd(100, "EUR", date(2026, 6, 1))
    assert (later.rate, later.rate_date, later.rate_is_after_date) == (
        1.175,
        date(2025, 12, 31),
        False,
    )


def test_fx_before_the_first_rate_uses_the_earliest_and_flags_it():
    conversion = REFERENCE.fx.to_usd(100, "GBP", date(2023, 1, 1))
    assert (conversion.rate, conversion.rate_date, conversion.rate_is_after_date) == (
        1.265,
        date(2024, 6, 30),
        True,
    )


def test_usd_converts_at_one():
    assert tuple(REFERENCE.fx.to_usd(250, "USD", date(2025, 1, 1))) == (
        250.0,
        1.0,
        date(2025, 1, 1),
        "identity",
    )


@pytest.mark.parametrize("currency", ["JPY", "XYZ"])
def test_fx_without_a_rate_names_the_currency(currency):
    with pytest.raises(LookupError, match=f"'{currency}'"):
        REFERENCE.fx.to_usd(1, currency, date(2025, 1, 1))


def test_a_rate_may_name_its_own_source():
    table = FxTable([FxRate("KES", date(2025, 1, 1), 0.0077, "Central Bank of Kenya")])
    assert table.to_usd(100, "KES", date(2025, 2, 1)) == UsdConversion(
        pytest.approx(0.77), 0.0077, date(2025, 1, 1), "Central Bank of Kenya"
    )


def _config(tmp_path: Path, countries: str, currencies: str, fx: str) -> Path:
    (tmp_path / "countries.toml").write_text(countries)
    (tmp_path / "currencies.toml").write_text(currencies)
    (tmp_path / "fx.toml").write_text(fx)
    return tmp_path


KES = '[KES]\nname = "Kenyan Shilling"\nminor_units = 2\nkind = "currency"\n'


@pytest.mark.parametrize(
    ("countries", "fx", "message"),
    [
        (
            '[KE]\nname = "Kenya"\ncurrency = "KSH"\n',
            'source = "s"\n',
            "countries.toml [KE]: currency 'KSH' is not in currencies.toml.",
        ),
        (
            '[KE]\nname = "Kenya"\n',
            'source = "s"\n[[rate]]\ncurrency = "KES"\ndate = 2025-01-01\nusd_per_unit = 0\n',
            "fx.toml [rate 1]: 'usd_per_unit' must be a number above 0.",
        ),
        ('[KE]\nname = "Kenya"\n', "[[rate]]\n", "fx.toml [top level]: 'source' must be a str."),
        ("[KE]\nname = \n", 'source = "s"\n', "countries.toml: "),
    ],
)
def test_a_malformed_config_file_is_reported_with_its_place(tmp_path, countries, fx, message):
    with pytest.raises(ReferenceDataError) as raised:
        load_reference(_config(tmp_path, countries, KES, fx))
    assert str(raised.value).startswith(message)


HAND_KEPT = Path(__file__).resolve().parents[1] / "data" / "reference" / "hand_kept_iso_codes.toml"
# What pycountry brought that the hand-kept tables lacked, each with why it may stay.
NEW_SINCE_HAND_KEPT = {
    "XAD": ("unit", None),  # Arab Accounting Dinar: a unit of account, refused for wages
}


def test_codes_match_the_hand_kept_tables_they_replaced():
    with open(HAND_KEPT, "rb") as handle:
        hand_kept = tomllib.load(handle)
    countries = dict(entry.split("=") for entry in hand_kept["countries"].split())
    assert {code: country.currency or "" for code, country in REFERENCE.countries.items()} == (
        countries
    )
    currencies: dict[str, tuple[str, int | None]] = {
        code: ("unit", None) for code in hand_kept["unit_currencies"].split()
    }
    for kind, key in (("currency", "cash_currencies"), ("fund", "fund_currencies")):
        for entry in hand_kept[key].split():
            code, minor_units = entry.split(":")
            currencies[code] = (kind, int(minor_units))
    assert {
        code: (currency.kind, currency.minor_units)
        for code, currency in REFERENCE.currencies.items()
    } == currencies | NEW_SINCE_HAND_KEPT


def test_countries_and_currencies_are_in_code_order():
    # the vendor form lists countries in this order
    assert list(REFERENCE.countries) == sorted(REFERENCE.countries)
    assert list(REFERENCE.currencies) == sorted(REFERENCE.currencies)


def test_a_country_pays_in_its_own_currency_unless_an_override_names_another(tmp_path):
    countries = '[KE]\ncurrency = "USD"\n[XK]\nname = "Kosovo"\ncurrency = "EUR"\n'
    reference = load_reference(_config(tmp_path, countries, KES, 'source = "s"\n'))
    assert (reference.countries["UG"].name, reference.countries["UG"].currency) == (
        "Uganda",
        "UGX",  # the one cash currency whose code starts with UG
    )
    assert reference.countries["KE"].currency == "USD"
    assert reference.countries["XK"] == Country("XK", "Kosovo", "EUR")
    # DE has no code of its own (EUR); VE has two (VED, VES) and no override here to choose
    assert reference.countries["DE"].currency is None
    assert reference.countries["VE"].currency is None


def test_currency_defaults_by_code_and_overrides():
    assert REFERENCE.currencies["KES"] == Currency("KES", "Kenyan Shilling", 2, "currency")
    assert REFERENCE.currencies["XDR"].kind == "unit"  # an X code, not marked as cash
    assert REFERENCE.currencies["XOF"] == Currency("XOF", "CFA Franc BCEAO", 0, "currency")
    assert REFERENCE.currencies["SLL"] == Currency("SLL", "Leone", 2, "currency")  # kept


@pytest.mark.parametrize(
    ("currencies", "message"),
    [
        ("[KES]\nminor_unit = 2\n", "currencies.toml [KES]: unknown key 'minor_unit'."),
        ('[kes]\nname = "Kenyan Shilling"\n', "currencies.toml [kes]: a code is 3 capital"),
        ("[ABC]\nkind = 'currency'\n", "currencies.toml [ABC]: 'name' must be a str."),
        ("[KES]\nkind = 'cash'\n", "currencies.toml [KES]: unknown kind 'cash'."),
        ("[KES]\nminor_units = '2'\n", "currencies.toml [KES]: 'minor_units' must be an int."),
    ],
)
def test_a_malformed_override_is_reported_with_its_place(tmp_path, currencies, message):
    with pytest.raises(ReferenceDataError) as raised:
        load_reference(_config(tmp_path, "", currencies, 'source = "s"\n'))
    assert str(raised.value).startswith(message)


def test_a_country_pycountry_lacks_needs_a_name(tmp_path):
    with pytest.raises(ReferenceDataError, match=r"countries.toml \[XK\]: 'name' must be a str"):
        load_reference(_config(tmp_path, '[XK]\ncurrency = "EUR"\n', KES, 'source = "s"\n'))
