"""Applications, onboarding, membership and the register of members."""

import dataclasses
import io
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app, render_template

from company import audit, csvfile, outbox
from company.auth import services as auth_services
from company.auth.models import User
from company.auth.roles import Role
from company.clock import uk_today, utcnow
from company.errors import FieldError
from company.extensions import db
from company.formats import long_date
from company.links import external_url

from . import authorities
from .models import Application, ApplicationStatus, Member


class MemberError(FieldError):
    """A refusal to show on the page, optionally against a form field."""


class Status(StrEnum):
    ONBOARDING = "onboarding"
    MEMBER = "member"
    LEAVING = "leaving"
    FORMER = "former"

    @property
    def label(self) -> str:
        return {
            "onboarding": "Onboarding",
            "member": "Member",
            "leaving": "Leaving",
            "former": "Former member",
        }[self.value]

    @property
    def tag_class(self) -> str:
        return {
            "onboarding": "govuk-tag--blue",
            "member": "govuk-tag--green",
            "leaving": "govuk-tag--orange",
            "former": "govuk-tag--grey",
        }[self.value]


def status(member: Member, today: date | None = None) -> Status:
    """Membership is a matter of dates: approved, joins on its joining date, ceases on leaving."""
    today = today or uk_today()
    if member.ceased_on and today >= member.ceased_on:
        return Status.FORMER
    if member.joined_on and today >= member.joined_on:
        return Status.LEAVING if member.notice_given_on else Status.MEMBER
    return Status.ONBOARDING


# Applications


@dataclass
class Body:
    """Who is applying or being added: a council from the official list, or another body."""

    name: str
    body_type: str
    gss_code: str | None = None
    region: str | None = None
    nation: str | None = None
    address: str | None = None

    def columns(self) -> dict:
        """The columns a Member or Application shares with the body it describes."""
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, row) -> "Body":
        return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(cls)})


def body_from(
    gss_code: str | None,
    other_name: str | None,
    other_address: str | None,
    other_type: str | None = None,
) -> Body:
    gss_code, other_name = (gss_code or "").strip(), (other_name or "").strip()
    if gss_code and other_name:
        raise MemberError(
            "Choose a council from the list or enter another body's name, not both", "gss_code"
        )
    if gss_code:
        authority = authorities.get(gss_code)
        if authority is None:
            raise MemberError(
                f"{gss_code} is not a GSS code on the official list of councils", "gss_code"
            )
        if not authority.current_on(uk_today()):
            raise MemberError(
                f"{authority.name} no longer exists; choose the council that replaced it",
                "gss_code",
            )
        return Body(
            name=authority.name,
            body_type=authority.type_name,
            gss_code=authority.gss_code,
            region=authority.region,
            nation=authority.nation,
        )
    if other_name:
        if not (other_address or "").strip():
            raise MemberError("Enter the body's address", "other_address")
        return Body(
            name=other_name,
            body_type=(other_type or "").strip() or "Other public body",
            address=other_address.strip(),
        )
    raise MemberError(
        "Select your council, or enter the name of your organisation if it is not listed",
        "gss_code",
    )


def _check_not_already(body: Body) -> None:
    if body.gss_code:
        same_member = Member.gss_code == body.gss_code
        same_application = Application.gss_code == body.gss_code
    else:
        same_member = sa.func.lower(Member.name) == body.name.lower()
        same_application = sa.func.lower(Application.name) == body.name.lower()
    member = db.session.scalar(sa.select(Member).where(same_member))
    if member is not None:
        state = status(member)
        if state == Status.FORMER:
            raise MemberError(
                f"{member.name} is a former member; contact the company secretary to rejoin",
                "gss_code",
            )
        raise MemberError(
            f"{member.name} is already a member (status: {state.label.lower()})", "gss_code"
        )
    if db.session.scalar(
        sa.select(Application.id).where(
            same_application, Application.status == ApplicationStatus.OPEN
        )
    ):
        raise MemberError(
            f"{body.name} already has an application waiting for a decision", "gss_code"
        )


