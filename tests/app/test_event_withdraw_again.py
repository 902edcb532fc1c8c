"""A second press of Withdraw (issue #21): 409 when the vendor withdrew that bid already, decided
by the lot's withdrawal record (`LotWithdrawal`: bid, vendor, lot, when), not by the audit log;
404 for another vendor, another event's path, an id never withdrawn, and an id that now names a
live bid. SQLite gives a deleted bid's id to the next bid when it was the highest, so another
vendor's new bid may carry the id of a bid the first vendor withdrew: that vendor must read 404
for it, never "You withdrew this bid"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from procure.audit.models import AuditEvent
from procure.events.models import Bid, LotWithdrawal
from procure.extensions import db
from tests.app import test_events
from tests.app.test_events import FUTURE, _bid_both, _published
from tests.conftest import csrf_token_from

sourcing = test_events.sourcing  # the fixture, under its name

ALREADY = "already: there is nothing left to withdraw. Bid on the lot again to take part in it."


def _withdraw(client, headers, bid_id):
    return client.post(f"/api/v1/bids/{bid_id}/withdraw", headers=headers, json={"version": 1})


def _said(withdrawal: LotWithdrawal) -> str:
    when = withdrawal.withdrawn_at.strftime("%Y-%m-%d %H:%M")
    return f"You withdrew this bid from lot {withdrawal.lot.title} on {when} UTC {ALREADY}"


def test_a_second_withdrawal_is_decided_by_the_lots_record_not_the_audit_log(
    app, client, sourcing, sign_in
):
    """The audit log emptied of withdrawals after the first press: still 409, with the lot and
    the moment from the withdrawal record; 404 for the other vendor, another event's path and
    an id nobody withdrew."""
    s = sourcing
    event = _published(client, s)
    bid_a, bid_b = _bid_both(client, s, event)
    assert _withdraw(client, s.headers["vendor_a"], bid_a).status_code == 204
    withdrawal = db.session.scalars(select(LotWithdrawal)).one()
    assert (withdrawal.bid_id, withdrawal.vendor_id) == (bid_a, s.vendors["a"].id)
    db.session.execute(delete(AuditEvent).where(AuditEvent.action == "bid.withdraw"))
    db.session.commit()

    again = _withdraw(client, s.headers["vendor_a"], bid_a)
    assert again.status_code == 409, again.text
    assert again.json["message"] == _said(withdrawal)
    assert again.json["errors"] == {"bid": ["Withdrawn already."]}
    for other in ("vendor_b", "admin_vendor_b"):
        assert _withdraw(client, s.headers[other], bid_a).status_code == 404
    never = bid_b + 100
    assert _withdraw(client, s.headers["vendor_a"], never).status_code == 404

    vendor = app.test_client()
    sign_in(vendor, s.users["vendor_a"])
    token = csrf_token_from(vendor.get(f"/events/{event['id']}").text)
    form = {"csrf_token": token, "version": "1"}
    twice = vendor.post(f"/events/{event['id']}/bids/{bid_a}/withdraw", data=form)
    assert twice.status_code == 409 and _said(withdrawal) in twice.text
    elsewhere = _published(client, s, title="Elsewhere")
    assert (
        vendor.post(f"/events/{elsewhere['id']}/bids/{bid_a}/withdraw", data=form).status_code
        == 404
    )
    assert vendor.post(f"/events/{event['id']}/bids/{never}/withdraw", data=form).status_code == 404


def test_a_withdrawn_bids_id_given_to_another_vendors_bid_answers_404(client, sourcing):
    """Vendor A withdraws its bid on Labelling; its id goes to vendor B's new bid on Invoices
    (inserted with that id, as SQLite does when the id was the highest). A's second press: 404,
    as for any bid of B's; B withdraws its bid, and B's own second press reads 409 on Invoices."""
    s = sourcing
    event = _published(client, s)
    bid_a, _ = _bid_both(client, s, event)
    assert _withdraw(client, s.headers["vendor_a"], bid_a).status_code == 204
    invoices = event["lots"][1]
    db.session.add(
        Bid(
            id=bid_a,
            event_id=event["id"],
            lot_id=invoices["id"],
            vendor_id=s.vendors["b"].id,
            submitted_by_id=s.users["vendor_b"].id,
            price=0.4,
            currency="USD",
            unit=invoices["unit"],
            hours_per_unit=0.05,
            capacity=5000,
            valid_until=(FUTURE + timedelta(days=60)).date(),
        )
    )
    db.session.commit()

    assert _withdraw(client, s.headers["vendor_a"], bid_a).status_code == 404
    assert db.session.get(Bid, bid_a) is not None  # B's bid stays
    assert _withdraw(client, s.headers["vendor_b"], bid_a).status_code == 204
    again = _withdraw(client, s.headers["vendor_b"], bid_a)
    assert again.status_code == 409
    assert again.json["message"].startswith("You withdrew this bid from lot Invoices on ")
