import random
from collections import Counter
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from destinations.auth.models import User
from destinations.demo.generator import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    database_is_empty,
    demo_already_loaded,
    demo_sign_ins,
    load_demo,
)
from destinations.demo.plan import caseload_sizes, plan_council
from destinations.people import roll
from destinations.people.models import KeyworkerAssignment, PathwayChange, RollExtension, StatusChange, YoungPerson
from destinations.people.services import caseload_sizes as caseloads_in_database
from destinations.people.upn import validate_upn
from destinations.providers.models import Provider
from tests.conftest import sign_in

TODAY = date(2025, 11, 3)
NOW = datetime(2025, 11, 3, 12, 0, tzinfo=timezone.utc)


def load(session, people=300, seed=1):
    return load_demo(session, people=people, seed=seed, today=TODAY)


def everyone(session):
    return session.scalars(
        select(YoungPerson).options(
            selectinload(YoungPerson.extensions), selectinload(YoungPerson.pathway_changes),
            selectinload(YoungPerson.keyworker_assignments), selectinload(YoungPerson.status_changes),
        )
    ).all()  # fmt: skip


def status_of(person):
    extension_ends = [extension.new_end for extension in person.extensions]
    return roll.roll_status(person.date_of_birth, TODAY, extension_ends=extension_ends, left_on=person.left_on)


def test_a_small_load_adds_the_requested_number_of_young_people_with_staff_and_providers(session):
    summary = load(session)
    assert summary["people"] == 300
    assert session.scalar(select(func.count()).select_from(YoungPerson)) == 300
    active_keyworkers = session.scalar(select(func.count()).where(User.role == "keyworker", User.active.is_(True)))
    assert summary["keyworkers"] == active_keyworkers
    assert summary["providers"] == session.scalar(select(func.count()).select_from(Provider))
    kinds = Counter(session.scalars(select(Provider.kind)))
    assert kinds["school"] >= 30 and kinds["special_school"] >= 5
    assert kinds["college"] + kinds["sixth_form_college"] + kinds["specialist_college"] >= 6
    assert kinds["training"] and kinds["university"] and kinds["day_service"]
    assert session.scalar(select(func.count()).where(YoungPerson.school_id.is_(None))) == 0


def test_every_upn_is_valid_and_unique_and_people_without_one_have_a_council_id(session):
    load(session, people=1000)
    people = session.execute(select(YoungPerson.upn, YoungPerson.council_person_id)).all()
    upns = [upn for upn, _ in people if upn]
    assert all(validate_upn(upn) == upn for upn in upns)
    assert len(set(upns)) == len(upns)
    without = [council_id for upn, council_id in people if upn is None]
    assert 0 < len(without) < 50
    assert all(council_id and council_id.startswith("NS-") for council_id in without)


def test_year_groups_run_from_year_8_to_past_the_roll_end(session):
    load(session)
    births = session.scalars(select(YoungPerson.date_of_birth)).all()
    groups = Counter(roll.year_group(born, TODAY) for born in births)
    assert min(groups) == 8
    assert set(range(8, 16)) <= set(groups)
    assert any(roll.base_roll_end(born) < TODAY for born in births)


def test_statuses_include_upcoming_active_extended_and_left(session):
    load(session, people=600)
    people = everyone(session)
    statuses = Counter(status_of(person) for person in people)
    assert set(statuses) == {"upcoming", "active", "extended", "left"}
    assert statuses["active"] > statuses["left"] > statuses["extended"]
    reasons = Counter(person.left_reason for person in people if person.left_on)
    assert reasons["end_of_roll"] and reasons["moved_out_of_area"]


def test_leavers_have_a_dated_status_change_and_extensions_stay_within_the_25th_birthday(session):
    load(session, people=1000)
    for person in everyone(session):
        if person.left_on is not None:
            [change] = person.status_changes
            assert (change.status, change.reason, change.effective_on) == ("left", person.left_reason, person.left_on)
            assert person.left_on <= TODAY
        previous_end = roll.base_roll_end(person.date_of_birth)
        for extension in person.extensions:
            limit = roll.extension_limit(person.date_of_birth)
            assert extension.previous_end == previous_end < extension.new_end <= limit
            assert extension.review_on <= extension.new_end and extension.reason
            previous_end = extension.new_end
        if person.extensions:
            assert person.left_on is None and status_of(person) == "extended"


def test_history_agrees_with_the_current_pathway_and_keyworker(session):
    load(session)
    for person in everyone(session):
        changes = person.pathway_changes
        if person.pathway is None:
            assert changes == []
        else:
            assert changes[0].from_pathway is None and changes[0].reason == "Agreed at Year 9 PfA review"
            assert changes[-1].to_pathway == person.pathway
            assert all(change.changed_by_id for change in changes)
        assignments = person.keyworker_assignments
        if person.keyworker_id is not None:
            assert assignments[-1].keyworker_id == person.keyworker_id
        else:
            assert not assignments or assignments[-1].keyworker_id is None
    assert session.scalar(select(func.count()).select_from(PathwayChange)) > 0
    assert session.scalar(select(func.count()).select_from(KeyworkerAssignment)) > 0


