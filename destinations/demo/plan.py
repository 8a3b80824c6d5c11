"""Planning a synthetic council: a pure function of (size, seed, today), with no database.

Keeping the randomness here, away from the inserts, is what makes a seed reproducible and
the plan testable on its own. Separate random streams (people, staff, UPN serials,
caseloads) keep one concern from shifting another: a UPN already in the database changes
that UPN only, never the names and dates that follow.
"""
from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, timedelta

from destinations.demo import catalogue
from destinations.demo.names import BOYS_NAMES, FAMILY_NAMES, GIRLS_NAMES
from destinations.demo.people import THEIR_KEYWORKER, PeoplePlanner
from destinations.demo.records import Assignment, Clock, CouncilPlan, PersonPlan, ProviderPlan, StaffPlan, Taken
from destinations.people import roll

EMAIL_DOMAIN = "northshire.example"
TARGET_CASELOAD = 50
MIN_CASELOAD, MAX_CASELOAD = 40, 60
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward part of UK postcodes
COLLEGE_KINDS = ("college", "sixth_form_college", "specialist_college")
HANDOVER_SHARE = 0.1  # people whose case moved from one keyworker to another
ORPHANED_SHARE = 0.35  # of the unassigned: their keyworker left and nobody has the case yet


def sign_in_emails(suffix: str = "") -> list[tuple[str, str]]:
    """The demo sign-ins; ``suffix`` tells a repeated load's accounts apart (admin2@...)."""
    return [
        ("admin", f"admin{suffix}@{EMAIL_DOMAIN}"),
        ("manager", f"manager{suffix}@{EMAIL_DOMAIN}"),
        ("keyworker", f"keyworker{suffix}@{EMAIL_DOMAIN}"),
        ("college", f"college{suffix}@{EMAIL_DOMAIN}"),
        ("college", f"college-area{suffix}@{EMAIL_DOMAIN}"),
    ]


def plan_council(
    people: int,
    seed: int,
    today: date,
    now: datetime,
    *,
    age_of_transition: int = roll.DEFAULT_AGE_OF_TRANSITION,
    taken: Taken = Taken(),
) -> CouncilPlan:
    """Plan a council of ``people`` young people, with its staff and providers, as on ``today``."""
    clock = Clock(today, now)
    providers = plan_providers()
    staff = _Staff(random.Random(f"{seed}:staff"), taken.emails, clock)
    sign_ins, demo_manager = staff.add_demo_accounts(providers)
    managers = [demo_manager] + [staff.add(role="manager") for _ in range(1 if people < 5000 else 2)]
    staff.add(role="admin")
    for position, provider in enumerate(providers):
        if provider.kind in COLLEGE_KINDS and provider.name != catalogue.DEMO_COLLEGE:
            staff.add(role="college", provider=position)

    people_rng, upn_rng = random.Random(f"{seed}:people"), random.Random(f"{seed}:upn")
    planner = PeoplePlanner(people_rng, upn_rng, taken, providers, managers, clock, age_of_transition)
    planned = [planner.person() for _ in range(people)]
    keyworkers = _share_out_caseloads(random.Random(f"{seed}:caseloads"), planned, staff, managers, clock)
    return CouncilPlan(providers=providers, staff=staff.rows, people=planned, sign_ins=sign_ins, keyworkers=keyworkers)


def plan_providers() -> list[ProviderPlan]:
    """Northshire's schools, colleges and other providers: the same whatever the seed."""
    rng = random.Random("northshire-providers")
    urns = iter(rng.sample(range(100000, 150000), 64))
    ukprns = iter(rng.sample(range(10000000, 10100000), 32))
    # DfE establishment number ranges: 4xxx secondary, 7xxx special, 11xx alternative provision.
    secondary_numbers = iter(sorted(rng.sample(range(4000, 5000), len(catalogue.SECONDARY_SCHOOLS))))
    special_numbers = iter(sorted(rng.sample(range(7000, 7100), len(catalogue.SPECIAL_SCHOOLS))))

    def postcode() -> str:
        return f"NS{rng.randint(1, 24)} {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"

    def school(name: str, kind: str, establishment: int, specialisms: tuple[str, ...] = ()) -> ProviderPlan:
        return ProviderPlan(name, kind, str(next(urns)), None, postcode(), establishment, specialisms)

    providers = [school(name, "school", next(secondary_numbers)) for name in catalogue.SECONDARY_SCHOOLS]
    providers += [
        school(name, "special_school", next(special_numbers), needs) for name, needs in catalogue.SPECIAL_SCHOOLS
    ]
    providers.append(school(catalogue.ALTERNATIVE_PROVISION, "school", 1104, ("SEMH",)))
    providers += [
        ProviderPlan(name, kind, None, str(next(ukprns)), postcode()) for name, kind in catalogue.POST_16_PROVIDERS
    ]
    providers += [ProviderPlan(name, kind, postcode=postcode()) for name, kind in catalogue.OTHER_PROVIDERS]
    return providers


