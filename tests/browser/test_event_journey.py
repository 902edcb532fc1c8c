"""Journey (issue 21): a buyer opens a sourcing event with two lots; two vendors bid, one on the
bid form and one through the XLSX bid sheet downloaded from the page, filled with openpyxl and
uploaded back; the deadline passes and the buyer closes the event; it solves an award scenario
with an incumbent rule and a country cap and submits it; the executive approves it; each vendor
reads its award on its home page.

The deadline is real: the form refuses one in the past, and the sealed event offers no close
button before it. Time is then moved past it the way the app reads it
(`procure.events.services.event_now`, which every events page and service asks), and the
buyer closes through its own button.

Hand-checked allocation. Lot 1 "Labelling" 1,000 hours and lot 2 "Transcription" 500 hours,
both over 2027. Alpha (Kenya, the incumbent) bids 10 and 9 USD an hour; Beta (Uganda) bids 7
and 7 USD, each up to 1,000 hours a lot. Least cost alone gives Beta all 1,500 hours (10,500
USD). The rules:
- incumbent rule: Alpha keeps at least 40 % of Labelling, so Beta takes at most 600 of it;
- country cap: vendors based in UG get at most 60 % of the labour hours, 0.6 x 1,500 = 900.
Beta saves 3 USD an hour on Labelling and 2 on Transcription, so its 900 hours go to Labelling
first, up to the 600 the incumbent rule leaves, then 300 to Transcription. Both rules bind:
    Labelling:     Alpha 400 x 10 = 4,000 + Beta 600 x 7 = 4,200 -> 8,200
    Transcription: Alpha 200 x 9  = 1,800 + Beta 300 x 7 = 2,100 -> 3,900
    total 12,100 USD; Alpha 600 hours, Beta 900 hours (60 % of 1,500).
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

import procure.events.services as event_services
from tests.app.test_award_scenarios import _need as make_need
from tests.app.test_raise_your_score import _submit as submit_disclosure
from tests.browser.conftest import Journey
from tests.conftest import TEST_PASSWORD, valid_document

SHOTS = Path("/tmp/shots_F")
PERIOD = "2027-01-01 to 2027-12-31"
# (vendor, lot) -> (hours, USD an hour): the hand-checked allocation above
EXPECTED = {
    ("Alpha Annotation", "Labelling"): (400.0, 10.0),
    ("Beta BPO", "Labelling"): (600.0, 7.0),
    ("Alpha Annotation", "Transcription"): (200.0, 9.0),
    ("Beta BPO", "Transcription"): (300.0, 7.0),
}


def _cells(row) -> list[str]:
    return [" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()]


def _actor(browser, base: str, folder: Path, email: str) -> tuple[Journey, object]:
    """A browser of the actor's own (no cookie of another's), signed in."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    actor = Journey(context.new_page(), base, folder)
    actor.page.on("dialog", lambda dialog: dialog.accept())
    actor.sign_in(email, TEST_PASSWORD)
    return actor, context


@pytest.fixture
def sourcing(client, make_vendor, make_user, make_org, bearer):
    """Alpha (KE) and Beta (UG), each with a submitted disclosure; a buyer with two needs of
    2027 and an executive of its organization."""
    vendors = {}
    for name, country in (("Alpha Annotation", "KE"), ("Beta BPO", "UG")):
        vendor, user = make_vendor(name, country=country)
        submit_disclosure(client, bearer(user), vendor, valid_document())
        vendors[name] = user
    organization = make_org("buyer", "Northbound Buying")
    buyer = make_user("buyer", organization=organization)
    executive = make_user("executive", organization=organization)
    for title, volume in (("Labelling", 1000), ("Transcription", 500)):
        make_need(client, bearer(buyer), title, "hour", volume)  # of 2027
    return {"buyer": buyer, "executive": executive, "vendors": vendors}


def _assert_own_bids(vendor, *bids: str) -> None:
    """The vendor's event page lists, lot by lot in order, its own bid in words."""
    lots = vendor.page.locator("section", has_text="Lots").locator("tbody tr")
    for position, words in enumerate(bids):
        assert words in lots.nth(position).inner_text(), (position, words)


