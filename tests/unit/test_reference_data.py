"""Reference data: ISO country and currency lists, and dated FX rates to USD."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from procure.reference_data import (
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
