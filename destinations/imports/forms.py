from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import HiddenField

from destinations.forms import submit

CHOOSE_FILE = "Choose a CSV or Excel (.xlsx) file to upload"


class UploadForm(FlaskForm):
    file = FileField(
        "Upload a file",
        description="A CSV or Excel (.xlsx) file whose first row has the headings",
        widget=GovFileInput(),
        validators=[FileRequired(CHOOSE_FILE)],
    )
    submit = submit("Check the file")


class ConfirmForm(FlaskForm):
    preview = HiddenField()
    file = FileField(
        "Choose the same file again",
        description="The service does not keep a copy of your file, so choose it again to import it",
        widget=GovFileInput(),
        validators=[FileRequired("Choose the file you checked, to import it")],
    )
    submit = submit("Import")
