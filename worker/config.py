"""The workspace configuration (`config.toml`), parsed once into a frozen object.

Errors name the setting and the file, in Vietnamese; the CLI exits 2 on them.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

from worker.cells import CellProblem, parse_emails
from worker.settings import (
    BACKENDS,
    METHODS,
    ConfigError,
    GoogleSettings,
    Settings,
    SmtpSettings,
)

CONFIG_FILE = "config.toml"


def _month_day(raw: object, setting: str, path: Path) -> tuple[int, int]:
    try:
        day, month = (int(part) for part in str(raw).split("/"))
        date(2024, month, day)
    except ValueError:
        raise ConfigError(
            f"Cấu hình {setting} = '{raw}' trong {path} không hợp lệ: "
            "nhập ngày/tháng dạng dd/mm, ví dụ 31/10"
        ) from None
    return month, day


def load_settings(root: Path) -> Settings:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            f"Không tìm thấy tệp cấu hình {path}: tạo thư mục làm việc bằng "
            "'mohinh init THƯ_MỤC' hoặc chỉ đúng thư mục bằng --workspace"
        )
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Tệp cấu hình {path} sai cú pháp: {exc}") from None

    def get(section: str, key: str, default: object = None) -> object:
        value = raw.get(section, {}).get(key, default)
        if value is None:
            raise ConfigError(f"Thiếu cấu hình [{section}] {key} trong {path}")
        return value

    method = get("rules", "completion_method", "mean_ratio")
    if method not in METHODS:
        raise ConfigError(
            f"Cấu hình [rules] completion_method = '{method}' trong {path} "
            f"không hợp lệ: dùng 'mean_ratio' hoặc 'share_met'"
        )
    backend = get("workspace", "backend", "local")
    if backend not in BACKENDS:
        raise ConfigError(
            f"Cấu hình [workspace] backend = '{backend}' trong {path} "
            f"không hợp lệ: dùng {' hoặc '.join(repr(b) for b in BACKENDS)}"
        )

    def emails(section: str, key: str, default: object = None) -> tuple[str, ...]:
        value = get(section, key, default)
        try:
            return parse_emails(";".join(value) if isinstance(value, list) else value)
        except CellProblem as problem:
            raise ConfigError(
                f"Cấu hình [{section}] {key} trong {path}: {problem.message} — {problem.fix}"
            ) from None

    staff_emails = emails("province", "staff_emails", "")
    sender = emails("mail", "sender")
    rollover = _month_day(get("rules", "rollover_date", "01/12"), "[rules] rollover_date", path)
    if rollover < (11, 1):
        raise ConfigError(
            f"Cấu hình [rules] rollover_date trong {path} phải từ 01/11 đến 31/12 "
            "(sau khi kỳ đánh giá kết thúc ngày 31/10)"
        )
    calendar = raw.get("workspace", {}).get("calendar")
    smtp = _smtp(raw.get("mail", {}), path)
    google = _google(raw.get("google", {}), path) if backend == "google" else None
    return Settings(
        path=path,
        province=str(get("province", "name")),
        staff_emails=staff_emails,
        sender=sender[0] if sender else "",
        backend=str(backend),
        registry=str(get("workspace", "registry", "registry.xlsx")),
        completion_method=str(method),
        reference_day=_month_day(
            get("rules", "reference_date", "31/10"), "[rules] reference_date", path
        ),
        rollover_day=rollover,
        calendar=str(calendar) if calendar else None,
        smtp=smtp,
        google=google,
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
    try:
        numbers = {
            k: float(str(section[k]))
            for k in (*RATES, "attempts", "backoff", "timeout")
            if k in section
        }
    except ValueError:
        raise ConfigError(
            f"Cấu hình [google] {', '.join(RATES)}, attempts, backoff, timeout trong {path} "
            "phải là số"
        ) from None
    for rate in RATES:
        if rate in numbers and numbers[rate] < 1:
            raise ConfigError(
                f"Cấu hình [google] {rate} = {section[rate]} trong {path} phải từ 1 trở lên "
                "(Google cho mỗi tài khoản 60 lượt đọc và 60 lượt ghi một phút)"
            )
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
        backoff=numbers.get("backoff", 2.0),
        timeout=numbers.get("timeout", 60.0),
    )


def _smtp(mail: dict[str, object], path: Path) -> SmtpSettings | None:
    if not mail.get("smtp_host"):
        return None
    security = str(mail.get("security", "starttls"))
    if security not in ("starttls", "ssl", "none"):
        raise ConfigError(
            f"Cấu hình [mail] security = '{security}' trong {path} không hợp lệ: "
            "dùng 'starttls', 'ssl' hoặc 'none'"
        )
    try:
        port, timeout = int(str(mail.get("smtp_port", 587))), float(str(mail.get("timeout", 30)))
    except (TypeError, ValueError):
        raise ConfigError(
            f"Cấu hình [mail] smtp_port hoặc timeout trong {path} phải là số"
        ) from None
    files = {}
    for setting in ("password_file", "ca_file"):
        value = mail.get(setting)
        if value and not (path.parent / str(value)).is_file():
            raise ConfigError(
                f"Cấu hình [mail] {setting} = '{value}' trong {path}: không tìm thấy tệp"
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


def default_config(province: str, staff_emails: list[str], sender: str) -> str:
    """The text of a new workspace's `config.toml`."""
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
# Không có smtp_host: mỗi thư được ghi thành một tệp .eml trong outbox/.
# smtp_host = "smtp.example.gov.vn"
# smtp_port = 587
# security = "starttls"              # starttls | ssl | none
# username = "mohinh@example.gov.vn"
# password_file = "mat-khau-smtp.txt" # hoặc biến môi trường MOHINH_SMTP_PASSWORD
# timeout = 30                        # giây
# ca_file = "ca.pem"                  # chứng chỉ CA riêng của máy chủ thư (nếu có)
'''
