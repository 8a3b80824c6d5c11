"""Demo long-term checks: what keyworkers found one and two years after the age of transition.

Pure and seeded, like the rest of the plan. A check is planned for a young person once its
date has come (before today) while they were still on the roll, most of the time (some
checks are missed, as in life). What it finds leans on the pathway, the offer of support the
young person has had (DOMAIN.md section 4): lifelong complex needs (pathway 1) mostly living
at home or in residential care with little paid work; supported independence (pathway 2)
often in supported living and sometimes in supported employment; pathway 3 more often in
work of 16 hours or more and in their own tenancy. The second check tends to show more
progress than the first.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from destinations.demo.records import Clock, CouncilPlan
from destinations.outcomes.long_term import checkpoint_date
from destinations.outcomes.models import CHECKPOINT_YEARS
from destinations.reviews.reference import OUTCOME_AREAS

CHECK_DONE = 0.8  # the share of due checks a keyworker gets done
LATEST_DAYS = 60  # how long after the anniversary a check may be done

# Living arrangement weights by pathway (None: not yet decided).
LIVING = {
    1: {"family_home": 60, "supported_living": 15, "tenancy": 0, "residential_care": 23, "other": 2},
    2: {"family_home": 62, "supported_living": 25, "tenancy": 8, "residential_care": 3, "other": 2},
    3: {"family_home": 80, "supported_living": 4, "tenancy": 13, "residential_care": 0, "other": 3},
    None: {"family_home": 78, "supported_living": 8, "tenancy": 8, "residential_care": 3, "other": 3},
}
# Chance of paid work of 16 hours a week or more (the rest split between no and not known).
PAID_WORK = {1: 0.02, 2: 0.12, 3: 0.32, None: 0.2}
NOT_KNOWN = 0.08
# Progress weights: achieved, progressing, no progress, not known; the second check shifts
# some "no progress" to "progressing" and some "progressing" to "achieved".
PROGRESS = ("achieved", "progressing", "no_progress", "not_known")
PROGRESS_WEIGHTS = {1: (8, 47, 35, 10), 2: (15, 50, 27, 8), 3: (28, 45, 20, 7), None: (18, 45, 27, 10)}
SECOND_CHECK_SHIFT = 8


@dataclass(frozen=True)
class LongTermPlan:
    person: int  # position in the council plan
    checkpoint: str
    recorded_on: date
    living_arrangement: str
    paid_work_16_plus: bool | None
    progress: dict[str, str]
    recorded_by: int | None  # the young person's keyworker's position in the plan's staff
    recorded_at: datetime


def plan_long_term_checks(council: CouncilPlan, seed: int, clock: Clock, *, age_of_transition: int) -> list[LongTermPlan]:
    """Every planned person's long-term checks, from one seeded stream."""
    rng = random.Random(f"{seed}:long-term")
    checks: list[LongTermPlan] = []
    for position, person in enumerate(council.people):
        for checkpoint in CHECKPOINT_YEARS:
            due = checkpoint_date(person.date_of_birth, checkpoint, age_of_transition)
            if due >= clock.today or (person.left_on is not None and person.left_on <= due):
                continue
            if rng.random() >= CHECK_DONE:
                continue
            recorded_on = min(due + timedelta(days=rng.randrange(LATEST_DAYS)), clock.today - timedelta(days=1))
            if person.left_on is not None:
                recorded_on = min(recorded_on, person.left_on - timedelta(days=1))
            checks.append(
                LongTermPlan(
                    person=position,
                    checkpoint=checkpoint,
                    recorded_on=recorded_on,
                    living_arrangement=_weighted(rng, LIVING[person.pathway]),
                    paid_work_16_plus=_paid_work(rng, person.pathway),
                    progress={area: _progress(rng, person.pathway, checkpoint) for area in OUTCOME_AREAS},
                    recorded_by=person.keyworker,
                    recorded_at=clock.at(rng, recorded_on),
                )
            )
    return checks


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _paid_work(rng: random.Random, pathway: int | None) -> bool | None:
    draw = rng.random()
    if draw < NOT_KNOWN:
        return None
    return draw < NOT_KNOWN + PAID_WORK[pathway] * (1 - NOT_KNOWN)


def _progress(rng: random.Random, pathway: int | None, checkpoint: str) -> str:
    achieved, progressing, no_progress, not_known = PROGRESS_WEIGHTS[pathway]
    if checkpoint == "2y":
        shift = min(SECOND_CHECK_SHIFT, no_progress)
        achieved, progressing, no_progress = achieved + shift, progressing, no_progress - shift
    return rng.choices(PROGRESS, weights=(achieved, progressing, no_progress, not_known))[0]
