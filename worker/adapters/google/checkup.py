"""What `mohinh kiem-tra` asks of Google beyond what a sync reads, reading only: a token for the
key, the Drive folders of the settings (in a shared drive? the account's role there?), and
whether the account may edit each unit's sheet (one listing a 1,000 sheets of the folder, one
request for a sheet kept elsewhere)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from google.auth.transport.requests import Request
from gspread.exceptions import APIError

from worker.adapters.google.auth import Account
from worker.adapters.google.drive import DRIVE_FILES, spreadsheets
from worker.adapters.google.errors import FAILURES, Unreachable
from worker.adapters.google.read import sheet_key
from worker.core.checks import Check, failed, from_problem, passed
from worker.core.errors import Problem, SheetError, Status
from worker.core.evaluate import Unit

FOLDER_MIME = "application/vnd.google-apps.folder"
# A folder's place and what the account may do there (Drive v3 File: driveId "Only populated
# for items in shared drives"; capabilities.canAddChildren, and canTrashChildren, which a
# Content manager has and a Contributor has not: developers.google.com/drive/api/guides/
# ref-roles).
FOLDER_FIELDS = "id,name,mimeType,driveId,trashed,capabilities(canAddChildren,canTrashChildren)"
MANAGER = "Người quản lý nội dung"


class Checkup:
    def __init__(self, account: Account) -> None:
        self.account = account

    def token(self) -> Check:
        """The key exchanged for a token at Google's token endpoint."""
        what = f"Khóa tài khoản dịch vụ {self.account.email}"
        try:
            self.account.credentials.refresh(Request())
        except FAILURES as exc:  # the token endpoint out of reach, or the key refused
            return self._problem(what, exc)
        return passed(f"{what}: Google cấp quyền truy cập")

    def folder(self, setting: str) -> Check:
        """The folder of [google] `setting`: there, a folder, out of the trash, in a shared
        drive, and the account a Content manager of it."""
        key = getattr(self.account.settings, setting)
        named = f"Thư mục [google] {setting} = '{key}'"
        fix = f"thêm {self.account.email} làm {MANAGER} của Bộ nhớ dùng chung chứa thư mục"
        try:
            found = self.account.http.request(
                "get",
                f"{DRIVE_FILES}/{key}",
                params={"fields": FOLDER_FIELDS, "supportsAllDrives": True},
            ).json()
        except FAILURES as exc:
            if isinstance(exc, APIError) and exc.code == 404:
                return failed(f"{named}: không tìm thấy", f"kiểm tra mã thư mục, {fix}", CONFIG)
            return self._problem(named, exc)
        if found.get("mimeType") != FOLDER_MIME:
            return failed(f"{named}: không phải một thư mục", "ghi mã của một thư mục", CONFIG)
        if found.get("trashed"):
            return failed(f"{named}: đang nằm trong Thùng rác", "khôi phục thư mục", CONFIG)
        if not found.get("driveId"):
            return failed(
                f"{named} ({found.get('name', '')}): không nằm trong một Bộ nhớ dùng chung",
                "tài khoản dịch vụ không có dung lượng riêng — chuyển thư mục vào một Bộ nhớ "
                f"dùng chung và {fix}",
                CONFIG,
            )
        if not found.get("capabilities", {}).get("canTrashChildren"):
            short = f"{named} ({found.get('name', '')}): tài khoản chưa đủ quyền"
            return failed(short, fix, CONFIG)
        return passed(
            f"{named} ({found.get('name', '')}): trong Bộ nhớ dùng chung, tài khoản là {MANAGER}"
        )

    def editable(self, units: Sequence[Unit]) -> Mapping[str, bool]:
        """Whether the account may edit each unit's sheet, by unit ID (units whose sheet Drive
        does not show it are left out: reading them says why)."""
        keys = {u.unit_id: _key(u) for u in units if _key(u)}
        can: dict[str, bool] = {}
        folder = self.account.settings.folder
        if folder:
            can.update(self._listed(folder))
        for key in set(keys.values()) - set(can):
            try:
                found = self.account.http.request(
                    "get",
                    f"{DRIVE_FILES}/{key}",
                    params={"fields": "id,capabilities(canEdit)", "supportsAllDrives": True},
                ).json()
            except FAILURES:
                continue
            can[key] = bool(found.get("capabilities", {}).get("canEdit"))
        return {unit: can[key] for unit, key in keys.items() if key in can}

    def _listed(self, folder: str) -> dict[str, bool]:
        can: dict[str, bool] = {}
        try:
            for f in spreadsheets(self.account.http, folder, "id,capabilities(canEdit)"):
                can[f["id"]] = bool(f["capabilities"]["canEdit"])
        except FAILURES:
            pass  # what was listed stands; the others are looked at one by one
        return can

    def _problem(self, what: str, exc: Exception) -> Check:
        """A failed request as a checklist item: the token's trouble (raised by `fail`) with
        its own class; Google not answering, the environment's; any other, the settings'."""
        try:
            problem = self.account.fail(exc, "")
        except Problem as raised:
            return from_problem(what, raised)
        status = Status.ENVIRONMENT if isinstance(problem, Unreachable) else CONFIG
        return Check(f"{what}: {problem}", "", status)


CONFIG = Status.BAD_CONFIG


def _key(unit: Unit) -> str:
    try:
        return sheet_key(unit.sheet) if unit.sheet else ""
    except SheetError:
        return ""
