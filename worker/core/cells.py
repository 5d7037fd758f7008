"""Reading one cell: pure parsers that turn what a spreadsheet holds into typed values.

Each parser returns the value or raises `CellProblem(code, message, fix)`; the validator adds
the tab and the cell. Nothing here does I/O.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from worker.core import addresses
from worker.core.errors import Problem

MAX_CELL_CHARS = 32_767  # what one cell of an .xlsx holds (Excel's limit; Google's is 50.000)
SERIAL_EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet serial dates (Excel and Google Sheets)
# No model or plan of this movement predates the country (02/09/1945): an earlier date is a typo
# ("1899" for "1999"), or a number cell read as a date, never a fact.
EARLIEST_DATE = date(1945, 1, 1)
FORMULA_ERRORS = frozenset(
    {
        "#REF!",
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#ERROR!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    }
)
_DATE_FIX = "nhập theo dạng dd/mm/yyyy, ví dụ 05/07/2025"
_YES = {"có", "co", "x", "true", "1", "yes", "đúng", "đạt", "✓", "v"}
_NO = {"không", "khong", "false", "0", "no", "sai", "chưa", "chưa đạt"}
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")  # 1.000.000 or 1.500,5: dots group thousands
# What is left of a number once thousands and the decimal comma are read: Decimal would also take
# "1e3" and "1_000" (1000), which no unit writes for a count.
_NOT_FINITE = {"nan", "inf", "infinity", "snan"}  # what Decimal reads as no finite number
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class CellProblem(Problem):
    """A cell's value that cannot be read as its column's type: `code` names the kind."""

    def __init__(self, code: str, message: str, fix: str) -> None:
        super().__init__(message, fix=fix)
        self.code = code


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell whose file holds no result: written by a program, never opened in an office
    suite. Reading it as empty would tell the unit a filled cell is empty."""

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}"


@dataclass(frozen=True)
class Percent:
    """A number shown as a percentage: 95% is stored as 0.95. Read as its number, except where a
    count is expected: there 0.95 is almost never what the unit meant."""

    value: float

    def __str__(self) -> str:
        return f"{self.value * 100:.10g}%".replace(".", ",")


def unwrap_percent(value: object, count: bool) -> object:
    """The number behind a percentage; in a count column a percentage is refused, whether the
    cell is formatted as one or the text typed ends in %."""
    if isinstance(value, str) and count:
        text = clean_text(value)
        number = text.removesuffix("%").rstrip()
        if text.endswith("%") and _PLAIN_NUMBER.fullmatch(_decimal_text(number)):
            raise CellProblem(
                "percent_count",
                f"ô ghi phần trăm ({text}) nhưng cột này ghi số lượng",
                f"nhập số lượng, không kèm dấu %, ví dụ {number}",
            )
    if not isinstance(value, Percent):
        return value
    if count:
        shown = str(value).removesuffix("%")
        raise CellProblem(
            "percent_count",
            f"ô đang ở dạng phần trăm ({value}) nhưng cột này ghi số lượng",
            f"đổi định dạng ô sang Số rồi nhập số lượng, ví dụ {shown}",
        )
    return value.value


def clean_text(value: object) -> str:
    """Cell text as NFC with outer spaces (including non-breaking ones) removed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) == "")


def check_text(value: object) -> None:
    """Raise for what no column may hold: formula errors, uncomputed formulas, over-long text."""
    if isinstance(value, Uncomputed):
        raise CellProblem(
            "uncomputed_formula",
            "ô có công thức chưa được tính",
            "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại",
        )
    if isinstance(value, str):
        if value.strip().upper() in FORMULA_ERRORS:
            raise CellProblem(
                "formula_error",
                "ô có lỗi công thức",  # the value ("#REF!") is shown before the message
                "sửa công thức hoặc nhập giá trị trực tiếp",
            )
        if len(value) > MAX_CELL_CHARS:
            raise CellProblem(
                "too_long",
                f"ô dài {grouped(len(value))} ký tự, "
                f"vượt giới hạn {grouped(MAX_CELL_CHARS)} ký tự của một ô",
                "rút gọn nội dung",
            )


def grouped(number: int) -> str:
    """32.767: Vietnamese groups thousands with dots."""
    return f"{number:,}".replace(",", ".")


def parse_id(value: object) -> str:
    """IDs stay text: "007" stays "007"; a number cell 7.0 becomes "7"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


# The one problem of a cell that depends on the day it is read: a date not yet come is refused
# until that day (a unit's result kept from an earlier read holds that day only, UnitResult.dated)
FUTURE_DATE = "future_date"


