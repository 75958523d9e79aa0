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


class AsAtForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    as_at = DateField(
        "As at",
        [Required("Enter the date to show what was owed on")],
        description="Any date: what was owed then, by how long it had been overdue. "
        "For example, 31 3 2026",
    )
