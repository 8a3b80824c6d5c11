"""Imports every model so metadata is complete for Alembic and the app."""
from destinations.activities.models import ActivityRecord  # noqa: F401
from destinations.audit.models import AuditEvent  # noqa: F401
from destinations.auth.models import ApiToken, RateLimitCounter, StaffSession, User  # noqa: F401
from destinations.people.models import (  # noqa: F401
    KeyworkerAssignment,
    PathwayChange,
    RollExtension,
    StatusChange,
    YoungPerson,
)
from destinations.providers.models import Provider  # noqa: F401
from destinations.reports.models import PublishedReport  # noqa: F401
from destinations.reviews.models import (  # noqa: F401
    Action,
    NextStep,
    NextStepProvider,
    NextStepSupportNeed,
    ReferenceItem,
    Review,
    ReviewRevision,
)
