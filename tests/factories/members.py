"""Member councils, users and the company's settings, made the way the services make them."""

import itertools
from datetime import UTC, date, datetime

import pyotp

from company.auth import services as auth_services
from company.auth.roles import Role
from company.clock import utcnow
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
    second_factor: bool | None = None,
):
    """A user who can sign in at once; staff have their authenticator app set up (as they must
    before their first page) unless `second_factor=False`: `code_for(user)` is its code now."""
    role = Role(role)
    n = next(_seq)
    email = email or f"{role.value}{n}@example.com"
    u = auth_services.create_user(
        email, name or f"{role.label} {n}", role, password, member=member, actor="test"
    )
    if second_factor if second_factor is not None else not role.is_council:
        u.totp_secret, u.totp_enabled_at = pyotp.random_base32(), utcnow()
    db.session.commit()
    return u


def code_for(user_or_secret, last_step: int | None = None) -> str:
    """The code the user's app shows: for the earliest time step still accepted and not yet
    used (a code is accepted once), so signing in twice in 30 seconds works as in life."""
    if isinstance(user_or_secret, str):
        secret = user_or_secret
    else:
        db.session.refresh(user_or_secret)
        secret, last_step = user_or_secret.totp_secret, user_or_secret.totp_last_step
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if last_step is None or step > last_step:
            return totp.generate_otp(step)
    raise AssertionError("every code of this minute has been used")


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
