"""Every extension object the app uses, created once and bound in ``create_app``."""
from flask_login import LoginManager
from flask_smorest import Api as SmorestApi
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

from destinations.common.schemas import ErrorSchema
from destinations.database import Database


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
api = Api()
wtforms_helpers = WTFormsHelpers()
