from flask import Blueprint

from destinations.security.permissions import allow

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.get("")
@allow("admin", "manager")
def search():
    return "Audit"
