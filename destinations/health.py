"""``/healthz``: is the service up, can it reach its database, which migration is it on."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from destinations.extensions import db
from destinations.security.permissions import public

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@public
def healthz():
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check could not reach the database: %s", type(error).__name__)
        return jsonify(status="error", database="unreachable", migration=None), 503
    db.session.rollback()
    return jsonify(status="ok", database="ok", migration=revision)
