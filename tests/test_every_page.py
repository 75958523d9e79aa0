"""Every page answers every role allowed to see it without a server error, and no page shows a
role a link that refuses it (on the demo data)."""

import re

import sqlalchemy as sa

from company.auth import sessions as auth_sessions
from company.auth.access import ATTR, PUBLIC, SIGNED_IN
from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db

MAX_PER_ARGUMENT = 40
# The rows each URL argument is filled from, in the demo company: every page is asked for each
# (so an overdue invoice's page, with its credit-control panel, is reached as well as a paid one).
ARGUMENTS = {
    "invoice_id": "billing.invoices.models:Invoice",
    "member_id": "company.members.models:Member",
    "payment_id": "billing.payments.models:Payment",
    "order_id": "billing.extras.models:Order",
    "quote_id": "billing.extras.models:Quote",
    "extra_id": "billing.extras.models:Extra",
    "application_id": "company.members.models:Application",
    "run_id": "billing.contributions.models:ContributionRun",
    "import_id": "billing.bank.models:BankImport",
    "user_id": "company.auth.models:User",
}


def _ids(spec: str, member_id: int | None) -> list[int]:
    from importlib import import_module

    module, name = spec.split(":")
    model = getattr(import_module(module), name)
    query = sa.select(model.id).order_by(model.id)
    if member_id is not None and hasattr(model, "member_id"):
        query = query.where(model.member_id == member_id)
    if member_id is not None and name == "Member":
        query = query.where(model.id == member_id)
    return list(db.session.scalars(query.limit(MAX_PER_ARGUMENT)))


def _urls(app, user):
    member_id = user.member_id if user.is_council else None
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        allowed = getattr(app.view_functions[rule.endpoint], ATTR, None)
        if allowed not in (PUBLIC, SIGNED_IN) and user.role not in (allowed or ()):
            continue
        fixed, varying, ok = {}, None, True
        for arg in rule.arguments:
            if arg == "year":
                fixed[arg] = 2026
            elif arg in ARGUMENTS:
                ids = _ids(ARGUMENTS[arg], member_id)
                ok = ok and bool(ids)
                if varying is None and ids:
                    varying = (arg, ids)
                elif ids:
                    fixed[arg] = ids[0]
            else:
                ok = False  # tokens, tasks, kinds: reached through their own tests
        if not ok:
            continue
        for value in varying[1] if varying else [None]:
            values = {**fixed, **({varying[0]: value} if varying else {})}
            yield rule.endpoint, rule.build(values, append_unknown=False)[1]


def test_no_page_answers_with_a_server_error(app, ctx, client):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    failures, seen = [], 0
    for role in Role:
        user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True
        for endpoint, url in _urls(app, user):
            seen += 1
            get_noting_5xx(client, url, failures, f"{role.value} ({endpoint})")
    assert seen > 100 and failures == []


def get_noting_5xx(client, url: str, failures: list[str], label: str) -> None:
    """GET `url`; a server error (or the exception the test app raises for one) is noted."""
    try:
        status = client.get(url).status_code
    except Exception as exc:  # noqa: BLE001 - the test app propagates what a 500 hides
        db.session.rollback()
        failures.append(f"{label} {url}: {exc!r}"[:300])
        return
    if status >= 500:
        failures.append(f"{label} {url}: {status}")


LINK = re.compile(r'<a [^>]*href="(/[^"#]*)')


def test_no_page_links_to_what_its_reader_may_not_open(app, ctx, client):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    refused = []
    for role in Role:
        user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True
        links: dict[str, str] = {}
        for _, url in _urls(app, user):
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                for link in LINK.findall(response.get_data(as_text=True)):
                    links.setdefault(link.replace("&amp;", "&"), url)
        for link, shown_on in sorted(links.items()):
            if link.startswith(("/static/", "/sign-out")):
                continue
            if client.get(link).status_code == 403:
                refused.append(f"{role.value} is shown {link} on {shown_on}, which refuses them")
    assert refused == []


FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)
ACTION = re.compile(r'action="([^"]*)"')
HIDDEN = re.compile(r'<input\b[^>]*type="hidden"[^>]*>', re.I)
ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')
SUMMARY = re.compile(r'class="govuk-error-summary".*?</div>\s*</div>', re.S)
TARGET = re.compile(r'href="#([^"]+)"')


def forms_on(app, client, user):
    """Each POST form on every page `user` can open: (page url, form target, its hidden fields
    without the CSRF token, the form's HTML)."""
    for _, url in _urls(app, user):
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        for match in FORM.finditer(page):
            opening = page[match.start() : page.index(">", match.start())]
            action = ACTION.search(opening)
            target = (action.group(1) if action and action.group(1) else url).replace("&amp;", "&")
            hidden = {}
            for tag in HIDDEN.findall(match.group(1)):
                attrs = dict(ATTRIBUTE.findall(tag))
                if attrs.get("name") and attrs["name"] != "csrf_token":
                    hidden[attrs["name"]] = attrs.get("value", "")
            yield url, target, hidden, match.group(1)


def test_every_error_summary_links_to_something_on_its_page(app, ctx, client):
    """Every form on every page, sent with only its hidden fields (what a person who fills in
    nothing sends), as every role that sees it: each link in the error summary that comes back
    points at an element of that page (a field, the first box of a date, the first radio)."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    broken, summaries, tried = [], 0, set()
    for role in Role:
        user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True
        for _, target, data, _ in forms_on(app, client, user):
            if target in tried or target.startswith("/sign-out"):
                continue
            tried.add(target)
            answer = client.post(target, data=data)
            body = answer.get_data(as_text=True)
            for summary in SUMMARY.findall(body):
                summaries += 1
                for anchor in TARGET.findall(summary):
                    if f'id="{anchor}"' not in body:
                        broken.append(f"{role.value} {target}: #{anchor} is not on the page")
    assert summaries > 5 and broken == []
