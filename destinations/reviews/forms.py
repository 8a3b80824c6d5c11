"""The review form: one page, with next steps and actions that repeat without JavaScript.

Field names follow the API ("next_steps-0-route" is ``next_steps[0].route``), so an error the
service reports as ``next_steps.0.route`` lands on the field of the same name.
The form only reads what was typed (dates must be real dates); the review rules (what a
complete review needs, which codes and years are allowed) are the service's, so a draft and
a complete review are checked by the same code as the API.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.form import BaseForm

from destinations.forms import GovDateField, submit
from destinations.people.roll import academic_year_label, academic_year_of, parse_academic_year_label
from destinations.reviews import services
from destinations.reviews.models import Review

START_YEARS_AHEAD = 4
BLOCK_LIMITS = {"next_steps": 10, "actions": 20}
BLOCK_BUTTONS = {"add_step": "next_steps", "add_action": "actions", "remove_step": "next_steps", "remove_action": "actions"}

PRESENT_CHOICES = [("yes", "Yes"), ("no", "No")]


def _text(label: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(label, description=description, widget=GovTextArea())


class AspirationsForm(Form):
    employment = _text("Employment (including further and higher education)")
    independent_living = _text("Independent living")
    community = _text("Friends, relationships and community")
    health = _text("Good health")


class NextStepForm(Form):
    start_year = SelectField("Academic year they would start", choices=[], widget=GovSelect(), validate_choice=False)
    route = SelectField("Route", choices=[], widget=GovSelect(), validate_choice=False)
    level = SelectField("Level", choices=[], widget=GovSelect(), validate_choice=False)
    sector_subject_area = SelectField("Sector subject area", choices=[], widget=GovSelect(), validate_choice=False)
    # Rendered by the template as checkboxes grouped by kind of provider (GovSelect refuses multiple).
    provider_ids = SelectMultipleField("Preferred providers (optional)", choices=[], validate_choice=False)
    attendance = RadioField("Full time or part time?", choices=[], widget=GovRadioInput(), validate_choice=False)
    support_needs = SelectMultipleField(
        "Support needs for this step",
        description="Select all that apply",
        choices=[],
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )


class ActionForm(Form):
    # The id of an action already on the review, so saving updates it rather than adding a copy.
    id = HiddenField()
    description = StringField("What will be done", widget=GovTextInput())
    owner = StringField(
        "Who will do it",
        description="For example, keyworker, parent or carer, school SENCo",
        widget=GovTextInput(),
    )
    # No Optional(): it would hide "must include a day" when only the day is missing.
    due_on = GovDateField("Due by (optional)", description="For example, 27 3 2027")
    done = BooleanField("Done", widget=GovCheckboxInput())


class ReviewForm(FlaskForm):
    version = HiddenField()
    held_on = GovDateField("Date of the review", description="For example, 27 3 2026")
    review_type = RadioField("Type of review", choices=[], widget=GovRadioInput(), validate_choice=False)
    young_person_present = RadioField("Was the young person there?", choices=PRESENT_CHOICES, widget=GovRadioInput(), validate_choice=False)
    participants = SelectMultipleField("Who else took part?", description="Select all that apply", choices=[], widget=GovCheckboxesInput(), validate_choice=False)
    participants_other = StringField("Anyone else who took part (optional)", description="For example, their role: youth worker, employer", widget=GovTextInput())
    young_persons_words = _text("In their own words", "What the young person said about their hopes and plans, in their words")
    aspirations = FormField(AspirationsForm)
    next_steps = FieldList(FormField(NextStepForm), min_entries=1)
    destinations_statement = _text("Destinations statement", "The agreed expected outcome, in plain words, so progress can be tracked against it")
    actions = FieldList(FormField(ActionForm), min_entries=1)
    save = submit("Save review")
    save_draft = submit("Save and finish later")


# --- the round trips: repeated blocks, choices, and the service's messages ------------------


def renumbered(formdata: MultiDict, remove: tuple[str, int] | None = None) -> MultiDict:
    """The posted form with each repeated block numbered 0, 1, 2... and ``remove`` left out.

    Numbering the blocks afresh keeps every field id equal to its place in the list, which is
    what the service's error keys (``next_steps.1.route``) and the error summary links use.
    """
    positions: dict[str, dict[int, int]] = {}
    for name, limit in BLOCK_LIMITS.items():
        found = sorted({index for key in formdata if (index := _block_index(key, name)) is not None})
        if remove and remove[0] == name:
            found = [index for index in found if index != remove[1]]
        positions[name] = {old: new for new, old in enumerate(found[:limit])}
    result = MultiDict()
    for key, values in formdata.lists():
        name = key.split("-", 1)[0]
        if name in positions:
            index = _block_index(key, name)
            if index is None or index not in positions[name]:
                continue
            key = f"{name}-{positions[name][index]}-{key.split('-', 2)[2]}" if key.count("-") >= 2 else key
        result.setlist(key, values)
    return result


def _block_index(key: str, name: str) -> int | None:
    parts = key.split("-", 2)
    if len(parts) == 3 and parts[0] == name and parts[1].isdigit() and len(parts[1]) <= 4:
        return int(parts[1])
    return None


def block_change(formdata: MultiDict) -> tuple[str, str, int | None] | None:
    """("add" | "remove", block name, index) when an Add another or Remove button was pressed."""
    for button, name in BLOCK_BUTTONS.items():
        if button in formdata:
            if button.startswith("add"):
                return "add", name, None
            value = formdata.get(button, "")
            return "remove", name, int(value) if value.isdigit() and len(value) <= 4 else None
    return None


def reference_choices(items, selected=()) -> list[tuple[str, str]]:
    """(code, label) for the active items, plus any retired ones this review already uses."""
    selected = set(selected or ())
    return [(item.code, item.label) for item in items if item.active or item.code in selected]


def start_year_choices(held_on: date | None, selected: str | None) -> list[tuple[str, str]]:
    """From the academic year of the review to four years on, keeping any year already chosen."""
    first = academic_year_of(held_on or date.today())
    labels = {academic_year_label(year) for year in range(first, first + START_YEARS_AHEAD + 1)}
    if selected:
        try:
            labels.add(academic_year_label(parse_academic_year_label(selected)))
        except ValueError:
            pass
    return [("", "Select a year")] + [(label, label) for label in sorted(labels)]


def set_choices(form: ReviewForm, session) -> None:
    items = {kind: services.reference_items(session, kind, active_only=False) for kind in ("review_type", "participant", "route", "level", "sector_subject_area", "support_need", "attendance")}
    form.review_type.choices = reference_choices(items["review_type"], [form.review_type.data])
    form.participants.choices = reference_choices(items["participant"], form.participants.data)
    for entry in form.next_steps:
        step = entry.form
        step.start_year.choices = start_year_choices(form.held_on.data, step.start_year.data)
        step.route.choices = [("", "Select a route")] + reference_choices(items["route"], [step.route.data])
        step.level.choices = [("", "Select a level")] + reference_choices(items["level"], [step.level.data])
        step.sector_subject_area.choices = [("", "Select a sector subject area")] + reference_choices(items["sector_subject_area"], [step.sector_subject_area.data])
        step.attendance.choices = reference_choices(items["attendance"], [step.attendance.data])
        step.support_needs.choices = reference_choices(items["support_need"], step.support_needs.data)


def form_data(review: Review) -> dict:
    """A saved review as the form's data, for the edit page."""
    return {
        "version": str(review.version),
        "held_on": review.held_on,
        "review_type": review.review_type,
        "young_person_present": {True: "yes", False: "no"}.get(review.young_person_present),
        "participants": list(review.participants or []),
        "participants_other": review.participants_other,
        "young_persons_words": review.young_persons_words,
        "aspirations": {
            "employment": review.aspiration_employment,
            "independent_living": review.aspiration_independent_living,
            "community": review.aspiration_community,
            "health": review.aspiration_health,
        },
        "next_steps": [
            {
                "start_year": academic_year_label(step.start_year) if step.start_year else "",
                "route": step.route or "",
                "level": step.level or "",
                "sector_subject_area": step.sector_subject_area or "",
                "provider_ids": [str(provider_id) for provider_id in step.provider_ids],
                "attendance": step.attendance,
                "support_needs": list(step.support_need_codes),
            }
            for step in review.next_steps
        ],
        "actions": [
            {"id": str(action.id), "description": action.description, "owner": action.owner, "due_on": action.due_on, "done": action.done}
            for action in review.actions
        ],
    }


