"""Contribution schedules, members' bands, pro-rata, and the annual run.

The run has three steps, each safe to repeat: preview (nothing written), drafts (one per member
and year, guarded by a unique index), issue (numbers allocated one invoice per transaction, so a
run killed half-way leaves whole invoices and no gaps, and the next run finishes the rest).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from billing.contributions.models import ContributionBand, ContributionSchedule
from billing.invoices import document as doc
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, InvoiceLine, Kind, Status
from billing.invoices.render import Pending, pdf_renderer
from billing.money import ProRata, VatCode, line_amounts, pro_rata, round_half_up, sum_pence
from company import audit, locks
from company.clock import financial_year_end, financial_year_label, uk_today
from company.errors import FieldError
from company.extensions import db
from company.formats import long_date, pounds
from company.members.models import Member
from company.settings import disclosures
from company.settings import services as settings

CONTRIBUTION = "contribution"
BATCH = 200
ISSUE_BATCH = 50

# A member's band by default, from its type on the official list.
DEFAULT_BAND_BY_TYPE = {
    "Non-metropolitan district": "district",
    "NI district": "district",
    "Unitary authority": "unitary",
    "Scottish unitary authority": "unitary",
    "Welsh unitary authority": "unitary",
    "Metropolitan district": "metropolitan",
    "London borough": "london",
    "City corporation": "london",
    "County": "county",
    "Combined authority": "combined",
    "Strategic Regional Authority": "combined",
}
OTHER_BAND = "other"
# The bands a first schedule starts with (amounts in pence), editable before approval.
STARTER_BANDS = [
    ("district", "District council", 500000),
    ("unitary", "Unitary authority", 1200000),
    ("metropolitan", "Metropolitan borough", 1200000),
    ("london", "London borough", 1000000),
    ("county", "County council", 1500000),
    ("combined", "Combined authority", 800000),
    ("other", "Other public body (for example a parish council)", 50000),
]


class ContributionError(FieldError):
    """A refusal to show on the page."""


class ScheduleLocked(ContributionError):
    pass


def default_band(member: Member) -> str:
    return DEFAULT_BAND_BY_TYPE.get(member.body_type, OTHER_BAND)


def band_code(member: Member) -> str:
    return member.contribution_band or default_band(member)


def set_band(member: Member, code: str, actor) -> None:
    code = (code or "").strip()
    if not code:
        raise ContributionError("Select a band", "band")
    changes = audit.changes_of(
        member, {"contribution_band": None if code == default_band(member) else code}
    )
    if changes:
        audit.record(
            "member.band_changed",
            "member",
            member.id,
            member_id=member.id,
            changes=changes,
            actor=actor,
        )
    db.session.commit()


# Schedules


def schedule_for(year_start: date) -> ContributionSchedule | None:
    return db.session.scalar(
        sa.select(ContributionSchedule).where(ContributionSchedule.year_start == year_start)
    )


def create_schedule(year_start: date, actor) -> ContributionSchedule:
    """A new year's schedule: a copy of the latest one before it, or the starter bands."""
    if schedule_for(year_start):
        raise ContributionError(
            f"There is already a schedule for {financial_year_label(year_start)}"
        )
    previous = db.session.scalar(
        sa.select(ContributionSchedule)
        .where(ContributionSchedule.year_start < year_start)
        .order_by(ContributionSchedule.year_start.desc())
    )
    if previous:
        return copy_schedule(previous, year_start, Decimal(0), actor)
    schedule = ContributionSchedule(year_start=year_start)
    for i, (code, name, pence) in enumerate(STARTER_BANDS):
        schedule.bands.append(
            ContributionBand(position=i, code=code, name=name, annual_pence=pence, vat_code="S")
        )
    db.session.add(schedule)
    db.session.flush()
    audit.record(
        "schedule.created",
        "contribution_schedule",
        schedule.id,
        changes={"year": financial_year_label(year_start)},
        actor=actor,
    )
    db.session.commit()
    return schedule


