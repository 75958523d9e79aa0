from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional, ValidationError

from billing.money import VAT_LABELS, VatCode, parse_pounds
from company.ui.fields import DateField, Required, SelectField, StringField, TextAreaField, choices

VAT_CHOICES = choices([(code.value, VAT_LABELS[code]) for code in VatCode])


class PoundsField(StringField):
    """Money typed in pounds ('1,234.50'); .pence holds integer pence once valid."""

    pence: int | None = None

    def pre_validate(self, form):
        self.pence = None
        if self.data:
            try:
                self.pence = parse_pounds(self.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    def __call__(self, **kwargs):
        kwargs.setdefault("class_", "govuk-input--width-10")
        kwargs.setdefault("inputmode", "decimal")
        return super().__call__(**kwargs)


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
        from decimal import Decimal, InvalidOperation

        try:
            value = Decimal(field.data.strip())
        except InvalidOperation as exc:
            raise ValidationError("Quantity must be a number, like 1 or 2.5") from exc
        if value <= 0 or value != value.quantize(Decimal("0.01")):
            raise ValidationError("Quantity must be more than 0, with at most 2 decimal places")


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


class BandForm(FlaskForm):
    code = StringField(
        "Code", [Required("Enter a code"), Length(max=30)], description="Short, like district"
    )
    name = StringField("Name", [Required("Enter a name"), Length(max=120)])
    annual = PoundsField(
        "Annual amount, excluding VAT, in pounds", [Required("Enter the annual amount")]
    )
    vat_code = SelectField("VAT", choices=VAT_CHOICES, default="S")


class ApproveScheduleForm(FlaskForm):
    approved_on = DateField(
        "Date the board approved", [Required("Enter the date the board approved")]
    )
    resolution = StringField(
        "Board resolution reference",
        [Required("Enter the board resolution reference"), Length(max=100)],
    )


class CopyScheduleForm(FlaskForm):
    uplift = StringField(
        "Uplift, per cent",
        [Required("Enter the uplift, or 0")],
        default="0",
        description="For example 3.5 for a 3.5% increase",
    )

    def validate_uplift(self, field):
        from decimal import Decimal, InvalidOperation

        try:
            Decimal(field.data.strip().rstrip("%"))
        except InvalidOperation as exc:
            raise ValidationError("Uplift must be a number, like 3.5") from exc


class BandChoiceForm(FlaskForm):
    band = SelectField("Contribution band", validators=[Required("Select a band")])
