"""The Drive v3 methods the test server answers: files.create / update / get / list,
revisions.list, permissions.create / list. A file the service account may not see (no longer
shared, or in a shared drive asked for without supportsAllDrives) is "not found", as Drive says.
"""

from __future__ import annotations

import json
import re
from email import message_from_bytes
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from tests.google_api.model import FOLDER_MIME, SPREADSHEET_MIME, Folder, Sheet, Spreadsheet
from tests.google_api.strict import (
    PERMISSIONS_PAGE,
    SERVICE_LOCALE,
    ApiError,
    capabilities,
    not_found,
)

if TYPE_CHECKING:
    from tests.google_api.server import FakeGoogle

Query = dict[str, list[str]]


def _flag(query: Query, name: str) -> bool:
    return query.get(name, ["false"])[0].lower() == "true"


def file_key(path: str) -> str:
    return path.removeprefix("/upload").removeprefix("/drive/v3/files").strip("/").split("/")[0]


def visible_file(fake: FakeGoogle, key: str, query: Query) -> Spreadsheet:
    """The file `key` as the caller may see it, or Drive's 404."""
    found = fake.files.get(key)
    hidden = found is None or found.unshared
    if found is not None and not _flag(query, "supportsAllDrives"):
        hidden = hidden or any(fake.in_shared_drive(p) for p in found.parents)
    if hidden or found is None:
        raise not_found(key, drive=True)
    return found


def visible_folder(fake: FakeGoogle, key: str, query: Query) -> Folder:
    folder = fake.folders.get(key)
    if folder is None or (folder.drive and not _flag(query, "supportsAllDrives")):
        # without supportsAllDrives a shared drive's folders are not seen at all
        raise not_found(key, drive=True)
    return folder


def user(fake: FakeGoogle, email: str) -> dict[str, Any]:
    """Drive's User (discovery: User.me "Whether this user is the requesting user")."""
    return {
        "kind": "drive#user",
        "displayName": email.split("@")[0],
        "emailAddress": email,
        "me": email == fake.caller,
        "permissionId": str(abs(hash(email)) % 10**20),
    }


def file_json(fake: FakeGoogle, found: Spreadsheet) -> dict[str, Any]:
    """A file as Drive describes it. lastModifyingUser "is only populated when the last
    modification was performed by a signed-in user" (File.lastModifyingUser, Drive v3
    discovery); version is a string (int64)."""
    answer: dict[str, Any] = {
        "kind": "drive#file",
        "id": found.key,
        "name": found.title,
        "mimeType": found.mime,
        "parents": list(found.parents),
        "modifiedTime": found.modified,
        "createdTime": found.revisions[0].modified if found.revisions else found.modified,
        "version": str(found.version),
        "trashed": found.trashed,
        "appProperties": dict(found.properties),
        "capabilities": capabilities(found.role),
    }
    drive = next((fake.folders[p].drive for p in found.parents if fake.in_shared_drive(p)), "")
    if drive:
        answer["driveId"] = drive
    if found.last_user:
        answer["lastModifyingUser"] = user(fake, found.last_user)
    return answer


def folder_json(folder: Folder) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "kind": "drive#file",
        "id": folder.key,
        "name": folder.name,
        "mimeType": FOLDER_MIME,
        "trashed": folder.trashed,
        "capabilities": capabilities(folder.role),
    }
    if folder.drive:
        answer["driveId"] = folder.drive
    return answer