def _blank_to_none(value):
    if isinstance(value, str):
        value = value.strip()
    return value if value not in ("", None) else None


def review_values(form: ReviewForm) -> dict:
    """What was typed, in the API's names, for the service. Blank blocks are sent too (the
    service skips them) so an error's list index is the block's place on the page."""
    return {
        "held_on": form.held_on.data,
        "review_type": _blank_to_none(form.review_type.data),
        "young_person_present": {"yes": True, "no": False}.get(form.young_person_present.data),
        "participants": list(form.participants.data or []),
        "participants_other": _blank_to_none(form.participants_other.data),
        "young_persons_words": _blank_to_none(form.young_persons_words.data),
        "aspirations": {name: _blank_to_none(field.data) for name, field in form.aspirations.form._fields.items()},
        "next_steps": [
            {
                "start_year": _blank_to_none(step.start_year.data),
                "route": _blank_to_none(step.route.data),
                "level": _blank_to_none(step.level.data),
                "sector_subject_area": _blank_to_none(step.sector_subject_area.data),
                "provider_ids": [int(value) for value in step.provider_ids.data or [] if value.isdigit() and len(value) <= 10],
                "attendance": _blank_to_none(step.attendance.data),
                "support_needs": list(step.support_needs.data or []),
            }
            for step in (entry.form for entry in form.next_steps)
        ],
        "destinations_statement": _blank_to_none(form.destinations_statement.data),
        "actions": [
            {
                **({"id": int(action.id.data)} if (action.id.data or "").isdigit() and len(action.id.data) <= 10 else {}),
                "description": _blank_to_none(action.description.data),
                "owner": _blank_to_none(action.owner.data),
                "due_on": action.due_on.data,
                "done": bool(action.done.data),
            }
            for action in (entry.form for entry in form.actions)
        ],
    }


