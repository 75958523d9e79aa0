"""Aged debt as at any date: what each council owed, by how long overdue."""

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from billing import balances, ledger
from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from billing.payments.models import Allocation, Payment, Refund
from billing.reports.statements import utc_start
from company import csvfile
from company.extensions import db
from company.formats import pence_decimal
from company.members.models import Member

# Aged debt

BUCKETS = ["Current", "1 to 30 days", "31 to 60 days", "61 to 90 days", "Over 90 days"]
# The days overdue each bucket holds, up to and including (None: no limit).
BUCKET_UP_TO = [0, 30, 60, 90, None]
PER_PAGE = 50


def bucket_of(days_overdue: int) -> int:
    for bucket, up_to in enumerate(BUCKET_UP_TO):
        if up_to is None or days_overdue <= up_to:
            return bucket
    raise AssertionError("the last bucket has no limit")


def _in_bucket(due_date, as_at: date, bucket: int):
    """`bucket_of((as_at - due_date).days) == bucket`, in SQL, as comparisons of dates (the
    number of days is never worked out row by row)."""
    up_to = BUCKET_UP_TO[bucket]
    after = BUCKET_UP_TO[bucket - 1] if bucket else None
    conditions = []
    if after is not None:  # more than `after` days overdue: due before as_at - after
        conditions.append(due_date < as_at - timedelta(days=after))
    if up_to is not None:  # at most `up_to` days overdue: due on or after as_at - up_to
        conditions.append(due_date >= as_at - timedelta(days=up_to))
    return sa.and_(*conditions)


@dataclass
class AgedRow:
    member_id: int
    member_name: str
    buckets: list[int]
    credit: int = 0  # money received and not set against an invoice, netted off the total

    @property
    def total(self) -> int:
        return sum(self.buckets) - self.credit


def _invoice_moves_after(as_at: date):
    """(id, pence): what issued credit notes and allocations dated after `as_at` took off each
    invoice's balance since then (so its balance on `as_at` is the stored one plus this)."""
    note = sa.orm.aliased(Invoice)
    moves = sa.union_all(
        sa.select(Allocation.invoice_id.label("id"), Allocation.amount_pence.label("pence")).where(
            Allocation.effective_on > as_at
        ),
        sa.select(note.original_id, note.gross_pence).where(
            ledger.issued_credit_notes(note), note.issue_date > as_at
        ),
    ).subquery()
    return (
        sa.select(moves.c.id, sum_pence(moves.c.pence).label("pence"))
        .group_by(moves.c.id)
        .subquery()
    )


def _balance_selects(as_at: date):
    """(id, member_id, due_date, owed) for every issued invoice, issued by `as_at`, that may
    have a balance on that day: the stored balance (today's) plus what moved after `as_at`.
    Only two kinds of invoice can: those with a balance today (a partial index holds them, and
    only issued invoices have one) and those with money or credit dated after `as_at`; any
    other owes nothing today and owed nothing then. Two selects, so that each uses its index."""
    later = _invoice_moves_after(as_at)
    issued_by = sa.and_(
        Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT, Invoice.issue_date <= as_at
    )
    columns = (Invoice.id, Invoice.member_id, Invoice.due_date)
    with_balance = (
        sa.select(
            *columns, (Invoice.balance_pence + sa.func.coalesce(later.c.pence, 0)).label("owed")
        )
        .outerjoin(later, later.c.id == Invoice.id)
        .where(balances.invoice_has_balance(), Invoice.issue_date <= as_at)
    )
    moved_since = (
        sa.select(*columns, later.c.pence.label("owed"))
        .join(Invoice, Invoice.id == later.c.id)
        .where(sa.not_(balances.invoice_has_balance()), issued_by)
    )
    return with_balance, moved_since


def _balances_on(as_at: date):
    """`_balance_selects` as one subquery."""
    return sa.union_all(*_balance_selects(as_at)).subquery()


def owed_as_at(as_at: date):
    """(invoice, member, due, owed on `as_at`) for every invoice issued by then with a balance.
    A balance below zero is money set against the invoice, on a payment recorded later but
    dated earlier, beyond what it then owed: on that day it was credit on account."""
    each = _balances_on(as_at)
    rows = db.session.execute(sa.select(each).where(each.c.owed != 0)).all()
    return [(invoice_id, member_id, due, int(owed)) for invoice_id, member_id, due, owed in rows]


def _may_owe_on(as_at: date):
    """The ids of the invoices that can have a balance on `as_at` (see `_balances_on`)."""
    return sa.select(_balances_on(as_at).c.id)


