"""Form building blocks shared by every area: GOV.UK widgets and a date field in three boxes."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import DateField, HiddenField, SubmitField
from wtforms.validators import ValidationError


class GovDateField(DateField):
    """Day, month and year boxes with messages that say what to fix."""

    widget = GovDateInput()

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None and not self.raw_data:
            self.raw_data = ["", "", ""] if data is None else None

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        # The widget unpacks exactly three boxes, so a short or missing post must still give three.
        self.raw_data = (list(valuelist or []) + ["", "", ""])[:3]
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        parts = [part.strip() for part in valuelist]
        if len(parts) != 3 or not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts + ["", "", ""]) if not part]
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2010") from None


def not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(f"{field.label.text} must be today or in the past")


class VersionedForm(FlaskForm):
    """A form that carries the record's version so a stale save is caught."""

    version = HiddenField()


def submit(label: str = "Save") -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())
