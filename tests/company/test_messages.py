"""The company secretary sees the emails that did not go, and sends one again after a
confirmation that says what will happen."""

import pytest
import sqlalchemy as sa

from company import outbox
from company.auth.roles import Role
from company.extensions import db
from company.outbox import OutboxMessage
from tests import factories
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    live_server_fixture,
    new_page_fixture,
    sign_in,
)
from tests.helpers import text_of


def _stuck(status, error):
    msg = outbox.queue("treasurer@council.example", "Invoice INV-2026-00007", "Body")
    db.session.flush()
    msg.status, msg.last_error, msg.attempts = status, error, 8
    db.session.commit()
    return msg


def test_failed_and_unknown_emails_are_listed_and_can_be_sent_again(ctx, client, login_as):
    failed = _stuck("failed", "SMTPRecipientsRefused: mailbox full")
    unknown = _stuck("unknown", "sender stopped mid-send; check before resending")
    outbox.queue("sent@example.com", "Fine", "Body")
    db.session.commit()
    login_as(factories.user(Role.ADMIN))
    page = text_of(client.get("/admin/messages"))
    assert "mailbox full" in page and "Unknown" in page and "2 emails" in page
    assert "sent@example.com" not in page

    confirm = text_of(client.post(f"/admin/messages/{unknown.id}/send-again"))
    assert "may have arrived already" in confirm
    assert db.session.get(OutboxMessage, unknown.id).status == "unknown"  # not yet
    r = client.post(f"/admin/messages/{failed.id}/send-again", data={"confirm": "yes"})
    assert r.status_code == 302
    assert db.session.get(OutboxMessage, failed.id).status == "pending"
    assert "will be sent again" in text_of(client.get("/admin/messages"))


def test_only_the_company_secretary_sees_them(ctx, client, login_as):
    msg = _stuck("failed", "refused")
    for role in (Role.FINANCE, Role.COUNCIL_ADMIN, Role.DIRECTOR):
        member = factories.member() if role.is_council else None
        login_as(factories.user(role, member=member))
        assert client.get("/admin/messages").status_code == 403
        assert client.post(f"/admin/messages/{msg.id}/send-again").status_code == 403
    assert db.session.scalar(sa.select(OutboxMessage.status)) == "failed"


@pytest.mark.browser
def test_the_send_again_confirmation_fits_a_320_pixel_window(app, new_page):
    """A long address in the confirmation's heading wraps rather than scrolling sideways."""
    with app.app_context():
        admin = factories.user(Role.ADMIN)
        msg = outbox.queue(
            "accounts.payable.department@a-very-long-council-name.example", "Hi", "Body"
        )
        db.session.flush()
        msg.status, msg.last_error = "failed", "refused"
        db.session.commit()
        email = admin.email
    page = new_page(viewport={"width": 320, "height": 800})
    sign_in(page, email, factories.PASSWORD)
    page.goto("/admin/messages")
    page.get_by_role("button", name="Send again").click()
    page.get_by_role("heading", name="Send this email to").wait_for()
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client
