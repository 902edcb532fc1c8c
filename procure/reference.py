"""Reference data (ISO countries and currencies, FX rates) loaded once from config/."""

from __future__ import annotations

from functools import lru_cache

from procure.reference_data import Reference, load_reference
from procure.settings import resource_dir


@lru_cache(maxsize=1)
def reference() -> Reference:
    return load_reference(resource_dir("config"))
