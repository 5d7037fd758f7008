"""The one pass over a worksheet's XML before it is parsed (worker/adapters/xlsx/scan.py): how far
its values reach, and the marks calamine cannot make."""

from __future__ import annotations

import time

import pytest

from worker.adapters.xlsx.scan import Shown, scan
from worker.core.cells import Uncomputed

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(cells: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    body = cells.replace("<c", f"<{p}c").replace("</c>", f"</{p}c>").replace("<row", f"<{p}row")
    body = (
        body.replace("</row>", f"</{p}row>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>")
    )
    body = body.replace("<f>", f"<{p}f>").replace("</f>", f"</{p}f>").replace("<f ", f"<{p}f ")
    return (
        f'<?xml version="1.0"?><{p}worksheet {xmlns}="{MAIN}"><{p}sheetData>{body}'
        f"</{p}sheetData></{p}worksheet>"
    ).encode()


@pytest.mark.parametrize("prefix", ["", "x"], ids=["default_namespace", "prefixed"])
@pytest.mark.parametrize("precise", [False, True], ids=["bound", "precise"])
def test_the_extent_is_the_farthest_value(prefix: str, precise: bool) -> None:
    rows = '<row r="2"><c r="C2"><v>1</v></c></row><row r="9"><c r="A9"><v>2</v></c></row>'
    look = scan(sheet(rows, prefix), precise=precise)
    assert (look.rows, look.columns, look.area, look.precise) == (9, 3, 27, precise)
    if precise:
        assert look.far == (9, 1)


@pytest.mark.parametrize(
    ("far", "extent"),
    [
        ('<c r="A1048576"><v>2</v></c>', (1048576, 1)),  # in row 3: not its row
        ('<c r="XFD3"><v>2</v></c>', (3, 16384)),
        ('<c r="B30"><v>2</v></c>', (30, 2)),  # as many digits as the last row's, more
        ('<c r="xfd3"><v>2</v></c>', (3, 16384)),
    ],
    ids=["row_beyond_the_last_row", "column_beyond_the_dimension", "same_digits", "lower_case"],
)
def test_a_cell_beyond_what_the_sheet_declares_is_found(far: str, extent: tuple[int, int]) -> None:
    """The last row's number and the dimension are taken at their word only once checked."""
    xml = sheet(
        f'<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="A3"><v>1</v></c>{far}</row>'
    )
    look = scan(xml.replace(b"<sheetData>", b'<dimension ref="A1:A3"/><sheetData>'))
    assert (look.rows, look.columns) == extent


def test_a_sheet_as_it_declares_itself_is_taken_at_its_word() -> None:
    xml = sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="B3"><v>1</v></c></row>')
    look = scan(xml.replace(b"<sheetData>", b'<dimension ref="A1:B3"/><sheetData>'))
    assert (look.rows, look.columns, look.precise) == (3, 2, False)


@pytest.mark.parametrize(
    "empty",
    ['<c r="XFD1048576" s="1"/>', '<c r="XFD1048576" s="1"></c>', '<c r="XFD1048576" s="1" />'],
    ids=["self_closed", "closed_at_once", "space_before_slash"],
)
def test_a_styled_cell_without_a_value_counts_only_in_the_bound(empty: str) -> None:
    """calamine makes no cell of it: a formatted row to the end of the sheet costs nothing."""
    xml = sheet(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">{empty}</row>')
    assert (scan(xml).rows, scan(xml).columns) == (1048576, 16384)
    assert (scan(xml, precise=True).rows, scan(xml, precise=True).columns) == (1, 1)


def test_cells_and_rows_without_an_address_take_the_next_place() -> None:
    """As calamine places them: the row after the last, the column after the last."""
    look = scan(
        sheet('<row r="3"><c><v>1</v></c><c/><c><v>2</v></c></row><row><c><v>3</v></c></row>')
    )
    assert (look.rows, look.columns) == (4, 3)


def test_a_formula_without_its_result_is_marked_and_one_with_it_is_not() -> None:
    look = scan(
        sheet(
            '<row r="1"><c r="A1"><f>SUM(B1:C1)</f></c><c r="B1"><f>1+1</f><v>2</v></c>'
            '<c r="C1" t="str"><f>IF(1,"","")</f><v></v></c>'
            '<c r="D1"><f t="shared" si="0"/></c><c r="E1" t="e"><f>NA()</f><v>#N/A</v></c></row>'
        )
    )
    assert look.marks == [
        (0, 0, Uncomputed("SUM(B1:C1)")),
        (0, 3, Uncomputed("")),
        (0, 4, "#N/A"),
    ]


def test_numbers_of_a_style_to_tell_are_marked_text_of_that_style_is_not() -> None:
    look = scan(
        sheet(
            '<row r="1"><c r="A1" s="3"><v>0.95</v></c><c r="B1" s="3" t="s"><v>0</v></c>'
            '<c r="C1" s="4" t="n"><v>45000</v></c><c r="D1" s="5"><v>1</v></c></row>'
        ),
        {b"3": Shown.PERCENT, b"4": Shown.DATE},
    )
    assert look.marks == [(0, 0, Shown.PERCENT), (0, 2, Shown.DATE)]


def test_formulas_and_styles_are_found_in_a_sheet_without_addresses_too() -> None:
    look = scan(
        sheet('<row><c s="3"><v>0.5</v></c><c><f>A1*2</f></c></row>'), {b"3": Shown.PERCENT}
    )
    assert look.marks == [(0, 0, Shown.PERCENT), (0, 1, Uncomputed("A1*2"))]


def test_twenty_thousand_formulas_take_linear_time() -> None:
    """The reader scanned back to the start of the sheet for each formula: 20k took 70 s."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}*2</f><v>{2 * r}</v></c></row>'
        for r in range(1, 20_001)
    )
    xml = sheet(rows)
    started = time.process_time()
    look = scan(xml)
    assert time.process_time() - started < 1.0
    assert (look.rows, look.columns, look.marks) == (20_000, 2, [])