def test_no_timestamp_is_in_the_future(session):
    load(session)
    now = datetime.now(timezone.utc)
    columns = (
        PathwayChange.changed_at, KeyworkerAssignment.assigned_at, RollExtension.created_at,
        StatusChange.created_at, YoungPerson.created_at, YoungPerson.updated_at, User.created_at,
    )  # fmt: skip
    for column in columns:
        assert session.scalar(select(func.max(column))) <= now


def test_keyworker_caseloads_are_between_40_and_60_for_a_council_of_1500(session):
    summary = load(session, people=1500)
    sizes = caseloads_in_database(session)
    assert len(sizes) == summary["keyworkers"] >= 25
    assert all(40 <= size <= 60 for size in sizes.values()), sorted(sizes.values())
    unassigned = session.scalar(select(func.count()).where(YoungPerson.keyworker_id.is_(None)))
    assert 15 <= unassigned <= 90  # about 3%: work waiting for the manager
    demo_keyworker = session.scalar(select(User).where(User.email == f"keyworker@{DEMO_EMAIL_DOMAIN}"))
    assert 40 <= sizes[demo_keyworker.id] <= 60


def test_every_role_has_a_demo_sign_in_that_works(app, session):
    summary = load(session)
    assert summary["sign_ins"] == demo_sign_ins()
    assert {role for role, _ in summary["sign_ins"]} == {"admin", "manager", "keyworker", "college"}
    for role, email in summary["sign_ins"]:
        user = session.scalar(select(User).where(User.email == email))
        assert user.role == role
        sign_in(app.test_client(), SimpleNamespace(email=email), password=DEMO_PASSWORD)
    colleges = dict(session.execute(select(User.email, User.provider_id).where(User.role == "college")).all())
    assert session.get(Provider, colleges[f"college@{DEMO_EMAIL_DOMAIN}"]).kind == "college"
    assert colleges[f"college-area@{DEMO_EMAIL_DOMAIN}"] is None


def test_demo_already_loaded_turns_true_after_a_load(session):
    assert not demo_already_loaded(session)
    assert database_is_empty(session)
    load(session, people=20)
    assert demo_already_loaded(session)
    assert not database_is_empty(session)


def test_a_second_load_adds_people_with_new_upns_and_its_own_sign_ins(session):
    first = load(session)
    second = load(session, people=200)
    upns = session.scalars(select(YoungPerson.upn).where(YoungPerson.upn.is_not(None))).all()
    assert len(upns) == len(set(upns))
    assert session.scalar(select(func.count()).select_from(YoungPerson)) == 500
    assert second["sign_ins"][0] == ("admin", f"admin2@{DEMO_EMAIL_DOMAIN}")
    assert not set(first["sign_ins"]) & set(second["sign_ins"])
    assert session.scalar(select(func.count()).select_from(Provider)) == first["providers"]  # reused, not duplicated


def test_the_same_seed_plans_the_same_council_and_another_seed_a_different_one():
    def people(seed):
        plan = plan_council(400, seed, TODAY, NOW)
        return [
            (p.given_name, p.family_name, p.date_of_birth, p.upn, p.primary_need, p.pathway, p.keyworker)
            for p in plan.people
        ]

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_the_need_mix_differs_between_ehc_plans_and_sen_support_and_pathways_follow_need():
    plan = plan_council(4000, 1, TODAY, NOW)
    needs = {
        provision: Counter(p.primary_need for p in plan.people if p.sen_provision == provision) for provision in "EK"
    }
    assert needs["E"].most_common(1)[0][0] == "ASD"
    assert {need for need, _ in needs["K"].most_common(4)} == {"SLCN", "SEMH", "MLD", "SPLD"}
    assert needs["K"]["NSA"] and not needs["E"]["NSA"]
    assert 0.5 < sum(needs["E"].values()) / len(plan.people) < 0.62

    def pathways(need):
        planned = [p for p in plan.people if p.primary_need == need and p.sen_provision == "E"]
        return Counter(p.pathway for p in planned if p.pathway)

    assert pathways("PMLD").most_common(1)[0][0] == 1
    assert pathways("SPLD").most_common(1)[0][0] == 3 and not pathways("SPLD")[1]
    assert {pathway for pathway, _ in pathways("ASD").most_common(2)} == {2, 3}
    year_8 = [p for p in plan.people if roll.year_group(p.date_of_birth, TODAY) == 8]
    assert year_8 and all(p.pathway is None for p in year_8)


@pytest.mark.parametrize("total, keyworkers", [(1455, 29), (1000, 20), (830, 17), (2124, 42), (19380, 388), (40, 1)])
def test_caseload_sizes_add_up_and_stay_within_40_to_60(total, keyworkers):
    sizes = caseload_sizes(random.Random(3), total, keyworkers)
    assert sum(sizes) == total and len(sizes) == keyworkers
    assert all(40 <= size <= 60 for size in sizes)
    if keyworkers > 10:
        assert max(sizes) - min(sizes) >= 4  # caseloads vary, as real ones do
