"""E-mail over SMTP (NT-2): a text part and an HTML part (the body escaped, its line breaks kept), the
guest's ticket QR inline (``cid:``, multipart/related) when ``extras.qr``, and an .ics attachment
(``text/calendar; method=REQUEST`` or ``CANCEL``) when ``extras.ics``. The ``Message-ID`` is derived
from the idempotency key, so a message is one message to any mail system that looks.

SMTP is driven at the low level (smtplib's MAIL, RCPT, DATA), one connection kept for a batch, so that
``commit()`` runs after DATA's body and before the terminating ``.``: only that dot makes the server take
the message. A refusal before it (a 550 for a recipient) is a definite failure; a connection that breaks
after it leaves the outcome unknown (the delivery module then calls the message in doubt).
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from django.conf import settings

from ..models import Message, Ticket
from .base import Channel, DeliveryError, _noop

QR_CID = "ticket-qr"


def message_id_for(key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{getattr(settings, 'HUODONG_CALENDAR_DOMAIN', 'huodong.local')}>"


def html_of(body: str, *, qr_cid: str | None = None, qr_alt: str = "") -> str:
    """The body as HTML: escaped, paragraphs on blank lines, line breaks kept; the QR below."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if p.strip()]
    parts = ["<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs]
    if qr_cid:
        parts.append(f'<p><img src="cid:{qr_cid}" alt="{html.escape(qr_alt)}" width="240" height="240"></p>')
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family:sans-serif;line-height:1.6">' + "\n".join(parts) + "</body></html>"
    )


def _ticket_link(message: Message) -> str:
    link = (message.extras or {}).get("ticket_link") or ""
    if link or message.guest is None:
        return link
    from ..services.messaging import ticket_link

    return ticket_link(message.guest)


def _qr_png(message: Message) -> bytes | None:
    from .. import tickets

    if message.guest_id is None:
        return None
    ticket = Ticket.objects.filter(guest_id=message.guest_id, revoked_at__isnull=True).first()
    if ticket is None:
        return None
    return tickets.qr_png(tickets.token_for(ticket))


def build_email(message: Message) -> EmailMessage:
    """The MIME message of ``message`` (what goes after DATA)."""
    extras: dict[str, Any] = message.extras or {}
    guest = message.guest
    mail = EmailMessage(policy=SMTP_POLICY)
    mail["Subject"] = message.subject or "(no subject)"
    mail["From"] = settings.DEFAULT_FROM_EMAIL
    mail["To"] = formataddr((guest.name, message.recipient)) if guest is not None else message.recipient
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id_for(message.idempotency_key)
    mail["X-Huodong-Key"] = message.idempotency_key[:200]
    qr = _qr_png(message) if extras.get("qr") else None
    mail.set_content(message.body)
    mail.add_alternative(html_of(message.body, qr_cid=QR_CID if qr else None, qr_alt="QR"), subtype="html")
    if qr:
        html_part: EmailMessage = mail.get_payload()[1]  # type: ignore[index,assignment]
        html_part.add_related(qr, "image", "png", cid=f"<{QR_CID}>", filename="ticket.png")
    method = str(extras.get("ics") or "").upper()
    if method in ("REQUEST", "CANCEL") and guest is not None:
        from ..calendar import ics_for

        ics = ics_for(guest, method, ticket_link=_ticket_link(message))
        mail.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics" if method == "REQUEST" else "cancel.ics",
            params={"method": method, "charset": "utf-8"},
        )
    return mail


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


class EmailChannel(Channel):
    name = "email"
    dedupes = False

    def __init__(self) -> None:
        self.conn: smtplib.SMTP | None = None

    # ------------------------------------------------------------ the connection of a batch
    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = settings.EMAIL_HOST, int(settings.EMAIL_PORT), settings.EMAIL_TIMEOUT
        try:
            if settings.EMAIL_USE_SSL:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(host, port, timeout=timeout)
            # The body and the final dot are two writes: without NODELAY, Nagle holds the dot back until
            # the server's delayed ACK (about 40 ms a message).
            if conn.sock is not None:
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.ehlo_or_helo_if_needed()
            if settings.EMAIL_USE_TLS:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if settings.EMAIL_HOST_USER:
                conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {host}:{port}: {_reply_text(exc.smtp_code, exc.smtp_error)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {host}:{port}: {exc}") from None
        return conn

    def open(self) -> None:
        return None  # connected on the first message of the batch

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    def _reset(self) -> None:
        try:
            if self.conn is not None:
                self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    # ------------------------------------------------------------ one message
    def send(self, message: Message, *, commit: Callable[[], None] = _noop) -> str:
        if not message.recipient:
            raise DeliveryError("no recipient", retryable=False)
        mail = build_email(message)
        data = mail.as_bytes(policy=SMTP_POLICY)  # CRLF line ends
        data = re.sub(rb"(?m)^\.", b"..", data)  # dot-stuffing (RFC 5321 4.5.2)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        if self.conn is None:
            self.conn = self._connect()
        conn = self.conn
        try:
            code, reply = conn.mail(sender)
            if code != 250:
                self._reset()
                raise DeliveryError(_reply_text(code, reply))
            code, reply = conn.rcpt(message.recipient)
            if code not in (250, 251):
                self._reset()
                raise DeliveryError(_reply_text(code, reply))
            code, reply = conn.docmd("DATA")
            if code != 354:
                self._reset()
                raise DeliveryError(_reply_text(code, reply))
            conn.send(data)
        except (OSError, smtplib.SMTPException) as exc:
            # Before the final dot nothing is delivered: the server drops an unfinished DATA.
            self._drop()
            if isinstance(exc, smtplib.SMTPResponseException):
                raise DeliveryError(_reply_text(exc.smtp_code, exc.smtp_error)) from None
            raise DeliveryError(f"SMTP: {exc}") from None
        try:
            commit()
        except BaseException:
            self._drop()  # closing inside DATA aborts the transaction: nothing is delivered
            raise
        try:
            conn.send(b".\r\n")
            code, reply = conn.getreply()
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise DeliveryError(f"SMTP: no answer after the message was sent: {exc}", unknown=True) from None
        if code != 250:
            if code == -1:  # smtplib's "connection closed" reply
                self._drop()
                raise DeliveryError(f"SMTP: {_reply_text(code, reply)}", unknown=True)
            raise DeliveryError(_reply_text(code, reply))
        return _reply_text(code, reply)[:200]


class FileEmailChannel(Channel):
    """Development without a mail server (``HUODONG_EMAIL_BACKEND=file``, what ``make run`` uses unless an
    SMTP host is set): each message is written as ``<HUODONG_OUTBOX_DIR>/email/<Message-ID>.eml``, the same
    MIME message SMTP would carry, and opens in any mail program. The file name follows the idempotency key,
    so writing a message again replaces it: it de-duplicates."""

    name = "email"
    dedupes = True

    def send(self, message: Message, *, commit: Callable[[], None] = _noop) -> str:
        if not message.recipient:
            raise DeliveryError("no recipient", retryable=False)
        from pathlib import Path

        folder = Path(settings.HUODONG_OUTBOX_DIR) / "email"
        folder.mkdir(parents=True, exist_ok=True)
        name = message_id_for(message.idempotency_key).strip("<>").split("@", 1)[0]
        commit()
        path = folder / f"{name}.eml"
        path.write_bytes(build_email(message).as_bytes(policy=SMTP_POLICY))
        return str(path)
