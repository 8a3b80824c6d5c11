"""Forms for the administrator's pages: staff accounts and providers."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovRadioInput, GovSelect, GovTextInput
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from destinations.auth.models import ROLE_NAMES, ROLES
from destinations.forms import VersionedForm, submit
from destinations.providers.models import PROVIDER_KINDS

# The order the role radios appear in; "college" is last so its provider question follows it.
ROLE_ORDER = ("keyworker", "manager", "admin", "college")
ROLE_HINTS = {
    "keyworker": "Sees and updates the young people on their own caseload.",
    "manager": "Sees the whole roll, assigns keyworkers, runs reports and searches the audit log.",
    "admin": "Manages staff accounts and providers and searches the audit log. Does not see young people's records.",
    "college": "Sees reports only: area-wide, or for their own provider.",
}
# Kinds of provider whose staff may have a college account.
COLLEGE_KINDS = ("college", "sixth_form_college", "specialist_college", "training", "university")
NO_PROVIDER = SelectChoice("", "None (area-wide reports only)")


def one_of_choices(message: str):
    """Refuse a value that is not one of the field's current choices (they may be set per request)."""

    def check(form, field):
        if field.data and field.data not in {str(SelectChoice.from_input(choice).value) for choice in field.choices}:
            raise ValidationError(message)

    return check


class NewStaffForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's full name"), Length(max=120, message="Full name must be 120 characters or fewer")],
    )
    email = StringField(
        "Email address",
        description="They sign in with this, so use their work email address.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter their email address"), Length(max=254, message="Email address must be 254 characters or fewer")],
    )
    role = RadioField(
        "Role",
        choices=[SelectChoice(role, ROLE_NAMES[role]) for role in ROLE_ORDER],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired("Select their role"), AnyOf(ROLES, message="Select their role")],
    )
    provider_id = SelectField(
        "Provider (college users only)",
        description="The provider a college user works for. Leave as none for other roles, or for a college user who should see only area-wide reports.",
        choices=[NO_PROVIDER],
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional(), one_of_choices("Select a provider from the list")],
    )
    password = PasswordField(
        "Password (optional)",
        description="Leave this blank and the service will make a strong password for you to pass on. If you choose one, it must be at least 12 characters.",
        widget=GovPasswordInput(),
        validators=[Length(max=1000, message="Password must be 1000 characters or fewer")],
    )
    submit = submit("Add staff member")


class RenameStaffForm(VersionedForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the person's full name"), Length(max=120, message="Full name must be 120 characters or fewer")],
    )
    submit = submit("Save name")


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token: for confirming an action."""


class ProviderForm(VersionedForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the provider's name"), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    kind = RadioField(
        "Type of provider",
        choices=[SelectChoice(kind, name) for kind, name in PROVIDER_KINDS.items()],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired("Select the type of provider"), AnyOf(list(PROVIDER_KINDS), message="Select the type of provider")],
    )
    urn = StringField(
        "URN (optional)",
        description="Unique Reference Number for schools: 6 or 7 digits, from Get Information about Schools.",
        widget=GovTextInput(),
        validators=[Length(max=20, message="URN must be 6 or 7 digits, like 123456")],
    )
    ukprn = StringField(
        "UKPRN (optional)",
        description="UK Provider Reference Number: 8 digits starting with 1, from the UK Register of Learning Providers.",
        widget=GovTextInput(),
        validators=[Length(max=20, message="UKPRN must be 8 digits starting with 1, like 10001234")],
    )
    postcode = StringField(
        "Postcode (optional)",
        widget=GovTextInput(),
        validators=[Length(max=10, message="Postcode must be 10 characters or fewer")],
    )
    active = BooleanField("Open: show this provider when staff choose a school or provider", widget=GovCheckboxInput(), default=True)
    submit = submit("Save provider")
