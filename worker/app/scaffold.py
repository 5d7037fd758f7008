"""`mohinh init`: a new workspace, blank or with the demo province."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from worker.adapters.xlsx.workbook import write_workbook
from worker.app.config import default_config
from worker.core.errors import ConfigError
from worker.core.layout import load
from worker.core.settings import OUTBOX, REPORTS
from worker.demo import province as demo_province

BLANK_UNIT = "units/mau-bang-tinh-don-vi.xlsx"


def init_workspace(root: Path, demo: bool, today: date) -> list[Path]:
    """Create the workspace; refuses a folder that already holds files. Returns what it wrote."""
    if root.exists() and any(root.iterdir()):
        raise ConfigError(
            f"Thư mục {root} đã có dữ liệu: chọn một thư mục mới hoặc trống "
            "(phần mềm không ghi đè lên dữ liệu có sẵn)"
        )
    for folder in ("units", OUTBOX, REPORTS):
        (root / folder).mkdir(parents=True, exist_ok=True)
    if demo:
        province = demo_province.build(root, today)
        staff, sender = demo_province.STAFF, demo_province.SENDER
    else:
        write_workbook(root / "registry.xlsx", load("registry"))
        write_workbook(root / BLANK_UNIT, load("unit"))
        province, staff, sender = "Tỉnh (điền tên tỉnh)", [], "mohinh@example.gov.vn"
    config = default_config(province, staff, sender, demo_province.REPORT if demo else None)
    if demo:  # the demo's mail says who sends it and where a reply goes, as a province's should
        config = config.replace(
            '# sender_name = "Ban Chỉ đạo tỉnh Bình Thuận"',
            f'sender_name = "{demo_province.SENDER_NAME}"',
        ).replace('# reply_to = ["thuongtruc@example.gov.vn"]', f'reply_to = ["{staff[0]}"]')
    (root / "config.toml").write_text(config, "utf-8")
    return sorted(p for p in root.rglob("*") if p.is_file())
