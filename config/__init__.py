"""One configuration class per environment, chosen by ``DESTINATIONS_ENV``.

Every value can be overridden by an environment variable of the same name, so
an operator configures a deployment without touching code.
"""
from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_json(name: str, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return json.loads(value)
    except ValueError:
        raise RuntimeError(f"{name} must be JSON, for example {{\"keep_in_touch_invitation\": \"<template id>\"}}.") from None


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

    # Imports (README "Importing existing data"): the largest file accepted (keep it under
    # MAX_CONTENT_LENGTH, which bounds every request), the most rows of data in one file, and
    # how long a preview can be confirmed for.
    IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 8 * 1024 * 1024)
    IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 100_000)
    IMPORT_PREVIEW_MINUTES = _env_int("IMPORT_PREVIEW_MINUTES", 30)

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

    # Keep in touch (DOMAIN.md section 8). Links are built on SERVICE_BASE_URL because
    # they are sent by scheduled jobs, outside any web request.
    SERVICE_BASE_URL = os.environ.get("SERVICE_BASE_URL", "http://127.0.0.1:5000")
    KIT_LINK_EXPIRY_DAYS = _env_int("KIT_LINK_EXPIRY_DAYS", 28)
    KIT_MAX_DOB_TRIES = _env_int("KIT_MAX_DOB_TRIES", 5)
    KIT_MAX_TRIES_PER_ADDRESS = _env_int("KIT_MAX_TRIES_PER_ADDRESS", 20)
    KIT_SESSION_IDLE_MINUTES = _env_int("KIT_SESSION_IDLE_MINUTES", 15)
    KIT_SESSION_ABSOLUTE_MINUTES = _env_int("KIT_SESSION_ABSOLUTE_MINUTES", 60)
    KIT_CADENCE_MONTHS = _env_int("KIT_CADENCE_MONTHS", 3)
    KIT_CHANGE_FOLLOW_UP_MONTHS = _env_int("KIT_CHANGE_FOLLOW_UP_MONTHS", 3)
    KIT_NEW_LINK_MAX_PER_ADDRESS = _env_int("KIT_NEW_LINK_MAX_PER_ADDRESS", 10)
    KIT_NEW_LINK_MAX_PER_CONTACT = _env_int("KIT_NEW_LINK_MAX_PER_CONTACT", 3)
    KIT_NEW_LINK_WINDOW_MINUTES = _env_int("KIT_NEW_LINK_WINDOW_MINUTES", 60)
    # "Send me a new link" never answers sooner than this, so the time it takes cannot tell
    # whether someone is known to the service.
    KIT_NEW_LINK_MIN_MILLISECONDS = _env_int("KIT_NEW_LINK_MIN_MILLISECONDS", 400)
    KIT_CONTACT_WORKING_DAYS = _env_int("KIT_CONTACT_WORKING_DAYS", 5)
    KIT_SESSION_COOKIE_NAME = "dps_kit"

    # Notification outbox: "log" keeps messages in the database for the development page,
    # "smtp" sends email through SMTP_HOST, "notify" sends email and text messages through
    # GOV.UK Notify with the template ids in NOTIFY_TEMPLATE_IDS (JSON: name -> id, or
    # "name:email" / "name:sms" -> id where a message has a template per channel).
    NOTIFICATIONS_ADAPTER = os.environ.get("NOTIFICATIONS_ADAPTER", "log")
    NOTIFICATIONS_MAX_ATTEMPTS = _env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
    NOTIFICATIONS_RETRY_SECONDS = _env_int("NOTIFICATIONS_RETRY_SECONDS", 60)
    NOTIFICATIONS_MAX_RETRY_SECONDS = _env_int("NOTIFICATIONS_MAX_RETRY_SECONDS", 6 * 3600)
    # A message left in "sending" this long belongs to a process that died mid-send.
    NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = _env_int("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", 600)
    NOTIFICATIONS_DEV_PAGE = False  # the page of logged messages; development and tests only
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = _env_int("SMTP_PORT", 587)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "true").lower() not in ("0", "false", "no")
    SMTP_FROM = os.environ.get("SMTP_FROM", "no-reply@localhost")
    SMTP_TIMEOUT_SECONDS = _env_int("SMTP_TIMEOUT_SECONDS", 30)
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
    NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
    NOTIFY_TEMPLATE_IDS = _env_json("NOTIFY_TEMPLATE_IDS", {})

    # Scheduled jobs (README "Scheduled jobs"). SCHEDULE_<JOB NAME> replaces a job's schedule:
    # a crontab line ("0 7 * * mon"), "every 30 seconds", dates ("10-01,02-01 at 06:00") or "off".
    SCHEDULES = {key.removeprefix("SCHEDULE_").lower(): value for key, value in os.environ.items() if key.startswith("SCHEDULE_") and value}
    SCHEDULER_TIMEZONE = os.environ.get("SCHEDULER_TIMEZONE", "Europe/London")
    SCHEDULER_LOCK_RETRY_SECONDS = float(os.environ.get("SCHEDULER_LOCK_RETRY_SECONDS") or 5)
    SCHEDULER_HEARTBEAT_SECONDS = float(os.environ.get("SCHEDULER_HEARTBEAT_SECONDS") or 10)
    JOB_HISTORY_DAYS = _env_int("JOB_HISTORY_DAYS", 90)
    # Messages to staff (the weekly digests) are deleted from the outbox this long after they
    # were sent or given up on; messages to young people go with their record (RETENTION_YEARS).
    STAFF_MESSAGE_DAYS = _env_int("STAFF_MESSAGE_DAYS", 90)
    # Termly publication of demand reports: month-day dates in the year.
    DEMAND_PUBLICATION_DATES = os.environ.get("DEMAND_PUBLICATION_DATES", "10-01,02-01,05-01")


class Development(Base):
    SECRET_KEY = Base.SECRET_KEY or "development-only-not-secret"
    SESSION_COOKIE_SECURE = False
    NOTIFICATIONS_DEV_PAGE = True


class Test(Base):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite:///" + str(ROOT / "instance" / "test.db"))
    SESSION_COOKIE_SECURE = False
    # Hashing is deliberately slow; tests sign in hundreds of times.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64
    NOTIFICATIONS_DEV_PAGE = True
    KIT_NEW_LINK_MIN_MILLISECONDS = _env_int("KIT_NEW_LINK_MIN_MILLISECONDS", 50)


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
        if cls.NOTIFICATIONS_ADAPTER not in ("smtp", "notify"):
            raise RuntimeError(
                f"NOTIFICATIONS_ADAPTER={cls.NOTIFICATIONS_ADAPTER!r} cannot send messages to young people: "
                "set it to 'smtp' (with SMTP_HOST) or 'notify' (with NOTIFY_API_KEY) in production."
            )
        needed = {"smtp": "SMTP_HOST", "notify": "NOTIFY_API_KEY"}[cls.NOTIFICATIONS_ADAPTER]
        missing = [name for name in (needed, "SERVICE_BASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production configuration is missing: " + ", ".join(missing)
                + ". Keep-in-touch links and messages need them."
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
