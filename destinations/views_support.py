"""Small helpers shared by the HTML views: navigation, pagination, form plumbing."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import url_for
from flask_login import current_user

NAVIGATION = {
    "keyworker": [("My caseload", "people.caseload"), ("My actions", "reviews.my_actions"), ("Destinations to follow up", "activities.follow_up"), ("Replies from young people", "keep_in_touch_staff.replies")],
    "manager": [
        ("Young people", "people.caseload"),
        ("Add a young person", "people.create"),
        ("Reviews due", "reviews.due"),
        ("Destinations to follow up", "activities.follow_up"),
        ("NCCIS export", "activities.nccis_export"),
        ("Import data", "imports.index"),
        ("My actions", "reviews.my_actions"),
        ("Demand reports", "reports.demand"),
        ("Outcome reports", "outcomes.cohort_report"),
        ("Audit log", "audit.search"),
        ("Scheduled jobs", "scheduler.jobs"),
        ("Replies from young people", "keep_in_touch_staff.replies"),
        ("Messages not sent", "notifications.problems"),
    ],
    "admin": [("Staff", "admin.users"), ("Providers", "admin.providers"), ("Audit log", "audit.search"), ("Scheduled jobs", "scheduler.jobs")],
    "college": [("Demand reports", "reports.published")],
}


def navigation_for(request) -> list[dict]:
    if request.path.startswith(("/api/", "/static/")) or not current_user or not current_user.is_authenticated:
        return []
    items = []
    for text, endpoint in NAVIGATION.get(current_user.role, []):
        href = url_for(endpoint)
        items.append({"href": href, "text": text, "active": request.endpoint == endpoint})
    return items


@dataclass
class Page:
    """One page of a list, with what a GOV.UK pagination component needs."""

    items: list
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first_item(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.page_size + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.page * self.page_size)



def page_number(value, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default
