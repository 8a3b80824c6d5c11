"""The import pages: documented columns, templates, upload, preview and confirmation."""
from __future__ import annotations

import io
import re
import time

import openpyxl
from sqlalchemy import func, select

from destinations.imports.kinds import KINDS
from destinations.imports.previews import sign_preview
from destinations.people.models import YoungPerson
from tests.conftest import csrf_from, sign_in
from tests.factories import make_user
from tests.imports.conftest import csv_bytes, person_row, upn


def people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(YoungPerson))


def upload(client, data: bytes, name: str = "people.csv", url: str = "/imports/young-people"):
    page = client.get(url)
    return client.post(url, data={"file": (io.BytesIO(data), name), "csrf_token": csrf_from(page.get_data(as_text=True))}, content_type="multipart/form-data")


def preview_token(html: str) -> str | None:
    match = re.search(r'name="preview" type="hidden" value="([^"]*)"|name="preview" value="([^"]*)"', html)
    return (match.group(1) or match.group(2)) if match else None


def confirm(client, data: bytes, token: str, html: str, url: str = "/imports/young-people/confirm"):
    return client.post(url, data={"file": (io.BytesIO(data), "people.csv"), "preview": token, "csrf_token": csrf_from(html)}, content_type="multipart/form-data")


def signed_in_manager(session, client):
    manager = make_user(session, "manager")
    sign_in(client, manager)
    return manager


def test_managers_reach_import_data_from_the_navigation(session, client):
    signed_in_manager(session, client)
    home = client.get("/imports").get_data(as_text=True)
    assert '<a class="govuk-service-navigation__link" href="/imports"' in home
    assert "Import young people" in home and "Import destinations" in home


def test_keyworkers_cannot_import(session, client):
    sign_in(client, make_user(session, "keyworker"))
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/young-people").status_code == 403
    assert client.get("/imports/young-people/template.csv").status_code == 403


def test_the_import_page_documents_every_column(session, client):
    signed_in_manager(session, client)
    for slug, kind in KINDS.items():
        page = client.get(f"/imports/{slug}").get_data(as_text=True)
        for column in kind.columns:
            assert f"<code>{column.name}</code>" in page
            assert column.description.split(".")[0].replace("'", "&#39;") in page
        assert "Required" in page and "Optional" in page
    assert "Legal Forename" in client.get("/imports/young-people").get_data(as_text=True)
    assert "NCCIS Code" in client.get("/imports/destinations").get_data(as_text=True)


def test_templates_download_as_csv_and_xlsx_with_the_api_field_names(session, client):
    signed_in_manager(session, client)
    for slug, kind in KINDS.items():
        names = [column.name for column in kind.columns]
        response = client.get(f"/imports/{slug}/template.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.data == b"\xef\xbb\xbf" + ",".join(names).encode() + b"\r\n"
        workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/imports/{slug}/template.xlsx").data))
        assert [cell.value for cell in workbook.worksheets[0][1]] == names
        assert workbook.sheetnames[1] == "How to fill this in"


def test_a_filled_in_template_imports(session, client):
    signed_in_manager(session, client)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/imports/young-people/template.xlsx").data))
    sheet = workbook.worksheets[0]
    values = person_row(1)
    sheet.append([values.get(cell.value, "") for cell in sheet[1]])
    out = io.BytesIO()
    workbook.save(out)
    response = upload(client, out.getvalue(), "filled.xlsx")
    assert "The file is ready to import" in response.get_data(as_text=True)


def test_upload_shows_a_preview_and_writes_nothing_until_the_same_file_is_confirmed(session, client):
    signed_in_manager(session, client)
    before = people_count(session)
    data = csv_bytes([person_row(1), person_row(2)])
    response = upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file is ready to import" in html and "Nothing has been imported yet" in html
    assert re.search(r"Would be added\s*</dt>\s*<dd[^>]*>\s*2", html)
    assert people_count(session) == before
    token = preview_token(html)
    assert token
    done = confirm(client, data, token, html)
    assert done.status_code == 302 and done.headers["Location"] == "/imports"
    assert people_count(session) == before + 2
    index = client.get("/imports").get_data(as_text=True)
    assert "Young people imported: 2 added, 0 updated and 0 unchanged." in index
    assert "Imported" in index


def test_confirming_with_a_different_file_imports_nothing(session, client):
    signed_in_manager(session, client)
    html = upload(client, csv_bytes([person_row(1)])).get_data(as_text=True)
    before = people_count(session)
    response = confirm(client, csv_bytes([person_row(1), person_row(2)]), preview_token(html), html)
    assert response.status_code == 200
    assert "This is not the file you previewed" in response.get_data(as_text=True)
    assert people_count(session) == before


def test_an_old_preview_cannot_be_confirmed(session, client, app, monkeypatch):
    manager = signed_in_manager(session, client)
    data = csv_bytes([person_row(1)])
    html = upload(client, data).get_data(as_text=True)
    from destinations.imports.services import digest_of

    an_hour_ago = time.time() - 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: an_hour_ago)
        old = sign_preview(app.secret_key, kind="young_people", digest=digest_of(io.BytesIO(data)), user_id=manager.id, run_id=1)
    response = confirm(client, data, old, html)
    assert "more than 30 minutes ago" in response.get_data(as_text=True)
    assert session.scalar(select(YoungPerson).where(YoungPerson.upn == upn(1))) is None


