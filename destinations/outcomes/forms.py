from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField
from wtforms.validators import InputRequired

from destinations.forms import GovDateField, VersionedForm, submit
from destinations.outcomes.long_term import PAID_WORK
from destinations.outcomes.models import AREA_LABELS, LIVING_ARRANGEMENTS, PROGRESS


def _progress(area: str) -> RadioField:
    label = AREA_LABELS[area]
    return RadioField(
        f"Progress on {label[0].lower()}{label[1:]}",
        choices=list(PROGRESS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(f"Select their progress on {label[0].lower()}{label[1:]}")],
    )


class LongTermOutcomeForm(VersionedForm):
    """A check one or two years after the age of transition (CSRF-protected; versioned so two
    people saving at once do not overwrite each other)."""

    recorded_on = GovDateField(
        "Date of the check", description="The day you found this out, for example 27 3 2030",
        validators=[InputRequired("Enter the date of the check")],
    )  # fmt: skip
    living_arrangement = RadioField(
        "Where do they live?", choices=list(LIVING_ARRANGEMENTS.items()), widget=GovRadioInput(),
        validators=[InputRequired("Select where they live")],
    )  # fmt: skip
    paid_work_16_plus = RadioField(
        "Are they in paid work of 16 hours a week or more?",
        description="Apprenticeships and supported employment count as paid work",
        choices=list(PAID_WORK.items()), widget=GovRadioInput(),
        validators=[InputRequired("Select whether they are in paid work of 16 hours a week or more")],
    )  # fmt: skip
    progress_employment = _progress("employment")
    progress_independent_living = _progress("independent_living")
    progress_community = _progress("community")
    progress_health = _progress("health")
    submit = submit("Save the check")
