"""The controlled list of service categories: a table the platform operator keeps, read by all.

Offers, needs and vendor profiles name a category by its `key`. The `service_category` table
holds the list (migration 0020 seeded it from config/service_categories.toml); the operator
adds categories, edits their labels and descriptions and retires them (procure.categories).
Two readers, named for what they read:

- `service_categories()`: the database's list, retired ones included (existing offers and
  needs keep theirs, and pages show its label). Read once per app context and kept per process
  by the table's signature, as the exchange rates are (procure.reference.cached_table).
- `seed_service_categories()`: config/service_categories.toml alone, for pure code without a
  database (demo data generation). It no longer changes a database that exists.

A new choice must be a category that is listed and not retired (`category_refusal`); a record
that has a category keeps it when it is retired.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false, select, true
from sqlalchemy.orm import Mapped, mapped_column

from procure.db import Base, TimestampMixin, UTCDateTime
from procure.extensions import db
from procure.reference import cached_table, forget_cached_table
from procure.settings import read_toml, resource_dir

UNITS = ("hour", "item", "task")
KEY_LENGTH = 60  # offer.service_category and need.service_category hold this many characters
LABEL_LENGTH = 120
DESCRIPTION_LENGTH = 2000


class ServiceCategory(TimestampMixin, Base):
    """One category of the controlled list: `key` is what records store and never changes;
    `label` and `description` are what people read; `unit` is the category's usual unit of work,
    fixed once an offer or a need uses the category. A retired category (`retired_at` set) is
    refused for new offers, needs and profiles; the records that have it keep it.

    Ids are never reused (AUTOINCREMENT on SQLite) and every edit raises `version`, so
    (count, max id, sum of versions) changes with every write: `service_categories()` compares
    it to know when its cached list is stale."""

    __tablename__ = "service_category"
    __table_args__ = (
        CheckConstraint(
            "unit IN ({})".format(", ".join(f"'{unit}'" for unit in UNITS)), name="unit_known"
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    unit: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None for the categories seeded by migration 0020
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @classmethod
    def scope(cls, user):
        """Every signed-in user reads every category: forms offer them, pages show their labels."""
        return true() if user.is_authenticated else false()


@dataclass(frozen=True)
class CategoryEntry:
    """A category as the rest of the app reads it (plain data, no session)."""

    key: str
    label: str
    unit: str
    description: str = ""
    retired: bool = False


@lru_cache(maxsize=1)
def seed_service_categories() -> dict[str, CategoryEntry]:
    """config/service_categories.toml: the seed of the table, for code without a database."""
    raw = read_toml(resource_dir("config") / "service_categories.toml")
    return {
        key: CategoryEntry(key, entry["label"], entry["unit"], entry.get("description", ""))
        for key, entry in raw.items()
    }


def _load_service_categories() -> dict[str, CategoryEntry]:
    rows = db.session.execute(
        select(
            ServiceCategory.key,
            ServiceCategory.label,
            ServiceCategory.unit,
            ServiceCategory.description,
            ServiceCategory.retired_at,
        )
    ).all()
    entries = [
        CategoryEntry(key, label, unit, description, retired_at is not None)
        for key, label, unit, description, retired_at in rows
    ]
    return {entry.key: entry for entry in sorted(entries, key=lambda e: e.label.casefold())}


def service_categories() -> dict[str, CategoryEntry]:
    """The database's categories by key, in the order of their labels, retired ones included."""
    return cached_table(ServiceCategory, _load_service_categories)


def forget_service_categories() -> None:
    """After a category changed in this app context: the next read sees the change."""
    forget_cached_table(ServiceCategory)


def category_label(key: str) -> str:
    """The label people read for `key` (the key itself when it is not listed)."""
    category = service_categories().get(key)
    return category.label if category else key


def category_refusal(key: str, kept: Collection[str] = ()) -> str | None:
    """Why `key` cannot be chosen for an offer, a need or a profile: not listed, or retired
    (unless it is among `kept`, the categories the record has already). None when it can."""
    category = service_categories().get(key)
    if category is None:
        return f"Unknown service category {key!r}."
    if category.retired and key not in kept:
        return (
            f"The service category {category.label!r} ({key}) is retired: choose another. "
            "Offers and needs that have it already keep it."
        )
    return None


def category_options(kept: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(key, label) of the categories a form offers: those not retired, and those of `kept` (the
    record's own) marked as retired."""
    kept = set(kept)
    return [
        (key, f"{category.label} (retired)" if category.retired else category.label)
        for key, category in service_categories().items()
        if not category.retired or key in kept
    ]
