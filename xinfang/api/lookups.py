"""Finding what a request names, through the access policy for cases.

Every read and every action starts with `visible_case`: a case outside `cases_visible_to(user)`
is answered exactly like a case that does not exist (404), so ids reveal nothing.

Organs, regions and content categories named by a request are reference data that every intake
reads and that changes rarely: each process keeps what it looked up for `REFERENCE_TTL` seconds.
A save or delete of one of them empties the cache of the process that made it at once; another
process sees the change within `REFERENCE_TTL` (a deactivated category or organ may be accepted
that long; who may register is checked against the memberships, never cached).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models.signals import post_delete, post_save
from django.http import Http404

from xinfang.api.errors import CASE_NOT_FOUND
from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.selectors import case_detail, case_visible
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Org, Region, User

REFERENCE_TTL = 30.0  # seconds
T = TypeVar("T")
_cache: dict[tuple[str, object], tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def clear_reference_cache(**_: Any) -> None:
    with _cache_lock:
        _cache.clear()


for _model in (Org, Region, ContentCategory):
    post_save.connect(clear_reference_cache, sender=_model, dispatch_uid=f"api-lookups-{_model.__name__}")
    post_delete.connect(
        clear_reference_cache, sender=_model, dispatch_uid=f"api-lookups-del-{_model.__name__}"
    )


def _cached(kind: str, key: object, load: Callable[[], T | None]) -> T | None:
    """`load()`, or what it returned less than REFERENCE_TTL seconds ago (misses are not kept)."""
    clock = time.monotonic()
    hit = _cache.get((kind, key))
    if hit is not None and clock - hit[0] < REFERENCE_TTL:
        return hit[1]  # type: ignore[no-any-return]
    found = load()
    if found is not None:
        with _cache_lock:
            _cache[(kind, key)] = (clock, found)
    return found


def visible_case(user: User, case_id: int) -> Case:
    case = case_detail(user, case_id)
    if case is None:
        raise Http404(CASE_NOT_FOUND)
    return case


def referenced_case(user: User, case_id: int, *, field: str) -> Case:
    """A case named in a request body (`earlier_id`, `target_id`): 400 when not visible."""
    case = case_visible(user, case_id).first()
    if case is None:
        raise ServiceError(f"信访件 {case_id} 不存在，或您无权查看。", field=field)
    return case


def org(org_id: int, *, field: str) -> Org:
    found = _cached("org", org_id, Org.objects.select_related("region").filter(pk=org_id).first)
    if found is None:
        raise ServiceError(f"机构 {org_id} 不存在。", field=field)
    return found


def optional_org(org_id: int | None, *, field: str) -> Org | None:
    return None if org_id is None else org(org_id, field=field)


def staff_user(user_id: int, *, field: str) -> User:
    found = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise ServiceError(f"用户 {user_id} 不存在。", field=field)
    return found


def category(code: str, *, field: str) -> ContentCategory:
    found = _cached("category", code, ContentCategory.objects.filter(code=code).first)
    if found is None:
        raise ServiceError(f"内容分类“{code}”不存在。", field=field)
    return found


def region(code: str, *, field: str) -> Region:
    found = _cached("region", code, Region.objects.filter(code=code).first)
    if found is None:
        raise ServiceError(f"区划代码“{code}”不存在。", field=field)
    return found
