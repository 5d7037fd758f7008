"""Email addresses checked as mail servers check them: RFC 5321's syntax and lengths, RFC 6531's
internationalised addresses (UTF-8 in the local part and the domain)."""

from __future__ import annotations

import pytest

from worker.core.addresses import international
from worker.core.cells import CellProblem, parse_emails


@pytest.mark.parametrize(
    "address",
    [
        "a@b.vn",
        "o'brien+tin.tuc@donvi.gov.vn",
        "x" * 64 + "@example.gov.vn",
        "a@" + ".".join(["d" * 63] * 3) + ".vn",
        "hộiphụnữ@example.gov.vn",
        "hoi@bộcôngan.vn",
        "a@b.việtnam",
    ],
    ids=[
        "plain",
        "atext_and_dots",
        "local_part_of_64",
        "labels_of_63",
        "vietnamese_local_part",
        "vietnamese_domain",
        "idn_top_level",
    ],
)
def test_addresses_mail_servers_take_are_accepted(address: str) -> None:
    assert parse_emails(address) == (address,)


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("x" * 65 + "@example.gov.vn", "email_too_long"),
        ("x" * 300 + "@example.gov.vn", "email_too_long"),
        ("hộiphụnữ" * 5 + "@example.gov.vn", "email_too_long"),  # 40 letters, 70 octets
        ("a@" + "d" * 64 + ".vn", "email_too_long"),
        ("a@" + ".".join(["d" * 60] * 5) + ".vn", "email_too_long"),
        ("a..b@example.gov.vn", "bad_email"),
        (".a@example.gov.vn", "bad_email"),
        ("a.@example.gov.vn", "bad_email"),
        ("a@-b.vn", "bad_email"),
        ("a@b-.vn", "bad_email"),
        ("a@b..vn", "bad_email"),
        ("a@b.v", "bad_email"),
        ("a@b.123", "bad_email"),
        ("a@localhost", "bad_email"),
        ("a@[10.0.0.1]", "bad_email"),
        ('"a b"@example.gov.vn', "bad_email"),
        ("a@b@c.vn", "bad_email"),
        ("a\u200b@b.vn", "bad_email"),  # a zero-width space pasted with the address
    ],
    ids=[
        "local_part_of_65",
        "local_part_of_300",
        "local_part_of_40_letters_and_70_octets",
        "label_of_64",
        "domain_over_255",
        "two_dots",
        "leading_dot",
        "trailing_dot",
        "label_starting_with_a_hyphen",
        "label_ending_with_a_hyphen",
        "empty_label",
        "one_letter_top_level",
        "numeric_top_level",
        "no_top_level",
        "address_literal",
        "quoted_local_part",
        "two_at_signs",
        "invisible_character",
    ],
)
def test_addresses_mail_servers_refuse_are_refused(address: str, code: str) -> None:
    with pytest.raises(CellProblem) as refused:
        parse_emails(address)
    assert refused.value.code == code


def test_a_local_part_too_long_is_told_with_its_length_and_the_limit() -> None:
    with pytest.raises(CellProblem) as refused:
        parse_emails("a@b.vn; " + "x" * 300 + "@example.gov.vn")
    assert refused.value.message == (
        "địa chỉ “xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…@example.gov.vn” dài quá mức máy chủ thư "
        "nhận: phần trước dấu @ dài 300 byte, tối đa 64"
    )
    assert refused.value.fix == (
        "kiểm tra lại địa chỉ với đơn vị (có thể hai địa chỉ bị dán liền nhau); nhiều địa chỉ "
        "cách nhau bằng ;"
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [("a@b.vn", False), ("hộiphụnữ@example.gov.vn", True), ("hoi@bộcôngan.vn", True)],
)
def test_an_address_with_letters_beyond_ascii_is_international(
    address: str, expected: bool
) -> None:
    assert international(address) is expected
