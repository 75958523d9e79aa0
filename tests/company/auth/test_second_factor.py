"""Two-factor sign-in (TOTP, RFC 6238): required for staff, offered to council users; ten
single-use recovery codes; codes throttled like passwords and never replayed; a company
secretary resets a lost phone; sensitive actions ask for the password and a fresh code."""

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from company.audit import AuditEvent
from company.auth import sessions as auth_sessions
from company.auth.models import RecoveryCode, User, UserSession
from company.auth.roles import Role
from company.clock import utcnow
from company.extensions import db
from company.outbox import OutboxMessage
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import identity, text_of


def password_step(client, email):
    return client.post("/sign-in", data={"email": email, "password": PASSWORD})


def test_staff_give_a_code_after_the_password_and_a_code_counts_once(ctx, client):
    user = factories.user(Role.FINANCE)
    r = password_step(client, user.email)
    assert r.headers["Location"] == "/sign-in/code"
    assert client.get("/dashboard").headers["Location"].startswith("/sign-in")  # not yet in
    r = client.post("/sign-in/code", data={"code": "123456"})
    assert r.status_code == 400 and "Enter the 6-digit code from your authenticator app" in text_of(
        r
    )
    code = factories.code_for(user)
    assert client.post("/sign-in/code", data={"code": code}).headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    client.post("/sign-out")
    password_step(client, user.email)
    r = client.post("/sign-in/code", data={"code": code})  # the same code again: refused
    assert r.status_code == 400 and client.get("/dashboard").status_code == 302


def test_wrong_codes_are_throttled_like_passwords(ctx, client, app):
    user = factories.user(Role.ADMIN)
    password_step(client, user.email)
    for _ in range(app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/sign-in/code", data={"code": "000000"})
    r = client.post("/sign-in/code", data={"code": factories.code_for(user)})
    assert "Too many wrong codes. Wait 15 minutes" in text_of(r)
    assert client.get("/dashboard").status_code == 302


def test_the_code_step_expires_and_needs_the_password_first(ctx, client):
    user = factories.user(Role.ADMIN)
    r = client.get("/sign-in/code")  # no password given
    assert r.headers["Location"] == "/sign-in"
    password_step(client, user.email)
    with client.session_transaction() as sess:
        pending = sess["signing_in"]
        pending["at"] -= 601
        sess["signing_in"] = pending
    r = client.post("/sign-in/code", data={"code": factories.code_for(user)})
    assert r.headers["Location"] == "/sign-in"


def _set_up(client, url):
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'id="setup-key">([A-Z2-7 ]+)</p>', page).group(1).replace(" ", "")
    r = client.post(url, data={"code": factories.code_for(key)})
    codes = re.findall(
        r"<li><code>([A-Z0-9-]+)</code></li>",
        client.get(r.headers["Location"]).get_data(as_text=True),
    )
    return key, codes


def test_staff_without_a_second_factor_set_it_up_before_any_page(ctx, client, login_as, mailbox):
    user = factories.user(Role.DIRECTOR, second_factor=False)
    login_as(user)
    assert client.get("/register-of-members").headers["Location"] == "/account/security/set-up"
    key, codes = _set_up(client, "/account/security/set-up")
    assert len(codes) == 10
    assert client.get("/register-of-members").status_code == 200
    db.session.refresh(user)
    assert user.totp_secret == key and user.has_second_factor
    stored = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)  # hashed
    assert "A second factor was set up" in db.session.scalar(sa.select(OutboxMessage.subject))


def test_with_totp_optional_staff_sign_in_with_the_password_alone(ctx, client, app):
    app.config["TOTP_REQUIRED"] = False
    try:
        user = factories.user(Role.FINANCE, second_factor=False)
        assert password_step(client, user.email).headers["Location"] == "/dashboard"
    finally:
        app.config["TOTP_REQUIRED"] = True


