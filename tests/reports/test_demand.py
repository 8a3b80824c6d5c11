"""Demand reports: who is counted, how, in the database, protected, and frozen when published."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from destinations.people.models import RollExtension
from destinations.reports import demand, services
from destinations.reports.demand import AREA, ReportSettings
from destinations.reports.disclosure import DisclosureSettings
from destinations.reports.models import PublishedReport, SnapshotIsImmutable
from tests.conftest import count_statements
from tests.factories import make_person, make_provider, make_review, make_user

TODAY = date(2026, 10, 1)
YEAR = 2027  # 2027/28
RECENT, OLD = date(2026, 9, 15), date(2025, 9, 10)
BORN_YEAR_11 = date(2010, 10, 15)  # Year 11 in 2026/27: the end of Year 11 falls on 31 August 2027
BORN_YEAR_13 = date(2009, 1, 10)  # Year 13 in 2026/27, and 18 during it


def step(route="study_programme", level="entry_3", sector="14", attendance="full_time", providers=(), needs=(), start="2027/28") -> dict:
    return {
        "start_year": start, "route": route, "level": level, "sector_subject_area": sector,
        "attendance": attendance, "provider_ids": list(providers), "support_needs": list(needs),
    }  # fmt: skip


@dataclass
class World:
    """A small council whose counts are worked out by hand in the comments below."""

    manager: object
    college: object
    other: object
    people: dict = field(default_factory=dict)


def intend(session, world: World, steps: list[dict], *, held_on: date = RECENT, **person) -> object:
    young_person = make_person(session, by=world.manager, **person)
    make_review(session, young_person, world.manager, today=TODAY, held_on=held_on, next_steps=steps)
    return young_person


def build_world(session) -> World:
    manager = make_user(session, "manager")
    world = World(manager, make_provider(session, kind="college", name="Northshire College"), make_provider(session, kind="college", name="Riverside College"))
    college, other = world.college.id, world.other.id
    # A: six on a study programme at Northshire College, with travel training.
    for _ in range(6):
        intend(session, world, [step(providers=[college], needs=["travel_training"])], pathway=2)
    # B: five on supported internships, from reviews over a year old, naming both colleges.
    for _ in range(5):
        intend(
            session, world,
            [step("supported_internship", "level_1", "7", providers=[college, other], needs=["job_coach", "travel_training"])],
            held_on=OLD, pathway=3, primary_need="MLD",
        )  # fmt: skip
    # C: one apprentice, part time, at Riverside: a cell of one.
    intend(session, world, [step("apprenticeship", "level_2", "4", "part_time", providers=[other])], pathway=1, primary_need="SLD")
    # D: two steps in the year; the first (a study programme) is the one route by level counts.
    world.people["two_steps"] = intend(session, world, [step(providers=[college]), step("employment", "level_1", "7", "part_time")])
    # E: two complete reviews on the same day; the one logged later holds the current intention.
    tie = intend(session, world, [step(start="2028/29")], held_on=date(2026, 9, 1))
    make_review(session, tie, manager, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step()])
    # Not counted: changed their mind at a later review (now 2028/29 only).
    changed = intend(session, world, [step()], held_on=date(2026, 3, 1))
    make_review(session, changed, manager, today=TODAY, held_on=date(2026, 9, 1), next_steps=[step(start="2028/29")])
    world.people["changed"] = changed
    # Not counted: a draft is not an intention until it is completed.
    draft = intend(session, world, [step(start="2028/29")], held_on=date(2026, 6, 1))
    make_review(session, draft, manager, complete=False, today=TODAY, next_steps=[step()])
    # Not counted: left the roll (moved away) before the report date.
    gone = intend(session, world, [step()])
    gone.left_on, gone.left_reason = date(2026, 7, 1), "moved_out_of_area"
    # Not counted: no review yet (they still count as reaching the end of Year 11).
    make_person(session, by=manager)
    # Year 13, also 18 during 2026/27, with no review.
    make_person(session, by=manager, date_of_birth=BORN_YEAR_13)
    session.flush()
    return world


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def counts_of(session, **kwargs):
    return demand.demand_counts(session, YEAR, TODAY, ReportSettings().roll, **kwargs)


def table(report: dict, name: str) -> dict:
    return next(t for t in report["tables"] if t["name"] == name)


def cell(t: dict, row: str, column: str):
    return t["cells"][t["row_labels"].index(row)][t["column_labels"].index(column)]


def true_tables(session, world, *, provider_id=None) -> dict:
    counts = counts_of(session) if provider_id is None else counts_of(session, area=False, providers=provider_id)
    labels = demand.load_labels(session, counts)
    tables, _ = demand.build_tables(counts[provider_id or AREA], labels, YEAR, ReportSettings().roll, area=provider_id is None)
    return {t.name: t for t in tables}


def true_cell(t, row: str, column: str = demand.YOUNG_PEOPLE) -> int:
    return t.cells[t.row_labels.index(row)][t.column_labels.index(column)]


def test_route_by_level_counts_each_young_person_once_by_their_first_step_in_the_year(session, world):
    route_level = dict(counts_of(session)[AREA]["route_level"])
    assert route_level == {
        ("study_programme", "entry_3"): 8,  # A, D and E
        ("supported_internship", "level_1"): 5,
        ("apprenticeship", "level_2"): 1,
    }
    tables = true_tables(session, world)
    assert sum(tables["route_by_level"].margins()[0]) == 14
    assert true_cell(tables["route_by_level"], "Study programme", "Entry level 3") == 8
    assert true_cell(tables["sector_subject_area_by_route"], "Preparation for Life and Work", "Study programme") == 8
    assert true_cell(tables["sector_subject_area_by_route"], "Retail and Commercial Enterprise", "Supported internship") == 5


def test_a_young_person_whose_latest_review_has_no_step_in_the_year_is_not_counted(session, world):
    changed = world.people["changed"]
    assert sum(counts_of(session)[AREA]["route_level"].values()) == 14
    make_review(session, changed, world.manager, today=TODAY, held_on=date(2026, 9, 20), next_steps=[step()])
    assert sum(counts_of(session)[AREA]["route_level"].values()) == 15


def test_drafts_and_young_people_who_have_left_are_not_counted(session, world):
    draft_only = make_person(session, by=world.manager)
    make_review(session, draft_only, world.manager, complete=False, today=TODAY, next_steps=[step()])
    left = intend(session, world, [step()], left_on=None)
    left.left_on, left.left_reason = TODAY, "opted_out"  # left on the report date itself
    session.flush()
    assert sum(counts_of(session)[AREA]["route_level"].values()) == 14


def test_multi_select_breakdowns_count_a_young_person_once_in_each_row_they_fall_in(session, world):
    tables = true_tables(session, world)
    needs = tables["support_needs"]
    assert true_cell(needs, "Travel training") == 11
    assert true_cell(needs, "Job coach") == 5
    assert needs.margins()[1:] == ([14], 14)
    providers = tables["preferred_providers"]
    assert providers.row_labels == ["Northshire College", "Riverside College"]
    assert [row[0] for row in providers.cells] == [12, 6]
    attendance = tables["attendance"]
    assert true_cell(attendance, "Full time") == 13
    assert true_cell(attendance, "Part time") == 2  # C, and D's second step


def test_pathway_primary_need_and_freshness_describe_each_young_person_once(session, world):
    tables = true_tables(session, world)
    assert [row[0] for row in tables["pathway"].cells] == [1, 6, 5, 2]
    assert tables["pathway"].row_labels[-1] == "Not yet decided"
    assert true_cell(tables["primary_need"], "Autistic spectrum disorder (ASD)") == 8
    assert true_cell(tables["primary_need"], "Moderate learning difficulty (MLD)") == 5
    assert [row[0] for row in tables["freshness"].cells] == [9, 5]  # B's reviews are over 12 months old


def test_coverage_counts_who_reaches_each_transition_point_and_who_has_an_intention(session, world):
    coverage = true_tables(session, world)["coverage"]
    assert coverage.row_labels == ["End of Year 11 (31 August 2027)", "End of Year 13 (31 August 2027)", "Age of transition (18) during 2026/27"]
    # Year 11: the 14 counted, the two who changed their mind or only have a draft, one with no review.
    assert coverage.cells == [[14, 3], [0, 1], [0, 1]]
    assert coverage.column_totals == [14, 4]


def test_coverage_of_a_year_long_past_counts_only_those_still_on_the_roll_by_extension(session, world):
    """For 2021/22 the end of Year 11 fell in 2020/21, for young people now past their 20th birthday."""
    born = date(2005, 1, 10)
    extended = make_person(session, by=world.manager, date_of_birth=born)
    session.add(RollExtension(
        young_person_id=extended.id, previous_end=date(2025, 1, 10), new_end=date(2027, 1, 10),
        reason="Finishing a supported internship", review_on=date(2026, 12, 1), created_by_id=world.manager.id,
    ))  # fmt: skip
    make_person(session, by=world.manager, date_of_birth=born)  # no extension: off the roll since turning 20
    session.flush()
    coverage = demand.demand_counts(session, 2021, TODAY, ReportSettings().roll)[AREA]["coverage"]
    assert coverage[("end_of_year11", "reaching")] == 1
    assert coverage[(demand.ANY_POINT, "reaching")] == 1


def test_a_provider_slice_holds_only_the_young_people_who_named_the_provider(session, world):
    tables = true_tables(session, world, provider_id=world.other.id)
    assert sum(tables["route_by_level"].margins()[0]) == 6  # B and C
    assert true_cell(tables["route_by_level"], "Apprenticeship", "Level 2") == 1
    assert "coverage" not in tables
    assert tables["preferred_providers"].row_labels == ["Northshire College", "Riverside College"]
    assert [row[0] for row in tables["preferred_providers"].cells] == [5, 6]


def test_postgresqls_grouping_sets_give_the_rows_of_the_union_of_group_bys(session, world):
    """PostgreSQL counts in one pass with GROUPING SETS; SQLite, and this check, with a UNION ALL."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("GROUPING SETS are PostgreSQL's; runs when the suite runs on PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg://...)")
    intend(session, world, [step("volunteering", "level_1", None, "part_time", providers=[world.other.id])], date_of_birth=BORN_YEAR_13)
    settings = ReportSettings().roll
    for area, providers in ((True, None), (True, demand.ALL_PROVIDERS), (False, world.college.id)):
        reaching = demand._reaching_branch(YEAR, TODAY, settings) if area else None

        def rows(method, *, materialized: bool) -> list:
            counted = demand.counted_intentions(YEAR, TODAY, settings, provider=None if area else providers, materialized=materialized)
            groupings = demand._groupings(counted, YEAR, TODAY, settings, area=area, sliced=providers is not None)
            return sorted(method(session, counted, groupings, reaching), key=repr)

        union = rows(demand._union_rows, materialized=True)
        assert rows(demand._grouping_sets, materialized=False) == union
        assert len(union) > 10


