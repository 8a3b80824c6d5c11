"""The demand report pages: the live report for managers, published snapshots for colleges, downloads."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from destinations.reports.models import PublishedReport
from tests.conftest import csrf_from, sign_in
from tests.factories import make_user
from tests.reports.test_demand import TODAY, build_world

LIVE = "/reports/demand"
PUBLISHED = "/reports/demand/published"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def report_date(monkeypatch):
    monkeypatch.setattr("destinations.reports.views.today", lambda: TODAY)


@pytest.fixture
def world(session):
    return build_world(session)


def section(html: str, name: str) -> str:
    """The part of the page for one table, up to the next table."""
    start = html.index(f'<section class="govuk-!-margin-bottom-8" aria-labelledby="table-{name}">')
    end = html.find("</section>", start)
    return html[start:end]


def row(html: str, label: str) -> list[str]:
    """The cells of the table row headed ``label``, as text (a suppressed cell reads "c")."""
    match = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>(.*?)</tr>', html, re.DOTALL
    )
    assert match, f"no row {label!r}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.DOTALL)
    ]


def publish(client) -> str:
    page = client.get(LIVE + "?academic_year=2027/28")
    response = client.post(
        LIVE, data={"academic_year": "2027/28", "csrf_token": csrf_from(page.get_data(as_text=True))}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def snapshot_ids(session) -> dict:
    return {s.provider_id: s.id for s in session.scalars(select(PublishedReport))}


def audits(session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_type == "report")
            .order_by(AuditEvent.id)
        )
    )


def test_a_manager_sees_the_live_report_for_next_year_by_default(client, session, world):
    sign_in(client, world.manager)
    response = client.get(LIVE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Demand report for 2027/28" in html
    route_by_level = section(html, "route_by_level")
    assert row(route_by_level, "Total")[-1] == "14"
    assert 'class="app-table-wrapper" tabindex="0" role="region"' in route_by_level
    assert 'aria-hidden="true"' in route_by_level  # the chart; the table carries the numbers
    for year in ("2026/27", "2027/28", "2028/29"):
        assert f'<option value="{year}"' in html
    assert audits(session, "view")[-1].detail["academic_year"] == "2027/28"


def test_a_cell_of_one_young_person_shows_as_c_with_an_explanation(client, world):
    sign_in(client, world.manager)
    html = client.get(LIVE + "?academic_year=2027/28").get_data(as_text=True)
    apprenticeship = row(section(html, "route_by_level"), "Apprenticeship")
    assert "c" in apprenticeship and "1" not in apprenticeship
    assert '<abbr title="Suppressed: fewer than 5 young people' in html


def test_another_year_shows_its_own_report_and_an_unoffered_year_is_not_found(client, world):
    sign_in(client, world.manager)
    html = client.get(LIVE + "?academic_year=2028/29").get_data(as_text=True)
    assert "Demand report for 2028/29" in html
    assert client.get(LIVE + "?academic_year=2040/41").status_code == 404
    assert client.get(LIVE + "?academic_year=2027/29").status_code == 404


def test_publishing_creates_the_snapshots_and_shows_the_area_wide_one(client, session, world):
    sign_in(client, world.manager)
    location = publish(client)
    ids = snapshot_ids(session)
    assert set(ids) == {None, world.college.id, world.other.id}
    assert location.endswith(f"{PUBLISHED}/{ids[None]}")
    html = client.get(location).get_data(as_text=True)
    assert "Published: the area-wide report and 2 college slices" in html
    assert "Published on " in html and "by the council" in html
    assert row(section(html, "route_by_level"), "Total")[-1] == "14"
    assert audits(session, "create")[-1].object_id == ids[None]


def test_publishing_without_a_csrf_token_is_refused(client, session, world):
    sign_in(client, world.manager)
    assert client.post(LIVE, data={"academic_year": "2027/28"}).status_code in (400, 302)
    assert snapshot_ids(session) == {}


def test_a_college_sees_the_area_wide_report_and_its_own_slice_only(client, session, world):
    sign_in(client, world.manager)
    publish(client)
    client.get("/sign-out")
    ids = snapshot_ids(session)
    college_user = make_user(session, "college", provider_id=world.college.id)
    other_client = client.application.test_client()
    sign_in(other_client, college_user)
    html = other_client.get(PUBLISHED).get_data(as_text=True)
    assert f"{PUBLISHED}/{ids[None]}" in html and f"{PUBLISHED}/{ids[world.college.id]}" in html
    assert f"{PUBLISHED}/{ids[world.other.id]}" not in html and "Riverside College" not in html
    assert "nobody can be identified" in html
    own = other_client.get(f"{PUBLISHED}/{ids[world.college.id]}")
    assert own.status_code == 200 and "Northshire College" in own.get_data(as_text=True)
    assert world.manager.name not in own.get_data(as_text=True)
    assert other_client.get(f"{PUBLISHED}/{ids[world.other.id]}").status_code == 404
    assert other_client.get(f"{PUBLISHED}/{ids[world.other.id]}/download.csv").status_code == 404
    assert other_client.get(LIVE).status_code == 403
    assert other_client.get(LIVE + "/download.csv").status_code == 403


def test_a_college_user_lands_on_the_published_reports(client, session, world):
    sign_in(client, make_user(session, "college", provider_id=world.college.id))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(PUBLISHED)
    assert "No reports have been published yet" in client.get(PUBLISHED).get_data(as_text=True)


@pytest.mark.parametrize("role", ["keyworker", "admin"])
def test_keyworkers_and_admins_cannot_see_reports(client, session, world, role):
    sign_in(client, world.manager)
    publish(client)
    area = snapshot_ids(session)[None]
    other_client = client.application.test_client()
    sign_in(other_client, make_user(session, role))
    for url in (LIVE, LIVE + "/download.csv", PUBLISHED, f"{PUBLISHED}/{area}", f"{PUBLISHED}/{area}/download.json"):
        assert other_client.get(url).status_code == 403, url


def csv_block(text: str, title_start: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    start = next(i for i, r in enumerate(rows) if len(r) == 1 and r[0].startswith(title_start))
    block = []
    for r in rows[start + 1 :]:
        if not r:
            break
        block.append(r)
    return block


@pytest.mark.parametrize("published", [False, True])
def test_downloads_hold_the_same_numbers_as_the_page_and_are_audited(client, session, world, published):
    sign_in(client, world.manager)
    if published:
        publish(client)
        base = f"{PUBLISHED}/{snapshot_ids(session)[None]}"
        page_url, download = base, base + "/download"
    else:
        page_url, download = LIVE + "?academic_year=2027/28", LIVE + "/download"
    html = client.get(page_url).get_data(as_text=True)
    shown = row(section(html, "route_by_level"), "Apprenticeship")
    suffix = "" if published else "?academic_year=2027/28"

    as_json = client.get(f"{download}.json{suffix}")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert "attachment" in as_json.headers["Content-Disposition"]
    report = json.loads(as_json.get_data(as_text=True))
    route_by_level = next(t for t in report["tables"] if t["name"] == "route_by_level")
    apprenticeship = route_by_level["row_labels"].index("Apprenticeship")
    assert [str(n) for n in route_by_level["cells"][apprenticeship]] + [
        str(route_by_level["row_totals"][apprenticeship])
    ] == shown
    assert route_by_level["total"] == 14

    as_csv = client.get(f"{download}.csv{suffix}")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    block = csv_block(as_csv.get_data(as_text=True), route_by_level["title"][:40])
    assert next(r for r in block if r[0] == "Apprenticeship")[1:] == shown
    assert block[-1][-1] == "14"

    as_xlsx = client.get(f"{download}.xlsx{suffix}")
    assert as_xlsx.status_code == 200 and as_xlsx.mimetype == XLSX
    workbook = load_workbook(io.BytesIO(as_xlsx.data))
    values = [[cell for cell in r] for sheet in workbook.worksheets for r in sheet.iter_rows(values_only=True)]
    assert any(r and r[0] == "Apprenticeship" and [str(v) for v in r[1 : len(shown) + 1]] == shown for r in values)

    assert client.get(f"{download}.pdf{suffix}").status_code == 404
    exports = audits(session, "export")
    assert [event.detail["format"] for event in exports] == ["json", "csv", "xlsx"]
    assert {event.object_id for event in exports} == ({snapshot_ids(session)[None]} if published else {None})
