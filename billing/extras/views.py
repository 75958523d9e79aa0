"""Finance pages for extras: catalogue, orders and quotes, reporting."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing.extras import bp, emails, forms, reports, services
from billing.extras.models import Extra, Order, OrderStatus, Pricing, Quote
from billing.invoices.models import Invoice
from billing.money import VAT_LABELS
from company.auth.access import finance
from company.clock import uk_today
from company.extensions import db
from company.formats import pounds
from company.members.models import Member
from company.members.scoping import member_scoped
from company.ui.converters import page_arg
from company.ui.fields import choices
from company.ui.pages import (
    confirmation,
    confirmed,
    csv_response,
    pdf_response,
    refusals_flashed,
    refusals_on,
)

QUOTABLE = (OrderStatus.REQUESTED, OrderStatus.QUOTED)


# Catalogue


@bp.route("/billing/extras/catalogue")
@finance
def catalogue():
    return render_template(
        "extras/catalogue.html",
        extras=services.catalogue(active_only=False),
        pricing=forms.PRICING_LABELS,
        rules=forms.RULE_LABELS,
    )


@bp.route("/billing/extras/catalogue/new", methods=["GET", "POST"])
@bp.route(
    "/billing/extras/catalogue/<int:extra_id>", methods=["GET", "POST"], endpoint="edit_extra"
)
@finance
def new_extra(extra_id: int | None = None):
    extra = db.get_or_404(Extra, extra_id) if extra_id else None
    form = (
        forms.ExtraForm()
        if request.method == "POST" or not extra
        else forms.ExtraForm.for_extra(extra)
    )
    if form.validate_on_submit():
        with refusals_on(form, lines="description_1"):
            saved = services.save_extra(form.values(), current_user, extra)
            flash(f"{saved.name} saved.", "success")
            return redirect(url_for("extras.catalogue"))
    return render_template("extras/extra.html", form=form, extra=extra), 400 if form.errors else 200


# Orders


@bp.route("/billing/extras/")
@finance
def list_orders():
    counts = reports.status_counts()
    form = forms.StatusFilterForm(request.args)
    form.status.choices = choices(
        [("", f"All statuses ({sum(counts.values()):,})")]
        + [(s.value, f"{s.label} ({counts.get(s, 0):,})") for s in OrderStatus]
    )
    status = form.status.data if form.status.data in {s.value for s in OrderStatus} else None
    page, rows = reports.orders_page(
        [OrderStatus(status)] if status else None,
        page=request.args.get("page", 1, type=page_arg),
    )
    return render_template(
        "extras/orders.html",
        rows=rows,
        page=page,
        filter_form=form,
        status=OrderStatus(status) if status else None,
    )


def _member_choices():
    rows = db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name))
    return choices([("", "Choose a member council")] + [(str(i), n) for i, n in rows])


def _extra_choices():
    return choices(
        [("", "None: a one-off piece of work")]
        + [(str(e.id), e.name) for e in services.catalogue(active_only=True)]
    )


@bp.route("/billing/extras/orders/new", methods=["GET", "POST"])
@finance
def new_quote():
    form = forms.NewQuoteForm()
    form.member_id.choices = _member_choices()
    form.extra_id.choices = _extra_choices()
    if request.method == "GET":
        form.member_id.data = request.args.get("member_id", "")
        form.valid_until.data = services.default_valid_until()
    if form.validate_on_submit():
        member = member_scoped(Member, int(form.member_id.data))
        extra = db.session.get(Extra, int(form.extra_id.data)) if form.extra_id.data else None
        with refusals_on(form, lines="description_1"):
            q = services.quote_for(
                member,
                form.title.data,
                form.lines(extra),
                form.valid_until.data,
                form.terms.data,
                current_user,
                extra=extra,
            )
            return _sent(q)
    return render_template("extras/new_quote.html", form=form), 400 if form.errors else 200


def _sent(q: Quote):
    emails.send_quote(q, current_user)
    db.session.commit()
    flash(f"Quote {q.reference} sent to {q.order.member.contact_email}.", "success")
    return redirect(url_for("extras.show_order", order_id=q.order_id))


def _prefill(order: Order) -> list[tuple]:
    """Rows for the quote form: the current quote's lines, else one from the order's extra."""
    current = services.current_quote(order)
    if current is not None:
        return [(ln.description, ln.quantity, ln.unit_pence, ln.vat_code) for ln in current.lines]
    extra = order.extra
    if extra is None:
        return []
    if extra.pricing == Pricing.DAY_RATE:
        return [(extra.name, extra.default_days or 1, extra.price_pence, extra.vat_code)]
    return [(extra.name, 1, extra.price_pence, extra.vat_code)]


def _order_page(order: Order, quote_form=None, cancel_form=None, status: int = 200):
    current = services.current_quote(order)
    if quote_form is None:
        quote_form = forms.QuoteForm(formdata=None)
        quote_form.prefill(_prefill(order))
        quote_form.valid_until.data = services.default_valid_until()
        quote_form.terms.data = current.terms if current else None
    cancel_form = cancel_form or forms.CancelForm(formdata=None)
    invoices = db.session.scalars(
        sa.select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)
    ).all()
    return (
        render_template(
            "extras/order.html",
            order=order,
            current=current,
            quote_form=quote_form,
            cancel_form=cancel_form,
            form=quote_form if quote_form.errors else cancel_form if cancel_form.errors else None,
            can_quote=order.status in QUOTABLE,
            allowed=services.ORDER.allowed(order.status),
            invoices=invoices,
            invoiced=services.invoiced_net(order),
            events=services.timeline(order),
            today=uk_today(),
            vat_labels=VAT_LABELS,
        ),
        status,
    )


@bp.route("/billing/extras/orders/<int:order_id>")
@finance
def show_order(order_id: int):
    return _order_page(member_scoped(Order, order_id))


@bp.route("/billing/extras/orders/<int:order_id>/quote", methods=["POST"])
@finance
def quote_order(order_id: int):
    order = member_scoped(Order, order_id)
    form = forms.QuoteForm()
    if form.validate_on_submit():
        with refusals_on(form, lines="description_1"):
            q = services.quote(
                order, form.lines(order.extra), form.valid_until.data, form.terms.data, current_user
            )
            return _sent(q)
    return _order_page(order, quote_form=form, status=400)


@bp.route("/billing/extras/orders/<int:order_id>/start", methods=["POST"])
@finance
def start_work(order_id: int):
    order = member_scoped(Order, order_id)
    with refusals_flashed():
        services.start_work(order, current_user)
        flash("Work on the order has started.", "success")
    return redirect(url_for("extras.show_order", order_id=order.id))


@bp.route("/billing/extras/orders/<int:order_id>/deliver", methods=["POST"])
@finance
def deliver(order_id: int):
    order = member_scoped(Order, order_id)
    deliverable = order.status in (OrderStatus.ACCEPTED, OrderStatus.IN_PROGRESS)
    if not confirmed() and deliverable and order.accepted_quote is not None:
        quoted = order.accepted_quote.net_pence
        left = quoted - services.invoiced_net(order)
        recipient = order.member.finance_email or order.member.contact_email
        return confirmation(
            title=f"Mark “{order.title}” delivered?",
            caption=order.member.name,
            action=url_for("extras.deliver", order_id=order.id),
            button="Mark delivered and invoice",
            cancel=url_for("extras.show_order", order_id=order.id),
            rows=[
                ("Quote, excluding VAT", pounds(quoted)),
                ("Invoiced so far, excluding VAT", pounds(quoted - left)),
                ("To invoice now, excluding VAT", pounds(left)),
            ],
            points=(
                [f"an invoice for {pounds(left)} plus VAT is issued and emailed to {recipient}"]
                if left > 0
                else []
            )
            + ["the order is marked delivered and invoiced, and can no longer be cancelled"],
            warning="Issued invoices cannot be changed or deleted; corrections are credit notes.",
        )
    with refusals_flashed():
        services.deliver(order, current_user)
        flash("Order delivered. Anything not yet invoiced has been invoiced.", "success")
    return redirect(url_for("extras.show_order", order_id=order.id))


@bp.route("/billing/extras/orders/<int:order_id>/cancel", methods=["POST"])
@finance
def cancel_order(order_id: int):
    order = member_scoped(Order, order_id)
    form = forms.CancelForm()
    if form.validate_on_submit():
        with refusals_on(form, lines="description_1"):
            services.cancel(order, current_user, form.reason.data)
            flash("Order cancelled.", "success")
            return redirect(url_for("extras.show_order", order_id=order.id))
    return _order_page(order, cancel_form=form, status=400)


# Quote documents


def _quote(quote_id: int) -> Quote:
    q = db.get_or_404(Quote, quote_id)
    member_scoped(Order, q.order_id)
    return q


@bp.route("/billing/extras/quotes/<int:quote_id>")
@finance
def show_quote(quote_id: int):
    return render_template("extras/quote.html", quote=_quote(quote_id), today=uk_today())


@bp.route("/billing/extras/quotes/<int:quote_id>.pdf")
@finance
def quote_pdf(quote_id: int):
    q = _quote(quote_id)
    return pdf_response(emails.pdf(q), emails.filename(q))


# Reporting


@bp.route("/billing/extras/reports")
@finance
def reports_page():
    open_page, open_rows = reports.open_orders_page(request.args.get("open_page", 1, type=page_arg))
    return render_template(
        "extras/reports.html",
        income=reports.income(),
        open_orders=open_rows,
        open_page=open_page,
        open_totals=reports.open_orders_totals(),
        awaiting=reports.awaiting_reply_page(request.args.get("awaiting_page", 1, type=page_arg)),
        today=uk_today(),
    )


@bp.route('/billing/extras/reports/<any(income, "open-orders", "awaiting-reply"):table>.csv')
@finance
def reports_csv(table: str):
    today = uk_today()
    if table == "income":
        body = reports.income_csv()
    elif table == "open-orders":
        body = reports.open_orders_csv()
    else:
        body = reports.awaiting_reply_csv(today)
    return csv_response(body, f"extras-{table}-{today.isoformat()}.csv")