def _email_part(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(character for character in ascii_name if character.isalnum() or character == "-")


class _Staff:
    def __init__(self, rng: random.Random, taken_emails: frozenset[str], clock: Clock):
        self.rng, self.clock = rng, clock
        self.taken = set(taken_emails)
        self.rows: list[StaffPlan] = []
        self.demo_keyworker_email = ""

    def _unique_email(self, given: str, family: str) -> str:
        stem = f"{_email_part(given)}.{_email_part(family)}"
        email, number = f"{stem}@{EMAIL_DOMAIN}", 1
        while email in self.taken:
            number += 1
            email = f"{stem}{number}@{EMAIL_DOMAIN}"
        return email

    def add(self, *, role: str, email: str | None = None, provider: int | None = None, active: bool = True) -> int:
        given = self.rng.choice(BOYS_NAMES if self.rng.random() < 0.3 else GIRLS_NAMES)
        family = self.rng.choice(FAMILY_NAMES)
        email = email or self._unique_email(given, family)
        self.taken.add(email)
        created_at = self.clock.days_ago(self.rng, 400, 3000)
        self.rows.append(StaffPlan(email, f"{given} {family}", role, provider, active, created_at))
        return len(self.rows) - 1

    def add_demo_accounts(self, providers: list[ProviderPlan]) -> tuple[list[tuple[str, str]], int]:
        """Add the accounts ``demo load`` prints; returns them and the demo manager's position.

        A repeated load numbers its accounts admin2@, admin3@... so every load's sign-ins work.
        The demo keyworker is added later, with the other keyworkers.
        """
        number = 1
        while any(email in self.taken for _, email in sign_in_emails(str(number) if number > 1 else "")):
            number += 1
        sign_ins = sign_in_emails(str(number) if number > 1 else "")
        (_, admin), (_, manager), (_, keyworker), (_, college), (_, area_college) = sign_ins
        college_position = next(i for i, provider in enumerate(providers) if provider.name == catalogue.DEMO_COLLEGE)
        self.add(role="admin", email=admin)
        manager_position = self.add(role="manager", email=manager)
        self.add(role="college", email=college, provider=college_position)
        self.add(role="college", email=area_college)
        self.demo_keyworker_email = keyworker
        return sign_ins, manager_position


def caseload_sizes(rng: random.Random, total: int, keyworkers: int) -> list[int]:
    """Split ``total`` people into ``keyworkers`` caseloads that vary but stay within 40-60.

    Caseloads vary in pairs (one up, one down by the same amount) so the sizes add up
    exactly, and the spread is narrow enough that rounding cannot cross either bound.
    When the average itself is outside 40-60 (a tiny council) every caseload is the average.
    """
    base = total / keyworkers
    # Half a person of slack keeps floating-point rounding from crossing a bound.
    spread = max(0.0, min(0.15, (base - MIN_CASELOAD - 0.5) / base, (MAX_CASELOAD - base - 0.5) / base))
    weights = [1.0] * keyworkers
    order = list(range(keyworkers))
    rng.shuffle(order)
    for first, second in zip(order[0::2], order[1::2]):
        shift = rng.uniform(-spread, spread)
        weights[first], weights[second] = 1 + shift, 1 - shift
    exact = [base * weight for weight in weights]
    sizes = [int(size) for size in exact]
    by_remainder = sorted(range(keyworkers), key=lambda i: exact[i] - sizes[i], reverse=True)
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _share_out_caseloads(
    rng: random.Random, people: list[PersonPlan], staff: _Staff, managers: list[int], clock: Clock
) -> list[int]:
    """Add keyworkers for caseloads of about 50, share people out by school, and date the history.

    Caseloads follow schools (each keyworker links with a few) because that is how councils
    usually organise transition keywork. Returns the positions of the active keyworkers.
    """
    wanted = [i for i, person in enumerate(people) if person.wants_keyworker]
    count = max(1, round(len(wanted) / TARGET_CASELOAD))
    keyworkers = [staff.add(role="keyworker", email=staff.demo_keyworker_email)]
    keyworkers += [staff.add(role="keyworker") for _ in range(count - 1)]
    former = [staff.add(role="keyworker", active=False) for _ in range(max(1, count // 12))]
    order = sorted(wanted, key=lambda i: (people[i].school, rng.random()))
    position = 0
    for keyworker, size in zip(keyworkers, caseload_sizes(rng, len(wanted), count)):
        for i in order[position : position + size]:
            people[i].keyworker = keyworker
        position += size

    today, handover_pool = clock.today, keyworkers + former
    for person in people:
        start = roll.roll_start(person.date_of_birth)
        first_on = max(person.created_at.date(), min(start, today - timedelta(days=1)))
        if first_on + timedelta(days=20) < today:
            first_on += timedelta(days=rng.randint(0, 20))
        first_at, by = clock.at(rng, first_on), rng.choice(managers)
        if person.keyworker is not None:
            handover_on = first_on + timedelta(days=rng.randint(200, 700))
            if rng.random() < HANDOVER_SHARE and handover_on < min(today, person.left_on or today):
                previous = rng.choice(handover_pool)
                while previous == person.keyworker:
                    previous = rng.choice(handover_pool)
                person.assignments.append(Assignment(previous, first_at, by))
                handover_at = clock.at(rng, handover_on)
                person.assignments.append(Assignment(person.keyworker, handover_at, rng.choice(managers)))
            else:
                person.assignments.append(Assignment(person.keyworker, first_at, by))
        elif start <= today - timedelta(days=60) and rng.random() < ORPHANED_SHARE:
            person.assignments.append(Assignment(rng.choice(former), first_at, by))
            person.assignments.append(Assignment(None, clock.days_ago(rng, 5, 30), rng.choice(managers)))
        if person.status_changes:
            recorded_by = person.keyworker if person.keyworker is not None else rng.choice(managers)
            person.status_changes = [
                change._replace(by=recorded_by) if change.by == THEIR_KEYWORKER else change
                for change in person.status_changes
            ]
    return keyworkers