def parse_date(value: object, today: date | None = None) -> date:
    """A date from a date cell, a serial number, an ISO date or a day-first text date."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2_958_466 or value != int(value):
            raise CellProblem("bad_date", "không phải ngày hợp lệ", _DATE_FIX)
        result = SERIAL_EPOCH + timedelta(days=int(value))
    else:
        result = _parse_text_date(clean_text(value))
    if result < EARLIEST_DATE:
        raise CellProblem(
            "too_old",
            f"ngày {result:%d/%m/%Y} trước năm {EARLIEST_DATE.year}, không thể đúng",
            "kiểm tra lại năm (có thể gõ nhầm); " + _DATE_FIX,
        )
    if today is not None and result > today:
        raise CellProblem(
            FUTURE_DATE,
            f"ngày {result:%d/%m/%Y} là ngày chưa tới",
            "kiểm tra lại ngày; không nhập ngày chưa tới",
        )
    return result


def _parse_text_date(text: str) -> date:
    if m := _ISO.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DAY_FIRST.fullmatch(text):
        d, mo, y = (int(g) for g in m.groups())
    else:
        raise CellProblem("bad_date", "không phải ngày hợp lệ", _DATE_FIX)
    try:
        return date(y, mo, d)
    except ValueError:
        raise CellProblem("bad_date", "không phải ngày hợp lệ", _DATE_FIX) from None


def _decimal_text(text: str) -> str:
    """Vietnamese notation as Decimal reads it: "1.500,5" -> "1500.5", "1,5" -> "1.5"."""
    text = text.replace(" ", "")
    if _GROUPED.fullmatch(text):
        text = text.replace(".", "")
    return text.replace(",", ".")


def parse_number(value: object) -> Fraction:
    """An exact number from a number cell or text such as "1,5" or "1.000"."""
    if isinstance(value, bool):
        raise CellProblem("bad_number", "không phải số", "nhập một số, ví dụ 12 hoặc 1,5")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    text = _decimal_text(clean_text(value))
    if text.lstrip("+-").casefold() in _NOT_FINITE:
        raise CellProblem("bad_number", "không phải số", "nhập một số, ví dụ 12 hoặc 1,5")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise CellProblem(
            "bad_number", "không phải số", "nhập một số, ví dụ 12 hoặc 1,5 (dấu phẩy thập phân)"
        )
    return Fraction(Decimal(text))


def parse_year(value: object) -> int:
    number = parse_number(value)
    if number.denominator != 1 or not 2000 <= number <= 2100:
        raise CellProblem("bad_year", "không phải năm hợp lệ", "nhập năm có 4 chữ số, ví dụ 2026")
    return int(number)


def parse_yesno(value: object) -> bool:
    """Checkboxes, Có/Không, x/blank, TRUE/FALSE and 1/0."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean_text(value).casefold()
    if text in _YES:
        return True
    if text in _NO or text == "":
        return False
    raise CellProblem("bad_yesno", "không phải Có/Không", "tích ô hoặc nhập Có/Không")


def _fold(text: str) -> str:
    """Lower case without diacritics, for guessing which allowed value was meant."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_enum(value: object, allowed: tuple[str, ...]) -> str:
    """One of `allowed`, compared without case; the error names the closest allowed value."""
    text = " ".join(clean_text(value).split())
    for option in allowed:
        if text.casefold() == option.casefold():
            return option
    folded = {_fold(o): o for o in allowed}
    # Only a close match is worth naming: with no cutoff "Giáo dục" was "corrected" to
    # "Xây dựng hệ thống chính trị". Otherwise the unit gets the list to choose from.
    guess = difflib.get_close_matches(_fold(text), list(folded), n=1, cutoff=0.6)
    if guess:
        fix = f"chọn một giá trị trong danh sách; có thể là “{folded[guess[0]]}”"
    else:
        fix = "chọn một trong các giá trị: " + ", ".join(f"“{o}”" for o in allowed)
    raise CellProblem("not_allowed", "không có trong danh sách cho phép", fix)


# A part of an address list: "Tên hiển thị <ten@donvi.gov.vn>", "<ten@…>" or a bare address
_NAMED = re.compile(r'(?:"[^"]*"|[^"<>]*)\s*<([^<>]*)>')
# ';' or ',' outside double quotes: "Trần, B" <b@…> is one address
_SEPARATOR = re.compile(r'[;,](?=(?:[^"]*"[^"]*")*[^"]*$)')


def parse_emails(value: object) -> tuple[str, ...]:
    """One or more addresses separated by ';' or ','; each a plain address, or an address
    with a display name as mail programs copy it ("Nguyễn Văn A <a@donvi.gov.vn>"): the
    address is kept, the name dropped (the digests greet the unit by its name). Each address
    is checked as mail servers check it (`worker.core.addresses`)."""
    parsed = []
    for part in (p.strip() for p in _SEPARATOR.split(clean_text(value))):
        if not part:
            continue
        named = _NAMED.fullmatch(part)
        address = named.group(1).strip() if named else part
        found = addresses.problem(address)
        if found is not None and found[0] == addresses.TOO_LONG:
            raise CellProblem(*found, addresses.LONG_FIX)
        if found is not None:
            raise CellProblem(
                addresses.BAD,
                f"“{part}” không phải địa chỉ email hợp lệ",
                "nhập địa chỉ dạng ten@donvi.gov.vn, nhiều địa chỉ cách nhau bằng ;",
            )
        parsed.append(address)
    return tuple(parsed)
