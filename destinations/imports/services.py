"""Running an import: read the file a batch at a time, check every row, write all or nothing.

The file is read once. Each batch of rows is checked against the database in a fixed number
of queries (everyone the batch names, in one query), then written, in a savepoint, unless an
earlier row had a problem or this is a dry run. At the end the whole import's savepoint is
released only if no row anywhere had a problem, so a problem on the last row still means
nothing at all is written.

Writing a batch updates only the fields that changed and relies on the records' version
numbers: if someone saved a change to one of the batch's young people between the check and
the write, the write is refused (StaleDataError), the savepoint undone, and the batch checked
again against the record as it now is. So neither the import nor the other person's change
is lost.

Services add and flush; the caller commits once.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, Mapping, Protocol

from sqlalchemy import Column as TableColumn
from sqlalchemy import Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from destinations.audit.models import AuditEvent
from destinations.auth.models import User
from destinations.database import utcnow
from destinations.imports.columns import Column, Headings, Problem, Row, match_headings, read_row
from destinations.imports.files import CHUNK, FileProblem, FileTooLarge, is_blank, open_rows
from destinations.imports.models import ImportRun

log = logging.getLogger(__name__)

ANALYZED_TABLES = {"young_people": "young_person", "destinations": "activity_record"}
ANALYZE_AFTER = 1000  # rows added by one import
ATTEMPTS = 3  # a batch is checked again this many times when someone else changes its records
CONFLICT_MESSAGE = (
    "Someone else changed the same young people's records while this import was running, several times over. "
    "Nothing was imported: import the file again."
)


@dataclass(frozen=True)
class ImportSettings:
    max_bytes: int = 8 * 1024 * 1024
    max_rows: int = 100_000
    batch_size: int = 500
    max_problems: int = 1000  # problems listed; every one is counted
    preview_minutes: int = 30

    @classmethod
    def from_config(cls, config: Mapping) -> ImportSettings:
        return cls(
            max_bytes=int(config.get("IMPORT_MAX_BYTES", cls.max_bytes)),
            max_rows=int(config.get("IMPORT_MAX_ROWS", cls.max_rows)),
            batch_size=int(config.get("IMPORT_BATCH_SIZE", cls.batch_size)),
            preview_minutes=int(config.get("IMPORT_PREVIEW_MINUTES", cls.preview_minutes)),
        )


@dataclass(frozen=True)
class Actor:
    """Who is importing, for the records' history and the audit log."""

    user: User
    actor_type: str = "user"  # "user" (a page) or "token" (the API)
    ip_address: str | None = None


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    max_problems: int = 1000
    file_format: str | None = None
    file_size: int = 0
    digest: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    imported: bool = False
    run_id: int | None = None
    unreadable: str | None = None  # why the file could not be read at all
    too_large: bool = False
    conflict: bool = False

    def add(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.error_count += 1
            if len(self.problems) < self.max_problems:
                self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.unreadable is None

    @property
    def outcome(self) -> str:
        if self.unreadable is not None:
            return "unreadable"
        if self.error_count:
            return "refused"
        return "checked" if self.dry_run else "imported"

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "imported": self.imported,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": [problem.as_dict() for problem in self.problems],
            "ignored_columns": list(self.ignored_columns),
            "import_id": self.run_id,
        }


@dataclass
class BatchPlan:
    """What one batch would do: counts, problems, and the writes ``apply`` makes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    writes: list[Any] = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # kind -> {key: row} this batch adds to the file's "already seen"
    # For each row matched to an existing record: the fields the row meant to change, judged
    # against the record as first read. A retry after someone else's save changes only these,
    # so their change to any other field stands.
    intents: dict[int, set[str]] = field(default_factory=dict)


class Importer(Protocol):
    kind: str
    columns: tuple[Column, ...]
    seen: SeenKeys

    def heading_problems(self, headings: Headings) -> list[Problem]: ...

    def prepare(self, session: Session) -> None: ...

    def check(self, session: Session, rows: list[Row], headings: Headings, *, intents: dict[int, set[str]] | None) -> BatchPlan: ...

    def apply(self, session: Session, plan: BatchPlan, context: WriteContext) -> None: ...

    def remember(self, plan: BatchPlan) -> None: ...


@dataclass
class WriteContext:
    run: ImportRun
    actor: Actor
    today: date
    audit_rows: list[dict] = field(default_factory=list)

    def audit(self, action: str, person_id: int, **detail) -> None:
        """Queue an audit event for one young person's record (written in bulk after the flush)."""
        self.audit_rows.append(
            {
                "action": action,
                "actor_type": self.actor.actor_type,
                "actor_id": self.actor.user.id,
                "object_type": "young_person",
                "object_id": person_id,
                "ip_address": self.actor.ip_address,
                "detail": {"import_run_id": self.run.id, **detail},
                "occurred_at": utcnow(),
            }
        )

    def flush_audit(self, session: Session) -> None:
        if self.audit_rows:
            session.execute(insert(AuditEvent), self.audit_rows)
            self.audit_rows = []