def test_another_managers_preview_cannot_be_confirmed(session, client, app):
    signed_in_manager(session, client)
    data = csv_bytes([person_row(1)])
    html = upload(client, data).get_data(as_text=True)
    from destinations.imports.services import digest_of

    someone_else = sign_preview(app.secret_key, kind="young_people", digest=digest_of(io.BytesIO(data)), user_id=make_user(session, "manager").id, run_id=1)
    response = confirm(client, data, someone_else, html)
    assert "Upload the file to see a preview" in response.get_data(as_text=True)
    assert session.scalar(select(YoungPerson).where(YoungPerson.upn == upn(1))) is None


def test_a_file_with_problems_lists_each_by_row_and_column_and_offers_no_import(session, client):
    signed_in_manager(session, client)
    response = upload(client, csv_bytes([person_row(1), person_row(2, date_of_birth="31/02/2010")]))
    html = response.get_data(as_text=True)
    assert "The file has 1 problem" in html and "Nothing has been imported" in html
    assert re.search(r">\s*3\s*</td>\s*<td[^>]*>date_of_birth</td>\s*<td[^>]*>Date of birth is not a real date", html)
    assert preview_token(html) is None
    assert "<title>Error:" in html


def test_a_file_that_is_not_csv_or_xlsx_is_refused_on_the_form(session, client):
    signed_in_manager(session, client)
    response = upload(client, b"%PDF-1.4 not a spreadsheet", "people.pdf")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This is a PDF, not a CSV or Excel file" in html
    assert "govuk-error-summary" in html


def test_a_file_over_the_size_limit_is_refused_with_the_limit(session, client, app, monkeypatch):
    signed_in_manager(session, client)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2000)
    response = upload(client, csv_bytes([person_row(n) for n in range(1, 40)]))
    assert response.status_code == 413
    assert "over the 2 KB limit" in response.get_data(as_text=True)


def test_choosing_no_file_says_to_choose_one(session, client):
    signed_in_manager(session, client)
    page = client.get("/imports/young-people")
    response = client.post("/imports/young-people", data={"csrf_token": csrf_from(page.get_data(as_text=True))}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose a CSV or Excel (.xlsx) file to upload" in response.get_data(as_text=True)


def test_destinations_upload_previews_too(session, client):
    signed_in_manager(session, client)
    data = csv_bytes([[upn(1), "230", "01/09/2025"]], ["upn", "activity_code", "started_on"])
    html = upload(client, data, url="/imports/destinations").get_data(as_text=True)
    assert "No young person on the service has this UPN" in html
