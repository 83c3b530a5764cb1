"""Template helpers for the action pages: the buttons on a case and the registration entry."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.workbench import actions

register = template.Library()


@register.simple_tag
def case_action_links(case: Any, user: Any) -> dict[str, Any]:
    return actions.action_links(case, user)


@register.filter
def can_register_cases(user: Any) -> bool:
    return actions.can_register(user)
