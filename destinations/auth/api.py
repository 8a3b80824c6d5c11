"""JSON API for staff: administrators manage accounts, managers list keyworkers."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from destinations.auth import services
from destinations.auth.models import User
from destinations.auth.schemas import UserPatchSchema, UserQuerySchema, UserSchema
from destinations.common.api import caller, invalid, not_found
from destinations.extensions import db
from destinations.providers.models import Provider
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint("users_api", __name__, url_prefix="/api/v1/users", description="Staff accounts")


@blueprint.route("")
class Users(MethodView):
    @allow("admin", "manager")
    @blueprint.arguments(UserQuerySchema, location="query")
    @blueprint.response(200, UserSchema(many=True))
    @blueprint.paginate(page_size=100, max_page_size=500)
    def get(self, query, pagination_parameters):
        """List staff (managers use ``?role=keyworker`` to assign caseloads)."""
        statement = select(User).order_by(User.name, User.id)
        if caller().role == "manager":
            statement = statement.where(User.role.in_(("keyworker", "manager")))
        if "role" in query:
            statement = statement.where(User.role == query["role"])
        if "active" in query:
            statement = statement.where(User.active.is_(query["active"]))
        pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        page, size = pagination_parameters.page, pagination_parameters.page_size
        return db.session.scalars(statement.limit(size).offset((page - 1) * size)).all()

    @allow("admin")
    @blueprint.arguments(UserSchema)
    @blueprint.response(201, UserSchema)
    def post(self, values):
        """Create a staff account (administrators)."""
        if values.get("provider_id") is not None and db.session.get(Provider, values["provider_id"]) is None:
            invalid({"provider_id": f"There is no provider with id {values['provider_id']}"})
        try:
            user = services.create_user(db.session, **values)
        except services.AccountError as error:
            db.session.rollback()
            invalid({error.field: error.message})
        audit("create", "user", user.id)
        db.session.commit()
        return user


def _visible_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or (caller().role == "manager" and user.role not in ("keyworker", "manager")):
        not_found("user")
    return user


@blueprint.route("/<int:user_id>")
class UserItem(MethodView):
    @allow("admin", "manager")
    @blueprint.response(200, UserSchema)
    def get(self, user_id):
        """One staff account."""
        return _visible_user(user_id)

    @allow("admin")
    @blueprint.arguments(UserPatchSchema)
    @blueprint.response(200, UserSchema)
    def patch(self, values, user_id):
        """Rename, move to a provider, or disable an account (disabling ends its sessions)."""
        user = _visible_user(user_id)
        if "provider_id" in values and values["provider_id"] is not None:
            if user.role != "college":
                invalid({"provider_id": "Only college users belong to a provider."})
            if db.session.get(Provider, values["provider_id"]) is None:
                invalid({"provider_id": f"There is no provider with id {values['provider_id']}"})
        if values.get("active") is False and user.id == caller().id:
            invalid({"active": "You cannot disable your own account."})
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name in ("name", "provider_id"):
            if name in values:
                setattr(user, name, values[name])
        if "active" in values:
            services.set_active(db.session, user, values["active"])
        audit("update", "user", user.id, fields=sorted(changed))
        db.session.commit()
        return user
