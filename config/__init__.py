"""One configuration class per environment, chosen by ``DESTINATIONS_ENV``.

Every value can be overridden by an environment variable of the same name, so
an operator configures a deployment without touching code.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Base:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'destinations.db'}")
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Northshire County Council")
    SERVICE_NAME = "Destinations and Progression Service"

    # Domain settings (DOMAIN.md sections 3 and 4).
    AGE_OF_TRANSITION = _env_int("AGE_OF_TRANSITION", 18)
    REVIEW_CADENCE_MONTHS = {
        "1": _env_int("REVIEW_CADENCE_PATHWAY_1", 6),
        "2": _env_int("REVIEW_CADENCE_PATHWAY_2", 6),
        "3": _env_int("REVIEW_CADENCE_PATHWAY_3", 12),
        "undecided": _env_int("REVIEW_CADENCE_UNDECIDED", 12),
    }
    RETENTION_YEARS = _env_int("RETENTION_YEARS", 6)

    # Disclosure control for every report (DOMAIN.md section 6): counts from 1 to k - 1 are
    # shown as "c"; DISCLOSURE_ROUND_TO = 5 also rounds counts to the nearest 5 (0 = no rounding).
    DISCLOSURE_K = _env_int("DISCLOSURE_K", 5)
    DISCLOSURE_ROUND_TO = _env_int("DISCLOSURE_ROUND_TO", 0)

    # Sessions: idle and absolute limits are enforced on the server (auth.sessions).
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 10)
    SESSION_COOKIE_NAME = "dps_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Failed sign-in throttling, counted in the database so it holds across workers.
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = _env_int("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 5)
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = _env_int("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 20)
    SIGN_IN_THROTTLE_MINUTES = _env_int("SIGN_IN_THROTTLE_MINUTES", 15)

    WTF_CSRF_TIME_LIMIT = None  # the session's own timeouts bound the token's life
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    API_TITLE = "Destinations and Progression Service API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearerAuth": []}],
    }

    # How many reverse proxies sit in front of the service (trusted for X-Forwarded-For/-Proto);
    # without this, sign-in throttling per address would count every user as the proxy.
    PROXY_FIX_HOPS = _env_int("PROXY_FIX_HOPS", 0)

    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 30000)
    SQL_ECHO = False
    DEMO_PAGES = False


class Development(Base):
    SECRET_KEY = Base.SECRET_KEY or "development-only-not-secret"
    SESSION_COOKIE_SECURE = False


class Test(Base):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite:///" + str(ROOT / "instance" / "test.db"))
    SESSION_COOKIE_SECURE = False
    # Hashing is deliberately slow; tests sign in hundreds of times.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64


class Production(Base):
    @classmethod
    def check(cls) -> None:
        """Refuse to start without the secrets a live service must have."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production configuration is missing: " + ", ".join(missing)
                + ". Set them as environment variables before starting the service."
            )


CONFIGS = {"development": Development, "test": Test, "production": Production}


def get_config(name: str | None = None) -> type[Base]:
    name = (name or os.environ.get("DESTINATIONS_ENV", "development")).lower()
    try:
        config = CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"DESTINATIONS_ENV={name!r} is not known: use one of {', '.join(CONFIGS)}."
        ) from None
    if hasattr(config, "check"):
        config.check()
    return config
