from __future__ import annotations

from unittest import mock

from django.db.utils import OperationalError
from django.test import Client


def test_healthz_reports_a_working_database(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "background": {"last_heartbeat_seconds": None},
    }


def test_healthz_answers_503_when_the_database_fails(db: None) -> None:
    with mock.patch("xinfang.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
