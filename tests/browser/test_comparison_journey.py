"""Journey 2 (DESIGN §1): a buyer compares vendors in the ranked table (sorting it), tunes a
scoring profile while the ranking preview follows, saves it, and sees the ranking under it; the
page's figures equal the API's."""

from tests.app.test_scenarios import world  # noqa: F401  (the fixture: Alpha and Beta, scored)
from tests.conftest import TEST_PASSWORD


def _table(page) -> list[tuple[str, str]]:
    """(vendor, total) per row of the ranked table, in the order shown."""
    rows = page.locator("table.sortable tbody tr")
    return [(rows.nth(i).locator("td").nth(1).locator("a").inner_text(), rows.nth(i).locator("td").nth(3).inner_text())
            for i in range(rows.count())]


def test_a_buyer_compares_sorts_and_tunes_a_profile(journey, world):
    page = journey.page
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go("/scores")
    api = journey.api("/api/v1/scores")
    assert _table(page) == [(row["vendor_name"], f"{row['total']:.1f}") for row in api]
    journey.shot("ranked")
    total_header = page.locator("table.sortable thead th", has_text="Total")
    total_header.get_by_role("button").click()
    assert total_header.get_attribute("aria-sort") == "ascending"
    assert _table(page) == sorted(_table(page), key=lambda row: float(row[1]))
    total_header.get_by_role("button").click()
    assert total_header.get_attribute("aria-sort") == "descending"
    assert [total for _, total in _table(page)] == [f"{t:.1f}" for t in sorted((r["total"] for r in api), reverse=True)]
    journey.shot("sorted")

    journey.go("/profiles")
    page.get_by_label("Profile name").fill("Impact first")
    page.get_by_label("Impact", exact=True).fill("0.8")
    page.get_by_label("Cost", exact=True).fill("0.1")
    page.get_by_label("Quality", exact=True).fill("0.1")
    page.locator("#preview table").wait_for()  # the preview follows the typing, nothing saved yet
    journey.shot("live-preview")
    page.get_by_label("Cost", exact=True).fill("0.3")  # sums to 1.2: the preview says why, in place
    page.locator("#preview", has_text="weights must sum to 1").wait_for()
    page.get_by_label("Cost", exact=True).fill("0.1")
    page.locator("#preview table").wait_for()
    preview = [(cells[1], cells[2]) for cells in
               (row.locator("td").all_inner_texts() for row in page.locator("#preview tbody tr").all())]
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=version 1")
    profile_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    journey.shot("saved")
    journey.go(f"/scores?profile={profile_id}")
    tuned = journey.api(f"/api/v1/scores?profile={profile_id}")
    assert _table(page) == [(row["vendor_name"], f"{row['total']:.1f}") for row in tuned] == preview
    assert [r["total"] for r in tuned] != [r["total"] for r in api]
