from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from destinations.forms import GovDateField, VersionedForm, submit
from destinations.people.models import LEAVING_REASONS
from destinations.people.reference import PATHWAYS, PRIMARY_NEEDS, SEN_PROVISION

PATHWAY_CHOICES = [(str(number), f"{number}. {name}") for number, name in PATHWAYS.items()] + [("none", "Not yet decided")]


class PersonDetailsForm(VersionedForm):
    upn = StringField(
        "Unique Pupil Number (UPN)",
        description="13 characters, starting with a check letter, for example H938200110001",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
    )
    council_person_id = StringField(
        "Council person id (optional)",
        description="Only needed if the young person has no UPN",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
    )
    given_name = StringField("Given name", widget=GovTextInput(), validators=[InputRequired("Enter the young person's given name"), Length(max=100)])
    family_name = StringField("Family name", widget=GovTextInput(), validators=[InputRequired("Enter the young person's family name"), Length(max=100)])
    date_of_birth = GovDateField("Date of birth", description="For example, 27 3 2010", validators=[InputRequired("Enter the young person's date of birth")])
    sen_provision = RadioField(
        "SEN provision",
        choices=list(SEN_PROVISION.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select the SEN provision")],
    )
    primary_need = SelectField(
        "Primary need",
        choices=[("", "Select a primary need")] + [(code, f"{code} – {name}") for code, name in PRIMARY_NEEDS.items()],
        widget=GovSelect(),
        validators=[InputRequired("Select the primary need")],
    )
    school_id = SelectField("School", choices=[], widget=GovSelect(), validators=[Optional()])
    submit = submit("Save")


class NewPersonForm(PersonDetailsForm):
    keyworker_id = SelectField("Keyworker", choices=[], widget=GovSelect(), validators=[Optional()])
    submit = submit("Add young person")


class KeyworkerForm(VersionedForm):
    keyworker_id = SelectField("Keyworker", choices=[], widget=GovSelect(), validators=[Optional()])
    submit = submit("Save keyworker")


class PathwayForm(VersionedForm):
    pathway = RadioField("Pathway", choices=PATHWAY_CHOICES, widget=GovRadioInput(), validators=[InputRequired("Select a pathway")])
    reason = TextAreaField(
        "Reason for the change",
        description="This is kept in the pathway history",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reason for the pathway change"), Length(max=2000)],
    )
    submit = submit("Save pathway")


class ExtensionForm(VersionedForm):
    new_end = GovDateField("New roll end date", description="No later than their 25th birthday", validators=[InputRequired("Enter the new roll end date")])
    reason = TextAreaField("Reason for the extension", widget=GovTextArea(), validators=[InputRequired("Enter the reason for the extension"), Length(max=2000)])
    review_on = GovDateField("Review date", description="When the extension will be looked at again", validators=[InputRequired("Enter the date the extension will be reviewed")])
    submit = submit("Extend roll")


class LeavingForm(VersionedForm):
    left_on = GovDateField("Date they left the roll", validators=[InputRequired("Enter the date they left the roll")])
    reason = RadioField("Why did they leave?", choices=list(LEAVING_REASONS.items()), widget=GovRadioInput(), validators=[InputRequired("Select why they left the roll")])
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = submit("Record leaving")


class CaseloadFilterForm(FlaskForm):
    """GET filters for the caseload; no CSRF because nothing changes."""

    class Meta:
        csrf = False

    q = StringField("Name or UPN", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    year_group = SelectField("Year group", choices=[], widget=GovSelect(), validators=[Optional()])
    pathway = SelectField("Pathway", choices=[("", "Any pathway")] + PATHWAY_CHOICES, widget=GovSelect(), validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[("", "Any status"), ("upcoming", "Upcoming"), ("active", "Active"), ("extended", "Extended"), ("left", "Left")],
        widget=GovSelect(),
        validators=[Optional()],
    )
    next_transition_point = SelectField(
        "Next transition point",
        choices=[
            ("", "Any"),
            ("year9", "Year 9 (first PfA review)"),
            ("end_of_year11", "End of Year 11"),
            ("end_of_year13", "End of Year 13"),
            ("age_of_transition", "Age of transition"),
            ("roll_end", "Roll end"),
        ],
        widget=GovSelect(),
        validators=[Optional()],
    )
    keyworker = SelectField("Keyworker", choices=[], widget=GovSelect(), validators=[Optional()])
