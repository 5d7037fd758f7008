"""The workspace configuration (`config.toml`), parsed once into a frozen object.

Errors name the setting and the file, in Vietnamese; the CLI exits 2 on them.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from worker.app.config_schema import Checker
from worker.core import explain
from worker.core.cells import CellProblem, parse_emails
from worker.core.errors import ConfigError
from worker.core.settings import GoogleSettings, ReportSettings, Settings, SmtpSettings

CONFIG_FILE = "config.toml"


def _month_day(raw: object, section: str, key: str, check: Checker) -> tuple[int, int]:
    try:
        day, month = (int(part) for part in str(raw).split("/"))
        date(2024, month, day)
    except ValueError:
        raise check.bad_value(
            section, key, raw, "nhập ngày/tháng dạng dd/mm, ví dụ 31/10"
        ) from None
    return month, day


def load_settings(root: Path) -> Settings:
    path = root / CONFIG_FILE
    raw, check = _read(path)

    def get(section: str, key: str, default: object = None) -> object:
        value = raw.get(section, {}).get(key, default)
        if value is None:
            raise ConfigError(f"Thiếu cấu hình [{section}] {key} trong {path}")
        return value

    def emails(section: str, key: str, default: object = None) -> tuple[str, ...]:
        value = get(section, key, default)
        try:
            return parse_emails(";".join(value) if isinstance(value, list) else str(value))
        except CellProblem as problem:
            raise ConfigError(
                f"Cấu hình [{section}] {key} trong {check.where(section, key)}: "
                f"{problem.message} — {problem.fix}"
            ) from None

    # in this order: when several settings are wrong, the first one named is always the same
    method = get("rules", "completion_method", "mean_ratio")
    backend = get("workspace", "backend", "local")
    staff_emails = emails("province", "staff_emails", "")
    sender = emails("mail", "sender")
    sender_name = _display_name(raw.get("mail", {}).get("sender_name", ""), path)
    reply_to = emails("mail", "reply_to", "")
    rollover = _rollover(get("rules", "rollover_date", "01/12"), check)
    calendar = raw.get("workspace", {}).get("calendar")
    smtp = _smtp(raw.get("mail", {}), path, check)
    google = _google(raw.get("google", {}), path) if backend == "google" else None
    return Settings(
        path=path,
        province=str(get("province", "name")),
        staff_emails=staff_emails,
        sender=sender[0] if sender else "",
        sender_name=sender_name,
        reply_to=reply_to,
        backend=str(backend),
        registry=str(get("workspace", "registry", "registry.xlsx")),
        completion_method=str(method),
        reference_day=_month_day(
            get("rules", "reference_date", "31/10"), "rules", "reference_date", check
        ),
        rollover_day=rollover,
        calendar=str(calendar) if calendar else None,
        smtp=smtp,
        google=google,
        heartbeat_url=_heartbeat(raw.get("monitor", {}), path),
        report=_report(raw.get("report", {}), str(get("province", "name"))),
    )


def _read(path: Path) -> tuple[dict[str, Any], Checker]:
    """The file parsed and checked: from here on, every name is known and every value of its
    type."""
    if not path.is_file():
        raise ConfigError(
            f"Không tìm thấy tệp cấu hình {path}: tạo thư mục làm việc bằng "
            "'mohinh init THƯ_MỤC' hoặc chỉ đúng thư mục bằng --workspace"
        )
    source = ""
    try:
        # utf-8-sig: Notepad saves UTF-8 with a byte-order mark, which TOML does not allow
        source = path.read_text("utf-8-sig")
        raw = tomllib.loads(source)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Tệp cấu hình {path}: {explain.toml_error(exc, source)}") from None
    check = Checker(path, source)
    check.check(raw)
    return raw, check


def _rollover(raw: object, check: Checker) -> tuple[int, int]:
    rollover = _month_day(raw, "rules", "rollover_date", check)
    if rollover < (11, 1):
        raise check.bad_value(
            "rules",
            "rollover_date",
            raw,
            "chọn một ngày từ 01/11 đến 31/12 (sau khi kỳ đánh giá kết thúc ngày 31/10)",
        )
    return rollover


SENDER_NAME_MAX = 80  # characters: a display name, not a sentence


def _display_name(raw: object, path: Path) -> str:
    """[mail] sender_name: one line of printable text, NFC, that a mail client can show."""
    name = unicodedata.normalize("NFC", str(raw)).strip()
    if not all(ch.isprintable() for ch in name) or any(ch in name for ch in '<>"'):
        raise ConfigError(
            f"Cấu hình [mail] sender_name = '{raw}' trong {path} không hợp lệ: "
            'chỉ ghi tên trên một dòng, không có ký tự điều khiển hay < > "'
        )
    if len(name) > SENDER_NAME_MAX:
        raise ConfigError(
            f"Cấu hình [mail] sender_name trong {path} dài {len(name)} ký tự: "
            f"rút gọn còn tối đa {SENDER_NAME_MAX} ký tự"
        )
    return name


def _heartbeat(section: dict[str, object], path: Path) -> str:
    """[monitor] heartbeat_url: an http(s) address, or nothing."""
    url = section.get("heartbeat_url", "")
    if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
        raise ConfigError(
            f"Cấu hình [monitor] heartbeat_url = '{url}' trong {path} không hợp lệ: nhập địa "
            "chỉ bắt đầu bằng https:// (hoặc http://), ví dụ https://hc-ping.com/<mã-theo-dõi>"
        )
    return url


def place_name(province: str) -> str:
    """ "Tỉnh Bình Thuận" -> "Bình Thuận": the place name a document is dated at."""
    for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "):
        if province.startswith(prefix):
            return province[len(prefix) :]
    return province


def _report(section: dict[str, Any], province: str) -> ReportSettings:
    """[report]: of their types already (the schema checked them); NFC, trimmed. Without a
    setting, the issuing body and the place come from the province's name."""

    def text(key: str, default: str = "") -> str:
        value = unicodedata.normalize("NFC", str(section.get(key, default))).strip()
        return value or default

    defaults = ReportSettings()
    return ReportSettings(
        parent=text("parent"),
        issuer=text("issuer", f"Ban Chỉ đạo {province}"),
        place=text("place", place_name(province)),
        symbol=text("symbol", defaults.symbol),
        authority=text("authority", defaults.authority),
        title=text("title", defaults.title),
        signer=text("signer"),
        recipients=tuple(
            unicodedata.normalize("NFC", r).strip() for r in section.get("recipients", [])
        ),
        archive=text("archive", defaults.archive),
        basis=text("basis"),
    )


