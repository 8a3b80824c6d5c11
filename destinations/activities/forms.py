"""Forms for activity records. The rules (codes, dates, hours) are checked by the service, so
the pages and the API give the same messages; these forms only read what was typed."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovTextInput
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from destinations.activities import codes
from destinations.activities.services import FOLLOW_UP_REASONS, LEVELS
from destinations.forms import GovDateField, VersionedForm, submit


def code_choices() -> list[tuple[str, str]]:
    """Every code, grouped by reading order (group first), so a long list is easy to scan."""
    order = list(codes.GROUPS)
    ordered = sorted(codes.ACTIVITY_CODES.values(), key=lambda c: (order.index(c.group), c.service_code, c.code))
    return [("", "Select an activity")] + [(c.code, f"{c.group_label}: {c.code} {c.label}") for c in ordered]


class ActivityForm(VersionedForm):
    activity_code = SelectField("What are they doing?", choices=code_choices(), widget=GovSelect(), validators=[Optional()], validate_choice=False)
    started_on = GovDateField("Start date", description="For example, 1 9 2026")
    ended_on = GovDateField("End date (optional)", description="Leave blank if it is still going on")
    provider_id = SelectField(
        "Provider from the directory (optional)", choices=[], validators=[Optional()], validate_choice=False,
        description="The college, employer or other provider, if it is in the directory",
    )
    provider_name = StringField(
        "Or the provider's name (optional)",
        description="If the provider is not in the directory. Leave blank if you chose one above",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="The provider name must be 200 characters or fewer")],
    )
    hours_per_week = StringField(
        "Hours a week",
        description="Needed for work, including apprenticeships, for example 16 or 37.5",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10, message="Enter the hours a week as a number, for example 16 or 37.5")],
    )
    level = SelectField(
        "Level (optional)",
        choices=[("", "Not applicable")] + list(LEVELS.items()),
        widget=GovSelect(),
        validators=[Optional()],
        validate_choice=False,
        description="The qualification level, for education and training",
    )
    verified = BooleanField("Verified: I have checked this with the young person, their family or the provider", widget=GovCheckboxInput())
    submit = submit("Save activity")


class NewActivityForm(ActivityForm):
    end_current = BooleanField(
        "End their current activities the day before this one starts",
        widget=GovCheckboxInput(),
        default=True,
        description="Leave ticked when they have moved on. Untick if they are doing both (for example college and a part-time job)",
    )
    submit = submit("Add activity")


class EndActivityForm(VersionedForm):
    ended_on = GovDateField("End date", description="The last day they did this, for example 31 7 2027", validators=[InputRequired("Enter the date the activity ended")])
    submit = submit("End activity")


class ConfirmActivityForm(VersionedForm):
    """'Confirm still doing this': only the version, so a stale page cannot confirm a changed record."""


class DeleteActivityForm(VersionedForm):
    submit = submit("Delete activity")


class FollowUpFilterForm(FlaskForm):
    """GET filters for the follow-up worklist; no CSRF because nothing changes."""

    class Meta:
        csrf = False

    reason = SelectField("Reason", choices=[("", "Any reason")] + list(FOLLOW_UP_REASONS.items()), widget=GovSelect(), validators=[Optional()])
    keyworker = SelectField("Keyworker", choices=[], widget=GovSelect(), validators=[Optional()])


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    reference_date = GovDateField("Reference date", description="The day the return describes, for example 31 1 2027")
    submit = submit("Download CSV")
