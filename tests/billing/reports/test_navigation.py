"""Finance's Reports section: one item in the header beside Payments, a sub-navigation of its
pages, and on every page exactly one item of each marked as the current one."""

import re

import pytest

from company.auth.roles import Role
from tests import factories


def current_items(html: str) -> tuple[list[str], list[str]]:
    """The labels marked aria-current in the header's navigation and in the sub-navigation."""
    header = html.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    sub = re.search(
        r'<nav class="govuk-!-margin-bottom-6" aria-label="[^"]*">(.*?)</nav>', html, re.S
    )

    def marked(fragment: str) -> list[str]:
        return [
            re.sub(r"<[^>]+>", "", text).strip()
            for text in re.findall(
                r"<a [^>]*aria-current=\"[^\"]+\"[^>]*>(.*?)</a>", fragment, re.S
            )
        ]

    return marked(header), marked(sub.group(1)) if sub else []


def header_labels(html: str) -> list[str]:
    header = html.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    return [
        re.sub(r"<[^>]+>", "", t).strip()
        for t in re.findall(r'class="govuk-service-navigation__link"[^>]*>(.*?)</a>', header, re.S)
    ]


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


@pytest.mark.parametrize(
    "url, header, sub",
    [
        ("/billing/dashboard", "Reports", "Dashboard"),
        ("/billing/aged-debt", "Reports", "Aged debt"),
        ("/billing/statements", "Reports", "Statements"),
        ("/billing/members/{member}/statement", "Reports", "Statements"),
        ("/billing/exports", "Reports", "Exports"),
        ("/billing/payments", "Payments", "Payments"),
        ("/billing/credit-control/", "Payments", "Credit control"),
        ("/billing/bank/", "Payments", "Bank statements"),
        ("/billing/invoices", "Invoices", None),
        ("/dashboard", "Home", None),
    ],
)
def test_exactly_one_item_is_current_on_each_page(member, client, login_as, url, header, sub):
    login_as(factories.user(Role.FINANCE))
    r = client.get(url.format(member=member.id))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    in_header, in_sub = current_items(html)
    assert in_header == [header]
    assert in_sub == ([sub] if sub else [])


def test_reports_sits_beside_payments_with_its_four_pages(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    html = client.get("/billing/dashboard").get_data(as_text=True)
    labels = header_labels(html)
    assert labels[labels.index("Payments") + 1] == "Reports"
    sub = html.split('aria-label="Reports sections"')[1].split("</nav>")[0]
    assert [
        re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", sub, re.S)
    ] == [
        "Dashboard",
        "Aged debt",
        "Statements",
        "Exports",
    ]


def test_statements_page_finds_any_councils_statement(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    r = client.get(f"/billing/statements?member={member.id}")
    assert r.headers["Location"] == f"/billing/members/{member.id}/statement"
    r = client.get("/billing/statements?member=999999")
    assert r.status_code == 400 and "Select a member council" in r.get_data(as_text=True)


def test_directors_read_the_dashboard_and_aged_debt_and_are_offered_no_action(
    member, client, login_as
):
    from datetime import date

    from billing.invoices import services as invoices

    invoices.issue(factories.draft_invoice(member), issue_date=date(2026, 1, 5), send=False)
    login_as(factories.user(Role.DIRECTOR))
    dashboard = client.get("/billing/dashboard")
    aged = client.get("/billing/aged-debt?as_at=2026-06-30")
    assert dashboard.status_code == aged.status_code == 200
    assert "Finance dashboard" in dashboard.get_data(as_text=True)
    html = aged.get_data(as_text=True)
    assert member.name in html and "£3,000.00" in html
    assert client.get("/billing/aged-debt.csv?as_at=2026-06-30").status_code == 200
    assert f"/billing/members/{member.id}/statement" not in html  # finance's page, not theirs
    sub = html.split('aria-label="Reports sections"')[1].split("</nav>")[0]
    assert "Dashboard" in sub and "Aged debt" in sub
    assert "Statements" not in sub and "Exports" not in sub
    assert "Reports" in header_labels(client.get("/dashboard").get_data(as_text=True))
    for url in (
        "/billing/statements",
        "/billing/exports",
        f"/billing/members/{member.id}/statement",
    ):
        assert client.get(url).status_code == 403
