"""The subject access request pack: a readable page (printable) and the same as JSON (managers)."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user

from destinations.audit.views import local_time
from destinations.extensions import db
from destinations.people import services as people
from destinations.people.services import RollSettings
from destinations.sar.services import section_counts, subject_access_pack
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint("sar", __name__, url_prefix="/young-people")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")
_WORDS = {"Upn": "UPN", "Sen": "SEN", "Id": "id", "Api": "API"}


@blueprint.app_template_filter("sar_text")
def sar_text(value) -> str:
    """A moment in the pack (ISO 8601, UTC) as people read it, in UK time; anything else as it is."""
    if isinstance(value, str) and _MOMENT.match(value):
        return local_time(datetime.fromisoformat(value))
    return str(value)


@blueprint.app_template_filter("sar_label")
def sar_label(key: str) -> str:
    """A field name as a heading: "sen_provision" is "SEN provision"."""
    words = str(key).replace("_", " ").capitalize().split(" ")
    return " ".join(_WORDS.get(word.capitalize(), word) if word.capitalize() in _WORDS else word for word in words)


def _pack(person_id: int, format: str):
    person = people.get_visible_person(db.session, current_user, person_id)
    if person is None:
        abort(404)
    pack = subject_access_pack(
        db.session, person, today=date.today(), settings=RollSettings.from_config(current_app.config),
        generated_by=current_user, council=current_app.config["COUNCIL_NAME"],
    )
    audit("export", "young_person", person.id, part="subject_access", format=format, counts=section_counts(pack))
    db.session.commit()
    return person, pack


@blueprint.get("/<int:person_id>/subject-access")
@allow("manager")
def pack_page(person_id: int):
    person, pack = _pack(person_id, "html")
    return render_template("sar/pack.html", person=person, pack=pack, page_title=f"Subject access request: {person.full_name}")


@blueprint.get("/<int:person_id>/subject-access.json")
@allow("manager")
def pack_json(person_id: int):
    _person, pack = _pack(person_id, "json")
    body = json.dumps(pack, indent=2, ensure_ascii=False, sort_keys=False)
    return Response(
        body,
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="subject-access-{person_id}.json"'},
    )
