"""The vendor table reader: each rule's error names the spreadsheet row and the column.

Row numbers: the header is row 1, the first vendor row 2.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from scoring import CellError, TableError, read_vendor_table, score_table, validate_vendor_table
from scoring.contract import EVIDENCE_LEVELS, REQUIRED_COLUMNS

HEADER = ",".join(REQUIRED_COLUMNS)
GOOD = (
    "V1,annotation,20,0.95,80,100,90,40,10,20,30,10,7,3,hour,40,12,13,10,13,1200,27000,"
    "third_party_reasonable,third_party_reasonable,third_party_reasonable"
)


def csv_with(*rows: str, header: str = HEADER) -> io.StringIO:
    return io.StringIO("\n".join([header, *rows]) + "\n")


def good_row(vendor_id: str = "V1", **changes: str) -> str:
    cells = dict(zip(REQUIRED_COLUMNS, GOOD.split(","), strict=True))
    cells["vendor_id"] = vendor_id
    cells.update(changes)
    return ",".join(cells[column] for column in REQUIRED_COLUMNS)


def errors_of(source: io.StringIO) -> list[CellError]:
    with pytest.raises(TableError) as raised:
        read_vendor_table(source)
    return raised.value.errors


def test_good_file_reads_with_types(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text(csv_with(good_row("V1"), good_row("V2", pay_period=" Month ")).getvalue())
    table = read_vendor_table(path)
    assert table["vendor_id"].tolist() == ["V1", "V2"]
    assert table["price"].dtype == float
    assert table["pay_period"].tolist() == ["hour", "month"]


def test_missing_columns_are_listed_on_the_header_row():
    header = HEADER.replace("price,", "").replace(",evidence_training", "")
    row = good_row().split(",")
    del row[2], row[-1]
    assert errors_of(csv_with(",".join(row), header=header)) == [
        CellError(1, "price", "required column is missing"),
        CellError(1, "evidence_training", "required column is missing"),
    ]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"vendor_id": ""}, "vendor_id", "is required"),
        ({"category": " "}, "category", "is required"),
        ({"price": ""}, "price", "is required"),
        ({"price": "0"}, "price", "must be greater than 0"),
        ({"price": "twenty"}, "price", "must be a number, got 'twenty'"),
        ({"headcount_end": "1,000"}, "headcount_end", "must be a number"),
        ({"fte_avg": "-3"}, "fte_avg", "must not be negative"),
        ({"training_spend_usd": "inf"}, "training_spend_usd", "must be a finite number"),
        ({"training_spend_usd": "nan"}, "training_spend_usd", "must be a number, got 'nan'"),
        ({"quality": "1.5"}, "quality", "must be between 0 and 1"),
        ({"quality": "-0.1"}, "quality", "must not be negative"),
        (
            {"pay_period": "fortnight"},
            "pay_period",
            "unknown value 'fortnight' (expected one of hour, week, month, year)",
        ),
        ({"pay_period": ""}, "pay_period", "is required when a wage is given"),
        ({"evidence_wages": "audited"}, "evidence_wages", "unknown value 'audited'"),
    ],
)
def test_each_rule_names_the_row_and_column(changes, column, message):
    changes = {key: f'"{value}"' if "," in value else value for key, value in changes.items()}
    errors = errors_of(csv_with(good_row("V1"), good_row(**{"vendor_id": "V2", **changes})))
    assert [(error.row, error.column) for error in errors] == [(3, column)]
    assert message in errors[0].message


def test_duplicate_vendor_id_points_at_the_first_one():
    errors = errors_of(csv_with(good_row("V1"), good_row("V2"), good_row("V1 ")))
    assert errors == [CellError(4, "vendor_id", "duplicate vendor_id 'V1' (first in row 2)")]


def test_all_errors_are_collected_and_sorted_by_row_then_column():
    errors = errors_of(
        csv_with(
            good_row("V1", evidence_training="x", price="-1"),
            good_row("", quality="2"),
        )
    )
    assert [(error.row, error.column) for error in errors] == [
        (2, "price"),
        (2, "evidence_training"),
        (3, "vendor_id"),
        (3, "quality"),
    ]


def test_pay_period_may_be_empty_without_wages():
    wages_left_out = {
        column: ""
        for column in (
            "pay_period",
            "entry_level_wage",
            "impact_worker_median_wage",
            "local_minimum_wage",
            "living_wage_benchmark",
        )
    }
    table = read_vendor_table(csv_with(good_row("V1", **wages_left_out)))
    assert table["pay_period"].isna().tolist() == [True]


def test_empty_evidence_means_none():
    table = read_vendor_table(csv_with(good_row("V1", evidence_workforce="")))
    assert table["evidence_workforce"].tolist() == ["none"]


def test_empty_file_is_an_error():
    assert errors_of(io.StringIO("")) == [CellError(1, "", "the file is empty")]


def test_byte_order_mark_from_spreadsheets_is_ignored(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_with(good_row()).getvalue().encode())
    assert read_vendor_table(path)["vendor_id"].tolist() == ["V1"]


def test_error_message_shows_row_and_column():
    with pytest.raises(TableError, match=r"row 2, price: must be greater than 0"):
        read_vendor_table(csv_with(good_row(price="0")))


def test_contract_columns_are_the_cli_contract():
    # The `procure score` CLI reads CSVs with exactly these columns, in this order.
    assert list(REQUIRED_COLUMNS) == [
        "vendor_id",
        "category",
        "price",
        "quality",
        "headcount_start",
        "headcount_end",
        "fte_avg",
        "total_hires",
        "impact_worker_hires",
        "impact_workers_start",
        "impact_workers_end",
        "retention_cohort_hired",
        "retention_cohort_retained_12m",
        "promotions_impact_workers",
        "pay_period",
        "standard_weekly_hours",
        "entry_level_wage",
        "impact_worker_median_wage",
        "local_minimum_wage",
        "living_wage_benchmark",
        "training_hours_impact_workers",
        "training_spend_usd",
        "evidence_workforce",
        "evidence_wages",
        "evidence_training",
    ]


def test_extra_columns_are_dropped_and_types_kept(make_table, vendor_row):
    table = make_table(vendor_row(7), vendor_row(8)).assign(vendor_name=["Seven", "Eight"])
    checked = validate_vendor_table(table)
    # the optional columns are always there, empty when the table lacks them
    assert list(checked.columns) == [
        *REQUIRED_COLUMNS,
        "unit",
        "lowest_price",
        "wage_site",
        "wage_currency",
        "delivery_reliability",
    ]
    assert checked["unit"].isna().all()
    assert checked["delivery_reliability"].isna().all()
    assert checked["lowest_price"].isna().all()
    assert checked["wage_site"].isna().all()
    assert checked["wage_currency"].isna().all()
    assert checked["vendor_id"].tolist() == [7, 8]
    assert list(checked["evidence_wages"].cat.categories) == list(EVIDENCE_LEVELS)


def text_route(source: io.StringIO) -> pd.DataFrame:
    """The table as validation reads it from text cells, the route for a file whose numbers
    the CSV reader refuses."""
    return validate_vendor_table(pd.read_csv(source, dtype=str, keep_default_na=False))


def test_numbers_parsed_by_the_reader_are_those_of_the_text_route():
    # spaces, a sign, an exponent, a bare fraction, an empty cell, an int past 2**53, and the
    # optional number columns: each read by the CSV reader to the float the text route gives
    header = f"{HEADER},lowest_price,delivery_reliability"
    rows = [
        good_row("V1", price=" 12.5 ", fte_avg="+40", training_spend_usd="2.7e4") + ",10,0.9",
        good_row("V2", price=".5", headcount_start="", total_hires="9007199254740993") + ",,",
        good_row("V3", quality="0.1", standard_weekly_hours="37.50") + ",0.25,1",
    ]
    read = read_vendor_table(csv_with(*rows, header=header))
    pd.testing.assert_frame_equal(read, text_route(csv_with(*rows, header=header)))
    assert read["price"].tolist() == [12.5, 0.5, 20.0]
    assert read["total_hires"][1] == 9007199254740992.0


def test_a_file_the_reader_refuses_is_read_again_as_text_from_where_it_started():
    source = io.StringIO("ignored line\n" + csv_with(good_row(fte_avg=" ")).getvalue())
    source.readline()  # the table starts on the second line of this stream
    table = read_vendor_table(source)  # a blank number cell: refused by the reader, empty here
    assert table["vendor_id"].tolist() == ["V1"]
    assert np.isnan(table["fte_avg"][0])


def test_a_stream_that_cannot_seek_is_read_as_text():
    class OneWay(io.StringIO):
        def seekable(self) -> bool:
            return False

    table = read_vendor_table(OneWay(csv_with(good_row("V1"), good_row("V2")).getvalue()))
    pd.testing.assert_frame_equal(table, text_route(csv_with(good_row("V1"), good_row("V2"))))


def test_the_checked_table_is_a_copy_of_the_input(make_table, vendor_row):
    table = make_table(vendor_row(7), vendor_row(8))
    checked = validate_vendor_table(table)
    table.loc[0, "price"] = 999.0
    table.loc[0, "vendor_id"] = 70
    assert checked["price"][0] != 999.0
    assert checked["vendor_id"].tolist() == [7, 8]


def test_a_table_read_once_scores_as_a_table_checked_by_score_table(catalog, profile):
    rows = (good_row("V1"), good_row("V2", price="18", entry_level_wage="9"))
    raw = pd.read_csv(csv_with(*rows), dtype=str, keep_default_na=False)
    once = score_table(read_vendor_table(csv_with(*rows)), catalog, profile, checked=True)
    twice = score_table(raw, catalog, profile)
    pd.testing.assert_frame_equal(once.scores, twice.scores)
    assert once.scores["knocked_out"].tolist() == [False, True]


@pytest.mark.parametrize("cell", ["True", "false", "TRUE"])
def test_a_column_of_true_and_false_is_not_read_as_numbers(cell):
    # the CSV reader would read such a column as 1 and 0; the cells are not numbers
    errors = errors_of(csv_with(good_row("V1", fte_avg=cell), good_row("V2", fte_avg="")))
    assert errors == [CellError(2, "fte_avg", f"must be a number, got {cell!r}")]


def test_minus_zero_reads_as_the_text_route_reads_it():
    # the text route reads "-0" among whole numbers as 0, the CSV reader as -0.0 (which an
    # output file would show as "-0.0")
    rows = (good_row("V1", training_spend_usd="-0"), good_row("V2", training_spend_usd="5"))
    spend = read_vendor_table(csv_with(*rows))["training_spend_usd"].to_numpy()
    expected = text_route(csv_with(*rows))["training_spend_usd"].to_numpy()
    assert spend.tolist() == expected.tolist() == [0.0, 5.0]
    assert np.signbit(spend).tolist() == np.signbit(expected).tolist() == [False, False]