def test_a_one_person_cell_is_suppressed_and_the_report_has_the_api_shape(session, world):
    report = demand.demand_report(session, YEAR, TODAY, ReportSettings())
    assert set(report) == {"generated_at", "parameters", "tables"}
    assert report["parameters"] == {"academic_year": "2027/28", "k": 5, "round_to": None}
    route_level = table(report, "route_by_level")
    assert set(route_level) >= {"name", "title", "row_labels", "column_labels", "cells", "row_totals", "column_totals", "total"}
    assert cell(route_level, "Apprenticeship", "Level 2") == "c"
    assert cell(route_level, "Study programme", "Entry level 3") == 8
    assert "Level 3" not in route_level["column_labels"]  # nobody chose it: no column of zeros
    # A suppressed cell never shows through a table that shares its totals.
    ssa_route = table(report, "sector_subject_area_by_route")
    assert cell(ssa_route, "Engineering and Manufacturing Technologies", "Apprenticeship") == "c"
    assert table(report, "pathway")["percentages"][0] == ["c"]


def test_rounding_and_k_come_from_the_settings(session, world):
    settings = ReportSettings(disclosure=DisclosureSettings(k=3, round_to=5))
    report = demand.demand_report(session, YEAR, TODAY, settings)
    assert report["parameters"] == {"academic_year": "2027/28", "k": 3, "round_to": 5}
    assert cell(table(report, "route_by_level"), "Study programme", "Entry level 3") == 10


