"""Finance reports: statements of account, aged debt, the dashboard and exports."""

from datetime import date

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for

from billing.reports import aged_debt as reports_aged_debt
from billing.reports import bp, forms, statement_pdf
from billing.reports import dashboard as reports_dashboard
from billing.reports import exports as reports_exports
from billing.reports import statements as reports_statements
from company.auth.access import finance, finance_read
from company.clock import financial_year_start, uk_today
from company.extensions import db
from company.members.models import Member
from company.members.scoping import member_scoped
from company.settings import disclosures
from company.settings import services as settings
from company.ui.converters import is_id as _is_id
from company.ui.converters import page_arg
from company.ui.pages import csv_response, pdf_response
from company.ui.paging import given_page

# Statements (finance, and the council in its portal)

STATEMENTS_PER_PAGE = 50  # councils listed a page on the statements chooser


def _period():
    """The period asked for, defaulting to this financial year so far."""
    form = forms.PeriodForm(request.args)
    today = uk_today()
    if request.args and form.validate():
        start, end = form.start.data, form.end.data
    else:
        start, end = financial_year_start(today, settings.current().year_start_month), today
        if not request.args:
            form = forms.PeriodForm(formdata=None, start=start, end=end)
    if end < start:
        form.end.errors = [*form.end.errors, "The end of the period must be on or after its start"]
        start, end = end, end
    return form, start, end


def period_args(start: date, end: date) -> dict[str, int]:
    """The query string of a period, in the date fields' own names."""
    return {
        f"{name}-{part}": getattr(day, part)
        for name, day in (("start", start), ("end", end))
        for part in ("day", "month", "year")
    }


def statement_page(member: Member, pdf_endpoint: str, template: str, **extra):
    form, start, end = _period()
    result = reports_statements.statement(member, start, end)
    if request.path.endswith(".pdf"):
        rows = [
            statement_pdf.Row(e.on, e.kind, e.reference, e.debit, e.credit, e.balance)
            for e in result.entries
        ]
        body = statement_pdf.render(
            disclosures.current_particulars(),
            member.name,
            member.invoice_address or member.address or "",
            start,
            end,
            result.opening,
            rows,
            uk_today(),
        )
        filename = f"statement-{start.isoformat()}-to-{end.isoformat()}.pdf"
        return pdf_response(body, filename)
    return render_template(
        template,
        statement=result,
        form=form if form.errors else None,
        period_form=form,
        pdf_url=url_for(pdf_endpoint, **period_args(start, end), **extra),
        **({"member_id": extra["member_id"]} if "member_id" in extra else {}),
    )


@bp.route("/billing/statements")
@finance
def statements():
    """Choose a council and see its statement of account: search the councils by part of the
    name (`q`), a page of links at a time. `?member=<id>` goes straight to that statement."""
    chosen = request.args.get("member", "")
    if chosen:
        if _is_id(chosen) and db.session.scalar(
            sa.select(sa.exists().where(Member.id == int(chosen)))
        ):
            return redirect(url_for("reports.member_statement", member_id=int(chosen)))
        error = "Select a member council"
    else:
        error = None
    q = " ".join(request.args.get("q", "").split())[:200]
    query = sa.select(Member).options(sa.orm.load_only(Member.id, Member.name))
    if q:
        query = query.where(Member.name.icontains(q, autoescape=True))
    page = db.paginate(
        query.order_by(Member.name, Member.id),
        page=request.args.get("page", 1, type=page_arg),
        per_page=STATEMENTS_PER_PAGE,
        error_out=False,
    )
    return render_template("reports/statements.html", page=page, q=q, error=error), (
        400 if error else 200
    )


@bp.route("/billing/members/<int:member_id>/statement")
@bp.route("/billing/members/<int:member_id>/statement.pdf", endpoint="member_statement_pdf")
@finance
def member_statement(member_id: int):
    member = member_scoped(Member, member_id)
    return statement_page(
        member, "reports.member_statement_pdf", "reports/statement.html", member_id=member.id
    )


# Aged debt, dashboard, exports


@bp.route("/billing/aged-debt")
@bp.route("/billing/aged-debt.csv", endpoint="aged_debt_csv")
@finance_read
def aged_debt():
    """As at a date from the GOV.UK date input (`as_at-day`, `-month`, `-year`), or an ISO
    `as_at=2026-03-31` (the CSV link); today when neither is given."""
    as_at, form = uk_today(), forms.AsAtForm(request.args)
    iso = request.args.get("as_at")
    if iso:
        try:
            as_at = date.fromisoformat(iso)
        except ValueError:
            form.as_at.errors = ["Enter the date as a day, month and year, like 31 3 2026"]
        else:
            form = forms.AsAtForm(formdata=None, as_at=as_at)
    elif request.args:
        if form.validate():
            as_at = form.as_at.data
    else:
        form = forms.AsAtForm(formdata=None, as_at=as_at)
    if form.errors and request.path.endswith(".csv"):
        return redirect(url_for("reports.aged_debt", **request.args))
    if request.path.endswith(".csv"):
        return csv_response(
            reports_aged_debt.aged_debt_csv(as_at), f"aged-debt-{as_at.isoformat()}.csv"
        )
    number = request.args.get("page", 1, type=page_arg)
    found = reports_aged_debt.aged_debt_page(as_at, number)
    return render_template(
        "reports/aged_debt.html",
        page=given_page(found.rows, found.count, number, reports_aged_debt.PER_PAGE),
        credit=found.credit,
        totals=found.totals,
        args={} if as_at == uk_today() else {"as_at": as_at.isoformat()},  # kept by every page
        buckets=reports_aged_debt.BUCKETS,
        as_at=as_at,
        form=form,
    )


@bp.route("/billing/dashboard")
@finance_read
def dashboard():
    figures = reports_dashboard.dashboard(uk_today(), settings.current().year_start_month)
    peak = max([1] + [max(m.invoiced, m.collected, m.owed_at_end) for m in figures["months"]])
    return render_template("reports/dashboard.html", figures=figures, peak=peak)


@bp.route("/billing/exports")
@bp.route("/billing/exports/<any(xero, journal):kind>.csv", endpoint="export_csv")
@finance
def exports(kind: str | None = None):
    form, start, end = _period()
    if kind and not form.errors:
        body = (
            reports_exports.xero_sales_csv(start, end)
            if kind == "xero"
            else reports_exports.journal_csv(start, end)
        )
        name = f"{'xero-sales' if kind == 'xero' else 'journal'}-{start.isoformat()}-to-{end.isoformat()}.csv"
        return csv_response(body, name)
    return render_template(
        "reports/exports.html",
        period_form=form,
        form=form if form.errors else None,
        start=start,
        end=end,
        period=period_args(start, end),
    )
