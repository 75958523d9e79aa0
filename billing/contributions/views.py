"""Finance pages for contribution schedules and the annual run."""

from datetime import date
from decimal import Decimal

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from billing.contributions import bp, forms, runs
from billing.contributions import services as contributions
from billing.money import VatCode
from company.auth.access import finance
from company.clock import financial_year_label, financial_year_start, uk_today
from company.extensions import db
from company.formats import long_date, pounds
from company.links import safe_next
from company.members.models import Member
from company.members.scoping import member_scoped
from company.settings import services as settings
from company.ui.converters import year_arg
from company.ui.pages import confirmation, confirmed, refusals_flashed, refusals_on


def _year(year: int) -> date:
    return date(year, settings.current().year_start_month, 1)


def _this_year() -> date:
    return financial_year_start(uk_today(), settings.current().year_start_month)


# Contribution schedules


@bp.route("/billing/schedules")
@finance
def list_schedules():
    return render_template(
        "contributions/schedules.html",
        schedules=contributions.schedules(),
        this_year=_this_year(),
        label=financial_year_label,
    )


@bp.route("/billing/schedules", methods=["POST"])
@finance
def create_schedule():
    year = request.form.get("year", type=year_arg)
    if not year:
        abort(400)
    with refusals_flashed():
        contributions.create_schedule(_year(year), current_user)
        return redirect(url_for("contributions.show_schedule", year=year))
    return redirect(url_for("contributions.list_schedules"))


def _schedule(year: int):
    schedule = contributions.schedule_for(_year(year))
    if schedule is None:
        abort(404)
    return schedule


def _schedule_page(schedule, band_form=None, approve_form=None, copy_form=None, status=200):
    band_form = band_form or forms.BandForm(formdata=None)
    approve_form = approve_form or forms.ApproveScheduleForm(formdata=None, approved_on=uk_today())
    copy_form = copy_form or forms.CopyScheduleForm(formdata=None)
    failed = next((f for f in (band_form, approve_form, copy_form) if f.errors), None)
    return (
        render_template(
            "contributions/schedule.html",
            schedule=schedule,
            label=financial_year_label(schedule.year_start),
            next_label=financial_year_label(
                date(schedule.year_start.year + 1, schedule.year_start.month, 1)
            ),
            band_form=band_form,
            approve_form=approve_form,
            copy_form=copy_form,
            form=failed,
            counts=contributions.members_per_band(),
            vat_labels={c.value: c.label for c in VatCode},
        ),
        status,
    )


@bp.route("/billing/schedules/<year:year>")
@finance
def show_schedule(year: int):
    return _schedule_page(_schedule(year))


@bp.route("/billing/schedules/<year:year>/bands", methods=["POST"])
@finance
def save_band(year: int):
    schedule = _schedule(year)
    form = forms.BandForm()
    if form.validate_on_submit():
        code = form.code.data.strip().lower()
        band = next((b for b in schedule.bands if b.code == code), None)  # same code: change it
        with refusals_on(form):
            contributions.save_band(
                schedule,
                form.code.data,
                form.name.data,
                form.annual.pence,
                form.vat_code.data,
                current_user,
                band=band,
            )
            flash(f"Band {form.code.data} saved.", "success")
            return redirect(url_for("contributions.show_schedule", year=year))
    return _schedule_page(schedule, band_form=form, status=400)


@bp.route("/billing/schedules/<year:year>/approve", methods=["POST"])
@finance
def approve_schedule(year: int):
    schedule = _schedule(year)
    form = forms.ApproveScheduleForm()
    if form.validate_on_submit():
        if not confirmed(identity=True) and schedule.bands and not schedule.approved:
            label = financial_year_label(schedule.year_start)
            return confirmation(
                title=f"Approve the {label} contribution schedule?",
                caption="Contribution schedules",
                action=url_for("contributions.approve_schedule", year=year),
                button="Approve schedule",
                cancel=url_for("contributions.show_schedule", year=year),
                rows=[
                    *(
                        (f"{b.code}: {b.name}", f"{pounds(b.annual_pence)} a year ({b.vat_code})")
                        for b in schedule.bands
                    ),
                    ("Board approved on", long_date(form.approved_on.data)),
                    ("Board resolution", form.resolution.data),
                ],
                points=[
                    "the schedule is fixed: its bands and amounts can no longer change",
                    f"the {label} annual run charges each member these amounts",
                ],
                warning="An approved schedule cannot be changed or unapproved.",
                identity=True,
            )
        with refusals_on(form):
            contributions.approve_schedule(
                schedule, form.approved_on.data, form.resolution.data, current_user
            )
            flash(
                f"The {financial_year_label(schedule.year_start)} schedule is approved and can no longer change.",
                "success",
            )
            return redirect(url_for("contributions.show_schedule", year=year))
    return _schedule_page(schedule, approve_form=form, status=400)


