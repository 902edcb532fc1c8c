"""Reference data (ISO countries and currencies, FX rates) loaded once from config/."""

from __future__ import annotations

from functools import lru_cache

from procure.settings import resource_dir


@lru_cache(maxsize=1)
def reference():
    from procure.disclosures.reference_data import load_reference

    return load_reference(resource_dir("config"))
