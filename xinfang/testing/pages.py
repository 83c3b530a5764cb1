"""Pages fetched as a signed-in user, for the workbench's page tests."""

from __future__ import annotations

from django.test import Client


def signed_in(user: object) -> Client:
    """A test client signed in as `user` (no password, no lockout)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def page_text(client: Client, url: str) -> str:
    """The page at `url`, which must answer 200, as text."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()
