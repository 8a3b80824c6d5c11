from flask import Blueprint

from destinations.security.permissions import allow

blueprint = Blueprint("people", __name__, url_prefix="/young-people")


@blueprint.get("")
@allow("manager", "keyworker")
def caseload():
    return "Caseload"


@blueprint.get("/new")
@allow("manager")
def create():
    return "New"