def copy_schedule(
    source: ContributionSchedule, year_start: date, uplift_percent: Decimal, actor
) -> ContributionSchedule:
    """Next year's schedule from `source`, every amount raised by `uplift_percent` (to the penny)."""
    if schedule_for(year_start):
        raise ContributionError(
            f"There is already a schedule for {financial_year_label(year_start)}", "year"
        )
    uplift_percent = Decimal(uplift_percent)
    if not Decimal(-50) <= uplift_percent <= Decimal(100):
        raise ContributionError("Uplift must be between -50% and 100%", "uplift")
    factor = 1 + uplift_percent / 100
    schedule = ContributionSchedule(
        year_start=year_start, copied_from_id=source.id, uplift_percent=uplift_percent
    )
    for band in source.bands:
        schedule.bands.append(
            ContributionBand(
                position=band.position,
                code=band.code,
                name=band.name,
                annual_pence=round_half_up(band.annual_pence * factor),
                vat_code=band.vat_code,
            )
        )
    db.session.add(schedule)
    db.session.flush()
    audit.record(
        "schedule.created",
        "contribution_schedule",
        schedule.id,
        changes={
            "year": financial_year_label(year_start),
            "copied_from": financial_year_label(source.year_start),
            "uplift_percent": str(uplift_percent),
        },
        actor=actor,
    )
    db.session.commit()
    return schedule


def _unlocked(schedule: ContributionSchedule) -> None:
    if schedule.approved:
        raise ScheduleLocked(
            f"The {financial_year_label(schedule.year_start)} schedule was approved on {long_date(schedule.approved_on)} and cannot change"
        )


def save_band(
    schedule: ContributionSchedule,
    code: str,
    name: str,
    annual_pence: int,
    vat_code: str,
    actor,
    band: ContributionBand | None = None,
) -> ContributionBand:
    _unlocked(schedule)
    code = (code or "").strip().lower()
    if not code.replace("-", "").replace("_", "").isalnum():
        raise ContributionError("Code must be letters, numbers or hyphens, like district", "code")
    if annual_pence < 0:
        raise ContributionError("Annual amount must be £0.00 or more", "annual")
    if any(b.code == code and b is not band for b in schedule.bands):
        raise ContributionError(f"There is already a band with the code {code}", "code")
    VatCode(vat_code)
    if band is None:
        band = ContributionBand(position=len(schedule.bands))
        schedule.bands.append(band)
    changes = audit.changes_of(
        band,
        {"code": code, "name": name.strip(), "annual_pence": annual_pence, "vat_code": vat_code},
    )
    db.session.flush()
    audit.record(
        "schedule.band_saved", "contribution_schedule", schedule.id, changes=changes, actor=actor
    )
    db.session.commit()
    return band


def approve_schedule(
    schedule: ContributionSchedule, approved_on: date, resolution: str, actor
) -> None:
    _unlocked(schedule)
    if not (resolution or "").strip():
        raise ContributionError("Enter the board resolution reference", "resolution")
    if not schedule.bands:
        raise ContributionError("Add at least one band before approving")
    schedule.approved_on, schedule.approval_resolution, schedule.approved_by_id = (
        approved_on,
        resolution.strip(),
        getattr(actor, "id", None),
    )
    audit.record(
        "schedule.approved",
        "contribution_schedule",
        schedule.id,
        changes={"approved_on": approved_on.isoformat(), "resolution": resolution.strip()},
        actor=actor,
    )
    db.session.commit()


# The run


@dataclass
class PreviewRow:
    member: Member
    band: ContributionBand | None
    months: ProRata
    net_pence: int
    vat_pence: int
    invoice: Invoice | None  # the contribution invoice already made for this year, if any
    warnings: list[str]

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence

    @property
    def po_missing(self) -> bool:
        return bool(self.member.po_required and not (self.invoice and self.invoice.po_number))


def line_description(band: ContributionBand, year_start: date, months: ProRata) -> str:
    text = f"Annual contribution {financial_year_label(year_start)}: {band.name}"
    if months.whole_year:
        return text
    return f"{text}, pro rata {months.explain()} (annual amount {pounds(band.annual_pence)})"


