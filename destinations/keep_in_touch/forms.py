"""Forms for the young person's pages and the staff keep-in-touch page.

Messages are short and say what to do, as GOV.UK error messages do.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovRadioInput, GovTextArea, GovTextInput
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from destinations.forms import GovDateField, VersionedForm, submit
from destinations.keep_in_touch import choices
from destinations.keep_in_touch.answers import MAX_WORDS_LENGTH

WORDS_LENGTH = Length(max=MAX_WORDS_LENGTH, message=f"Use {MAX_WORDS_LENGTH} characters or fewer")


class DateOfBirthForm(FlaskForm):
    date_of_birth = GovDateField(
        "What is your date of birth?",
        description="For example, 27 3 2008",
        validators=[InputRequired("Enter your date of birth")],
    )
    submit = submit("Continue")


class DoingNowForm(FlaskForm):
    choice = RadioField(
        "What are you doing now?",
        choices=[(key, option.label) for key, option in choices.DOING_NOW.items()],
        widget=GovRadioInput(),
        validators=[InputRequired("Select what you are doing now")],
    )
    details = TextAreaField(
        "Tell us more (optional)",
        description="For example, the name of your college or job",
        widget=GovTextArea(),
        validators=[Optional(), WORDS_LENGTH],
    )
    submit = submit("Continue")


class HoursForm(FlaskForm):
    hours = StringField(
        "About how many hours a week?",
        description="If you are not sure, give your best guess",
        widget=GovTextInput(),
        validators=[InputRequired("Enter about how many hours a week, like 16"), Length(max=10, message="Enter a number of hours, like 16")],
    )
    submit = submit("Continue")


class MultiCheckboxField(SelectMultipleField):
    widget = GovCheckboxesInput()


class ContactAboutForm(FlaskForm):
    about = MultiCheckboxField(
        "What do you want to talk about?",
        description="Select all that apply",
        choices=list(choices.CONTACT_ABOUT.items()),
        validators=[InputRequired("Select what you want to talk about")],
    )
    about_details = TextAreaField("Tell us more (optional)", widget=GovTextArea(), validators=[Optional(), WORDS_LENGTH])
    submit = submit("Continue")


class ContactHowForm(FlaskForm):
    how = RadioField(
        "How would you like us to contact you?",
        choices=list(choices.CONTACT_HOW.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select how you would like us to contact you")],
    )
    submit = submit("Continue")


class ContactWhenForm(FlaskForm):
    when = RadioField(
        "When is a good time?",
        choices=list(choices.CONTACT_WHEN.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select when is a good time")],
    )
    submit = submit("Send")


class ContactDetailsForm(FlaskForm):
    mobile = StringField("Mobile number", description="For example, 07700 900 982", widget=GovTextInput(), validators=[Optional(), Length(max=30, message="Enter a UK mobile number, like 07700 900 982")])
    email = StringField("Email address", widget=GovTextInput(), validators=[Optional(), Length(max=254, message="Email address must be 254 characters or fewer")])
    submit = submit("Continue")


class SendByForm(FlaskForm):
    preferred_channel = RadioField(
        "How should we send you messages?",
        choices=list(choices.SEND_BY.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select how we should send you messages")],
    )
    submit = submit("Save")


class NextStepsForm(FlaskForm):
    choice = RadioField(
        "What would you like to do next?",
        choices=list(choices.NEXT_STEPS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select what you would like to do next")],
    )
    details = TextAreaField("Tell us more (optional)", widget=GovTextArea(), validators=[Optional(), WORDS_LENGTH])
    submit = submit("Send")


class StopForm(FlaskForm):
    confirm = RadioField(
        "Do you want to stop getting messages from us?",
        choices=[("yes", "Yes, stop messages"), ("no", "No, keep sending messages")],
        widget=GovRadioInput(),
        validators=[InputRequired("Select yes or no")],
    )
    submit = submit("Continue")


class NewLinkForm(FlaskForm):
    contact = StringField(
        "Your mobile number or email address",
        description="Use the one we sent your last link to",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your mobile number or email address"), Length(max=254, message="Enter your mobile number or email address")],
    )
    date_of_birth = GovDateField("Your date of birth", description="For example, 27 3 2008", validators=[InputRequired("Enter your date of birth")])
    submit = submit("Send me a new link")


class FinishForm(FlaskForm):
    submit = submit("Finish")


# --- staff ----------------------------------------------------------------------------------


class ContactSettingsForm(VersionedForm):
    email = StringField("Email address", widget=GovTextInput(), validators=[Optional(), Length(max=254, message="Email address must be 254 characters or fewer")])
    mobile = StringField("Mobile number", description="A UK mobile, for example 07700 900 982", widget=GovTextInput(), validators=[Optional(), Length(max=30, message="Enter a UK mobile number, like 07700 900 982")])
    preferred_channel = RadioField(
        "How to send keep-in-touch messages",
        choices=[("sms", "Text message"), ("email", "Email")],
        widget=GovRadioInput(),
        validators=[Optional()],
        validate_choice=False,
    )
    keep_in_touch_consent = BooleanField("The young person has agreed to get keep-in-touch messages", widget=GovCheckboxInput())
    messages_stopped = BooleanField("Messages are stopped (the young person asked us to stop)", widget=GovCheckboxInput())
    submit = submit("Save contact details")


class ActionForm(FlaskForm):
    """A form with only a CSRF token: for buttons that change something (send, revoke, handled)."""
