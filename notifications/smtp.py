"""SMTP delivery with smtplib: one session per batch, explicit timeouts, every outcome classified.

`Session.send` returns the addresses refused (the rest accepted: a 4xx among them is for the
caller to retry, to those addresses only) or raises `TransportError`:
transient (retry later), permanent (record and report), or uncertain (the connection was lost
after the message's final "." and before the server's answer: it may have been delivered).

An internationalised address (RFC 6531) goes with SMTPUTF8 when the server offers it. When it
does not, that address is refused here, alone (RFC 6531 3.2: never sent without it), and the
message goes to the others with its To header naming only them, so that no header carries UTF-8.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from types import TracebackType

from worker.core import explain
from worker.core.addresses import international
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


# Not a server's answer: the enhanced status RFC 6531 (3.5) gives this refusal, so that the
# ledger keeps it as a permanent one (a 5) and the address is never tried again.
NO_SMTPUTF8 = "5.6.7 máy chủ thư không hỗ trợ SMTPUTF8: không gửi được tới địa chỉ có chữ có dấu"


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
    if isinstance(exc, UnicodeError):
        return "địa chỉ hoặc tiêu đề có chữ có dấu mà máy chủ thư không nhận"
    if isinstance(exc, ValueError) and not isinstance(exc, OSError):  # ssl's errors are both
        return "địa chỉ hoặc tiêu đề có ký tự không hợp lệ"
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

    @property
    def smtputf8(self) -> bool | None:
        """Whether the open server offers SMTPUTF8 (None: no session open)."""
        return None if self.smtp is None else bool(self.smtp.has_extn("smtputf8"))

    def send(self, sender: str, recipients: tuple[str, ...], message: bytes) -> dict[str, str]:
        """Send one message; returns {address: reply} for the recipients the server refused
        (or that could not be sent to: an internationalised one, without SMTPUTF8)."""
        smtp = self.open()
        utf8 = bool(smtp.has_extn("smtputf8"))
        kept = {} if utf8 else {a: NO_SMTPUTF8 for a in recipients if international(a)}
        targets = tuple(a for a in recipients if a not in kept)
        if international(sender) and not utf8:
            raise TransportError(f"địa chỉ gửi {sender}: {NO_SMTPUTF8[6:]}", permanent=True)
        if not targets:
            raise _all_refused(kept)
        options = []
        if utf8 and (international(sender) or any(international(a) for a in targets)):
            options = ["SMTPUTF8", *(["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else [])]
        try:
            refused = self._transmit(
                smtp, sender, targets, _ascii_head(message, targets, utf8), options
            )
        finally:
            smtp.command_encoding = "ascii"  # `mail` set UTF-8 for this message's commands
        return {**kept, **refused}

    def _transmit(
        self,
        smtp: smtplib.SMTP,
        sender: str,
        recipients: tuple[str, ...],
        message: bytes,
        options: list[str],
    ) -> dict[str, str]:
        try:
            code, reply = smtp.mail(sender, options)
            if code != 250:
                raise TransportError(f"MAIL FROM: {_describe(code, reply)}", permanent=code >= 500)
            refused = {}
            for address in recipients:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    refused[address] = _describe(code, reply)
            if len(refused) == len(recipients):
                smtp.rset()
                raise _all_refused(refused)
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
        except (UnicodeError, ValueError) as exc:  # an address or a line smtplib cannot write
            self._drop()
            raise TransportError(f"thư không gửi được: {_why(exc)}", permanent=True) from None
        return {**refused, **self._answer(smtp)}

    def _answer(self, smtp: smtplib.SMTP) -> dict[str, str]:
        """The server's answer to the message's final "."; nothing more refused when it took it."""
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
        return {}

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None


def _all_refused(refused: dict[str, str]) -> TransportError:
    return TransportError(
        "mọi người nhận bị từ chối: " + "; ".join(f"{a}: {r}" for a, r in refused.items()),
        permanent=all(r.startswith("5") for r in refused.values()),
        refused=refused,
    )


def _ascii_head(message: bytes, recipients: tuple[str, ...], utf8: bool) -> bytes:
    """The message as this server may take it: without SMTPUTF8, a To header that carries an
    internationalised address (RFC 6532) names only the recipients it goes to (RFC 6531 3.2)."""
    head, blank, body = message.partition(b"\n\n")
    if utf8 or head.isascii():
        return message
    to = b"To: " + ", ".join(recipients).encode("ascii")
    head = re.sub(rb"(?m)^To:.*(?:\n[ \t].*)*", lambda _: to, head, count=1)
    if not head.isascii():
        raise TransportError(f"tiêu đề thư: {NO_SMTPUTF8[6:]}", permanent=True)
    return head + blank + body
