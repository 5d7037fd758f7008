"""Google's failures said as the worker's: a unit's SheetError, a ConfigError for a bad key, an
EnvironmentProblem when Google cannot be reached at all. Every message is the user's Vietnamese,
naming the account, the spreadsheet or the setting, and the fix."""

from __future__ import annotations

import requests
from google.auth.exceptions import RefreshError, TransportError
from gspread.exceptions import APIError

from worker.adapters.google.client import transient
from worker.core.errors import ConfigError, SheetError, network_unreachable
from worker.core.settings import GoogleSettings

# What a request to Google may raise: its answer (APIError), the network (requests), the token
# (google-auth's RefreshError and TransportError)
FAILURES = (APIError, requests.RequestException, RefreshError, TransportError)


class Unreachable(SheetError):
    """Google did not answer (network down, timeouts, 429 or 5xx) after every attempt: for a
    unit, that unit's trouble; for the registry, the environment's."""


def reason(exc: APIError) -> str:
    """Google's `errors[0].reason` (Drive fills it; Sheets mostly does not)."""
    errors = exc.error.get("errors") or [{}]
    return str(errors[0].get("reason", ""))


class Translate:
    """Turns a failed request into the worker's error, for the service account `account`."""

    def __init__(self, settings: GoogleSettings, account: str, token_uri: str) -> None:
        self.settings = settings
        self.account = account
        self.token_uri = token_uri  # named when it cannot be reached

    def __call__(self, exc: Exception, key: str) -> SheetError:
        """The SheetError of `exc` met on spreadsheet (or setting) `key`; raises instead when
        no request of this run can succeed (the token endpoint out of reach, a bad key)."""
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
        if isinstance(exc, APIError):
            refused = self._refused(exc, key)
            if refused is not None:
                return refused
        return Unreachable(
            f"Google Sheets không trả lời được ({exc.__class__.__name__}) sau "
            f"{self.settings.attempts} lần thử; lần chạy sau sẽ thử lại"
        )

    def _refused(self, exc: APIError, key: str) -> SheetError | None:
        """Google's answer refusing the request for good; None for one that may pass."""
        if reason(exc) == "storageQuotaExceeded":
            setting = "reports_folder" if key == "reports_folder" else "folder"
            folder = getattr(self.settings, setting)
            return SheetError(
                f"thư mục [google] {setting} = '{folder}' không nằm trong một Bộ nhớ dùng "
                "chung (shared drive): tài khoản dịch vụ không có dung lượng riêng nên không "
                "tạo được tệp trong Drive của một người — tạo Bộ nhớ dùng chung, thêm "
                f"{self.account} làm Người quản lý nội dung và đặt thư mục vào đó"
            )
        if transient(exc):
            return None
        if exc.code == 403:
            return SheetError(
                f"tài khoản {self.account} chưa được chia sẻ bảng tính {key}: "
                "chia sẻ quyền Người chỉnh sửa cho địa chỉ này"
            )
        if exc.code == 404:
            return SheetError(f"không tìm thấy bảng tính Google {key}")
        return SheetError(
            f"Google Sheets từ chối yêu cầu với bảng tính {key} "
            f"({exc.code}: {exc.error.get('message', '')})"
        )
