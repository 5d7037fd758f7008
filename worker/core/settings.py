"""The settings' types: what `config.toml` says, parsed once (by `worker.app.config`) into frozen
objects. Pure: nothing here reads a file, the environment or the network."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

# the workspace's folders of messages, reports, backups of the state and logs; the state
OUTBOX, REPORTS, BACKUPS, LOGS = "outbox", "reports", "backups", "logs"
STATE = "state.sqlite"
METHODS = ("mean_ratio", "share_met")
BACKENDS = ("local", "google")


@dataclass(frozen=True)
class GoogleSettings:
    key_file: Path  # the service account's JSON key
    registry: str  # the registry spreadsheet's ID or URL
    folder: str = ""  # the Drive folder of the unit sheets: lets unchanged sheets go unread
    reports_folder: str = ""  # the Drive folder where the consolidated spreadsheets go
    report_spreadsheet: str = ""  # or one spreadsheet holding a set of tabs per year
    per_minute: int = 60  # requests a minute the client allows itself, reads and writes each
    reads_per_minute: int = 60  # Sheets reads a minute (per_minute unless set)
    writes_per_minute: int = 60  # Sheets writes a minute (per_minute unless set)
    attempts: int = 6  # tries of one request on a 5xx or a timeout (a 429: a quota minute)
    # retries wait backoff × 2^n seconds and up to one backoff more, 32 at most (Google's
    # truncated exponential backoff, whose unit is 1 second)
    backoff: float = 1.0
    timeout: float = 60.0  # seconds for one request


@dataclass(frozen=True)
class ReportSettings:
    """[report] of config.toml: who issues and signs the annual report, as Nghị định
    30/2020/NĐ-CP lays it out. Empty texts are left for the clerk to fill in the .docx."""

    parent: str = ""  # the parent body above the issuing body: "UBND TỈNH BÌNH THUẬN"
    issuer: str = ""  # the issuing body: "BAN CHỈ ĐẠO …"
    place: str = ""  # the place name before the date: "Bình Thuận"
    symbol: str = "BC-BCĐ"  # the document's symbol after its number: "Số:      /BC-BCĐ"
    authority: str = "TM. BAN CHỈ ĐẠO"  # the signer's authority (quyền hạn)
    title: str = "TRƯỞNG BAN"  # the signer's title (chức vụ)
    signer: str = ""  # the signer's full name
    recipients: tuple[str, ...] = ()  # Nơi nhận, before "Lưu"
    archive: str = "VT"  # "Lưu: VT, …": the archive and the drafting office
    basis: str = ""  # the document the report answers: "Hướng dẫn số 163/HD-BCĐ ngày …"


@dataclass(frozen=True)
class Settings:
    path: Path
    province: str
    staff_emails: tuple[str, ...]
    sender: str
    backend: str = "local"
    sender_name: str = ""  # the From display name, e.g. "Ban Chỉ đạo tỉnh Bình Thuận"
    reply_to: tuple[str, ...] = ()  # the province contact: replies to a digest go there
    registry: str = "registry.xlsx"
    completion_method: str = "mean_ratio"
    reference_day: tuple[int, int] = (10, 31)  # R = this month/day of year Y
    rollover_day: tuple[int, int] = (12, 1)  # from this day of year Y on, work on Y + 1
    calendar: str | None = None  # a calendar file instead of the default of jobs/
    smtp: SmtpSettings | None = None  # None: messages are written to outbox/ as .eml files
    google: GoogleSettings | None = None  # with backend = "google"
    heartbeat_url: str = ""  # [monitor]: pinged at each cycle's start and end (healthchecks.io)
    report: ReportSettings = field(default_factory=ReportSettings)  # [report]

    @property
    def root(self) -> Path:
        return self.path.parent

    def year(self, today: date) -> int:
        """The evaluation year the worker works on at `today` (SPEC §2)."""
        return today.year + 1 if (today.month, today.day) >= self.rollover_day else today.year

    def reference(self, year: int) -> date:
        return date(year, *self.reference_day)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    password: str = field(default="", repr=False)  # discouraged: prefer the file or variable
    password_file: Path | None = None
    password_env: str = "MOHINH_SMTP_PASSWORD"
    timeout: float = 30.0
    ca_file: Path | None = None  # a private CA the server's certificate is signed by

    @property
    def server(self) -> str:
        """ "host:port": the server, as the state remembers what it offered."""
        return f"{self.host}:{self.port}"
