"""The scheduled jobs, by the names the job table and ``jobs run`` use.

Each is a thin function of a ``JobContext`` that calls the service doing the work; ``@job``
turns it into the callable the scheduler finds by name ("destinations.scheduler.jobs:roll_end")
and calls with plain values: ``roll_end(today="2026-11-23")``, or ``roll_end()`` for today.
"""
from __future__ import annotations

from destinations.people.services import RollSettings
from destinations.scheduler import digests, publication, retention as retention_rules, roll_end as roll_end_rules
from destinations.scheduler.runner import JobContext, job


@job("roll_end")
def roll_end(context: JobContext) -> dict[str, int]:
    """Take people past their roll end off the roll, keeping their final destination."""
    return roll_end_rules.process_roll_ends(context)


@job("retention")
def retention(context: JobContext) -> dict[str, int]:
    """Delete the records of people who left the roll more than RETENTION_YEARS ago."""
    return retention_rules.apply_retention(context)


@job("sustained_destinations")
def sustained_destinations(context: JobContext) -> dict[str, int]:
    """Store sustained-destination outcomes for the cohorts whose window has closed."""
    from destinations.outcomes.services import evaluate_due_cohorts

    age = RollSettings.from_config(context.config).age_of_transition
    results = evaluate_due_cohorts(context.session, context.today, age_of_transition=age)
    counts = {"cohorts_evaluated": len(results)}
    for cohort_counts in results.values():
        for key, value in cohort_counts.items():
            counts[f"outcomes_{key}"] = counts.get(f"outcomes_{key}", 0) + int(value)
    return counts


@job("expire_links")
def expire_links(context: JobContext) -> dict[str, int]:
    """Mark keep-in-touch links past their expiry as expired."""
    from destinations.keep_in_touch import services as keep_in_touch

    return {"links_expired": keep_in_touch.expire_links(context.session, context.now)}


@job("kit_invitations")
def kit_invitations(context: JobContext) -> dict[str, int]:
    """Send keep-in-touch links to the young people due one on the cadence."""
    from destinations.keep_in_touch import services as keep_in_touch

    return {"invitations_sent": keep_in_touch.send_due_invitations(context.session, context.today)}


@job("review_digests")
def review_digests(context: JobContext) -> dict[str, int]:
    """Email each keyworker how many reviews on their caseload are due or overdue."""
    return digests.send_review_digests(context)


@job("destination_chase")
def destination_chase(context: JobContext) -> dict[str, int]:
    """Chase destinations that are NEET, not known or unconfirmed."""
    return digests.chase_unknown_destinations(context)


@job("publish_demand")
def publish_demand(context: JobContext) -> dict[str, int]:
    """Publish the termly demand reports."""
    return publication.publish_termly(context)


@job("deliver_outbox")
def deliver_outbox(context: JobContext) -> dict[str, int]:
    """Send what is waiting in the notification outbox."""
    from destinations.notifications.services import deliver_due

    result = deliver_due(context.session, context.now)
    return {key: int(value) for key, value in result.items() if isinstance(value, (int, float))}
