"""Security headers: every page the demo company serves, as every role, carries a strict
Content-Security-Policy that its own markup obeys (no inline style or handler attributes, no
inline script without this response's nonce), and the other headers a browser acts on."""

import re

import sqlalchemy as sa

from company.auth import sessions as auth_sessions
from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db
from tests.test_every_page import _urls

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)
NONCE = re.compile(r"'nonce-([^']+)'")


def _as(client, user):
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True


def test_every_page_obeys_its_own_content_security_policy(app, ctx, client):
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    broken, pages = [], 0
    for role in Role:
        user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
        _as(client, user)
        for _, url in _urls(app, user):
            response = client.get(url)
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            pages += 1
            policy = response.headers["Content-Security-Policy"]
            html = response.get_data(as_text=True)
            nonces = NONCE.findall(policy)
            assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
            for attributes in SCRIPT.findall(html):
                if "src=" not in attributes and f'nonce="{nonces[0]}"' not in attributes:
                    broken.append(f"{role.value} {url}: inline script without the nonce")
            if STYLE_ATTRIBUTE.search(html):
                broken.append(f"{role.value} {url}: {STYLE_ATTRIBUTE.search(html).group(0)[:80]}")
            if HANDLER.search(html):
                broken.append(f"{role.value} {url}: {HANDLER.search(html).group(0)[:80]}")
            if response.headers.get("Cache-Control") != "no-store":
                broken.append(f"{role.value} {url}: a signed-in page may be cached")
    assert pages > 100 and broken == []


def test_each_response_has_its_own_nonce(client):
    first, second = (client.get("/sign-in") for _ in range(2))
    assert NONCE.findall(first.headers["Content-Security-Policy"]) != NONCE.findall(
        second.headers["Content-Security-Policy"]
    )


def test_the_other_headers(client):
    response = client.get("/sign-in")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: browsers ignore it
    assert response.headers.get("Cache-Control") != "no-store"  # public page
    secure = client.get("/sign-in", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_body_over_the_limit_is_refused_unread_with_a_clear_page(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 12 * 1024 * 1024
    r = client.post("/sign-in", data=b"x" * (limit + 1), content_type="text/plain", csrf=False)
    assert r.status_code == 413 and "What you sent is too large" in r.get_data(as_text=True)


def test_a_nul_byte_anywhere_is_refused_before_anything_is_read(ctx, client, login_as):
    from company.auth.roles import Role
    from company.members.models import Member
    from tests import factories

    login_as(factories.user(Role.ADMIN))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    r = client.post("/admin/members/new", data={"name": "Nul\x00Council"})
    assert r.status_code == 400 and "a character we cannot store" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == before
    assert client.get("/billing/invoices?q=a%00b").status_code == 400


def test_every_response_carries_a_request_id_that_its_log_lines_carry_too(app, client):
    import logging

    from company.request_id import RequestIdFilter

    r = client.get("/healthz")
    assert len(r.headers["X-Request-Id"]) == 32
    kept = client.get("/healthz", headers={"X-Request-Id": "proxy-abc-12345"})
    assert kept.headers["X-Request-Id"] == "proxy-abc-12345"
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>x</script>"})
    assert "<" not in odd.headers["X-Request-Id"] and len(odd.headers["X-Request-Id"]) == 32
    with app.test_request_context(headers={"X-Request-Id": "abcdefgh-1"}):
        app.preprocess_request()
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
        RequestIdFilter().filter(record)
        assert record.request_id == "abcdefgh-1"
