"""Sign-in, sign-out, throttling, password resets and invitations, with real email."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from company.auth import services
from company.auth import services as auth_services
from company.auth import sessions as auth_sessions
from company.auth.models import AuthToken, User
from company.auth.roles import Role
from company.clock import utcnow
from company.extensions import db
from company.outbox import send_pending
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import text_of


def sign_in(client, email, password, path="/sign-in"):
    """The sign-in form, then (staff) the code from the authenticator app: the last answer."""
    r = client.post(path, data={"email": email, "password": password})
    if r.status_code == 302 and r.headers["Location"] == "/sign-in/code":
        return enter_code(client, email)
    return r


def enter_code(client, email):
    user = auth_services.user_by_email(email)
    return client.post("/sign-in/code", data={"code": factories.code_for(user)})


def link_in(body: str) -> str:
    return re.search(r"http://localhost(/\S+)", body).group(1)


def test_staff_sign_in_lands_on_the_dashboard_and_sign_out_ends_the_session(ctx, client):
    admin = factories.user(Role.ADMIN, email="sec@example.com")
    r = sign_in(client, "SEC@example.com ", PASSWORD)
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"
    page = text_of(client.get("/dashboard"))
    assert f"Signed in as {admin.name}" in page
    r = client.post("/sign-out")
    assert r.headers["Location"] == "/sign-in"
    assert client.get("/dashboard").status_code == 302


def test_council_user_lands_on_their_council_portal(ctx, client):
    member = factories.member()
    factories.user(Role.COUNCIL_USER, member=member, email="pat@council.example")
    r = sign_in(client, "pat@council.example", PASSWORD)
    assert r.headers["Location"] == "/portal/"
    assert member.name in text_of(client.get("/portal/"))


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(ctx, client):
    factories.user(Role.ADMIN, email="sec@example.com")
    r = sign_in(client, "sec@example.com", PASSWORD, "/sign-in?next=/admin/members")
    assert r.headers["Location"] == "/admin/members"  # kept through the code step
    client.post("/sign-out")
    r = sign_in(client, "sec@example.com", PASSWORD, "/sign-in?next=//evil.example/x")
    assert r.headers["Location"] == "/dashboard"


# The known open-redirect bypasses, as they arrive in the query string (percent-encoded).
BYPASSES = [
    "//evil.example", "/%09/evil.example", "/%5Cevil.example", "/\\evil.example",
    "%2F%2Fevil.example", "https://evil.example", "https:evil.example", "/%0D%0ALocation:%20x",
    "/%0a/evil.example", "%20//evil.example", "/%00/evil.example", "javascript:alert(1)",
    "\\\\evil.example", "//%09evil.example", "/%2F/evil.example",
]  # fmt: skip


@pytest.mark.parametrize("target", BYPASSES)
def test_no_next_leaves_the_site_or_fails(ctx, client, target):
    factories.user(Role.ADMIN, email="sec@example.com")
    r = sign_in(client, "sec@example.com", PASSWORD, f"/sign-in?next={target}")
    if "%00" in target:  # refused whole, before anything reads it
        assert r.status_code == 400
    else:
        assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_a_band_change_returns_only_to_a_page_of_this_site(ctx, client, login_as):
    from billing.contributions.models import ContributionSchedule  # noqa: F401 (tables)

    member = factories.member()
    login_as(factories.user(Role.FINANCE))
    r = client.post(
        f"/billing/members/{member.id}/band", data={"band": "", "next": "/\t/evil.example"}
    )
    assert r.status_code == 302 and r.headers["Location"].startswith("/billing/contributions/")


def test_wrong_password_gets_a_clear_error_and_no_session(ctx, client):
    factories.user(Role.ADMIN, email="sec@example.com")
    r = sign_in(client, "sec@example.com", "not the password")
    page = text_of(r)
    assert r.status_code == 200
    assert page.startswith("Error: Sign in – Flatpack")
    assert "There is a problem Enter a correct email address and password" in page
    assert client.get("/dashboard").status_code == 302


def test_empty_sign_in_form_uses_gov_uk_error_wording(client):
    page = text_of(client.post("/sign-in", data={"email": "", "password": ""}))
    assert "Enter your email address" in page and "Enter your password" in page


def test_removed_user_cannot_sign_in(ctx, client):
    admin = factories.user(Role.ADMIN)
    other = factories.user(Role.FINANCE, email="gone@example.com")
    services.remove_user(other, admin)
    assert "Enter a correct email address and password" in text_of(
        sign_in(client, "gone@example.com", PASSWORD)
    )


def test_sign_in_is_throttled_per_account_with_a_clear_message(ctx, client, app):
    factories.user(Role.ADMIN, email="sec@example.com")
    for _ in range(app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]):
        sign_in(client, "sec@example.com", "wrong")
    r = sign_in(client, "sec@example.com", PASSWORD)  # even the right password waits
    assert "Too many failed attempts to sign in. Wait 15 minutes" in text_of(r)
    assert client.get("/dashboard").status_code == 302


def test_sign_in_is_throttled_per_address_across_accounts(ctx, client, app):
    factories.user(Role.ADMIN, email="sec@example.com")
    for i in range(app.config["SIGNIN_MAX_FAILURES_PER_ADDRESS"]):
        sign_in(client, f"guess{i}@example.com", "wrong")
    assert "Too many failed attempts" in text_of(sign_in(client, "sec@example.com", PASSWORD))


def _from(client, address, email, password):
    return client.post(
        "/sign-in", data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )  # fmt: skip


def test_failures_from_elsewhere_never_lock_a_person_out(ctx, client, app):
    factories.user(Role.ADMIN, email="sec@example.com")
    for _ in range(app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"] + 3):
        _from(client, "203.0.113.9", "sec@example.com", "wrong")  # an attacker
    assert "Too many" in text_of(_from(client, "203.0.113.9", "sec@example.com", PASSWORD))
    r = _from(client, "198.51.100.7", "sec@example.com", PASSWORD)  # the person, at the office
    assert r.status_code == 302


def test_colleagues_behind_one_address_are_not_locked_out_by_a_sprayer(ctx, client, app):
    factories.user(Role.ADMIN, email="sec@example.com")
    office = "198.51.100.7"
    assert _from(client, office, "sec@example.com", PASSWORD).status_code == 302
    client.post("/sign-out")
    for i in range(app.config["SIGNIN_MAX_FAILURES_PER_ADDRESS"]):
        _from(client, office, f"guess{i}@example.com", "wrong")
    assert _from(client, office, "sec@example.com", PASSWORD).status_code == 302


def test_the_wait_doubles_with_each_further_run_of_failures(ctx, app):
    from datetime import timedelta

    from company.auth.models import SignInAttempt
    from company.clock import utcnow

    limit = app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
    now = utcnow()
    for n in range(3 * limit):  # three runs of failures, the last a minute ago
        at = now - timedelta(minutes=1, seconds=n)
        db.session.add(
            SignInAttempt(email="a@x.example", address="1.2.3.4", succeeded=False, at=at)
        )
    db.session.commit()
    assert services.wait_minutes("a@x.example", "1.2.3.4", 0, now) == 60  # 15, 30, 60


def test_attempts_at_the_same_moment_never_slip_past_the_limit(ctx, app):
    import threading

    factories.user(Role.ADMIN, email="sec@example.com")
    limit = app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
    checked, start = [], threading.Barrier(12)

    def attempt():
        with app.app_context():
            start.wait()
            try:
                services.authenticate("sec@example.com", "wrong", "203.0.113.9")
            except services.TooManyAttempts:
                pass
            except services.AuthError:
                checked.append(1)  # the password was actually tried
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # never more than the limit were tried (all may be refused when every attempt was recorded
    # before any was counted: strict, never lax)
    assert len(checked) <= limit


def test_x_forwarded_for_is_believed_only_from_configured_proxies(ctx, client):
    from company import create_app

    client.post("/sign-in", data={"email": "x@example.com", "password": "wrong"},
                headers={"X-Forwarded-For": "203.0.113.50"})  # fmt: skip
    from company.auth.models import SignInAttempt

    assert db.session.scalar(sa.select(SignInAttempt.address)) == "127.0.0.1"
    behind = create_app("test", {"TRUSTED_PROXIES": 1})
    assert behind.wsgi_app.__class__.__name__ == "ProxyFix"


def test_passwords_are_hashed_with_a_modern_algorithm(ctx, app):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    try:
        user = factories.user(Role.ADMIN)
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_forms_without_a_csrf_token_are_refused(ctx, client):
    factories.user(Role.ADMIN, email="sec@example.com")
    r = client.post("/sign-in", data={"email": "sec@example.com", "password": PASSWORD}, csrf=False)
    assert r.status_code == 400
    assert "Your form has expired" in text_of(r)


def test_password_reset_by_emailed_single_use_link(ctx, client, mailbox):
    factories.user(Role.FINANCE, email="fin@example.com")
    r = client.post("/password-reset", data={"email": "fin@example.com"})
    assert "Check your email" in text_of(r)
    send_pending()
    [message] = mailbox.wait_for(1)
    assert message["To"] == "fin@example.com"
    path = link_in(mailbox.body(message))
    r = client.post(
        path, data={"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert r.headers["Location"] == "/sign-in/code"  # a new password, then the app's code
    assert enter_code(client, "fin@example.com").headers["Location"] == "/dashboard"
    client.post("/sign-out")
    assert sign_in(client, "fin@example.com", "a brand new password").status_code == 302
    client.post("/sign-out")
    r = client.get(path)  # used once: spent
    assert r.status_code == 410
    assert "This password reset link has already been used" in text_of(r)


def test_a_password_reset_signs_out_every_session_opened_before_it(ctx, app, client, mailbox):
    user = factories.user(Role.FINANCE, email="fin@example.com")
    other_browser = app.test_client()  # signed in on another computer, with the old password
    with other_browser.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True
    assert other_browser.get("/billing/invoices").status_code == 200
    client.post("/password-reset", data={"email": "fin@example.com"})
    send_pending()
    [message] = mailbox.wait_for(1)
    path = link_in(mailbox.body(message))
    client.post(path, data={"password": "a brand new password", "confirm": "a brand new password"})
    enter_code(client, "fin@example.com")
    r = other_browser.get("/billing/invoices")
    assert r.status_code == 302 and r.headers["Location"].startswith("/sign-in")
    assert client.get("/billing/invoices").status_code == 200  # the resetting browser stays in


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    ctx, client, mailbox
):
    r = client.post("/password-reset", data={"email": "nobody@example.com"})
    assert "Check your email" in text_of(r)
    assert send_pending()["sent"] == 0


def test_expired_reset_link_is_refused(ctx, client, mailbox):
    factories.user(Role.FINANCE, email="fin@example.com")
    client.post("/password-reset", data={"email": "fin@example.com"})
    db.session.execute(sa.update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    send_pending()
    path = link_in(mailbox.body(mailbox.wait_for(1)[0]))
    r = client.post(
        path, data={"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert r.status_code == 410 and "has expired" in text_of(r)


def test_new_password_must_be_long_enough_and_match(ctx, client, mailbox):
    factories.user(Role.FINANCE, email="fin@example.com")
    client.post("/password-reset", data={"email": "fin@example.com"})
    send_pending()
    path = link_in(mailbox.body(mailbox.wait_for(1)[0]))
    assert "Password must be 12 characters or more" in text_of(
        client.post(path, data={"password": "short", "confirm": "short"})
    )
    assert "Passwords must match" in text_of(
        client.post(path, data={"password": "long enough pass", "confirm": "different pass!!"})
    )


def test_admin_invites_a_director_who_sets_a_password_from_the_email(
    ctx, client, login_as, mailbox
):
    login_as(factories.user(Role.ADMIN))
    r = client.post(
        "/admin/users/invite",
        data={"name": "Dana Director", "email": "dana@example.com", "role": "director"},
    )
    assert r.headers["Location"] == "/admin/users"
    page = text_of(client.get("/admin/users"))
    assert (
        "Invitation sent to dana@example.com" in page
        and "Dana Director" in page
        and "Invited" in page
    )
    client.post("/sign-out")
    send_pending()
    [message] = mailbox.wait_for(1)
    assert "You have been invited" in message["Subject"]
    path = link_in(mailbox.body(message))
    assert "Dana Director" in text_of(client.get(path))
    r = client.post(
        path, data={"password": "director's password", "confirm": "director's password"}
    )
    assert r.headers["Location"] == "/sign-in/set-up"  # staff set up their app before any page
    assert client.get("/dashboard").headers["Location"].startswith("/sign-in")
    page = client.get("/sign-in/set-up").get_data(as_text=True)
    key = re.search(r'id="setup-key">([A-Z2-7 ]+)</p>', page).group(1).replace(" ", "")
    assert "<svg" in page and "QR code to scan with your authenticator app" in page
    r = client.post("/sign-in/set-up", data={"code": "000000"})
    assert "Enter the 6-digit code your authenticator app shows now" in text_of(r)
    r = client.post("/sign-in/set-up", data={"code": factories.code_for(key)})
    assert r.headers["Location"] == "/account/security/recovery-codes"
    codes = re.findall(
        r"<li><code>([A-Z0-9-]+)</code></li>",
        client.get(r.headers["Location"]).get_data(as_text=True),
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/account/security/recovery-codes").status_code == 302  # shown once only
    assert client.get("/dashboard").status_code == 200
    client.post("/sign-out")
    assert client.get(path).status_code == 410  # single use


def test_expired_invitation_is_refused(ctx, client, login_as, mailbox):
    admin = factories.user(Role.ADMIN)
    services.invite("late@example.com", "Late", Role.FINANCE, admin)
    db.session.execute(sa.update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    send_pending()
    path = link_in(mailbox.body(mailbox.wait_for(1)[0]))
    assert "This invitation has expired" in text_of(client.get(path))


def test_inviting_an_existing_address_is_a_clear_error(ctx, client, login_as):
    login_as(factories.user(Role.ADMIN, email="sec@example.com"))
    r = client.post(
        "/admin/users/invite",
        data={"name": "Me Again", "email": "sec@example.com", "role": "finance"},
    )
    assert "A user with this email address already exists" in text_of(r)


def test_invite_form_errors(ctx, client, login_as):
    login_as(factories.user(Role.ADMIN))
    page = text_of(
        client.post("/admin/users/invite", data={"name": "", "email": "not-an-email", "role": ""})
    )
    assert "Enter their full name" in page
    assert "Enter an email address in the correct format, like name@example.com" in page
    assert "Select a role" in page


def test_admin_removes_a_user_and_it_is_audited(ctx, client, login_as):
    admin = factories.user(Role.ADMIN)
    finance = factories.user(Role.FINANCE)
    login_as(admin)
    client.post(f"/admin/users/{finance.id}/remove")
    db.session.refresh(finance)
    assert finance.active is False
    from company.audit import AuditEvent

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.removed"))
    assert event.entity_id == finance.id and event.actor == admin.email


def test_flask_users_create_makes_the_first_admin(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "First@Example.com", "--role", "admin"],
        env={"FLATPACK_PASSWORD": "first admin password"},
    )
    assert result.exit_code == 0, result.output
    assert "Created admin first@example.com" in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "first@example.com"))
    assert user.role == Role.ADMIN and user.has_password
    again = runner.invoke(
        args=["users", "create", "--email", "first@example.com", "--role", "admin"],
        env={"FLATPACK_PASSWORD": "first admin password"},
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_flask_users_create_refuses_a_council_role_without_a_member(app, ctx):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "c@example.com", "--role", "council_user"],
        env={"FLATPACK_PASSWORD": "long enough password"},
    )
    assert result.exit_code != 0 and "--member-id" in result.output


@pytest.mark.parametrize(
    "password",
    ["password1234", "PASSWORD1234", "aaaaaaaaaaaa", "abcabcabcabc", "121212121212",
     "123456789012", "abcdefghijklm", "987654321098", "Qwertyuiop12"],
)  # fmt: skip
def test_common_and_trivially_repetitive_passwords_are_refused(password):
    with pytest.raises(services.AuthError, match="harder to guess"):
        services.check_new_password(password)


def test_a_long_unusual_password_is_accepted():
    services.check_new_password("correct horse battery staple")
