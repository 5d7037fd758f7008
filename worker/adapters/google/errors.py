"""Google's failures said as the worker's: a unit's SheetError, a ConfigError for a bad key, an
EnvironmentProblem when Google cannot be reached at all. Every message is the user's Vietnamese,
naming the account, the spreadsheet, folder or setting (each with its own noun), and the fix."""

from __future__ import annotations

import requests
from google.auth.exceptions import RefreshError, TransportError
from gspread.exceptions import APIError

from worker.adapters.google.retries import over_quota, reason, transient
from worker.core.errors import ConfigError, SheetError, network_unreachable
from worker.core.settings import GoogleSettings

# What a request to Google may raise: its answer (APIError), the network (requests), the token
# (google-auth's RefreshError and TransportError)
FAILURES = (APIError, requests.RequestException, RefreshError, TransportError)


class Unreachable(SheetError):
    """Google did not answer (network down, timeouts, 5xx) or kept refusing for its quota after
    every attempt: for a unit, that unit's trouble; for the registry, the environment's."""


def detail(exc: BaseException) -> str:
    """What answered, briefly: "503 UNAVAILABLE", "429 RESOURCE_EXHAUSTED", "ReadTimeout"."""
    if isinstance(exc, APIError):
        status = exc.error.get("status") or reason(exc)
        return f"{exc.code} {status}".strip()
    return exc.__class__.__name__


class Translate:
    """Turns a failed request into the worker's error, for the service account `account`."""

    def __init__(self, settings: GoogleSettings, account: str, token_uri: str) -> None:
        self.settings = settings
        self.account = account
        self.token_uri = token_uri  # named when it cannot be reached

    def __call__(self, exc: Exception, key: str, what: str = "") -> SheetError:
        """The SheetError of `exc` met on spreadsheet `key` (`what` names it when it is more
        than a unit's spreadsheet); raises instead when no request of this run can succeed
        (the token endpoint out of reach, a bad key)."""
        what = what or f"bảng tính Google {key}"
        self._token(exc)
        if isinstance(exc, APIError) and not transient(exc):
            if exc.code == 403 and reason(exc) != "storageQuotaExceeded":
                return SheetError(
                    f"tài khoản {self.account} chưa được chia sẻ {what}: "
                    "chia sẻ quyền Người chỉnh sửa cho địa chỉ này"
                )
            if exc.code == 404:
                return SheetError(f"không tìm thấy {what}")
            return SheetError(
                f"Google Sheets từ chối yêu cầu với {what} "
                f"({exc.code}: {exc.error.get('message', '')})"
            )
        return self.unreachable(exc)

    def folder(self, exc: Exception, setting: str) -> SheetError:
        """The SheetError of `exc` met on the Drive folder of [google] `setting`."""
        folder = getattr(self.settings, setting)
        named = f"thư mục Drive [google] {setting} = '{folder}'"
        self._token(exc)
        if isinstance(exc, APIError) and reason(exc) == "storageQuotaExceeded":
            return SheetError(
                f"thư mục [google] {setting} = '{folder}' không nằm trong một Bộ nhớ dùng "
                "chung (shared drive): tài khoản dịch vụ không có dung lượng riêng nên không "
                "tạo được tệp trong Drive của một người — tạo Bộ nhớ dùng chung, thêm "
                f"{self.account} làm Người quản lý nội dung và đặt thư mục vào đó"
            )
        if isinstance(exc, APIError) and exc.code == 404:
            return SheetError(
                f"không tìm thấy {named}: thư mục đã bị xóa, nằm trong Thùng rác, hoặc "
                f"{self.account} không còn là thành viên của Bộ nhớ dùng chung chứa nó — kiểm "
                f"tra mã thư mục và thêm {self.account} làm Người quản lý nội dung"
            )
        if isinstance(exc, APIError) and exc.code == 403 and not transient(exc):
            return SheetError(
                f"tài khoản {self.account} không được tạo tệp trong {named} — thêm địa chỉ "
                "này làm Người quản lý nội dung của Bộ nhớ dùng chung chứa thư mục"
            )
        return self(exc, folder, named)

    def unreachable(self, exc: BaseException) -> Unreachable:
        """A request given up: Google kept refusing it for its quota, or did not answer."""
        if over_quota(exc):
            return Unreachable(
                f"Google từ chối vì đã dùng hết hạn mức (quota) mỗi phút ({detail(exc)}): đã "
                "chờ hơn một phút mà vẫn bị từ chối — có thể một chương trình khác đang dùng "
                "chung dự án Google Cloud hoặc tài khoản dịch vụ; lần chạy sau sẽ thử lại"
            )
        return Unreachable(
            f"Google Sheets không trả lời được ({detail(exc)}): dịch vụ của Google đang gián "
            "đoạn hoặc mạng chập chờn; lần chạy sau sẽ thử lại"
        )

    def _token(self, exc: Exception) -> None:
        """Raise the run's problem when the token cannot be had: no request can succeed."""
        if isinstance(exc, TransportError) or (
            isinstance(exc, RefreshError) and getattr(exc, "retryable", False)
        ):
            # the token endpoint is out of reach: no request of this run can succeed
            raise network_unreachable(
                "máy chủ cấp quyền truy cập của Google", f"token_uri {self.token_uri}"
            ) from None
        if isinstance(exc, RefreshError):
            raise ConfigError(
                f"Không lấy được quyền truy cập Google bằng khóa [google] key_file "
                f"= '{self.settings.key_file.name}' của {self.account}: kiểm tra "
                "khóa còn hiệu lực và tài khoản dịch vụ còn được bật"
            ) from None
