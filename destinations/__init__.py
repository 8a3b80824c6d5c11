"""Destinations and Progression Service: the application factory."""
from __future__ import annotations

import logging

from flask import Flask, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import get_config


class DatabaseId(IntegerConverter):
    """``<int:...>`` in every route: an id outside a database integer is simply not found."""

    def __init__(self, map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: type | str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config if isinstance(config, type) else get_config(config))
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    configure_logging(app)
    if app.config.get("PROXY_FIX_HOPS"):
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.url_map.converters["int"] = DatabaseId
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_hooks(app)
    register_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from destinations.auth import services as auth_services
    from destinations.extensions import api, csrf, db, login_manager, wtforms_helpers

    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    api.init_app(app)
    wtforms_helpers.init_app(app)
    auth_services.configure_hasher(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))
    import destinations.auth.sessions  # noqa: F401  (registers the loaders)


def register_blueprints(app: Flask) -> None:
    from destinations.activities.api import blueprint as activities_api
    from destinations.activities.views import blueprint as activity_views
    from destinations.admin.views import blueprint as admin_views
    from destinations.audit.views import blueprint as audit_views
    from destinations.auth.api import blueprint as users_api
    from destinations.auth.views import blueprint as auth_views
    from destinations.extensions import api, csrf
    from destinations.health import blueprint as health
    from destinations.imports.api import blueprint as imports_api
    from destinations.imports.views import blueprint as import_views
    from destinations.keep_in_touch.staff_views import blueprint as keep_in_touch_staff_views
    from destinations.keep_in_touch.views import blueprint as keep_in_touch_views
    from destinations.main.views import blueprint as main_views
    from destinations.notifications.views import blueprint as notification_views
    from destinations.outcomes.api import blueprint as outcome_reports_api
    from destinations.outcomes.views import blueprint as outcome_views
    from destinations.people.api import blueprint as people_api
    from destinations.people.views import blueprint as people_views
    from destinations.providers.api import blueprint as providers_api
    from destinations.reports.api import blueprint as demand_reports_api
    from destinations.reports.views import blueprint as report_views
    from destinations.reviews.api import blueprint as reviews_api
    from destinations.reviews.views import blueprint as review_views
    from destinations.sar.views import blueprint as sar_views
    from destinations.scheduler.views import blueprint as scheduler_views

    for blueprint in (health, main_views, auth_views, people_views, review_views, report_views, admin_views, audit_views, activity_views, scheduler_views, outcome_views, keep_in_touch_views, keep_in_touch_staff_views, notification_views, import_views, sar_views):
        app.register_blueprint(blueprint)
    for blueprint in (people_api, users_api, providers_api, reviews_api, demand_reports_api, activities_api, outcome_reports_api, imports_api):
        csrf.exempt(blueprint)  # bearer tokens only, never cookies, so CSRF cannot apply
        api.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from destinations.errors import register_errorhandlers as register

    register(app)


def register_hooks(app: Flask) -> None:
    from destinations.security.input import refuse_unstorable_text
    from destinations.security.permissions import enforce_access
    from destinations.views_support import navigation_for

    app.before_request(enforce_access)
    app.before_request(refuse_unstorable_text)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='; frame-ancestors 'none'; form-action 'self'",
        )
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def layout_context():
        return {
            "council_name": app.config["COUNCIL_NAME"],
            "service_name": app.config["SERVICE_NAME"],
            "navigation": navigation_for(request),
        }


def register_commands(app: Flask) -> None:
    from destinations.commands import register

    register(app)
