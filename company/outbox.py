"""Email leaves through an outbox table.

`queue()` adds a row in the caller's transaction, so an email exists if and only if the change
that caused it was committed. `send_pending()` (`flask outbox send`, and after each request in
development) claims each due row, sends it over SMTP and marks it sent. A failed send is retried
later with back-off; a row claimed by a sender that died mid-send is marked `unknown` for a person
to check, rather than risking a second copy. Each message carries a stable Message-ID.
"""

import json
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from company.clock import utcnow
from company.extensions import db

PENDING, SENDING, SENT, FAILED, UNKNOWN = "pending", "sending", "sent", "failed", "unknown"
MAX_ATTEMPTS = 8
BACKOFF_MINUTES = [1, 5, 15, 30, 60, 120, 240, 480]
STALE_AFTER = timedelta(minutes=10)


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    to: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # JSON list of {"kind", "ref", "filename"}: rendered at send time by the kind's registered renderer,
    # so thousands of queued invoices do not store thousands of PDFs twice.
    attachments: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


ATTACHMENTS = "outbox_attachments"


def add_attachment_kind(app, kind: str, render: Callable[[str], tuple[bytes, str]]) -> None:
    """`render(ref) -> (bytes, mime subtype)` for attachments of `kind`; called in a feature's
    register(app) by the feature that owns the documents."""
    app.extensions.setdefault(ATTACHMENTS, {})[kind] = render


def header_text(text: str, limit: int) -> str:
    """Text fit for one email header: CR, LF, tabs and other control characters become single
    spaces (so nothing typed into a name or title can add a header), at most `limit` long."""
    text = text or ""
    if not text.isprintable():  # the rare case: walk it a character at a time
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:limit]


def queue(to: str, subject: str, body: str, attachments: list[dict] | None = None) -> OutboxMessage:
    subject = header_text(subject, 200)
    domain = (current_app.config["MAIL_FROM"].rsplit("@", 1)[-1]).rstrip(">") or "localhost"
    msg = OutboxMessage(
        to=to,
        subject=subject,
        body=body,
        message_id=make_msgid(domain=domain),
        attachments=json.dumps(attachments) if attachments else None,
    )
    db.session.add(msg)
    if has_request_context():
        g.outbox_queued = True
    return msg


def queued_in_request() -> bool:
    return bool(g.get("outbox_queued"))


def _claim(msg_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == msg_id, OutboxMessage.status == PENDING)
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _smtp_send(msg: OutboxMessage) -> None:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_FROM"]
    email["To"] = msg.to
    email["Subject"] = msg.subject
    email["Message-ID"] = msg.message_id
    email.set_content(msg.body)
    for item in json.loads(msg.attachments or "[]"):
        content, subtype = current_app.extensions[ATTACHMENTS][item["kind"]](item["ref"])
        email.add_attachment(
            content, maintype="application", subtype=subtype, filename=item["filename"]
        )
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def send_pending(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send what is due. Returns counts: sent, retry (will be tried again), failed, unknown."""
    now = now or utcnow()
    counts = {SENT: 0, "retry": 0, FAILED: 0, UNKNOWN: 0}
    counts[UNKNOWN] = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - STALE_AFTER)
        .values(status=UNKNOWN, last_error="sender stopped mid-send; check before resending")
    ).rowcount
    db.session.commit()
    due = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    for msg_id in due:
        if not _claim(msg_id, now):
            continue  # another sender took it
        msg = db.session.get(OutboxMessage, msg_id)
        try:
            _smtp_send(msg)
        except ValueError as exc:  # a header the email library refuses: never sendable
            msg.status, msg.last_error = FAILED, f"not sendable: {exc}"[:2000]
            counts[FAILED] += 1
        except (OSError, smtplib.SMTPException) as exc:
            msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if msg.attempts >= MAX_ATTEMPTS:
                msg.status = FAILED
                counts[FAILED] += 1
            else:
                delay = BACKOFF_MINUTES[min(msg.attempts, len(BACKOFF_MINUTES)) - 1]
                msg.status, msg.next_attempt_at = PENDING, now + timedelta(minutes=delay)
                counts["retry"] += 1
        else:
            msg.status, msg.sent_at, msg.last_error = SENT, utcnow(), None
            counts[SENT] += 1
        db.session.commit()
    return counts


def requeue(msg_id: int) -> OutboxMessage:
    """A person decided a failed or unknown message should go (again)."""
    msg = db.session.get(OutboxMessage, msg_id)
    if msg is None:
        raise LookupError(f"No outbox message with id {msg_id}")
    if msg.status not in {FAILED, UNKNOWN}:
        raise LookupError(
            f"Message {msg_id} is {msg.status}; only failed or unknown messages are requeued"
        )
    msg.status, msg.next_attempt_at = PENDING, utcnow()
    db.session.commit()
    return msg
