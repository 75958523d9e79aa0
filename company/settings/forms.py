from flask_wtf import FlaskForm
from wtforms.validators import Length, NumberRange

from company.formats import MONTHS
from company.ui.fields import (
    IntegerField,
    Required,
    SelectField,
    StringField,
    TextAreaField,
    choices,
)


class SettingsForm(FlaskForm):
    legal_name = StringField(
        "Company name", [Required("Enter the company's registered name"), Length(max=160)]
    )
    company_number = StringField(
        "Company number",
        [Required("Enter the company number")],
        description="8 characters, like 01234567",
    )
    registered_office = TextAreaField(
        "Registered office", [Required("Enter the registered office address"), Length(max=500)]
    )
    registered_in = SelectField(
        "Registered in",
        choices=choices(
            [(v, v) for v in ["England and Wales", "Scotland", "Northern Ireland", "Wales"]]
        ),
    )
    vat_number = StringField(
        "VAT registration number (optional)",
        description="Like GB 980 7806 84. Leave empty if the company is not VAT registered.",
    )
    bank_account_name = StringField(
        "Bank account name", [Required("Enter the bank account name"), Length(max=120)]
    )
    bank_sort_code = StringField(
        "Sort code", [Required("Enter the sort code")], description="Like 30-99-50"
    )
    bank_account_number = StringField(
        "Account number", [Required("Enter the account number")], description="8 digits"
    )
    invoice_prefix = StringField(
        "Invoice number prefix",
        [Required("Enter the invoice number prefix")],
        description="Invoices are numbered like INV-2026-00001",
    )
    credit_note_prefix = StringField(
        "Credit note number prefix",
        [Required("Enter the credit note number prefix")],
        description="Like CN-2026-00001",
    )
    payment_terms_days = IntegerField(
        "Payment terms in days",
        [NumberRange(0, 120, "Payment terms must be between 0 and 120 days")],
        description="Councils usually pay within 30 days",
    )
    year_start_month = SelectField(
        "Financial year starts in", choices=choices([(str(i + 1), m) for i, m in enumerate(MONTHS)])
    )
    control_statement = TextAreaField(
        "Local authority control statement",
        [Required("Enter the local authority control statement"), Length(max=2000)],
        description="Printed on every invoice and credit note (Local Authorities (Companies) Order 1995, article 4). "
        "{company} becomes the company name and {members} the names of the member councils on the day of issue.",
    )