def _member_ids_in_year(year_start: date) -> list[int]:
    """Ids of the councils that are members at some time in the year, by name."""
    end = financial_year_end(year_start)
    return db.session.scalars(
        sa.select(Member.id)
        .where(
            Member.joined_on.is_not(None),
            Member.joined_on <= end,
            sa.or_(Member.ceased_on.is_(None), Member.ceased_on > year_start),
        )
        .order_by(Member.name, Member.id)
    ).all()


def approved_schedule(year_start: date) -> ContributionSchedule:
    schedule = schedule_for(year_start)
    if schedule is None:
        raise ContributionError(
            f"There is no contribution schedule for {financial_year_label(year_start)}"
        )
    if not schedule.approved:
        raise ContributionError(
            f"The {financial_year_label(year_start)} schedule has not been approved by the board yet"
        )
    return schedule


def preview(year_start: date) -> list[PreviewRow]:
    """Each member of the year with its band, months, amount and warnings. Writes nothing."""
    return [row for chunk in preview_chunks(year_start) for row in chunk]


def preview_chunks(year_start: date, lock: bool = False) -> Iterator[list[PreviewRow]]:
    """The preview in chunks of BATCH members, read a chunk at a time, so that a run over
    thousands of members holds only one chunk in memory. `lock`: each chunk is read under the
    year's schedule lock (held until the caller commits), so runs at the same time take turns
    and each sees the drafts the other made."""
    schedule = approved_schedule(year_start)
    bands = {b.code: b for b in schedule.bands}
    ids = _member_ids_in_year(year_start)
    for start in range(0, len(ids), BATCH):
        if lock:
            locks.lock(ContributionSchedule, schedule.id, expire=False)
        chunk = ids[start : start + BATCH]
        members = {
            m.id: m for m in db.session.scalars(sa.select(Member).where(Member.id.in_(chunk)))
        }
        existing = {
            inv.member_id: inv
            for inv in db.session.scalars(
                sa.select(Invoice).where(
                    Invoice.purpose == CONTRIBUTION,
                    Invoice.kind == Kind.INVOICE,
                    Invoice.year_start == year_start,
                    Invoice.member_id.in_(chunk),
                )
            )
        }
        rows = [_preview_row(members[i], bands, year_start, existing.get(i)) for i in chunk]
        yield [row for row in rows if row is not None]


def _preview_row(
    member: Member, bands: dict, year_start: date, invoice: Invoice | None
) -> PreviewRow | None:
    months = pro_rata(year_start, member.joined_on, member.ceased_on)
    if months is None:
        return None
    band = bands.get(band_code(member))
    warnings = []
    net = vat = 0
    if band is None:
        warnings.append(f"No band '{band_code(member)}' in this schedule: choose the member's band")
    else:
        amounts = line_amounts(Decimal(1), months.apply(band.annual_pence), VatCode(band.vat_code))
        net, vat = amounts.net, amounts.vat
    if not member.finance_email:
        warnings.append("No finance contact email: the invoice will go to the main contact")
    if not (member.invoice_address or member.address):
        warnings.append("No invoice address")
    row = PreviewRow(member, band, months, net, vat, invoice, warnings)
    if row.po_missing:
        warnings.append(
            "Purchase order number needed: the invoice will be held until it is entered"
        )
    return row


@dataclass
class RunResult:
    drafts: int = 0
    issued: int = 0
    held: int = 0
    total_pence: int = 0
    created: int = 0  # drafts made by this run
    issued_now: int = 0  # invoices issued by this run

    def line(self) -> str:
        return f"drafts={self.drafts} issued={self.issued} held={self.held} total_pence={self.total_pence}"


def create_drafts(
    year_start: date, actor=None, progress: Callable[[int, int], None] | None = None
) -> RunResult:
    """One draft per member for the year, unless it already has its contribution invoice.
    Commits a chunk at a time; the unique index makes a second draft impossible anyway."""
    total = len(_member_ids_in_year(year_start))
    done = created = 0
    for rows in preview_chunks(year_start, lock=True):
        for row in rows:
            if row.invoice is not None or row.band is None:
                continue
            invoice = invoices.new_draft(
                row.member, actor, purpose=CONTRIBUTION, year_start=year_start
            )
            invoices.add_line(
                invoice,
                line_description(row.band, year_start, row.months),
                row.net_pence,
                Decimal(1),
                row.band.vat_code,
            )
            invoice.held_reason = invoices.hold_reason(invoice)
            created += 1
        db.session.commit()
        done += BATCH
        if progress:
            progress(min(done, total), total)
    audit.record(
        "contributions.drafts_created",
        "contribution_run",
        None,
        changes={"year": financial_year_label(year_start), "created": created},
        actor=actor or "system",
    )
    db.session.commit()
    result = summary(year_start)
    result.created = created
    return result


