from destinations.migrate import head_revision


def test_healthz_reports_the_database_and_migration(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "migration": head_revision()}
