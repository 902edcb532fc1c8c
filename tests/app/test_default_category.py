"""The category a comparison opens on counts the active offers once per change of the offers
(#23: counting every offer on every request of /scores was 12 ms at 10,000 vendors)."""

from sqlalchemy import event

from procure.extensions import db
from procure.scoring.services import active_offers_by_category, default_category
from procure.vendors.categories import seed_service_categories
from procure.vendors.services import create_offer, update_offer


def _offer(vendor, user, category: str, active: bool = True):
    return create_offer(
        vendor,
        {
            "service_category": category,
            "unit": seed_service_categories()[category].unit,
            "price": 5,
            "currency": "USD",
            "capacity_per_period": 1000.0,
            "quality": 0.9,
            "active": active,
        },
        user,
    )


def _offer_counts_read() -> tuple[dict[str, int], int]:
    """The counts, and how many times the offers were read for them."""
    reads: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM offer" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = active_offers_by_category()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return counts, len(reads)


def test_the_offers_are_counted_once_until_an_offer_changes(app, make_vendor):
    with app.app_context():
        vendor, user = make_vendor()  # one data annotation offer
        assert _offer_counts_read() == ({"data_annotation": 1}, 1)
        assert _offer_counts_read() == ({"data_annotation": 1}, 0)  # kept: nothing changed
        assert default_category(user.organization_id) == "data_annotation"

        # two transcription offers through the service: counted again, and they lead now
        _offer(vendor, user, "transcription")
        second = _offer(vendor, user, "transcription")
        db.session.commit()
        assert _offer_counts_read() == ({"data_annotation": 1, "transcription": 2}, 1)
        assert default_category(user.organization_id) == "transcription"

        # one withdrawn: 1 and 1, the tie goes to the key first in order
        update_offer(second, {"active": False}, second.version, user)
        db.session.commit()
        assert _offer_counts_read() == ({"data_annotation": 1, "transcription": 1}, 1)
        assert default_category(user.organization_id) == "data_annotation"
