"""Forms for the council's extras pages."""

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from company.ui.fields import RadioField, Required, StringField, TextAreaField

SOMETHING_ELSE = "other"


class RequestForm(FlaskForm):
    extra = RadioField(
        "What does your council need?",
        validators=[Required("Select an extra, or select Something else")],
    )
    title = StringField(
        "Short title (optional)",
        [Optional(), Length(max=200)],
        description="For example, Extra reports for the planning team. "
        "Leave blank to use the name of the extra.",
    )
    request = TextAreaField(
        "Describe what your council needs",
        [Required("Describe what your council needs"), Length(max=5000)],
        description="Include dates, volumes and anything we should know to prepare a quote.",
    )


class AcceptForm(FlaskForm):
    po_number = StringField(
        "Purchase order number",
        [
            Optional(),
            Length(max=50, message="Purchase order number must be 50 characters or fewer"),
        ],
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason for declining",
        [Required("Enter the reason for declining"), Length(max=1000)],
    )
