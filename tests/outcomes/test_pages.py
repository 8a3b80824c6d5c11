"""The cohort outcome report pages: the chooser, tables, downloads, errors and who may see them."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.outcomes import report, services
from destinations.people.services import RollSettings
from destinations.reports.demand import ReportSettings
from destinations.reports.disclosure import DisclosureSettings
from tests.conftest import sign_in
from tests.factories import make_person, make_user
from tests.outcomes.cohort import BORN, CLOSED, COHORT, IN_WINDOW, activity, build_cohort

PAGE = "/reports/outcomes"


@pytest.fixture(autouse=True)
def report_date(monkeypatch):
    monkeypatch.setattr("destinations.outcomes.views.today", lambda: CLOSED)


@pytest.fixture
def world(session):
    return build_cohort(session)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row(html: str, table_name: str, label: str) -> list[str]:
    start = html.index(f'aria-labelledby="table-{table_name}"')
    section = html[start : html.index("</section>", start)]
    match = re.search(rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>(.*?)</tr>', section, re.DOTALL)
    assert match, f"no row {label!r} in {table_name}"
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.DOTALL)]


def test_a_manager_opens_the_latest_closed_year_11_cohort_by_default(client, session, world):
    sign_in(client, world.manager)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Year 11 leavers, summer 2022</h1>" in html
    assert '<option value="year11-2022" selected>' in html
    assert "no outcomes are stored for this cohort yet" in text(html)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_type == "report"))
    assert event.detail == {"kind": "cohort_outcomes", "cohort": "year11-2022", "format": "html"}


def test_the_page_shows_counts_with_percentages_in_table_5_order(client, session, world, monkeypatch):
    # Enough in every outcome that, with k = 3, no column total is hidden (a hidden total hides
    # the zeros under it too, and with them the headline).
    for _ in range(3):
        activity(session, make_person(session, by=world.manager, date_of_birth=BORN, pathway=1), "310", date(2022, 9, 1), date(2023, 6, 30))
    activity(session, make_person(session, by=world.manager, date_of_birth=BORN, pathway=1), "619", date(2022, 9, 1))
    combined = make_person(session, by=world.manager, date_of_birth=BORN, pathway=1)
    activity(session, combined, "230", date(2022, 9, 5), date(2022, 12, 20))
    activity(session, combined, "360", date(2023, 1, 9), hours_per_week=16)
    monkeypatch.setitem(client.application.config, "DISCLOSURE_K", 3)
    sign_in(client, world.manager)
    html = client.get(f"{PAGE}?cohort=year11-2022").get_data(as_text=True)
    section = html[html.index('aria-labelledby="table-outcomes_by_pathway"') :]
    headers = re.findall(r'<th scope="col" class="govuk-table__header govuk-table__header--numeric">(.*?)</th>', section)
    assert headers[:9] == [
        "Sustained education, apprenticeships or employment", "Education, sustained", "Apprenticeship, sustained",
        "Work, sustained", "Education and work together, sustained", "Not sustained", "NEET", "Destination unknown", "Total",
    ]  # fmt: skip
    # Not yet decided: three whose college stopped. "Education and work together" is hidden (its
    # column is), yet the headline is shown: the group less the rest, all shown, is 0.
    assert row(html, "outcomes_by_pathway", "Not yet decided") == [
        "0 (0.0%)", "0 (0.0%)", "0 (0.0%)", "0 (0.0%)", "c (c)", "3 (100.0%)", "0 (0.0%)", "0 (0.0%)", "3",
    ]  # fmt: skip
    # Every row shows the numbers of the report the API gives.
    settings = ReportSettings(RollSettings(), DisclosureSettings(k=3))
    published = report.outcome_report(session, COHORT, CLOSED, settings)
    for outcomes, sustained in zip(published["tables"][0::2], published["tables"][1::2]):
        for i, label in enumerate(outcomes["row_labels"]):
            pairs = [(sustained["cells"][i][0], sustained["percentages"][i][0])] + list(zip(outcomes["cells"][i], outcomes["percentages"][i]))
            expected = [str(n) if p is None else f"{n} ({'c' if p == 'c' else f'{p:.1f}%'})" for n, p in pairs] + [str(outcomes["row_totals"][i])]
            assert row(html, outcomes["name"], label) == expected, (outcomes["name"], label)
    assert "England, EHC plans, 2021/22" in html and "90.2%" in html


def test_suppressed_numbers_are_shown_as_c_with_an_explanation(client, world):
    sign_in(client, world.manager)
    html = client.get(f"{PAGE}?cohort=year11-2022").get_data(as_text=True)
    cells = row(html, "outcomes_by_sen_provision", "SEN support")
    assert set(cells) <= {"c (c)", "0 (0.0%)", "c", "0 (c)"} and "c (c)" in cells
    assert "a count from 1 to 4 is shown as" in text(html)


def test_an_open_window_is_a_projection_and_says_so(client, world, monkeypatch):
    monkeypatch.setattr("destinations.outcomes.views.today", lambda: IN_WINDOW)
    sign_in(client, world.manager)
    html = client.get(f"{PAGE}?cohort=year11-2022").get_data(as_text=True)
    assert "The destination year is still going" in html


def test_a_stored_cohort_says_when_its_outcomes_last_changed(client, session, world):
    services.evaluate_cohort(session, COHORT, today=CLOSED)
    sign_in(client, world.manager)
    html = client.get(f"{PAGE}?cohort=year11-2022").get_data(as_text=True)
    assert "These are the outcomes stored" in html and "until the end of July" in html


@pytest.mark.parametrize(("key", "words"), [("year12-2022", "must be one of"), ("year11-2024", "starts on 1 October 2024")])
def test_a_bad_cohort_shows_an_error_and_the_chooser(client, world, key, words):
    sign_in(client, world.manager)
    response = client.get(f"{PAGE}?cohort={key}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and words in html
    assert '<select class="govuk-select govuk-select--error" id="cohort" name="cohort"' in html
    assert "<title>Error:" in html


def test_downloads_have_the_same_numbers_and_are_audited(client, session, world):
    sign_in(client, world.manager)
    html = client.get(f"{PAGE}?cohort=year11-2022").get_data(as_text=True)
    for format in ("csv", "xlsx", "json"):
        assert f"/reports/outcomes/download.{format}?cohort=year11-2022" in html
    response = client.get("/reports/outcomes/download.csv?cohort=year11-2022")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Total", "c", "c", "c", "c", "c", "c", "c", "c", "22"] not in rows  # the totals row is what the page shows
    assert any(row and row[0] == "EHC plan" for row in rows)
    json_body = client.get("/reports/outcomes/download.json?cohort=year11-2022").get_json()
    assert json_body["parameters"]["cohort"] == "year11-2022" and "comparison" in json_body
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)))
    assert [event.detail["format"] for event in events] == ["csv", "json"]
    assert client.get("/reports/outcomes/download.pdf?cohort=year11-2022").status_code == 404
    assert client.get("/reports/outcomes/download.csv?cohort=nonsense").status_code == 404


@pytest.mark.parametrize("role", ["keyworker", "college", "admin"])
def test_only_managers_see_outcome_report_pages(client, session, world, role):
    sign_in(client, make_user(session, role))
    for path in (PAGE, f"{PAGE}?cohort=year11-2022", "/reports/outcomes/download.csv?cohort=year11-2022", "/reports/long-term-outcomes"):
        assert client.get(path).status_code == 403, path
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_managers_have_outcome_reports_in_the_navigation(client, make_client, session, world):
    sign_in(client, world.manager)
    assert '<a class="govuk-service-navigation__link" href="/reports/outcomes"' in client.get("/young-people").get_data(as_text=True)
    keyworker = make_client()
    sign_in(keyworker, world.keyworker)
    assert 'href="/reports/outcomes"' not in keyworker.get("/young-people").get_data(as_text=True)


def test_with_nobody_on_the_roll_the_page_says_so(client, session):
    sign_in(client, make_user(session, "manager"))
    html = client.get(PAGE).get_data(as_text=True)
    assert "No cohort has left yet" in html
