"""Reading invoices for lists and pages: filters, pages, totals, history. All member-scoped."""

from dataclasses import dataclass

import sqlalchemy as sa

from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from company.audit import AuditEvent
from company.clock import uk_today
from company.extensions import db
from company.members.scoping import scoped
from company.sql import contains_text
from company.ui.converters import id_arg, year_arg

PER_PAGE = 50


@dataclass
class Filters:
    year: int | None = None
    status: str | None = None
    member_id: int | None = None
    kind: str | None = None
    overdue: bool = False
    q: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        status = args.get("status") or None
        return cls(
            year=args.get("year", type=year_arg),
            status=status if status in {s.value for s in Status} else None,
            member_id=args.get("member", type=id_arg),
            kind=args.get("kind") if args.get("kind") in {k.value for k in Kind} else None,
            overdue=args.get("overdue") == "1",
            q=(args.get("q") or "").strip(),
        )

    def args(self, **change) -> dict:
        values = {
            "year": self.year,
            "status": self.status,
            "member": self.member_id,
            "kind": self.kind,
            "overdue": "1" if self.overdue else None,
            "q": self.q or None,
        }
        values.update(change)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _filtered(filters: Filters, query=None):
    query = query if query is not None else scoped(Invoice)
    if filters.year:
        query = query.where(sa.extract("year", Invoice.year_start) == filters.year)
    if filters.status:
        query = query.where(Invoice.status == Status(filters.status))
    if filters.member_id:
        query = query.where(Invoice.member_id == filters.member_id)
    if filters.kind:
        query = query.where(Invoice.kind == Kind(filters.kind))
    if filters.overdue:
        query = query.where(
            Invoice.kind == Kind.INVOICE,
            Invoice.status.in_([Status.ISSUED, Status.PART_PAID]),
            Invoice.due_date < uk_today(),
        )
    if filters.q:
        query = query.where(
            sa.or_(
                contains_text(Invoice.number, filters.q),
                contains_text(Invoice.po_number, filters.q),
                contains_text(Invoice.customer_name, filters.q),
            )
        )
    return query


def search(filters: Filters, page: int = 1, total: int | None = None):
    """Page `page` of what the filters match, newest first; `total`: how many match, if
    counted already (`totals()` counts them in the same pass as its sums)."""
    query = (
        _filtered(filters)
        .options(sa.orm.joinedload(Invoice.member))
        .order_by(Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())
    )
    result = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=total is None)
    if total is not None:
        result.total = total
    return result


def totals(filters: Filters) -> dict[str, int]:
    """Net, VAT and gross of everything issued that the filters match (invoices less credit
    notes), how many of those there are, and how many the list shows (drafts too): one pass."""
    issued = Invoice.status != Status.DRAFT
    sign = sa.case((Invoice.kind == Kind.CREDIT_NOTE, -1), else_=1)

    def issued_sum(column):
        return sum_pence(sa.case((issued, sign * column), else_=0))

    query = _filtered(
        filters,
        sa.select(
            sa.func.count(),
            sa.func.count(sa.case((issued, 1))),
            issued_sum(Invoice.net_pence),
            issued_sum(Invoice.vat_pence),
            issued_sum(Invoice.gross_pence),
        ).select_from(Invoice),
    )
    listed, count, net, vat, gross = db.session.execute(query).one()
    return {"listed": listed, "count": count, "net": net, "vat": vat, "gross": gross}


def years() -> list[int]:
    """Every financial year from the first invoiced to the last, newest first: two lookups in
    the index of years, not a pass over every invoice."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Invoice.year_start), sa.func.max(Invoice.year_start))
    ).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def credit_notes_of(invoice: Invoice) -> list[Invoice]:
    if invoice.is_credit_note:
        return []
    return db.session.scalars(
        scoped(Invoice).where(Invoice.original_id == invoice.id).order_by(Invoice.id)
    ).all()


def history(invoice: Invoice) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "invoice", AuditEvent.entity_id == invoice.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()


def member_documents(member_id: int) -> list[Invoice]:
    """A council's issued documents and its held drafts (which it can release with a PO)."""
    return db.session.scalars(
        scoped(Invoice)
        .where(
            Invoice.member_id == member_id,
            sa.or_(Invoice.status != Status.DRAFT, Invoice.held_reason.is_not(None)),
        )
        .order_by(Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())
    ).all()