def submit_application(
    body: Body, contact_name: str, contact_email: str, contact_role: str, proposed_start: date
) -> Application:
    _check_not_already(body)
    if proposed_start < uk_today():
        raise MemberError("Proposed start date must be today or in the future", "proposed_start")
    application = Application(
        **body.columns(),
        contact_name=contact_name,
        contact_email=contact_email.lower(),
        contact_role=contact_role,
        proposed_start=proposed_start,
    )
    db.session.add(application)
    db.session.flush()
    audit.record(
        "application.submitted",
        "application",
        application.id,
        changes={"name": body.name, "contact_email": contact_email},
        actor="public",
    )
    _email(
        application.contact_email,
        f"We have your application to join {_company()}",
        "application_received",
        application=application,
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError as exc:  # a simultaneous application for the same council
        db.session.rollback()
        raise MemberError(
            f"{body.name} already has an application waiting for a decision", "gss_code"
        ) from exc
    return application


def open_applications() -> list[Application]:
    return db.session.scalars(
        sa.select(Application)
        .where(Application.status == ApplicationStatus.OPEN)
        .order_by(Application.submitted_at)
    ).all()


def _check_open(application: Application) -> None:
    if application.status != ApplicationStatus.OPEN:
        raise MemberError(
            f"This application was already {application.status.value} on {long_date(application.decided_at)}"
        )


def _check_approval(approved_on: date, resolution: str) -> None:
    if approved_on > uk_today():
        raise MemberError("Date the board approved must be today or in the past", "approved_on")
    if not resolution.strip():
        raise MemberError("Enter the board resolution reference", "resolution")


def approve_application(
    application: Application,
    approved_on: date,
    resolution: str,
    actor: User,
    founding: bool = False,
) -> Member:
    _check_open(application)
    _check_approval(approved_on, resolution)
    member = Member(
        **Body.of(application).columns(),
        contact_name=application.contact_name,
        contact_email=application.contact_email,
        contact_role=application.contact_role,
        founding=founding,
        approved_on=approved_on,
        approval_resolution=resolution.strip(),
        proposed_joining_on=application.proposed_start,
    )
    db.session.add(member)
    application.status, application.decided_at, application.decided_by = (
        ApplicationStatus.APPROVED,
        utcnow(),
        actor,
    )
    application.member = member
    db.session.flush()
    audit.record(
        "application.approved",
        "application",
        application.id,
        member_id=member.id,
        changes={"approved_on": approved_on.isoformat(), "resolution": resolution.strip()},
        actor=actor,
    )
    audit.record(
        "member.created",
        "member",
        member.id,
        member_id=member.id,
        changes={"name": member.name, "status": "onboarding"},
        actor=actor,
    )
    _email(
        member.contact_email,
        f"{member.name}: your application to join {_company()} is approved",
        "application_approved",
        member=member,
    )
    db.session.commit()
    return member


def decline_application(application: Application, reason: str, actor: User) -> None:
    _check_open(application)
    if not reason.strip():
        raise MemberError("Enter the reason for declining; it is sent to the applicant", "reason")
    application.status, application.decided_at, application.decided_by = (
        ApplicationStatus.DECLINED,
        utcnow(),
        actor,
    )
    application.decline_reason = reason.strip()
    audit.record(
        "application.declined",
        "application",
        application.id,
        changes={"reason": reason.strip()},
        actor=actor,
    )
    _email(
        application.contact_email,
        f"Your application to join {_company()}",
        "application_declined",
        application=application,
    )
    db.session.commit()


def add_member(
    body: Body,
    contact_name: str,
    contact_email: str,
    contact_role: str,
    approved_on: date,
    resolution: str,
    founding: bool,
    proposed_joining_on: date | None,
    actor: User,
) -> Member:
    """An admin adds a council directly (for example a founder, approved at incorporation)."""
    _check_not_already(body)
    _check_approval(approved_on, resolution)
    if proposed_joining_on and proposed_joining_on < approved_on:
        raise MemberError(
            "Proposed joining date must be the same as or after the date of approval",
            "proposed_joining_on",
        )
    member = Member(
        **body.columns(),
        contact_name=contact_name,
        contact_email=contact_email.lower(),
        contact_role=contact_role or None,
        founding=founding,
        approved_on=approved_on,
        approval_resolution=resolution.strip(),
        proposed_joining_on=proposed_joining_on,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(
        "member.created",
        "member",
        member.id,
        member_id=member.id,
        changes={
            "name": member.name,
            "founding": founding,
            "approved_on": approved_on.isoformat(),
            "resolution": resolution.strip(),
        },
        actor=actor,
    )
    db.session.commit()
    return member


# Onboarding


@dataclass
class Task:
    key: str
    title: str
    done: bool
    summary: str = ""


def first_user_invited(member: Member) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.member_id == member.id)
        )
    )


