"""Reference data for disclosures: countries, currencies and dated exchange rates to USD.

Countries (ISO 3166-1) and currencies (ISO 4217) come from pycountry, completed and corrected by
config/countries.toml and config/currencies.toml (what pycountry lacks: each country's wage
currency, each currency's kind and minor units, codes the app keeps after ISO dropped them).
Exchange rates are data the platform operator maintains in the database (procure.rates);
config/fx.toml only seeds them (migration 0016), and `load_reference` reads it as the seed. The
caller names the folder (the app passes `procure.settings.resource_dir("config")`). Pure Python:
no app, no database, so validation and scoring can be tested on their own.
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pycountry

COUNTRIES_FILE = "countries.toml"
CURRENCIES_FILE = "currencies.toml"
FX_FILE = "fx.toml"

# Currencies.kind values; only CASH_CURRENCY codes are accepted for wages and training spend.
CASH_CURRENCY = "currency"
UNIT = "unit"
CURRENCY_KINDS = frozenset({CASH_CURRENCY, "fund", UNIT})
DEFAULT_MINOR_UNITS = 2  # for currencies and funds; units have none


class ReferenceDataError(ValueError):
    """A reference file is malformed (a config mistake, not a vendor's)."""


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # ISO English short name
    currency: str | None  # ISO 4217 code wages are normally paid in; None for Antarctica


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217 alphabetic
    name: str
    minor_units: int | None  # digits after the decimal point; None for units such as XAU
    kind: str  # "currency", "fund" or "unit"

    @property
    def is_cash(self) -> bool:
        """True for money that wages can be paid in (not a fund code, metal or test code)."""
        return self.kind == CASH_CURRENCY


@dataclass(frozen=True)
class FxRate:
    currency: str
    date: date
    usd_per_unit: float
    source: str


@dataclass(frozen=True)
class UsdConversion:
    """An amount converted to US dollars, with the rate used.

    Unpacks as `(usd_amount, rate, rate_date, source)`. `rate_is_after_date` is True when no
    rate was dated on or before the requested day and the earliest later rate was used
    instead; show that to whoever reads the converted figure.
    """

    usd_amount: float
    rate: float  # USD per unit of the original currency
    rate_date: date
    source: str
    rate_is_after_date: bool = False

    def __iter__(self) -> Iterator[Any]:
        return iter((self.usd_amount, self.rate, self.rate_date, self.source))


class MissingExchangeRate(LookupError):
    """A currency without any rate to USD: it cannot be converted on any day.

    `currency` is the code asked for; `convertible` the codes that can be (USD among them)."""

    def __init__(self, currency: str, convertible: list[str]):
        super().__init__(
            f"No exchange rate to USD for currency {currency!r}; "
            f"currencies with rates: {', '.join(convertible)}."
        )
        self.currency = currency
        self.convertible = convertible


class FxTable:
    """Dated rates to USD, looked up by currency and day."""

    def __init__(self, rates: list[FxRate]):
        by_currency: dict[str, list[FxRate]] = {}
        for rate in rates:
            by_currency.setdefault(rate.currency, []).append(rate)
        self._rates = {
            code: sorted(found, key=lambda rate: rate.date) for code, found in by_currency.items()
        }
        self._dates = {code: [rate.date for rate in found] for code, found in self._rates.items()}

    @property
    def currencies(self) -> frozenset[str]:
        """Codes that have at least one rate (USD is always convertible and not listed)."""
        return frozenset(self._rates)

    def convertible(self) -> list[str]:
        """Every code an amount can be converted from, USD included, in code order."""
        return sorted({*self._rates, "USD"})

    def has_rate(self, currency: str) -> bool:
        """Whether amounts in `currency` convert to USD on every day (USD always does)."""
        return currency == "USD" or currency in self._rates

    def rates(self) -> list[FxRate]:
        """Every rate, by currency and date."""
        return [rate for code in sorted(self._rates) for rate in self._rates[code]]

    def rate_on(self, currency: str, on: date) -> tuple[FxRate, bool]:
        """The latest rate dated on or before `on`; else the earliest later one, flagged True.

        Raises MissingExchangeRate (a LookupError) naming the currency when it has no rate.
        """
        rates = self._rates.get(currency)
        if not rates:
            raise MissingExchangeRate(currency, self.convertible())
        position = bisect.bisect_right(self._dates[currency], on)
        if position == 0:
            return rates[0], True
        return rates[position - 1], False

    def to_usd(self, amount: float, currency: str, on: date) -> UsdConversion:
        """Convert `amount` of `currency` to US dollars at the rate in force on `on`.

        USD converts at 1 (dated `on`, source "identity"). See `rate_on` for which rate is
        chosen; MissingExchangeRate (a LookupError) names a currency without rates.
        """
        if currency == "USD":
            return UsdConversion(float(amount), 1.0, on, "identity")
        rate, is_after = self.rate_on(currency, on)
        return UsdConversion(
            amount * rate.usd_per_unit, rate.usd_per_unit, rate.date, rate.source, is_after
        )

    def try_to_usd(self, amount: float, currency: str, on: date) -> UsdConversion | None:
        """As `to_usd`, but None for a currency without rates: for readers of stored figures,
        which treat the amount as not disclosed (and say why) rather than fail."""
        if not self.has_rate(currency):
            return None
        return self.to_usd(amount, currency, on)


@dataclass(frozen=True)
class Reference:
    countries: Mapping[str, Country]
    currencies: Mapping[str, Currency]
    fx: FxTable


def load_reference(config_dir: Path | str) -> Reference:
    """pycountry's countries and currencies completed by the overrides in `config_dir`, and
    the FX rates there (the seed of the database's rates).

    Raises ReferenceDataError when a file is malformed, naming the file and entry, so a
    bad edit to config fails at start-up rather than at a vendor's submission.
    """
    config_dir = Path(config_dir)
    currencies = _read_currencies(_read_toml(config_dir / CURRENCIES_FILE))
    countries = _read_countries(_read_toml(config_dir / COUNTRIES_FILE), currencies)
    fx = _read_fx(_read_toml(config_dir / FX_FILE), currencies)
    return Reference(countries=countries, currencies=currencies, fx=fx)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{path.name}: {exc}") from None


def _entry(table: Mapping[str, Any], key: str, file_name: str, where: str, kind: type) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ReferenceDataError(f"{file_name} [{where}]: {key!r} must be a {kind.__name__}.")
    return value


def _overrides(
    table: Mapping[str, Any], file_name: str, code_length: int, keys: set[str]
) -> dict[str, Mapping[str, Any]]:
    """The override tables of a file, by code, once each is a table of known keys."""
    for code, entry in table.items():
        if not (len(code) == code_length and code.isascii() and code.isalpha() and code.isupper()):
            raise ReferenceDataError(
                f"{file_name} [{code}]: a code is {code_length} capital letters."
            )
        if not isinstance(entry, dict):
            raise ReferenceDataError(f"{file_name} [{code}]: must be a table.")
        unknown = sorted(set(entry) - keys)
        if unknown:
            raise ReferenceDataError(f"{file_name} [{code}]: unknown key {unknown[0]!r}.")
    return dict(table)


def _read_currencies(table: Mapping[str, Any]) -> dict[str, Currency]:
    overrides = _overrides(table, CURRENCIES_FILE, 3, {"name", "minor_units", "kind"})
    names = {currency.alpha_3: currency.name for currency in pycountry.currencies}
    for code, entry in overrides.items():
        if "name" in entry or code not in names:
            names[code] = _entry(entry, "name", CURRENCIES_FILE, code, str)
    currencies = {}
    for code in sorted(names):
        entry = overrides.get(code, {})
        # ISO 4217 gives X codes to what belongs to no one country: metals, SDR, test codes...
        kind = entry.get("kind", UNIT if code.startswith("X") else CASH_CURRENCY)
        if kind not in CURRENCY_KINDS:
            raise ReferenceDataError(f"{CURRENCIES_FILE} [{code}]: unknown kind {kind!r}.")
        minor_units = entry.get("minor_units", None if kind == UNIT else DEFAULT_MINOR_UNITS)
        if minor_units is not None and (
            not isinstance(minor_units, int) or isinstance(minor_units, bool)
        ):
            raise ReferenceDataError(f"{CURRENCIES_FILE} [{code}]: 'minor_units' must be an int.")
        currencies[code] = Currency(code, names[code], minor_units, kind)
    return currencies


def _read_countries(
    table: Mapping[str, Any], currencies: Mapping[str, Currency]
) -> dict[str, Country]:
    overrides = _overrides(table, COUNTRIES_FILE, 2, {"name", "currency"})
    names = {country.alpha_2: country.name for country in pycountry.countries}
    for code, entry in overrides.items():
        if "name" in entry or code not in names:
            names[code] = _entry(entry, "name", COUNTRIES_FILE, code, str)
        if "currency" in entry:
            currency = _entry(entry, "currency", COUNTRIES_FILE, code, str)
            if currency not in currencies:
                raise ReferenceDataError(
                    f"{COUNTRIES_FILE} [{code}]: currency {currency!r} is not in {CURRENCIES_FILE}."
                )
    # ISO 4217 builds a country's own currency code from its alpha-2 code (KE -> KES)
    cash_by_country: dict[str, list[str]] = {}
    for listed in currencies.values():
        if listed.is_cash:
            cash_by_country.setdefault(listed.code[:2], []).append(listed.code)
    countries = {}
    for code in sorted(names):
        own = cash_by_country.get(code, [])
        default = own[0] if len(own) == 1 else None  # none, or several to choose from
        currency = overrides.get(code, {}).get("currency", default)
        countries[code] = Country(code, names[code], currency)
    return countries


def _read_fx(table: Mapping[str, Any], currencies: Mapping[str, Currency]) -> FxTable:
    default_source = _entry(table, "source", FX_FILE, "top level", str)
    rates = []
    for position, entry in enumerate(table.get("rate", [])):
        where = f"rate {position + 1}"
        currency = _entry(entry, "currency", FX_FILE, where, str)
        if currency not in currencies:
            raise ReferenceDataError(
                f"{FX_FILE} [{where}]: currency {currency!r} is not in {CURRENCIES_FILE}."
            )
        usd_per_unit = entry.get("usd_per_unit")
        if (
            not isinstance(usd_per_unit, (int, float))
            or isinstance(usd_per_unit, bool)
            or not usd_per_unit > 0
        ):
            raise ReferenceDataError(
                f"{FX_FILE} [{where}]: 'usd_per_unit' must be a number above 0."
            )
        rate_date = _entry(entry, "date", FX_FILE, where, date)
        rates.append(
            FxRate(currency, rate_date, float(usd_per_unit), entry.get("source", default_source))
        )
    return FxTable(rates)
