"""Finding what a request names, through the access policy for cases.

Every read and every action starts with `visible_case`: a case outside `cases_visible_to(user)`
is answered exactly like a case that does not exist (404), so ids reveal nothing.
"""

from __future__ import annotations

from django.http import Http404

from xinfang.api.errors import CASE_NOT_FOUND
from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.selectors import case_detail, case_visible
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Org, Region, User


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
    found = Org.objects.select_related("region").filter(pk=org_id).first()
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
    found = ContentCategory.objects.filter(code=code).first()
    if found is None:
        raise ServiceError(f"内容分类“{code}”不存在。", field=field)
    return found


def region(code: str, *, field: str) -> Region:
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise ServiceError(f"区划代码“{code}”不存在。", field=field)
    return found