def test_the_report_is_counted_in_a_few_statements_however_many_young_people(session, world):
    def statements() -> int:
        with count_statements() as seen:
            demand.demand_report(session, YEAR, TODAY, ReportSettings())
        return len(seen)

    few = statements()
    for _ in range(10):
        intend(session, world, [step(providers=[world.college.id], needs=["job_coach"]), step("employment", "level_1", "7")])
    assert statements() == few
    # The counts (one statement on SQLite; on PostgreSQL, after SET LOCAL, the grouping sets and
    # the roll for coverage), reference labels, provider names.
    assert few <= 5


def test_publishing_freezes_the_area_wide_report_and_a_slice_per_named_provider(session, world):
    area, slices = services.publish_demand(session, "2027/28", world.manager, TODAY)
    assert area.provider_id is None and area.kind == "demand" and area.academic_year == "2027/28"
    assert sorted(snapshot.provider_id for snapshot in slices) == sorted([world.college.id, world.other.id])
    assert area.published_by_id == world.manager.id
    frozen = area.report
    assert frozen["parameters"]["academic_year"] == "2027/28"
    # Later reviews change the live report but never the snapshot.
    for _ in range(3):
        intend(session, world, [step("apprenticeship", "level_2", "4", providers=[world.other.id])])
    session.expire_all()
    stored = session.get(PublishedReport, area.id)
    assert stored.report == frozen
    live = demand.demand_report(session, YEAR, TODAY, ReportSettings())
    assert table(live, "route_by_level")["total"] != table(stored.report, "route_by_level")["total"]


