"""Forms for invoices and credit notes."""

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional, ValidationError

from billing.fields import VAT_CHOICES, PoundsField
from billing.money import parse_quantity
from company.ui.fields import Required, SelectField, StringField, TextAreaField, choices


class NewInvoiceForm(FlaskForm):
    member_id = SelectField("Member council", validators=[Required("Select the member council")])
    po_number = StringField("Purchase order number (optional)", [Optional(), Length(max=50)])
    notes = TextAreaField("Notes printed on the invoice (optional)", [Optional(), Length(max=1000)])


class LineForm(FlaskForm):
    description = TextAreaField("Description", [Required("Enter a description"), Length(max=500)])
    quantity = StringField("Quantity", [Required("Enter the quantity")], default="1")
    unit_price = PoundsField(
        "Unit price excluding VAT, in pounds", [Required("Enter the unit price")]
    )
    vat_code = SelectField("VAT", choices=VAT_CHOICES, default="S")

    def validate_quantity(self, field):
        try:
            parse_quantity(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class PoForm(FlaskForm):
    po_number = StringField(
        "Purchase order number", [Required("Enter the purchase order number"), Length(max=50)]
    )


class CreditForm(FlaskForm):
    how = SelectField(
        "What to credit",
        choices=choices(
            [
                ("all", "The whole invoice"),
                ("lines", "Chosen lines in full"),
                ("amount", "An amount"),
            ]
        ),
        default="all",
    )
    amount = PoundsField("Amount to credit, excluding VAT, in pounds", [Optional()])
    reason = TextAreaField(
        "Reason for the credit",
        [Required("Enter the reason for the credit"), Length(max=1000)],
        description="Printed on the credit note.",
    )
