"""Every setting `config.toml` may hold, with its type and range: anything else is refused,
naming the file, the line and the closest known name, before a value is used.

Pure: it is handed the parsed TOML and its text (for line numbers).
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worker.core.errors import ConfigError
from worker.core.settings import BACKENDS, METHODS


@dataclass(frozen=True)
class Kind:
    """What one setting accepts: `accepts(value)`, else the fix told to the user."""

    accepts: Callable[[Any], bool]
    fix: str
    example: str  # a good value as written in TOML (for tests and messages)


def text(example: str, required: bool = False) -> Kind:
    return Kind(
        lambda v: isinstance(v, str) and (bool(v.strip()) or not required),
        "nhập một chuỗi trong dấu ngoặc kép"
        + (", không để trống" if required else "")
        + f", ví dụ {example}",
        example,
    )


def choice(options: tuple[str, ...]) -> Kind:
    return Kind(
        lambda v: v in options,
        "dùng " + " hoặc ".join(f"'{o}'" for o in options),
        f'"{options[0]}"',
    )


def integer(low: int, high: int, example: int) -> Kind:
    return Kind(
        lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
        f"nhập một số nguyên từ {low} đến {high}, không có dấu ngoặc kép, ví dụ {example}",
        str(example),
    )


def number(low: float, high: float, example: float, above: bool = False) -> Kind:
    """A real number in [low, high] (or (low, high] when `above`)."""

    def accepts(v: Any) -> bool:
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            return False
        return (v > low if above else v >= low) and v <= high

    start = f"lớn hơn {low:g}" if above else f"từ {low:g}"
    return Kind(
        accepts,
        f"nhập một số {start} đến {high:g}, không có dấu ngoặc kép, ví dụ {example:g}",
        f"{example:g}",
    )


EMAILS = Kind(
    lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(e, str) for e in v)),
    'nhập một danh sách địa chỉ email, ví dụ ["a@donvi.gov.vn", "b@donvi.gov.vn"]',
    '["tinh@example.gov.vn"]',
)
TEXTS = Kind(
    lambda v: isinstance(v, list) and all(isinstance(e, str) and e.strip() for e in v),
    'nhập một danh sách các dòng trong dấu ngoặc kép, ví dụ ["Thường trực Tỉnh ủy", "UBND tỉnh"]',
    '["UBND tỉnh"]',
)
DAY_MONTH = Kind(
    lambda v: isinstance(v, str), "nhập ngày/tháng dạng dd/mm trong dấu ngoặc kép", '"31/10"'
)
SECONDS = number(0, 600, 30, above=True)

SCHEMA: dict[str, dict[str, Kind]] = {
    "province": {"name": text('"Tỉnh Bình Định"', required=True), "staff_emails": EMAILS},
    "workspace": {
        "backend": choice(BACKENDS),
        "registry": text('"registry.xlsx"', required=True),
        "calendar": text('"dan-van-kheo"'),
    },
    "rules": {
        "completion_method": choice(METHODS),
        "reference_date": DAY_MONTH,
        "rollover_date": DAY_MONTH,
    },
    "mail": {
        "sender": text('"mohinh@donvi.gov.vn"', required=True),
        "sender_name": text('"Ban Chỉ đạo tỉnh Bình Thuận"'),
        "reply_to": EMAILS,
        "smtp_host": text('"smtp.donvi.gov.vn"'),
        "smtp_port": integer(1, 65535, 587),
        "security": choice(("starttls", "ssl", "none")),
        "username": text('"mohinh@donvi.gov.vn"'),
        "password": text('"..."'),
        "password_file": text('"mat-khau-smtp.txt"'),
        "password_env": text('"MOHINH_SMTP_PASSWORD"'),
        "timeout": SECONDS,
        "ca_file": text('"ca.pem"'),
    },
    # the annual report's letterhead and signature (Nghị định 30/2020/NĐ-CP, Phụ lục I)
    "report": {
        "parent": text('"UBND TỈNH BÌNH THUẬN"'),
        "issuer": text('"BAN CHỈ ĐẠO TỈNH"'),
        "place": text('"Bình Thuận"'),
        "symbol": text('"BC-BCĐ"', required=True),
        "authority": text('"TM. BAN CHỈ ĐẠO"'),
        "title": text('"TRƯỞNG BAN"'),
        "signer": text('"Nguyễn Văn A"'),
        "recipients": TEXTS,
        "archive": text('"VT, PV01"', required=True),
        "basis": text('"Hướng dẫn số 163/HD-BCĐ ngày 17/01/2023 của Ban Chỉ đạo tỉnh"'),
    },
    "monitor": {"heartbeat_url": text('"https://hc-ping.com/<mã-theo-dõi>"')},
    "google": {
        "key_file": text('"khoa-tai-khoan-dich-vu.json"', required=True),
        "registry": text('"https://docs.google.com/spreadsheets/d/…"', required=True),
        "folder": text('"1AbC…"'),
        "reports_folder": text('"1AbC…"'),
        "report_spreadsheet": text('"https://docs.google.com/spreadsheets/d/…"'),
        "per_minute": integer(1, 1_000_000, 60),
        "reads_per_minute": integer(1, 1_000_000, 60),
        "writes_per_minute": integer(1, 1_000_000, 60),
        "attempts": integer(1, 20, 6),
        "backoff": number(0, 64, 1),
        "timeout": SECONDS,
    },
}
HEADER = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
KEY = re.compile(r"^(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_-]+))\s*=")


def line_of(source: str, section: str | None, key: str | None = None) -> int | None:
    """The line where `[section]` starts (key None) or where `key` is set in it (section None:
    before any section). None when it is written some other way (dotted keys, inline tables)."""
    current: str | None = None
    for n, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        header = HEADER.match(stripped)
        if header:
            current = header.group(1).strip().strip("\"'")
            if key is None and current == section:
                return n
            continue
        found = KEY.match(stripped)
        if key is not None and current == section and found and key in found.groups():
            return n
    return None


def show(value: Any) -> str:
    """A value as the user wrote it, near enough: text in quotes, lists and tables as TOML."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str).replace('": ', '" = ')
    return str(value)


