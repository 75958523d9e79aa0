"""Choosing a council for its statement: a search by part of the name, whose results are links
a page at a time (not a select of every member), and `?member=` links that still work."""

import re

from company.auth.roles import Role
from tests import factories
from tests.helpers import statements_counted, text_of


def body(name: str):
    return factories.member(name=name, body_type="Other public body")


def statement_links(html: str) -> list[str]:
    return re.findall(r'href="/billing/members/(\d+)/statement"', html)


def test_a_council_is_found_by_part_of_its_name_whatever_the_case(ctx, client, login_as):
    brighton = body("Brighton and Hove City Council")
    body("Adur District Council")
    body("Worthing Borough Council")
    login_as(factories.user(Role.FINANCE))
    r = client.get("/billing/statements?q=HOVE")
    assert r.status_code == 200
    html, page = r.get_data(as_text=True), text_of(r)
    assert statement_links(html) == [str(brighton.id)]
    assert "1 council with ‘HOVE’ in the name" in page
    assert "Adur" not in page and "Worthing" not in page
    assert '<label class="govuk-label govuk-label--s" for="q">Council name</label>' in html
    assert 'value="HOVE"' in html and "<select" not in html


def test_no_match_says_so_and_like_wildcards_are_only_characters(ctx, client, login_as):
    body("Adur District Council")
    login_as(factories.user(Role.FINANCE))
    for q in ("%", "_", "Brighton"):
        r = client.get("/billing/statements", query_string={"q": q})
        assert r.status_code == 200 and statement_links(r.get_data(as_text=True)) == []
        assert f"No member council has ‘{q}’ in its name" in text_of(r)


def test_the_councils_are_listed_50_a_page_and_the_search_is_kept_across_pages(
    ctx, client, login_as
):
    for i in range(1, 56):
        body(f"Aston Parish Council {i:03d}")
    body("Zeal Borough Council")
    login_as(factories.user(Role.FINANCE))

    everyone = client.get("/billing/statements")
    assert len(statement_links(everyone.get_data(as_text=True))) == 50
    assert "All member councils (56)" in text_of(everyone)

    first = client.get("/billing/statements?q=parish")
    html = first.get_data(as_text=True)
    assert len(statement_links(html)) == 50
    assert "55 councils with ‘parish’ in the name" in text_of(first)
    assert "Aston Parish Council 051" not in html
    assert 'href="/billing/statements?page=2&amp;q=parish"' in html

    second = client.get("/billing/statements?page=2&q=parish")
    page = text_of(second)
    assert "Aston Parish Council 051" in page and "Aston Parish Council 055" in page
    assert "Aston Parish Council 050" not in page and "Zeal" not in page
    assert len(statement_links(second.get_data(as_text=True))) == 5


def test_member_links_still_go_straight_to_the_statement(ctx, client, login_as):
    member = body("Adur District Council")
    login_as(factories.user(Role.ADMIN))
    r = client.get(f"/billing/statements?member={member.id}")
    assert r.status_code == 302
    assert r.headers["Location"] == f"/billing/members/{member.id}/statement"
    for unknown in ("999999", "0", "abc", "9" * 30):
        r = client.get(f"/billing/statements?member={unknown}")
        assert r.status_code == 400 and "Select a member council" in text_of(r)
        assert 'href="#q"' in r.get_data(as_text=True)  # the error summary leads to the search


def test_the_chooser_runs_the_same_sql_for_ten_councils_as_for_a_hundred(ctx, client, login_as):
    login_as(factories.user(Role.FINANCE))
    client.get("/billing/statements")  # the first page of all stores the company settings row
    counts = []
    for batch, size in enumerate((10, 90)):
        for i in range(size):
            body(f"Batch {batch} Council {i:03d}")
        with statements_counted() as seen:
            assert client.get("/billing/statements?q=council").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_only_finance_and_the_company_secretary_choose_statements(ctx, client, login_as):
    member = body("Adur District Council")
    for role in (Role.DIRECTOR, Role.COUNCIL_ADMIN, Role.COUNCIL_USER):
        login_as(factories.user(role, member=member if role.is_council else None))
        assert client.get("/billing/statements?q=adur").status_code == 403
