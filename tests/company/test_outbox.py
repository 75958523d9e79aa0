"""Email goes out through the outbox: written with the change, sent once, retried on failure."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from company import outbox
from company.auth.roles import Role
from company.clock import utcnow
from company.extensions import db
from company.outbox import OutboxMessage
from tests import factories


def rows():
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_an_email_exists_only_if_its_change_was_committed(ctx):
    outbox.queue("a@example.com", "Kept", "body")
    db.session.commit()
    outbox.queue("b@example.com", "Rolled back", "body")
    db.session.rollback()
    assert [m.subject for m in rows()] == ["Kept"]


def test_send_delivers_over_smtp_once(ctx, mailbox):
    outbox.queue("a@example.com", "Hello", "Line one")
    db.session.commit()
    assert outbox.send_pending()["sent"] == 1
    assert outbox.send_pending()["sent"] == 0  # a second run sends nothing again
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Hello" and message["To"] == "a@example.com"
    assert "Line one" in mailbox.body(message)
    assert message["Message-ID"] == rows()[0].message_id
    assert rows()[0].status == "sent" and rows()[0].sent_at is not None


def test_a_refused_send_is_retried_later_and_never_lost(ctx, mailbox):
    outbox.queue("a@example.com", "Try again", "body")
    db.session.commit()
    mailbox.refuse = True
    counts = outbox.send_pending()
    assert counts["retry"] == 1 and counts["sent"] == 0
    [msg] = rows()
    assert msg.status == "pending" and msg.attempts == 1 and "451" in msg.last_error
    assert msg.next_attempt_at > utcnow()
    mailbox.refuse = False
    assert outbox.send_pending()["sent"] == 0  # not due yet
    assert outbox.send_pending(now=utcnow() + timedelta(minutes=2))["sent"] == 1
    assert len(mailbox.wait_for(1)) == 1


def test_an_unreachable_server_counts_as_a_retry(ctx, app):
    outbox.queue("a@example.com", "No server", "body")
    db.session.commit()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 9  # nothing listens on the discard port
    try:
        assert outbox.send_pending()["retry"] == 1
    finally:
        app.config["MAIL_PORT"] = port
    assert rows()[0].status == "pending"


def test_after_the_last_attempt_a_message_is_marked_failed_and_can_be_requeued(ctx, mailbox):
    outbox.queue("a@example.com", "Stubborn", "body")
    db.session.commit()
    mailbox.refuse = True
    later = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        later += timedelta(days=1)
        outbox.send_pending(now=later)
    assert rows()[0].status == "failed"
    mailbox.refuse = False
    outbox.requeue(rows()[0].id)
    assert outbox.send_pending()["sent"] == 1


def test_a_message_claimed_by_a_sender_that_died_is_not_sent_twice(ctx, mailbox):
    msg = outbox.queue("a@example.com", "Claimed", "body")
    db.session.commit()
    msg.status, msg.claimed_at = "sending", utcnow() - timedelta(minutes=30)
    db.session.commit()
    counts = outbox.send_pending()
    assert counts == {"sent": 0, "retry": 0, "failed": 0, "unknown": 1}
    assert rows()[0].status == "unknown"
    assert mailbox.messages == []


def test_flask_outbox_send_prints_what_it_did(app, ctx, mailbox):
    outbox.queue("a@example.com", "CLI", "body")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "sent=1 retry=0 failed=0 unknown=0" in result.output


@pytest.mark.parametrize("send_after_request", [True, False])
def test_development_sends_mail_after_each_request(app, ctx, client, mailbox, send_after_request):
    """`OUTBOX_SEND_AFTER_REQUEST` (on outside tests) has the queue send at once when a request
    queued email: whatever is due then goes."""
    from company import create_app

    dev = create_app(
        "test",
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "MAIL_PORT", "MAIL_SERVER")},
            "OUTBOX_SEND_AFTER_REQUEST": send_after_request,
        },
    )
    dev.test_client_class = type(client)
    dev_client = dev.test_client()
    outbox.queue("a@example.com", "Queued earlier", "body")
    db.session.commit()
    dev_client.get("/healthz")  # queues nothing, so sends nothing: the schedule will
    assert mailbox.wait_for(1, timeout=0.3) == []
    user = factories.user(Role.FINANCE)
    dev_client.post("/password-reset", data={"email": user.email})  # queues the reset email
    sent = mailbox.wait_for(2, timeout=1 if send_after_request else 0.3)
    assert len(sent) == (2 if send_after_request else 0)  # the reset, and the one queued earlier


def test_flask_outbox_retry_refuses_unknown_or_pending_messages(app, ctx):
    msg = outbox.queue("a@example.com", "Pending", "body")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "retry", str(msg.id)])
    assert result.exit_code != 0 and "only failed or unknown messages are requeued" in result.output
    result = runner.invoke(args=["outbox", "retry", "999"])
    assert result.exit_code != 0 and "No outbox message with id 999" in result.output


def test_a_name_with_a_newline_adds_no_header_and_stops_nobody(ctx, mailbox):
    """An applicant's name with CR/LF in a subject is one line; an address that cannot be a
    header fails alone; the messages after it are still sent."""
    outbox.queue("a@example.com", "Application from Evil\r\nBcc: victim@example.com", "Body")
    outbox.queue("b@example.com\r\nBcc: victim@example.com", "Hello", "Body")
    outbox.queue("c@example.com", "After", "Body")
    db.session.commit()
    counts = outbox.send_pending()
    assert counts["sent"] == 2 and counts["failed"] == 1
    messages = mailbox.wait_for(2)
    assert sorted(m["Subject"] for m in messages) == [
        "After",
        "Application from Evil Bcc: victim@example.com",
    ]
    assert all(m["Bcc"] is None for m in messages)
    failed = [r for r in rows() if r.status == "failed"]
    assert len(failed) == 1 and failed[0].last_error.startswith("not sendable")
