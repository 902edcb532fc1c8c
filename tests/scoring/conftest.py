"""Fixtures for the scoring tests: the default config (immutable, so shared) and factories
for vendor tables (a fresh DataFrame per call, never a shared mutable one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scoring import Catalog, Profile, load_catalog, load_profile, read_vendor_table
from scoring.contract import REQUIRED_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
DATA = ROOT / "tests" / "data" / "scoring"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(CONFIG / "metrics.toml")


@pytest.fixture(scope="session")
def profile(catalog: Catalog) -> Profile:
    return load_profile(CONFIG / "scoring_profile.toml", catalog)


@pytest.fixture(scope="session")
def golden_table() -> Callable[[], pd.DataFrame]:
    """Reads the four hand-computed vendors of tests/data/scoring/golden_vendors.csv
    (a fresh DataFrame per call)."""
    return lambda: read_vendor_table(DATA / "golden_vendors.csv")


def _vendor_row(vendor_id: object = "V1", **changes: object) -> dict[str, object]:
    """One fully disclosed, plain vendor (V1 of the golden file); ``changes`` override it.
    Pass ``math.nan`` (or ``""``) to leave a cell undisclosed."""
    row: dict[str, object] = {
        "vendor_id": vendor_id,
        "category": "annotation",
        "price": 20.0,
        "quality": 0.95,
        "headcount_start": 80,
        "headcount_end": 100,
        "fte_avg": 90,
        "total_hires": 40,
        "impact_worker_hires": 10,
        "impact_workers_start": 20,
        "impact_workers_end": 30,
        "retention_cohort_hired": 10,
        "retention_cohort_retained_12m": 7,
        "promotions_impact_workers": 3,
        "pay_period": "hour",
        "standard_weekly_hours": 40,
        "entry_level_wage": 12,
        "impact_worker_median_wage": 13,
        "local_minimum_wage": 10,
        "living_wage_benchmark": 13,
        "training_hours_impact_workers": 1200,
        "training_spend_usd": 27000,
        "evidence_workforce": "third_party_reasonable",
        "evidence_wages": "third_party_reasonable",
        "evidence_training": "third_party_reasonable",
    }
    unknown = set(changes) - set(row)
    assert not unknown, f"not a contract column: {unknown}"
    row.update(changes)
    return row


@pytest.fixture(scope="session")
def vendor_row() -> Callable[..., dict[str, object]]:
    """Factory of vendor rows (a new dict per call); see ``_vendor_row``."""
    return _vendor_row


@pytest.fixture(scope="session")
def make_table() -> Callable[..., pd.DataFrame]:
    """Factory of vendor DataFrames (a new frame per call) from rows of ``vendor_row``."""

    def build(*rows: dict[str, object]) -> pd.DataFrame:
        return pd.DataFrame(list(rows), columns=list(REQUIRED_COLUMNS))

    return build