class Checker:
    """Refuses the first unknown name or bad value of one parsed config.toml."""

    def __init__(self, path: Path, source: str) -> None:
        self.path, self.source = path, source

    def where(self, section: str | None, key: str | None = None) -> str:
        line = line_of(self.source, section, key)
        return f"{self.path} (dòng {line})" if line else str(self.path)

    def check(self, raw: dict[str, Any]) -> None:
        for name, section in raw.items():
            if name not in SCHEMA and not isinstance(section, dict):
                self.stray_key(name)
            if name not in SCHEMA:
                self.unknown_section(name)
            if not isinstance(section, dict):
                raise ConfigError(
                    f"Cấu hình {name} = {show(section)} trong {self.where(None, name)} không "
                    f"hợp lệ: {name} là một mục, viết [{name}] trên một dòng riêng rồi các "
                    "cấu hình của nó ở các dòng bên dưới"
                )
            for key, value in section.items():
                kind = SCHEMA[name].get(key)
                if kind is None:
                    self.unknown_key(name, key)
                elif not kind.accepts(value):
                    raise self.bad_value(name, key, value)

    def bad_value(self, section: str, key: str, value: Any, fix: str = "") -> ConfigError:
        return ConfigError(
            f"Cấu hình [{section}] {key} = {show(value)} trong {self.where(section, key)} "
            f"không hợp lệ: {fix or SCHEMA[section][key].fix}"
        )

    def stray_key(self, key: str) -> None:
        """A setting written above every section (or a section's name misspelt as a key)."""
        home = next((s for s, keys in SCHEMA.items() if key in keys), None)
        keys = [k for keys in SCHEMA.values() for k in keys]
        close = difflib.get_close_matches(key, [*SCHEMA, *keys], n=1, cutoff=0.6)
        if home is None and close and close[0] in SCHEMA:
            hint = f"có phải là mục [{close[0]}]?"
        elif home is None and close:
            home = next(s for s, known in SCHEMA.items() if close[0] in known)
            hint = f"có phải là {close[0]} trong mục [{home}]?"
        elif home is not None:
            hint = f"đặt dòng này bên dưới dòng [{home}]"
        else:
            hint = "các mục có thể dùng là " + ", ".join(f"[{s}]" for s in SCHEMA)
        raise ConfigError(
            f"Cấu hình {key} trong {self.where(None, key)} nằm ngoài mọi mục và không có: {hint}"
        )

    def unknown_section(self, name: str) -> None:
        close = difflib.get_close_matches(name, SCHEMA, n=1, cutoff=0.6)
        hint = (
            f"có phải là [{close[0]}]?"
            if close
            else "các mục có thể dùng là " + ", ".join(f"[{s}]" for s in SCHEMA)
        )
        raise ConfigError(f"Mục [{name}] trong {self.where(name)} không có: {hint}")

    def unknown_key(self, section: str, key: str) -> None:
        known = SCHEMA[section]
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = (
            f"có phải là {close[0]}?"
            if close
            else f"các cấu hình của [{section}] là " + ", ".join(known)
        )
        raise ConfigError(
            f"Cấu hình [{section}] {key} trong {self.where(section, key)} không có: {hint}"
        )
