"""The controlled list of service categories (config/service_categories.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from procure.settings import read_toml, resource_dir

UNITS = ("hour", "item", "task")


@dataclass(frozen=True)
class ServiceCategory:
    key: str
    label: str
    unit: str


@lru_cache(maxsize=1)
def service_categories() -> dict[str, ServiceCategory]:
    raw = read_toml(resource_dir("config") / "service_categories.toml")
    return {key: ServiceCategory(key, entry["label"], entry["unit"]) for key, entry in raw.items()}


def category_label(key: str) -> str:
    category = service_categories().get(key)
    return category.label if category else key
