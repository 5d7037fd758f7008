"""Small fixtures: unit rows as dicts, a workspace in tmp_path, the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from worker.adapters.xlsx.workbook import write_workbook
from worker.app.cli import main
from worker.core.layout import load
from worker.run.workspace import RunOptions

TODAY = date(2026, 10, 29)
Rows = dict[str, list[dict[str, Any]]]


@dataclass
class Routes:
    """How the worker under test reaches the services outside it: the production ones, until a
    fixture starts a test server and routes them there (gspread has no base-URL setting: the
    HTTP session is the seam)."""

    google: Callable[[Any], Any] | None = None  # credentials -> requests.Session
    google_pace: Any = None  # the clock the Google backend shares with the test server

    def options(self, **given: Any) -> RunOptions:
        """A run's options (as the CLI starts with them) reaching the routed services."""
        return RunOptions(google_sessions=self.google, google_pace=self.google_pace, **given)


def good_unit(models: int = 1) -> Rows:
    """A unit whose models are all rated Tốt for 2026 (each with two targets fully met)."""
    rows: Rows = {
        k: [] for k in ("models", "targets", "assessments", "dossiers", "exemplars", "criteria")
    }
    yes = {c.key: "Có" for c in load("unit").tab("assessments").columns if c.type == "yesno"}
    yes.update(formalistic="", disciplined="", untruthful="")
    for n in range(1, models + 1):
        mid = f"MH-{n:03d}"
        rows["models"].append(
            {
                "model_id": mid,
                "name": f"Tổ tự quản thôn {n}",
                "field": "Quốc phòng - an ninh",
                "decision_no": f"{n}/QĐ-UBND",
                "decision_date": date(2024, 3, 1),
                "authority": "UBND xã",
                "status": "Đang hoạt động",
            }
        )
        rows["targets"] += [
            {
                "model_id": mid,
                "year": 2026,
                "target": "Tuần tra",
                "unit": "buổi",
                "planned": 10,
                "achieved": 10,
            },
            {
                "model_id": mid,
                "year": 2026,
                "target": "Tuyên truyền",
                "unit": "buổi",
                "planned": 4,
                "achieved": 5,
            },
        ]
        rows["assessments"].append({"model_id": mid, "year": 2026, **yes})
        rows["dossiers"].append({"model_id": mid, **{f"doc{d}": "x" for d in range(1, 17)}})
    rows["exemplars"].append(
        {
            "exemplar_id": "ĐH-01",
            "name": "Tổ tự quản thôn 1",
            "kind": "Tập thể",
            "field": "Quốc phòng - an ninh",
            "plan_date": date(2025, 6, 1),
            "status": "Đang xây dựng",
        }
    )
    rows["criteria"] += [
        {
            "exemplar_id": "ĐH-01",
            "year": 2026,
            "criterion": f"Tiêu chí {i}",
            "met": "Có" if i < 2 else "",
        }
        for i in range(3)
    ]
    return rows


def as_tabs(rows: Rows) -> dict[str, list[list[Any]]]:
    """What a backend reads: tab name -> header row, then rows in the template's column order."""
    tabs = {}
    for tab in load("unit").tabs:
        header = [c.header for c in tab.columns]
        tabs[tab.name] = [header] + [
            [r.get(c.key) for c in tab.columns] for r in rows.get(tab.key, [])
        ]
    return tabs


