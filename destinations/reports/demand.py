"""Commissioning demand: who intends to start what, where and with which support (DOMAIN.md section 6).

Everything is counted by the database, in one statement on SQLite and two on PostgreSQL,
whatever the size of the roll:

- ``counted_intentions`` holds one row per young person who has not left the roll on the report
  date and intends to start something in the target year: their ``CurrentIntention`` row, which
  the review services keep from the steps of their latest complete review (by date held, then
  the later-logged review), joined to what the report needs to know of them.
- A few groupings of those rows give every table's cells (``_groupings``): one over each young
  person's first step by route, level, sector subject area, pathway, primary need and age of
  review (the additive tables are its roll-ups), one per multi-select breakdown, and which
  transition points they reach (for coverage). The multi-select breakdowns group by each
  person's whole set of codes, and the roll-up counts a combination once under each of its codes.
  SQLite runs them as a UNION ALL of GROUP BYs over a materialised CTE; PostgreSQL in one pass
  with GROUPING SETS, then counts the roll for coverage in a second statement.
- Provider slices (slice P: the young people who named provider P for a step in that year)
  come from the same groupings with the set of providers named as one more key; publishing
  files each combination under the area-wide report and every provider in its set.
  What comes back is a row per combination of values, never a row per young person.

How people are counted when they intend more than one step in the year:

- Route by level, and sector subject area by route, use each young person's first step in the
  year (the lowest position on the review), so each person is counted once and those two tables
  add up to the number of young people.
- Support needs, preferred providers and full or part time count a young person once in every
  row that any of their steps in the year falls in, so their rows can add up to more than the
  number of young people (they are marked as not additive for disclosure control).
- Pathway, primary need and the age of the evidence describe the person, so each is counted once.

Coverage is the exception to "one population": it counts everyone who reaches a
transition point in the year before the target year starts, and how many of them have a recorded
intention for the target year. It describes the area, so provider slices leave it out.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from destinations.database import utcnow
from destinations.people import roll
from destinations.people.models import YoungPerson
from destinations.people.reference import PATHWAYS, PRIMARY_NEEDS
from destinations.people.services import (
    RollSettings,
    base_end_not_passed_from,
    earliest_birth,
    status_condition,
    still_here_condition,
)
from destinations.providers.models import Provider
from destinations.reports.disclosure import DisclosureSettings, Table, protect_report, share_total
from destinations.reviews import reference
from destinations.reviews.current import SET_SEPARATOR, codes_in
from destinations.reviews.models import CurrentIntention, ReferenceItem

AREA = 0  # the slice key of the area-wide report; provider slices use the provider's id
ALL_PROVIDERS = "all"
FRESHNESS_MONTHS = 12
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class ReportSettings:
    """What a report depends on besides the data: the roll rules and disclosure control."""

    roll: RollSettings = field(default_factory=RollSettings)
    disclosure: DisclosureSettings = field(default_factory=DisclosureSettings)

    @classmethod
    def from_config(cls, config) -> ReportSettings:
        return cls(
            RollSettings.from_config(config),
            DisclosureSettings(k=config["DISCLOSURE_K"], round_to=config.get("DISCLOSURE_ROUND_TO") or None),
        )


# --- the one statement ------------------------------------------------------------------------

def not_left_condition(today: date, settings: RollSettings):
    """On the roll or coming onto it on ``today`` (any status but "left"), on the date of birth index."""
    return or_(*(status_condition(status, today, settings) for status in ("upcoming", "active", "extended")))


def counted_intentions(year: int, today: date, settings: RollSettings, *, provider: int | None = None, materialized: bool = True):
    """Each not-left young person's intention for ``year`` (one ``CurrentIntention`` row each),
    with what the report needs to know of the person; only those naming ``provider`` if given.

    The review services keep those rows with the current mark (``reviews.current``), so this
    reads the year's rows by primary key and joins the young people: the work grows with the
    number of young people intending to start that year, not with the reviews ever held, their
    steps, or the support needs and providers each step names.
    """
    intention = CurrentIntention
    query = (
        select(
            intention.young_person_id.label("person_id"),
            intention.held_on,
            intention.route,
            intention.level,
            intention.sector_subject_area,
            intention.support_needs,
            intention.provider_ids,
            intention.attendance,
            YoungPerson.pathway,
            YoungPerson.primary_need,
            YoungPerson.date_of_birth,
        )
        .join(YoungPerson, YoungPerson.id == intention.young_person_id)
        .where(intention.start_year == year, not_left_condition(today, settings))
    )
    if provider is not None:
        query = query.where(names_provider(intention.provider_ids, provider))
    cte = query.cte("counted")
    return cte.prefix_with("MATERIALIZED") if materialized else cte


def names_provider(provider_ids, provider: int):
    """True where the set of provider ids includes ``provider``."""
    return (literal(SET_SEPARATOR) + provider_ids + literal(SET_SEPARATOR)).like(f"%{SET_SEPARATOR}{int(provider)}{SET_SEPARATOR}%")


def _key(value) -> Any:
    return cast(value, String(40))


KEYS = 6  # key columns in every branch of the union (unused ones are null)
FIRST_STEP = "first_step"  # the grouping the additive tables are rolled up from


@dataclass(frozen=True)
class Grouping:
    """One GROUP BY of the counted intentions: the table it feeds, its keys (labelled columns
    over the counted rows), and whether it is also grouped by the set of providers named."""

    table: str
    keys: tuple
    sliced: bool = False


def _groupings(counted, year: int, today: date, settings: RollSettings, *, area: bool, sliced: bool) -> list[Grouping]:
    """Every breakdown of the counted intentions: one over what describes each young person once
    (the additive tables are its roll-ups), one per multi-select breakdown and, area-wide, which
    transition points the young people with an intention reach (for coverage)."""
    older = case((counted.c.held_on < roll.add_months(today, -FRESHNESS_MONTHS), "older"), else_="recent")
    person_keys = (
        counted.c.route, counted.c.level, counted.c.sector_subject_area, counted.c.pathway, counted.c.primary_need, older.label("age"),
    )  # fmt: skip
    groupings = [
        Grouping(FIRST_STEP, person_keys, sliced),
        Grouping("support_need", (counted.c.support_needs,), sliced),
        Grouping("attendance", (counted.c.attendance,), sliced),
        Grouping("provider", (counted.c.provider_ids,), sliced),  # last: see _grouping_sets
    ]
    if area:
        groupings.insert(-1, Grouping("recorded", coverage_flags(counted.c.date_of_birth, year, settings)))
    return groupings


def _branch(source, table: str, keys: Iterable = (), *, sliced: bool = False, where=None):
    """One branch of the union: (slices, table, key1 ... key6, count), grouped by the keys and,
    when ``sliced``, by the set of providers named (each slice it names counts the row)."""
    keys = list(keys)
    columns = [_key(key).label(f"key{n}") for n, key in enumerate(keys, 1)]
    columns += [null().cast(String(40)).label(f"key{n}") for n in range(len(keys) + 1, KEYS + 1)]
    slices = source.c.provider_ids if sliced else null().cast(Text)
    query = select(slices.label("slices"), literal(table, String(40)).label("table_name"), *columns, func.count().label("n"))
    if where is not None:
        query = query.where(where)
    return query.select_from(source).group_by(*keys, *([source.c.provider_ids] if sliced else []))


def main_branch(source):
    """Route by level (each young person's first step in the year): the report's main GROUP BY."""
    return _branch(source, "route_level", (source.c.route, source.c.level))


def _union_rows(session: Session, counted, groupings: list[Grouping], reaching) -> Iterable:
    """(slices, table, keys, n) rows from a UNION ALL of one GROUP BY per grouping over the
    materialised counted intentions."""
    branches = [_branch(counted, g.table, g.keys, sliced=g.sliced) for g in groupings]
    branches += [reaching] if reaching is not None else []
    if not branches:
        return
    for row in session.connection().execute(union_all(*branches)):  # plain rows, past the ORM
        yield row[0], row[1], tuple(row[2 : 2 + KEYS]), int(row[-1])


def _grouping_sets(session: Session, counted, groupings: list[Grouping], reaching) -> Iterable:
    """The same rows as ``_union_rows``, from PostgreSQL's GROUPING SETS: one pass over the
    counted intentions feeds every grouping, with nothing materialised. Which grouping a row
    comes from is told by GROUPING() of each grouping's first key; the providers grouping comes
    last and has no flag of its own (when sliced, every grouping holds its key)."""
    columns = {column.name: column for g in groupings for column in g.keys}
    inner = select(*columns.values()).select_from(counted).subquery("counted_keys")
    sets = [tuple_(*(inner.c[column.name] for column in g.keys), *([inner.c.provider_ids] if g.sliced else [])) for g in groupings]
    flags = [func.grouping(inner.c[g.keys[0].name]) for g in groupings[:-1]]
    query = select(*flags, *inner.c, func.count()).group_by(func.grouping_sets(*sets))
    names = list(inner.c.keys())
    at = {name: len(flags) + names.index(name) for name in names}  # where each key sits in a row
    for row in session.connection().execute(query):  # plain rows, past the ORM
        grouping = next((g for g, flag in zip(groupings, row) if flag == 0), groupings[-1])
        keys = tuple(_as_key(row[at[column.name]]) for column in grouping.keys)
        yield (row[at["provider_ids"]] if grouping.sliced else None), grouping.table, keys + (None,) * (KEYS - len(keys)), int(row[-1])
    yield from _union_rows(session, counted, [], reaching)


def _as_key(value) -> str | None:
    """A key as the union's branches give it back: text, like CAST(... AS VARCHAR)."""
    return None if value is None else str(value)


COVERAGE_POINTS = ("end_of_year11", "end_of_year13", "age_of_transition")
ANY_POINT = "any"


def coverage_ranges(year: int, settings: RollSettings) -> dict[str, tuple[date, date]]:
    """Dates of birth of those whose transition point falls in the academic year before ``year``.

    Each point's date only moves forward with the date of birth, so "falls in the year" is a
    date of birth range, found by the same bisection the roll filters use.
    """
    age = settings.age_of_transition
    points: dict[str, Callable[[date], date]] = {
        "end_of_year11": lambda dob: date(roll.cohort_of(dob) + 17, 8, 31),
        "end_of_year13": lambda dob: date(roll.cohort_of(dob) + 19, 8, 31),
        "age_of_transition": lambda dob: roll.age_of_transition_date(dob, age),
    }
    start, end = date(year - 1, 9, 1), date(year, 9, 1)
    return {key: (earliest_birth(points[key], start), earliest_birth(points[key], end)) for key in COVERAGE_POINTS}


def coverage_flags(date_of_birth, year: int, settings: RollSettings) -> tuple:
    """For each transition point, "1" when ``date_of_birth`` reaches it in the year before ``year``, else "0"."""
    return tuple(
        case((and_(date_of_birth >= low, date_of_birth < high), "1"), else_="0").label(f"reaches_{key}")
        for key, (low, high) in coverage_ranges(year, settings).items()
    )


def _reaching_branch(year: int, today: date, settings: RollSettings):
    """Everyone not left who reaches a transition point in the year before ``year``, grouped by
    which points they reach (the ranges overlap: at 18 the age of transition falls in Year 13)."""
    ranges = coverage_ranges(year, settings).values()
    reaches_one = or_(*(and_(YoungPerson.date_of_birth >= low, YoungPerson.date_of_birth < high) for low, high in ranges))
    # Nobody in the ranges has reached the end of their roll yet (the usual case: transition
    # points come years before it), so only a leaving date can have taken them off: a condition
    # the date of birth and leaving date index answers alone, without looking up extensions.
    if min(low for low, _ in ranges) >= base_end_not_passed_from(today, settings):
        not_left = still_here_condition(today)
    else:
        not_left = not_left_condition(today, settings)
    flags = coverage_flags(YoungPerson.date_of_birth, year, settings)
    return _branch(YoungPerson.__table__, "reaching", flags, where=and_(reaches_one, not_left))


Counts = dict[int, dict[str, dict[tuple[str | None, str | None], int]]]


def _add(tables: dict, table: str, key: tuple, n: int) -> None:
    tables[table][key] = tables[table].get(key, 0) + n


def _roll_up(counts: Counts, slice_key: int, table: str, keys: tuple, n: int) -> None:
    """File one grouped row under the tables it counts towards."""
    tables = counts[slice_key]
    if table == FIRST_STEP:
        route, level, sector, pathway, primary_need, age = keys
        _add(tables, "route_level", (route, level), n)
        _add(tables, "ssa_route", (sector, route), n)
        _add(tables, "pathway", (pathway, None), n)
        _add(tables, "primary_need", (primary_need, None), n)
        _add(tables, "freshness", (age, None), n)
    elif table in ("reaching", "recorded"):
        points = [point for point, flag in zip(COVERAGE_POINTS, keys) if flag == "1"]
        for point in points + ([ANY_POINT] if points else []):  # those reaching no point are not in coverage
            _add(tables, "coverage", (point, table), n)
    else:  # support needs, providers, attendance: a set of codes, counted once under each
        for code in codes_in(keys[0]):
            _add(tables, table, (code, None), n)


def tune_for_reports(session: Session) -> None:
    """PostgreSQL settings for this transaction. No JIT: compiling the statement costs more
    than running it. An index read priced for SSDs (1.1, not the default 4, which assumes
    spinning disks). Room to sort and hash in memory (64 MB, for this transaction only): at
    national scale a year's intentions are a few hundred thousand rows, which the default 4 MB
    spills to disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1; SET LOCAL work_mem = '64MB'"))


def demand_counts(
    session: Session,
    year: int,
    today: date,
    settings: RollSettings,
    *,
    area: bool = True,
    providers: int | str | None = None,
) -> Counts:
    """slice -> table -> (key1, key2) -> count, from the groupings of the counted intentions.

    ``area`` asks for the area-wide report (slice AREA); ``providers`` for one provider's slice
    (an id) or every named provider's (ALL_PROVIDERS). A young person is in a provider's slice
    when any of their steps in the year names it. The database groups the young people by what
    is counted and by the set of providers they named; what comes back is one row per
    combination, never a row per person, and each row is filed under every slice it belongs to.
    """
    only = providers if isinstance(providers, int) and not area else None
    postgresql = session.get_bind().dialect.name == "postgresql"
    counted = counted_intentions(year, today, settings, provider=only, materialized=not postgresql)
    groupings = _groupings(counted, year, today, settings, area=area, sliced=providers is not None)
    reaching = _reaching_branch(year, today, settings) if area else None
    counts: Counts = defaultdict(lambda: defaultdict(dict))
    tune_for_reports(session)
    # A report nobody is counted in is still a report, with its tables of zeros.
    for slice_key in ([AREA] if area else []) + ([providers] if isinstance(providers, int) else []):
        counts[slice_key] = defaultdict(dict)

    def wanted(provider: str | None) -> bool:
        return provider is not None and (providers == ALL_PROVIDERS or int(provider) == providers)

    rows = (_grouping_sets if postgresql else _union_rows)(session, counted, groupings, reaching)
    for slices, table, keys, n in rows:
        targets = ([AREA] if area else []) + [int(provider) for provider in codes_in(slices) if wanted(provider)]
        for slice_key in targets:
            _roll_up(counts, slice_key, table, keys, n)
    return counts


def bare_main_query(year: int, today: date, settings: RollSettings):
    """The main GROUP BY alone (route by level, area-wide), for the benchmark's yardstick."""
    return main_branch(counted_intentions(year, today, settings, materialized=False))


# --- from counts to tables -----------------------------------------------------------------------

YOUNG_PEOPLE = "Young people"
Row = tuple[str | None, str]  # (code as counted, label as shown)


@dataclass(frozen=True)
class Labels:
    """Row and column labels: reference data in display order, and the providers named."""

    items: dict[str, list[tuple[str, str, bool]]]  # kind -> (code, label, active)
    providers: dict[int, str]

    def rows(self, kind: str, seen: Iterable[str | None], *, none_label: str = NOT_RECORDED, only_seen: bool = False) -> list[Row]:
        """Every active item (or, ``only_seen``, those the data uses) in display order; a retired
        or unknown code only when the data still uses it; and ``none_label`` for blanks."""
        seen = set(seen)
        rows: list[Row] = [
            (code, label) for code, label, active in self.items.get(kind, []) if code in seen or (active and not only_seen)
        ]
        known = {code for code, _ in rows}
        rows += [(code, code) for code in sorted(code for code in seen if code is not None and code not in known)]
        if None in seen:
            rows.append((None, none_label))
        return rows


def load_labels(session: Session, counts: Counts) -> Labels:
    """Reference data and the names of the providers in ``counts``, in two queries."""
    kinds = (reference.ROUTE, reference.LEVEL, reference.SECTOR_SUBJECT_AREA, reference.SUPPORT_NEED, reference.ATTENDANCE)
    items: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for kind, code, label, active in session.execute(
        select(ReferenceItem.kind, ReferenceItem.code, ReferenceItem.label, ReferenceItem.active)
        .where(ReferenceItem.kind.in_(kinds))
        .order_by(ReferenceItem.kind, ReferenceItem.position, ReferenceItem.code)
    ):
        items[kind].append((code, label, active))
    named = {int(key1) for tables in counts.values() for key1, _ in tables.get("provider", {}) if key1 is not None}
    named |= {key for key in counts if key != AREA}
    providers = dict(session.execute(select(Provider.id, Provider.name).where(Provider.id.in_(named))).all()) if named else {}
    return Labels(dict(items), providers)


def _grid(counts: dict, rows: list[Row], columns: list[Row]) -> list[list[int]]:
    return [[counts.get((row, column), 0) for column, _ in columns] for row, _ in rows]


def _labels(rows: list[Row]) -> list[str]:
    return [label for _, label in rows]


def _list(name: str, title: str, rows: list[Row], counts: dict, population: int, *, additive: bool) -> Table:
    """A one-column table of young people; ``additive`` False when a person can be in several rows."""
    return Table(
        name=name,
        title=title,
        row_labels=_labels(rows),
        column_labels=[YOUNG_PEOPLE],
        cells=[[counts.get((code, None), 0)] for code, _ in rows],
        column_totals=None if additive else [population],
        percentages_of="column",
        additive=additive,
    )


def build_tables(counts: Mapping[str, dict], labels: Labels, year: int, settings: RollSettings, *, area: bool) -> tuple[list[Table], list]:
    """The report's tables of true counts, and which of their totals are the same number."""
    label = roll.academic_year_label(year)
    intending = f"Young people intending to start in {label}"
    route_level = counts.get("route_level", {})
    population = sum(route_level.values())
    # The cross tables leave out routes, levels and sector subject areas nobody chose: they
    # would only be rows of zeros, and under a hidden total each zero would be one more "c"
    # for disclosure control to reason about.
    routes = labels.rows(reference.ROUTE, [route for route, _ in route_level], only_seen=True)
    levels = labels.rows(reference.LEVEL, [level for _, level in route_level], only_seen=True)
    ssa_route = counts.get("ssa_route", {})
    sectors = labels.rows(
        reference.SECTOR_SUBJECT_AREA, [sector for sector, _ in ssa_route], none_label="No sector subject area", only_seen=True
    )
    needs = counts.get("support_need", {})
    named = counts.get("provider", {})
    provider_rows = sorted(
        ((key, labels.providers.get(int(key), f"Provider {key}")) for key, _ in named if key is not None),
        key=lambda row: (row[1].lower(), int(row[0])),
    )
    pathways = [(str(number), f"{number}. {name}") for number, name in PATHWAYS.items()] + [(None, "Not yet decided")]
    primary_needs = [(code, f"{name} ({code})") for code, name in PRIMARY_NEEDS.items()]
    primary_needs += [(code, code or NOT_RECORDED) for code in sorted({key for key, _ in counts.get("primary_need", {})} - set(PRIMARY_NEEDS), key=str)]
    attendance = counts.get("attendance", {})
    freshness = counts.get("freshness", {})
    tables = [
        Table(
            "route_by_level", f"{intending}, by route and level (each young person's first intended step)",
            _labels(routes), _labels(levels), _grid(route_level, routes, levels),
        ),
        Table(
            "sector_subject_area_by_route", f"{intending}, by sector subject area and route (first intended step)",
            _labels(sectors), _labels(routes), _grid(ssa_route, sectors, routes),
        ),
        _list(
            "support_needs", f"{intending}, by support need (a young person can need several)",
            labels.rows(reference.SUPPORT_NEED, [code for code, _ in needs]), needs, population, additive=False,
        ),
        _list(
            "preferred_providers", f"{intending}, by preferred provider (a young person can name several)",
            provider_rows, named, population, additive=False,
        ),
        _list("pathway", f"{intending}, by pathway", pathways, counts.get("pathway", {}), population, additive=True),
        _list("primary_need", f"{intending}, by primary need", primary_needs, counts.get("primary_need", {}), population, additive=True),
        _list(
            "attendance", f"{intending}, full time or part time (a young person with two steps can be in both)",
            labels.rows(reference.ATTENDANCE, [code for code, _ in attendance]), attendance, population, additive=False,
        ),
        _list(
            "freshness", f"{intending}: how recent the review that recorded the intention is",
            [("recent", f"Review in the last {FRESHNESS_MONTHS} months"), ("older", f"Review more than {FRESHNESS_MONTHS} months ago")],
            freshness, population, additive=True,
        ),
    ]
    names = [table.name for table in tables]
    linked = share_total(*names) + [(("route_by_level", "rows"), ("sector_subject_area_by_route", "columns"))]
    if area:
        tables.append(coverage_table(counts.get("coverage", {}), year, settings))
    return tables, linked


def coverage_table(counts: dict, year: int, settings: RollSettings) -> Table:
    """Who reaches a transition point in the year before ``year`` and has a recorded intention.

    Each row's total is everyone reaching that point. Rows overlap (at the default age of
    transition, 18, the end of Year 13 and the age of transition fall in the same year), so
    the column totals count each young person once, whichever points they reach.
    """
    label, before = roll.academic_year_label(year), roll.academic_year_label(year - 1)
    names = {
        "end_of_year11": f"End of Year 11 (31 August {year})",
        "end_of_year13": f"End of Year 13 (31 August {year})",
        "age_of_transition": f"Age of transition ({settings.age_of_transition}) during {before}",
    }

    def pair(key: str) -> list[int]:
        reaching, recorded = counts.get((key, "reaching"), 0), counts.get((key, "recorded"), 0)
        return [recorded, reaching - recorded]

    return Table(
        "coverage",
        f"Young people reaching a transition point before {label}: with and without a recorded intention for {label} (the total is everyone reaching it)",
        [names[key] for key in COVERAGE_POINTS],
        ["With a recorded intention", "Without a recorded intention"],
        [pair(key) for key in COVERAGE_POINTS],
        column_totals=pair(ANY_POINT),
        percentages_of="row",
        additive=False,
    )


# --- reports ---------------------------------------------------------------------------------------

def parameters(year: int, settings: ReportSettings, provider_id: int | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"academic_year": roll.academic_year_label(year)}
    if provider_id is not None:
        values["provider_id"] = provider_id
    values.update(k=settings.disclosure.k, round_to=settings.disclosure.round_to)
    return values


def protected_report(counts: Mapping[str, dict], labels: Labels, year: int, settings: ReportSettings, *, provider_id: int | None = None, generated_at: datetime | None = None) -> dict[str, Any]:
    """The report as it may be shown: API-shaped tables after disclosure control."""
    tables, linked = build_tables(counts, labels, year, settings.roll, area=provider_id is None)
    return {
        "generated_at": (generated_at or utcnow()).isoformat(timespec="seconds"),
        "parameters": parameters(year, settings, provider_id),
        "tables": protect_report(tables, settings.disclosure, linked=linked),
    }


def demand_report(session: Session, year: int, today: date, settings: ReportSettings, *, provider_id: int | None = None) -> dict[str, Any]:
    """The live demand report for ``year``: area-wide, or the slice for ``provider_id``."""
    if provider_id is None:
        counts = demand_counts(session, year, today, settings.roll)
    else:
        counts = demand_counts(session, year, today, settings.roll, area=False, providers=provider_id)
    slice_key = AREA if provider_id is None else provider_id
    return protected_report(counts[slice_key], load_labels(session, counts), year, settings, provider_id=provider_id)


def demand_reports_for_publication(session: Session, year: int, today: date, settings: ReportSettings) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The area-wide report and one slice per provider named for ``year``, each protected on its own."""
    counts = demand_counts(session, year, today, settings.roll, area=True, providers=ALL_PROVIDERS)
    labels = load_labels(session, counts)
    generated_at = utcnow()
    area = protected_report(counts[AREA], labels, year, settings, generated_at=generated_at)
    slices = {
        provider_id: protected_report(counts[provider_id], labels, year, settings, provider_id=provider_id, generated_at=generated_at)
        for provider_id in sorted(key for key in counts if key != AREA)
    }
    return area, slices
