"""Hostile input, generated: every route asked for with ids and years out of range, every page
with hostile query strings, and every form on every page posted with hostile values in every
field, as every role that sees it (on the demo company). Nothing answers with a server error,
and a refused form changes nothing in the database."""

import re

import pytest
import sqlalchemy as sa

from company.auth import sessions as auth_sessions
from company.auth.access import ATTR, PUBLIC, SIGNED_IN
from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db
from tests.test_every_page import _urls, forms_on, get_noting_5xx

HUGE = ["9223372036854775808", "18446744073709551616", "99999999999999999999"]
YEARS = ["0", "1", "99999"]
HOSTILE = [
    "99999999999999999999",
    "-1",
    "a\x00b",
    "Name\r\nBcc: victim@example.com",
    "x" * 5000,
    '=HYPERLINK("http://evil.example")',
    "",
    "99999999999999999999.00",
    "1e400",
]
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
QUERY = (
    "?member=99999999999999999999&year=99999&page=-1&status=%00&kind=%0d%0a"
    "&start-day=99&start-month=13&start-year=0&end-year=99999&as_at-year=99999&q=%00"
)


def _sign_in_as(client, role):
    user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True
    return user


@pytest.fixture
def demo(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def test_ids_and_years_out_of_range_are_not_found(app, client, demo):
    failures = []
    user = _sign_in_as(client, Role.ADMIN)
    for role in (Role.ADMIN, Role.FINANCE, Role.COUNCIL_ADMIN):
        user = _sign_in_as(client, role)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or not rule.arguments:
                continue
            allowed = getattr(app.view_functions[rule.endpoint], ATTR, None)
            if allowed not in (PUBLIC, SIGNED_IN) and user.role not in (allowed or ()):
                continue
            for arg in rule.arguments:
                if arg not in ("year",) and not arg.endswith("_id"):
                    continue
                for value in YEARS if arg == "year" else HUGE:
                    path = str(rule.rule)
                    for other in rule.arguments:
                        path = re.sub(
                            rf"<(?:[^:>]+:)?{other}>", value if other == arg else "1", path
                        )
                    get_noting_5xx(client, path, failures, role.value)
    assert failures == []


def test_hostile_query_strings_never_fail(app, client, demo):
    failures = []
    for role in Role:
        user = _sign_in_as(client, role)
        for _, url in _urls(app, user):
            get_noting_5xx(
                client,
                url + ("&" if "?" in url else "") + QUERY.lstrip("?" if "?" in url else ""),
                failures,
                role.value,
            )
    assert failures == []


def _fingerprint():
    tables = db.metadata.sorted_tables
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}


def test_every_form_survives_hostile_values_and_a_refusal_writes_nothing(app, client, demo):
    failures, tried = [], set()
    for role in Role:
        user = _sign_in_as(client, role)
        for _, target, hidden, form in forms_on(app, client, user):
            if target.startswith("/sign-out") or (role, target) in tried:
                continue
            tried.add((role, target))
            names = {n for n in FIELD.findall(form) if n not in hidden and n != "csrf_token"}
            for value in HOSTILE:
                data = {**hidden, **{n: value for n in names}}
                data.pop("confirm", None)  # a refusal, not a confirmed action
                before = _fingerprint()
                try:
                    answer = client.post(target, data=data)
                except Exception as exc:  # noqa: BLE001
                    db.session.rollback()
                    failures.append(f"{role.value} {target} {value[:20]!r}: {exc!r}"[:300])
                    continue
                if answer.status_code >= 500:
                    failures.append(f"{role.value} {target} {value[:20]!r}: {answer.status_code}")
                    continue
                refused = answer.status_code == 400 or b"govuk-error-summary" in answer.data
                if refused:
                    db.session.rollback()
                    after = _fingerprint()
                    changed = {k for k in before if before[k] != after[k]} - {
                        "sign_in_attempts",
                        "audit_events",
                    }
                    if changed:
                        failures.append(
                            f"{role.value} {target} {value[:20]!r}: refused but wrote {sorted(changed)}"
                        )
    assert failures == [], "\n".join(failures[:60])


def test_no_form_does_anything_without_its_csrf_token(app, client, demo):
    """Every form on every page, as every role, posted without the CSRF token (and confirmed,
    as a forged request would be): refused with 400, and nothing is written."""
    unguarded, tried = [], set()
    for role in Role:
        user = _sign_in_as(client, role)
        for _, target, hidden, _ in forms_on(app, client, user):
            if (role, target) in tried:
                continue
            tried.add((role, target))
            before = _fingerprint()
            answer = client.post(target, data={**hidden, "confirm": "yes"}, csrf=False)
            db.session.rollback()
            if answer.status_code != 400 or _fingerprint() != before:
                unguarded.append(f"{role.value} {target}: {answer.status_code}")
    assert len(tried) > 40 and unguarded == []
