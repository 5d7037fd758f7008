"""SMTP delivery with smtplib: one session per batch, explicit timeouts, every outcome classified.

`Session.send` returns the addresses refused (the rest accepted: a 4xx among them is for the
caller to retry, to those addresses only) or raises `TransportError`:
transient (retry later), permanent (record and report), or uncertain (the connection was lost
after the message's final "." and before the server's answer: it may have been delivered).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from types import TracebackType

from worker.core import explain
from worker.core.errors import Problem
from worker.core.settings import SmtpSettings


class TransportError(Problem):
    """A message (or a batch) not delivered; `permanent` ones are not retried."""

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        uncertain: bool = False,
        refused: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.uncertain = uncertain
        self.refused = refused or {}  # {address: reply} when every recipient was refused


class ServerUnavailable(TransportError):
    """No session could be opened: nothing was attempted, the batch waits for a later run."""


def _tls(settings: SmtpSettings) -> ssl.SSLContext:
    """Certificates are always verified; against `ca_file` when the server's CA is private."""
    return ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)


def _secret(settings: SmtpSettings) -> str:
    """The password, read when a session opens; never stored elsewhere, never printed."""
    if settings.password:
        return settings.password
    if settings.password_file:
        return settings.password_file.read_text("utf-8").strip()
    return os.environ.get(settings.password_env, "")


def _crlf(message: bytes) -> bytes:
    """The message with CRLF line ends and leading dots doubled (RFC 5321, 4.5.2)."""
    data = re.sub(rb"\r?\n", b"\r\n", message)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _why(exc: BaseException) -> str:
    """The failure in Vietnamese: no `repr`, no English `strerror` reaches the digests."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ thư ngắt kết nối"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"máy chủ thư trả lời mã lỗi {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPException):
        return "máy chủ thư trả lời không đúng giao thức"
    return explain.os_error(exc)


def _describe(code: int, text: bytes | str) -> str:
    reply = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {reply}".strip()


class Session:
    """A connection opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=_tls(s)
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=_tls(s))
            smtp.ehlo_or_helo_if_needed()  # mail() does not greet by itself, sendmail() would
            if s.username:
                smtp.login(s.username, _secret(s))
        except smtplib.SMTPAuthenticationError as exc:
            raise ServerUnavailable(f"máy chủ thư từ chối đăng nhập ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError) as exc:  # never the password: not in exc
            raise ServerUnavailable(
                f"không kết nối được máy chủ thư {s.host}:{s.port}: {_why(exc)}"
            ) from None
        self.smtp = smtp
        return smtp

    def send(self, sender: str, recipients: tuple[str, ...], message: bytes) -> dict[str, str]:
        """Send one message; returns {address: reply} for the recipients the server refused."""
        smtp = self.open()
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                raise TransportError(f"MAIL FROM: {_describe(code, reply)}", permanent=code >= 500)
            refused = {}
            for address in recipients:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    refused[address] = _describe(code, reply)
            if len(refused) == len(recipients):
                permanent = all(r.startswith("5") for r in refused.values())
                smtp.rset()
                raise TransportError(
                    "mọi người nhận bị từ chối: "
                    + "; ".join(f"{a}: {r}" for a, r in refused.items()),
                    permanent=permanent,
                    refused=refused,
                )
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                raise TransportError(f"DATA: {_describe(code, reply)}", permanent=code >= 500)
            smtp.send(_crlf(message) + b".\r\n")
        except TransportError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransportError(f"mất kết nối trước khi gửi nội dung thư: {_why(exc)}") from None
        try:
            code, reply = smtp.getreply()
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransportError(
                f"mất kết nối sau khi gửi nội dung thư ({_why(exc)}): có thể thư đã đến",
                uncertain=True,
            ) from None
        if code != 250:
            raise TransportError(f"sau DATA: {_describe(code, reply)}", permanent=code >= 500)
        return refused

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None
