"""`flask demo seed`: a believable company on an empty database, and nothing on a full one."""

import base64
import hashlib
import zlib
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from company.auth import services as auth_services
from company.auth.models import User
from company.auth.roles import Role
from company.clock import financial_year_start, uk_today, utcnow
from company.extensions import db
from company.members import authorities
from company.members.models import Application, Member

demo_cli = AppGroup("demo", help="Demonstration data.")

STAFF = [
    (Role.ADMIN, "Sam Okafor", "secretary@flatpack.example"),
    (Role.FINANCE, "Priya Shah", "finance@flatpack.example"),
    (Role.DIRECTOR, "Gareth Lloyd", "director@flatpack.example"),
]
# (GSS code, founding?, years/months before this financial year it joined, or a state)
FOUNDERS = [
    "E07000223",
    "E06000043",
    "E08000025",
    "E09000022",
    "E10000032",
]  # Adur, Brighton, Birmingham, Lambeth, West Sussex
LATER = [
    "E07000228",
    "E06000023",
    "W06000015",
    "E07000110",
]  # Mid Sussex, Bristol, Cardiff, Maidstone
ONBOARDING = "E06000052"  # Cornwall: approved, working through the checklist
LEAVING = "E07000061"  # Eastbourne: gave notice
APPLICANT = "E06000045"  # Southampton: application waiting
OTHER_BODY = (
    "Hurstpierpoint and Sayers Common Parish Council",
    "Parish Hall\nHurstpierpoint\nBN6 9AB",
)


def password_for(role: Role) -> str:
    return f"{role.value.replace('_', '-')}-demo-2026"


