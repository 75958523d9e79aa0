"""The council's extras in its portal: request, quotes, accept or decline, orders."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing.extras import bp, emails, forms, services
from billing.extras.models import Extra, InvoiceRule, Order, OrderStatus, Quote
from billing.invoices.models import Invoice, Status
from company.auth.access import council
from company.clock import uk_today
from company.extensions import db
from company.formats import long_date, pounds
from company.members.scoping import member_scoped, own_member, scoped
from company.ui.pages import confirmation, confirmed, pdf_response, refusals_on


def _show(order_id: int):
    return redirect(url_for("extras.portal_show_order", order_id=order_id))


@bp.route("/portal/extras/")
@council
def portal_list_orders():
    member = own_member()
    orders = db.session.scalars(scoped(Order).order_by(Order.created_at.desc(), Order.id.desc()))
    return render_template(
        "extras/portal/list.html",
        member=member,
        orders=orders.all(),
        current_quote=services.current_quote,
        extras=services.catalogue(),
    )


@bp.route("/portal/extras/request", methods=["GET", "POST"])
@council
def portal_request_extra():
    member = own_member()
    extras = services.catalogue()
    form = forms.RequestForm()
    form.extra.choices = [(str(e.id), e.name) for e in extras] + [
        (forms.SOMETHING_ELSE, "Something else")
    ]
    if request.method == "GET" and request.args.get("extra"):
        form.extra.data = request.args["extra"]
    if form.validate_on_submit():
        chosen = form.extra.data
        extra = None if chosen == forms.SOMETHING_ELSE else db.session.get(Extra, int(chosen))
        with refusals_on(form):
            order = services.request_extra(
                member, form.title.data, form.request.data, current_user, extra
            )
            flash("Your request has been sent. We will reply with a quote.", "success")
            return _show(order.id)
    return render_template("extras/portal/request.html", member=member, form=form, extras=extras)


def _order_page(order: Order, accept=None, decline=None, form=None):
    quote = services.current_quote(order)
    invoices = db.session.scalars(
        scoped(Invoice)
        .where(
            Invoice.order_id == order.id,
            sa.or_(Invoice.status != Status.DRAFT, Invoice.held_reason.is_not(None)),
        )
        .order_by(Invoice.id)
    ).all()
    return render_template(
        "extras/portal/order.html",
        order=order,
        quote=quote,
        older=[q for q in order.quotes if q is not quote],
        expired=quote is not None and quote.valid_until < uk_today(),
        invoices=invoices,
        events=list(reversed(services.timeline(order))),
        own_people={u.email for u in order.member.users},  # staff are shown as the company
        accept=accept or forms.AcceptForm(prefix="accept"),
        decline=decline or forms.DeclineForm(prefix="decline"),
        form=form,
    )


@bp.route("/portal/extras/quotes/<int:quote_id>.pdf")
@council
def portal_quote_pdf(quote_id: int):
    """The PDF of one of the council's own quotes (any version); another council's is 404."""
    quote = db.session.scalar(
        sa.select(Quote)
        .join(Order, Quote.order_id == Order.id)
        .where(Quote.id == quote_id, Order.member_id == own_member().id)
    )
    if quote is None:
        abort(404)
    return pdf_response(emails.pdf(quote), emails.filename(quote))


@bp.route("/portal/extras/orders/<int:order_id>")
@council
def portal_show_order(order_id: int):
    return _order_page(member_scoped(Order, order_id))


def _decide(order_id: int, form, act, done: str, ask):
    """Accept or decline the current quote: first `ask(order, quote)` shows what will happen
    (when the quote can be decided); a refusal shows against its field, or as a problem."""
    order = member_scoped(Order, order_id)
    quote = services.current_quote(order)
    if quote is None:
        abort(404)
    if form.validate_on_submit():
        open_quote = order.status == OrderStatus.QUOTED and quote.valid_until >= uk_today()
        if not confirmed() and open_quote and (page := ask(order, quote)) is not None:
            return page
        with refusals_on(form, flash_unplaced=True):
            act(quote)
            flash(done.format(quote=quote), "success")
            return _show(order.id)
        if not form.errors:  # refused for a reason about the quote, not the form: shown on its page
            return _show(order.id)
    is_accept = isinstance(form, forms.AcceptForm)
    return _order_page(
        order,
        accept=form if is_accept else None,
        decline=None if is_accept else form,
        form=form,
    )


@bp.route("/portal/extras/orders/<int:order_id>/accept", methods=["POST"])
@council
def portal_accept_quote(order_id: int):
    form = forms.AcceptForm(prefix="accept")
    return _decide(
        order_id,
        form,
        lambda q: services.accept(q, current_user, po_number=form.po_number.data),
        "You have accepted quote {quote.reference}. We will be in touch to arrange the work.",
        lambda order, quote: _confirm_accept(order, quote, form.po_number.data),
    )


def _invoicing(order: Order) -> str:
    rule = order.extra.invoice_rule if order.extra else InvoiceRule.ON_DELIVERY
    if rule == InvoiceRule.ON_ACCEPTANCE:
        return "we invoice the whole amount now, on acceptance"
    if rule == InvoiceRule.STAGED:
        return (
            f"we invoice {order.extra.stage_percent}% now, on acceptance, "
            "and the rest when the work is delivered"
        )
    return "we invoice when the work is delivered"


def _confirm_accept(order: Order, quote: Quote, po_number: str | None):
    po_number = (po_number or "").strip()
    if order.member.po_required and not po_number:
        return None  # refused straight away: the purchase order number is needed
    return confirmation(
        title=f"Accept quote {quote.reference}?",
        caption=order.title,
        action=url_for("extras.portal_accept_quote", order_id=order.id),
        button="Accept quote",
        cancel=url_for("extras.portal_show_order", order_id=order.id),
        rows=[
            ("Total excluding VAT", pounds(quote.net_pence)),
            ("VAT", pounds(quote.vat_pence)),
            ("Total", pounds(quote.gross_pence)),
            ("Valid until", long_date(quote.valid_until)),
            ("Purchase order number", po_number or "None"),
        ],
        points=[
            f"{order.member.name} agrees to buy this work for {pounds(quote.gross_pence)}",
            _invoicing(order),
        ],
        warning="Once accepted, a quote cannot be withdrawn here: contact us to cancel.",
    )


@bp.route("/portal/extras/orders/<int:order_id>/decline", methods=["POST"])
@council
def portal_decline_quote(order_id: int):
    form = forms.DeclineForm(prefix="decline")
    return _decide(
        order_id,
        form,
        lambda q: services.decline(q, current_user, form.reason.data),
        "You have declined quote {quote.reference}.",
        lambda order, quote: confirmation(
            title=f"Decline quote {quote.reference}?",
            caption=order.title,
            action=url_for("extras.portal_decline_quote", order_id=order.id),
            button="Decline quote",
            cancel=url_for("extras.portal_show_order", order_id=order.id),
            rows=[("Total", pounds(quote.gross_pence)), ("Reason", form.reason.data)],
            points=["the order is closed; ask for a new quote if you change your mind"],
            warning="A declined quote cannot be accepted afterwards.",
            destructive=True,
        ),
    )