def issue_drafts(
    year_start: date,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
    issue_date: date | None = None,
) -> RunResult:
    """Issue every releasable contribution draft of the year.

    Works in batches: each batch's numbers, PDFs (rendered on every core for large runs) and
    emails are committed together, so a run stopped at any point leaves whole invoices and no
    gap in the numbering, and running again issues the rest."""
    ids = db.session.scalars(
        sa.select(Invoice.id)
        .where(
            Invoice.purpose == CONTRIBUTION,
            Invoice.kind == Kind.INVOICE,
            Invoice.year_start == year_start,
            Invoice.status == Status.DRAFT,
        )
        .order_by(Invoice.id)
    ).all()
    _refuse_vat_without_number(year_start, bool(ids))
    schedule_id = approved_schedule(year_start).id
    day = issue_date or uk_today()
    batches = [ids[start : start + ISSUE_BATCH] for start in range(0, len(ids), ISSUE_BATCH)]
    issued = done = 0
    with pdf_renderer(len(ids)) as renderer, disclosures.held():
        ahead = None
        for index, batch in enumerate(batches):
            following = batches[index + 1] if index + 1 < len(batches) else []
            for attempt in range(3):
                try:
                    locks.lock(ContributionSchedule, schedule_id, expire=False)  # runs take turns
                    count, ahead = _issue_batch(batch, actor, day, renderer, ahead, following)
                    issued += count
                    break
                except StaleDataError:  # another run issued some of these: read them again
                    db.session.rollback()
                    ahead = None
                    if attempt == 2:
                        raise
            done += len(batch)
            if progress:
                progress(done, len(ids))
    result = summary(year_start)
    result.issued_now = issued
    return result


def _refuse_vat_without_number(year_start: date, any_drafts: bool) -> None:
    """Refuse the whole run up front, rather than part-way, when drafts charge VAT and the
    company's VAT number is not set."""
    if settings.current().vat_number or not any_drafts:
        return
    taxable = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(InvoiceLine)
        .join(Invoice, InvoiceLine.invoice_id == Invoice.id)
        .where(
            Invoice.purpose == CONTRIBUTION,
            Invoice.year_start == year_start,
            Invoice.status == Status.DRAFT,
            InvoiceLine.vat_code.in_([VatCode.STANDARD.value, VatCode.ZERO.value]),
        )
    )
    if taxable:
        raise ContributionError(
            "Enter the company's VAT number in Settings before issuing: these contribution "
            "invoices charge VAT"
        )


@dataclass
class _Ahead:
    """The next batch's PDFs, rendering on the pool while this batch is stored, drawn from the
    documents its drafts will have with the numbers that follow this batch's."""

    documents: dict[str, doc.Document]  # by number
    pending: Pending

    def pdfs(self) -> dict[str, bytes]:
        return dict(zip(self.documents, self.pending(), strict=True))


