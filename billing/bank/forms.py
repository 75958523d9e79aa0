"""Forms of the bank statement pages: the upload with its column mapping, and the decisions
on a line that was not matched automatically."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField as WtfFileField
from flask_wtf.file import FileRequired
from wtforms import HiddenField
from wtforms.validators import Length, Optional, ValidationError

from billing.bank.statement import MAX_BYTES, Columns
from company.ui.fields import (
    RadioField,
    Required,
    SelectField,
    StringField,
    TextAreaField,
    choices,
    render_macro,
)


class GovFileUpload:
    """The GOV.UK file upload component. `problems` (a list) shows several errors at once."""

    def __call__(self, field, **kwargs):
        problems = kwargs.pop("problems", None) or field.errors
        error = None
        if problems:
            error = {"html": "<br>".join(_escape(p) for p in problems)}
        return render_macro(
            "file-upload",
            "govukFileUpload",
            {
                "id": field.id,
                "name": field.name,
                "label": {"text": field.label.text, "classes": "govuk-label--s"},
                "hint": {"text": field.description} if field.description else None,
                "errorMessage": error,
                "attributes": {"accept": ".csv,text/csv"},
            },
        )


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


class FileField(WtfFileField):
    widget = GovFileUpload()


LAYOUTS = choices(
    [
        ("one", "One amount column (money out shown as a minus amount)"),
        ("separate", "Separate paid in and paid out columns"),
    ]
)


class ImportForm(FlaskForm):
    file = FileField(
        "Upload a bank statement",
        [FileRequired("Select a CSV file")],
        description="A CSV file exported from online banking, up to 10MB",
    )
    date_column = StringField(
        "Date column", [Required("Enter the name of the date column"), Length(max=60)]
    )
    description_column = StringField(
        "Description or reference column",
        [Required("Enter the name of the description column"), Length(max=60)],
    )
    layout = RadioField("How amounts are shown", choices=LAYOUTS, default="one")
    amount_column = StringField("Amount column", [Length(max=60)])  # required: see below
    paid_in_column = StringField("Paid in column", [Length(max=60)])
    paid_out_column = StringField("Paid out column (optional)", [Optional(), Length(max=60)])

    def validate_amount_column(self, field):
        if self.layout.data == "one" and not field.data:
            raise ValidationError("Enter the name of the amount column")

    def validate_paid_in_column(self, field):
        if self.layout.data == "separate" and not field.data:
            raise ValidationError("Enter the name of the paid in column")

    def validate_file(self, field):
        if field.data:
            data = field.data.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise ValidationError("The selected file must be smaller than 10MB")
            self.content = data

    def fill(self, columns: Columns) -> "ImportForm":
        """Pre-fill the mapping fields from the remembered mapping (on GET)."""
        self.date_column.data = columns.date
        self.description_column.data = columns.description
        self.layout.data = "separate" if columns.separate else "one"
        self.amount_column.data = columns.amount or ""
        self.paid_in_column.data = columns.paid_in or ""
        self.paid_out_column.data = columns.paid_out or ""
        return self

    def columns(self) -> Columns:
        separate = self.layout.data == "separate"
        return Columns(
            self.date_column.data,
            self.description_column.data,
            None if separate else self.amount_column.data,
            self.paid_in_column.data if separate else None,
            (self.paid_out_column.data or None) if separate else None,
        )


class ConfirmForm(FlaskForm):
    invoice_id = HiddenField()
    back = HiddenField()  # 'line': return to the line's page rather than the review list


class AllocateForm(FlaskForm):
    """The member (chosen first, on the line page); the ticked invoices arrive as the list
    `invoice_ids` (none ticked: its oldest invoices first)."""

    member_id = SelectField("Member council", validators=[Required("Select the member council")])


class IgnoreForm(FlaskForm):
    reason = TextAreaField(
        "Why is this not a member's payment?",
        [Required("Enter why this line is not a member's payment"), Length(max=500)],
        description="For example, a refund from a supplier or bank interest",
    )