def demo_key(email: str) -> str:
    """The demo staff's authenticator key: public (printed by `make run`), so never a real one."""
    digest = hashlib.sha256(f"flatpack-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _member(gss: str, founding: bool, joined: date | None, **extra) -> Member:
    a = authorities.get(gss)
    approved = (joined or uk_today()) - timedelta(days=45)
    slug = a.short_name.lower().replace(" ", "").replace("&", "and")
    fields = dict(
        name=a.name,
        gss_code=a.gss_code,
        body_type=a.type_name,
        region=a.region,
        nation=a.nation,
        address=f"{a.name}\nCouncil Offices\n{a.short_name}",
        contact_name="Alex Morgan" if founding else "Jo Bennett",
        contact_email=f"digital@{slug}.gov.example",
        contact_role="Head of Digital",
        founding=founding,
        approved_on=min(approved, uk_today()),
        approval_resolution=f"BR-{approved.year}-{zlib.crc32(gss.encode()) % 90 + 10:02d}",
        proposed_joining_on=joined,
        agreement_signed_on=approved + timedelta(days=14) if joined else None,
        invoice_address=f"Accounts Payable\n{a.name}\nPO Box 100\n{a.short_name}"
        if joined
        else None,
        finance_email=f"invoices@{slug}.gov.example" if joined else None,
        po_required=(gss in {"E08000025", "E06000023", "W06000015"}) if joined else None,
        supplier_number=f"SUP{zlib.crc32(gss.encode()) % 90000 + 10000}"
        if joined and gss in {"E08000025", "E06000023"}
        else None,
        joined_on=joined,
    )
    member = Member(**{**fields, **extra})
    db.session.add(member)
    return member


def seed() -> list[tuple[str, str, str]] | None:
    """Create the demo company; None when the database already has members or users."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)) or db.session.scalar(
        sa.select(sa.func.count()).select_from(Member)
    ):
        return None
    fy = financial_year_start(uk_today())
    founded = date(fy.year - 2, 4, 1)
    members = [_member(g, True, founded) for g in FOUNDERS]
    for i, gss in enumerate(LATER):
        members.append(_member(gss, False, date(fy.year - 1, 1 + 3 * i, 1) if i < 3 else fy))
    leaving = _member(
        LEAVING,
        False,
        date(fy.year - 1, 4, 1),
        notice_given_on=uk_today() - timedelta(days=20),
        ceased_on=date(fy.year + 1, 4, 1),
    )
    onboarding = _member(
        ONBOARDING, False, None, agreement_signed_on=uk_today() - timedelta(days=3)
    )
    onboarding.proposed_joining_on = date(fy.year + 1, 4, 1)
    name, address = OTHER_BODY
    parish = Member(
        name=name,
        body_type="Parish council",
        address=address,
        contact_name="Chris Dale",
        contact_email="clerk@hurstpierpoint-pc.example",
        contact_role="Parish Clerk",
        founding=False,
        approved_on=date(fy.year - 1, 9, 1),
        approval_resolution=f"BR-{fy.year - 1}-31",
        agreement_signed_on=date(fy.year - 1, 9, 20),
        invoice_address=address,
        finance_email="clerk@hurstpierpoint-pc.example",
        po_required=False,
        joined_on=date(fy.year - 1, 10, 1),
        proposed_joining_on=date(fy.year - 1, 10, 1),
    )
    db.session.add(parish)
    applicant = authorities.get(APPLICANT)
    db.session.add(
        Application(
            gss_code=applicant.gss_code,
            name=applicant.name,
            body_type=applicant.type_name,
            region=applicant.region,
            nation=applicant.nation,
            contact_name="Morgan Ellis",
            contact_email="digital@southampton.gov.example",
            contact_role="Chief Digital Officer",
            proposed_start=date(fy.year + 1, 4, 1),
        )
    )
    db.session.flush()
    sign_ins = []
    for role, person, email in STAFF:
        user = auth_services.create_user(email, person, role, password_for(role), actor="demo")
        user.totp_secret, user.totp_enabled_at = demo_key(email), utcnow()
        sign_ins.append((role.value, email, password_for(role)))
    brighton = next(m for m in members if m.gss_code == "E06000043")
    for role, person, email in [
        (Role.COUNCIL_ADMIN, "Alex Morgan", "alex.morgan@brighton-hove.gov.example"),
        (Role.COUNCIL_USER, "Riley Chen", "riley.chen@brighton-hove.gov.example"),
    ]:
        auth_services.create_user(
            email, person, role, password_for(role), member=brighton, actor="demo"
        )
        sign_ins.append((role.value, email, password_for(role)))
    for m in [*members, leaving, parish]:
        if m is not brighton:
            slug = m.contact_email.split("@")[1]
            auth_services.create_user(
                f"admin@{slug}",
                m.contact_name,
                Role.COUNCIL_ADMIN,
                password_for(Role.COUNCIL_ADMIN),
                member=m,
                actor="demo",
            )
    db.session.commit()
    for extra in current_app.extensions.get("demo_seeders", []):
        extra()  # other parts of the app (billing) add their demo data
    return sign_ins


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """The demo sign-ins that exist in this database (passwords are the demo ones)."""
    wanted = [e for _, _, e in STAFF] + [
        "alex.morgan@brighton-hove.gov.example",
        "riley.chen@brighton-hove.gov.example",
    ]
    users = db.session.scalars(sa.select(User).where(User.email.in_(wanted))).all()
    order = {e: i for i, e in enumerate(wanted)}
    return [
        (u.role.value, u.email, password_for(u.role))
        for u in sorted(users, key=lambda u: order[u.email])
    ]


@demo_cli.command("seed")
def seed_command():
    """Load the demo company into an empty database; print the sign-ins."""
    created = seed()
    if created is None:
        click.echo("The database already has data; nothing was changed.")
        created = demo_sign_ins()
    else:
        click.echo("Demo data loaded.")
    if created:
        click.echo("Demo sign-ins (role email password):")
        for row in created:
            click.echo(" ".join(row))
        click.echo(
            "Staff then enter a code from an authenticator app holding their demo key, or the one "
            "`flask --app wsgi demo code EMAIL` prints. Demo keys:"
        )
        for _, email, _ in created:
            if email in {e for _, _, e in STAFF}:
                click.echo(f"  key {email} {demo_key(email)}")


@demo_cli.command("code")
@click.argument("email")
def code_command(email):
    """Print the current sign-in code of a demo staff account (demo keys only)."""
    import pyotp

    user = auth_services.user_by_email(email)
    if user is None or not user.totp_secret or user.totp_secret != demo_key(user.email):
        raise click.UsageError(f"{email} is not a demo account with the demo key")
    click.echo(pyotp.TOTP(user.totp_secret).now())
