"""Running jobs in threads that start together, for the tests of row locks (PostgreSQL only)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between threads are tested on PostgreSQL"
)


def in_threads(jobs: list[Callable[[], None]]) -> list[str]:
    """Each job in a thread of its own, all released at once; the errors they raised, as repr."""
    barrier = threading.Barrier(len(jobs))
    errors: list[str] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except Exception as exc:  # reported by the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