def _issue_batch(
    ids: list[int], actor, day: date, renderer, ahead: _Ahead | None, following: list[int]
) -> tuple[int, _Ahead | None]:
    """Freeze, render and send one batch of drafts and commit them together; start rendering
    the following batch first, so that the pool renders while this process stores.

    A PDF rendered ahead is used only if its document is exactly the frozen invoice's (same
    number, customer, lines, PO): a number taken meanwhile by someone issuing by hand, or a PO
    entered, renders that invoice again. Returns the count issued and the next batch's PDFs."""
    seller = invoices.seller_snapshot(day)
    row = settings.current()
    series = invoices.series_for(row.invoice_prefix, day, row.year_start_month)
    # one UPDATE per invoice, at the commit, with its PDF; the audit events in one INSERT
    with db.session.no_autoflush, audit.batched():
        frozen = _releasable(ids, mark=True)
        first = invoices.next_number(series, len(frozen)) if frozen else None
        for offset, invoice in enumerate(frozen):
            invoices.freeze(invoice, actor, day, seller, sequence_no=first + offset)
        documents = [invoices.document_of(invoice) for invoice in frozen]
        guessed = ahead.documents if ahead else {}
        again = [d for d in documents if guessed.get(d.number) != d]
        rendering = renderer.submit(again)
        upcoming = None
        if following:
            after = first + len(frozen) if frozen else invoices.peek_number(series) + 1
            upcoming = _render_ahead(following, day, seller, after, renderer)
        for invoice in frozen:
            invoices.send_document(invoice, actor)
        pdfs = ahead.pdfs() if ahead else {}
        pdfs.update(zip((d.number for d in again), rendering(), strict=True))
        for invoice in frozen:
            invoice.pdf = pdfs[invoice.number]
    db.session.commit()
    return len(frozen), upcoming


def _releasable(ids: list[int], mark: bool) -> list[Invoice]:
    """The batch's drafts that can be issued now, in order; `mark` records why the others are
    held (the freezing pass), without it nothing is changed (the look-ahead)."""
    batch = db.session.scalars(
        sa.select(Invoice)
        .options(selectinload(Invoice.lines), selectinload(Invoice.member))
        .where(Invoice.id.in_(ids), Invoice.status == Status.DRAFT)
        .order_by(Invoice.id)
    ).all()
    releasable = []
    for invoice in batch:
        reason = invoices.hold_reason(invoice)
        if mark:
            invoice.held_reason = reason
        if not reason:
            releasable.append(invoice)
    return releasable


def _render_ahead(ids: list[int], day: date, seller: str, first: int, renderer) -> _Ahead:
    documents = {}
    for offset, invoice in enumerate(_releasable(ids, mark=False)):
        document = invoices.planned_document(invoice, day, seller, first + offset)
        documents[document.number] = document
    return _Ahead(documents, renderer.submit(list(documents.values())))


def summary(year_start: date) -> RunResult:
    """Where the year's contribution invoices stand."""
    rows = db.session.execute(
        sa.select(
            Invoice.status,
            Invoice.held_reason.is_not(None),
            sa.func.count(),
            sum_pence(Invoice.gross_pence),
        )
        .where(
            Invoice.purpose == CONTRIBUTION,
            Invoice.kind == Kind.INVOICE,
            Invoice.year_start == year_start,
        )
        .group_by(Invoice.status, Invoice.held_reason.is_not(None))
    ).all()
    result = RunResult()
    for status, held, count, gross in rows:
        if status == Status.DRAFT:
            result.drafts += count
            result.held += count if held else 0
        else:
            result.issued += count
            result.total_pence += gross
    return result


def explain_for_member(member: Member, year_start: date) -> dict | None:
    """How a member's figure for the year was worked out (for the portal)."""
    schedule = schedule_for(year_start)
    months = pro_rata(year_start, member.joined_on, member.ceased_on)
    if schedule is None or not schedule.approved or months is None:
        return None
    band = next((b for b in schedule.bands if b.code == band_code(member)), None)
    if band is None:
        return None
    net = months.apply(band.annual_pence)
    amounts = line_amounts(Decimal(1), net, VatCode(band.vat_code))
    return {
        "year": financial_year_label(year_start),
        "band": band,
        "months": months,
        "net_pence": amounts.net,
        "vat_pence": amounts.vat,
        "gross_pence": amounts.gross,
        "vat_label": VatCode(band.vat_code).label,
    }


def schedules() -> list[ContributionSchedule]:
    return db.session.scalars(
        sa.select(ContributionSchedule).order_by(ContributionSchedule.year_start.desc())
    ).all()


def members_per_band() -> dict[str, int]:
    counts: dict[str, int] = {}
    for member in db.session.scalars(sa.select(Member).where(Member.joined_on.is_not(None))):
        counts[band_code(member)] = counts.get(band_code(member), 0) + 1
    return counts
