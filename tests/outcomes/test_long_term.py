"""Long-term outcomes: the checks on a young person's record, and the report one and two years on."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from destinations.activities.sustained import Cohort
from destinations.audit.models import AuditEvent
from destinations.outcomes import long_term, long_term_report
from destinations.outcomes.models import LongTermOutcome
from destinations.people import roll
from destinations.people.services import RollSettings
from destinations.reports.demand import ReportSettings
from destinations.reports.disclosure import DisclosureSettings
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_activity, make_person, make_user

COHORT = Cohort("transition", 2024)  # reached 18 in 2023/24: born 1 September 2005 to 31 August 2006
TODAY = date(2026, 3, 1)  # every one-year check is due; two-year checks only for those born by 1 March 2006
RECORDED = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def page_date(monkeypatch):
    monkeypatch.setattr("destinations.outcomes.views.today", lambda: TODAY)
    monkeypatch.setattr("destinations.outcomes.api.today", lambda: TODAY)


@dataclass
class World:
    manager: object
    keyworker: object
    people: dict


def check(session, person, checkpoint: str, by, **values):
    body = {
        "recorded_on": long_term.checkpoint_date(person.date_of_birth, checkpoint),
        "living_arrangement": "family_home",
        "paid_work_16_plus": "not_known",
        **{f"progress_{area}": "progressing" for area in ("employment", "independent_living", "community", "health")},
        **values,
    }
    return long_term.save(session, person, checkpoint, body, by, today=TODAY)[0]


def activity(session, person, code, started_on, ended_on=None, **values):
    return make_activity(session, person, code, started_on, ended_on=ended_on, today=RECORDED, **values)


@pytest.fixture
def world(session) -> World:
    manager = make_user(session, "manager")
    keyworker = make_user(session, "keyworker")

    def person(born: date):
        return make_person(session, by=manager, keyworker=keyworker, date_of_birth=born, pathway=2)

    people = {name: person(born) for name, born in {
        "worker": date(2005, 10, 10), "student": date(2005, 11, 11), "part_time": date(2006, 5, 5),
        "unknown": date(2006, 6, 6), "verified": date(2005, 12, 12),
    }.items()}  # fmt: skip
    # Work of 20 hours a week since before the first check, still going; a check at one year.
    activity(session, people["worker"], "330", date(2024, 6, 1), hours_per_week=20)
    check(session, people["worker"], "1y", manager, living_arrangement="tenancy", paid_work_16_plus="yes", progress_employment="achieved")
    # College for the year after turning 18, then nothing recorded; a check at one year.
    activity(session, people["student"], "230", date(2024, 9, 1), date(2025, 7, 31))
    check(session, people["student"], "1y", manager, living_arrangement="family_home")
    # Ten hours a week of paid work: work, but not 16 hours. Their check says no.
    activity(session, people["part_time"], "360", date(2025, 1, 1), hours_per_week=10)
    check(session, people["part_time"], "1y", manager, living_arrangement="supported_living", paid_work_16_plus="no", progress_health="achieved")
    # Only "not known".
    activity(session, people["unknown"], "810", date(2025, 1, 1))
    # A verified college place and their own unverified report of seeking work: the verified one counts.
    activity(session, people["verified"], "230", date(2024, 9, 1), verified=True)
    activity(session, people["verified"], "619", date(2024, 12, 1), source="young_person")
    session.flush()
    return World(manager, keyworker, people)


def counts(session) -> dict:
    return dict(long_term_report.long_term_counts(session, COHORT, TODAY, 18))


def test_activity_group_at_each_checkpoint_follows_the_current_activity_rule(session, world):
    found = counts(session)
    assert {key[1]: n for key, n in found.items() if key[0] == "activity" and key[2] == "1y"} == {"employment": 2, "education": 2, "not_known": 1}
    # Two years on: the worker still works, the student has nothing recorded, two are not there yet.
    assert {key[1]: n for key, n in found.items() if key[0] == "activity" and key[2] == "2y"} == {"employment": 1, "none": 1, "education": 1, "not_reached": 2}


def test_paid_work_comes_from_hours_on_the_day_or_the_check(session, world):
    found = counts(session)
    assert {key[1]: n for key, n in found.items() if key[0] == "paid" and key[2] == "1y"} == {"yes": 1, "no": 3, "not_known": 1}
    assert {key[1]: n for key, n in found.items() if key[0] == "paid" and key[2] == "2y"} == {"yes": 1, "not_known": 1, "no": 1, "not_reached": 2}


def test_a_check_saying_they_work_16_hours_counts_without_an_activity_record(session, world):
    check(session, world.people["unknown"], "1y", world.manager, paid_work_16_plus="yes")
    assert counts(session)[("paid", "yes", "1y")] == 2


def test_living_arrangement_and_progress_come_from_the_checks(session, world):
    found = counts(session)
    assert {key[1]: n for key, n in found.items() if key[0] == "living" and key[2] == "1y"} == {"tenancy": 1, "family_home": 1, "supported_living": 1, "not_recorded": 2}
    assert found[("progress_1y", "employment", "achieved")] == 1
    assert found[("progress_1y", "employment", "progressing")] == 2
    assert found[("progress_1y", "health", "achieved")] == 1
    assert found[("progress_1y", "community", "not_recorded")] == 2
    assert found[("progress_2y", "community", "not_reached")] == 2 and found[("progress_2y", "community", "not_recorded")] == 3


def test_the_report_is_protected_and_its_tables_count_the_whole_cohort(session, world):
    settings = ReportSettings(RollSettings(), DisclosureSettings(k=3))
    published = long_term_report.long_term_report(session, COHORT, TODAY, settings)
    names = [t["name"] for t in published["tables"]]
    assert names == ["activity_group", "paid_work", "living_arrangement", "progress_1y", "progress_2y"]
    for t in published["tables"]:
        for n in [x for r in t["cells"] for x in r] + t["row_totals"] + t["column_totals"] + [t["total"]]:
            assert n == "c" or n == 0 or n >= 3, (t["name"], n)
        for i, r in enumerate(t["cells"]):
            for j, n in enumerate(r):
                if n == "c":
                    assert t["percentages"][i][j] == "c"
    activity_table = published["tables"][0]
    assert activity_table["column_totals"] == [5, 5]
    assert activity_table["column_labels"] == ["One year after", "Two years after"]
    assert published["tables"][3]["row_totals"] == [5, 5, 5, 5]


def test_the_long_term_report_is_for_transition_cohorts(session, world):
    with pytest.raises(ValueError, match="transition-2022"):
        long_term_report.long_term_report(session, Cohort("year11", 2022), TODAY, ReportSettings())


# --- the form ------------------------------------------------------------------------------------

FORM = "/young-people/{}/long-term-outcomes/{}"


def form_data(**values) -> dict:
    data = {
        "recorded_on": ["20", "2", "2026"],
        "living_arrangement": "tenancy",
        "paid_work_16_plus": "yes",
        "progress_employment": "achieved",
        "progress_independent_living": "progressing",
        "progress_community": "no_progress",
        "progress_health": "not_known",
        "version": "",
    }
    data.update(values)
    return data


def test_a_keyworker_records_a_check_for_someone_on_their_caseload(client, session, world):
    person = world.people["worker"]
    sign_in(client, world.keyworker)
    response = post_form(client, FORM.format(person.id, "2y"), form_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/young-people/{person.id}#long-term-outcomes")
    saved = session.scalar(select(LongTermOutcome).where(LongTermOutcome.young_person_id == person.id, LongTermOutcome.checkpoint == "2y"))
    assert (saved.recorded_on, saved.living_arrangement, saved.paid_work_16_plus) == (date(2026, 2, 20), "tenancy", True)
    assert (saved.progress_community, saved.recorded_by_id) == ("no_progress", world.keyworker.id)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.object_id == person.id))
    assert event.object_type == "young_person"
    assert event.detail["checkpoint"] == "2y" and "living_arrangement" in event.detail["fields"]
    assert "tenancy" not in str(event.detail)


def test_the_record_shows_the_checks_with_links_to_record_them(client, world):
    sign_in(client, world.keyworker)
    html = client.get(f"/young-people/{world.people['worker'].id}").get_data(as_text=True)
    assert 'id="long-term-outcomes"' in html
    assert "Shared or independent tenancy" in html  # the one-year check
    assert FORM.format(world.people["worker"].id, "2y") in html



def test_a_check_not_due_yet_says_when_it_can_be_recorded(client, session, world):
    # The record page works on the real date: someone who turned 18 a month ago.
    born = roll.add_months(date.today(), -18 * 12 - 1)
    recent = make_person(session, by=world.manager, keyworker=world.keyworker, date_of_birth=born)
    sign_in(client, world.keyworker)
    html = client.get(f"/young-people/{recent.id}").get_data(as_text=True)
    assert f"You can record this check from {long_term.long_date(long_term.opens_on(born, '1y'))}" in html
    assert FORM.format(recent.id, "1y") not in html


def test_the_record_of_someone_not_yet_at_the_age_of_transition_has_no_checks(client, session, world):
    young = make_person(session, by=world.manager, keyworker=world.keyworker, date_of_birth=date(2012, 1, 1))
    sign_in(client, world.keyworker)
    assert 'id="long-term-outcomes"' not in client.get(f"/young-people/{young.id}").get_data(as_text=True)


def test_changing_a_check_is_audited_with_the_fields_changed(client, session, world):
    person = world.people["worker"]
    sign_in(client, world.manager)
    page = client.get(FORM.format(person.id, "1y")).get_data(as_text=True)
    assert 'value="tenancy" checked' in page
    response = client.post(FORM.format(person.id, "1y"), data=form_data(
        csrf_token=csrf_from(page), recorded_on=["10", "10", "2024"], version="1", progress_employment="achieved",
        progress_independent_living="progressing", progress_community="progressing", progress_health="progressing",
        living_arrangement="supported_living",
    ))  # fmt: skip
    assert response.status_code == 302
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.object_id == person.id))
    assert event.detail["fields"] == ["living_arrangement"]


def test_a_stale_change_is_refused_and_keeps_what_was_typed(client, session, world):
    person = world.people["worker"]
    sign_in(client, world.manager)
    page = client.get(FORM.format(person.id, "1y")).get_data(as_text=True)
    check(session, person, "1y", world.manager, living_arrangement="residential_care")  # someone else saves first
    session.commit()
    response = client.post(FORM.format(person.id, "1y"), data=form_data(csrf_token=csrf_from(page), version="1", living_arrangement="other", recorded_on=["10", "10", "2025"]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Someone else saved this check" in html
    assert 'value="other" checked' in html


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"recorded_on": ["", "", ""]}, "recorded_on", "Enter the date of the check"),
        ({"recorded_on": ["2", "3", "2026"]}, "recorded_on", "must be today or in the past"),
        ({"recorded_on": ["1", "8", "2025"]}, "recorded_on", "due on 10 October 2025; enter a date on or after 10 September 2025"),
        ({"recorded_on": ["31", "2", "2026"]}, "recorded_on", "must be a real date"),
        ({"living_arrangement": ""}, "living_arrangement", "Select where they live"),
        ({"living_arrangement": "castle"}, "living_arrangement", "Not a valid choice"),
        ({"paid_work_16_plus": ""}, "paid_work_16_plus", "Select whether they are in paid work"),
        ({"progress_health": ""}, "progress_health", "Select their progress on good health"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix_and_keeps_what_was_typed(client, session, world, values, field, message):
    person = world.people["worker"]
    sign_in(client, world.keyworker)
    response = post_form(client, FORM.format(person.id, "2y"), form_data(**values))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "govuk-error-summary" in html and f'href="#{field}' in html
    assert "<title>Error:" in html
    assert 'value="achieved" checked' in html  # progress on employment, as typed
    assert session.scalar(select(LongTermOutcome).where(LongTermOutcome.checkpoint == "2y")) is None


def test_a_keyworker_cannot_see_or_record_a_check_off_their_caseload(client, session, world):
    stranger = make_person(session, by=world.manager, date_of_birth=date(2005, 10, 10))
    sign_in(client, world.keyworker)
    assert client.get(FORM.format(stranger.id, "1y")).status_code == 404
    page = client.get(FORM.format(world.people["worker"].id, "1y")).get_data(as_text=True)
    response = client.post(FORM.format(stranger.id, "1y"), data=form_data(csrf_token=csrf_from(page)))
    assert response.status_code == 404
    assert session.scalar(select(LongTermOutcome).where(LongTermOutcome.young_person_id == stranger.id)) is None


def test_an_unknown_checkpoint_is_not_found(client, world):
    sign_in(client, world.manager)
    assert client.get(FORM.format(world.people["worker"].id, "3y")).status_code == 404


@pytest.mark.parametrize("role", ["college", "admin"])
def test_other_roles_cannot_reach_the_check_form(client, session, world, role):
    sign_in(client, make_user(session, role))
    assert client.get(FORM.format(world.people["worker"].id, "1y")).status_code == 403


def test_every_question_on_the_form_has_its_legend(client, world):
    sign_in(client, world.keyworker)
    html = client.get(FORM.format(world.people["worker"].id, "2y")).get_data(as_text=True)
    legends = [" ".join(re.sub(r"<[^>]+>", "", legend).split()) for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.DOTALL)]
    assert legends == [
        "Date of the check",
        "Where do they live?",
        "Are they in paid work of 16 hours a week or more?",
        "Progress on employment (including further and higher education)",
        "Progress on independent living",
        "Progress on friends, relationships and community",
        "Progress on good health",
    ]


def test_opening_the_form_is_audited_as_a_view_of_the_record(client, session, world):
    person = world.people["worker"]
    sign_in(client, world.keyworker)
    client.get(FORM.format(person.id, "1y"))
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_id == person.id))
    assert event.detail == {"section": "long_term_outcomes", "checkpoint": "1y"}


# --- the report pages and API ------------------------------------------------------------------------


def test_a_manager_sees_the_long_term_report_and_downloads_it_audited(client, session, world, monkeypatch):
    monkeypatch.setitem(client.application.config, "DISCLOSURE_K", 3)
    sign_in(client, world.manager)
    response = client.get("/reports/long-term-outcomes")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<option value="transition-2024" selected>' in html
    assert "One year after" in html and "Shared or independent tenancy" in html
    download = client.get("/reports/long-term-outcomes/download.csv?cohort=transition-2024")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["", "One year after", "Two years after", "Total"] in rows
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.object_type == "report").order_by(AuditEvent.id)))
    assert [(e.action, e.detail["kind"], e.detail["format"]) for e in events] == [("view", "long_term_outcomes", "html"), ("export", "long_term_outcomes", "csv")]


def test_the_page_opens_on_the_newest_cohort_whose_one_year_checks_have_all_come(client, session, world):
    # Someone reaching 18 in 2024/25 has had their one-year checkpoint by 1 March 2026, but that
    # cohort's youngest (born by 31 August 2007) have not: the page still opens on 2023/24.
    make_person(session, by=world.manager, date_of_birth=date(2006, 9, 20))
    assert long_term_report.one_year_checks_all_due(Cohort("transition", 2024), TODAY, 18)
    assert not long_term_report.one_year_checks_all_due(Cohort("transition", 2025), TODAY, 18)
    assert long_term_report.one_year_checks_all_due(Cohort("transition", 2025), date(2026, 8, 31), 18)
    sign_in(client, world.manager)
    html = client.get("/reports/long-term-outcomes").get_data(as_text=True)
    assert '<option value="transition-2025">' in html
    assert '<option value="transition-2024" selected>' in html


def test_the_long_term_api_answers_managers_with_the_report(client, session, world):
    from tests.api.conftest import bearer

    body = client.get("/api/v1/outcome-reports/long-term?cohort=transition-2024", headers=bearer(session, world.manager)).get_json()
    assert body["parameters"]["cohort"] == "transition-2024"
    assert body["parameters"]["one_year_checks_from"] == "2024-09-01"
    assert [t["name"] for t in body["tables"]][:3] == ["activity_group", "paid_work", "living_arrangement"]


def test_a_year_11_cohort_on_the_long_term_page_is_explained(client, world):
    sign_in(client, world.manager)
    response = client.get("/reports/long-term-outcomes?cohort=year11-2022")
    assert response.status_code == 422
    assert "choose transition-2022" in response.get_data(as_text=True)