def test_council_users_may_add_a_second_factor_and_are_then_asked_for_it(ctx, client, login_as):
    member = factories.member()
    user = factories.user(Role.COUNCIL_USER, member=member)
    assert password_step(client, user.email).headers["Location"] == "/portal/"  # not required
    page = text_of(client.get("/account/security"))
    assert "Second factor Not set up" in page and "Set up an authenticator app" in page
    _set_up(client, "/account/security/set-up")
    client.post("/sign-out")
    assert password_step(client, user.email).headers["Location"] == "/sign-in/code"


def test_a_recovery_code_signs_in_once(ctx, client, login_as):
    user = factories.user(Role.FINANCE, second_factor=False)
    login_as(user)
    _key, codes = _set_up(client, "/account/security/set-up")
    client.post("/sign-out")
    password_step(client, user.email)
    r = client.post("/sign-in/code", data={"code": codes[0].lower().replace("-", " ")})
    assert r.headers["Location"] == "/dashboard"
    assert "You used a recovery code: 9 left" in text_of(client.get("/dashboard"))
    client.post("/sign-out")
    password_step(client, user.email)
    assert client.post("/sign-in/code", data={"code": codes[0]}).status_code == 400  # spent
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.recovery_code_used")
    )
    assert event is not None


def test_new_recovery_codes_need_the_password_and_a_code(ctx, client, login_as):
    user = factories.user(Role.FINANCE, second_factor=False)
    login_as(user)
    _key, old = _set_up(client, "/account/security/set-up")
    r = client.post("/account/security/new-recovery-codes", data={"password": "wrong", "code": "1"})
    assert r.status_code == 400 and "Enter your password correctly" in text_of(r)
    r = client.post(
        "/account/security/new-recovery-codes",
        data={"password": PASSWORD, "code": factories.code_for(user)},
    )
    new = re.findall(
        r"<li><code>([A-Z0-9-]+)</code></li>",
        client.get(r.headers["Location"]).get_data(as_text=True),
    )
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/sign-out")
    password_step(client, user.email)
    assert client.post("/sign-in/code", data={"code": old[1]}).status_code == 400  # replaced


def test_the_company_secretary_resets_a_lost_phone(ctx, app, client, login_as):
    user = factories.user(Role.FINANCE)
    their_browser = app.test_client()
    with their_browser.session_transaction() as sess:
        sess["_user_id"] = auth_sessions.session_id_for(user)
    assert their_browser.get("/billing/invoices").status_code == 200
    secretary = factories.user(Role.ADMIN)
    login_as(secretary)
    page = text_of(client.get("/admin/users"))
    assert f"Reset second factor of {user.name}" in page
    r = client.post(f"/admin/users/{user.id}/reset-second-factor")  # asks first
    assert f"Reset {user.name}'s second factor?" in text_of(r)
    db.session.refresh(user)
    assert user.has_second_factor
    client.post(f"/admin/users/{user.id}/reset-second-factor", data={"confirm": "yes"})
    db.session.refresh(user)
    assert not user.has_second_factor and user.totp_secret is None
    assert their_browser.get("/billing/invoices").status_code == 302  # signed out everywhere
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.second_factor_reset")
    )
    assert event.actor == secretary.email
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to == user.email))
    assert mail.subject == "Your second factor was reset"
    r = client.post(f"/admin/users/{secretary.id}/reset-second-factor", data={"confirm": "yes"})
    assert "You cannot reset your own second factor" in text_of(client.get("/admin/users"))