class SeenKeys:
    """The keys (UPNs, ids) already met earlier in the file, with the row each was on.

    They live in a temporary table on the import's own connection, not in memory, so a file
    of 100,000 rows needs no more memory than one of 1,000: each batch asks for its own keys
    in one query and adds them in one multi-row INSERT. The table goes when the import ends.
    """

    def __init__(self, session: Session, run_id: int):
        self.session = session
        self.table = Table(
            f"import_seen_{int(run_id)}",
            MetaData(),
            TableColumn("kind", String(10), primary_key=True),
            TableColumn("seen_key", String(200), primary_key=True),
            TableColumn("row_number", Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
        self.table.create(session.connection())

    def lookup(self, wanted: Mapping[str, Iterable]) -> dict[str, dict[str, int]]:
        """For each kind, the wanted keys already seen, with their rows."""
        found: dict[str, dict[str, int]] = {kind: {} for kind in wanted}
        for kind, keys in wanted.items():
            keys = sorted({str(key) for key in keys})
            if keys:
                query = select(self.table.c.seen_key, self.table.c.row_number).where(self.table.c.kind == kind, self.table.c.seen_key.in_(keys))
                found[kind] = {key: row for key, row in self.session.execute(query)}
        return found

    def add(self, seen: Mapping[str, Mapping]) -> None:
        rows = [{"kind": kind, "seen_key": str(key), "row_number": row} for kind, keys in seen.items() for key, row in keys.items()]
        if rows:
            self.session.execute(insert(self.table), rows)
            if self.session.get_bind().dialect.name == "postgresql":
                # Autovacuum never analyses a temporary table; without statistics the planner
                # scans the whole table for every batch's keys, which grows with the square of the rows.
                self.session.execute(text(f"ANALYZE {self.table.name}"))

    def drop(self) -> None:
        self.table.drop(self.session.connection(), checkfirst=True)


class ImportConflict(Exception):
    """The database kept refusing a batch because others changed the same records."""


class RowsRefused(Exception):
    """Writing found problems the check did not (the rules changed under it); nothing of the batch is kept."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def digest_of(stream: IO[bytes]) -> str:
    """The file's SHA-256, read in chunks; leaves the stream at the start."""
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def run_import(
    session: Session,
    importer: Importer,
    stream: IO[bytes],
    *,
    actor: Actor,
    dry_run: bool,
    channel: str,
    today: date,
    settings: ImportSettings,
) -> ImportResult:
    """Check (and unless ``dry_run``, write) a file; records the run and audits it. The caller commits."""
    result = ImportResult(kind=importer.kind, dry_run=dry_run, max_problems=settings.max_problems)
    run = ImportRun(kind=importer.kind, channel=channel, dry_run=dry_run, outcome="checked", by_id=actor.user.id)
    session.add(run)
    session.flush()
    result.run_id = run.id
    try:
        result.digest = digest_of(stream)
        opened = open_rows(stream, limit=settings.max_bytes)
        result.file_format, result.file_size = opened.format, opened.size
    except FileTooLarge as problem:
        result.unreadable, result.too_large, result.file_size = problem.message, True, problem.size
    except FileProblem as problem:
        result.unreadable = problem.message
    else:
        everything = session.begin_nested()
        importer.seen = SeenKeys(session, run.id)
        try:
            _read_and_check(session, importer, opened.rows, result, WriteContext(run, actor, today), settings)
        except ImportConflict:
            result.conflict = True
            result.add([Problem(None, None, CONFLICT_MESSAGE)])
        importer.seen.drop()
        if result.ok and not dry_run:
            everything.commit()
            result.imported = True
            if result.created >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
                # As autovacuum would soon: the next import's look-ups then use the indexes.
                session.execute(text(f"ANALYZE {ANALYZED_TABLES[importer.kind]}"))
        else:
            everything.rollback()
            if not dry_run:
                result.created = result.updated = result.unchanged = 0
    _finish(session, run, result, actor)
    return result


def _read_and_check(session, importer, rows, result: ImportResult, context: WriteContext, settings: ImportSettings) -> None:
    headings: Headings | None = None
    batch: list[Row] = []
    writing = not result.dry_run
    try:
        for number, cells in rows:
            if is_blank(cells):
                continue  # blank rows (often trailing ones a spreadsheet keeps) are skipped
            if headings is None:
                headings = match_headings(cells, importer.columns, number)
                result.ignored_columns = list(headings.ignored)
                problems = headings.problems + importer.heading_problems(headings)
                if problems:
                    result.add(problems)
                    return  # without the right columns no row can be checked
                importer.prepare(session)
                continue
            result.rows += 1
            if result.rows > settings.max_rows:
                result.rows -= 1
                result.add([Problem(number, None, f"The file has more than {settings.max_rows:,} rows of data. Split it into smaller files and import them one after another.")])
                break
            batch.append(read_row(number, cells, headings, importer.columns))
            if len(batch) >= settings.batch_size:
                writing = _batch(session, importer, batch, headings, result, context, writing)
                batch = []
    except FileProblem as problem:
        if headings is None and problem.row is None:
            result.unreadable = problem.message
            return
        result.add([Problem(problem.row or result.rows + 1, None, problem.message)])
    if batch:
        _batch(session, importer, batch, headings, result, context, writing and result.error_count == 0)
    if headings is None and result.unreadable is None:
        result.unreadable = "The file has no heading row: it is empty, or every row is blank. Choose the file with your data in it."
    elif headings is not None and result.rows == 0 and result.ok:
        result.add([Problem(headings.row + 1, None, "There are no rows of data under the headings. Add a row for each record.")])


def _batch(session, importer, rows: list[Row], headings: Headings, result: ImportResult, context: WriteContext, writing: bool) -> bool:
    """Check one batch and, while the file has had no problem, write it. Returns whether to keep writing."""
    intents = None
    for attempt in range(ATTEMPTS):
        plan = importer.check(session, rows, headings, intents=intents)
        intents = intents if intents is not None else plan.intents
        if plan.problems:
            writing = False
        if not writing:
            break
        try:
            with session.begin_nested():
                importer.apply(session, plan, context)
                session.flush()
                context.flush_audit(session)
            break
        except RowsRefused as refused:
            context.audit_rows = []
            plan.problems.extend(refused.problems)
            writing = False
            break
        except StaleDataError:
            context.audit_rows = []
            log.info("import batch met a changed record; checking it again", extra={"import_run_id": context.run.id, "attempt": attempt + 1})
        except (IntegrityError, OperationalError) as error:
            # Another request added a young person with the same UPN, or a lock could not be had.
            context.audit_rows = []
            log.info("import batch refused by the database", extra={"import_run_id": context.run.id, "error_type": type(error).__name__})
            if attempt == ATTEMPTS - 1:
                raise ImportConflict() from None
    else:
        raise ImportConflict()
    importer.remember(plan)
    result.created += plan.created
    result.updated += plan.updated
    result.unchanged += plan.unchanged
    result.add(plan.problems)
    return writing


def _finish(session: Session, run: ImportRun, result: ImportResult, actor: Actor) -> None:
    run.outcome = result.outcome
    run.file_format = result.file_format
    run.file_size = result.file_size
    run.file_digest = result.digest
    run.rows = result.rows
    run.created, run.updated, run.unchanged = result.created, result.updated, result.unchanged
    run.error_count = result.error_count + (1 if result.unreadable else 0)
    run.finished_at = utcnow()
    session.add(
        AuditEvent(
            action="import",
            actor_type=actor.actor_type,
            actor_id=actor.user.id,
            object_type="import_run",
            object_id=run.id,
            ip_address=actor.ip_address,
            detail={
                "kind": result.kind,
                "dry_run": result.dry_run,
                "outcome": result.outcome,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": run.error_count,
            },
        )
    )
    session.flush()
