"""The members list and the register of members a page at a time: the 51st council is on page 2,
the counts are of every member, the CSV is the whole register, and the SQL a page runs does not
grow with the membership."""

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa

from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from company.members import services
from company.members.models import Member
from company.members.services import Status
from tests import factories
from tests.helpers import statements_counted, text_of


def councils(count: int, prefix: str, **values) -> list[Member]:
    """`count` distinct bodies named `prefix 001`, `prefix 002`, … (not from the official list,
    so there is no GSS code to run out of)."""
    return [
        factories.member(name=f"{prefix} {i:03d}", body_type="Other public body", **values)
        for i in range(1, count + 1)
    ]


def test_the_members_list_shows_50_a_page_and_counts_every_member(ctx, client, login_as):
    councils(60, "Aston Council", joined_on=date(2024, 4, 1))
    councils(2, "Onboarding Body", joined_on=None, onboarded=False)
    councils(
        3,
        "Former Body",
        joined_on=date(2024, 4, 1),
        notice_given_on=date(2025, 1, 1),
        ceased_on=date(2025, 3, 31),
    )
    login_as(factories.user(Role.FINANCE))

    first = text_of(client.get("/admin/members"))
    assert "Aston Council 050" in first and "Aston Council 051" not in first
    assert "Onboarding Body" not in first.split("Showing")[1]  # on a later page
    assert "Members (60)" in first and "All councils (65)" in first
    assert "Approved and onboarding (2)" in first and "Former members (3)" in first
    assert "Showing 1 to 50 of 65 councils" in first and "Page 1 of 2" in first

    second = client.get("/admin/members?page=2")
    html, page = second.get_data(as_text=True), text_of(second)
    assert "Aston Council 051" in page and "Aston Council 060" in page
    assert "Aston Council 050" not in page
    # the group goes on from page 1 with the whole group's count; the others follow in order
    assert page.index("Members (60) Council") < page.index("Aston Council 051")
    assert page.index("Aston Council 060") < page.index("Approved and onboarding (2) Council")
    assert page.index("Onboarding Body 002") < page.index("Former members (3) Council")
    assert "Showing 51 to 65 of 65 councils" in page
    assert 'href="/admin/members?page=1"' in html and 'aria-current="page"' in html


def test_the_members_list_shows_one_status_with_its_own_pages(ctx, client, login_as):
    councils(55, "Former Body", joined_on=date(2020, 4, 1), ceased_on=date(2024, 3, 31))
    councils(5, "Aston Council", joined_on=date(2024, 4, 1))
    login_as(factories.user(Role.ADMIN))
    page = text_of(client.get("/admin/members?status=former"))
    assert "Aston Council" not in page and "Former Body 050" in page
    assert "Former members (55)" in page and "Showing 1 to 50 of 55 councils" in page
    html = client.get("/admin/members?status=former").get_data(as_text=True)
    assert 'href="/admin/members?page=2&amp;status=former"' in html
    second = text_of(client.get("/admin/members?page=2&status=former"))
    assert "Former Body 051" in second and "Former Body 055" in second
    assert "Aston Council" not in second
    # an unknown status, or a page past the end, is no error
    assert client.get("/admin/members?status=nonsense").status_code == 200
    assert "no councils on this page" in text_of(client.get("/admin/members?page=9"))


def test_the_status_worked_out_in_sql_is_the_status_of_the_record(ctx):
    today = uk_today()
    day = timedelta(days=1)
    cases = [
        dict(joined_on=None, onboarded=False),  # onboarding
        dict(joined_on=today + day),  # joins tomorrow: still onboarding
        dict(joined_on=today),  # a member from today
        dict(joined_on=today - 9 * day, notice_given_on=today - day, ceased_on=today + day),
        dict(joined_on=today - 9 * day, notice_given_on=today - day, ceased_on=today),  # gone
        dict(joined_on=today - 9 * day, ceased_on=today - day),  # gone, no notice recorded
    ]
    members = [
        factories.member(name=f"Case {i}", body_type="Other", **c) for i, c in enumerate(cases)
    ]
    in_sql = dict(db.session.execute(sa.select(Member.id, services.status_sql(today))).all())
    assert [in_sql[m.id] for m in members] == [services.status(m, today).value for m in members]
    assert [services.status(m, today) for m in members] == [
        Status.ONBOARDING,
        Status.ONBOARDING,
        Status.MEMBER,
        Status.LEAVING,
        Status.FORMER,
        Status.FORMER,
    ]
    assert services.status_counts(today) == {
        Status.ONBOARDING: 2,
        Status.MEMBER: 1,
        Status.LEAVING: 1,
        Status.FORMER: 2,
    }


def test_the_register_pages_by_50_and_its_csv_is_the_whole_register(ctx, client, login_as):
    first_joiners = councils(55, "Aston Council", joined_on=date(2024, 4, 1))
    late = factories.member(name="Zeal Council", body_type="Other", joined_on=date(2025, 4, 1))
    factories.member(name="Not Yet Council", body_type="Other", joined_on=None, onboarded=False)
    login_as(factories.user(Role.DIRECTOR))

    first = text_of(client.get("/register-of-members"))
    assert "56 entries, in order of registration" in first  # every entry, not the page's 50
    assert "Aston Council 050" in first and "Aston Council 051" not in first
    assert "Showing 1 to 50 of 56 entries" in first
    assert "Download the register (CSV, all 56 entries)" in first

    second = text_of(client.get("/register-of-members?page=2"))
    assert "56 entries, in order of registration" in second
    assert "Aston Council 051" in second and "Aston Council 050" not in second
    assert second.index("Aston Council 055") < second.index("Zeal Council Town Hall 1 April 2025")
    assert "Not Yet Council" not in first + second

    rows = list(
        csv.reader(io.StringIO(client.get("/register-of-members.csv").get_data(as_text=True)))
    )
    assert rows[0] == services.REGISTER_COLUMNS
    assert [r[0] for r in rows[1:]] == [m.name for m in first_joiners] + [late.name]


def test_member_pages_run_the_same_sql_for_sixty_members_as_for_two_hundred(ctx, client, login_as):
    login_as(factories.user(Role.ADMIN))
    client.get("/admin/members")  # the first page of all stores the company settings row
    counts = []
    for batch, size in enumerate((60, 140)):
        councils(size, f"Batch {batch} Council", joined_on=date(2024, 4, 1))
        with statements_counted() as listed:
            assert client.get("/admin/members?page=2").status_code == 200
        with statements_counted() as registered:
            assert client.get("/register-of-members?page=2").status_code == 200
        counts.append((len(listed), len(registered)))
    assert counts[0] == counts[1]


def test_the_home_page_counts_members_in_sql_and_lists_one_page_of_onboarding(
    ctx, client, login_as, monkeypatch
):
    """The staff home page counted members by loading every one; it now counts in SQL and
    lists at most one page of councils onboarding, linking to the rest."""
    from company.auth.roles import Role
    from company.members import services as member_services
    from tests import factories
    from tests.helpers import text_of

    monkeypatch.setattr(member_services, "PER_PAGE", 2)
    for i in range(3):
        factories.member(name=f"Onboarding {i}", joined_on=None)
    factories.member(name="Joined Council")
    login_as(factories.user(Role.ADMIN))
    page = text_of(client.get("/dashboard"))
    assert "Onboarding 0" in page and "Onboarding 1" in page and "Onboarding 2" not in page
    assert "All 3 councils onboarding" in page