def onboarding_tasks(member: Member) -> list[Task]:
    po = {
        None: "",
        True: "Yes, a purchase order number is required",
        False: "No purchase order needed",
    }[member.po_required]
    return [
        Task(
            "agreement",
            "Membership agreement signed",
            member.agreement_signed_on is not None,
            long_date(member.agreement_signed_on),
        ),
        Task(
            "address",
            "Council address (for the register of members)",
            bool(member.address),
            member.address or "",
        ),
        Task(
            "invoice-address",
            "Invoice address",
            bool(member.invoice_address),
            member.invoice_address or "",
        ),
        Task(
            "finance-contact",
            "Finance contact email",
            bool(member.finance_email),
            member.finance_email or "",
        ),
        Task(
            "purchase-orders",
            "Purchase orders and supplier number",
            member.po_required is not None,
            po + (f"; supplier number {member.supplier_number}" if member.supplier_number else ""),
        ),
        Task("first-user", "First portal user invited", first_user_invited(member)),
    ]


def update_member(
    member: Member, values: dict, actor: User, action: str = "member.updated"
) -> dict:
    """Change fields of a member, auditing exactly what changed."""
    changes = audit.changes_of(member, values)
    if changes:
        audit.record(action, "member", member.id, member_id=member.id, changes=changes, actor=actor)
    db.session.commit()
    return changes


def record_agreement(member: Member, signed_on: date, actor: User) -> None:
    if signed_on > uk_today():
        raise MemberError("Date the agreement was signed must be today or in the past", "signed_on")
    update_member(member, {"agreement_signed_on": signed_on}, actor, "member.agreement_signed")


def invite_council_user(
    member: Member, email: str, name: str, role: Role, actor: User
) -> User | None:
    """Invite a user of `member`. Asked by a council user, an address that already has an
    account outside this council is answered exactly as a new invitation is (the council must
    not learn who has accounts elsewhere): nothing is created, and the address's owner is told
    by email. Returns the invited user, or None in that case."""
    if status(member) == Status.FORMER:
        raise MemberError(f"{member.name} is a former member; its users cannot be invited", "email")
    existing = auth_services.user_by_email(email)
    if actor.is_council and existing is not None and existing.member_id != member.id:
        auth_services.tell_existing_account(existing, member, actor)
        db.session.commit()
        return None
    try:
        user = auth_services.invite(email, name, role, actor, member=member)
    except auth_services.AuthError as exc:
        db.session.rollback()
        raise MemberError(str(exc), "email") from exc
    db.session.commit()
    return user


def confirm_joining(member: Member, joined_on: date, actor: User) -> None:
    """The council becomes a member (and enters the register) on `joined_on`."""
    if member.joined_on is not None:
        raise MemberError(
            f"{member.name} joined on {long_date(member.joined_on)}; that date cannot be changed here"
        )
    missing = [t.title for t in onboarding_tasks(member) if not t.done]
    if missing:
        raise MemberError(
            "Complete the onboarding checklist first: " + ", ".join(missing).lower(), "joined_on"
        )
    if joined_on < member.approved_on:
        raise MemberError(
            f"Joining date must be the same as or after the date the board approved ({long_date(member.approved_on)})",
            "joined_on",
        )
    update_member(member, {"joined_on": joined_on}, actor, "member.joining_confirmed")


def record_leaving(member: Member, notice_given_on: date, ceased_on: date, actor: User) -> None:
    if member.joined_on is None:
        raise MemberError(
            f"{member.name} has not joined yet, so it cannot leave", "notice_given_on"
        )
    if member.ceased_on is not None and status(member) == Status.FORMER:
        raise MemberError(f"{member.name} ceased to be a member on {long_date(member.ceased_on)}")
    if notice_given_on < member.joined_on:
        raise MemberError(
            "Date notice was given must be on or after the joining date", "notice_given_on"
        )
    if notice_given_on > uk_today():
        raise MemberError("Date notice was given must be today or in the past", "notice_given_on")
    if ceased_on <= member.joined_on or ceased_on < notice_given_on:
        raise MemberError(
            "Leaving date must be after the joining date and on or after the notice date",
            "ceased_on",
        )
    update_member(
        member,
        {"notice_given_on": notice_given_on, "ceased_on": ceased_on},
        actor,
        "member.leaving_recorded",
    )