def get_file(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    key = file_key(path)
    if key in fake.folders:
        return folder_json(visible_folder(fake, key, query))
    return file_json(fake, visible_file(fake, key, query))


def create_file(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    media = fake.media
    if body.get("mimeType") != SPREADSHEET_MIME and media is None:
        raise ApiError(400, "the test server creates spreadsheets and uploads only")
    parents = list(body.get("parents", []))
    for key in parents:
        folder = visible_folder(fake, key, query)
        if folder.trashed:
            raise not_found(key, drive=True)  # stricter than unsure: nothing goes into the trash
        if not capabilities(folder.role)["canAddChildren"]:
            raise ApiError(
                403,
                "The user does not have sufficient permissions for this file.",
                "insufficientFilePermissions",
            )
    if not any(fake.in_shared_drive(folder) for folder in parents):
        # "Service accounts don't have storage quota and can't own any files ... they must
        # upload files and folders into shared drives" (developers.google.com/workspace/drive/
        # api/guides/about-shareddrives); Drive answers 403 storageQuotaExceeded.
        raise ApiError(
            403,
            "Service Accounts do not have storage quota. Leverage shared drives "
            "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
            "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead.",
            "storageQuotaExceeded",
        )
    key = fake.new_id()
    made = Spreadsheet(
        key,
        body["name"],
        [] if media else [Sheet(0, "Sheet1")],
        parents,
        locale=SERVICE_LOCALE[0],
        time_zone=SERVICE_LOCALE[1],
        properties=dict(body.get("appProperties", {})),
    )
    if media:  # Drive keeps the metadata's mimeType, else the content's
        made.mime = body.get("mimeType") or media[0]
        made.content = media[1]
    fake.touch(made, fake.caller)
    fake.files[key] = made
    return {"kind": "drive#file", "id": key, "name": made.title, "mimeType": made.mime}


def update_file(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    """files.update: new content for an uploaded file (its metadata's name, if given)."""
    found = visible_file(fake, file_key(path), query)
    if body and body.get("name"):
        found.title = body["name"]
    if fake.media:
        if found.mime == SPREADSHEET_MIME:
            raise ApiError(400, "the test server replaces the content of uploaded files only")
        found.content = fake.media[1]
    fake.touch(found, fake.caller)
    return {"kind": "drive#file", "id": found.key, "name": found.title, "mimeType": found.mime}


def create_permission(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    found = visible_file(fake, file_key(path), query)
    found.shared.append(body)
    return {
        "kind": "drive#permission",
        "id": f"p{len(found.shared)}",
        "type": body["type"],
        "role": body["role"],
    }


def list_permissions(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    """Pages of permissions: for a file in a shared drive at most PERMISSIONS_PAGE a page
    whatever is asked (strict.py), elsewhere the whole list unless pageSize says less."""
    found = visible_file(fake, file_key(path), query)
    shared_drive = any(fake.in_shared_drive(p) for p in found.parents)
    asked = int(query.get("pageSize", ["0"])[0]) or None
    size = min(asked or PERMISSIONS_PAGE, PERMISSIONS_PAGE) if shared_drive else asked
    start = int(query.get("pageToken", ["0"])[0] or 0)
    everyone = [
        {
            "kind": "drive#permission",
            "id": f"p{i}",
            "type": p["type"],
            "role": p["role"],
            "emailAddress": p.get("emailAddress", ""),
        }
        for i, p in enumerate(found.shared, start=1)
    ]
    end = len(everyone) if size is None else start + size
    answer: dict[str, Any] = {"kind": "drive#permissionList", "permissions": everyone[start:end]}
    if end < len(everyone):
        answer["nextPageToken"] = str(end)
    return answer


def list_files(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    q = query.get("q", [""])[0]
    # "and" joins conditions, except inside appProperties has { key=... and value=... }
    conditions = [c.strip() for c in re.split(r"\band\b(?![^{]*\})", q) if c.strip()]
    files = [f for f in fake.files.values() if not f.unshared]
    if not (_flag(query, "supportsAllDrives") and _flag(query, "includeItemsFromAllDrives")):
        # items in shared drives are left out unless both are asked for
        files = [f for f in files if not any(fake.in_shared_drive(p) for p in f.parents)]
    for condition in conditions:
        files = _matching(fake, files, condition)
    size = int(query.get("pageSize", ["100"])[0])
    start = int(query.get("pageToken", ["0"])[0] or 0)
    page = [file_json(fake, f) for f in files[start : start + size]]
    if "fields" not in query:  # the default set: kind, id, name, mimeType (resourceKey where
        # there is one), developers.google.com/drive/api/guides/fields-parameter
        page = [{k: f[k] for k in ("kind", "id", "name", "mimeType")} for f in page]
    answer: dict[str, Any] = {"kind": "drive#fileList", "files": page}
    if start + size < len(files):
        answer["nextPageToken"] = str(start + size)
    return answer


def _matching(fake: FakeGoogle, files: list[Spreadsheet], condition: str) -> list[Spreadsheet]:
    # Drive's form is 'FOLDER' in parents; gspread writes parents in "FOLDER"
    parent = r"""['"](.+)['"] in parents|parents in ['"](.+)['"]"""
    if m := re.fullmatch(parent, condition):
        folder = m.group(1) or m.group(2)
        return [f for f in files if folder in f.parents]
    if m := re.fullmatch(r"""mimeType\s*=\s*['"](.+)['"]""", condition):
        return [f for f in files if f.mime == m.group(1)]
    if m := re.fullmatch(r"""name\s*=\s*['"](.+)['"]""", condition):
        return [f for f in files if f.title == m.group(1)]
    tag = r"""appProperties\s+has\s+\{\s*key\s*=\s*'(.+)'\s+and\s+value\s*=\s*'(.+)'\s*\}"""
    if m := re.fullmatch(tag, condition):
        return [f for f in files if f.properties.get(m.group(1)) == m.group(2)]
    if condition.replace(" ", "") == "trashed=false":  # without it, the trash is listed too
        return [f for f in files if not f.trashed]
    fake.violations.append(f"files.list: the test server cannot read q={condition!r}")
    return files


def list_revisions(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    """A file's revisions, oldest first, as merged (strict.MERGE_WINDOW), each with the user
    who made it last (Revision.lastModifyingUser "The last user to modify this revision";
    pageSize defaults to 200). lastModifyingUser is absent unless asked for in `fields`, as
    every field beyond id/kind/mimeType/modifiedTime (google-api-python-client issue 1744)."""
    found = visible_file(fake, file_key(path), query)
    size = int(query.get("pageSize", ["200"])[0])
    start = int(query.get("pageToken", ["0"])[0] or 0)
    answer: dict[str, Any] = {
        "kind": "drive#revisionList",
        "revisions": [
            {
                "kind": "drive#revision",
                "id": str(start + i + 1),
                "mimeType": SPREADSHEET_MIME,
                "modifiedTime": revision.modified,
                **({"lastModifyingUser": user(fake, revision.by)} if "fields" in query else {}),
            }
            for i, revision in enumerate(found.revisions[start : start + size])
        ],
    }
    if start + size < len(found.revisions):
        answer["nextPageToken"] = str(start + size)
    return answer


def multipart(content_type: str, raw: bytes) -> tuple[Any, tuple[str, bytes] | None]:
    """A multipart upload's metadata (JSON, the first part) and content (type, bytes): Drive's
    "multipart/related" body of exactly two parts (drive/api/guides/manage-uploads)."""
    if not content_type.startswith("multipart/related"):
        raise ValueError(f"a multipart upload sent as {content_type!r}")
    message = message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw, policy=HTTP
    )
    parts = list(message.iter_parts())
    if len(parts) != 2 or parts[0].get_content_type() != "application/json":
        raise ValueError("a multipart upload is JSON metadata then the content")
    metadata = json.loads(parts[0].get_payload(decode=True) or b"{}")
    content = parts[1].get_payload(decode=True) or b""
    return metadata, (parts[1].get_content_type(), content)
