"""The cohort outcome report: Table 5 of the seed report, for one leaving cohort (DOMAIN.md section 7).

Each young person in the cohort has exactly one outcome, so for each breakdown (EHC plan or
SEN support, pathway, primary need) the report is one additive table: a row per group, a
column per outcome, the row total being the group. The three tables break down the same
young people, so their columns are linked for disclosure control: a number hidden in one
cannot be read off another.

The headline "sustained education, apprenticeships or employment" is the sum of four of
those columns. It is worked out *after* disclosure control, from the numbers shown (the four
sustained columns, or the group less the other three), and is ``c`` when neither sum can be
made; so, like the percentages, it never tells anyone more than the table beside it. The
same goes for the comparison with the published national figures.

Counts come from the database two ways, both grouped by the four keys the tables need:

* a cohort whose October-March window has closed and whose outcomes are stored: one GROUP BY
  over ``destination_outcome`` joined to the young people;
* otherwise: the cohort is streamed through the rule (:func:`services.stream_outcomes`), one
  young person at a time, and only the tallies are kept.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from destinations.activities.sustained import OUTCOME_LABELS, OUTCOMES, SUSTAINED_OUTCOMES, Cohort, window_closed, year_closed
from destinations.database import utcnow
from destinations.outcomes import services
from destinations.outcomes.long_term import long_date
from destinations.outcomes.models import DestinationOutcome
from destinations.people.models import YoungPerson
from destinations.people.reference import PATHWAYS, PRIMARY_NEEDS, SEN_PROVISION
from destinations.reports.demand import ReportSettings
from destinations.reports.disclosure import SUPPRESSED, Table, protect_report

Key = tuple[str, int | None, str, str]  # outcome, pathway, primary need, SEN provision
Counts = Mapping[Key, int]

OVERALL = "Sustained education, apprenticeships or employment"
NOT_OVERALL = "Not sustained, NEET or destination unknown"
SUSTAINED = [outcome for outcome in OUTCOMES if outcome in SUSTAINED_OUTCOMES]
OTHERS = [outcome for outcome in OUTCOMES if outcome not in SUSTAINED_OUTCOMES]

# Published national figures for young people with EHC plans who finished key stage 4
# (England; Table 5 of the ISOS Partnership report of July 2024). Percentages, not counts: they
# describe nobody here.
NATIONAL = {
    "2021/22": {"overall": 90.2, "education": 86.8, "apprenticeship": 0.9, "employment": 2.5, "neet": 4.8, "unknown": 1.9},
    "2015/16": {"overall": 90.0, "education": 86.4, "apprenticeship": 1.4, "employment": 2.2, "neet": 5.4, "unknown": 1.2},
}
NATIONAL_SOURCE = (
    "England, young people with EHC plans after key stage 4 (Year 11), sustained destinations: DfE destination "
    "measures, as quoted in Table 5 of 'Towards an effective and financially sustainable approach to SEND in "
    "England' (ISOS Partnership for the County Councils Network and the Local Government Association, July 2024). "
    "The 2015/16 NEET figure is the 2016/17 one."
)
COMPARISON_COLUMNS = ["overall", *OUTCOMES]

BREAKDOWNS = {
    "sen_provision": "EHC plan or SEN support",
    "pathway": "pathway",
    "primary_need": "primary need",
}


def count_stored(session: Session, cohort: Cohort) -> Counter:
    """The stored outcomes of a cohort, grouped in the database."""
    rows = session.execute(
        select(DestinationOutcome.outcome, YoungPerson.pathway, YoungPerson.primary_need, YoungPerson.sen_provision, func.count())
        .join(YoungPerson, YoungPerson.id == DestinationOutcome.young_person_id)
        .where(DestinationOutcome.cohort == cohort.key)
        .group_by(DestinationOutcome.outcome, YoungPerson.pathway, YoungPerson.primary_need, YoungPerson.sen_provision)
    )
    return Counter({(outcome, pathway, need, sen): n for outcome, pathway, need, sen, n in rows})


def count_live(session: Session, cohort: Cohort, *, as_of: date | None, age_of_transition: int) -> Counter:
    """The cohort's outcomes worked out now, streamed: only the tallies are kept."""
    counts: Counter = Counter()
    for member in services.stream_outcomes(session, cohort, as_of=as_of, age_of_transition=age_of_transition):
        counts[(member.outcome, member.pathway, member.primary_need, member.sen_provision)] += 1
    return counts


