"""Demo activity histories: realistic, messy, valid, and calibrated to the national figures."""

from collections import Counter, defaultdict
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from destinations.activities import codes, services
from destinations.activities.models import ActivityRecord
from destinations.activities.sustained import (
    SUSTAINED_OUTCOMES,
    Cohort,
    Period,
    cohort_birth_range,
    latest_closed_cohort,
    sustained_outcome,
)
from destinations.database import utcnow
from destinations.demo.activities import TARGETS, first_year_probabilities, plan_activities
from destinations.demo.generator import load_demo
from destinations.demo.plan import plan_council
from destinations.demo.records import Clock
from destinations.people import roll
from destinations.people.models import YoungPerson

TODAY = date(2025, 11, 3)
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=timezone.utc)

# Post-16 destinations of young people with EHC plans in England, 2021/22 (DOMAIN.md section 7).
NATIONAL_EHC = {"overall": 90.2, "education": 86.8, "apprenticeship": 0.9, "work": 2.5, "neet": 4.8, "unknown": 1.9}


def load(session, people=600, seed=1):
    return load_demo(session, people=people, seed=seed, today=TODAY)


def periods_by_person(session) -> dict[int, list[Period]]:
    rows = session.execute(
        select(ActivityRecord.young_person_id, ActivityRecord.activity_code, ActivityRecord.started_on, ActivityRecord.ended_on)
    )
    by_person: dict[int, list[Period]] = defaultdict(list)
    for person_id, code, started_on, ended_on in rows:
        by_person[person_id].append(Period(code, started_on, ended_on))
    return by_person


def leavers(session, cohort: Cohort, provision: str = "E") -> list[YoungPerson]:
    """The cohort's young people who were still on the roll when its window opened."""
    first, last = cohort_birth_range(cohort)
    window_opens = cohort.window[0]
    return [
        person
        for person in session.scalars(
            select(YoungPerson).where(YoungPerson.date_of_birth.between(first, last), YoungPerson.sen_provision == provision)
        )
        if person.left_on is None or person.left_on >= window_opens
    ]


def shares(outcomes: list[str]) -> dict[str, float]:
    counts, total = Counter(outcomes), len(outcomes)
    percent = {outcome: 100 * count / total for outcome, count in counts.items()}
    return {
        "overall": sum(percent.get(outcome, 0.0) for outcome in SUSTAINED_OUTCOMES),
        "education": percent.get("education", 0.0),
        "apprenticeship": percent.get("apprenticeship", 0.0),
        "work": percent.get("employment", 0.0),
        "neet": percent.get("neet", 0.0),
        "unknown": percent.get("unknown", 0.0),
    }


@pytest.mark.slow
def test_year_11_leavers_with_ehc_plans_land_near_the_national_pattern_and_pathways_and_needs_differ(session):
    load(session, people=3000)
    by_person = periods_by_person(session)
    cohort = latest_closed_cohort("year11", TODAY)
    assert cohort == Cohort("year11", 2024)
    people = leavers(session, cohort)
    assert len(people) > 150
    outcomes = {person.id: sustained_outcome(by_person.get(person.id, []), cohort) for person in people}
    found = shares(list(outcomes.values()))
    for measure, national in NATIONAL_EHC.items():
        tolerance = 3.0 if national > 50 else 2.0
        assert abs(found[measure] - national) <= tolerance, (measure, found[measure], national)

    by_pathway = {
        pathway: shares([outcomes[p.id] for p in people if p.pathway == pathway]) for pathway in (1, 2, 3)
    }
    assert by_pathway[1]["education"] > by_pathway[2]["education"] > by_pathway[3]["education"]
    assert by_pathway[3]["work"] + by_pathway[3]["apprenticeship"] > by_pathway[1]["work"] + by_pathway[1]["apprenticeship"]
    assert by_pathway[3]["neet"] > by_pathway[1]["neet"]

    # Needs differ too, over the three most recent closed cohorts.
    semh, complex_needs = [], []
    for year in (2022, 2023, 2024):
        cohort = Cohort("year11", year)
        for person in leavers(session, cohort) + leavers(session, cohort, "K"):
            outcome = sustained_outcome(by_person.get(person.id, []), cohort)
            if person.primary_need == "SEMH":
                semh.append(outcome)
            elif person.primary_need in ("PMLD", "SLD"):
                complex_needs.append(outcome)
    assert len(semh) > 100 and len(complex_needs) > 50
    assert shares(semh)["neet"] > 2 * shares(complex_needs)["neet"]
    assert shares(complex_needs)["education"] > shares(semh)["education"] + 5


