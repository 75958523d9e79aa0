"""Who may use which page, and that a council never reaches another council's rows."""

import re

import pytest

from company.auth.access import ATTR
from company.auth.roles import Role
from tests import factories
from tests.helpers import text_of


def test_every_view_declares_an_access_rule(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], ATTR)
    ]
    assert missing == [], f"views without @public/@allow/@signed_in: {missing}"


def test_a_view_without_a_rule_is_refused_not_opened(app, client):
    app.view_functions["core.healthz"].__dict__.pop(ATTR)
    try:
        assert client.get("/healthz").status_code == 403
    finally:
        setattr(app.view_functions["core.healthz"], ATTR, "public")


STAFF_PAGES = [
    "/dashboard",
    "/admin/members",
    "/admin/applications",
    "/admin/users",
    "/register-of-members",
]


@pytest.mark.parametrize("path", STAFF_PAGES + ["/portal/", "/portal/users"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    r = client.get(path)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize(
    "role, path, status",
    [
        (Role.COUNCIL_ADMIN, "/admin/members", 403),
        (Role.COUNCIL_ADMIN, "/register-of-members", 403),
        (Role.COUNCIL_USER, "/admin/applications", 403),
        (Role.FINANCE, "/admin/applications", 403),
        (Role.FINANCE, "/admin/users", 403),
        (Role.FINANCE, "/register-of-members", 403),
        (Role.FINANCE, "/admin/members", 200),
        (Role.DIRECTOR, "/register-of-members", 200),
        (Role.DIRECTOR, "/register-of-members.csv", 200),
        (Role.DIRECTOR, "/admin/users", 403),
        (Role.DIRECTOR, "/portal/", 403),
        (Role.ADMIN, "/portal/", 403),
        (Role.COUNCIL_USER, "/portal/users/invite", 403),
        (Role.COUNCIL_USER, "/portal/details", 403),
        (Role.COUNCIL_USER, "/portal/", 200),
        (Role.COUNCIL_ADMIN, "/portal/details", 200),
    ],
)
def test_roles_reach_only_their_pages(ctx, client, login_as, role, path, status):
    member = factories.member() if role.is_council else None
    login_as(factories.user(role, member=member))
    r = client.get(path)
    assert r.status_code == status
    if status == 403:
        assert "You do not have permission to see this page" in text_of(r)


def _two_councils():
    mine, theirs = factories.member(), factories.member()
    me = factories.user(Role.COUNCIL_ADMIN, member=mine)
    them = factories.user(Role.COUNCIL_USER, member=theirs)
    return me, theirs, them


def _their_documents(theirs):
    """An issued invoice and a held draft of the other council."""
    from billing.invoices import services as invoice_services

    factories.company_settings()
    issued = factories.draft_invoice(theirs)
    invoice_services.issue(issued, send=False)
    theirs.po_required = True
    held = factories.draft_invoice(theirs)
    held.held_reason = "needs a PO"
    from company.extensions import db as _db

    _db.session.commit()
    return issued, held


def _their_order(theirs):
    """A quoted order of the other council, which accepting or declining would change."""
    from datetime import timedelta

    from billing.extras import services as extras
    from company.clock import uk_today

    order = extras.request_extra(theirs, "Training", "Train our staff", "test")
    extras.quote(
        order,
        [("Training day", 1, 90000, "S", None)],
        uk_today() + timedelta(days=30),
        None,
        "test",
    )
    return order


# Every member-scoped URL: (method, url template, which of the other council's ids it takes).
SCOPED_URLS = [
    ("GET", "/portal/users/{user}/remove"),
    ("POST", "/portal/users/{user}/remove"),
    ("GET", "/portal/invoices/{invoice}"),
    ("POST", "/portal/invoices/{invoice}"),
    ("GET", "/portal/invoices/{invoice}.pdf"),
    ("GET", "/portal/invoices/{held}"),
    ("POST", "/portal/invoices/{invoice}/pay"),
    ("GET", "/portal/extras/orders/{order}"),
    ("POST", "/portal/extras/orders/{order}/accept"),
    ("POST", "/portal/extras/orders/{order}/decline"),
    ("GET", "/portal/extras/quotes/{quote}.pdf"),
]


@pytest.mark.parametrize("method, template", SCOPED_URLS)
def test_another_councils_rows_are_404(ctx, client, login_as, method, template):
    me, theirs, them = _two_councils()
    issued, held = _their_documents(theirs)
    login_as(me)
    order = _their_order(theirs)
    url = template.format(
        user=them.id,
        member=theirs.id,
        invoice=issued.id,
        held=held.id,
        order=order.id,
        quote=order.quotes[-1].id,
    )
    r = client.get(url) if method == "GET" else client.post(url)
    assert r.status_code == 404
    assert "Page not found" in text_of(r)
    assert them.active and held.po_number is None  # nothing changed


def test_the_scoped_url_table_covers_every_portal_url_with_an_id(app):
    """A new portal URL carrying an id must be added to SCOPED_URLS above."""
    covered = {re.sub(r"\{\w+\}", "<>", t) for _, t in SCOPED_URLS}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/portal/") and rule.arguments:
            shape = re.sub(r"<[^>]+>", "<>", rule.rule)
            assert shape in covered, f"{rule.rule} is member-scoped but not in SCOPED_URLS"


def test_staff_member_pages_use_the_same_scoping_so_council_users_cannot_see_them(
    ctx, client, login_as
):
    me, theirs, _ = _two_councils()
    login_as(me)
    assert client.get(f"/admin/members/{theirs.id}").status_code == 403
    assert client.get(f"/admin/members/{me.member_id}").status_code == 403


def test_scoped_helper_limits_a_council_user_to_its_own_member(ctx):
    from werkzeug.exceptions import NotFound

    from company.extensions import db
    from company.members.models import Member
    from company.members.scoping import member_scoped, scoped

    me, theirs, _ = _two_councils()
    assert [m.id for m in db.session.scalars(scoped(Member, me))] == [me.member_id]
    with pytest.raises(NotFound):
        member_scoped(Member, theirs.id, me)
    admin = factories.user(Role.ADMIN)
    assert member_scoped(Member, theirs.id, admin).id == theirs.id


def test_access_presets_are_named_once():
    """Views use the presets in company/auth/access.py; no module builds its own role list."""
    import ast

    from tests import layers

    builders = {
        f"{module}:{node.lineno}"
        for module, path in layers.modules().items()
        if module != "company.auth.access"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and ast.unparse(node.func) in {"allow", "access.allow"}
    }
    assert builders == set()
