"""All user-facing text is Unicode NFC (SPEC §1): templates, layouts, calendars and code."""

import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FILES = sorted(
    p
    for folder in ("worker", "jobs", "notifications", "sheet_templates")
    for p in (ROOT / folder).rglob("*")
    if p.suffix in {".py", ".toml", ".txt", ".html"}
)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_text_is_nfc(path: Path) -> None:
    text = path.read_text("utf-8")
    assert unicodedata.is_normalized("NFC", text)
