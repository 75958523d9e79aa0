"""Forms for payments."""

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from billing.fields import PoundsField
from billing.payments.models import METHOD_LABELS
from company.ui.fields import (
    DateField,
    RadioField,
    Required,
    SelectField,
    StringField,
    TextAreaField,
    choices,
)


class PaymentForm(FlaskForm):
    member_id = SelectField("Member council", validators=[Required("Select the member council")])
    amount = PoundsField("Amount received, in pounds", [Required("Enter the amount received")])
    received_on = DateField("Date received", [Required("Enter the date the money was received")])
    method = SelectField(
        "How it was paid", choices=choices(list(METHOD_LABELS.items())), default="bank_transfer"
    )
    reference = StringField(
        "Payer's reference (optional)",
        [Optional(), Length(max=200)],
        description="As it appears on the bank statement",
    )
    allocate = RadioField(
        "What to set it against",
        default="oldest",
        validators=[Required("Select what to set the payment against")],
    )  # choices: oldest first, each of the chosen council's open invoices, or credit


class AllocateForm(FlaskForm):
    invoice_id = SelectField("Invoice", validators=[Required("Select the invoice")])
    amount = PoundsField("Amount, in pounds", [Required("Enter the amount to allocate")])


class ReverseForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        [Required("Enter the reason for the reversal"), Length(max=1000)],
        description="For example, the cheque bounced",
    )


class RefundForm(FlaskForm):
    amount = PoundsField("Amount paid back, in pounds", [Required("Enter the amount paid back")])
    reason = TextAreaField(
        "Reason", [Required("Enter the reason for the refund"), Length(max=1000)]
    )
