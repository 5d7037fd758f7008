"""config.toml refuses what it does not know: an unknown section or key is named with the closest
known one, and every value is type- and range-checked, with the file and the line; no TOML value
ends in a traceback. Run over every setting."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from worker.app.config import load_settings
from worker.app.config_schema import SCHEMA
from worker.core.errors import Status

BAD_CONFIG = Status.BAD_CONFIG

Cli = Callable[..., Result]

# Every setting, with a good value and a value of the wrong type. The settings are exactly
# those the worker reads; a new one must be added here, and to the README.
SETTINGS: dict[tuple[str, str], tuple[Any, Any]] = {
    ("province", "name"): ("Tỉnh Thử", 5),
    ("province", "staff_emails"): (["tinh@example.gov.vn"], 5),
    ("workspace", "backend"): ("local", ["local"]),
    ("workspace", "registry"): ("registry.xlsx", 1.5),
    ("workspace", "calendar"): ("jobs/calendar.toml", True),
    ("rules", "completion_method"): ("mean_ratio", 1),
    ("rules", "reference_date"): ("31/10", 31.10),
    ("rules", "rollover_date"): ("01/12", [1, 12]),
    ("mail", "sender"): ("mohinh@example.gov.vn", ["mohinh@example.gov.vn", 5]),
    ("mail", "sender_name"): ("Ban Chỉ đạo tỉnh Thử", 5),
    ("mail", "reply_to"): (["thuongtruc@example.gov.vn"], 5),
    ("mail", "smtp_host"): ("smtp.example.gov.vn", 25),
    ("mail", "smtp_port"): (587, "587"),
    ("mail", "security"): ("starttls", True),
    ("mail", "username"): ("mohinh", 0),
    ("mail", "password"): ("bí mật", 1234),
    ("mail", "password_file"): ("mat-khau.txt", ["mat-khau.txt"]),
    ("mail", "password_env"): ("MOHINH_SMTP_PASSWORD", {"a": 1}),
    ("mail", "timeout"): (30, "30"),
    ("mail", "ca_file"): ("ca.pem", 1),
    ("report", "parent"): ("UBND TỈNH THỬ", 1),
    ("report", "issuer"): ("BAN CHỈ ĐẠO TỈNH THỬ", ["BAN CHỈ ĐẠO"]),
    ("report", "place"): ("Thử", 2),
    ("report", "symbol"): ("BC-BCĐ", 3),
    ("report", "authority"): ("TM. BAN CHỈ ĐẠO", True),
    ("report", "title"): ("TRƯỞNG BAN", 4),
    ("report", "signer"): ("Nguyễn Văn Thử", 5),
    ("report", "recipients"): (["UBND tỉnh", "Thường trực Tỉnh ủy"], "UBND tỉnh"),
    ("report", "archive"): ("VT, PV01", 6),
    ("report", "basis"): ("Hướng dẫn số 1/HD-BCĐ", 7),
    ("monitor", "heartbeat_url"): ("https://hc-ping.com/abc", 1),
    ("google", "key_file"): ("khoa.json", 1),
    ("google", "registry"): ("1AbCdEfGhIjKlMnOpQrStUvWxYz", ["x"]),
    ("google", "folder"): ("thuMucDonVi", 2),
    ("google", "reports_folder"): ("thuMucBaoCao", 2),
    ("google", "report_spreadsheet"): ("1AbCdEfGhIjKlMnOpQrStUvWxYz", 3),
    ("google", "per_minute"): (60, 60.5),
    ("google", "reads_per_minute"): (60, "60"),
    ("google", "writes_per_minute"): (60, [60]),
    ("google", "attempts"): (6, "6"),
    ("google", "backoff"): (2, "2"),
    ("google", "timeout"): (60, [60]),
}
OUT_OF_RANGE = [
    ("mail", "timeout", -1),
    ("mail", "timeout", 0),
    ("mail", "smtp_port", 70000),
    ("google", "timeout", math.inf),
    ("google", "backoff", math.nan),
    ("google", "per_minute", 0),
    ("google", "attempts", True),
    ("workspace", "registry", "  "),
    ("report", "symbol", " "),
]


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else "inf"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def write_config(
    root: Path, changes: dict[tuple[str, str], Any], top: str = "", drop: str = ""
) -> dict[tuple[str, str | None], int]:
    """config.toml with the base settings and `changes` ((section, key) -> value); returns
    the line of each (section, key) written, counted here."""
    sections: dict[str, dict[str, Any]] = {
        "province": {"name": "Tỉnh Thử", "staff_emails": ["tinh@example.gov.vn"]},
        "workspace": {"backend": "local", "registry": "registry.xlsx"},
        "rules": {"completion_method": "mean_ratio"},
        "mail": {"sender": "mohinh@example.gov.vn"},
    }
    sections.pop(drop, None)
    for (section, key), value in changes.items():
        sections.setdefault(section, {})[key] = value
    lines = ["# cấu hình thử", *([top] if top else [])]
    where: dict[tuple[str, str | None], int] = {}
    for section, values in sections.items():
        lines += ["", f"[{section}]"]
        where[(section, None)] = len(lines)
        for key, value in values.items():
            lines.append(f"{key} = {literal(value)}")
            where[(section, key)] = len(lines)
    (root / "config.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return where


@pytest.fixture
def root(tmp_path: Path, cli: Cli) -> Path:
    root = tmp_path / "ws"
    assert cli("init", root).exit_code == 0
    return root


def refused(cli: Cli, root: Path, *message: str) -> None:
    """The CLI stops with status 2 and the parts of the message, in this order."""
    result = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == BAD_CONFIG, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Lỗi cấu hình: ")
    at = 0
    for part in message:
        assert part in result.output[at:], result.output
        at = result.output.index(part, at) + len(part)


def misspelt(name: str) -> str:
    """Two neighbouring letters swapped in the middle of the name."""
    i = len(name) // 2
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def test_the_known_settings_are_exactly_those_the_worker_reads() -> None:
    assert {(s, k) for s, keys in SCHEMA.items() for k in keys} == set(SETTINGS)


def test_every_setting_with_a_good_value_is_accepted(root: Path) -> None:
    (root / "mat-khau.txt").write_text("x", "utf-8")
    (root / "ca.pem").write_text("x", "utf-8")
    write_config(root, {setting: good for setting, (good, _) in SETTINGS.items()})
    settings = load_settings(root)
    assert settings.smtp is not None and settings.smtp.port == 587
    assert settings.google is None  # read only with backend = "google"
    report = settings.report
    assert (report.parent, report.issuer, report.place, report.symbol) == (
        "UBND TỈNH THỬ",
        "BAN CHỈ ĐẠO TỈNH THỬ",
        "Thử",
        "BC-BCĐ",
    )
    assert (report.authority, report.title, report.signer) == (
        "TM. BAN CHỈ ĐẠO",
        "TRƯỞNG BAN",
        "Nguyễn Văn Thử",
    )
    assert report.recipients == ("UBND tỉnh", "Thường trực Tỉnh ủy")
    assert (report.archive, report.basis) == ("VT, PV01", "Hướng dẫn số 1/HD-BCĐ")


def test_without_a_report_section_the_report_is_issued_in_the_provinces_name(root: Path) -> None:
    write_config(root, {})
    report = load_settings(root).report
    assert (report.issuer, report.place) == ("Ban Chỉ đạo Tỉnh Thử", "Thử")
    assert (report.symbol, report.authority, report.title) == (
        "BC-BCĐ",
        "TM. BAN CHỈ ĐẠO",
        "TRƯỞNG BAN",
    )
    assert (report.parent, report.signer, report.recipients, report.archive) == ("", "", (), "VT")


def test_init_writes_every_report_setting_commented_each_good_once_uncommented(root: Path) -> None:
    text = (root / "config.toml").read_text("utf-8")
    assert "\n# [report]\n" in text and "\n[report]\n" not in text
    keys = [k for k in SCHEMA["report"]]
    for key in keys:
        assert text.count(f"\n# {key} = ") == 1, key
    opened = text.replace("\n# [report]\n", "\n[report]\n")
    for key in keys:
        opened = opened.replace(f"\n# {key} = ", f"\n{key} = ")
    (root / "config.toml").write_text(opened, "utf-8")
    report = load_settings(root).report
    assert (report.place, report.signer) == ("Bình Thuận", "Nguyễn Văn A")
    assert report.archive == "VT, PV01"
    assert report.recipients[0] == "Ban Chỉ đạo Trung ương (Cục V05 - Bộ Công an)"


@pytest.mark.parametrize(("section", "key"), list(SETTINGS), ids=[f"{s}.{k}" for s, k in SETTINGS])
def test_a_value_of_the_wrong_type_is_refused_naming_the_setting_and_line(
    root: Path, cli: Cli, section: str, key: str
) -> None:
    wrong = SETTINGS[(section, key)][1]
    line = write_config(root, {(section, key): wrong})[(section, key)]
    refused(
        cli,
        root,
        f"Lỗi cấu hình: Cấu hình [{section}] {key} = ",
        f" trong {root / 'config.toml'} (dòng {line}) không hợp lệ: ",
    )


@pytest.mark.parametrize(("section", "key", "value"), OUT_OF_RANGE, ids=str)
def test_a_value_out_of_range_is_refused_with_the_fix(
    root: Path, cli: Cli, section: str, key: str, value: Any
) -> None:
    line = write_config(root, {(section, key): value})[(section, key)]
    refused(
        cli,
        root,
        f"Cấu hình [{section}] {key} = {literal(value).replace(chr(34), chr(39))} trong "
        f"{root / 'config.toml'} (dòng {line}) không hợp lệ: nhập",
    )


@pytest.mark.parametrize(("section", "key"), list(SETTINGS), ids=[f"{s}.{k}" for s, k in SETTINGS])
def test_a_misspelt_setting_is_refused_with_the_closest_known_name(
    root: Path, cli: Cli, section: str, key: str
) -> None:
    typo = misspelt(key)
    line = write_config(root, {(section, typo): SETTINGS[(section, key)][0]})[(section, typo)]
    refused(
        cli,
        root,
        f"Cấu hình [{section}] {typo} trong {root / 'config.toml'} (dòng {line}) không có: "
        f"có phải là {key}?",
    )


@pytest.mark.parametrize("section", list(SCHEMA))
def test_a_misspelt_section_is_refused_with_the_closest_known_one(
    root: Path, cli: Cli, section: str
) -> None:
    typo = section[:-1]  # [rule], [mai], …
    line = write_config(root, {(typo, "x"): 1})[(typo, None)]
    refused(
        cli,
        root,
        f"Mục [{typo}] trong {root / 'config.toml'} (dòng {line}) không có: "
        f"có phải là [{section}]?",
    )


def test_the_issues_misspellings_are_each_refused(root: Path, cli: Cli) -> None:
    write_config(root, {("mail", "smtp_hots"): "smtp.example.gov.vn"})
    refused(cli, root, "Cấu hình [mail] smtp_hots trong ", "không có: có phải là smtp_host?")
    write_config(root, {("province", "staff_email"): ["a@example.gov.vn"]})
    refused(cli, root, "không có: có phải là staff_emails?")
    write_config(root, {("rules", "refrence_date"): "31/10"})
    refused(cli, root, "không có: có phải là reference_date?")


def test_a_section_written_as_a_value_is_refused(root: Path, cli: Cli) -> None:
    write_config(root, {}, top="rules = 5", drop="rules")
    refused(
        cli,
        root,
        f"Cấu hình rules = 5 trong {root / 'config.toml'} (dòng 2) không hợp lệ: rules là một "
        "mục, viết [rules] trên một dòng riêng rồi các cấu hình của nó ở các dòng bên dưới",
    )


@pytest.mark.parametrize(
    ("top", "hint"),
    [
        ('smtp_host = "smtp.example.gov.vn"', "đặt dòng này bên dưới dòng [mail]"),
        ('smtp_hots = "smtp.example.gov.vn"', "có phải là smtp_host trong mục [mail]?"),
        (
            "zzz = 1",
            "các mục có thể dùng là [province], [workspace], [rules], [mail], [report], [monitor], "
            "[google]",
        ),
    ],
    ids=["known_key", "misspelt_key", "unknown"],
)
def test_a_setting_above_every_section_is_refused_saying_where_it_belongs(
    root: Path, cli: Cli, top: str, hint: str
) -> None:
    write_config(root, {}, top=top)
    key = top.split(" ")[0]
    refused(
        cli,
        root,
        f"Cấu hình {key} trong {root / 'config.toml'} (dòng 2) nằm ngoài mọi mục và không "
        f"có: {hint}",
    )


def test_the_config_that_init_writes_is_accepted_as_it_is(root: Path) -> None:
    settings = load_settings(root)
    assert settings.registry == "registry.xlsx"


def test_a_config_saved_with_a_byte_order_mark_is_read(root: Path, cli: Cli) -> None:
    """Notepad saves UTF-8 with a byte-order mark: the file is the same settings."""
    config = root / "config.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    result = cli("sync", "--workspace", root, "--today", "2026-10-29", "--dry-run")
    assert result.exit_code == 0, result.output
    assert load_settings(root).registry == "registry.xlsx"


def test_a_section_written_twice_is_named_with_both_lines(root: Path, cli: Cli) -> None:
    config = root / "config.toml"
    text = config.read_text("utf-8")
    first = text.splitlines().index("[province]") + 1
    config.write_text(text + '\n[province]\nname = "Tỉnh khác"\n', "utf-8")
    second = len(text.splitlines()) + 2
    refused(
        cli,
        root,
        f"Tệp cấu hình {config}: mục [province] được khai báo hai lần (dòng {first} và dòng "
        f"{second}) — gộp các cấu hình của hai mục vào một mục [province] rồi xóa dòng {second}",
    )


def test_a_setting_written_twice_is_named(root: Path, cli: Cli) -> None:
    config = root / "config.toml"
    lines = config.read_text("utf-8").splitlines()
    at = lines.index("[province]") + 1
    lines.insert(at, 'name = "Tỉnh A"')
    lines.insert(at, 'name = "Tỉnh B"')
    config.write_text("\n".join(lines) + "\n", "utf-8")
    refused(
        cli,
        root,
        f"Tệp cấu hình {config}: cấu hình name được ghi hai lần (dòng {at + 2}) — "
        f"giữ một dòng name, xóa dòng {at + 2}",
    )