@pytest.fixture
def workspace(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """A workspace with the given units: make(("U1", rows, "a@x.vn"), ...); rows None: a unit
    whose sheet cannot be read. On the local backend (.xlsx) or the Google one (test server)."""

    def make(*units: tuple[str, Rows | None, str]) -> Path:
        root = tmp_path / "ws"
        assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
        (root / "config.toml").write_text(
            (root / "config.toml")
            .read_text("utf-8")
            .replace('name = "Tỉnh (điền tên tỉnh)"', 'name = "Tỉnh Thử"')
            .replace("staff_emails = []", 'staff_emails = ["tinh@example.gov.vn"]'),
            "utf-8",
        )
        if backend == "google":
            google_workspace(
                root,
                request.getfixturevalue("fake_google"),
                request.getfixturevalue("private_key"),
                units,
            )
            return root
        registry = []
        for unit_id, rows, emails in units:
            sheet = f"units/{unit_id.lower()}.xlsx"
            if rows is not None:
                write_workbook(root / sheet, load("unit"), rows)
            registry.append(
                {
                    "unit_id": unit_id,
                    "name": f"Công an xã {unit_id}",
                    "level": "Xã",
                    "emails": emails,
                    "sheet": sheet,
                    "active": "Có",
                }
            )
        write_workbook(root / "registry.xlsx", load("registry"), {"units": registry})
        return root

    return make


@pytest.fixture
def routes() -> Routes:
    """Where this test's worker reaches Google: the test server once `fake_google` started."""
    return Routes()


@pytest.fixture
def cli(routes: Routes) -> Callable[..., Result]:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(
            main, [str(a) for a in args], obj=routes.options(), catch_exceptions=False
        )

    return invoke


class MailHandler:
    """An aiosmtpd handler that records what it accepts and misbehaves on demand."""

    def __init__(self) -> None:
        self.received: list[tuple[tuple[str, ...], bytes]] = []
        self.smtputf8: list[bool] = []  # whether each message came with SMTPUTF8 (RFC 6531)
        self.refuse: set[str] = set()  # addresses answered 550 at RCPT
        self.defer: set[str] = set()  # addresses answered 450 at RCPT (try again later)
        self.data_reply: str | None = None  # e.g. "451 ..." instead of accepting
        self.delay = 0.0  # seconds before answering the final "."
        self.rcpt_delay = 0.0  # seconds before answering RCPT
        self.drop_after: int | None = None  # drop the connection after this many messages

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        import asyncio

        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if address in self.refuse:
            return "550 5.1.1 Không có hộp thư này"
        if address in self.defer:
            return "450 4.2.1 Hộp thư tạm thời không nhận thư"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        if self.data_reply:
            return self.data_reply
        self.received.append((tuple(envelope.rcpt_tos), envelope.original_content))
        self.smtputf8.append(envelope.smtp_utf8)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            self.drop_after = None
            server.transport.close()  # lost between the final "." and the 250
        return "250 OK"

    def message_ids(self) -> list[str]:
        from email import message_from_bytes

        return [message_from_bytes(m)["Message-ID"] for _, m in self.received]


class MailServer:
    """A real SMTP server on loopback that can go down and come back on the same port."""

    def __init__(self, smtputf8: bool = True) -> None:
        import socket

        # Whether EHLO offers SMTPUTF8: aiosmtpd's Controller does unless told not to; a server
        # that does not also answers in ASCII only (a Vietnamese reply becomes a 500)
        self.offers_smtputf8 = smtputf8
        with socket.socket() as probe:  # Controller(port=0) cannot work: pick a free port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.handler = MailHandler()
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            enable_SMTPUTF8=self.offers_smtputf8,
        )
        self.controller.start()  # a stopped controller cannot restart: a new one each time

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self, timeout: float = 2) -> str:
        return (
            f'smtp_host = "127.0.0.1"\nsmtp_port = {self.port}\nsecurity = "none"\n'
            f"timeout = {timeout}\n"
        )


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def use_smtp(root: Path, server: MailServer, timeout: float = 2) -> None:
    config = root / "config.toml"
    text = config.read_text("utf-8").replace("[mail]\n", "[mail]\n" + server.config(timeout))
    config.write_text(text, "utf-8")


# The Google backend, offline: gspread's real client and google-auth's real JWT flow, routed
# to the Sheets v4 + Drive v3 test server by a transport adapter on the client's session.
FOLDER = "thuMucDonViAbCdEfGhIjKlMnOp"
REPORTS = "thuMucBaoCaoAbCdEfGhIjKlMnOp"
SHARED_DRIVE = "0AbCdBoNhoDungChungTinhUk9PVA"
ACCOUNT = "mohinh@mohinh-thu.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def private_key() -> str:
    from tests.google_api.server import new_private_key

    return new_private_key()


@pytest.fixture
def fake_google(routes: Routes) -> Iterator[Any]:
    """The test server, enforcing Google's quotas on a virtual clock it shares with the worker:
    the worker's waits (its quota, its backoff) advance it, and take no real time."""
    from tests.google_api.server import FakeGoogle, VirtualClock, routed_session
    from worker.adapters.google.retries import Pace

    clock = VirtualClock()
    fake = FakeGoogle(clock).start()
    # the folders of the [google] settings, in the province's shared drive, where the
    # service account is Người quản lý nội dung (fileOrganizer): where it may create files
    fake.add_folder(FOLDER, "Bảng tính các đơn vị", SHARED_DRIVE)
    fake.add_folder(REPORTS, "Báo cáo tổng hợp", SHARED_DRIVE)
    routes.google = routed_session(fake)  # the CLI and `routes.options()` reach it
    routes.google_pace = Pace(clock.now, clock.sleep)
    yield fake
    fake.stop()
    assert fake.violations == []


@pytest.fixture
def backend() -> str:
    """Which backend `workspace` builds; tests parametrize it to run on both."""
    return "local"


def google_workspace(
    root: Path, fake: Any, key: str, units: tuple[tuple[str, Rows | None, str], ...]
) -> None:
    """Units as spreadsheets in the test server's Drive folder; the config points there."""

    registry = []
    for unit_id, rows, emails in units:
        if rows is None:
            sheet = "https://docs.google.com/spreadsheets/d/chuaChiaSeAbCdEfGhIjKlMnOp/edit"
        else:
            sheet_id = fake.add_spreadsheet(f"Công an xã {unit_id}", as_tabs(rows), FOLDER)
            sheet = f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit#gid=0"
        registry.append([unit_id, f"Công an xã {unit_id}", "Xã", "", emails, sheet, "Có"])
    tab = load("registry").tab("units")
    registry_id = fake.add_spreadsheet(
        "Danh mục đơn vị", {tab.name: [[c.header for c in tab.columns], *registry]}
    )
    use_google(root, fake, key, registry_id)


def use_google(root: Path, fake: Any, private_key: str, registry_id: str, extra: str = "") -> None:
    """Point a workspace at the test server: a service account key and a [google] section."""
    import json

    from tests.google_api.server import service_account_key

    key_json = json.dumps(service_account_key(fake, private_key, ACCOUNT))
    (root / "khoa.json").write_text(key_json, "utf-8")
    config = root / "config.toml"
    text = config.read_text("utf-8").replace('backend = "local"', 'backend = "google"')
    text += (
        f'\n[google]\nkey_file = "khoa.json"\nregistry = "{registry_id}"\n'
        f'folder = "{FOLDER}"\n{extra}\n'
    )
    config.write_text(text, "utf-8")
