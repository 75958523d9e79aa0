"""The period of a statement or an export."""

from flask_wtf import FlaskForm

from company.ui.fields import (
    DateField,
    Required,
)


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateField("From", [Required("Enter the start of the period")])
    end = DateField("To", [Required("Enter the end of the period")])
