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


def test_demo_model_names_never_say_the_kind_of_place_twice() -> None:
    import random
    from datetime import date

    from worker.demo import province as demo

    names = [
        m["name"]
        for seed in range(40)
        for m in demo._unit_rows(random.Random(seed), "CA-HL", 2026, date(2026, 10, 29))["models"]
    ]
    assert demo._named("Camera an ninh khu dân cư", "khu dân cư Bình Hưng") == (
        "Camera an ninh khu dân cư Bình Hưng"
    )
    assert any("khu dân cư Bình Hưng" in n for n in names)  # the case below can arise
    assert not [n for n in names if "khu dân cư khu dân cư" in n]
