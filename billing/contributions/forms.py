"""Forms for contribution schedules and bands."""

from flask_wtf import FlaskForm
from wtforms.validators import Length, ValidationError

from billing.fields import VAT_CHOICES, PoundsField
from company.ui.fields import DateField, Required, SelectField, StringField


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
