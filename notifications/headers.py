"""Headers that conform to RFC 5322 and RFC 2047 whatever the Vietnamese text in them.

CPython's own folding of a long non-ASCII Subject can put the space between two words *between*
two encoded-words, where every decoder drops it ("05/11/2026: Công" arrives as
"05/11/2026:Công"). So the Subject and the From display name are encoded here: UTF-8 base64
encoded-words of at most 75 characters (RFC 2047 §2), each line at most 76 (§2), a word never
split inside a character (§5), and every space kept inside an encoded-word, never between two.
"""

from __future__ import annotations

import base64
from email.headerregistry import Address
from email.policy import EmailPolicy
from typing import Any

MAX_WORD = 75  # RFC 2047 §2: an encoded-word is at most 75 characters
MAX_LINE = 76  # RFC 2047 §2: a line holding an encoded-word is at most 76 characters
PREFIX, SUFFIX = "=?utf-8?b?", "?="


def _room(width: int) -> int:
    """How many bytes of text fit in one encoded-word of at most `width` characters."""
    return (min(width, MAX_WORD) - len(PREFIX) - len(SUFFIX)) // 4 * 3


def _word(text: str) -> str:
    return PREFIX + base64.b64encode(text.encode("utf-8")).decode("ascii") + SUFFIX


def _chunks(text: str, first: int, rest: int) -> list[str]:
    """`text` cut into pieces of at most `first` (then `rest`) UTF-8 bytes: between words, the
    space kept at the end of the piece before; a word longer than a piece, between characters."""
    pieces: list[str] = []
    current = ""

    def fits(piece: str) -> bool:
        return len(piece.encode()) <= (rest if pieces else first)

    for index, word in enumerate(text.split(" ")):
        token = word if index == 0 else " " + word
        if fits(current + token):
            current += token
            continue
        if token.startswith(" ") and fits(current + " "):
            current, token = current + " ", token[1:]
        if current:
            pieces.append(current)
            current = ""
        for char in token:
            if current and not fits(current + char):
                pieces.append(current)
                current = ""
            current += char
    pieces.append(current)
    return pieces


def encode(text: str, used: int) -> str:
    """`text` as encoded-words folded onto lines, the first line already holding `used`
    characters ("Subject: " is 9). Decoding gives back `text` exactly, spaces included."""
    words = [_word(piece) for piece in _chunks(text, _room(MAX_LINE - used), _room(MAX_LINE - 1))]
    return "\r\n ".join(words)


class HeaderPolicy(EmailPolicy):
    """The default policy, except that a non-ASCII Subject or From display name is encoded by
    `encode` instead of CPython's folder (see the module's docstring)."""

    def _ours(self, name: str, value: Any) -> str | None:
        key = name.lower()
        if key == "subject" and not str(value).isascii():
            return f"{name}: {encode(str(value), len(name) + 2)}"
        addresses: tuple[Address, ...] = getattr(value, "addresses", ())
        if key == "from" and len(addresses) == 1:
            address = addresses[0]
            if address.display_name and not address.display_name.isascii():
                used = len(name) + 2
                # The address on a line of its own: no line of encoded-words grows past 76.
                return f"{name}: {encode(address.display_name, used)}\r\n <{address.addr_spec}>"
        return None

    def fold(self, name: str, value: Any) -> str:
        ours = self._ours(name, value)
        if ours is None:
            return super().fold(name, value)
        return ours.replace("\r\n", self.linesep) + self.linesep

    def fold_binary(self, name: str, value: Any) -> bytes:
        ours = self._ours(name, value)
        if ours is None:
            return super().fold_binary(name, value)
        return (ours.replace("\r\n", self.linesep) + self.linesep).encode("ascii")


POLICY = HeaderPolicy()