def test_flask_users_reset_second_factor(app, ctx):
    user = factories.user(Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", user.email])
    assert result.exit_code == 0 and "Second factor reset" in result.output
    db.session.refresh(user)
    assert not user.has_second_factor


def test_changing_a_role_asks_for_the_password_and_a_fresh_code(ctx, client, login_as):
    secretary = factories.user(Role.ADMIN)
    director = factories.user(Role.DIRECTOR)
    login_as(secretary)
    r = client.post(f"/admin/users/{director.id}/role", data={"role": "finance"})
    page = text_of(r)
    assert f"Make {director.name} finance officer?" in page or "Make" in page
    assert "Your password" in page and "Code from your authenticator app" in page
    r = client.post(
        f"/admin/users/{director.id}/role",
        data={
            "role": "finance",
            "confirm": "yes",
            "identity_password": PASSWORD,
            "identity_code": "000000",
        },
    )
    assert r.status_code == 400 and "Enter the 6-digit code" in text_of(r)
    db.session.refresh(director)
    assert director.role == Role.DIRECTOR
    r = client.post(
        f"/admin/users/{director.id}/role",
        data={"role": "finance", "confirm": "yes", **identity(secretary)},
    )
    assert r.headers["Location"] == "/admin/users"
    db.session.refresh(director)
    assert director.role == Role.FINANCE
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert '"director"' in event.changes and '"finance"' in event.changes
    r = client.post(f"/admin/users/{secretary.id}/role", data={"role": "finance"})
    assert "You cannot change your own role" in text_of(r)


def test_the_set_up_qr_code_holds_the_key_for_this_account(ctx, client, login_as):
    from company.auth import second_factor

    user = factories.user(Role.FINANCE, second_factor=False)
    uri = second_factor.setup_uri(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" and parsed.name == user.email
    svg = second_factor.qr_svg(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert svg.startswith("<svg") and "style=" not in svg  # inline, and within the CSP


@pytest.mark.parametrize("role, minutes", [(Role.FINANCE, 30), (Role.COUNCIL_USER, 120)])
def test_an_idle_session_ends_after_its_role_s_timeout(ctx, client, login_as, role, minutes):
    member = factories.member() if role.is_council else None
    user = factories.user(role, member=member)
    login_as(user)
    home = "/portal/" if role.is_council else "/dashboard"
    assert client.get(home).status_code == 200
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=minutes - 1)
    db.session.commit()
    assert client.get(home).status_code == 200  # within the limit, and seen again now
    db.session.refresh(row)
    row.last_seen_at = utcnow() - timedelta(minutes=minutes + 1)
    db.session.commit()
    r = client.get(home)
    assert r.status_code == 302 and "ended=idle" in r.headers["Location"]
    assert "You were signed out because the service had not been used" in text_of(
        client.get(r.headers["Location"])
    )
    db.session.refresh(row)
    assert row.ended_reason == "idle"


def test_a_session_ends_at_its_absolute_lifetime_however_busy(ctx, client, login_as, app):
    user = factories.user(Role.FINANCE)
    login_as(user)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    row.created_at = utcnow() - timedelta(hours=app.config["SESSION_LIFETIME_HOURS"], minutes=1)
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_signing_out_ends_the_session_on_the_server(ctx, client, app):
    user = factories.user(Role.FINANCE)
    password_step(client, user.email)
    client.post("/sign-in/code", data={"code": factories.code_for(user)})
    with client.session_transaction() as sess:
        copied = dict(sess)  # someone copies the cookie before the owner signs out
    client.post("/sign-out")
    thief = app.test_client()
    with thief.session_transaction() as sess:
        sess.update(copied)
    assert thief.get("/dashboard").status_code == 302
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_reason == "signed out"


def test_sign_out_everywhere_else(ctx, app, client, login_as):
    user = factories.user(Role.FINANCE)
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"] = auth_sessions.session_id_for(user)
    login_as(user)
    assert "You are also signed in 1 other time" in text_of(client.get("/account/security"))
    r = client.post("/account/security/sign-out-others")
    assert "Signed out of 1 other session" in text_of(client.get(r.headers["Location"]))
    assert (
        other.get("/dashboard").status_code == 302 and client.get("/dashboard").status_code == 200
    )
    assert db.session.get(User, user.id).active
