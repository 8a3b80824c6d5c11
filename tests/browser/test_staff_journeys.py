"""What staff do every day, done the way they do it: in a browser, through the forms."""
from __future__ import annotations

import secrets
from datetime import date

import pytest

from destinations.people.roll import year_group
from destinations.people.upn import make_upn
from tests.browser.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_person, make_provider, make_user

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser


def summary_row(page, key: str):
    """The row of a GOV.UK summary list whose key is ``key``."""
    return page.locator(".govuk-summary-list__row").filter(has=page.get_by_text(key, exact=True))


def test_keyworker_signs_in_filters_their_caseload_opens_a_record_and_signs_out(live_server, page, console_errors):
    today = date.today()
    # Birthdays fixed relative to today, so the two always sit in different year groups.
    older_birthday = date(today.year - 15, 10, 15)
    younger_birthday = date(today.year - 13, 3, 1)
    with live_server.seed() as session:
        manager = make_user(session, "manager")
        keyworker = make_user(session, "keyworker")
        colleague = make_user(session, "keyworker")
        older = make_person(session, by=manager, keyworker=keyworker, date_of_birth=older_birthday, pathway=2)
        younger = make_person(session, by=manager, keyworker=keyworker, date_of_birth=younger_birthday)
        theirs = make_person(session, by=manager, keyworker=colleague)
    older_link = page.get_by_role("link", name=f"{older.family_name}, {older.given_name}")
    younger_link = page.get_by_role("link", name=f"{younger.family_name}, {younger.given_name}")

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(keyworker.email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page).to_have_title("My caseload – Destinations and Progression Service – Northshire County Council")
    expect(page.get_by_text("Showing 1 to 2 of 2 young people")).to_be_visible()
    expect(older_link).to_be_visible()
    expect(younger_link).to_be_visible()
    expect(page.get_by_role("link", name=f"{theirs.family_name}, {theirs.given_name}")).to_have_count(0)

    page.get_by_text("Filter the list").click()
    page.get_by_label("Year group").select_option(label=f"Year {year_group(older_birthday, today)}")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Showing 1 to 1 of 1 young person")).to_be_visible()
    expect(older_link).to_be_visible()
    expect(younger_link).to_have_count(0)
    expect(page.get_by_label("Year group")).to_have_value(str(year_group(older_birthday, today)))

    older_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{older.given_name} {older.family_name}")
    expect(summary_row(page, "Date of birth")).to_contain_text(f"15 October {older_birthday.year}")
    expect(summary_row(page, "Roll end")).to_contain_text(f"15 October {older_birthday.year + 20}")
    expect(summary_row(page, "Pathway")).to_contain_text("2. Supported independence")
    expect(summary_row(page, "Keyworker")).to_contain_text(keyworker.name)
    # A keyworker reads the record; the change links are the manager's.
    expect(page.get_by_role("link", name="Change pathway")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"/young-people/{older.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert console_errors == [], console_errors


def test_manager_adds_a_young_person_fixing_a_mistake_then_changes_their_pathway(live_server, page, console_errors):
    tag = secrets.token_hex(3)
    with live_server.seed() as session:
        manager = make_user(session, "manager")
        keyworker = make_user(session, "keyworker", name=f"Kit Keyworker {tag}")
        school = make_provider(session, name=f"Fernhill Special School {tag}", kind="special_school")
    serial = secrets.randbelow(1000)
    upn = make_upn(938, 4000 + secrets.randbelow(1000), 10, serial)
    wrong_check_letter = "A" if upn[0] != "A" else "B"
    mistyped_upn = wrong_check_letter + upn[1:]
    given, family = "Robin", f"Ashdown {tag}"
    sign_in(page, manager)

    expect(page.get_by_role("heading", level=1)).to_have_text("Young people")
    page.get_by_role("main").get_by_role("button", name="Add a young person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a young person")
    page.get_by_label("Unique Pupil Number (UPN)").fill(mistyped_upn)
    page.get_by_label("Council person id (optional)").fill(f"NC-{tag}")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    date_of_birth = page.get_by_role("group", name="Date of birth")
    date_of_birth.get_by_label("Day").fill("15")
    date_of_birth.get_by_label("Month").fill("10")
    date_of_birth.get_by_label("Year").fill("2010")
    page.get_by_label("EHC plan").check()
    page.get_by_label("Primary need").select_option("SLCN")
    page.get_by_label("School").select_option(label=school.name)
    page.get_by_label("Keyworker").select_option(str(keyworker.id))
    page.get_by_role("button", name="Add young person").click()

    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_be_focused()
    expect(error_summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title("Error: Add a young person – Destinations and Progression Service – Northshire County Council")
    expect(error_summary.get_by_role("link")).to_contain_text("UPN check letter is wrong")
    # Everything typed is still there, so only the mistake needs fixing.
    upn_box = page.get_by_label("Unique Pupil Number (UPN)")
    expect(upn_box).to_have_value(mistyped_upn)
    expect(page.get_by_label("Council person id (optional)")).to_have_value(f"NC-{tag}")
    expect(page.get_by_label("Given name")).to_have_value(given)
    expect(page.get_by_label("Family name")).to_have_value(family)
    expect(date_of_birth.get_by_label("Day")).to_have_value("15")
    expect(date_of_birth.get_by_label("Month")).to_have_value("10")
    expect(date_of_birth.get_by_label("Year")).to_have_value("2010")
    expect(page.get_by_label("EHC plan")).to_be_checked()
    expect(page.get_by_label("Primary need")).to_have_value("SLCN")
    expect(page.get_by_label("School")).to_have_value(str(school.id))
    expect(page.get_by_label("Keyworker")).to_have_value(str(keyworker.id))

    error_summary.get_by_role("link").click()
    expect(upn_box).to_be_focused()
    upn_box.fill(upn)
    page.get_by_role("button", name="Add young person").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    expect(page.get_by_text(f"{given} {family} has been added to the roll.")).to_be_visible()
    expect(page.get_by_text(f"UPN {upn}")).to_be_visible()
    expect(summary_row(page, "Roll start")).to_contain_text("1 September 2024")
    expect(summary_row(page, "Roll end")).to_contain_text("15 October 2030")
    expect(summary_row(page, "SEN provision")).to_contain_text("EHC plan")
    expect(summary_row(page, "Primary need")).to_contain_text("SLCN")
    expect(summary_row(page, "School")).to_contain_text(school.name)
    expect(summary_row(page, "Keyworker")).to_contain_text(keyworker.name)
    expect(summary_row(page, "Pathway")).to_contain_text("Not yet decided")

    page.get_by_role("link", name="Change pathway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change pathway")
    page.get_by_label("2. Supported independence").check()
    page.get_by_label("Reason for the change").fill("Agreed at the annual review")
    page.get_by_role("button", name="Save pathway").click()

    expect(page.get_by_text("Pathway changed to 2. Supported independence.")).to_be_visible()
    expect(summary_row(page, "Pathway")).to_contain_text("2. Supported independence")
    history = page.get_by_role("region", name="Pathway history")
    latest = history.get_by_role("row").nth(1)
    expect(latest).to_contain_text("Not yet decided to 2. Supported independence")
    expect(latest).to_contain_text("Agreed at the annual review")
    expect(latest).to_contain_text(manager.name)
    assert console_errors == [], console_errors
