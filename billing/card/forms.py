"""Forms for card payments."""

from flask_wtf import FlaskForm
from wtforms.validators import Length

from billing.fields import PoundsField
from company.ui.fields import Required, TextAreaField


class RefundForm(FlaskForm):
    amount = PoundsField("Amount to refund, in pounds", [Required("Enter the amount to refund")])
    reason = TextAreaField(
        "Reason for the refund",
        [Required("Enter the reason for the refund"), Length(max=500)],
        description="Kept in the payment's history.",
    )
