"""Journey 2 (DESIGN §1): a buyer compares vendors in the ranked table (sorting it), tunes a
scoring profile while the ranking preview follows, saves it, and sees the ranking under it; the
page's figures equal the API's. Sortable tables sort by value where their text is not one: rank
ranges, periods, and missing values ("—"), which stay last either way."""

from tests.conftest import NEED, TEST_PASSWORD


def _index(page, header: str) -> int:
    """Where a column of the sortable table is, from 0."""
    return [
        text.strip() for text in page.locator("table.sortable thead th").all_text_contents()
    ].index(header)


def _column(page, header: str) -> list[str]:
    """The texts of one column of the sortable table, in the order shown."""
    return page.locator(
        f"table.sortable tbody tr > td:nth-child({_index(page, header) + 1})"
    ).all_inner_texts()


def _sort(page, header: str, order: str) -> None:
    column = page.locator("table.sortable thead th", has_text=header)
    column.get_by_role("button").click()
    assert column.get_attribute("aria-sort") == order


def _table(page) -> list[tuple[str, str]]:
    """(vendor, total) per row of the ranked table, in the order shown."""
    rows = page.locator("table.sortable tbody tr")
    return [
        (
            rows.nth(i).locator("td").nth(1).locator("a").inner_text(),
            rows.nth(i).locator("td").nth(3).inner_text(),
        )
        for i in range(rows.count())
    ]


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
    assert [total for _, total in _table(page)] == [
        f"{t:.1f}" for t in sorted((r["total"] for r in api), reverse=True)
    ]
    journey.shot("sorted")
    _sort(page, "Rank range (90 %)", "ascending")  # by the low end, then the high end
    assert _column(page, "Rank range (90 %)") == [
        f"{r['rank_p05']}–{r['rank_p95']}"
        for r in sorted(api, key=lambda r: (r["rank_p05"], r["rank_p95"]))
    ]
    # ranges whose digits read run together sort the other way ("1–12" as 112, "2–3" as 23), and a
    # missing one: rows as the template writes them, added to the same table
    page.evaluate(
        """([column, ranges]) => {
        const body = document.querySelector("table.sortable tbody");
        for (const [text, key] of ranges) {
            const row = body.rows[0].cloneNode(true);
            row.cells[column].textContent = text;
            row.cells[column].setAttribute("data-sort", key);
            body.appendChild(row);
        }
    }""",
        [_index(page, "Rank range (90 %)"), [["2–3", "2.000003"], ["1–12", "1.000012"], ["—", ""]]],
    )
    _sort(page, "Rank range (90 %)", "descending")
    ranges = _column(page, "Rank range (90 %)")
    assert ranges.index("2–3") < ranges.index("1–12") and ranges[-1] == "—", ranges
    _sort(page, "Rank range (90 %)", "ascending")
    ranges = _column(page, "Rank range (90 %)")
    assert ranges.index("1–12") < ranges.index("2–3") and ranges[-1] == "—", ranges
    journey.shot("sorted-by-rank-range")

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
    preview = [
        (cells[1], cells[2])
        for cells in (
            row.locator("td").all_inner_texts() for row in page.locator("#preview tbody tr").all()
        )
    ]
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=version 1")
    profile_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    journey.shot("saved")
    journey.go(f"/scores?profile={profile_id}")
    tuned = journey.api(f"/api/v1/scores?profile={profile_id}")
    assert _table(page) == [(row["vendor_name"], f"{row['total']:.1f}") for row in tuned] == preview
    assert [r["total"] for r in tuned] != [r["total"] for r in api]


def test_needs_sort_by_period_and_missing_budgets_stay_last(journey, world, client):
    for title, start, end, budget in (
        ("Second half", "2026-07-01", "2026-12-31", None),
        ("First half", "2026-01-01", "2026-06-30", 9000),
    ):
        created = client.post(
            "/api/v1/needs",
            headers=world["headers"],
            json={
                **NEED,
                "title": title,
                "period_start": start,
                "period_end": end,
                "budget_usd": budget,
            },
        )
        assert created.status_code == 201, created.json
    page = journey.page
    journey.sign_in(world["buyer"].email, TEST_PASSWORD)
    journey.go("/needs")
    # the page lists the latest start first; every period starts in 2026, which is all the text
    # "2026-01-01 – 2026-12-31" read as a number (three ties, left as they were)
    assert _column(page, "Need") == ["Second half", "Annotation 2026", "First half"]
    _sort(page, "Period", "ascending")  # by start, then end
    assert _column(page, "Need") == ["First half", "Annotation 2026", "Second half"]
    _sort(page, "Period", "descending")
    assert _column(page, "Need") == ["Second half", "Annotation 2026", "First half"]
    _sort(page, "Budget", "ascending")
    assert _column(page, "Budget") == ["$9,000", "$20,000", "—"]
    _sort(page, "Budget", "descending")
    assert _column(page, "Budget") == ["$20,000", "$9,000", "—"]  # missing stays last
    journey.shot("needs-sorted")