def owed_at_each(days: list[date]) -> dict[date, int]:
    """What was owed (balances above zero, as `owed_as_at`) at the end of each of `days`, in
    three queries for them all: the invoices with a balance today and nothing dated after the
    first day add the same on every day from their issue, summed by issue date in SQL; only
    those with money or credit dated after the first day are followed day by day here (once
    for each set of alike ones: a year's contributions paid on the same day)."""
    if not days:
        return {}
    first = min(days)
    later = _invoice_moves_after(first)
    moved_ids = sa.select(later.c.id)
    # Only issued invoices have a balance. Neither a condition on the issue date nor a GROUP BY
    # it: either draws SQLite to the index of every invoice by issue date, rather than the
    # partial index of those with a balance; they are added up by issue date here.
    steady: Counter = Counter()
    for issued, pence in db.session.connection().execute(
        sa.select(Invoice.issue_date, Invoice.balance_pence).where(
            balances.invoice_owes(), Invoice.id.not_in(moved_ids)
        )
    ):
        steady[issued] += pence
    note = sa.orm.aliased(Invoice)
    moved = db.session.execute(
        sa.select(Invoice.id, Invoice.issue_date, Invoice.balance_pence, later.c.pence)
        .join(later, later.c.id == Invoice.id)
        .where(Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT)
    ).all()
    moves: dict[int, list[tuple[date, int]]] = {}
    for invoice_id, on, pence in db.session.execute(
        sa.union_all(
            sa.select(
                Allocation.invoice_id, Allocation.effective_on, Allocation.amount_pence
            ).where(Allocation.effective_on > first),
            sa.select(note.original_id, note.issue_date, note.gross_pence).where(
                ledger.issued_credit_notes(note), note.issue_date > first
            ),
        )
    ):
        moves.setdefault(invoice_id, []).append((on, pence))
    totals = dict.fromkeys(days, 0)
    for day in days:
        totals[day] = sum(pence for issued, pence in steady.items() if issued <= day)
    # Invoices alike in issue date, balance and what moved when are followed once, and counted.
    alike = Counter(
        (issued, balance, tuple(sorted(moves[invoice_id])))
        for invoice_id, issued, balance, _ in moved
    )
    for (issued, balance, own), count in alike.items():
        for day in days:
            if issued <= day:
                totals[day] += count * max(balance + sum(p for on, p in own if on > day), 0)
    return totals


def _credit_by_member(as_at: date):
    """(member_id, credit): each council's money on account on `as_at`: received by then, less refunds, less what was
    set against invoices by then; a payment reversed by then counts only what was refunded from
    it (the statement's movements, so the two always agree). The stored figure (today's) plus
    what moved after `as_at`, read for the payments that have one or the other."""
    moves = sa.union_all(
        sa.select(Allocation.payment_id.label("id"), Allocation.amount_pence.label("pence")).where(
            Allocation.effective_on > as_at
        ),
        sa.select(Refund.payment_id, Refund.amount_pence).where(Refund.refunded_on > as_at),
        sa.select(Payment.id, Payment.amount_pence).where(
            Payment.reversed_at >= utc_start(as_at + timedelta(days=1))
        ),
    ).subquery()
    later = (
        sa.select(moves.c.id, sum_pence(moves.c.pence).label("pence"))
        .group_by(moves.c.id)
        .subquery()
    )
    with_credit = (
        sa.select(
            Payment.member_id,
            (Payment.left_pence + sa.func.coalesce(later.c.pence, 0)).label("left"),
        )
        .outerjoin(later, later.c.id == Payment.id)
        .where(balances.payment_has_credit(), Payment.received_on <= as_at)
    )
    moved_since = (
        sa.select(Payment.member_id, later.c.pence)
        .join(Payment, Payment.id == later.c.id)
        .where(sa.not_(balances.payment_has_credit()), Payment.received_on <= as_at)
    )
    each = sa.union_all(with_credit, moved_since).subquery()
    return sa.select(each.c.member_id, sum_pence(each.c.left).label("credit")).group_by(
        each.c.member_id
    )


def credit_as_at(as_at: date) -> dict[int, int]:
    """Each council's money on account on `as_at` (see `_credit_by_member`), by member id."""
    rows = db.session.execute(_credit_by_member(as_at)).all()
    return {member_id: int(pence) for member_id, pence in rows if pence}


def _by_member(as_at: date):
    """(member_id, b0…b4, credit): each council's debt on `as_at` by bucket and its money on
    account (with what it was owed below nothing on an invoice), one row per council. Each
    part is summed by council on its own index first; the few councils in more than one part
    are added up after."""
    owed_parts = []
    for select in _balance_selects(as_at):
        each = select.subquery()
        owing = each.c.owed > 0
        owed_parts.append(
            sa.select(
                each.c.member_id,
                *(
                    sum_pence(
                        sa.case(
                            (sa.and_(owing, _in_bucket(each.c.due_date, as_at, b)), each.c.owed),
                            else_=0,
                        )
                    ).label(f"b{b}")
                    for b in range(len(BUCKETS))
                ),
                sum_pence(sa.case((each.c.owed < 0, -each.c.owed), else_=0)).label("credit"),
            ).group_by(each.c.member_id)
        )
    credit = _credit_by_member(as_at).subquery()
    on_account = sa.select(
        credit.c.member_id,
        *(sa.literal_column("0").label(f"b{b}") for b in range(len(BUCKETS))),
        credit.c.credit,
    )
    parts = sa.union_all(*owed_parts, on_account).subquery()
    return (
        sa.select(
            parts.c.member_id,
            *(sum_pence(parts.c[f"b{b}"]).label(f"b{b}") for b in range(len(BUCKETS))),
            sum_pence(parts.c.credit).label("credit"),
        )
        .group_by(parts.c.member_id)
        .subquery()
    )


