import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from destinations.audit.models import AuditEvent
from tests.conftest import count_statements, sign_in
from tests.factories import make_user


def add_event(session, action="view", *, actor=None, actor_type=None, object_type="young_person", object_id=1, at=None, **detail):
    row = AuditEvent(
        action=action,
        actor_type=actor_type or ("user" if actor else "system"),
        actor_id=actor.id if actor else None,
        object_type=object_type,
        object_id=object_id,
        ip_address="192.0.2.10",
        detail=detail,
        **({"occurred_at": at} if at else {}),
    )
    session.add(row)
    session.flush()
    return row




@pytest.mark.parametrize("role", ["admin", "manager"])
def test_managers_and_administrators_can_search_the_audit_log(client, session, role):
    sign_in(client, make_user(session, role))
    response = client.get("/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Audit log</h1>" in html
    assert "Signed in" in html


@pytest.mark.parametrize("role", ["keyworker", "college"])
@pytest.mark.parametrize("url", ["/audit", "/audit/export.csv"])
def test_the_audit_log_is_refused_to_keyworkers_and_college_users(client, session, role, url):
    sign_in(client, make_user(session, role))
    assert client.get(url).status_code == 403


def test_search_filters_by_action_and_by_record(client, session):
    manager = make_user(session, "manager", name="Mia Manager")
    add_event(session, "view", actor=manager, object_id=501)
    add_event(session, "update", actor=manager, object_id=501, fields=["pathway"])
    add_event(session, "view", actor=manager, object_id=502)
    add_event(session, "update", actor=manager, object_type="provider", object_id=501)
    sign_in(client, manager)

    by_action = client.get("/audit?action=update").get_data(as_text=True)
    assert "Young person 501" in by_action and "Provider 501" in by_action
    assert "Young person 502" not in by_action
    assert "Fields: pathway" in by_action

    by_record = client.get("/audit?object_type=young_person&object_id=501").get_data(as_text=True)
    assert "2 events" in by_record
    assert "Provider 501" not in by_record and "Young person 502" not in by_record
    assert 'href="/young-people/501"' in by_record

    both = client.get("/audit?action=view&object_type=young_person&object_id=501").get_data(as_text=True)
    assert "1 event<" in both


def test_search_filters_by_who_did_it_by_email_or_staff_number(client, session):
    admin = make_user(session, "admin", name="Ada Admin")
    keyworker = make_user(session, "keyworker", name="Kai Keyworker")
    add_event(session, "view", actor=keyworker, object_id=601)
    add_event(session, "view", actor=admin, object_type="user", object_id=keyworker.id)
    sign_in(client, admin)
    by_email = client.get(f"/audit?actor={keyworker.email.upper()}").get_data(as_text=True)
    assert "Young person 601" in by_email and f"Staff member {keyworker.id}" not in by_email
    assert "Kai Keyworker (Transition keyworker)" in by_email
    by_number = client.get(f"/audit?actor={admin.id}&object_type=user").get_data(as_text=True)
    assert f'href="/admin/users/{keyworker.id}">Staff member {keyworker.id}' in by_number
    unknown = client.get("/audit?actor=nobody@council.example").get_data(as_text=True)
    assert 'href="#actor">There is no staff account with that email address' in unknown
    assert "<title>Error: Audit log" in unknown


def test_search_filters_by_uk_dates_and_shows_uk_times(client, session):
    manager = make_user(session, "manager")
    # 23:30 UTC on 30 June is 00:30 on 1 July in the UK (summer time).
    add_event(session, "view", actor=manager, object_id=701, at=datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))
    add_event(session, "view", actor=manager, object_id=702, at=datetime(2026, 11, 23, 14, 5, tzinfo=timezone.utc))
    sign_in(client, manager)
    july = client.get("/audit?since=1&since=7&since=2026&until=1&until=7&until=2026").get_data(as_text=True)
    assert "Young person 701" in july and "Young person 702" not in july
    assert "1 Jul 2026 00:30" in july
    november = client.get("/audit?since=23&since=11&since=2026").get_data(as_text=True)
    assert "23 Nov 2026 14:05" in november and "Young person 701" not in november


