"""Member councils, users and the company's settings, made the way the services make them."""

import itertools
from datetime import date

from company.auth import services as auth_services
from company.auth.roles import Role
from company.extensions import db
from company.members import authorities
from company.members.models import Member

PASSWORD = "correct horse battery"


_seq = itertools.count(1)


# Current councils from the official list, handed out in turn so each member is distinct.
GSS = [
    "E07000223",
    "E06000043",
    "E08000025",
    "E09000022",
    "E10000032",
    "E07000228",
    "W06000015",
    "S12000033",
]


def member(
    gss: str | None = None,
    joined_on: date | None = date(2025, 4, 1),
    onboarded: bool = True,
    **values,
) -> Member:
    n = next(_seq)
    if "body_type" in values:  # another public body, not from the official list
        name = values.pop("name", f"Public Body {n}")
        body = dict(
            name=name, gss_code=None, body_type=values.pop("body_type"), region=None, nation=None
        )
    else:
        a = authorities.get(gss or GSS[n % len(GSS)])
        name = a.name
        body = dict(
            name=a.name,
            gss_code=a.gss_code,
            body_type=a.type_name,
            region=a.region,
            nation=a.nation,
        )
    fields = dict(
        **body,
        address=f"{name}\nTown Hall",
        contact_name="Pat Example",
        contact_email=f"contact{n}@council.example",
        contact_role="Head of Digital",
        approved_on=date(2025, 1, 15),
        approval_resolution=f"BR-2025-{n:03d}",
        joined_on=joined_on,
    )
    if onboarded:
        fields.update(
            agreement_signed_on=date(2025, 2, 1),
            invoice_address=f"Accounts Payable\n{name}",
            finance_email=f"invoices{n}@council.example",
            po_required=False,
        )
    fields.update(values)
    m = Member(**fields)
    db.session.add(m)
    db.session.commit()
    return m


def user(
    role: Role | str = Role.ADMIN,
    member: Member | None = None,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
):
    role = Role(role)
    n = next(_seq)
    email = email or f"{role.value}{n}@example.com"
    u = auth_services.create_user(
        email, name or f"{role.label} {n}", role, password, member=member, actor="test"
    )
    db.session.commit()
    return u


def company_settings(**values):
    """Complete company particulars, as an admin would enter them."""
    from company.settings import services as settings_services

    row = settings_services.current()
    fields = dict(
        legal_name="Flatpack Councils Ltd",
        company_number="12345678",
        registered_office="1 Civic Square\nBrighton\nBN1 1AA",
        vat_number="980780684",
        bank_account_name="Flatpack Councils Ltd",
        bank_sort_code="309950",
        bank_account_number="00733445",
    )
    fields.update(values)
    for key, value in fields.items():
        setattr(row, key, value)
    db.session.commit()
    return row
