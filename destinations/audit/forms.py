"""The audit log search form: filters sent as a GET query, so a search can be bookmarked."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import AnyOf, Length, Optional, Regexp, ValidationError

from destinations.audit.services import ACTIONS
from destinations.forms import GovDateField

OBJECT_TYPES = {"young_person": "Young person", "user": "Staff member", "provider": "Provider", "audit_log": "Audit log", "report": "Report", "scheduled_job": "Scheduled job run", "import_run": "Import"}


class SearchDateField(GovDateField):
    """A date filter that may be left out of the query altogether."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        # The widget expects exactly three boxes' worth of raw data, or none.
        if not self.raw_data:
            self.raw_data = None
        elif len(self.raw_data) != 3:
            self.raw_data = (list(self.raw_data) + ["", "", ""])[:3]


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    action = SelectField(
        "What was done",
        choices=[SelectChoice("", "Anything")] + [SelectChoice(key, name) for key, name in ACTIONS.items()],
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional(), AnyOf(list(ACTIONS), message="Select what was done from the list")],
    )
    object_type = SelectField(
        "Type of record",
        choices=[SelectChoice("", "Any record")] + [SelectChoice(key, name) for key, name in OBJECT_TYPES.items()],
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional(), AnyOf(list(OBJECT_TYPES), message="Select the type of record from the list")],
    )
    object_id = StringField(
        "Record number",
        description="For example 123, from the record's web address",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=18, message="Record number must be a number, like 123"), Regexp(r"^\s*[0-9]+\s*$", message="Record number must be a number, like 123")],
    )
    actor = StringField(
        "Who did it",
        description="Their work email address, or their staff number",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254, message="Who did it must be 254 characters or fewer")],
    )
    since = SearchDateField("From", description="For example, 27 3 2026")
    until = SearchDateField("To", description="For example, 31 3 2026")

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("To must be the same as or after From")
