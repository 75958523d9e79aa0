"""Contribution schedules and draft invoices for billing tests."""

from datetime import date

from company.extensions import db
from company.members.models import Member


def schedule(year: int = 2026, approved: bool = True, bands=None):
    """A contribution schedule for the year starting 1 April `year`."""
    from billing.contributions.models import ContributionBand, ContributionSchedule

    s = ContributionSchedule(year_start=date(year, 4, 1))
    for i, (code, name, pence, vat) in enumerate(
        bands
        or [
            ("district", "District council", 500000, "S"),
            ("unitary", "Unitary authority", 1200000, "S"),
            ("county", "County council", 1500000, "S"),
            ("metropolitan", "Metropolitan borough", 1200000, "S"),
            ("london", "London borough", 1000000, "S"),
            ("other", "Other public body", 50000, "Z"),
        ]
    ):
        s.bands.append(
            ContributionBand(position=i, code=code, name=name, annual_pence=pence, vat_code=vat)
        )
    if approved:
        s.approved_on, s.approval_resolution = date(year, 3, 1), f"BR-{year}-001"
    db.session.add(s)
    db.session.commit()
    return s


def draft_invoice(member: Member, lines=((("Data migration", 1, 250000, "S")),), po_number=None):
    from decimal import Decimal

    from billing.invoices import services as invoice_services

    inv = invoice_services.new_draft(member, po_number=po_number)
    for description, quantity, unit, vat in lines:
        invoice_services.add_line(inv, description, unit, Decimal(quantity), vat)
    db.session.commit()
    return inv
