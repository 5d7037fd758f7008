"""The systemd unit shipped in docs/ and the set-up guide it belongs to (docs/huong-dan-cai-dat.md):
the unit runs the daemon on the workspace it names, as the guide installs it, and systemd itself
finds nothing wrong with it (`systemd-analyze verify`, installed by .ci/run)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
UNIT = DOCS / "mohinh.service"
GUIDE = DOCS / "huong-dan-cai-dat.md"
CODE, WORKSPACE = "/opt/mohinh", "/var/lib/mohinh/tinh"  # where the guide installs


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(UNIT.read_text("utf-8"))
    return parser


def test_the_unit_runs_the_daemon_on_the_workspace_the_guide_makes() -> None:
    service = unit()["Service"]
    assert service["ExecStart"] == f"{CODE}/.venv/bin/mohinh run --workspace {WORKSPACE}"
    assert service["WorkingDirectory"] == service["ReadWritePaths"] == WORKSPACE
    assert service["User"] == "mohinh" and service["KillSignal"] == "SIGTERM"
    # a bad configuration (2) or another worker (3) is not cured by starting again
    assert service["RestartPreventExitStatus"].split() == ["2", "3"]
    guide = GUIDE.read_text("utf-8")
    for path in (CODE, WORKSPACE, "docs/mohinh.service", "systemd-analyze verify"):
        assert path in guide


def test_the_guide_covers_every_step_in_vietnamese_and_the_readme_links_it() -> None:
    guide = GUIDE.read_text("utf-8")
    steps = [line for line in guide.splitlines() if line.startswith("## ")]
    assert steps == [
        "## 1. Cần chuẩn bị",
        "## 2. Cài phần mềm",
        "## 3. Dự án Google Cloud và hai API",
        "## 4. Tài khoản dịch vụ và khóa",
        "## 5. Bộ nhớ dùng chung và vai trò “Người quản lý nội dung”",
        "## 6. Chia sẻ danh mục đơn vị và bảng tính các đơn vị",
        "## 7. Tệp cấu hình config.toml",
        "## 8. Kiểm tra bằng `mohinh kiem-tra`",
        "## 9. Chạy nền như một dịch vụ (systemd)",
    ]
    for api in ("Google Sheets API", "Google Drive API"):
        assert api in guide
    readme = (DOCS.parent / "README.md").read_text("utf-8")
    assert "(docs/huong-dan-cai-dat.md)" in readme


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed on this machine (.ci/run installs systemd)",
)
def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path: Path) -> None:
    # The unit as installed here: the command is this clone's, the workspace a temporary one
    # (verify checks that ExecStart's program exists and can be run).
    mohinh = shutil.which("mohinh", path=str(Path(sys.executable).parent))
    assert mohinh is not None, "the mohinh command is installed beside this Python"
    text = UNIT.read_text("utf-8").replace(f"{CODE}/.venv/bin/mohinh", mohinh)
    installed = tmp_path / "mohinh.service"
    installed.write_text(text.replace(WORKSPACE, str(tmp_path)), "utf-8")
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(installed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    # an unknown key or a misspelt section is only a warning: none may be printed about it
    assert [line for line in verified.stderr.splitlines() if "mohinh.service" in line] == []
