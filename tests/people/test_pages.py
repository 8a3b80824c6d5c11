from datetime import date

from sqlalchemy import func, select

from destinations.imports.models import DetailChange
from destinations.people.models import YoungPerson
from tests.conftest import post_form, sign_in
from tests.factories import make_person, make_provider, make_user


def test_manager_adds_a_young_person_and_sees_the_computed_roll(client, session):
    manager = make_user(session, "manager")
    keyworker = make_user(session, "keyworker", name="Kim Keyworker")
    school = make_provider(session, name="Fernhill Special School", kind="special_school", urn="123456")
    sign_in(client, manager)
    response = post_form(client, "/young-people/new", {
        "upn": "H938200110001", "given_name": "Alex", "family_name": "Smith",
        "date_of_birth": ["15", "10", "2010"], "sen_provision": "E", "primary_need": "ASD",
        "school_id": str(school.id), "keyworker_id": str(keyworker.id),
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Alex Smith" in page
    assert "1 September 2024" in page  # roll start
    assert "15 October 2030" in page  # roll end
    assert "Kim Keyworker" in page


def test_a_rejected_new_person_form_keeps_what_was_typed(client, session):
    manager = make_user(session, "manager")
    sign_in(client, manager)
    response = post_form(client, "/young-people/new", {
        "upn": "A938200110001", "given_name": "Alex", "family_name": "Smith",
        "date_of_birth": ["31", "2", "2010"], "sen_provision": "E", "primary_need": "ASD",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Date of birth must be a real date" in html
    assert 'value="Alex"' in html and 'value="Smith"' in html and 'value="A938200110001"' in html
    assert session.query(YoungPerson).count() == 0


def test_keyworker_sees_only_their_caseload(client, session):
    mine = make_user(session, "keyworker")
    other = make_user(session, "keyworker")
    own = make_person(session, keyworker=mine, given_name="Mine")
    theirs = make_person(session, keyworker=other, given_name="Theirs")
    sign_in(client, mine)
    html = client.get("/young-people").get_data(as_text=True)
    assert "Mine" in html and "Theirs" not in html
    assert client.get(f"/young-people/{own.id}").status_code == 200
    assert client.get(f"/young-people/{theirs.id}").status_code == 404


def test_manager_changes_pathway_with_a_reason_and_it_is_kept_in_history(client, session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    sign_in(client, manager)
    response = post_form(client, f"/young-people/{person.id}/pathway", {"pathway": "2", "reason": "Agreed at Year 9 review", "version": str(person.version)})
    assert response.status_code == 302
    page = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    assert "Agreed at Year 9 review" in page
    assert "2. Supported independence" in page


def test_a_stale_pathway_change_is_refused_and_keeps_the_reason(client, session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    sign_in(client, manager)
    stale_version = str(person.version)
    person.given_name = "Changed elsewhere"
    session.flush()
    response = post_form(client, f"/young-people/{person.id}/pathway", {"pathway": "3", "reason": "My careful reason", "version": stale_version})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this record" in html
    assert "My careful reason" in html


def test_extension_past_the_25th_birthday_is_refused(client, session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager, date_of_birth=date(2006, 5, 1))
    sign_in(client, manager)
    response = post_form(client, f"/young-people/{person.id}/extend", {
        "new_end": ["2", "5", "2031"], "reason": "Still in college", "review_on": ["1", "1", "2027"], "version": str(person.version),
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "25th birthday" in html


def test_caseload_filters_by_year_group(client, session):
    keyworker = make_user(session, "keyworker")
    today = date.today()
    from destinations.people import roll
    cohort_year10 = roll.academic_year_of(today) - 10 - 5
    make_person(session, keyworker=keyworker, given_name="TenthYear", date_of_birth=date(cohort_year10, 12, 1))
    make_person(session, keyworker=keyworker, given_name="TwelfthYear", date_of_birth=date(cohort_year10 - 2, 12, 1))
    sign_in(client, keyworker)
    html = client.get("/young-people?year_group=10").get_data(as_text=True)
    assert "TenthYear" in html and "TwelfthYear" not in html


def details_form(person, **changes) -> dict:
    dob = changes.pop("date_of_birth", person.date_of_birth)
    return {
        "upn": person.upn or "", "council_person_id": person.council_person_id or "", "given_name": person.given_name,
        "family_name": person.family_name, "date_of_birth": [str(dob.day), str(dob.month), str(dob.year)],
        "sen_provision": person.sen_provision, "primary_need": person.primary_need, "school_id": "", "version": str(person.version),
        **changes,
    }


def test_a_managers_change_of_details_is_kept_as_history_like_an_imports(client, session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager, family_name="Before", date_of_birth=date(2010, 10, 15))
    sign_in(client, manager)
    response = post_form(client, f"/young-people/{person.id}/edit", details_form(person, family_name="After", date_of_birth=date(2010, 10, 16)))
    assert response.status_code == 302, response.get_data(as_text=True)
    history = session.execute(
        select(DetailChange.field, DetailChange.old_value, DetailChange.new_value, DetailChange.source, DetailChange.import_run_id, DetailChange.changed_by_id)
        .where(DetailChange.young_person_id == person.id).order_by(DetailChange.field)
    ).all()
    assert history == [
        ("date_of_birth", "2010-10-15", "2010-10-16", "edit", None, manager.id),
        ("family_name", "Before", "After", "edit", None, manager.id),
    ]


def test_the_record_shows_changes_to_details_in_words_newest_first(client, session):
    manager = make_user(session, "manager", name="Morgan Manager")
    school = make_provider(session, name="Northshire Academy")
    person = make_person(session, by=manager, family_name="Before", date_of_birth=date(2010, 10, 15))
    sign_in(client, manager)
    html = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    assert "Changes to details" not in html
    post_form(client, f"/young-people/{person.id}/edit", details_form(person, date_of_birth=date(2010, 10, 16)))
    session.refresh(person)
    post_form(client, f"/young-people/{person.id}/edit", details_form(person, family_name="After", school_id=str(school.id)))
    html = client.get(f"/young-people/{person.id}").get_data(as_text=True)
    section = html[html.index("Changes to details"):]
    assert "15 October 2010" in section and "16 October 2010" in section
    assert "Northshire Academy" in section and "Changed on the record" in section and "Morgan Manager" in section
    # Newest first: the name and school changed after the date of birth.
    assert section.index("Family name") < section.index("Date of birth")


def test_saving_details_without_a_change_adds_no_history(client, session):
    manager = make_user(session, "manager")
    person = make_person(session, by=manager)
    sign_in(client, manager)
    response = post_form(client, f"/young-people/{person.id}/edit", details_form(person))
    assert response.status_code == 302
    assert session.scalar(select(func.count()).select_from(DetailChange).where(DetailChange.young_person_id == person.id)) == 0