def test_a_published_snapshot_cannot_be_changed(session, world):
    area, _ = services.publish_demand(session, 2027, world.manager, TODAY)
    area.report = {**area.report, "tables": []}
    with pytest.raises(SnapshotIsImmutable):
        session.flush()
    session.rollback()


def test_only_managers_publish(session, world):
    college_user = make_user(session, "college", provider_id=world.college.id)
    with pytest.raises(services.NotAllowed):
        services.publish_demand(session, 2027, college_user, TODAY)


def test_colleges_see_area_wide_snapshots_and_their_own_slice_only(session, world):
    area, slices = services.publish_demand(session, 2027, world.manager, TODAY)
    own = next(s for s in slices if s.provider_id == world.college.id)
    theirs = next(s for s in slices if s.provider_id == world.other.id)
    college_user = make_user(session, "college", provider_id=world.college.id)
    unattached = make_user(session, "college")
    keyworker = make_user(session, "keyworker")
    assert {r.id for r in services.list_reports(session, college_user)[0]} == {area.id, own.id}
    assert {r.id for r in services.list_reports(session, unattached)[0]} == {area.id}
    assert services.list_reports(session, keyworker) == ([], 0)
    assert services.get_visible_report(session, college_user, theirs.id) is None
    assert services.get_visible_report(session, unattached, own.id) is None
    assert services.list_reports(session, world.manager)[1] == 3