@dataclass
class AgedPage:
    """One page of aged debt, most owed first, with the count and totals of every council."""

    rows: list[AgedRow]
    count: int
    totals: list[int]
    credit: int


def aged_debt_page(as_at: date, page: int, per_page: int = PER_PAGE) -> AgedPage:
    """Page `page` of `aged_debt(as_at)` in one query: SQL sorts the councils and counts and
    totals them all (window sums), so only one page of rows is read, however many owe."""
    merged = _by_member(as_at)
    buckets = [merged.c[f"b{b}"] for b in range(len(BUCKETS))]
    total = sum(buckets[1:], buckets[0]) - merged.c.credit
    rows = db.session.execute(
        sa.select(
            merged.c.member_id,
            Member.name,
            *buckets,
            merged.c.credit,
            # windows over every council listed, worked out before the page is cut
            sa.func.count().over(),
            *(sa.func.sum(b).over() for b in buckets),
            sa.func.sum(merged.c.credit).over(),
        )
        .join(Member, Member.id == merged.c.member_id)
        .where(sa.or_(*(b != 0 for b in buckets), merged.c.credit != 0))
        .order_by(total.desc(), Member.name, merged.c.member_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not rows:
        if page > 1:  # past the last page: the counts and totals still
            last = aged_debt_page(as_at, 1, per_page)
            return AgedPage([], last.count, last.totals, last.credit)
        return AgedPage([], 0, [0] * len(BUCKETS), 0)
    n = len(BUCKETS)
    first = rows[0]
    return AgedPage(
        rows=[AgedRow(r[0], r[1], [int(p) for p in r[2 : 2 + n]], int(r[2 + n])) for r in rows],
        count=first[3 + n],
        totals=[int(p) for p in first[4 + n : 4 + 2 * n]],
        credit=int(first[4 + 2 * n]),
    )


def aged_debt(as_at: date) -> tuple[list[AgedRow], list[int]]:
    """Each council's debt on `as_at` by age, with its money on account netted off the total:
    the total is the statement's balance on that day. Most owed first. Summed by council and
    bucket in SQL, so this reads one row per council however many invoices there are."""
    buckets = len(BUCKETS)
    by_member: dict[int, list[int]] = {}
    for select in _balance_selects(as_at):  # summed apart: each streams from its own index
        each = select.subquery()
        owing = each.c.owed > 0
        for member_id, *sums in (
            db.session.connection()
            .execute(  # plain rows: 10,000 of them
                sa.select(
                    each.c.member_id,
                    *(
                        sum_pence(
                            sa.case(
                                (
                                    sa.and_(owing, _in_bucket(each.c.due_date, as_at, b)),
                                    each.c.owed,
                                ),
                                else_=0,
                            )
                        )
                        for b in range(buckets)
                    ),
                    sum_pence(sa.case((each.c.owed < 0, -each.c.owed), else_=0)),
                ).group_by(each.c.member_id)
            )
            .all()
        ):
            found = by_member.get(member_id)
            if found is None:
                by_member[member_id] = sums
            else:  # the council's invoices in both selects
                by_member[member_id] = [a + b for a, b in zip(found, sums, strict=True)]
    credit = credit_as_at(as_at)
    names = dict(db.session.execute(sa.select(Member.id, Member.name)).all())
    for member_id in credit.keys() - by_member.keys():
        by_member[member_id] = [0] * (buckets + 1)
    rows = [
        AgedRow(
            member_id, names[member_id], sums[:buckets], sums[buckets] + credit.get(member_id, 0)
        )
        for member_id, sums in by_member.items()
    ]
    rows = sorted(
        (r for r in rows if any(r.buckets) or r.credit),
        key=lambda r: (-r.total, r.member_name),
    )
    totals = [sum(r.buckets[i] for r in rows) for i in range(len(BUCKETS))]
    return rows, totals


def aged_debt_csv(as_at: date) -> str:
    rows, totals = aged_debt(as_at)
    out = io.StringIO()
    writer = csvfile.writer(out)
    credit = sum(r.credit for r in rows)
    writer.writerow(["Member council", *BUCKETS, "Credit on account", "Total"])
    for r in rows:
        writer.writerow(
            [
                r.member_name,
                *(pence_decimal(p) for p in r.buckets),
                pence_decimal(-r.credit),
                pence_decimal(r.total),
            ]
        )
    writer.writerow(
        [
            "Total",
            *(pence_decimal(p) for p in totals),
            pence_decimal(-credit),
            pence_decimal(sum(totals) - credit),
        ]
    )
    return out.getvalue()
