"""What the home page (工作台) shows a leader of their own work (第十八条): their 包案, their next
reception days, their appointments and the consultation tasks of their organs; and an organising
bureau head the leaders behind their reception rule. Each list is a bounded read through the
leadership selectors (the access policy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.leadership.models import OwnershipState
from xinfang.leadership.selectors.consultations import open_tasks_for
from xinfang.leadership.selectors.ownership import ownerships_of
from xinfang.leadership.selectors.reception import reception_standings, upcoming_days_of
from xinfang.leadership.selectors.visits import night_visits_awaiting, upcoming_appointments
from xinfang.orgs.models import User
from xinfang.workbench.queues import LIMIT, Queue


@dataclass
class LinkItem:
    """A row of a home queue that is not a case: a link, its label, what it is about, its date."""

    link: str
    label: str
    subject: str
    due: str
    is_late: bool = False


def leader_queues(user: User, at: dt.datetime) -> list[Queue]:
    today = local_date(at)
    owned = ownerships_of(user).exclude(state=OwnershipState.RESOLVED)
    owned_items = [
        LinkItem(
            reverse("workbench:ownership-detail", args=[o.pk]),
            o.get_state_display(),
            f"{o.title}（{o.case_count} 件）",
            f"计划 {o.target_on:%Y-%m-%d} 前化解",
            o.target_on < today,
        )
        for o in owned[:LIMIT]
    ]
    days = upcoming_days_of(user)
    day_items = [
        LinkItem(
            reverse("workbench:reception-day-detail", args=[d.pk]),
            f"{local_date(d.starts_at):%m-%d}",
            f"{d.org.name} {d.place}" + (f" · {d.topics}" if d.topics else ""),
            f"{d.starts_at.astimezone(LOCAL_TZ):%H:%M}—{d.ends_at.astimezone(LOCAL_TZ):%H:%M}",
        )
        for d in days[:LIMIT]
    ]
    appointments = upcoming_appointments(user).filter(leader=user)
    appointment_items = [
        LinkItem(
            reverse("workbench:appointment-detail", args=[a.pk]),
            f"{a.at.astimezone(LOCAL_TZ):%m-%d %H:%M}",
            f"{a.case.number} {a.case.subject}" + (f" · {a.place}" if a.place else ""),
            a.purpose or "约访",
        )
        for a in appointments[:LIMIT]
    ]
    return [
        Queue(
            "my-ownerships",
            "我的包案",
            owned.count(),
            owned_items,
            reverse("workbench:ownership-list") + "?tab=mine",
            "没有化解中的包案。",
        ),
        Queue(
            "my-reception-days",
            "下次接访",
            days.count(),
            day_items,
            reverse("workbench:reception-day-list"),
            "没有已安排的接访日。",
        ),
        Queue(
            "my-appointments",
            "我的约访",
            appointments.count(),
            appointment_items,
            reverse("workbench:appointment-list"),
            "没有已预约的约访。",
        ),
    ]


def unit_queues(user: User, at: dt.datetime) -> list[Queue]:
    """What the leaders' work gives the user's units to do: consultation tasks (会商任务) and the
    cases pushed for a 夜访; shown only when there is something (most units have none)."""
    found: list[Queue] = []
    tasks = open_tasks_for(user)
    if count := tasks.count():
        items = [
            LinkItem(
                reverse("workbench:consultation-detail", args=[t.consultation_id]),
                t.owner_org.short_name or t.owner_org.name,
                f"{t.title} · {t.consultation.topic}",
                f"期限 {t.due_on:%Y-%m-%d}",
                t.is_late,
            )
            for t in tasks[:LIMIT]
        ]
        found.append(
            Queue(
                "consultation-tasks",
                "会商任务待办",
                count,
                items,
                reverse("workbench:consultation-list") + "?tab=tasks",
                "",
            )
        )
    pushed = night_visits_awaiting(user)
    if count := pushed.count():
        items = [
            LinkItem(
                reverse("workbench:field-visit-detail", args=[i.visit_id]),
                i.case.number,
                f"{i.case.subject} · {i.visit.org.name}推送",
                f"夜访 {i.visit.on:%Y-%m-%d}",
                i.visit.on < local_date(at),
            )
            for i in pushed[:LIMIT]
        ]
        found.append(
            Queue(
                "night-visits",
                "夜访待反馈",
                count,
                items,
                reverse("workbench:field-visit-list") + "?tab=awaiting",
                "",
            )
        )
    return found


def reception_shortfall_queue(user: User, at: dt.datetime) -> Queue | None:
    """接访频次: the leaders in the bureau's area behind the rule of their level this period."""
    behind = [s for s in reception_standings(user, today=local_date(at)) if not s.standing.on_track]
    if not behind:
        return None
    items = [
        LinkItem(
            reverse("workbench:reception-day-new"),
            str(s.leader),
            f"{s.org.name} · {s.rule}",
            f"{s.period_name}尚缺 {s.standing.missing} 次",
            True,
        )
        for s in behind[:LIMIT]
    ]
    return Queue(
        "reception-shortfalls",
        "领导接访频次不足",
        len(behind),
        items,
        reverse("workbench:reception-day-list"),
        "",
    )