def field_for(form: ReviewForm, key: str):
    """The form field an error key such as ``next_steps.1.route`` is about, or None."""
    node = form
    for part in key.split("."):
        if isinstance(node, FormField):
            node = node.form
        if isinstance(node, BaseForm):
            found = node._fields.get(part)
        elif isinstance(node, FieldList):
            found = node.entries[int(part)] if part.isdigit() and int(part) < len(node.entries) else None
        else:
            break  # a message about one item of a field (provider_ids.2) belongs to the field
        if found is None:
            if node is form:
                return None
            break
        node = found
    # A message about a whole block or list goes on its first field.
    while isinstance(node, (FieldList, FormField)):
        node = node.entries[0] if isinstance(node, FieldList) else next(iter(node.form))
    if node is form or isinstance(node, (HiddenField, CSRFTokenField)):
        return None
    return node


def show_errors(form: ReviewForm, errors: dict[str, str]) -> None:
    """Put the service's messages on the fields they are about, so the summary links to them."""
    for key, message in errors.items():
        field = field_for(form, key)
        if field is None:
            form.form_errors.append(message)
        elif not field.errors:  # a field that could not be read keeps that message
            field.errors = [message]
    for name in BLOCK_LIMITS:
        field_list = getattr(form, name)
        block_errors = [entry.errors for entry in field_list.entries]
        field_list.errors = block_errors if any(block_errors) else []
