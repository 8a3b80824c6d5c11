from tests.conftest import csrf_from, sign_in
from tests.factories import make_user


def test_staff_member_signs_in_and_reaches_their_home_page(client, session):
    keyworker = make_user(session, "keyworker")
    response = sign_in(client, keyworker)
    assert response.headers["Location"] == "/"
    assert client.get("/young-people").status_code == 200


def test_wrong_password_is_refused_with_an_error_summary_and_the_email_kept(client, session):
    user = make_user(session, "manager")
    page = client.get("/sign-in")
    response = client.post("/sign-in", data={"email": user.email, "password": "wrong password!", "csrf_token": csrf_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert user.email in html