# Lists and the register


PER_PAGE = 50
# The members list shows its groups in this order.
LIST_ORDER = [Status.MEMBER, Status.LEAVING, Status.ONBOARDING, Status.FORMER]


def _by_status(today: date, values: dict[Status, object]) -> sa.Case:
    """A SQL CASE giving `values[status(member, today)]`: the same rules as `status()`."""
    joined = sa.and_(Member.joined_on.is_not(None), Member.joined_on <= today)
    return sa.case(
        (
            sa.and_(Member.ceased_on.is_not(None), Member.ceased_on <= today),
            values[Status.FORMER],
        ),
        (sa.and_(joined, Member.notice_given_on.is_not(None)), values[Status.LEAVING]),
        (joined, values[Status.MEMBER]),
        else_=values[Status.ONBOARDING],
    )


def status_sql(today: date | None = None) -> sa.Case:
    """`status()` as a SQL expression, for filtering and counting in the database."""
    return _by_status(today or uk_today(), {s: s.value for s in Status})


def status_counts(today: date | None = None) -> dict[Status, int]:
    """How many members have each status (one query, whatever the number of members)."""
    states = sa.select(status_sql(today).label("status")).subquery()
    counts = dict.fromkeys(Status, 0)
    for value, count in db.session.execute(
        sa.select(states.c.status, sa.func.count()).group_by(states.c.status)
    ):
        counts[Status(value)] = count
    return counts


def members_page(page: int = 1, only: Status | None = None, today: date | None = None):
    """One page of the members list: by status in LIST_ORDER, then by name (`only`: one status).
    A db.paginate page; `.total` is the whole list's length."""
    today = today or uk_today()
    query = sa.select(Member)
    if only is not None:
        query = query.where(status_sql(today) == only.value)
    rank = _by_status(today, {s: LIST_ORDER.index(s) for s in Status})
    query = query.order_by(rank, Member.name, Member.id)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def _register_query(as_of: date) -> sa.Select:
    return (
        sa.select(Member)
        .where(Member.joined_on.is_not(None), Member.joined_on <= as_of)
        .order_by(Member.joined_on, Member.name, Member.id)
    )


def register_entries(as_of: date | None = None) -> list[Member]:
    """The register of members (CA 2006 s113), read straight from the membership records:
    every entry (the CSV download is the whole register)."""
    return db.session.scalars(_register_query(as_of or uk_today())).all()


def register_page(page: int = 1, as_of: date | None = None):
    """One page of the register, in the same order as `register_entries` (a db.paginate page;
    `.total` counts every entry)."""
    return db.paginate(
        _register_query(as_of or uk_today()), page=page, per_page=PER_PAGE, error_out=False
    )


REGISTER_COLUMNS = ["Name", "Address", "Date registered as member", "Date ceased to be member"]


def register_csv(entries: list[Member], as_of: date) -> str:
    out = io.StringIO()
    writer = csvfile.writer(out)
    writer.writerow(REGISTER_COLUMNS)
    for m in entries:
        ceased = m.ceased_on.isoformat() if m.ceased_on and m.ceased_on <= as_of else ""
        writer.writerow(
            [
                m.name,
                " ".join((m.address or "").split("\n")).strip(),
                m.joined_on.isoformat(),
                ceased,
            ]
        )
    return out.getvalue()


def pending_invitations(member: Member) -> list[User]:
    """Users invited but not yet signed up (no password), with a live or expired link."""
    return db.session.scalars(
        sa.select(User).where(
            User.member_id == member.id, User.password_hash.is_(None), User.active.is_(True)
        )
    ).all()


# Email helpers


def _company() -> str:
    return current_app.config["COMPANY_NAME"]


def _email(to: str, subject: str, template: str, **context) -> None:
    context.setdefault("portal_link", external_url("auth.sign_in"))
    outbox.queue(to, subject, render_template(f"emails/{template}.txt", **context))
