"""Headers conform to RFC 5322 and RFC 2047, and decode to exactly the text meant."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from notifications import compose, headers
from worker.app.config import load_settings
from worker.core.errors import ConfigError

ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")
# CPython 3.11's own folder puts the space of "05/11/2026: Công" between two encoded-words,
# where decoders drop it: "05/11/2026:Công". Ours must keep it.
CPYTHON_FOLDING_CASE = "xxxxxxxxxxxxxxxxxx Nhắc hạn 05/11/2026: Công an xã"
SUBJECTS = [
    CPYTHON_FOLDING_CASE,
    "[Còn 7 ngày] 2 lỗi, 2 mô hình Yếu — Công an phường Đức Long",
    "[Còn 1 ngày] 12 lỗi, 3 mô hình Yếu, 4 mô hình thiếu hồ sơ, 1 điển hình dưới 70% — "
    "Ủy ban Mặt trận Tổ quốc Việt Nam huyện Hàm Thuận Bắc, tỉnh Bình Thuận",
    "Bảng tổng hợp mô hình, điển hình năm 2026 — Tỉnh Bình Thuận",
    "Một-từ-rất-dài-không-có-dấu-cách-nào-ở-giữa-để-ngắt-dòng-Hàm-Liêm-Hàm-Thuận-Bắc-Bình-Thuận",
    "Hai  dấu cách  liền nhau và dấu cách cuối ",
    "ASCII only but Đ",
]


def raw_headers(msg: EmailMessage) -> list[str]:
    """The header lines as sent, unfolded into (name, value) pieces per physical line."""
    head = msg.as_bytes().split(b"\n\n", 1)[0].decode("ascii")
    return head.split("\n")


def folded_value(raw: bytes, name: str) -> str:
    """A header's value as sent, its continuation lines included."""
    head = raw.split(b"\n\n", 1)[0].decode("ascii")
    found = re.search(rf"^{name}: (.*?)\n(?=\S)", head, re.M | re.S)
    assert found, name
    return found.group(1)


def draft(subject: str, name: str = "Ban Chỉ đạo tỉnh Bình Thuận") -> EmailMessage:
    sender = compose.Letterhead(
        "Tỉnh Bình Thuận", "mohinh@example.gov.vn", name, ("thuongtruc@example.gov.vn",)
    )
    from datetime import datetime

    built = compose.assemble(
        "k", sender, ["a@example.gov.vn"], subject, "nội dung", "<p>nội dung</p>", datetime.now()
    )
    return built.message


@pytest.mark.parametrize("subject", SUBJECTS, ids=range(len(SUBJECTS)))
def test_every_encoded_word_and_line_is_within_the_limits_of_rfc_2047(subject: str) -> None:
    lines = raw_headers(draft(subject))
    words = [w for line in lines for w in ENCODED_WORD.findall(line)]
    assert words, "a non-ASCII subject is encoded"
    assert max(len(w) for w in words) <= 75
    assert all(len(line) <= 76 for line in lines if ENCODED_WORD.search(line))
    assert all(line.isascii() for line in lines)


@pytest.mark.parametrize("subject", SUBJECTS, ids=range(len(SUBJECTS)))
def test_the_decoded_subject_is_exactly_the_text_with_its_spaces(subject: str) -> None:
    intended = compose.header_text(subject, compose.SUBJECT_MAX)  # one line, at most 150
    raw = draft(subject).as_bytes()
    parsed = message_from_bytes(raw, policy=default)
    assert str(parsed["Subject"]) == intended
    assert str(make_header(decode_header(folded_value(raw, "Subject")))) == intended


def test_the_encoder_keeps_every_space_even_doubled_or_trailing() -> None:
    text = "Hai  dấu cách  liền nhau, " * 4 + "và dấu cách cuối "
    assert str(make_header(decode_header(headers.encode(text, 9)))) == text


def test_the_cpython_folding_case_keeps_the_space_between_two_words() -> None:
    parsed = message_from_bytes(draft(CPYTHON_FOLDING_CASE).as_bytes(), policy=default)
    assert "05/11/2026: Công" in str(parsed["Subject"])


@pytest.mark.parametrize("length", range(1, 120))
def test_any_length_of_subject_decodes_to_itself(length: int) -> None:
    subject = ("Nhắc hạn Hàm Liêm " * 10)[:length].strip() or "Đ"
    assert str(make_header(decode_header(headers.encode(subject, 9)))) == subject


def test_from_has_the_display_name_and_replies_go_to_the_province_contact() -> None:
    msg = message_from_bytes(draft("Thử").as_bytes(), policy=default)
    assert str(msg["From"]) == "Ban Chỉ đạo tỉnh Bình Thuận <mohinh@example.gov.vn>"
    assert msg["From"].addresses[0].display_name == "Ban Chỉ đạo tỉnh Bình Thuận"
    assert str(msg["Reply-To"]) == "thuongtruc@example.gov.vn"
    assert msg["Auto-Submitted"] == "auto-generated"


def test_a_long_display_name_is_folded_within_the_limits() -> None:
    name = "Ban Chỉ đạo xây dựng mô hình, điển hình tỉnh Bình Thuận — Phòng Xây dựng"
    msg = draft("Thử", name)
    lines = raw_headers(msg)
    assert all(len(w) <= 75 for line in lines for w in ENCODED_WORD.findall(line))
    assert all(len(line) <= 76 for line in lines if ENCODED_WORD.search(line))
    # RFC 2047's decoder (CPython's address parser wrongly adds a space between two
    # encoded-words of a display name, whoever folded them: it is not the reference here)
    decoded = str(make_header(decode_header(folded_value(msg.as_bytes(), "From"))))
    assert decoded == f"{name} <mohinh@example.gov.vn>"


def test_without_a_display_name_from_is_the_bare_address() -> None:
    msg = message_from_bytes(draft("Thử", "").as_bytes(), policy=default)
    assert str(msg["From"]) == "mohinh@example.gov.vn"


def _config(tmp_path: Path, mail: str) -> Path:
    (tmp_path / "config.toml").write_text(
        f'[province]\nname = "Tỉnh Thử"\n[mail]\nsender = "mohinh@example.gov.vn"\n{mail}\n',
        "utf-8",
    )
    return tmp_path


def test_the_sender_name_and_the_reply_to_come_from_the_mail_settings(tmp_path: Path) -> None:
    settings = load_settings(
        _config(
            tmp_path,
            'sender_name = "Ban Chỉ đạo tỉnh Bình Thuận"\n'
            'reply_to = ["thuongtruc@example.gov.vn", "pho@example.gov.vn"]',
        )
    )
    assert settings.sender_name == "Ban Chỉ đạo tỉnh Bình Thuận"
    assert settings.reply_to == ("thuongtruc@example.gov.vn", "pho@example.gov.vn")
    letterhead = compose.Letterhead.of(settings)
    assert (letterhead.name, letterhead.reply_to) == (settings.sender_name, settings.reply_to)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('sender_name = "Ban\\nChỉ đạo"', "chỉ ghi tên trên một dòng"),
        ('sender_name = "Ban <x@y.vn>"', "chỉ ghi tên trên một dòng"),
        ("sender_name = 3", "nhập một chuỗi trong dấu ngoặc kép"),
        ('reply_to = "khong-phai-email"', "không phải địa chỉ email hợp lệ"),
    ],
    ids=["line_break", "angle_brackets", "not_text", "bad_reply_to"],
)
def test_a_bad_sender_name_or_reply_to_is_refused_naming_the_setting(
    tmp_path: Path, line: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        load_settings(_config(tmp_path, line))
    assert "[mail]" in str(error.value)