RATES = ("per_minute", "reads_per_minute", "writes_per_minute")  # [google] quota settings


def _google(section: dict[str, object], path: Path) -> GoogleSettings:
    key = section.get("key_file") or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not key:
        raise ConfigError(
            f"Thiếu cấu hình [google] key_file trong {path} (hoặc biến môi trường "
            "GOOGLE_APPLICATION_CREDENTIALS): tệp khóa JSON của tài khoản dịch vụ"
        )
    if not section.get("registry"):
        raise ConfigError(
            f"Thiếu cấu hình [google] registry trong {path}: mã hoặc đường dẫn "
            "bảng tính Danh mục đơn vị"
        )
    numbers = {
        k: float(str(section[k]))
        for k in (*RATES, "attempts", "backoff", "timeout")
        if k in section
    }  # of their type and range: the schema checked them
    per_minute = int(numbers.get("per_minute", 60))
    return GoogleSettings(
        key_file=path.parent / str(key),
        registry=str(section["registry"]),
        folder=str(section.get("folder", "")),
        reports_folder=str(section.get("reports_folder", "")),
        report_spreadsheet=str(section.get("report_spreadsheet", "")),
        per_minute=per_minute,
        reads_per_minute=int(numbers.get("reads_per_minute", per_minute)),
        writes_per_minute=int(numbers.get("writes_per_minute", per_minute)),
        attempts=int(numbers.get("attempts", 6)),
        backoff=numbers.get("backoff", 1.0),
        timeout=numbers.get("timeout", 60.0),
    )


def _smtp(mail: dict[str, object], path: Path, check: Checker) -> SmtpSettings | None:
    if not mail.get("smtp_host"):
        return None
    security = str(mail.get("security", "starttls"))
    port, timeout = int(str(mail.get("smtp_port", 587))), float(str(mail.get("timeout", 30)))
    files = {}
    for setting in ("password_file", "ca_file"):
        value = mail.get(setting)
        if value and not (path.parent / str(value)).is_file():
            raise ConfigError(
                f"Cấu hình [mail] {setting} = '{value}' trong {check.where('mail', setting)}: "
                "không tìm thấy tệp"
            )
        files[setting] = path.parent / str(value) if value else None
    return SmtpSettings(
        host=str(mail["smtp_host"]),
        port=port,
        security=security,
        username=str(mail.get("username", "")),
        password=str(mail.get("password", "")),
        password_file=files["password_file"],
        ca_file=files["ca_file"],
        password_env=str(mail.get("password_env", "MOHINH_SMTP_PASSWORD")),
        timeout=timeout,
    )


