"""Our files in Drive: found again by the tag set when they were made (a run that died after
making one never makes a twin), made when missing, and shared."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from worker.adapters.google.auth import Account
from worker.adapters.google.errors import FAILURES

DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


def spreadsheets(http: HTTPClient, folder: str, files: str) -> Iterator[dict[str, Any]]:
    """Every spreadsheet in `folder`, with the `files` fields, a page of 1,000 a request
    (files.list's pageSize maximum); a failed request raises where the listing stopped."""
    token = ""
    while True:
        params = {
            "q": f"'{folder}' in parents and mimeType='{SPREADSHEET_MIME}' and trashed=false",
            "fields": f"nextPageToken,files({files})",
            "pageSize": 1000,
            "supportsAllDrives": True,
            "includeItemsFromAllDrives": True,
        }
        if token:
            params["pageToken"] = token
        page = http.request("get", DRIVE_FILES, params=params).json()  # type: ignore[arg-type]
        yield from page.get("files", [])
        token = page.get("nextPageToken", "")
        if not token:
            return


def tagged(http: HTTPClient, folder: str, tag: dict[str, str]) -> list[str]:
    """The files of `folder` that carry `tag` in their appProperties."""
    ((tag_key, tag_value),) = tag.items()
    answer = http.request(
        "get",
        DRIVE_FILES,
        params={
            "q": f"'{folder}' in parents and appProperties has {{ key='{tag_key}' "
            f"and value='{tag_value}' }} and trashed=false",
            "fields": "files(id)",
            "supportsAllDrives": True,
            "includeItemsFromAllDrives": True,
        },
    ).json()
    return [str(f["id"]) for f in answer["files"]]


def share(http: HTTPClient, key: str, email: str, notify: bool) -> None:
    """`email` made a writer of file `key`; told by Drive's email when `notify`."""
    # gspread's insert_permission sends fields the Drive v3 description does not have
    http.request(
        "post",
        f"{DRIVE_FILES}/{key}/permissions",
        params={"sendNotificationEmail": notify, "supportsAllDrives": True},
        json={"type": "user", "role": "writer", "emailAddress": email},
    )


def tagged_file(
    account: Account,
    http: HTTPClient,
    setting: str,
    tag: dict[str, str],
    name: str,
    prefer: str | None = None,
) -> str:
    """The spreadsheet of the folder `setting` that carries `tag` in its appProperties (`prefer`
    when it is one of them), made there (with the tag) when there is none. Only files still in
    the folder, out of the trash and shared with us are found: one deleted, trashed or unshared
    is made again. A files.create whose answer was lost may have made the file: it is looked
    for again before another is made."""
    folder = getattr(account.settings, setting)
    found: list[str] = []

    def look() -> None:
        found[:] = tagged(http, folder, tag)

    def create() -> str:
        if found:
            return prefer if prefer in found else found[0]
        answer = http.request(
            "post",
            DRIVE_FILES,
            params={"supportsAllDrives": True},
            json={
                "name": name,
                "mimeType": SPREADSHEET_MIME,
                "parents": [folder],
                "appProperties": tag,
            },
        ).json()
        return str(answer["id"])

    try:
        look()
        return account.retries.settle(create, look)
    except FAILURES as exc:
        raise account.fail.folder(exc, setting) from None


def shared_with(http: HTTPClient, key: str) -> set[str]:
    """Every address file `key` is shared with, casefolded: permissions.list page by page (a
    file in a shared drive answers at most 100 a page, Drive v3 discovery: pageSize)."""
    have: set[str] = set()
    token = ""
    while True:
        params: dict[str, object] = {
            "fields": "nextPageToken,permissions(emailAddress)",
            "pageSize": 100,
            "supportsAllDrives": True,
        }
        if token:
            params["pageToken"] = token
        page = http.request("get", f"{DRIVE_FILES}/{key}/permissions", params=params).json()  # type: ignore[arg-type]
        have |= {p.get("emailAddress", "").casefold() for p in page.get("permissions", [])}
        token = page.get("nextPageToken", "")
        if not token:
            return have


def share_with_staff(account: Account, key: str, staff: Sequence[str]) -> list[str]:
    """Share our report with every staff address not yet on it, on every publish: a run
    that failed after creating the file, or a refused address, is mended the next time.
    One request a 100 permissions to read them, one per missing address; returns the
    refusals."""
    try:
        have = shared_with(account.http, key)
    except FAILURES as exc:
        return [f"chưa chia sẻ được bảng tổng hợp cho cán bộ tỉnh: {account.fail(exc, key)}"]
    refused = []
    for email in staff:
        if email.casefold() in have:
            continue
        try:
            share(account.http, key, email, notify=False)
        except FAILURES as exc:
            why = exc.error.get("message", "") if isinstance(exc, APIError) else exc
            refused.append(
                f"chưa chia sẻ được bảng tổng hợp cho {email} ({why}): kiểm tra địa chỉ "
                "trong staff_emails; lần chạy sau sẽ thử lại"
            )
    return refused
