"""Every extension object the app uses, created once and bound in ``create_app``."""
from flask_login import LoginManager
from flask_smorest import Api as SmorestApi
from flask_smorest import pagination as smorest_pagination
from marshmallow import validate as marshmallow_validate
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

from destinations.common.schemas import ErrorSchema
from destinations.database import Database


# flask-smorest documents X-Pagination as an object, but a header carries a string (here,
# JSON). Documenting it as what is sent keeps clients and schema checkers honest.
smorest_pagination.PAGINATION_HEADER.update(
    {
        "description": "Pagination metadata as JSON: total, total_pages, first_page, last_page, page, previous_page, next_page",
        "schema": {"type": "string"},
    }
)


MAX_PAGE = 1_000_000
_page_schema_factory = smorest_pagination._pagination_parameters_schema_factory


def _bounded_page_schema(def_page, def_page_size, def_max_page_size):
    """Pages beyond any real list are refused (422) rather than overflowing the database's OFFSET."""
    schema = _page_schema_factory(def_page, def_page_size, def_max_page_size)
    schema._declared_fields["page"].validators = [marshmallow_validate.Range(min=1, max=MAX_PAGE)]
    return schema


smorest_pagination._pagination_parameters_schema_factory = _bounded_page_schema


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
api = Api()
wtforms_helpers = WTFormsHelpers()
