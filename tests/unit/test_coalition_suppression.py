"""Complementary suppression (procure.coalitions.suppression.complementary) on plain tables:
cells adding up to a total that is shown, each cell with the contributors of its two figures
(members with spend with impact vendors, members with other spend)."""

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procure.coalitions.suppression import complementary, safe, union
from procure.spend.report import SpendLine, spend_report, suppress_small_cells

MINIMUM = 3


def _withheld(cells, minimum=MINIMUM):
    """`cells`: (contributors, size); the primary cells (not safe alone) and what
    `complementary` withholds with them."""
    primary = {i for i, (members, _) in enumerate(cells) if not safe(members, minimum)}
    hidden = complementary(cells, lambda cell: cell[0], lambda cell: cell[1], primary, minimum)
    return primary, hidden


members = st.sets(st.integers(1, 6), max_size=4)
cell = st.tuples(st.tuples(members, members), st.integers(0, 50))


@settings(max_examples=400, deadline=None)
@given(st.lists(cell, min_size=1, max_size=6), st.sampled_from([2, 3]))
def test_no_withheld_cell_can_be_worked_out_and_none_is_withheld_for_nothing(cells, minimum):
    """For random small tables whose total is shown (the total is safe):

    - every cell shown is safe;
    - a reader knows the cells shown and the total: the only figure it can work out beyond them
      is the total minus the cells shown, the sum of the withheld cells (in a table of one row
      of cells no other combination of the unknowns is known). So no withheld cell's figure can
      be worked out unless it is withheld alone, and the sum must be safe: a sum of one or two
      members (a withheld cell alone among them) would be their figure;
    - every cell withheld beyond the primary ones is needed: shown again, the sum would not be
      safe;
    - when one cell alone makes the sum safe, that cell (the smallest such) is the only one
      added."""
    total = union([members for members, _ in cells])
    assume(safe(total, minimum))
    primary, hidden = _withheld(cells, minimum)
    assert primary <= hidden
    for i, (members, _) in enumerate(cells):
        if i not in hidden:
            assert safe(members, minimum), (i, cells)
    if hidden:
        worked_out = union([cells[i][0] for i in hidden])  # total − the cells shown
        assert safe(worked_out, minimum), (cells, hidden)
        assert len(hidden) > 1 or safe(cells[next(iter(hidden))][0], minimum)
    for i in hidden - primary:
        assert not safe(union([cells[j][0] for j in hidden - {i}]), minimum), (cells, hidden, i)
    if primary and not safe(union([cells[i][0] for i in primary]), minimum):
        alone = [
            i
            for i in range(len(cells))
            if i not in primary and safe(union([cells[j][0] for j in primary | {i}]), minimum)
        ]
        if alone:
            assert hidden - primary == {min(alone, key=lambda i: (cells[i][1], i))}


def test_a_cell_that_does_not_help_stays_shown():
    """The demo's shape by service category in a quarter (members 1, 5, 7): annotation is one
    member's alone (suppressed). Digitisation is the smallest other row, but its spend is all
    with other vendors: withheld with annotation, the sum's spend with impact vendors would
    still be member 1's own. Customer support, with three members on each side, makes the sum
    safe alone: it is withheld, digitisation shown."""
    annotation = (({1}, {1}), 44_860)
    digitisation = ((set(), {1, 5, 7}), 9_375)
    support = (({1, 5, 7}, {1, 5, 7}), 64_789)
    assert _withheld([support, annotation, digitisation]) == ({1}, {0, 1})


def _line(member, category, score, spend):
    return SpendLine(member, date(2026, 1, 1), 1, category, "KE", score, spend)


def test_the_spend_report_by_category_shows_digitisation():
    """The same through the spend report: annotation (member 1, 30,000 with an impact vendor and
    14,860 other), digitisation (members 1, 5 and 7, 3,125 each, all other) and customer
    support (members 1, 5 and 7, 12,000 with impact vendors and 9,596.33 other each). The
    quarter's total, 119,024, is shown; annotation and support are withheld together (their
    sum, 119,024 − 9,375 = 109,649, is of three members on each side); digitisation shows."""
    lines = [_line(1, "data_annotation", 70, 30_000), _line(1, "data_annotation", 30, 14_860)]
    for member in (1, 5, 7):
        lines += [
            _line(member, "digitisation_data_entry", 30, 3_125),
            _line(member, "customer_support", 70, 12_000),
            _line(member, "customer_support", 30, 9_596.33),
        ]
    report = spend_report(lines, by="category", period="quarter", impact_vendor_min_score=50)
    shown = suppress_small_cells(
        {**report, "by": "category", "period": "quarter"}, lines, MINIMUM, 50
    )
    rows = {row["key"]: row for row in shown["rows"]}
    assert not rows["digitisation_data_entry"]["suppressed"]
    assert rows["digitisation_data_entry"]["spend"] == 9_375
    assert rows["data_annotation"]["suppressed"] and rows["customer_support"]["suppressed"]
    (total,) = shown["totals"]
    assert not total["suppressed"] and round(total["spend"]) == 119_024
    assert round(total["spend"] - rows["digitisation_data_entry"]["spend"]) == 109_649
