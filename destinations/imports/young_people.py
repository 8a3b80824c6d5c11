"""Importing young people: one row per young person, matched on UPN or the council's person id.

A row for someone already on the roll updates only what differs, and each change is kept as
history, as a staff member's edit is: details in ``DetailChange`` (value before and after), pathways in ``PathwayChange``,
keyworkers in ``KeyworkerAssignment``. A blank cell in an optional column leaves what the
service holds as it is, so an import never erases anything.

The rules are the roll's own (``people.services`` and ``people.upn``); this module reads them
off a file, checks a batch of rows against the database in one query, and writes in bulk.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from destinations.auth.models import User
from destinations.auth.services import normalise_email
from destinations.imports.columns import Column, Headings, Problem, Row, heading_key
from destinations.imports.models import DetailChange
from destinations.imports.services import BatchPlan, WriteContext
from destinations.people import services as people
from destinations.people.models import KeyworkerAssignment, PathwayChange, YoungPerson
from destinations.people.reference import PATHWAYS, PRIMARY_NEEDS, SEN_PROVISION
from destinations.people.upn import UPNError, validate_upn
from destinations.providers.models import Provider

COLUMNS = (
    Column(
        "upn", "UPN", "text",
        "Unique Pupil Number: a check letter then 12 digits (the last may be a letter for a temporary UPN), "
        "for example H938200110001. Spaces are ignored. Needed unless the row has a council person id.",
        aliases=("UPN", "Unique Pupil Number", "Pupil UPN", "Current UPN"), max_length=30, example="H938200110001",
    ),
    Column(
        "council_person_id", "Council person id", "text",
        "The council's own id for the young person (up to 40 characters). Needed when there is no UPN; "
        "used to match the row when the UPN is blank or not yet on the service.",
        aliases=("Person ID", "PersonID", "Council Person ID", "Client ID", "Child ID", "LA Person ID", "Case ID"),
        max_length=40, example="P0012345",
    ),
    Column("given_name", "Given name", "text", "The legal first name (up to 100 characters).", required=True,
           aliases=("Legal Forename", "Forename", "Forenames", "First Name", "Given Name", "Given Names"), max_length=100, example="Sam"),
    Column("family_name", "Family name", "text", "The legal surname (up to 100 characters).", required=True,
           aliases=("Legal Surname", "Surname", "Last Name", "Family Name"), max_length=100, example="Taylor"),
    Column("date_of_birth", "Date of birth", "date", "DD/MM/YYYY or YYYY-MM-DD, or a date cell in Excel. On or after 1 January 1990 and in the past.",
           required=True, aliases=("DOB", "Date of Birth", "Birth Date", "Birthdate"), example="31/08/2010"),
    Column("sen_provision", "SEN provision", "text", "E (EHC plan) or K (SEN support). The words 'EHC plan' and 'SEN support' are understood too.",
           required=True, aliases=("SEN Provision", "SEN Status", "SEN Stage", "SEN Provision Type"), max_length=40, example="E"),
    Column("primary_need", "Primary need", "text", "A school census code: " + ", ".join(PRIMARY_NEEDS) + ". The names (for example 'Autistic spectrum disorder') are understood too.",
           required=True, aliases=("Primary Need", "Primary SEN Type", "SEN Primary Need", "Primary Need Type", "SEN Type"), max_length=80, example="ASD"),
    Column("school_id", "School id", "integer", "The service's id for the school (from the providers list).", aliases=("School ID",), example="12"),
    Column("school_urn", "School URN", "text", "The school's unique reference number (URN), instead of school_id.",
           aliases=("School URN", "URN", "Establishment URN"), max_length=10, example="100000"),
    Column("keyworker_id", "Keyworker id", "integer", "The service's staff id of an active keyworker.", aliases=("Keyworker ID",), example="7"),
    Column("keyworker_email", "Keyworker email", "text", "The work email address of an active keyworker, instead of keyworker_id.",
           aliases=("Keyworker Email", "Keyworker Email Address", "Key Worker Email", "Keyworker"), max_length=254, example="keyworker@council.gov.uk"),
    Column("pathway", "Pathway", "integer", "The preparation-for-adulthood pathway: 1, 2 or 3. Leave blank if not yet decided.",
           aliases=("PfA Pathway", "Pathway Number"), example="2"),
)

DETAIL_FIELDS = ("given_name", "family_name", "date_of_birth", "sen_provision", "primary_need")
MATCHED_FIELDS = ("upn", "council_person_id", *DETAIL_FIELDS, "school_id")
MISSING = {
    "given_name": "Enter the young person's given name.",
    "family_name": "Enter the young person's family name.",
    "date_of_birth": "Enter the young person's date of birth, as DD/MM/YYYY.",
    "sen_provision": "Enter the SEN provision: E (EHC plan) or K (SEN support).",
    "primary_need": "Enter the primary need as a school census code, like ASD.",
}
CREATED_REASON = "Set when the young person was imported from a file"
CHANGED_REASON = "Changed by an import from a file"
_SEN_WORDS = {heading_key(code): code for code in SEN_PROVISION} | {heading_key(label): code for code, label in SEN_PROVISION.items()} | {"ehcp": "E", "educationhealthandcareplan": "E"}
_NEED_WORDS = {heading_key(code): code for code in PRIMARY_NEEDS} | {heading_key(label): code for code, label in PRIMARY_NEEDS.items()}


@dataclass
class PersonWrite:
    row: int
    person: YoungPerson | None  # None: a new young person
    values: dict[str, Any] = field(default_factory=dict)  # every value (new) or the changed ones (existing)
    keyworker_id: int | None = None
    pathway: int | None = None


class YoungPeopleImport:
    kind = "young_people"
    columns = COLUMNS

    def __init__(self) -> None:
        self.seen = None  # SeenKeys: keys met in earlier batches of the file (set by run_import)
        self.earlier: dict[str, dict[str, int]] = {}
        self.providers: set[int] = set()
        self.provider_by_urn: dict[str, int] = {}
        self.keyworkers: dict[int, User] = {}
        self.keyworker_by_email: dict[str, int] = {}

    def heading_problems(self, headings: Headings) -> list[Problem]:
        if "upn" in headings.index or "council_person_id" in headings.index:
            return []
        return [
            Problem(
                headings.row, "upn",
                "There is no UPN column. Add a column headed upn (or UPN), and for young people without a UPN "
                "a column headed council_person_id (or Person ID).",
            )
        ]

    def prepare(self, session: Session) -> None:
        for provider_id, urn in session.execute(select(Provider.id, Provider.urn)):
            self.providers.add(provider_id)
            if urn:
                self.provider_by_urn[urn.strip().upper()] = provider_id
        # Held here for the whole import, so the roll's keyworker check finds them without a query.
        for user in session.scalars(select(User).where(User.role == "keyworker", User.active.is_(True))):
            self.keyworkers[user.id] = user
            self.keyworker_by_email[user.email.lower()] = user.id

    def remember(self, plan: BatchPlan) -> None:
        self.seen.add(plan.seen)

    # --- checking ---------------------------------------------------------------------------

    def check(self, session: Session, rows: list[Row], headings: Headings, *, intents: dict[int, set[str]] | None) -> BatchPlan:
        """What the batch would do. ``intents`` (on a retry) limits each row to the changes it first meant."""
        plan = BatchPlan(seen={"upn": {}, "cid": {}, "matched": {}})
        keys = [self._keys(row, headings) for row in rows]
        upns = {upn for upn, _cid in keys if upn}
        cids = {cid for _upn, cid in keys if cid}
        by_upn, by_cid = self._existing(session, upns, cids, fresh=intents is not None)
        people_found = {person.id for person in by_upn.values()} | {person.id for person in by_cid.values()}
        self.earlier = self.seen.lookup({"upn": upns, "cid": cids, "matched": people_found})
        for row, (upn, cid) in zip(rows, keys):
            self._check_row(session, row, headings, upn, cid, by_upn, by_cid, plan, intents)
        return plan

    def _keys(self, row: Row, headings: Headings) -> tuple[str | None, str | None]:
        upn, cid = row.values.get("upn"), row.values.get("council_person_id")
        if upn is not None:
            try:
                upn = validate_upn(upn)
            except UPNError as error:
                row.problems.append(Problem(row.number, headings.column("upn"), str(error)))
                upn = None
                row.values["upn"] = None
        return upn, cid

    def _existing(self, session: Session, upns: set[str], cids: set[str], fresh: bool):
        """Everyone the batch names, by UPN and by council person id, in one query."""
        if not upns and not cids:
            return {}, {}
        conditions = []
        if upns:
            conditions.append(YoungPerson.upn.in_(sorted(upns)))
        if cids:
            conditions.append(YoungPerson.council_person_id.in_(sorted(cids)))
        query = select(YoungPerson).where(or_(*conditions))
        if fresh:
            query = query.execution_options(populate_existing=True)
        people_found = session.scalars(query).all()
        return (
            {person.upn: person for person in people_found if person.upn},
            {person.council_person_id: person for person in people_found if person.council_person_id},
        )

    def _check_row(self, session, row: Row, headings: Headings, upn, cid, by_upn, by_cid, plan: BatchPlan, intents) -> None:
        values, number = row.values, row.number
        problems = list(row.problems)
        bad_columns = {problem.column for problem in problems}

        def refuse(name: str, message: str) -> None:
            problems.append(Problem(number, headings.column(name), message))

        if upn is None and cid is None and headings.column("upn") not in bad_columns:
            refuse("upn" if "upn" in headings.index else "council_person_id", "Enter the UPN, or the council person id if the young person has no UPN.")
        if upn is not None:
            first = self.earlier["upn"].get(upn) or plan.seen["upn"].get(upn)
            if first:
                refuse("upn", f"This UPN is also on row {first}. Each young person must be on one row only: remove or merge the duplicate rows.")
            else:
                plan.seen["upn"][upn] = number
        if cid is not None:
            first = self.earlier["cid"].get(cid) or plan.seen["cid"].get(cid)
            if first:
                refuse("council_person_id", f"This council person id is also on row {first}. Each young person must be on one row only.")
            else:
                plan.seen["cid"][cid] = number

        details: dict[str, Any] = {}
        for name in DETAIL_FIELDS:
            value = values.get(name)
            if value is None:
                if headings.column(name) not in bad_columns:
                    refuse(name, MISSING[name])
                continue
            if name == "sen_provision":
                value = _SEN_WORDS.get(heading_key(value), value)
            elif name == "primary_need":
                value = _NEED_WORDS.get(heading_key(value), value)
            details[name] = value
        try:
            details = people._check_details(session, details)
        except people.RollError as error:
            for name, message in error.errors.items():
                refuse(name, message)

        school_id = self._school(values, refuse)
        keyworker_id = self._keyworker(values, refuse)
        pathway = values.get("pathway")
        if pathway is not None and pathway not in PATHWAYS:
            refuse("pathway", "Pathway must be 1, 2 or 3. Leave it blank if it is not yet decided.")

        person = by_upn.get(upn) if upn else None
        by_id = by_cid.get(cid) if cid else None
        if person is not None and by_id is not None and person.id != by_id.id:
            refuse("council_person_id", "This council person id belongs to a different young person from this row's UPN. Check both are right.")
        person = person or by_id
        if person is not None:
            first = self.earlier["matched"].get(str(person.id)) or plan.seen["matched"].get(person.id)
            if first:
                refuse("upn" if upn else "council_person_id", f"This row is for the same young person as row {first}. Each young person must be on one row only.")
            else:
                plan.seen["matched"][person.id] = number

        if problems:
            plan.problems.extend(problems)
            return
        wanted = {"upn": upn, "council_person_id": cid, **details, "school_id": school_id}
        wanted = {name: value for name, value in wanted.items() if value is not None}
        if person is None:
            plan.created += 1
            plan.writes.append(PersonWrite(number, None, wanted, keyworker_id, pathway))
            return
        changes = {name: value for name, value in wanted.items() if getattr(person, name) != value}
        keyworker_change = keyworker_id if keyworker_id is not None and keyworker_id != person.keyworker_id else None
        pathway_change = pathway if pathway is not None and pathway != person.pathway else None
        meant = intents.get(number) if intents is not None else None
        if meant is not None:
            changes = {name: value for name, value in changes.items() if name in meant}
            keyworker_change = keyworker_change if "keyworker_id" in meant else None
            pathway_change = pathway_change if "pathway" in meant else None
        else:
            plan.intents[number] = set(changes) | ({"keyworker_id"} if keyworker_change is not None else set()) | ({"pathway"} if pathway_change is not None else set())
        if not changes and keyworker_change is None and pathway_change is None:
            plan.unchanged += 1
            return
        plan.updated += 1
        plan.writes.append(PersonWrite(number, person, changes, keyworker_change, pathway_change))

    def _school(self, values, refuse) -> int | None:
        school_id, urn = values.get("school_id"), values.get("school_urn")
        if school_id is not None and school_id not in self.providers:
            refuse("school_id", f"There is no provider with id {school_id}. Check the id on the providers list, or leave the cell blank.")
            school_id = None
        if urn is not None:
            by_urn = self.provider_by_urn.get(urn.strip().upper())
            if by_urn is None:
                refuse("school_urn", "No school on the providers list has this URN. Ask an administrator to add the school, or leave the cell blank.")
            elif school_id is not None and school_id != by_urn:
                refuse("school_urn", "The school URN and the school id are for different schools. Give only one of them.")
            else:
                school_id = by_urn
        return school_id

    def _keyworker(self, values, refuse) -> int | None:
        keyworker_id, email = values.get("keyworker_id"), values.get("keyworker_email")
        if keyworker_id is not None and keyworker_id not in self.keyworkers:
            refuse("keyworker_id", f"There is no active keyworker with id {keyworker_id}. Check the id, or leave the cell blank.")
            keyworker_id = None
        if email is not None:
            by_email = self.keyworker_by_email.get(normalise_email(email))
            if by_email is None:
                refuse("keyworker_email", "There is no active keyworker with this email address. Check it, or leave the cell blank.")
            elif keyworker_id is not None and keyworker_id != by_email:
                refuse("keyworker_email", "The keyworker email and the keyworker id are for different people. Give only one of them.")
            else:
                keyworker_id = by_email
        return keyworker_id

    # --- writing ----------------------------------------------------------------------------

    def apply(self, session: Session, plan: BatchPlan, context: WriteContext) -> None:
        by = context.actor.user
        creates = [write for write in plan.writes if write.person is None]
        updates = [write for write in plan.writes if write.person is not None]
        if creates:
            self._create(session, creates, context)
        before = {id(write): {name: getattr(write.person, name) for name in write.values} for write in updates}
        for write in updates:
            person = write.person
            for name, value in write.values.items():
                setattr(person, name, value)
            if write.keyworker_id is not None:
                people.assign_keyworker(session, person, write.keyworker_id, by)
            if write.pathway is not None:
                people.change_pathway(session, person, write.pathway, CHANGED_REASON, by)
        # The version check happens here: a record someone else saved since the check is refused.
        session.flush()
        history = []
        for write in updates:
            context.audit("update", write.person.id, fields=_fields(write))
            history += people.detail_change_rows(
                write.person.id, before[id(write)], write.values, source="import", by_id=by.id, import_run_id=context.run.id
            )
        if history:
            session.execute(insert(DetailChange), history)

    def _create(self, session: Session, creates: list[PersonWrite], context: WriteContext) -> None:
        """Add new young people in bulk, with the keyworker and pathway history create_person keeps."""
        by = context.actor.user
        session.execute(
            insert(YoungPerson.__table__),
            [
                {**{name: write.values.get(name) for name in people.EDITABLE_FIELDS}, "keyworker_id": write.keyworker_id, "pathway": write.pathway}
                for write in creates
            ],
        )
        # Every new row has a UPN or a council person id no one else has, so this finds each one's id.
        upns = [write.values["upn"] for write in creates if write.values.get("upn")]
        cids = [write.values["council_person_id"] for write in creates if not write.values.get("upn")]
        conditions = ([YoungPerson.upn.in_(upns)] if upns else []) + ([YoungPerson.council_person_id.in_(cids)] if cids else [])
        ids_by_upn, ids_by_cid = {}, {}
        for person_id, upn, cid in session.execute(select(YoungPerson.id, YoungPerson.upn, YoungPerson.council_person_id).where(or_(*conditions))):
            ids_by_upn[upn] = person_id
            ids_by_cid[cid] = person_id
        assignments, pathways = [], []
        for write in creates:
            upn = write.values.get("upn")
            person_id = ids_by_upn[upn] if upn else ids_by_cid[write.values["council_person_id"]]
            if write.keyworker_id is not None:
                assignments.append({"young_person_id": person_id, "keyworker_id": write.keyworker_id, "assigned_by_id": by.id})
            if write.pathway is not None:
                pathways.append({"young_person_id": person_id, "from_pathway": None, "to_pathway": write.pathway, "reason": CREATED_REASON, "changed_by_id": by.id})
            context.audit("create", person_id, fields=_fields(write))
        if assignments:
            session.execute(insert(KeyworkerAssignment.__table__), assignments)
        if pathways:
            session.execute(insert(PathwayChange.__table__), pathways)


def _fields(write: PersonWrite) -> list[str]:
    """The names of the fields a row sets, for the audit log (never their values)."""
    return sorted(write.values) + (["keyworker_id"] if write.keyworker_id is not None else []) + (["pathway"] if write.pathway is not None else [])
