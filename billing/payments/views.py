"""Finance pages for payments: record, allocate, reverse, refund credit."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing import ledger
from billing.invoices.models import Invoice
from billing.payments import bp, forms, services
from billing.payments.models import Payment
from company.auth.access import finance
from company.clock import uk_today
from company.extensions import db
from company.formats import long_date, pounds
from company.members.models import Member
from company.members.scoping import member_scoped
from company.ui.converters import is_id as _is_id
from company.ui.fields import choices
from company.ui.pages import confirmation, confirmed, refusals_on


@bp.route("/billing/payments")
@finance
def list_payments():
    payments = db.session.scalars(
        sa.select(Payment)
        .options(sa.orm.joinedload(Payment.member))
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(200)
    ).all()
    return render_template("payments/list.html", payments=payments)


def _member_choices():
    rows = db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name)).all()
    return choices([("", "Choose a member council")] + [(str(i), n) for i, n in rows])


OLDEST, CREDIT, INVOICE = "oldest", "credit", "invoice-"


def _allocation_choices(invoices: list[Invoice]):
    return choices(
        [(OLDEST, "The council's oldest unpaid invoices first")]
        + [
            (
                f"{INVOICE}{i.id}",
                f"Invoice {i.number}: {pounds(ledger.owed(i))} owed, due {long_date(i.due_date)}",
            )
            for i in invoices
        ]
        + [(CREDIT, "Nothing yet: keep it as credit on the council's account")]
    )


@bp.route("/billing/payments/new", methods=["GET", "POST"])
@finance
def record_payment():
    """Record money received. Choosing the council (and 'Show its open invoices') offers each of
    its open invoices to set the payment against; what that invoice does not need stays as
    credit on account."""
    chosen = (
        request.form.get("member_id") if request.method == "POST" else request.args.get("member")
    )
    member = member_scoped(Member, int(chosen)) if _is_id(chosen or "") else None
    open_invoices = ledger.open_invoices(member.id) if member else []
    form = forms.PaymentForm()
    form.member_id.choices = _member_choices()
    form.allocate.choices = _allocation_choices(open_invoices)
    if request.method == "GET":
        form.received_on.data = uk_today()
        form.member_id.data = str(member.id) if member else ""
    showing = "show" in request.form  # 'Show its open invoices': the same form, nothing recorded
    if not showing and form.validate_on_submit():
        plan = None
        if form.allocate.data == CREDIT:
            plan = []
        elif form.allocate.data.startswith(INVOICE):
            invoice = next(i for i in open_invoices if f"{INVOICE}{i.id}" == form.allocate.data)
            plan = [(invoice, min(form.amount.pence or 0, ledger.owed(invoice)))]
        with refusals_on(form):
            payment = services.record_payment(
                member,
                form.amount.pence,
                form.received_on.data,
                form.method.data,
                form.reference.data,
                current_user,
                allocations=plan,
            )
            flash(_recorded(payment, plan), "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return render_template(
        "payments/new.html", form=form, member=member, open_invoices=open_invoices
    )


def _recorded(payment: Payment, plan) -> str:
    if not plan:
        return "Payment recorded."
    [(invoice, amount)] = plan
    left = payment.amount_pence - amount
    credit = f" {pounds(left)} is kept as credit on the council's account." if left else ""
    return f"Payment recorded: {pounds(amount)} set against {invoice.number}.{credit}"


def _payment_page(
    payment: Payment, allocate_form=None, reverse_form=None, refund_form=None, status=200
):
    allocate_form = allocate_form or forms.AllocateForm(formdata=None)
    open_invoices = ledger.open_invoices(payment.member_id)
    allocate_form.invoice_id.choices = choices(
        [("", "Choose an invoice")]
        + [(str(i.id), f"{i.number} (owes {pounds(ledger.owed(i))})") for i in open_invoices]
    )
    reverse_form = reverse_form or forms.ReverseForm(formdata=None)
    refund_form = refund_form or forms.RefundForm(formdata=None)
    reversed_ids = {a.reverses_id for a in payment.allocations if a.reverses_id}
    return (
        render_template(
            "payments/payment.html",
            payment=payment,
            unallocated=services.unallocated(payment),
            reversed_ids=reversed_ids,
            allocate_form=allocate_form,
            reverse_form=reverse_form,
            refund_form=refund_form,
            form=next((f for f in (allocate_form, reverse_form, refund_form) if f.errors), None),
            has_open=bool(open_invoices),
        ),
        status,
    )


@bp.route("/billing/payments/<int:payment_id>")
@finance
def show_payment(payment_id: int):
    return _payment_page(member_scoped(Payment, payment_id))


@bp.route("/billing/payments/<int:payment_id>/allocate", methods=["POST"])
@finance
def allocate(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    form = forms.AllocateForm()
    form.invoice_id.choices = choices(
        [(str(i.id), i.number) for i in ledger.open_invoices(payment.member_id)]
    )
    if form.validate_on_submit():
        invoice = member_scoped(Invoice, int(form.invoice_id.data))
        with refusals_on(form):
            services.allocate_credit(payment, invoice, form.amount.pence, current_user)
            flash(f"{pounds(form.amount.pence)} set against {invoice.number}.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return _payment_page(payment, allocate_form=form, status=400)


@bp.route("/billing/payments/<int:payment_id>/reverse", methods=["POST"])
@finance
def reverse(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    form = forms.ReverseForm()
    if form.validate_on_submit():
        if not confirmed() and payment.reversed_at is None and (form.reason.data or "").strip():
            return _confirm_reverse(payment, form.reason.data)
        with refusals_on(form):
            services.reverse_payment(payment, current_user, form.reason.data)
            flash("Payment reversed. Its invoices are owed again.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return _payment_page(payment, reverse_form=form, status=400)


def _payment_caption(payment: Payment) -> str:
    return f"Payment of {pounds(payment.amount_pence)} received {long_date(payment.received_on)}"


def _confirm_reverse(payment: Payment, reason: str):
    reversed_ids = {a.reverses_id for a in payment.allocations if a.reverses_id}
    live = [a for a in payment.allocations if a.amount_pence > 0 and a.id not in reversed_ids]
    return confirmation(
        title=f"Reverse this payment from {payment.member.name}?",
        caption=_payment_caption(payment),
        action=url_for("payments.reverse", payment_id=payment.id),
        button="Reverse payment",
        cancel=url_for("payments.show_payment", payment_id=payment.id),
        rows=[
            ("Amount", pounds(payment.amount_pence)),
            ("Reference", payment.reference or "None"),
            *((f"Owed again on {a.invoice.number}", pounds(a.amount_pence)) for a in live),
            ("Reason", reason),
        ],
        points=[
            "the payment no longer counts: it stays on record, marked reversed, with the reason",
            "every invoice it paid is owed again by what it paid",
        ],
        warning="A reversed payment cannot be restored; record the money again if it arrives.",
        destructive=True,
    )


@bp.route("/billing/payments/<int:payment_id>/refund", methods=["POST"])
@finance
def refund(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    form = forms.RefundForm()
    if form.validate_on_submit():
        amount = form.amount.pence
        can_refund = (
            payment.reversed_at is None
            and (form.reason.data or "").strip()
            and 0 < amount <= services.unallocated(payment)
        )
        if (
            not confirmed(identity=True) and can_refund
        ):  # what would be refused is refused straight away
            return confirmation(
                title=f"Record a refund of {pounds(amount)} to {payment.member.name}?",
                caption=_payment_caption(payment),
                action=url_for("payments.refund", payment_id=payment.id),
                button="Record refund",
                cancel=url_for("payments.show_payment", payment_id=payment.id),
                rows=[
                    ("Refund", pounds(amount)),
                    ("Credit on account now", pounds(services.unallocated(payment))),
                    (
                        "Credit on account afterwards",
                        pounds(services.unallocated(payment) - amount),
                    ),
                    ("Reason", form.reason.data),
                ],
                points=[
                    f"the refund is recorded as paid back today, {long_date(uk_today())}",
                    "the council's credit on account goes down by the refund",
                    "pay the money back by bank transfer yourself: this records it",
                ],
                warning="A recorded refund cannot be undone.",
                identity=True,
            )
        with refusals_on(form):
            services.refund_credit(payment, form.amount.pence, current_user, form.reason.data)
            flash(f"Refund of {pounds(form.amount.pence)} recorded.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return _payment_page(payment, refund_form=form, status=400)
