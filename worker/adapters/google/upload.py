"""The drafted annual report (.docx) uploaded to the reports folder in Drive, shared with the
province's staff."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gspread.exceptions import APIError

from worker.adapters.google import bodies, drive
from worker.adapters.google.auth import Account
from worker.adapters.google.errors import FAILURES
from worker.adapters.google.memory import Memory

# Drive v3 files.create / files.update with content: the `mediaUpload` "simple" protocol's path
DRIVE_UPLOAD = "https://www.googleapis.com/upload/drive/v3/files"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Uploader:
    def __init__(self, account: Account, cache: Memory, staff: Sequence[str]) -> None:
        self.account = account
        self.cache = cache
        self.staff = staff

    def upload_document(self, path: Path) -> tuple[str, list[str]]:
        """The .docx in the reports folder, shared with the staff: its content replaced when a
        file of that name was uploaded before (known to the state, or found by its tag when
        the run that made it died before saving it), else a new file. Returns its link and the
        refused shares. Two requests the first time (list, upload), one after, plus sharing."""
        name = path.name
        content = path.read_bytes()
        key = self.cache.published(name)
        try:
            if key:
                try:
                    self._upload(content, {}, key)
                except APIError as exc:
                    if exc.code != 404:  # deleted by someone: made again below
                        raise
                    key = None
            if not key:
                key = self._create(name, content)
                self.cache.set_published(name, key)
        except FAILURES as exc:
            raise self.account.fail.folder(exc, "reports_folder") from None
        shared = drive.share_with_staff(self.account, key, self.staff)
        return f"https://drive.google.com/file/d/{key}/view", shared

    def _create(self, name: str, content: bytes) -> str:
        """The file in the reports folder tagged `name`, its content `content`: uploaded anew,
        or into the one found there (a lost answer, or a forgotten state)."""
        folder = self.account.settings.reports_folder
        tag = {"mohinh_document": name}
        found: list[str] = []

        def look() -> None:
            found[:] = drive.tagged(self.account.http, folder, tag)

        def create() -> str:
            if found:  # there already (a lost answer, or a forgotten state)
                self._upload(content, {}, found[0])
                return found[0]
            metadata = {"name": name, "parents": [folder], "appProperties": tag}
            return str(self._upload(content, {**metadata, "mimeType": DOCX_MIME})["id"])

        look()
        return self.account.retries.settle(create, look)

    def _upload(self, content: bytes, metadata: dict[str, Any], key: str = "") -> Any:
        """files.create (no `key`) or files.update of `key`, with the .docx as content."""
        body, content_type = bodies.multipart(metadata, content, DOCX_MIME)
        return self.account.http.request(
            "patch" if key else "post",
            f"{DRIVE_UPLOAD}/{key}" if key else DRIVE_UPLOAD,
            params={"uploadType": "multipart", "supportsAllDrives": True},
            data=body,  # type: ignore[arg-type]
            headers={"Content-Type": content_type},
        ).json()
