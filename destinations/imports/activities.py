"""Importing destinations (activity records): a council's NCCIS history, one activity per row.

A row names a young person already on the roll (by UPN or council person id), an activity
code, when it started and, optionally, ended, the provider, hours, level and whether it was
verified. The activity is the same one when the young person, the code and the start date
are the same: importing a row again changes nothing, and a row whose end date (or provider,
hours, level, verified) has changed since updates the activity it imported before. A row
never changes an activity a keyworker or the young person recorded: the service's own
records win.

The rules are the activities area's own (``validate_activity``, ``record_activity``,
``update_activity``).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from destinations.activities import services as activities
from destinations.activities.codes import activity_code
from destinations.activities.models import ActivityRecord
from destinations.imports.columns import Column, Headings, Problem, Row, heading_key
from destinations.imports.services import BatchPlan, RowsRefused, WriteContext
from destinations.people.models import YoungPerson
from destinations.people.upn import UPNError, validate_upn
from destinations.providers.models import Provider

COLUMNS = (
    Column("upn", "UPN", "text", "The young person's Unique Pupil Number. They must already be on the service. Needed unless the row has a council person id.",
           aliases=("UPN", "Unique Pupil Number", "Pupil UPN"), max_length=30, example="H938200110001"),
    Column("council_person_id", "Council person id", "text", "The council's own id for the young person, when there is no UPN.",
           aliases=("Person ID", "PersonID", "Council Person ID", "Client ID", "Child ID", "LA Person ID"), max_length=40, example="P0012345"),
    Column("activity_code", "Activity code", "text", "An NCCIS current-activity code (for example 230 Further education, 310 Apprenticeship, 619 Seeking employment) or one of the service's own (S10, S20).",
           required=True, aliases=("NCCIS Code", "Activity Code", "Current Activity Code", "Current Activity", "Activity", "NCCIS Activity Code"), max_length=10, example="230"),
    Column("started_on", "Start date", "date", "DD/MM/YYYY or YYYY-MM-DD: when the activity started.",
           required=True, aliases=("Start Date", "Date Started", "Activity Start Date", "Started On", "Start"), example="01/09/2026"),
    Column("ended_on", "End date", "date", "DD/MM/YYYY or YYYY-MM-DD: when it ended. Leave blank if it is still going on.",
           aliases=("End Date", "Date Ended", "Activity End Date", "Ended On", "End"), example=""),
    Column("provider_id", "Provider id", "integer", "The service's id for the provider (from the providers list).", aliases=("Provider ID",), example=""),
    Column("provider_name", "Provider name", "text", "The provider's name. A name on the providers list (ignoring capitals) is linked to it; any other name is kept as written. A number here is read as the provider id.",
           aliases=("Provider", "Provider Name", "Establishment", "Establishment Name", "Learning Provider", "Employer"), max_length=200, example="Northshire College"),
    Column("hours_per_week", "Hours per week", "text", "Hours a week, more than 0 and up to 168, at most one decimal place. Needed for employment and apprenticeship codes.",
           aliases=("Hours", "Hours per Week", "Weekly Hours", "Hours a Week"), max_length=20, example="16"),
    Column("level", "Level", "text", "Qualification level: " + ", ".join(f"{key} ({label})" for key, label in activities.LEVELS.items()) + ".",
           aliases=("Level", "Qualification Level", "Course Level"), max_length=20, example="2"),
    Column("verified", "Verified", "boolean", "Yes if the activity was checked with the young person or the provider; no otherwise (the default).",
           aliases=("Verified", "Verified?", "Is Verified"), example="yes"),
)

COMPARED = ("ended_on", "provider_id", "provider_name", "hours_per_week", "level", "verified")
_LEVEL_WORDS = {heading_key(key): key for key in activities.LEVELS} | {heading_key(label): key for key, label in activities.LEVELS.items()}


@dataclass
class ActivityWrite:
    person: YoungPerson
    values: dict[str, Any]
    record: ActivityRecord | None = None  # None: a new activity
    row: int = 0


class DestinationsImport:
    kind = "destinations"
    columns = COLUMNS

    def __init__(self, today) -> None:
        self.today = today
        self.seen = None  # SeenKeys: activities met in earlier batches of the file (set by run_import)
        self.earlier: dict[str, int] = {}
        self.providers: dict[int, Provider] = {}
        self.provider_by_name: dict[str, int | None] = {}

    def heading_problems(self, headings: Headings) -> list[Problem]:
        if "upn" in headings.index or "council_person_id" in headings.index:
            return []
        return [Problem(headings.row, "upn", "There is no UPN column. Add a column headed upn (or UPN), or council_person_id (or Person ID) for young people without a UPN.")]

    def prepare(self, session: Session) -> None:
        # Held for the whole import, so the activities' provider check finds them without a query.
        for provider in session.scalars(select(Provider)):
            self.providers[provider.id] = provider
            key = provider.name.strip().casefold()
            self.provider_by_name[key] = None if key in self.provider_by_name else provider.id  # None: two share the name

    def remember(self, plan: BatchPlan) -> None:
        self.seen.add({"activity": plan.seen})

    def check(self, session: Session, rows: list[Row], headings: Headings, *, intents: dict[int, set[str]] | None) -> BatchPlan:
        """What the batch would do. ``intents`` (on a retry) limits each row to the changes it first meant."""
        fresh = intents is not None
        plan = BatchPlan()
        keys = []
        for row in rows:
            upn = row.values.get("upn")
            if upn is not None:
                try:
                    upn = validate_upn(upn)
                except UPNError as error:
                    row.problems.append(Problem(row.number, headings.column("upn"), str(error)))
                    upn = None
            keys.append((upn, row.values.get("council_person_id")))
        by_upn, by_cid, records = self._existing(session, keys, fresh)
        self.earlier = self.seen.lookup({"activity": [_key(person.id, row) for row, (upn, cid) in zip(rows, keys) if (person := by_upn.get(upn) or by_cid.get(cid))]})["activity"]
        for row, (upn, cid) in zip(rows, keys):
            self._check_row(row, headings, upn, cid, by_upn, by_cid, records, plan, intents)
        return plan

    def _existing(self, session: Session, keys, fresh: bool):
        """The young people the batch names and their activities: two queries."""
        upns = sorted({upn for upn, _ in keys if upn})
        cids = sorted({cid for _, cid in keys if cid})
        if not upns and not cids:
            return {}, {}, {}
        conditions = ([YoungPerson.upn.in_(upns)] if upns else []) + ([YoungPerson.council_person_id.in_(cids)] if cids else [])
        query = select(YoungPerson).where(or_(*conditions))
        if fresh:
            query = query.execution_options(populate_existing=True)
        found = session.scalars(query).all()
        records: dict[tuple, list[ActivityRecord]] = defaultdict(list)
        if found:
            query = select(ActivityRecord).where(ActivityRecord.young_person_id.in_([person.id for person in found]))
            if fresh:
                query = query.execution_options(populate_existing=True)
            for record in session.scalars(query):
                records[(record.young_person_id, record.activity_code, record.started_on)].append(record)
        return (
            {person.upn: person for person in found if person.upn},
            {person.council_person_id: person for person in found if person.council_person_id},
            records,
        )

    def _check_row(self, row: Row, headings: Headings, upn, cid, by_upn, by_cid, records, plan: BatchPlan, intents) -> None:
        values, number = row.values, row.number
        problems = list(row.problems)
        bad_columns = {problem.column for problem in problems}

        def refuse(name: str, message: str) -> None:
            problems.append(Problem(number, headings.column(name), message))

        person = by_upn.get(upn) if upn else None
        by_id = by_cid.get(cid) if cid else None
        if upn is None and cid is None:
            if headings.column("upn") not in bad_columns:
                refuse("upn" if "upn" in headings.index else "council_person_id", "Enter the young person's UPN, or their council person id if they have no UPN.")
        elif person is not None and by_id is not None and person.id != by_id.id:
            refuse("council_person_id", "This council person id belongs to a different young person from this row's UPN. Check both are right.")
        elif person is None and by_id is None:
            which = "upn" if upn else "council_person_id"
            refuse(which, f"No young person on the service has this {'UPN' if upn else 'council person id'}. Import them with the young people import first, or check it is right.")
        person = person or by_id

        activity = {name: values[name] for name in ("activity_code", "started_on", "ended_on", "hours_per_week", "level", "verified") if values.get(name) is not None}
        if "level" in activity:
            activity["level"] = _LEVEL_WORDS.get(heading_key(activity["level"]), activity["level"])
        self._provider(values, activity, refuse)
        code = activity_code(str(activity.get("activity_code", "")))
        errors = activities.validate_activity({**activity, "source": "import"}, today=self.today, date_of_birth=person.date_of_birth if person else None)
        for name, messages in errors.items():
            if name == "provider_id" and "provider_id" not in headings.index:
                name = "provider_name"
            if headings.column(name) in bad_columns:
                continue  # the cell could not be read, which is already said
            for message in messages:
                refuse(name, _sentence(message))

        key = None
        if person is not None and code is not None and isinstance(activity.get("started_on"), date):
            key = f"{person.id}|{code.code}|{activity['started_on'].isoformat()}"
            first = self.earlier.get(key) or plan.seen.get(key)
            if first:
                refuse("activity_code", f"This activity (the same young person, code and start date) is also on row {first}. Remove the duplicate row.")
            else:
                plan.seen[key] = number
        if problems:
            plan.problems.extend(problems)
            return
        activity["activity_code"] = code.code
        existing = records.get((person.id, code.code, activity["started_on"]), [])
        imported = [record for record in existing if record.source == "import"]
        if existing and not imported:
            plan.unchanged += 1  # a keyworker or the young person recorded it: theirs stands
            return
        if not existing:
            plan.created += 1
            plan.writes.append(ActivityWrite(person, activity, None, number))
            return
        record = imported[0]
        # Compared as the activities area stores them (hours as a decimal, levels by key).
        clean, _errors = activities.clean_activity(activity, today=self.today, date_of_birth=person.date_of_birth)
        changes = {name: clean[name] for name in COMPARED if name in clean and getattr(record, name) != clean[name]}
        if intents is not None and number in intents:
            changes = {name: value for name, value in changes.items() if name in intents[number]}
        else:
            plan.intents[number] = set(changes)
        if not changes:
            plan.unchanged += 1
            return
        plan.updated += 1
        plan.writes.append(ActivityWrite(person, changes, record, number))

    def _provider(self, values, activity: dict, refuse) -> None:
        provider_id, name = values.get("provider_id"), values.get("provider_name")
        # Only 0-9: str.isdigit() is true of "²" and "①" too, which int() cannot read.
        if name is not None and provider_id is None and re.fullmatch(r"[0-9]+", name.strip()):
            provider_id, name = int(name.strip()), None
        if provider_id is not None:
            if provider_id not in self.providers:
                refuse("provider_id" if values.get("provider_id") is not None else "provider_name", f"There is no provider with id {provider_id}. Check the id on the providers list, or give the provider's name instead.")
                return
            activity["provider_id"] = provider_id
            return
        if name is not None:
            matched = self.provider_by_name.get(name.strip().casefold())
            if matched is not None:
                activity["provider_id"] = matched
            else:
                activity["provider_name"] = name.strip()

    def apply(self, session: Session, plan: BatchPlan, context: WriteContext) -> None:
        by = context.actor.user
        touched: dict[int, dict[str, int]] = {}
        new_records = []
        for write in plan.writes:
            counts = touched.setdefault(write.person.id, {"created": 0, "updated": 0})
            try:
                if write.record is None:
                    new_records.append(self._new_record(write, by.id))
                    counts["created"] += 1
                else:
                    activities.update_activity(session, write.record, write.values, today=context.today)
                    counts["updated"] += 1
            except activities.ActivityError as error:
                raise RowsRefused(
                    [Problem(write.row, name, _sentence(message)) for name, messages in error.errors.items() for message in messages]
                ) from None
        if new_records:
            session.execute(insert(ActivityRecord.__table__), new_records)
        for person_id, counts in touched.items():
            context.audit("update", person_id, fields=["activities"], activities_created=counts["created"], activities_updated=counts["updated"])

    def _new_record(self, write: ActivityWrite, by_id: int) -> dict[str, Any]:
        """The row record_activity would add for an imported activity, to insert with the rest of the batch.

        record_activity flushes each record on its own, which at 20,000 rows is most of an
        import's time; for the "import" source it only validates and stores the clean values,
        which is what this does, with the same rules.
        """
        values = {**write.values, "source": "import"}
        errors = activities.validate_activity(values, today=self.today, date_of_birth=write.person.date_of_birth)
        clean, _ = activities.clean_activity(values, today=self.today, date_of_birth=write.person.date_of_birth)
        provider_id = clean.get("provider_id")
        if provider_id is not None and provider_id not in self.providers:
            errors.setdefault("provider_id", []).append(f"There is no provider with id {provider_id}")
        if errors:
            raise activities.ActivityError(errors)
        return {
            "young_person_id": write.person.id,
            "activity_code": clean["activity_code"],
            "started_on": clean["started_on"],
            "ended_on": clean.get("ended_on"),
            "provider_id": provider_id,
            "provider_name": clean.get("provider_name"),
            "hours_per_week": clean.get("hours_per_week"),
            "level": clean.get("level"),
            "source": "import",
            "verified": clean.get("verified", False),
            "confirmed_on": None,
            "recorded_by_id": by_id,
        }


def _key(person_id: int, row: Row) -> str:
    """The activity's identity (young person, code, start date) as the seen-keys table holds it."""
    found = activity_code(str(row.values.get("activity_code") or ""))
    started = row.values.get("started_on")
    return f"{person_id}|{found.code if found else ''}|{started.isoformat() if isinstance(started, date) else ''}"


def _sentence(message: str) -> str:
    return message if message.endswith((".", "?", "!")) else message + "."
