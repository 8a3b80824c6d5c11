"""Planning demo PfA review histories: a pure function of the council plan, a seed and the clock.

Everyone on the roll from Year 9 whose pathway has been agreed gets the review where it was
agreed, then reviews at their pathway's cadence (six-monthly for pathways 1 and 2, yearly
otherwise) with the jitter of real diaries: some brought forward, some slipping by months,
so the due and overdue lists have something to show. A later pathway change happens at a
review, so the record's pathway history and its reviews agree. Intentions follow pathway,
need and the next transition point and mostly carry over from one review to the next.
:mod:`destinations.demo.review_writer` writes the plan.
"""
from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any, NamedTuple

from destinations.demo import review_catalogue as catalogue
from destinations.demo.people import weekday
from destinations.demo.records import Clock, CouncilPlan, PersonPlan
from destinations.people import roll

YEAR9, ANNUAL, ASPIRATION = "year9_pfa_review", "annual_ehcp_review", "aspiration_conversation"
TRANSITION, CHECK_IN = "transition_planning_meeting", "post_transition_check_in"
KEEP_IN_TOUCH = "keep_in_touch_follow_up"

CADENCE_DAYS = {1: 182, 2: 182, 3: 365, None: 365}
LAPSE_SHARE = 0.06  # a review that slips by months
BROUGHT_FORWARD_SHARE = 0.29  # held a few weeks early to fit the school calendar
MID_YEAR_CONVERSATION_SHARE = 0.65  # yearly-reviewed people who also have the Year 10 or 12 aspiration conversation
DRAFT_SHARE = 0.025  # of people on a caseload: a review being written up now
AMENDED_SHARE = 0.012  # of complete reviews: corrected later, the earlier version kept
CHANGED_MIND_SHARE = 0.12  # a review where the intended next step changes
SECOND_STEP_SHARE = 0.35  # a fallback next step
PARTICIPANTS = ("parent_carer", "school_college", "health", "social_care", "adult_services", "other")


class StepPlan(NamedTuple):
    start_year: int | None
    route: str | None
    level: str | None
    sector_subject_area: str | None
    attendance: str | None
    providers: tuple[int, ...]  # provider positions in the council plan, in order of preference
    support_needs: tuple[str, ...]


class ActionPlan(NamedTuple):
    description: str
    owner: str
    due_on: date | None
    done_at: datetime | None  # None while not done


class Amendment(NamedTuple):
    at: datetime
    by: int  # staff position
    field: str  # the content field that was corrected
    before: Any  # its earlier value, as the plan holds it


@dataclass(slots=True)
class ReviewPlan:
    person: int  # position in the council plan
    status: str
    held_on: date | None
    review_type: str | None
    young_person_present: bool | None
    participants: tuple[str, ...]
    participants_other: str | None
    young_persons_words: str | None
    aspirations: tuple[str | None, ...]  # in OUTCOME_AREAS order
    destinations_statement: str | None
    next_steps: tuple[StepPlan, ...]
    actions: tuple[ActionPlan, ...]
    created_at: datetime
    by: int  # staff position of whoever logged it
    amendment: Amendment | None = None


def plan_reviews(
    council: CouncilPlan, seed: int, clock: Clock, *, age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION
) -> list[ReviewPlan]:
    """Every planned person's reviews, oldest first for each person, from one seeded stream."""
    planner = _ReviewPlanner(random.Random(f"{seed}:reviews"), council, clock, age_of_transition)
    reviews: list[ReviewPlan] = []
    for position, person in enumerate(council.people):
        reviews.extend(planner.history(position, person))
    return reviews


class _Weights:
    """A weighted choice prepared once, because the planner makes hundreds of thousands."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weights: dict):
        self.items = tuple(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def _at(rng: random.Random, clock: Clock, day: date) -> datetime:
    """A moment in office hours on ``day``, never after the clock's now (as Clock.at, but quicker)."""
    hour, minute = 8 + int(rng.random() * 9), 5 * int(rng.random() * 12)
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
    return min(moment, clock.now - timedelta(minutes=1))


def _one(rng: random.Random, items: Sequence):
    """One item, evenly chosen (quicker than Random.choice)."""
    return items[int(rng.random() * len(items))]


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    """A whole number of days from low to high inclusive (quicker than randint)."""
    return timedelta(days=low + int(rng.random() * (high - low + 1)))