# --- tables of true counts -----------------------------------------------------------------------

def _rows(breakdown: str, seen: set) -> list[tuple[Any, str]]:
    """(value as counted, label) for every group of a breakdown, in display order."""
    if breakdown == "sen_provision":
        rows = list(SEN_PROVISION.items())
    elif breakdown == "pathway":
        rows = [(number, f"{number}. {name}") for number, name in PATHWAYS.items()] + [(None, "Not yet decided")]
    else:
        rows = [(code, f"{name} ({code})") for code, name in PRIMARY_NEEDS.items()]
    known = {value for value, _ in rows}
    rows += [(value, str(value)) for value in sorted((value for value in seen if value not in known), key=str)]
    return rows


def build_tables(counts: Counts, cohort: Cohort) -> tuple[list[Table], list]:
    """One additive table per breakdown (groups by outcomes), and the links between them."""
    position = {"pathway": 1, "primary_need": 2, "sen_provision": 3}
    tables = []
    for breakdown, described in BREAKDOWNS.items():
        index = position[breakdown]
        by_group: Counter = Counter()
        for key, n in counts.items():
            by_group[(key[index], key[0])] += n
        rows = _rows(breakdown, {value for value, _ in by_group})
        tables.append(
            Table(
                name=f"outcomes_by_{breakdown}",
                title=f"{cohort.label}: sustained destinations in {cohort.destination_year_label}, by {described}",
                row_labels=[label for _, label in rows],
                column_labels=[OUTCOME_LABELS[outcome] for outcome in OUTCOMES],
                cells=[[by_group.get((value, outcome), 0) for outcome in OUTCOMES] for value, _ in rows],
                percentages_of="row",
            )
        )
    first = tables[0].name
    linked = [((first, "columns"), (table.name, "columns")) for table in tables[1:]]
    return tables, linked


# --- worked out from the protected tables ----------------------------------------------------------

def percentage(part: int | str | None, whole: int | str | None) -> float | str | None:
    """``part`` of ``whole`` to one decimal place, as the disclosure module gives them."""
    if part == SUPPRESSED or whole == SUPPRESSED:
        return SUPPRESSED
    if part is None or not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def split_overall(values: Sequence[int | str], total: int | str) -> tuple[int | str, int | str]:
    """(sustained overall, the rest) from one published line of outcomes and its total: each
    the sum of its shown parts, or the total less the other when only that is shown; else ``c``."""
    sustained = [values[OUTCOMES.index(outcome)] for outcome in SUSTAINED]
    others = [values[OUTCOMES.index(outcome)] for outcome in OTHERS]

    def known(parts: list) -> int | None:
        return sum(parts) if all(isinstance(n, int) for n in parts) else None

    overall, rest = known(sustained), known(others)
    if overall is None and rest is not None and isinstance(total, int):
        overall = total - rest
    if rest is None and overall is not None and isinstance(total, int):
        rest = total - overall
    return (SUPPRESSED if overall is None else overall), (SUPPRESSED if rest is None else rest)


def overall_table(protected: Mapping[str, Any], breakdown: str, cohort: Cohort) -> dict[str, Any]:
    """The headline split for one breakdown, in the API table shape, from its protected table."""
    cells = [list(split_overall(row, total)) for row, total in zip(protected["cells"], protected["row_totals"])]
    column_totals = list(split_overall(protected["column_totals"], protected["total"]))
    return {
        "name": f"sustained_by_{breakdown}",
        "title": f"{cohort.label}: {OVERALL.lower()} in {cohort.destination_year_label}, by {BREAKDOWNS[breakdown]}",
        "row_labels": list(protected["row_labels"]),
        "column_labels": [OVERALL, NOT_OVERALL],
        "cells": cells,
        "row_totals": list(protected["row_totals"]),
        "column_totals": column_totals,
        "total": protected["total"],
        "percentages": [[percentage(n, total) for n in row] for row, total in zip(cells, protected["row_totals"])],
    }


