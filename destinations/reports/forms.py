from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired


class PublishForm(FlaskForm):
    """Publish the live demand report for the academic year on the page (CSRF-protected)."""

    academic_year = HiddenField(validators=[InputRequired()])
