"""One page of a scoped select: the rows of the page and how many there are in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from procure.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_of_rows(
    statement: Select[Any], page: int, per_page: int, *, tuples: bool = False
) -> Page[Any]:
    """Page `page` (from 1) of the records `statement` selects, in its order, and their count;
    with `tuples`, each item is the whole row of a statement that selects several things."""
    # counted without the order: sorting every row only to count them took 20-30 ms of the
    # review queue's 10,000 submitted versions on PostgreSQL, against 3.5 ms unsorted (#23)
    counted = statement.order_by(None).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    offset = (page - 1) * per_page
    if offset >= total:  # past the last page (and no offset too large for the database)
        return Page([], page, per_page, total)
    paged = statement.limit(per_page).offset(offset)
    items = db.session.execute(paged).all() if tuples else db.session.scalars(paged).all()
    return Page([tuple(i) for i in items] if tuples else list(items), page, per_page, total)


def page_of_items(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Page `page` (from 1) of a list built whole, and its length."""
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), page, per_page, len(items))