def test_an_event_goes_from_bids_to_an_award_each_vendor_reads(
    journey, browser, sourcing, monkeypatch, tmp_path
):
    page = journey.page
    page.on("dialog", lambda dialog: dialog.accept())
    journey.sign_in(sourcing["buyer"].email, TEST_PASSWORD)

    # ---- the buyer opens the event: two lots, both vendors invited, a real deadline
    journey.go("/events")
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title").fill("Annotation 2027")
    page.get_by_label("Labelling").check()
    page.get_by_label("Transcription").check()
    page.get_by_label("Alpha Annotation").check()
    page.get_by_label("Beta BPO").check()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    page.get_by_label("Deadline (UTC)").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save the draft").click()
    assert "Choose a moment after now" in page.locator("#deadline").locator("..").inner_text()
    deadline = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    page.get_by_label("Deadline (UTC)").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    journey.shot("new-event")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_selector("text=is saved: publish it")
    event_path = urlparse_path(page.url)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=Published: the invited vendors are told")
    assert page.locator("#event-state").inner_text() == "published"
    assert not page.get_by_role("button", name="Close the event").count()  # sealed till then
    journey.shot("published")

    # ---- Alpha bids on the form, lot by lot, from the event its home page lists
    alpha, alpha_context = _actor(
        browser,
        journey.base,
        journey.folder / "alpha",
        sourcing["vendors"]["Alpha Annotation"].email,
    )
    valid_until = (deadline + timedelta(days=90)).date().isoformat()
    try:
        alpha.page.get_by_role("link", name="Annotation 2027").click()
        for lot, price in (("Labelling", "10"), ("Transcription", "9")):
            alpha.page.get_by_role("link", name=f"Bid on {lot}").click()
            alpha.page.locator("#price").fill(price)
            alpha.page.locator("#capacity").fill("1000")
            alpha.page.locator("#valid_until").fill(valid_until)
            alpha.shot(f"bid-{lot.lower()}")
            alpha.page.get_by_role("button", name="Place the bid").click()
            alpha.page.wait_for_selector("text=Your bid is saved")
        _assert_own_bids(alpha, "10.00 USD per hour, 1,000 hours", "9.00 USD per hour, 1,000 hours")
        alpha.shot("alpha-bids")
    finally:
        alpha_context.close()

    # ---- Beta bids through the bid sheet: downloaded on the page, filled, uploaded back
    beta, beta_context = _actor(
        browser, journey.base, journey.folder / "beta", sourcing["vendors"]["Beta BPO"].email
    )
    try:
        beta.go(event_path)
        with beta.page.expect_download() as download:
            beta.page.get_by_role("link", name="Download the bid sheet (Excel)").click()
        sheet_path = tmp_path / "bids.xlsx"
        download.value.save_as(sheet_path)
        workbook = load_workbook(sheet_path)
        sheet = workbook["Bids"]
        header = [cell.value for cell in sheet[1]]
        column = {name: header.index(name) + 1 for name in header if name}
        filled = 0
        for row in range(2, sheet.max_row + 1):
            lot = sheet.cell(row, column["need"]).value
            if lot not in ("Labelling", "Transcription"):
                continue
            assert sheet.cell(row, column["unit"]).value == "hour"
            sheet.cell(row, column["price"]).value = 7
            sheet.cell(row, column["currency"]).value = "USD"
            sheet.cell(row, column["hours per unit"]).value = 1
            sheet.cell(row, column["capacity"]).value = 1000
            sheet.cell(row, column["valid until"]).value = valid_until
            filled += 1
        assert filled == 2
        workbook.save(sheet_path)
        beta.page.get_by_label("Filled bid sheet (.xlsx)").set_input_files(str(sheet_path))
        beta.page.get_by_role("button", name="Upload your bids").click()
        beta.page.wait_for_selector("text=Your bid sheet is saved: 2 new bid(s), 0 amended")
        _assert_own_bids(beta, *["7.00 USD per hour, 1,000 hours"] * 2)
        beta.shot("beta-sheet-uploaded")
    finally:
        beta_context.close()

    # ---- the buyer sees who bid, never what, before the deadline
    journey.go(event_path)
    invited = page.locator("section", has_text="Vendors invited").locator("tbody tr")
    assert [_cells(invited.nth(i))[1] for i in range(2)] == ["yes", "yes"]
    assert "sealed until the event is closed" in page.locator("#bids-sealed").inner_text()
    assert "7.00" not in page.content()
    assert not page.get_by_role("button", name="Close the event").count()
    journey.shot("sealed-before-deadline")

    # ---- the deadline passes; the buyer closes the event with its own button
    monkeypatch.setattr(event_services, "event_now", lambda: deadline + timedelta(minutes=1))
    journey.go(event_path)
    page.get_by_role("button", name="Close the event").click()
    page.wait_for_selector("text=Closed: no more bids")
    assert page.locator("#event-state").inner_text() == "closed"
    bids = page.locator("section", has_text="Bids").last.locator("tbody tr")
    assert bids.count() == 4
    journey.shot("closed-bids")

    # ---- an award scenario from the bids, then the incumbent rule and the country cap
    page.get_by_role("link", name="Make an award scenario").click()
    page.get_by_label("Name", exact=True).fill("Award 2027")
    page.get_by_role("button", name="Build and solve from the bids").click()
    page.wait_for_selector(".kpis")
    assert page.locator(".kpi-value").first.inner_text() == "$10,500"  # Beta takes it all
    scenario_id = int(page.url.split("#")[0].rstrip("/").rsplit("/", 1)[1])

    form = page.locator("#add-incumbent")
    form.get_by_label("Need").select_option(label="Labelling")
    form.get_by_label("Alpha Annotation").check()
    form.get_by_label("They keep at least (%)").fill("40")
    form.get_by_role("button", name="Add the incumbent rule and solve").click()
    page.wait_for_selector(".kpis")
    page.wait_for_selector("text=$11,700")  # Alpha 400 x 10 + Beta 600 x 7 + Beta 500 x 7
    # each form field's id is the page's only one, so each label names its own field
    duplicates = page.evaluate(
        """() => { const seen = {}; for (const e of document.querySelectorAll('[id]'))
        seen[e.id] = (seen[e.id] || 0) + 1; return Object.keys(seen).filter(k => seen[k] > 1); }"""
    )
    assert duplicates == [], duplicates
    cap = page.locator("#add-country-cap")
    cap.get_by_label("Country (two letters, such as KE)").fill("UG")
    cap.get_by_label("Share of").select_option(label="Labour hours")
    cap.get_by_label("At most (%)").fill("60")
    cap.get_by_role("button", name="Add the cap and solve").click()
    page.wait_for_selector("text=$12,100")
    journey.shot("scenario-solved")

    result = journey.api(f"/api/v1/scenarios/{scenario_id}/result.json")
    problem = journey.api(f"/api/v1/scenarios/{scenario_id}/problem.json")
    names = {v["id"]: v["name"] for v in problem["vendors"]}
    needs = {n["id"]: n["title"] for n in problem["needs"]}
    placed = {
        (names[a["vendor"]], needs[a["need"]]): a["volume"]
        for a in result["allocations"]
        if a["volume"] > 1e-6
    }
    assert placed == pytest.approx({key: hours for key, (hours, _) in EXPECTED.items()})
    assert result["totals"]["cost"] == pytest.approx(12100.0)
    assert page.locator(".kpi-value").first.inner_text() == "$12,100"
    allocation = page.locator("#allocation tbody tr")
    shown = {}
    for i in range(allocation.count()):
        cells = _cells(allocation.nth(i))
        shown[(cells[1], cells[0])] = (cells[2], cells[7])
    assert shown == {
        ("Alpha Annotation", "Labelling"): ("400.0", "4,000"),
        ("Beta BPO", "Labelling"): ("600.0", "4,200"),
        ("Alpha Annotation", "Transcription"): ("200.0", "1,800"),
        ("Beta BPO", "Transcription"): ("300.0", "2,100"),
    }, shown
    rules = page.locator("#award-rules").inner_text()
    assert "40" in rules and "60" in rules, rules

    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_selector("text=Your executives")
    assert journey.api(f"/api/v1/scenarios/{scenario_id}")["status"] == "submitted"
    journey.shot("submitted")

    # ---- the executive approves it
    executive, executive_context = _actor(
        browser, journey.base, journey.folder / "executive", sourcing["executive"].email
    )
    try:
        executive.go(f"/scenarios/{scenario_id}")
        executive.page.get_by_label("Comment (required to reject)").fill(
            "Keeps Alpha on labelling and Uganda at 60 %."
        )
        executive.page.get_by_role("button", name="Approve").click()
        executive.page.wait_for_selector("text=Award 2027 is approved.")
        executive.shot("approved")
    finally:
        executive_context.close()

    # ---- the buyer's event page: the award, line by line, at the bid prices
    journey.go(event_path)
    award = page.locator("#award tbody tr")
    lines = {}
    for i in range(award.count()):
        lot, vendor, volume, price, amount, period = _cells(award.nth(i))
        lines[(vendor, lot)] = (volume, price, amount, period)
    assert lines == {
        (vendor, lot): (
            f"{hours:,.1f} hours",
            f"{price:,.2f} USD per hour",
            f"{hours * price:,.2f} USD",
            PERIOD,
        )
        for (vendor, lot), (hours, price) in EXPECTED.items()
    }
    assert "12,100.00 USD" in page.locator("#award").inner_text()
    # one award per event: no second award scenario is offered
    assert not page.get_by_role("link", name="Make an award scenario").count()
    assert page.locator("#event-state").inner_text() == "closed · awarded"
    journey.shot("event-awarded")

    # ---- each vendor reads its own award on its home page, and no one else's
    for name in ("Alpha Annotation", "Beta BPO"):
        vendor, context = _actor(
            browser,
            journey.base,
            journey.folder / name.split()[0].lower(),
            sourcing["vendors"][name].email,
        )
        try:
            rows = vendor.page.locator("section", has_text="Your awards").locator("tbody tr")
            mine = {}
            for i in range(rows.count()):
                event, lot, volume, price, period = _cells(rows.nth(i))
                assert event.startswith("Annotation 2027")
                mine[lot] = (volume, price, period)
            assert mine == {
                lot: (f"{hours:,.1f} hours", f"{price:,.2f} USD per hour", PERIOD)
                for (who, lot), (hours, price) in EXPECTED.items()
                if who == name
            }, (name, mine)
            vendor.shot("home-awards")
            vendor.go("/notifications")
            assert (
                f"Northbound Buying awarded {name} volume on 2 lots of 'Annotation 2027'."
                in vendor.page.locator("main").inner_text()
            )
            vendor.go("/")
            vendor.page.get_by_role("link", name="Annotation 2027").first.click()
            own = vendor.page.locator("#award")
            other = next(n for n in ("Alpha Annotation", "Beta BPO") if n != name)
            assert other not in own.inner_text()
            on_event = {}
            for row in own.locator("tbody tr").all():
                lot, volume, price, amount, period = _cells(row)
                on_event[lot] = (volume, price, period)
            assert on_event == mine, (name, on_event)  # the event page says what home says
            # bidding is over: the page offers no bid sheet any more
            assert not vendor.page.get_by_role(
                "link", name="Download the bid sheet (Excel)"
            ).count()
            vendor.shot("event-award")
            assert vendor.errors == [], vendor.errors
        finally:
            context.close()

    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in journey.folder.rglob("*.png"):
        relative = shot.relative_to(journey.folder)
        shutil.copy(shot, SHOTS / "-".join(relative.parts))


def urlparse_path(url: str) -> str:
    match = re.match(r"https?://[^/]+(/events/\d+)", url)
    assert match, url
    return match.group(1)
