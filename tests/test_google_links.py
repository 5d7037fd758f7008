"""On Google, the unit digest links each error to its very cell: the sheet's URL with the tab's
`gid` and the cell's `range`, whether the sheet was read this run or served from the cache."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import good_unit
from worker.core.layout import load
from worker.core.tabs import column_letter

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])


def digest_html(root: Path, unit: str) -> str:
    """The newest digest of `unit` in outbox/, its HTML body."""
    (path,) = sorted((root / "outbox").glob(f"{unit}-*.eml"), key=lambda p: p.stat().st_mtime)[-1:]
    mail = message_from_bytes(path.read_bytes(), policy=default)
    return str(mail.get_body(("html",)).get_content())  # type: ignore[union-attr]


def field_cell() -> str:
    """The cell of the first model's field (Lĩnh vực) in tab Mô hình."""
    columns = [c.key for c in load("unit").tab("models").columns]
    return f"{column_letter(columns.index('field') + 1)}2"


@pytest.fixture
def erring(workspace: Callable[..., Path]) -> Path:
    rows = good_unit(1)
    rows["models"][0]["field"] = "Kinh te"  # not in the list: an error at the field's cell
    return workspace(("U1", rows, "u1@example.gov.vn"))


def models_tab_link(fake: Any) -> str:
    (key,) = [k for k, f in fake.files.items() if f.title == "Công an xã U1"]
    gid = fake.files[key].by_title(load("unit").tab("models").name).sheet_id
    assert gid != 0  # a gid the link could not get by chance
    return f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={gid}&amp;range={field_cell()}"


@on_google
def test_an_error_links_to_its_cell_when_the_sheet_was_read_this_run(
    erring: Path, cli: Cli, fake_google: Any
) -> None:
    result = cli("run", "--once", "--workspace", erring, "--today", "2026-10-29")
    assert "đơn vị" in result.output, result.output
    assert f'href="{models_tab_link(fake_google)}"' in digest_html(erring, "U1")


@on_google
def test_an_error_links_to_its_cell_when_the_sheet_came_from_the_cache(
    erring: Path, cli: Cli, fake_google: Any
) -> None:
    cli("run", "--once", "--workspace", erring, "--today", "2026-10-29")
    fake_google.calls.clear()
    # a later reminder (3 days before 05/11): the sheet unchanged, served from the cache
    cli("run", "--once", "--workspace", erring, "--today", "2026-11-02")
    assert fake_google.calls["spreadsheets.get"] == 1  # the registry only: no unit read
    assert len(list((erring / "outbox").glob("U1-*.eml"))) == 2
    assert f'href="{models_tab_link(fake_google)}"' in digest_html(erring, "U1")


@on_google
def test_a_cache_row_from_before_the_ids_links_to_the_sheet(
    erring: Path, cli: Cli, fake_google: Any
) -> None:
    cli("run", "--once", "--workspace", erring, "--today", "2026-10-29")
    db = sqlite3.connect(erring / "state.sqlite")
    with db:  # a cache written by the previous version: no tab IDs beside the tabs
        db.execute("UPDATE sheets SET ids = NULL")
    db.close()
    fake_google.calls.clear()
    cli("run", "--once", "--workspace", erring, "--today", "2026-11-02")
    assert fake_google.calls["spreadsheets.get"] == 1
    link = models_tab_link(fake_google).partition("#")[0]
    html = digest_html(erring, "U1")
    assert f'href="{link}"' in html and "#gid=" not in html


def test_a_cache_made_before_tab_ids_is_migrated_and_its_rows_kept() -> None:
    from worker.adapters.store.google_cache import GoogleCache

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE sheets (unit TEXT PRIMARY KEY, version TEXT NOT NULL, tabs TEXT)")
    db.execute("""INSERT INTO sheets VALUES ('U1', 'v1', '{"Mô hình": [["Mã"]]}')""")
    cache = GoogleCache(db)
    assert cache.cached_sheet("U1", "v1") == {"Mô hình": [["Mã"]]}  # still served
    assert cache.cached_ids("U1") == {}  # no IDs known: the digest links to the sheet
    cache.cache_sheet("U1", "v2", {"Mô hình": [["Mã"]]}, {"Mô hình": 7, "Kết quả": 2007})
    assert cache.cached_ids("U1") == {"Mô hình": 7, "Kết quả": 2007}
    GoogleCache(db)  # opening it again leaves the migrated table as it is
    assert cache.cached_ids("U1") == {"Mô hình": 7, "Kết quả": 2007}


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@on_google
def test_the_annual_report_is_uploaded_beside_the_spreadsheet_once_and_shared(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    import io

    import docx

    from tests.conftest import REPORTS

    root = workspace(("U1", good_unit(2), "a@example.gov.vn"))
    config = root / "config.toml"
    config.write_text(config.read_text("utf-8") + f'reports_folder = "{REPORTS}"\n', "utf-8")
    cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    (uploaded,) = [f for f in fake_google.files.values() if REPORTS in f.parents and not f.sheets]
    assert (uploaded.title, uploaded.mime) == ("bao-cao-2026.docx", DOCX_MIME)
    assert uploaded.content == (root / "reports" / "bao-cao-2026.docx").read_bytes()
    assert uploaded.shared == [
        {"type": "user", "role": "writer", "emailAddress": "tinh@example.gov.vn"}
    ]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(uploaded.content)).paragraphs)
    assert "Kết quả xây dựng, nhân rộng mô hình, điển hình tiên tiến năm 2026" in text

    (mail,) = (root / "outbox").glob("TINH-*.eml")
    message = message_from_bytes(mail.read_bytes(), policy=default)
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"https://drive.google.com/file/d/{uploaded.key}/view" in plain

    # a second consolidation of the year: the same file, its content replaced
    (root / "reports" / "bao-cao-2026.docx").unlink()
    fake_google.calls.clear()
    again = cli("consolidate", "--workspace", root, "--today", "2026-11-17")
    assert again.exit_code == 0, again.output
    files = [f for f in fake_google.files.values() if REPORTS in f.parents and not f.sheets]
    assert [f.key for f in files] == [uploaded.key]
    assert files[0].content == (root / "reports" / "bao-cao-2026.docx").read_bytes()
    assert fake_google.calls["files.update"] == 1
    assert fake_google.calls["permissions.create"] == 0  # shared already
