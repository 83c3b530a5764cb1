"""The navigation per role (``{% nav_roles as roles %}``) and the bell's unread count.

Tags rather than a context processor: computed only where the staff navigation is drawn.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from xinfang.notifications.services import unread_count
from xinfang.orgs.models import Role
from xinfang.orgs.selectors import user_memberships
from xinfang.textintel.db.alerts import REVIEW_ROLES

register = template.Library()

# The menu entries and the roles that use them (the pages stay open to every staff member: the
# access policy decides what they list; the menu only leaves out what a role has no use for).
CASE_WORK = {Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD}
OVERSIGHT = {Role.BUREAU_HEAD, Role.LEADER, Role.REGISTRAR, Role.HANDLER, Role.APPROVER}
# 类案预警 are reviewed by every role that handles or oversees cases (textintel REVIEW_ROLES).
ALERTS = set(REVIEW_ROLES)
# 领导批示: leaders read and instruct, bureau heads send, units carry out.
INSTRUCTIONS = {Role.LEADER, Role.BUREAU_HEAD, Role.HANDLER, Role.APPROVER}
STATISTICS = {Role.BUREAU_HEAD, Role.LEADER, Role.STATS_VIEWER, Role.ADMIN}
# 目标考核: the assessing bureau's heads, leaders and statisticians, and the assessed units' staff,
# who see their own scores and the published ranking.
ASSESSMENT = STATISTICS | {Role.APPROVER, Role.HANDLER}
# 信访简报 / 信访动态: written by the bureau's clerks (registrars, handlers, statisticians), issued by its head.
BULLETINS = STATISTICS | {Role.REGISTRAR, Role.HANDLER, Role.APPROVER}
# 领导工作 (接访, 包案, 积案化解, 听证, 会商): leaders, and the bureau staff who organise it; the units
# reach their part (a campaign item, a consultation task) from their home page and case pages.
LEADERSHIP = {Role.LEADER, Role.BUREAU_HEAD, Role.APPROVER, Role.REGISTRAR}
# 接访大厅与基层化解: the desk's registrars, the bureau's staff and heads, and the grass-roots points'
# handlers (a village point's staff hold the 承办人 role there).
RECEPTION = {Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD}


@register.simple_tag(takes_context=True)
def nav_roles(context: template.Context) -> dict[str, bool]:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", True):
        return {}
    held = context.get("held_roles")
    roles = set(held) if held is not None else set(user_memberships(user).values_list("role", flat=True))
    return {
        "case_work": bool(roles & CASE_WORK),
        "oversight": bool(roles & OVERSIGHT),
        "alerts": bool(roles & ALERTS),
        "instructions": bool(roles & INSTRUCTIONS),
        "statistics": bool(roles & STATISTICS),
        "assessment": bool(roles & ASSESSMENT),
        "bulletins": bool(roles & BULLETINS),
        "leadership": bool(roles & LEADERSHIP),
        "reception": bool(roles & RECEPTION),
    }


@register.simple_tag(takes_context=True)
def notification_bell(context: template.Context) -> str:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", True):
        return ""
    count = unread_count(user)
    label = f"消息提醒：{count} 条未读" if count else "消息提醒：没有未读消息"
    badge = (
        format_html('<span class="bell-count">{}</span>', count if count < 100 else "99+") if count else ""
    )
    return format_html(
        '<a class="bell" href="{}" title="{}" aria-label="{}"><svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/></svg>{}</a>',
        reverse("workbench:notification-list"),
        label,
        label,
        badge,
    )
