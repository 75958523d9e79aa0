"""`flask billing …`: the annual contribution run and PDFs of issued documents."""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from company.extensions import db

from .contributions import services as contributions
from .invoices import services as invoices
from .invoices.models import Invoice, Status
from .money import financial_year_label

billing_cli = AppGroup("billing", help="Contributions, invoices and credit notes.")


def _year_start(year: int):
    from datetime import date

    from company.settings.services import current

    return date(year, current().year_start_month, 1)


@billing_cli.command("contributions")
@click.option(
    "--year",
    type=int,
    required=True,
    help="Financial year by its first calendar year, e.g. 2026 for 2026/27.",
)
@click.option("--issue", "do_issue", is_flag=True, help="Also issue the drafts (and email them).")
def contributions_command(year, do_issue):
    """Preview, create drafts and (with --issue) issue the year's contribution invoices.

    Safe to run again: nothing is made twice and no invoice number is skipped."""
    year_start = _year_start(year)
    try:
        rows = contributions.preview(year_start)
    except contributions.ContributionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{financial_year_label(year_start)}: {len(rows)} members")
    for row in rows:
        for warning in row.warnings:
            click.echo(f"  {row.member.name}: {warning}")

    def bar(label):
        state = {"bar": None}

        def progress(done, total):
            if state["bar"] is None:
                state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
                state["bar"].__enter__()
            state["bar"].update(done - state["bar"].pos)
            if done >= total:
                state["bar"].__exit__(None, None, None)

        return progress

    result = contributions.create_drafts(year_start, progress=bar("Drafts"))
    if do_issue:
        result = contributions.issue_drafts(year_start, progress=bar("Issuing"))
    click.echo(result.line())


@billing_cli.command("pdf")
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def pdf_command(number, output):
    """Write the PDF of an issued invoice or credit note."""
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.number == number.strip().upper()))
    if invoice is None or invoice.status == Status.DRAFT:
        raise click.ClickException(f"No issued invoice or credit note numbered {number}")
    Path(output).write_bytes(invoices.stored_pdf(invoice))
    click.echo(f"Wrote {output}")


from .payments.reminders_cli import reminders_command  # noqa: E402,F401
