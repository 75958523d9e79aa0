from flask_wtf import FlaskForm
from wtforms.validators import Email, Length, ValidationError

from company.ui.fields import EmailField, PasswordField, Required, SelectField, StringField, choices

from .roles import ROLE_LABELS, STAFF_ROLES, Role

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def email_field(label="Email address", required="Enter your email address"):
    return EmailField(label, [Required(required), Email(EMAIL_FORMAT), Length(max=254)])


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField("Password", [Required("Enter your password")])


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Create a password",
        [Required("Enter a password")],
        description="Must be 12 characters or more. A few words strung together work well.",
    )
    confirm = PasswordField("Confirm password", [Required("Confirm your password")])

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError("Passwords must match")


class InviteStaffForm(FlaskForm):
    name = StringField("Full name", [Required("Enter their full name"), Length(max=120)])
    email = email_field(required="Enter their email address")
    role = SelectField(
        "Role",
        choices=choices(
            [("", "Choose a role")] + [(r.value, ROLE_LABELS[r]) for r in Role if r in STAFF_ROLES]
        ),
        validators=[Required("Select a role")],
    )


class InviteCouncilUserForm(FlaskForm):
    name = StringField("Full name", [Required("Enter their full name"), Length(max=120)])
    email = email_field(required="Enter their email address")
    role = SelectField(
        "Role",
        choices=choices(
            [
                (
                    Role.COUNCIL_USER.value,
                    "Council user – can see the council's membership and documents",
                ),
                (
                    Role.COUNCIL_ADMIN.value,
                    "Council administrator – can also manage users and details",
                ),
            ]
        ),
        default=Role.COUNCIL_USER.value,
        validators=[Required("Select a role")],
    )


def code_field(hint="The 6-digit code your app shows now, or one of your recovery codes."):
    return StringField(
        "Code from your authenticator app",
        [Required("Enter the code from your authenticator app"), Length(max=20)],
        description=hint,
    )


class CodeForm(FlaskForm):
    code = code_field()


class SetUpCodeForm(FlaskForm):
    code = code_field("After adding the account to your app, enter the 6 digits it shows.")


class ConfirmIdentityForm(FlaskForm):
    password = PasswordField("Your password", [Required("Enter your password")])
    code = code_field()


class ChangeRoleForm(FlaskForm):
    role = SelectField(
        "New role",
        choices=choices([(r.value, ROLE_LABELS[r]) for r in Role if r in STAFF_ROLES]),
        validators=[Required("Select a role")],
    )
