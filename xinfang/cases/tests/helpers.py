"""Building cases for tests through the same services the product uses."""

from __future__ import annotations

from typing import Any

from xinfang.cases import services
from xinfang.cases.categories import DEFAULT_CATEGORIES_CSV, load_categories
from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.services import PetitionerInput, ReplyInput
from xinfang.cases.vocabulary import EventKind
from xinfang.orgs.models import User
from xinfang.testing.world import World

ID_NUMBER = "11010519491231002X"  # a valid test ID number (checksum X)


def category(code: str) -> ContentCategory:
    """A category of the shipped code table (reloaded when a transactional test flushed it)."""
    if not ContentCategory.objects.exists():
        load_categories(DEFAULT_CATEGORIES_CSV.read_text(encoding="utf-8"))
    return ContentCategory.objects.get(code=code)


def register(world: World, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "actor": world.registrar,
        "org": world.city_bureau,
        "channel": "visit",
        "nature": "appeal",
        "category": category("030100"),
        "subject": "小区住房质量问题长期未解决",
        "content": "本人购买的青山县某小区住房墙体开裂，多次向开发商反映未果，请求有关部门督促维修。",
        "problem_region": world.county,
        "petitioners": [
            PetitionerInput(
                name="张三", id_number=ID_NUMBER, phone="13800138000", address="青山县城关镇幸福路1号"
            )
        ],
    }
    fields.update(overrides)
    return services.case_register(**fields)


def a_reply(**overrides: Any) -> ReplyInput:
    fields: dict[str, Any] = {
        "outcome": "support",
        "request": "请求督促开发商维修房屋墙体裂缝。",
        "facts": "经现场核查，该房屋外墙存在裂缝，属于保修范围。",
        "reasons": "开发商应在保修期内承担维修责任。",
        "legal_basis": "《建设工程质量管理条例》第四十条",
        "tags": ["solved"],
    }
    fields.update(overrides)
    return ReplyInput(**fields)


def reply_approved(*, actor: User, case: Case, reply: ReplyInput) -> Case:
    """The reply as a unit that needs approval issues it: `actor` submits the draft and another
    审核人 of the unit approves it (a unit that needs none issues it at once)."""
    case = services.case_submit_reply_for_approval(actor=actor, case=case, reply=reply)
    if services.pending_request(case, EventKind.REPLY_SUBMITTED) is None:
        return case
    assert case.current_org is not None
    approver = (
        User.objects.filter(
            memberships__org=case.current_org,
            memberships__role__in=services.APPROVER_ROLES,
            memberships__is_active=True,
        )
        .exclude(pk=actor.pk)
        .first()
    )
    assert approver is not None, f"{case.current_org} has no approver to approve the reply"
    return services.case_approve_reply(actor=approver, case=case)


def to_accepted(world: World, case: Case | None = None) -> Case:
    case = case or register(world)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    return services.case_accept(actor=world.handler, case=case)


def to_delivered(world: World, case: Case | None = None) -> Case:
    case = to_accepted(world, case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    return services.case_deliver(actor=world.handler, case=case, method="in_person")
