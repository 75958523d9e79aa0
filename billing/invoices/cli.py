"""`flask billing pdf`: the stored PDF of an issued invoice or credit note."""

from pathlib import Path

import click
import sqlalchemy as sa

from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Status
from company.extensions import db


@click.command("pdf")
@click.argument("number")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def pdf_command(number, output):
    """Write the PDF of an issued invoice or credit note."""
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.number == number.strip().upper()))
    if invoice is None or invoice.status == Status.DRAFT:
        raise click.ClickException(f"No issued invoice or credit note numbered {number}")
    Path(output).write_bytes(invoices.stored_pdf(invoice))
    click.echo(f"Wrote {output}")
