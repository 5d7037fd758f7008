"""One email address checked as mail servers check it, before a message is queued to it.

The syntax and the lengths of RFC 5321 (a dot-atom local part of at most 64 octets, a domain of
LDH labels of at most 63 octets and 255 in all, an address of at most 254: the path's 256 less
its angle brackets), widened by RFC 6531 to UTF-8 letters in the local part and the domain (an
internationalised address, sent only with SMTPUTF8). Quoted local parts and address literals
("a@[10.0.0.1]") are valid SMTP but never a coordinator's address: refused as typos.

Pure: the caller (`cells.parse_emails`) turns a problem into a cell error.
"""

from __future__ import annotations

import re

LOCAL_MAX = 64  # octets, RFC 5321 4.5.3.1.1
DOMAIN_MAX = 255  # octets, RFC 5321 4.5.3.1.2
ADDRESS_MAX = 254  # RFC 5321 4.5.3.1.3: a path of 256 octets, "<" and ">" included
LABEL_MAX = 63  # octets of one label (RFC 1035 2.3.4), of its ASCII form for an IDN label
_ATEXT = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
)
_LDH = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
BAD = "bad_email"
TOO_LONG = "email_too_long"
LONG_FIX = (
    "kiểm tra lại địa chỉ với đơn vị (có thể hai địa chỉ bị dán liền nhau); nhiều địa chỉ "
    "cách nhau bằng ;"
)


def international(address: str) -> bool:
    """Whether the address needs SMTPUTF8 (RFC 6531): a letter beyond ASCII in it."""
    return not address.isascii()


def _octets(text: str) -> int:
    return len(text.encode("utf-8"))


def _short(address: str) -> str:
    """The address as a message shows it: a long local part cut, the domain kept."""
    local, _, domain = address.rpartition("@")
    return (local[:30] + "…" if len(local) > 31 else local) + "@" + domain


def _atom_char(char: str) -> bool:
    """atext (RFC 5322 3.2.3), or a UTF-8 letter beyond ASCII (RFC 6532 3.2): no space, no
    invisible or control character."""
    if char.isascii():
        return char in _ATEXT
    return char.isprintable() and not char.isspace()


def _ascii_label(label: str) -> str | None:
    """The label's ASCII form (an IDN label's A-label), or None when it is not a valid one."""
    if label.isascii():
        return label if _LDH.fullmatch(label) else None
    if not all(_atom_char(c) and c not in "!#$%&'*+/=?^_`{|}~" for c in label):
        return None
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def problem(address: str) -> tuple[str, str] | None:
    """Why a mail server would refuse `address` — (code, message) — or None when it would not."""
    local, at, domain = address.rpartition("@")
    atoms = local.split(".")
    if not at or not all(atoms) or not all(_atom_char(c) for a in atoms for c in a):
        return BAD, ""
    labels = [_ascii_label(label) for label in domain.split(".")]
    top = domain.rsplit(".", 1)[-1]
    if len(labels) < 2 or None in labels or top.isdigit() or len(top) < 2:
        return BAD, ""
    longest = max(len(str(a)) for a in labels)
    limits = (
        ("phần trước dấu @", _octets(local), LOCAL_MAX),
        ("một phần của tên miền", longest, LABEL_MAX),
        ("tên miền", _octets(domain), DOMAIN_MAX),
        ("địa chỉ", _octets(address), ADDRESS_MAX),
    )
    for part, size, limit in limits:
        if size > limit:
            why = f"{part} dài {size} byte, tối đa {limit}"
            return TOO_LONG, f"địa chỉ “{_short(address)}” dài quá mức máy chủ thư nhận: {why}"
    return None
