"""Invoices and credit notes: drafting, numbering, issuing, crediting, status and immutability."""

import json
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import render_template
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.orm.exc import StaleDataError

from billing import ledger
from billing.invoices import document as doc
from billing.invoices.models import (
    INVOICE,
    IllegalTransition,
    Invoice,
    InvoiceError,
    InvoiceLine,
    Kind,
    NumberSequence,
    Status,
)
from billing.money import MAX_PENCE, VatCode, line_amounts, rate_label, sum_pence, vat_on
from company import audit, locks, outbox
from company.clock import financial_year_start, uk_today, utcnow
from company.extensions import db
from company.formats import pounds
from company.links import external_url
from company.members.models import Member
from company.settings import services as settings


class InvoiceImmutable(InvoiceError):
    pass


# After issue, only these columns of an invoice may change.
MUTABLE_AFTER_ISSUE = {"status", "sent_at", "pdf", "version", "disputed_at", "dispute_note"}


def transition(invoice: Invoice, to: Status) -> None:
    INVOICE.check(invoice.status, to)
    invoice.status = to


def _document_of_line(line: InvoiceLine) -> Invoice | None:
    """The document a line belongs to, or belonged to until it was removed in this session."""
    if line.invoice is not None:
        return line.invoice
    was = sa.inspect(line).attrs.invoice.history.deleted
    return was[0] if was else None


def _issued_line(line: InvoiceLine) -> bool:
    document = _document_of_line(line)
    return document is not None and document.status != Status.DRAFT


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_issued(session, _context, _instances):
    for obj in session.dirty:
        if isinstance(obj, Invoice):
            was = get_history(obj, "status").deleted
            if (was[0] if was else obj.status) == Status.DRAFT:
                continue  # a draft, or a draft being issued now
            # only the attributes touched since the last flush can have changed (a run's
            # thousands of invoices make `state.attrs`, every attribute, too slow to walk)
            touched = sa.inspect(obj).committed_state
            changed = {key for key in touched if get_history(obj, key).has_changes()}
            if changed - MUTABLE_AFTER_ISSUE:
                raise InvoiceImmutable(
                    f"{obj.number} is issued and cannot change: {sorted(changed - MUTABLE_AFTER_ISSUE)}"
                )
            if "pdf" in changed and get_history(obj, "pdf").deleted not in ((), [None]):
                raise InvoiceImmutable(f"The PDF of {obj.number} cannot change")
        elif isinstance(obj, InvoiceLine) and _issued_line(obj):
            raise InvoiceImmutable(f"The lines of {_document_of_line(obj).number} cannot change")
    for obj in session.deleted:
        if isinstance(obj, Invoice) and obj.status != Status.DRAFT:
            raise InvoiceImmutable(
                f"{obj.number} is issued and cannot be deleted; raise a credit note"
            )
        if isinstance(obj, InvoiceLine) and _issued_line(obj):
            raise InvoiceImmutable(f"The lines of {_document_of_line(obj).number} cannot change")


# Drafting


def customer_address(member: Member) -> str:
    return member.invoice_address or member.address or ""


