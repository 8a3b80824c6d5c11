"""Imports every model so metadata is complete for Alembic and the app."""
from destinations.activities.models import ActivityRecord  # noqa: F401
from destinations.audit.models import AuditEvent  # noqa: F401
from destinations.auth.models import ApiToken, RateLimitCounter, StaffSession, User  # noqa: F401
from destinations.keep_in_touch.models import KeepInTouchLink, KeepInTouchReply, KeepInTouchSession  # noqa: F401
from destinations.notifications.models import LoggedMessage, OutboxMessage  # noqa: F401
from destinations.imports.models import DetailChange, ImportRun  # noqa: F401
from destinations.people.models import (  # noqa: F401
    KeyworkerAssignment,
    PathwayChange,
    RollExtension,
    StatusChange,
    YoungPerson,
)
from destinations.outcomes.models import DestinationOutcome, LongTermOutcome  # noqa: F401
from destinations.providers.models import Provider  # noqa: F401
from destinations.reports.models import PublishedReport  # noqa: F401
from destinations.reviews.models import (  # noqa: F401
    Action,
    CurrentIntention,
    NextStep,
    NextStepProvider,
    NextStepSupportNeed,
    ReferenceItem,
    Review,
    ReviewRevision,
)
from destinations.scheduler.models import JobClaim, JobRun, SchedulerHeartbeat  # noqa: F401
