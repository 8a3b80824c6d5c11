"""JSON API for providers: everyone on staff can read them; administrators change them."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from destinations.common.api import invalid, not_found
from destinations.extensions import db
from destinations.providers import services
from destinations.providers.models import Provider
from destinations.providers.schemas import ProviderPatchSchema, ProviderQuerySchema, ProviderSchema
from destinations.security.context import audit
from destinations.security.permissions import STAFF_ROLES, allow

blueprint = Blueprint("providers_api", __name__, url_prefix="/api/v1/providers", description="Schools, colleges and other providers")


@blueprint.route("")
class Providers(MethodView):
    @allow(*STAFF_ROLES)
    @blueprint.arguments(ProviderQuerySchema, location="query")
    @blueprint.response(200, ProviderSchema(many=True))
    @blueprint.paginate(page_size=100, max_page_size=500)
    def get(self, query, pagination_parameters):
        """List providers, searchable by name, URN or UKPRN."""
        statement = services.search_providers(query.get("q"), query.get("kind"))
        pagination_parameters.item_count = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        page, size = pagination_parameters.page, pagination_parameters.page_size
        return db.session.scalars(statement.limit(size).offset((page - 1) * size)).all()

    @allow("admin")
    @blueprint.arguments(ProviderSchema)
    @blueprint.response(201, ProviderSchema)
    def post(self, values):
        """Add a provider (administrators)."""
        try:
            provider = services.create_provider(db.session, values)
        except services.ProviderError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("create", "provider", provider.id)
        db.session.commit()
        return provider


@blueprint.route("/<int:provider_id>")
class ProviderItem(MethodView):
    @allow(*STAFF_ROLES)
    @blueprint.response(200, ProviderSchema)
    def get(self, provider_id):
        """One provider."""
        provider = db.session.get(Provider, provider_id)
        if provider is None:
            not_found("provider")
        return provider

    @allow("admin")
    @blueprint.arguments(ProviderPatchSchema)
    @blueprint.response(200, ProviderSchema)
    def patch(self, values, provider_id):
        """Change a provider (administrators)."""
        provider = db.session.get(Provider, provider_id)
        if provider is None:
            not_found("provider")
        try:
            changed = services.update_provider(db.session, provider, values)
        except services.ProviderError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("update", "provider", provider.id, fields=changed)
        db.session.commit()
        return provider