def new_draft(
    member: Member,
    actor=None,
    purpose: str = "adhoc",
    year_start: date | None = None,
    po_number: str | None = None,
    notes: str | None = None,
) -> Invoice:
    invoice = Invoice(
        kind=Kind.INVOICE,
        status=Status.DRAFT,
        member=member,
        purpose=purpose,
        year_start=year_start,
        customer_name=member.name,
        customer_address=customer_address(member),
        po_number=(po_number or "").strip() or None,
        supplier_number=member.supplier_number,
        notes=notes,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(invoice)
    return invoice


def add_line(
    invoice: Invoice,
    description: str,
    unit_pence: int,
    quantity: Decimal = Decimal(1),
    vat: VatCode | str = VatCode.STANDARD,
    credits_line: InvoiceLine | None = None,
) -> InvoiceLine:
    if invoice.status != Status.DRAFT:
        raise InvoiceImmutable(f"Lines cannot be added to {invoice.number}")
    if not description.strip():
        raise InvoiceError("Enter a description", "description")
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise InvoiceError("Quantity must be more than 0", "quantity")
    if quantity > 100_000 or quantity != quantity.quantize(Decimal("0.01")):
        raise InvoiceError(
            "Quantity must be 100,000 or less, with at most 2 decimal places", "quantity"
        )
    if unit_pence < 0:
        raise InvoiceError(
            "Price must be £0.00 or more; to reduce an invoice, raise a credit note", "unit_price"
        )
    vat = VatCode(vat)
    amounts = line_amounts(quantity, unit_pence, vat)
    if (invoice.gross_pence or 0) + amounts.net + amounts.vat > MAX_PENCE:
        raise InvoiceError(
            f"A document can be for no more than {pounds(MAX_PENCE)} including VAT: "
            "split the work over more than one invoice",
            "quantity",
        )
    line = InvoiceLine(
        position=len(invoice.lines),
        description=description.strip(),
        quantity=quantity,
        unit_pence=unit_pence,
        vat_code=vat.value,
        vat_rate_bp=vat.rate_bp,
        net_pence=amounts.net,
        vat_pence=amounts.vat,
        credits_line_id=credits_line.id if credits_line else None,
    )
    invoice.lines.append(line)
    _total(invoice)
    return line


def remove_line(invoice: Invoice, line: InvoiceLine) -> None:
    if invoice.status != Status.DRAFT:
        raise InvoiceImmutable(f"The lines of {invoice.number} cannot change")
    invoice.lines.remove(line)
    for i, other in enumerate(invoice.lines):
        other.position = i
    _total(invoice)


def _total(invoice: Invoice) -> None:
    """Totals are the sums of the lines (VAT was rounded per line)."""
    invoice.net_pence = sum(line.net_pence for line in invoice.lines)
    invoice.vat_pence = sum(line.vat_pence for line in invoice.lines)
    invoice.gross_pence = invoice.net_pence + invoice.vat_pence


def set_po_number(invoice: Invoice, po_number: str, actor) -> None:
    """Enter the council's PO on a draft; a draft held for want of one is released."""
    po_number = (po_number or "").strip()
    if invoice.status != Status.DRAFT:
        raise InvoiceImmutable(
            f"{invoice.number} is issued; its purchase order number cannot change"
        )
    if not po_number:
        raise InvoiceError("Enter the purchase order number", "po_number")
    if len(po_number) > 50:
        raise InvoiceError("Purchase order number must be 50 characters or fewer", "po_number")
    changes = audit.changes_of(invoice, {"po_number": po_number, "held_reason": None})
    audit.record(
        "invoice.po_entered",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes=changes,
        actor=actor,
    )
    db.session.commit()


def hold_reason(invoice: Invoice) -> str | None:
    member = invoice.member
    if member.po_required and not invoice.po_number:
        return f"{member.name} needs a purchase order number on invoices; none has been entered"
    return None


# Numbering


def next_number(series: str, count: int = 1) -> int:
    """Reserve `count` numbers of `series` in the caller's transaction; returns the first.

    UPDATE … RETURNING increments and locks the row until commit: a concurrent issuer waits,
    and a rolled-back issue gives its numbers back, so numbers are unique and gapless.
    """
    bump = (
        sa.update(NumberSequence)
        .where(NumberSequence.series == series)
        .values(last_value=NumberSequence.last_value + count)
        .returning(NumberSequence.last_value)
    )
    value = db.session.execute(bump).scalar()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(NumberSequence(series=series, last_value=0))
        except sa.exc.IntegrityError:
            pass  # another transaction created it first
        value = db.session.execute(bump).scalar()
    return value - count + 1


def peek_number(series: str) -> int:
    """The last number of `series` given out so far (0 before the first); reserves nothing."""
    return (
        db.session.scalar(
            sa.select(NumberSequence.last_value).where(NumberSequence.series == series)
        )
        or 0
    )


def series_for(prefix: str, issue_date: date, year_start_month: int) -> str:
    return f"{prefix}-{financial_year_start(issue_date, year_start_month).year}"


# Issuing


def seller_snapshot(on: date) -> str:
    """The seller block stored on each document at issue (JSON of document.Seller)."""
    row = settings.current()
    missing = settings.missing_for_invoicing(row)
    if missing:
        raise InvoiceError(
            "Company settings are incomplete: set the " + ", ".join(missing) + " first"
        )
    seller = doc.Seller(
        legal_name=row.legal_name,
        registered_office=row.registered_office,
        company_number=row.company_number,
        registered_in=row.registered_in,
        vat_number=settings.vat_display(row.vat_number),
        bank_account_name=row.bank_account_name,
        bank_sort_code=settings.sort_code_display(row.bank_sort_code),
        bank_account_number=row.bank_account_number,
        payment_terms_days=row.payment_terms_days,
        control_statement=settings.control_statement(row, on),
    )
    return json.dumps(asdict(seller), sort_keys=True)


def issue(
    invoice: Invoice,
    actor=None,
    issue_date: date | None = None,
    seller: str | None = None,
    send: bool = True,
    commit: bool = True,
) -> Invoice:
    """Number, freeze, render and (optionally) email a draft. Held drafts are refused."""
    try:
        freeze(invoice, actor, issue_date, seller)
        invoice.pdf = render_pdf(invoice)
        if send:
            send_document(invoice, actor)
        if commit:
            db.session.commit()
    except StaleDataError as exc:  # someone else issued it between our reading and writing
        db.session.rollback()
        raise IllegalTransition(
            "This invoice was issued by someone else at the same moment"
        ) from exc
    return invoice


def series_of(invoice: Invoice, issue_date: date, row) -> str:
    prefix = row.credit_note_prefix if invoice.is_credit_note else row.invoice_prefix
    return series_for(prefix, issue_date, row.year_start_month)


def issue_fields(invoice: Invoice, issue_date: date, seller: str, sequence_no: int, row) -> dict:
    """What issuing fixes on a document: its number, dates, seller and customer. One home for
    `freeze` and for an annual run's PDFs rendered ahead of their batch (`planned_document`)."""
    member = invoice.member
    series = series_of(invoice, issue_date, row)
    return {
        "seller": seller,
        "customer_name": member.name,
        "customer_address": customer_address(member),
        "supplier_number": member.supplier_number,
        "series": series,
        "sequence_no": sequence_no,
        "number": f"{series}-{sequence_no:05d}",
        "issue_date": issue_date,
        "due_date": None
        if invoice.is_credit_note
        else issue_date + timedelta(days=row.payment_terms_days),
    }


def planned_document(invoice: Invoice, issue_date: date, seller: str, sequence_no: int):
    """The Document a draft will have once frozen with these particulars and this number, for
    rendering ahead: the caller compares it with `document_of` after freezing, and renders
    again whatever differs (a number taken meanwhile by someone else, a PO entered)."""
    return document_of(
        invoice, issue_fields(invoice, issue_date, seller, sequence_no, settings.current())
    )


def freeze(
    invoice: Invoice,
    actor=None,
    issue_date: date | None = None,
    seller: str | None = None,
    sequence_no: int | None = None,
) -> None:
    """The numbering half of issuing: number, dates, customer and seller fixed; no PDF yet.

    Callers that issue many invoices freeze a batch, render the PDFs together (in parallel),
    then commit: the numbers and the documents are saved together or not at all. Such callers
    reserve the batch's numbers at once (next_number with a count) and pass each one in."""
    if invoice.status != Status.DRAFT:
        raise IllegalTransition(f"{invoice.number} is already issued")
    if not invoice.lines:
        raise InvoiceError("Add at least one line before issuing")
    reason = hold_reason(invoice)
    if reason:
        invoice.held_reason = reason
        raise InvoiceError(f"Held: {reason}")
    row = settings.current()
    issue_date = issue_date or uk_today()
    seller = seller or seller_snapshot(issue_date)  # refuses first if the settings are incomplete
    if charges_vat(invoice) and not row.vat_number:
        raise InvoiceError(
            "Enter the company's VAT number in Settings before issuing a document that charges "
            "VAT (standard or zero-rated lines)"
        )
    series = series_of(invoice, issue_date, row)
    fields = issue_fields(
        invoice,
        issue_date,
        seller,
        sequence_no or next_number(series),
        row,
    )
    actor_id = getattr(actor, "id", None)
    with db.session.no_autoflush:  # number and status change together (a CHECK constraint)
        for name, value in fields.items():
            setattr(invoice, name, value)
        invoice.year_start = invoice.year_start or financial_year_start(
            issue_date, row.year_start_month
        )
        invoice.held_reason = None
        invoice.issued_at, invoice.issued_by_id = utcnow(), actor_id
        transition(invoice, Status.ISSUED)
    audit.record(
        "credit_note.issued" if invoice.is_credit_note else "invoice.issued",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes={"number": invoice.number, "gross_pence": invoice.gross_pence},
        actor=actor or "system",
    )


def send_document(invoice: Invoice, actor=None) -> None:
    """Queue the email with the PDF attached to the member's finance contact; record the time."""
    member = invoice.member
    to = member.finance_email or member.contact_email
    noun = "Credit note" if invoice.is_credit_note else "Invoice"
    outbox.queue(
        to,
        f"{noun} {invoice.number} from {json.loads(invoice.seller)['legal_name']}",
        render_template(
            "emails/invoice.txt",
            invoice=invoice,
            link=external_url("invoices.portal_show_invoice", invoice_id=invoice.id),
        ),
        attachments=[
            {"kind": "invoice_pdf", "ref": invoice.id, "filename": f"{invoice.number}.pdf"}
        ],
    )
    invoice.sent_at = utcnow()
    audit.record(
        "invoice.sent",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes={"to": to},
        actor=actor or "system",
    )


def resend(invoice: Invoice, actor) -> None:
    if invoice.status == Status.DRAFT:
        raise InvoiceError("Issue the invoice before sending it")
    send_document(invoice, actor)
    db.session.commit()


# Credit notes


def credited_by_line(invoice: Invoice) -> dict[int, tuple[int, int]]:
    """(net, VAT) already credited against each line of `invoice`, by line id."""
    rows = db.session.execute(
        sa.select(
            InvoiceLine.credits_line_id,
            sum_pence(InvoiceLine.net_pence),
            sum_pence(InvoiceLine.vat_pence),
        )
        .join(Invoice, InvoiceLine.invoice_id == Invoice.id)
        .where(
            Invoice.original_id == invoice.id,
            InvoiceLine.credits_line_id.is_not(None),
            ledger.issued_credit_notes(),
        )
        .group_by(InvoiceLine.credits_line_id)
    ).all()
    return {line_id: (int(net), int(vat)) for line_id, net, vat in rows}


def credited_net_by_line(invoice: Invoice) -> dict[int, int]:
    return {line_id: net for line_id, (net, _) in credited_by_line(invoice).items()}


def credit_amounts(line: InvoiceLine, net: int, already: tuple[int, int]) -> tuple[int, int]:
    """Net and VAT of crediting `net` of `line`, given the (net, VAT) credited before. VAT is at
    the rate stored on the line, never today's; the part that completes the line takes exactly
    the VAT left, so the credits of a line always add up to what it charged, never more."""
    net_left, vat_left = line.net_pence - already[0], line.vat_pence - already[1]
    if net >= net_left:
        return net_left, vat_left
    return net, min(vat_on(net, line.vat_rate_bp), vat_left)


def _add_credit_line(
    note: Invoice, line: InvoiceLine, description: str, net: int, already: tuple[int, int]
) -> None:
    net, vat = credit_amounts(line, net, already)
    whole = already == (0, 0) and net == line.net_pence
    note.lines.append(
        InvoiceLine(
            position=len(note.lines),
            description=line.description if whole else description,
            quantity=line.quantity if whole else Decimal(1),
            unit_pence=line.unit_pence if whole else net,
            vat_code=line.vat_code,
            vat_rate_bp=line.vat_rate_bp,
            net_pence=net,
            vat_pence=vat,
            credits_line_id=line.id,
        )
    )
    _total(note)


def credit(
    invoice: Invoice,
    reason: str,
    actor,
    line_ids: list[int] | None = None,
    amount_pence: int | None = None,
    issue_date: date | None = None,
) -> Invoice:
    """Issue a credit note against `invoice`: whole (no lines, no amount), chosen lines in full,
    or a net amount spread over its lines in order. Never more than is left to credit, per line,
    net and VAT. The member's account is locked first, so credits made at once take turns
    and each sees what the others credited."""
    locks.lock(Member, invoice.member_id)
    if invoice.is_credit_note or invoice.status in (Status.DRAFT, Status.CREDITED):
        raise InvoiceError("Only an issued invoice that is not fully credited can be credited")
    if not (reason or "").strip():
        raise InvoiceError("Enter the reason for the credit", "reason")
    already = credited_by_line(invoice)
    remaining = {
        line.id: line.net_pence - already.get(line.id, (0, 0))[0] for line in invoice.lines
    }
    note = Invoice(
        kind=Kind.CREDIT_NOTE,
        status=Status.DRAFT,
        purpose=invoice.purpose,
        member=invoice.member,
        year_start=invoice.year_start,
        customer_name=invoice.customer_name,
        customer_address=invoice.customer_address,
        po_number=invoice.po_number,
        supplier_number=invoice.supplier_number,
        original=invoice,
        reason=reason.strip(),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(note)
    if amount_pence is not None:
        rates = {(line.vat_code, line.vat_rate_bp) for line in invoice.lines}
        if len(rates) != 1:
            raise InvoiceError(
                "This invoice has lines with different VAT treatments: choose the lines to credit",
                "amount",
            )
        if amount_pence <= 0:
            raise InvoiceError("Amount to credit must be more than £0.00", "amount")
        left = sum(remaining.values())
        if amount_pence > left:
            raise InvoiceError(
                f"Amount to credit must be no more than what is left to credit, {pounds(left)} excluding VAT",
                "amount",
            )
        rest = amount_pence
        for line in invoice.lines:
            take = min(rest, remaining[line.id])
            if take > 0:
                _add_credit_line(
                    note,
                    line,
                    f"Credit against invoice {invoice.number}",
                    take,
                    already.get(line.id, (0, 0)),
                )
                rest -= take
    else:
        chosen = [line for line in invoice.lines if line_ids is None or line.id in set(line_ids)]
        if not chosen:
            raise InvoiceError("Select the lines to credit", "lines")
        for line in chosen:
            if remaining[line.id] <= 0:
                raise InvoiceError(
                    f"'{line.description}' has already been credited in full", "lines"
                )
            _add_credit_line(
                note,
                line,
                f"{line.description} (remainder)",
                remaining[line.id],
                already.get(line.id, (0, 0)),
            )
    db.session.flush()
    issue(note, actor, issue_date=issue_date, commit=False)
    if ledger.credited(invoice) >= invoice.gross_pence:
        transition(invoice, Status.CREDITED)
    audit.record(
        "invoice.credited",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes={
            "credit_note": note.number,
            "gross_pence": note.gross_pence,
            "reason": note.reason,
        },
        actor=actor,
    )
    db.session.commit()
    return note


def delete_draft(invoice: Invoice, actor) -> None:
    """Drafts may be thrown away; issued documents never (the flush guard refuses)."""
    if invoice.status != Status.DRAFT:
        raise InvoiceImmutable(
            f"{invoice.number} is issued and cannot be deleted; raise a credit note"
        )
    audit.record(
        "invoice.draft_deleted",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes={"gross_pence": invoice.gross_pence},
        actor=actor,
    )
    db.session.delete(invoice)
    db.session.commit()


def stored_pdf(invoice: Invoice) -> bytes:
    """The PDF made at issue: the same bytes every time it is downloaded."""
    return invoice.pdf


# Reading


_FIXED_AT_ISSUE = (
    "number",
    "issue_date",
    "due_date",
    "seller",
    "customer_name",
    "customer_address",
    "supplier_number",
)


def document_of(invoice: Invoice, planned: dict | None = None) -> doc.Document:
    """The Document the PDF and HTML show, from the stored row only (or, for a draft about to
    be issued, with the `issue_fields` it will be given)."""
    if invoice.status == Status.DRAFT and planned is None:
        raise InvoiceError("Drafts have no document yet")
    fixed = planned or {name: getattr(invoice, name) for name in _FIXED_AT_ISSUE}
    lines = [
        doc.Line(
            description=line.description,
            quantity=Decimal(line.quantity),
            unit_pence=line.unit_pence,
            vat_label=rate_label(line.vat_code, line.vat_rate_bp),
            net_pence=line.net_pence,
            vat_pence=line.vat_pence,
        )
        for line in invoice.lines
    ]
    summary: dict[str, list[int]] = {}
    for line in lines:
        totals = summary.setdefault(line.vat_label, [0, 0])
        totals[0] += line.net_pence
        totals[1] += line.vat_pence
    original = invoice.original
    return doc.Document(
        is_credit_note=invoice.is_credit_note,
        number=fixed["number"],
        issue_date=fixed["issue_date"],
        due_date=fixed["due_date"],
        seller=doc.seller_from_json(fixed["seller"]),
        customer_name=fixed["customer_name"],
        customer_address=fixed["customer_address"] or "",
        po_number=invoice.po_number,
        supplier_number=fixed["supplier_number"],
        lines=lines,
        net_pence=invoice.net_pence,
        vat_pence=invoice.vat_pence,
        gross_pence=invoice.gross_pence,
        vat_summary=[doc.VatSummary(k, v[0], v[1]) for k, v in summary.items()],
        original_number=original.number if original else None,
        original_date=original.issue_date if original else None,
        reason=invoice.reason,
        notes=invoice.notes,
        charges_vat=charges_vat(invoice),
    )


def charges_vat(invoice: Invoice) -> bool:
    """Whether any line is a taxable supply (standard or zero-rated)."""
    return any(VatCode(line.vat_code).in_scope for line in invoice.lines)


def render_pdf(invoice: Invoice) -> bytes:
    from billing.invoices.pdf import render

    return render(document_of(invoice))


def pdf_of(invoice_id: int) -> tuple[bytes, str]:
    """The stored PDF (outbox attachment renderer)."""
    return stored_pdf(db.session.get(Invoice, int(invoice_id))), "pdf"