class _Person:
    """What the planner works out once about a young person, and what carries between reviews."""

    __slots__ = ("aspirations", "checked_in", "cohort", "intentions", "leaves_school_after", "plan", "theme")

    def __init__(self, plan: PersonPlan, leaves_school_after: int, theme: catalogue.Theme):
        self.plan, self.leaves_school_after, self.theme = plan, leaves_school_after, theme
        self.cohort = roll.cohort_of(plan.date_of_birth)
        self.intentions: dict[tuple, tuple[tuple[StepPlan, ...], str]] = {}
        self.aspirations: dict[str, tuple[str | None, ...]] = {}
        self.checked_in = False

    def year_group(self, day: date) -> int:
        return roll.academic_year_of(day) - self.cohort - 5

    @staticmethod
    def stage(group: int) -> str:
        """The next transition point: "16" (end of Year 11), "19" (end of Year 13) or "adult"."""
        return "16" if group <= 11 else "19" if group <= 13 else "adult"

    def start_year(self, group: int) -> int:
        """The academic year after the next transition point; after school, the next academic year."""
        if group <= 11:
            return self.cohort + 17
        if group <= 13:
            return self.cohort + 19
        return self.cohort + 5 + group + 1


class _ReviewPlanner:
    def __init__(self, rng: random.Random, council: CouncilPlan, clock: Clock, age_of_transition: int):
        self.rng, self.clock, self.age = rng, clock, age_of_transition
        self.yesterday = clock.today - timedelta(days=1)
        self.providers = council.providers
        self.managers = [i for i, member in enumerate(council.staff) if member.role == "manager"]
        self.by_kind: dict[str, list[int]] = {}
        self.by_name: dict[str, int] = {}
        for i, provider in enumerate(council.providers):
            self.by_kind.setdefault(provider.kind, []).append(i)
            self.by_name[provider.name] = i
        self.themes = {
            pathway: _Weights(dict(enumerate(weights))) for pathway, weights in catalogue.THEME_WEIGHTS.items()
        }
        self.routes = {key: _Weights(weights) for key, weights in catalogue.ROUTES.items()}
        self.levels = {key: _Weights(weights) for key, weights in catalogue.STUDY_LEVELS.items()}
        self.after_school_types = {True: _Weights({ANNUAL: 75, KEEP_IN_TOUCH: 12, CHECK_IN: 8, ASPIRATION: 5}),
                                   False: _Weights({KEEP_IN_TOUCH: 45, ASPIRATION: 35, CHECK_IN: 20})}  # fmt: skip
        self.support_plan_types = _Weights({ASPIRATION: 60, TRANSITION: 20, KEEP_IN_TOUCH: 20})
        self.action_counts = _Weights({0: 15, 1: 35, 2: 35, 3: 15})
        self.actions = {
            (bank_name, pathway, with_provider): [
                action for action in bank
                if pathway in action.pathways and (with_provider or "{provider}" not in action.description)
            ]
            for bank_name, bank in (("16", catalogue.ACTIONS_BEFORE_16), ("19", catalogue.ACTIONS_BEFORE_19),
                                    ("after", catalogue.ACTIONS_AFTER_SCHOOL))
            for pathway in (1, 2, 3) for with_provider in (True, False)
        }  # fmt: skip

    # --- a person's history ----------------------------------------------------------------

    def history(self, position: int, plan: PersonPlan) -> list[ReviewPlan]:
        rng = self.rng
        if roll.roll_start(plan.date_of_birth) > self.clock.today:
            return []
        special = self.providers[plan.school].kind == "special_school"
        leaves_after = 13 if special or rng.random() < 0.12 else 11
        first_pathway = plan.pathway_changes[0].to_pathway if plan.pathway_changes else plan.pathway
        theme = catalogue.THEMES[self.themes[self._offer(first_pathway, plan)].pick(rng)]
        person = _Person(plan, leaves_after, theme)
        reviews = [
            self._complete(position, person, day, pathway, kind) for day, pathway, kind in self._schedule(person)
        ]
        if plan.keyworker is not None and plan.left_on is None and rng.random() < DRAFT_SHARE:
            draft = self._draft(position, person, reviews[-1].held_on if reviews else None)
            if draft is not None:
                reviews.append(draft)
        return reviews

    def _last_day(self, plan: PersonPlan) -> date:
        ends = [self.yesterday, roll.roll_end(plan.date_of_birth, self.age, [e.new_end for e in plan.extensions])]
        if plan.left_on is not None:
            ends.append(plan.left_on - timedelta(days=1))
        return min(ends)

    def _schedule(self, person: _Person) -> list[tuple[date, int | None, str]]:
        """(held on, pathway then, "first", "changed", "mid_year" or "due") for each complete review."""
        plan, rng = person.plan, self.rng
        if not plan.pathway_changes:
            return []
        last_day = self._last_day(plan)
        first = plan.pathway_changes[0]
        day, pathway = first.at.date(), first.to_pathway
        if day > last_day:
            return []
        changes = [(change.at.date(), change.to_pathway) for change in plan.pathway_changes[1:]]
        schedule = [(day, pathway, "first")]
        while True:
            chance, kind = rng.random(), "due"
            if chance < LAPSE_SHARE:
                following = day + timedelta(days=CADENCE_DAYS[pathway]) + _days(rng, 45, 240)
            elif chance < LAPSE_SHARE + BROUGHT_FORWARD_SHARE:
                following = day + timedelta(days=CADENCE_DAYS[pathway]) - _days(rng, 10, 50)
            else:
                following = day + timedelta(days=CADENCE_DAYS[pathway]) + _days(rng, -15, 35)
            # Yearly reviews leave room for the Year 10 and Year 12 aspiration conversation.
            mid_year = CADENCE_DAYS[pathway] > 200 and person.year_group(day + timedelta(days=150)) in (10, 12)
            if mid_year and rng.random() < MID_YEAR_CONVERSATION_SHARE:
                following, kind = day + _days(rng, 120, 200), "mid_year"
            if changes and changes[0][0] <= following:
                change_day, pathway = changes.pop(0)
                if change_day > day:
                    following, kind = change_day, "changed"
            following = weekday(following, latest=last_day)
            if following > last_day:
                return schedule
            schedule.append((following, pathway, kind))
            day = following

    # --- one review ------------------------------------------------------------------------

    def _complete(self, position: int, person: _Person, day: date, pathway: int | None, kind: str) -> ReviewPlan:
        rng, plan = self.rng, person.plan
        group = person.year_group(day)
        offer = self._offer(pathway, plan)
        review_type = self._review_type(person, kind, group, offer)
        present = rng.random() < (0.72 if offer == 1 else 0.93)
        participants, other = self._participants(person, group, offer)
        steps, statement = self._intentions(person, offer, group)
        by = self._author(plan, day)
        written_on = min(day + timedelta(days=_one(rng, (0, 0, 0, 1, 2, 3, 7))), self.yesterday)
        review = ReviewPlan(
            person=position, status="complete", held_on=day, review_type=review_type, young_person_present=present,
            participants=participants, participants_other=other,
            young_persons_words=self._words(person, offer, present),
            aspirations=self._aspirations(person, offer, group), destinations_statement=statement,
            next_steps=steps, actions=self._actions(person, offer, day, group, steps),
            created_at=_at(rng, self.clock, max(written_on, day)), by=by,
        )  # fmt: skip
        if rng.random() < AMENDED_SHARE:
            review.amendment = self._amendment(review)
        return review

    def _offer(self, pathway: int | None, plan: PersonPlan) -> int:
        """The pathway whose offer shapes a review; "not yet decided" reads as the likeliest one."""
        if pathway is not None:
            return pathway
        return 2 if plan.sen_provision == "E" and plan.primary_need in ("PMLD", "SLD", "MSI", "ASD") else 3

    def _author(self, plan: PersonPlan, day: date) -> int:
        """The keyworker who had the case on the day (a manager when nobody had it)."""
        keyworker = plan.assignments[0].keyworker if plan.assignments else None
        for assignment in plan.assignments[1:]:
            if assignment.at.date() <= day:
                keyworker = assignment.keyworker
        return _one(self.rng, self.managers) if keyworker is None else keyworker

    def _review_type(self, person: _Person, kind: str, group: int, offer: int) -> str:
        rng, ehc = self.rng, person.plan.sen_provision == "E"
        if kind == "first":
            return YEAR9
        if kind == "changed" and ehc:
            return ANNUAL
        if kind == "mid_year":
            return ASPIRATION
        if group > person.leaves_school_after:
            if not person.checked_in:
                person.checked_in = True
                if rng.random() < 0.85:
                    return CHECK_IN
            if group == 12 and rng.random() < 0.4:
                return ASPIRATION
            return self.after_school_types[ehc].pick(rng)
        if group in (10, 12) and rng.random() < (0.45 if ehc else 0.9):
            return ASPIRATION
        if offer in (1, 2) and group in (11, 13) and rng.random() < 0.55:
            return TRANSITION
        return ANNUAL if ehc else self.support_plan_types.pick(rng)

    def _participants(self, person: _Person, group: int, offer: int) -> tuple[tuple[str, ...], str | None]:
        rng = self.rng
        complex_health = person.plan.primary_need in ("PMLD", "PD", "MSI")
        chances = (
            0.95 if offer == 1 else 0.87,  # parent or carer
            0.9 if group <= person.leaves_school_after else 0.55,  # school or college
            (0.7, 0.2, 0.05)[offer - 1] + (0.2 if complex_health else 0.0),  # health
            (0.6, 0.25, 0.04)[offer - 1],  # social care
            (0.65, 0.35, 0.05)[offer - 1] if group >= 12 else 0.0,  # adult services
            0.04,  # other
        )
        chosen = tuple(code for code, chance in zip(PARTICIPANTS, chances) if rng.random() < chance)
        other = _one(rng, catalogue.PARTICIPANTS_OTHER) if "other" in chosen else None
        return chosen, other

    def _words(self, person: _Person, offer: int, present: bool) -> str | None:
        rng = self.rng
        if not present and rng.random() < 0.3:
            return None
        life = catalogue.LIFE_WORDS[offer]
        words = _one(rng, person.theme.words) if rng.random() < (0.3 if offer == 1 else 0.8) else _one(rng, life)
        if rng.random() < 0.55:
            more = _one(rng, life)
            if more != words:
                words = f"{words} {more}"
        if offer == 1 and person.plan.primary_need in ("PMLD", "SLD", "MSI") and rng.random() < 0.7:
            words = _one(rng, catalogue.SHARED_WITHOUT_SPEECH) + words
        return words

    def _aspirations(self, person: _Person, offer: int, group: int) -> tuple[str | None, ...]:
        """Aspirations hold steady through a stage and are looked at afresh at the next one."""
        rng, stage = self.rng, person.stage(group)
        if stage in person.aspirations and rng.random() > 0.2:
            return person.aspirations[stage]
        bank, need = catalogue.ASPIRATIONS, person.plan.primary_need
        employment = _one(rng, bank["employment"][1] if offer == 1 else person.theme.employment)
        health = bank["health"]
        health_bank = health[1] if offer == 1 else health.get(need, health["general"])
        aspirations: tuple[str | None, ...] = (
            employment,
            _one(rng, bank["independent_living"][offer]),
            _one(rng, bank["community"]),
            _one(rng, health_bank if rng.random() < 0.5 else health["general"]),
        )
        if rng.random() < 0.12:  # one area not talked about this time
            blank = 1 + int(rng.random() * 3)
            aspirations = tuple(None if i == blank else value for i, value in enumerate(aspirations))
        person.aspirations[stage] = aspirations
        return aspirations

    # --- intentions ------------------------------------------------------------------------

    def _intentions(self, person: _Person, offer: int, group: int) -> tuple[tuple[StepPlan, ...], str]:
        """The intended next steps and the destinations statement; they mostly carry over."""
        rng, stage, start_year = self.rng, person.stage(group), person.start_year(group)
        key = (offer, stage, start_year)
        held = person.intentions.get(key)
        if held is not None and rng.random() > CHANGED_MIND_SHARE:
            return held
        first = self._step(person, offer, stage, start_year)
        steps: tuple[StepPlan, ...] = (first,)
        if rng.random() < SECOND_STEP_SHARE:
            second = self._step(person, offer, stage, start_year, instead_of=first)
            if second is not None:
                steps = (first, second)
        intentions = (steps, self._statement(person, offer, first))
        person.intentions[key] = intentions
        return intentions

    def _step(
        self, person: _Person, offer: int, stage: str, start_year: int, instead_of: StepPlan | None = None
    ) -> StepPlan | None:
        """One next step; ``instead_of`` asks for a fallback: another route, or the same at other providers."""
        rng, need = self.rng, person.plan.primary_need
        route = self.routes[(offer, stage)].pick(rng)
        if route == "higher_education" and rng.random() > catalogue.HIGHER_EDUCATION_KEPT.get(need, 1.0):
            route = self.routes[(offer, stage)].pick(rng)
        if instead_of is not None and route == instead_of.route:
            route = self.routes[(offer, stage)].pick(rng)  # most fallbacks are another route
        theme_sector = person.theme.sector
        if route == "study_programme":
            if offer == 3 and need in catalogue.LEARNING_DIFFICULTIES:
                levels = self.levels[(3, "learning_difficulty")]
            else:
                levels = self.levels.get((offer, stage)) or self.levels[(offer, "any")]
            level = levels.pick(rng)
            life_skills = rng.random() < catalogue.LIFE_SKILLS_CHANCE.get((offer, stage), 0.04)
            sector: str | None = catalogue.LIFE_SKILLS_SECTOR if life_skills else theme_sector
            part_time = rng.random() < catalogue.STUDY_PART_TIME_CHANCE[offer]
        else:
            if route == "apprenticeship":
                level = "level_2" if offer == 2 or rng.random() < 0.6 else "level_3"
            else:
                level = "level_4_plus" if route == "higher_education" else "not_applicable"
            sector = None if route in ("adult_social_care_day_opportunity", "volunteering") else theme_sector
            if sector == catalogue.LIFE_SKILLS_SECTOR:
                sector = catalogue.FIRST_JOBS_SECTOR
            if route == "higher_education" and sector not in catalogue.HIGHER_EDUCATION_SECTORS:
                sector = _one(rng, catalogue.HIGHER_EDUCATION_SECTORS)
            part_time = rng.random() < catalogue.PART_TIME_CHANCE.get(route, 0.0)
        avoid = instead_of.providers if instead_of is not None and instead_of.route == route else ()
        providers = self._providers(person, offer, stage, route, level, sector or theme_sector, avoid)
        if providers is None:
            return None
        attendance = "part_time" if part_time else "full_time"
        return StepPlan(start_year, route, level, sector, attendance, providers, self._support(person, offer, route))

    def _providers(
        self, person: _Person, offer: int, stage: str, route: str, level: str, sector: str, avoid: tuple[int, ...]
    ) -> tuple[int, ...] | None:
        """One or two preferred providers (None when a fallback has nowhere else to name)."""
        rng, kinds, names = self.rng, self.by_kind, self.by_name
        school = person.plan.school
        employer = catalogue.EMPLOYERS_BY_SECTOR.get(sector)
        if route == "study_programme":
            own_sixth_form = self.providers[school].kind == "special_school" and stage == "16"
            if own_sixth_form and rng.random() < (0.45, 0.25, 0.0)[offer - 1]:
                pool = [school]
            elif offer == 1:
                pool = kinds["specialist_college"] if rng.random() < 0.75 else kinds["college"]
            elif offer == 2:
                pool = self._colleges_for(sector) if rng.random() < 0.65 else kinds["specialist_college"]
            elif level == "level_3" and stage == "16" and sector in catalogue.SIXTH_FORM_SECTORS and rng.random() < 0.6:
                pool = kinds["sixth_form_college"]
            else:
                pool = self._colleges_for(sector)
        elif route == "apprenticeship":
            pool = kinds["training"] + self._colleges_for(sector)[:1]
        elif route == "supported_internship":
            college = names[catalogue.SUPPORTED_INTERNSHIP_COLLEGE]
            pool = [names[employer], college] if employer else [college]
            chosen = tuple(p for p in pool if p not in avoid)
            return chosen or None
        elif route == "supported_employment":
            pool = kinds["training"]
        elif route == "higher_education":
            pool = kinds["university"]
        elif route in ("adult_social_care_day_opportunity", "volunteering"):
            pool = kinds["day_service"]
        else:  # employment: an employer only when the young person has one in mind
            return (names[employer],) if employer and rng.random() < 0.5 and names[employer] not in avoid else ()
        pool = [p for p in pool if p not in avoid]
        if not pool:
            return None
        first = _one(rng, pool)
        if len(pool) > 1 and rng.random() < 0.4:
            return (first, _one(rng, [p for p in pool if p != first]))
        return (first,)

    def _colleges_for(self, sector: str) -> list[int]:
        names = self.by_name
        if sector == "3":
            return [names[catalogue.LAND_BASED_COLLEGE], names[catalogue.MAIN_COLLEGES[0]]]
        if sector in ("4", "5", "6"):
            return [names[catalogue.TECHNICAL_COLLEGE], names[catalogue.MAIN_COLLEGES[0]]]
        return [names[name] for name in catalogue.MAIN_COLLEGES]

    def _support(self, person: _Person, offer: int, route: str) -> tuple[str, ...]:
        rng = self.rng
        candidates = (
            *catalogue.PATHWAY_SUPPORT[offer],
            *catalogue.NEED_SUPPORT.get(person.plan.primary_need, ()),
            *catalogue.ROUTE_SUPPORT.get(route, ()),
        )
        chosen = {code for code, chance in candidates if rng.random() < chance}
        if route not in catalogue.CLASSROOM_ROUTES:
            chosen.discard("learning_support_in_class")
        if not chosen and offer in (1, 2):
            chosen.add(catalogue.PATHWAY_SUPPORT[offer][0][0])
        ordered = [code for code in catalogue.SUPPORT_ORDER if code in chosen]
        return tuple(ordered[: 4 if offer in (1, 2) else 3])

    def _statement(self, person: _Person, offer: int, step: StepPlan) -> str:
        """The destinations statement, in plain words: "By September 2027 Sam will be ..."."""
        rng, name, sector = self.rng, person.plan.given_name, step.sector_subject_area
        topic = person.theme.topic if sector == person.theme.sector else catalogue.SECTOR_WORDS.get(sector, "")
        provider = self.providers[step.providers[0]].name if step.providers else None
        route, part = step.route, " part time" if step.attendance == "part_time" else ""
        if route == "study_programme" and step.providers and step.providers[0] == person.plan.school:
            activity = f"in the sixth form at {provider}{part}"
        elif route == "study_programme":
            course = catalogue.LEVEL_ARTICLE.get(step.level, "a personalised")
            activity = f"on {course} course in {topic} at {provider}{part}"
        elif route == "supported_internship":
            activity = f"on a supported internship at {provider}"
        elif route == "apprenticeship":
            activity = f"on {catalogue.LEVEL_ARTICLE[step.level]} apprenticeship in {topic}"
        elif route == "employment":
            activity = f"in a paid job in {topic}{part}"
        elif route == "supported_employment":
            activity = f"in a paid job{part}, with help from a job coach"
        elif route == "higher_education":
            activity = f"at {provider}, studying for a degree"
        elif route == "adult_social_care_day_opportunity":
            days = _one(rng, (2, 3)) if step.attendance == "part_time" else 5
            activity = f"going to {provider} {days} days a week"
        else:
            activity = f"volunteering at {provider}{part}"
        course = route in ("study_programme", "higher_education")
        endings = catalogue.STATEMENT_ENDINGS[(offer, "course" if course else "other")]
        ending = _one(rng, endings)
        if ("job coach" in ending and "job coach" in activity) or (part and "part time" in ending):
            ending = ""
        return f"By September {step.start_year} {name} will be {activity}{ending}."

    # --- actions, drafts and corrections ---------------------------------------------------

    def _actions(
        self, person: _Person, offer: int, day: date, group: int, steps: tuple[StepPlan, ...]
    ) -> tuple[ActionPlan, ...]:
        """0-3 agreed actions; those due long ago are mostly done."""
        rng, today = self.rng, self.clock.today
        count = self.action_counts.pick(rng)
        if not count:
            return ()
        stage = "after" if group > person.leaves_school_after else "16" if group <= 11 else "19"
        elsewhere = [p for step in steps for p in step.providers if p != person.plan.school]
        bank = self.actions[(stage, offer, bool(elsewhere))]
        provider = self.providers[elsewhere[0]].name if elsewhere else ""
        actions = []
        chosen: list[int] = []
        while len(chosen) < min(count, len(bank)):
            index = int(rng.random() * len(bank))
            if index not in chosen:
                chosen.append(index)
        for wording in (bank[index] for index in chosen):
            due_on = day + _days(rng, 14, 150)
            overdue_for = (today - due_on).days
            if overdue_for > 0:  # the longer ago it was due, the likelier it is done
                done_chance = 0.97 if overdue_for > 180 else 0.85 if overdue_for > 30 else 0.55
            else:
                done_chance = 0.12 if (today - day).days > 14 else 0.0
            done_at = None
            if rng.random() < done_chance:
                latest = min((today - day).days - 1, (due_on - day).days + 30)
                done_at = _at(rng, self.clock, min(day + _days(rng, 1, max(1, latest)), self.yesterday))
            description = wording.description.format(provider=provider, topic=person.theme.topic)
            actions.append(ActionPlan(description, wording.owner, due_on, done_at))
        return tuple(actions)

    def _draft(self, position: int, person: _Person, last_review: date | None) -> ReviewPlan | None:
        """A review being written up: some of it typed, perhaps not yet dated."""
        rng, plan = self.rng, person.plan
        written_on = self.clock.today - _days(rng, 1, 14)
        held_on = None if rng.random() < 0.4 else weekday(written_on - _days(rng, 0, 3), latest=written_on)
        day = held_on or written_on
        if (last_review is not None and day <= last_review) or day < roll.roll_start(plan.date_of_birth):
            return None
        offer = self._offer(plan.pathway, plan)
        steps: tuple[StepPlan, ...] = ()
        group = person.year_group(day)
        step = self._step(person, offer, person.stage(group), person.start_year(group)) if rng.random() < 0.5 else None
        if step is not None:
            steps = (step._replace(attendance=None, providers=(), support_needs=()),)
        words = self._words(person, offer, True) if rng.random() < 0.6 else None
        employment = self._aspirations(person, offer, group)[0] if rng.random() < 0.5 else None
        return ReviewPlan(
            person=position, status="draft", held_on=held_on,
            review_type=YEAR9 if last_review is None else _one(rng, (ANNUAL, ASPIRATION, TRANSITION)),
            young_person_present=True if rng.random() < 0.6 else None, participants=("parent_carer",),
            participants_other=None, young_persons_words=words, aspirations=(employment, None, None, None),
            destinations_statement=None, next_steps=steps, actions=(), created_at=_at(rng, self.clock, written_on),
            by=plan.keyworker if plan.keyworker is not None else _one(rng, self.managers),
        )  # fmt: skip

    def _amendment(self, review: ReviewPlan) -> Amendment | None:
        """A correction made within weeks of logging the review, and what it replaced."""
        rng = self.rng
        written_on = review.created_at.date()
        if (self.clock.today - written_on).days < 3:
            return None
        amended_on = written_on + _days(rng, 1, min(45, (self.clock.today - written_on).days - 1))
        at = max(_at(rng, self.clock, amended_on), review.created_at + timedelta(minutes=5))
        by = review.by if rng.random() < 0.75 else _one(rng, self.managers)
        field = _one(rng, ("destinations_statement", "young_persons_words", "participants", "held_on", "next_steps"))
        before: Any
        if field == "destinations_statement":
            before = catalogue.FIRST_DRAFT_STATEMENT
        elif field == "young_persons_words" and review.young_persons_words and ". " in review.young_persons_words:
            before = review.young_persons_words.split(". ")[0] + "."  # the rest was added later
        elif field == "participants" and len(review.participants) >= 2:
            before = review.participants[:-1]
        elif field == "held_on":
            before = min(review.held_on + timedelta(days=_one(rng, (-7, -2, -1))), written_on)
        else:
            field, first = "next_steps", review.next_steps[0]
            if first.level in catalogue.NEIGHBOURING_LEVEL:
                first = first._replace(level=catalogue.NEIGHBOURING_LEVEL[first.level])
            else:
                first = first._replace(attendance="part_time" if first.attendance == "full_time" else "full_time")
            before = (first, *review.next_steps[1:])
        return Amendment(at, by, field, before)