def test_dates_the_wrong_way_round_are_explained(client, session):
    sign_in(client, make_user(session, "manager"))
    html = client.get("/audit?since=2&since=7&since=2026&until=1&until=7&until=2026").get_data(as_text=True)
    assert "To must be the same as or after From" in html
    assert "events</h2>" not in html


def test_who_names_staff_tokens_and_anonymous_callers(client, session):
    admin = make_user(session, "admin", name="Ada Admin")
    keyworker = make_user(session, "keyworker", name="Kai Keyworker")
    add_event(session, "view", actor=keyworker, actor_type="token", object_id=801)
    add_event(session, "sign_in_failed", actor_type="anonymous", object_type="user", object_id=None)
    add_event(session, "export", object_type="young_person", object_id=None)
    add_event(session, "kit_answer", actor_type="young_person", object_type="young_person", object_id=802)
    sign_in(client, admin)
    html = client.get("/audit").get_data(as_text=True)
    assert "The young person (keep in touch)" in html
    assert "API token (Kai Keyworker)" in html
    assert "Anonymous" in html
    assert "System" in html
    assert "Ada Admin (Administrator)" in html
    # Administrators do not see young people's records, so get no link to them.
    assert 'href="/young-people/801"' not in html


def test_viewing_the_audit_log_is_itself_audited(client, session):
    manager = make_user(session, "manager")
    sign_in(client, manager)
    client.get("/audit?action=sign_in")
    [view] = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "audit_log", AuditEvent.action == "view")).all()
    assert view.actor_id == manager.id
    assert view.detail["filters"] == ["action"]


def test_export_streams_the_filtered_events_and_is_audited(client, session):
    manager = make_user(session, "manager", name="=HYPERLINK(\"x\")")
    add_event(session, "update", actor=manager, object_id=901, fields=["pathway", "keyworker_id"])
    add_event(session, "view", actor=manager, object_id=902)
    sign_in(client, manager)
    page = client.get("/audit?action=update").get_data(as_text=True)
    assert 'href="/audit/export.csv?action=update"' in page

    response = client.get("/audit/export.csv?action=update")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "When (UTC)"
    assert len(rows) == 2
    assert rows[1][5] == "Changed" and rows[1][6] == "young_person" and rows[1][7] == "901"
    assert rows[1][9] == "Fields: pathway, keyworker_id"
    assert rows[1][2].startswith("'=HYPERLINK")  # a spreadsheet will not run it

    [export] = session.scalars(select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.object_type == "audit_log")).all()
    assert export.actor_id == manager.id
    assert export.detail["filters"] == ["action"] and export.detail["rows"] == 1


def test_export_pages_through_more_rows_than_one_chunk(client, session, monkeypatch):
    from destinations.audit import views

    monkeypatch.setattr(views, "EXPORT_CHUNK", 3)
    manager = make_user(session, "manager")
    same_time = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    for n in range(8):
        add_event(session, "update", actor=manager, object_id=1000 + n, at=same_time if n % 2 else None)
    sign_in(client, manager)
    rows = list(csv.reader(io.StringIO(client.get("/audit/export.csv?action=update").get_data(as_text=True))))
    assert sorted(int(row[7]) for row in rows[1:]) == list(range(1000, 1008))


def test_the_audit_page_runs_the_same_number_of_queries_for_five_rows_as_for_fifty(client, session):
    sign_in(client, make_user(session, "admin"))

    def add_rows(count):
        for _ in range(count):
            add_event(session, "update", actor=make_user(session, "keyworker"), object_type="provider", object_id=42)

    add_rows(5)
    with count_statements() as few:
        html = client.get("/audit?action=update&object_type=provider")
    assert html.get_data(as_text=True).count('govuk-table__row">') >= 5
    add_rows(45)
    with count_statements() as many:
        html = client.get("/audit?action=update&object_type=provider")
    assert "Showing 1 to 50" in html.get_data(as_text=True)
    assert len(few) == len(many), (few, many)