def comparison(protected_by_provision: Mapping[str, Any], overall_by_provision: Mapping[str, Any]) -> dict[str, Any]:
    """This cohort beside the national figures for young people with EHC plans (percentages)."""

    def cohort_row(values: Sequence, total: int | str, overall: int | str) -> list:
        return [percentage(overall, total)] + [percentage(n, total) for n in values]

    rows = [
        ("This cohort: everyone", cohort_row(protected_by_provision["column_totals"], protected_by_provision["total"], overall_by_provision["column_totals"][0])),
    ]
    for i, label in enumerate(protected_by_provision["row_labels"]):
        if label == SEN_PROVISION["E"]:
            rows.append(("This cohort: with an EHC plan", cohort_row(protected_by_provision["cells"][i], protected_by_provision["row_totals"][i], overall_by_provision["cells"][i][0])))
    for year, figures in NATIONAL.items():
        rows.append((f"England, EHC plans, {year}", [figures.get(column) for column in COMPARISON_COLUMNS]))
    return {
        "name": "comparison",
        "title": "Percentages beside the national figures for young people with EHC plans",
        "source": NATIONAL_SOURCE,
        "row_labels": [label for label, _ in rows],
        "column_labels": [OVERALL] + [OUTCOME_LABELS[outcome] for outcome in OUTCOMES],
        "keys": COMPARISON_COLUMNS,
        "percentages": [values for _, values in rows],
    }


# --- the report -------------------------------------------------------------------------------------

def parameters(cohort: Cohort, today: date, settings: ReportSettings, basis: str, evaluated_at: datetime | None) -> dict[str, Any]:
    start, end = cohort.window
    return {
        "cohort": cohort.key,
        "cohort_label": cohort.label,
        "destination_year": cohort.destination_year_label,
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "as_of": today.isoformat(),
        "basis": basis,
        "final": year_closed(cohort, today),
        "evaluated_at": evaluated_at.isoformat(timespec="seconds") if evaluated_at else None,
        "k": settings.disclosure.k,
        "round_to": settings.disclosure.round_to,
    }


def outcome_counts(session: Session, cohort: Cohort, today: date, settings: ReportSettings) -> tuple[Counter, str, datetime | None]:
    """The cohort's counts, how they were found ("stored", "live" or "projected"), and when the
    stored outcomes last changed.

    * "stored": the window has closed and the outcomes are stored;
    * "live": the window has closed but nothing is stored yet, so the rule runs now, as the
      evaluation would;
    * "projected": the window is still open; each young person's ongoing activity is taken
      to carry on to 31 March, so the report shows where the cohort is heading.
    """
    if today < cohort.window[0]:
        raise services.CohortNotStarted(
            f"The destination year of {cohort.label} starts on {long_date(cohort.window[0])}: there is nothing to report yet. "
            "Choose a cohort that has already left."
        )
    age = settings.roll.age_of_transition
    if window_closed(cohort, today):
        evaluated_at = services.last_evaluated(session, cohort)
        if evaluated_at is not None:
            return count_stored(session, cohort), "stored", evaluated_at
        return count_live(session, cohort, as_of=today, age_of_transition=age), "live", None
    return count_live(session, cohort, as_of=None, age_of_transition=age), "projected", None


def protected_report(counts: Counts, cohort: Cohort, today: date, settings: ReportSettings, *, basis: str, evaluated_at: datetime | None = None) -> dict[str, Any]:
    """The report as it may be shown: API-shaped tables after disclosure control, each followed by
    its headline split, and the comparison with the national figures."""
    tables, linked = build_tables(counts, cohort)
    protected = protect_report(tables, settings.disclosure, linked=linked)
    published = []
    for breakdown, table in zip(BREAKDOWNS, protected):
        published += [table, overall_table(table, breakdown, cohort)]
    return {
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "parameters": parameters(cohort, today, settings, basis, evaluated_at),
        "tables": published,
        "comparison": comparison(published[0], published[1]),
    }


def outcome_report(session: Session, cohort: Cohort, today: date, settings: ReportSettings) -> dict[str, Any]:
    """The cohort outcome report for ``cohort`` on ``today``."""
    counts, basis, evaluated_at = outcome_counts(session, cohort, today, settings)
    return protected_report(counts, cohort, today, settings, basis=basis, evaluated_at=evaluated_at)


def for_files(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report with the comparison as one more table, so CSV and XLSX files carry it too."""
    compared = report["comparison"]
    table = {
        "name": compared["name"],
        "title": f"{compared['title']} (percentages). {compared['source']}",
        "row_labels": compared["row_labels"],
        "column_labels": compared["column_labels"],
        "cells": [["" if value is None else value for value in row] for row in compared["percentages"]],
        "row_totals": None,
        "column_totals": None,
        "total": None,
    }
    return {key: value for key, value in report.items() if key != "comparison"} | {"tables": [*report["tables"], table]}

