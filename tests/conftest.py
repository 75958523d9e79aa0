"""Fixtures: app → client → login_as(user). The schema is built by running the migrations.

Tests use a temporary SQLite file, or the PostgreSQL database in DATABASE_URL when it is set
(its name must contain 'test': the suite empties it). Email goes to a real SMTP server
(aiosmtpd) on loopback.
"""

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, has_app_context, session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from company import create_app
from company.auth import sessions as auth_sessions
from company.extensions import db

from .helpers import ROOT
from .mail import Mailbox


def _database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'test.db'}"
    if "test" not in sa.engine.make_url(url).database:
        raise pytest.UsageError(
            f"DATABASE_URL {url!r} does not name a test database; refusing to empty it"
        )
    return url


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form post (pass csrf=False not to).

    Requests made inside the `ctx` fixture share its app context (and database session, so tests
    see what views wrote); `g` is emptied and the session expired first, as a real request would
    start afresh.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
            db.session.expire_all()  # a request reads the database afresh, as a real one would
        return super().open(*args, **kwargs)

    def post(self, *args, csrf=True, **kwargs):
        if csrf and "data" in kwargs and isinstance(kwargs["data"], dict):
            kwargs["data"] = {"csrf_token": self.csrf_token(), **kwargs["data"]}
        elif csrf and "data" not in kwargs and "json" not in kwargs:
            kwargs["data"] = {"csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
        with app.test_request_context():
            g.pop("csrf_token", None)  # another client's token, cached by a page it rendered
            if raw:
                session["csrf_token"] = raw
            token = generate_csrf()
            raw = session["csrf_token"]
        with self.session_transaction() as sess:
            sess["csrf_token"] = raw
        return token


@pytest.fixture(scope="session")
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def app(mailbox):
    tmp = Path(tempfile.mkdtemp(prefix="flatpack-test-"))
    url = _database_url(tmp)
    app = create_app(
        "test",
        {"SQLALCHEMY_DATABASE_URI": url, "MAIL_PORT": mailbox.port, "MAIL_SERVER": "127.0.0.1"},
    )
    app.test_client_class = CsrfClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"))
    yield app


def _empty_tables(app):
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # orders <-> quotes cycle
                for t in tables:
                    conn.execute(t.delete())


@pytest.fixture(autouse=True)
def _clean(request, mailbox):
    yield
    if "app" in request.fixturenames:
        _empty_tables(request.getfixturevalue("app"))
    mailbox.clear()


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.test_request_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Sign `user` in on the test client (the sign-in form itself is tested in test_auth)."""

    def login(user):
        with client.session_transaction() as sess:
            sess["_user_id"] = auth_sessions.session_id_for(user)
            sess["_fresh"] = True
        return client

    return login
