from flask_wtf import FlaskForm
from wtforms.validators import Email, Length, Optional, ValidationError

from company.auth.forms import EMAIL_FORMAT, email_field
from company.clock import uk_today
from company.ui.fields import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    Required,
    SelectField,
    StringField,
    TextAreaField,
    choices,
)

from . import authorities


def council_choices():
    return choices(
        [("", "Choose your council")]
        + [
            (a.gss_code, f"{a.name} ({a.type_name}, {a.region})")
            for a in authorities.current(uk_today())
        ]
    )


class ApplyForm(FlaskForm):
    gss_code = SelectField("Council")
    other_name = StringField(
        "Or, if your organisation is not a council on the list, its name",
        [Length(max=200)],
        description="For example, a parish council or a fire and rescue authority",
    )
    other_address = TextAreaField("Its address", [Length(max=500)])
    contact_name = StringField(
        "Your full name", [Required("Enter your full name"), Length(max=120)]
    )
    contact_email = email_field("Your work email address", "Enter your work email address")
    contact_role = StringField(
        "Your role",
        [Required("Enter your role"), Length(max=120)],
        description="For example, Head of Digital",
    )
    proposed_start = DateField(
        "Proposed start date",
        [Required("Enter the proposed start date")],
        description="The date you would like membership to start. For example, 1 4 2027",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gss_code.choices = council_choices()

    def validate_gss_code(self, field):
        if field.data and self.other_name.data:
            raise ValidationError(
                "Choose a council from the list or enter another body's name, not both"
            )
        if not field.data and not self.other_name.data:
            raise ValidationError(
                "Select your council, or enter the name of your organisation if it is not listed"
            )

    def validate_other_address(self, field):
        if self.other_name.data and not field.data:
            raise ValidationError("Enter the body's address")


class ApproveForm(FlaskForm):
    approved_on = DateField(
        "Date the board approved", [Required("Enter the date the board approved")]
    )
    resolution = StringField(
        "Board resolution reference",
        [Required("Enter the board resolution reference"), Length(max=100)],
        description="For example, BR-2026-014",
    )
    founding = BooleanField("Founding member")


class AddMemberForm(ApplyForm, ApproveForm):
    """A council the board already approved, added by the company secretary."""

    contact_name = StringField(
        "Contact's full name", [Required("Enter the contact's full name"), Length(max=120)]
    )
    contact_email = email_field("Contact's email address", "Enter the contact's email address")
    contact_role = StringField("Contact's role", [Optional(), Length(max=120)])
    proposed_start = DateField("Proposed joining date", [Optional()])


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason for declining",
        [Required("Enter the reason for declining"), Length(max=2000)],
        description="This is emailed to the applicant.",
    )


class AgreementForm(FlaskForm):
    signed_on = DateField(
        "Date the membership agreement was signed",
        [Required("Enter the date the agreement was signed")],
    )


class AddressForm(FlaskForm):
    address = TextAreaField(
        "Council address", [Required("Enter the council's address"), Length(max=500)]
    )


class InvoiceAddressForm(FlaskForm):
    invoice_address = TextAreaField(
        "Invoice address", [Required("Enter the invoice address"), Length(max=500)]
    )


class FinanceContactForm(FlaskForm):
    finance_email = EmailField(
        "Finance contact email",
        [Required("Enter the finance contact email address"), Email(EMAIL_FORMAT), Length(max=254)],
        description="Invoices and reminders go to this address. A shared mailbox works best.",
    )


class PurchaseOrderForm(FlaskForm):
    po_required = RadioField(
        "Does the council need a purchase order number on every invoice?",
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[Required("Select yes if the council needs a purchase order number")],
    )
    supplier_number = StringField(
        "Our supplier number at the council (optional)",
        [Optional(), Length(max=50)],
        description="If the council gives its suppliers a number, it is printed on invoices.",
    )


class JoiningForm(FlaskForm):
    joined_on = DateField("Joining date", [Required("Enter the joining date")])


class LeavingForm(FlaskForm):
    notice_given_on = DateField(
        "Date notice was given", [Required("Enter the date notice was given")]
    )
    ceased_on = DateField(
        "Leaving date",
        [Required("Enter the leaving date")],
        description="The day the council ceases to be a member.",
    )


class DetailsForm(FlaskForm):
    """What a council administrator may change about their own council."""

    contact_name = StringField(
        "Main contact's full name",
        [Required("Enter the main contact's full name"), Length(max=120)],
    )
    contact_email = email_field(
        "Main contact's email address", "Enter the main contact's email address"
    )
    contact_role = StringField("Main contact's role", [Optional(), Length(max=120)])
    address = TextAreaField(
        "Council address", [Required("Enter the council's address"), Length(max=500)]
    )
    invoice_address = TextAreaField(
        "Invoice address", [Required("Enter the invoice address"), Length(max=500)]
    )
    finance_email = EmailField(
        "Finance contact email",
        [Required("Enter the finance contact email address"), Email(EMAIL_FORMAT), Length(max=254)],
    )
    supplier_number = StringField(
        "Our supplier number at your council (optional)", [Optional(), Length(max=50)]
    )
    po_required = RadioField(
        "Do you need a purchase order number on every invoice?",
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[Required("Select yes if you need a purchase order number")],
    )