def test_first_year_chances_add_up_to_one_and_lean_by_pathway_and_need():
    for provision in TARGETS:
        for pathway in (1, 2, 3, None):
            chances = first_year_probabilities(provision, pathway, "SLCN" if provision == "K" else "ASD")
            assert sum(chances) == pytest.approx(1.0)
            assert all(chance >= 0 for chance in chances)
    assert first_year_probabilities("E", 1, "PMLD")[0] > first_year_probabilities("E", 3, "SEMH")[0]


def test_everyone_past_year_11_has_a_history_of_about_three_records_and_nobody_younger_has_any(session):
    summary = load(session)
    people = session.execute(select(YoungPerson.id, YoungPerson.date_of_birth, YoungPerson.left_on)).all()
    counts = dict(
        session.execute(select(ActivityRecord.young_person_id, func.count()).group_by(ActivityRecord.young_person_id)).all()
    )
    assert summary["activities"] == sum(counts.values())
    past_year_11 = [
        person_id for person_id, born, left_on in people
        if roll.year_group(born, TODAY) >= 12 and (left_on is None or left_on > date(roll.cohort_of(born) + 17, 9, 15))
    ]  # fmt: skip
    younger = [person_id for person_id, born, _ in people if roll.year_group(born, TODAY) <= 11]
    assert len(past_year_11) > 150 and younger
    with_records = [person_id for person_id in past_year_11 if person_id in counts]
    assert len(with_records) / len(past_year_11) > 0.97
    assert 2.5 <= sum(counts.values()) / len(past_year_11) <= 5
    assert not set(younger) & set(counts)


def test_every_record_passes_the_services_validation_and_respects_today_and_leaving(session):
    load(session)
    now = utcnow()
    rows = session.execute(select(ActivityRecord, YoungPerson.date_of_birth, YoungPerson.left_on).join(YoungPerson)).all()
    assert rows
    for record, born, left_on in rows:
        values = {name: getattr(record, name) for name in services.FIELDS}
        assert services.validate_activity(values, today=TODAY, date_of_birth=born) == {}, (values,)
        assert record.started_on < TODAY and (record.ended_on is None or record.ended_on < TODAY)
        assert left_on is None or record.started_on < left_on
        assert record.confirmed_on is None or record.started_on <= record.confirmed_on < TODAY
        assert record.recorded_at <= now and record.updated_at >= record.recorded_at
        assert (record.provider_id is None) or (record.provider_name is None)
        assert record.recorded_by_id is not None or record.source in ("import", "young_person")
        assert record.source != "import" or record.verified


def test_histories_are_as_messy_as_real_ones_and_follow_the_pathways_offers(session):
    load(session, people=1000)
    records = session.scalars(select(ActivityRecord)).all()
    by_code = Counter(record.activity_code for record in records)
    for code in ("110", "210", "230", "280", "310", "330", "360", "460", "S10", "S20", "619", "610", "820"):
        assert by_code[code], code
    groups = Counter(codes.ACTIVITY_CODES[record.activity_code].group for record in records)
    assert set(groups) >= {"compulsory", "education", "employment", "training", "neet", "not_known", "other"}
    sources = Counter(record.source for record in records)
    assert all(sources[source] > 0.05 * len(records) for source in ("import", "keyworker", "young_person"))
    assert any(record.source == "young_person" and not record.verified for record in records)
    assert any(record.started_on.day not in (1, 2) and record.started_on.month not in (8, 9) for record in records)
    by_person = defaultdict(list)
    for record in records:
        by_person[record.young_person_id].append(record)
    flagged = [person for person, history in by_person.items() if services.activity_flags(history)]
    assert 0.02 * len(by_person) < len(flagged) < 0.5 * len(by_person)
    current = [record for record in records if record.ended_on is None]
    stale = [record for record in current if services.needs_confirming(record, TODAY)]
    assert 0.1 * len(current) < len(stale) < 0.5 * len(current)

    # Day opportunities, supported employment and university follow the pathways' offers.
    rows = session.execute(
        select(ActivityRecord.activity_code, YoungPerson.pathway).join(YoungPerson).where(
            ActivityRecord.activity_code.in_(("S10", "S20", "240"))
        )
    ).all()  # fmt: skip
    pathways = {code: Counter(pathway for c, pathway in rows if c == code) for code in ("S10", "S20", "240")}
    assert pathways["S10"][1] > pathways["S10"][3]
    assert pathways["S20"][2] > pathways["S20"][1]
    assert pathways["240"][3] > pathways["240"][1] + pathways["240"][2]


def test_the_same_seed_plans_the_same_histories_and_another_seed_different_ones():
    def histories(seed):
        council = plan_council(400, seed, TODAY, NOW)
        return plan_activities(council, seed, Clock(TODAY, NOW))

    assert histories(1) == histories(1)
    assert histories(1) != histories(2)
