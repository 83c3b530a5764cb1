"""Background tasks of the text analysis."""

from __future__ import annotations

from django_tasks import task


@task()
def cluster_alerts() -> dict[str, int]:
    """Daily: raise 类案预警 for new or grown clusters of recent cases (see ``alerts``)."""
    from xinfang.textintel.db.alerts import raise_cluster_alerts

    return {"raised": len(raise_cluster_alerts())}