@bp.route("/billing/schedules/<year:year>/copy", methods=["POST"])
@finance
def copy_schedule(year: int):
    schedule = _schedule(year)
    form = forms.CopyScheduleForm()
    if form.validate_on_submit():
        next_year = date(schedule.year_start.year + 1, schedule.year_start.month, 1)
        with refusals_on(form):
            contributions.copy_schedule(
                schedule, next_year, Decimal(form.uplift.data.strip().rstrip("%")), current_user
            )
            flash(
                f"The {financial_year_label(next_year)} schedule is ready to check and approve.",
                "success",
            )
            return redirect(url_for("contributions.show_schedule", year=next_year.year))
    return _schedule_page(schedule, copy_form=form, status=400)


@bp.route("/billing/members/<int:member_id>/band", methods=["POST"])
@finance
def set_member_band(member_id: int):
    member = member_scoped(Member, member_id)
    with refusals_flashed():
        contributions.set_band(member, request.form.get("band", ""), current_user)
        flash(f"{member.name} is now in band {contributions.band_code(member)}.", "success")
    return redirect(
        safe_next(request.form.get("next"))
        or url_for("contributions.run_contributions", year=_this_year().year)
    )


# The annual run


@bp.route("/billing/contributions/<year:year>")
@finance
def run_contributions(year: int):
    year_start = _year(year)
    try:
        rows = contributions.preview(year_start)
        error = None
    except contributions.ContributionError as exc:
        rows, error = [], str(exc)
    schedule = contributions.schedule_for(year_start)
    return render_template(
        "contributions/run.html",
        year=year,
        label=financial_year_label(year_start),
        rows=rows,
        error=error,
        summary=contributions.summary(year_start),
        band_codes=[b.code for b in schedule.bands] if schedule else [],
        running=runs.active(year_start),
    )


@bp.route("/billing/contributions/<year:year>/<any(drafts, issue):stage>", methods=["POST"])
@finance
def start_run(year: int, stage: str):
    if stage == "issue" and not confirmed():
        year_start = _year(year)
        done = contributions.summary(year_start)
        to_issue = done.drafts - done.held
        if to_issue and not runs.active(year_start):
            return confirmation(
                title=f"Issue {to_issue} contribution invoice{'s' if to_issue != 1 else ''} "
                f"for {financial_year_label(year_start)}?",
                caption="Annual run",
                action=url_for("contributions.start_run", year=year, stage="issue"),
                button="Issue and email invoices",
                cancel=url_for("contributions.run_contributions", year=year),
                rows=[
                    ("Drafts to issue", str(to_issue)),
                    ("Held for a purchase order number (not issued)", str(done.held)),
                    ("Already issued", str(done.issued)),
                ],
                points=[
                    "each draft is numbered, dated today and made into a PDF",
                    "each is emailed to its council's finance contact with the PDF attached",
                    "each council owes its invoice's total from today",
                ],
                warning="Issued invoices cannot be changed or deleted; corrections are credit notes.",
            )
    with refusals_flashed():
        run = runs.start(_year(year), stage, current_user)
        return redirect(url_for("contributions.show_run", run_id=run.id))
    return redirect(url_for("contributions.run_contributions", year=year))


@bp.route("/billing/runs/<int:run_id>")
@finance
def show_run(run_id: int):
    runs.stop_abandoned()
    run = db.get_or_404(runs.ContributionRun, run_id)
    return render_template(
        "contributions/run_progress.html",
        run=run,
        year=run.year_start.year,
        label=financial_year_label(run.year_start),
        result=run.result,
    )


def portal_invoices_panel(member) -> dict:
    """Contributions' panel on the council's invoices page: how this year's was worked out."""
    return {"contribution": contributions.explain_for_member(member, _this_year())}