# [report] as `mohinh init` writes it: each setting with an example and what it is for
REPORT_EXAMPLE = {
    "parent": ("UBND TỈNH BÌNH THUẬN", "cơ quan chủ quản, trên tên cơ quan ban hành"),
    "issuer": ("BAN CHỈ ĐẠO TỈNH", "cơ quan ban hành báo cáo"),
    "place": ("Bình Thuận", "địa danh ghi trước ngày tháng"),
    "symbol": ("BC-BCĐ", "ký hiệu văn bản: Số:      /BC-BCĐ"),
    "authority": ("TM. BAN CHỈ ĐẠO", "quyền hạn người ký"),
    "title": ("TRƯỞNG BAN", "chức vụ người ký"),
    "signer": ("Nguyễn Văn A", "họ và tên người ký"),
    "recipients": (
        ["Ban Chỉ đạo Trung ương (Cục V05 - Bộ Công an)", "Thường trực Tỉnh ủy", "UBND tỉnh"],
        "nơi nhận, trước dòng Lưu",
    ),
    "archive": ("VT, PV01", "Lưu: văn thư, đơn vị soạn thảo"),
    "basis": (
        "Hướng dẫn số 163/HD-BCĐ ngày 17/01/2023 của Ban Chỉ đạo tỉnh",
        "văn bản mà báo cáo thực hiện",
    ),
}


def _toml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def report_section(values: dict[str, object] | None = None) -> str:
    """[report] of a new config.toml: commented examples, or `values` set (the demo's)."""
    lines = [
        "# Báo cáo năm (Nghị định 30/2020/NĐ-CP): tên cơ quan, địa danh, người ký, nơi nhận.",
        "# Không ghi: tên cơ quan ban hành theo tên tỉnh, phần còn thiếu để trống trong bản Word.",
        "[report]" if values else "# [report]",
    ]
    for key, (example, what) in REPORT_EXAMPLE.items():
        if values and key in values:
            lines.append(f"{key} = {_toml(values[key])}  # {what}")
        else:
            lines.append(f"# {key} = {_toml(example)}  # {what}")
    return "\n".join(lines) + "\n"


def default_config(
    province: str,
    staff_emails: list[str],
    sender: str,
    report: dict[str, object] | None = None,
) -> str:
    """The text of a new workspace's `config.toml`; `report` sets [report] (else commented)."""
    emails = ", ".join(f'"{e}"' for e in staff_emails)
    return f'''# Cấu hình thư mục làm việc của mohinh.
[province]
name = "{province}"
# Cán bộ Thường trực Ban Chỉ đạo tỉnh nhận bản tổng hợp và thư tổng hợp của tỉnh.
staff_emails = [{emails}]

[workspace]
backend = "local"          # "local": các tệp .xlsx trong thư mục này
registry = "registry.xlsx" # danh mục đơn vị
# calendar = "lich.toml"   # lịch khác với lịch mặc định (05/11, 10/11, 15/11)

[rules]
completion_method = "mean_ratio" # hoặc "share_met"
reference_date = "31/10"         # mốc xét đủ 10 tháng trong năm đánh giá
rollover_date = "01/12"          # từ ngày này chuyển sang năm đánh giá tiếp theo

[mail]
sender = "{sender}"
# sender_name = "Ban Chỉ đạo tỉnh Bình Thuận" # tên người gửi hiện trong hộp thư
# reply_to = ["thuongtruc@example.gov.vn"]     # thư trả lời của đơn vị đến địa chỉ này
# Không có smtp_host: mỗi thư được ghi thành một tệp .eml trong outbox/.
# smtp_host = "smtp.example.gov.vn"
# smtp_port = 587
# security = "starttls"              # starttls | ssl | none
# username = "mohinh@example.gov.vn"
# password_file = "mat-khau-smtp.txt" # hoặc biến môi trường MOHINH_SMTP_PASSWORD
# timeout = 30                        # giây
# ca_file = "ca.pem"                  # chứng chỉ CA riêng của máy chủ thư (nếu có)

{report_section(report)}
# [monitor]
# Địa chỉ theo dõi (healthchecks.io, Uptime Kuma): báo khi mỗi chu kỳ bắt đầu (…/start),
# xong (địa chỉ này) hoặc có lỗi (…/fail); nếu không nghe tin, máy theo dõi sẽ cảnh báo.
# heartbeat_url = "https://hc-ping.com/<mã-theo-dõi>"
'''
