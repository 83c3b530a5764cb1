"""Reference data clients need to fill forms: content categories and organisations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.schemas import CategoryOut, OrgOut
from xinfang.cases.models import ContentCategory
from xinfang.orgs.models import Org, OrgKind

router = Router(tags=["reference"])


@router.get("/categories", response={200: list[CategoryOut], **ERROR_RESPONSES}, summary="内容分类")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    rows = ContentCategory.objects.filter(is_active=True).select_related("parent").order_by("code")
    return [
        {"code": c.code, "name": c.name, "level": c.level, "parent_code": c.parent.code if c.parent else None}
        for c in rows
    ]


@router.get("/orgs", response={200: list[OrgOut], **ERROR_RESPONSES}, summary="机构")
def orgs(request: HttpRequest) -> list[dict[str, Any]]:
    rows = Org.objects.filter(is_active=True).select_related("region").order_by("path")
    return [
        {
            "id": o.pk,
            "name": o.name,
            "short_name": o.short_name,
            "kind": o.kind,
            "kind_label": OrgKind(o.kind).label,
            "level": o.level,
            "region_code": o.region.code,
            "region_name": o.region.name,
            "parent_id": o.parent_id,
            "is_petition_bureau": o.is_petition_bureau,
        }
        for o in rows
    ]
