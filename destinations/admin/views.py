from flask import Blueprint

from destinations.security.permissions import allow

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.get("/users")
@allow("admin")
def users():
    return "Staff"


@blueprint.get("/providers")
@allow("admin")
def providers():
    return "Providers"
