"""Writes for regions, organisations, accounts and memberships.

Each function validates its input with a Chinese message naming the field, runs in one
transaction and keeps the materialised paths of the trees consistent.
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from xinfang.core.errors import ServiceError
from xinfang.core.text import clean_text
from xinfang.orgs.models import (
    GRASSROOTS_KINDS,
    LEVEL_RANK,
    AccountKind,
    Level,
    Membership,
    Org,
    OrgKind,
    Region,
    Role,
    User,
)

_REGION_CODE = re.compile(r"^[0-9]{6,12}$")


def _require_text(value: str, *, field: str, label: str, max_length: int) -> str:
    value = clean_text(value or "").strip()  # names are printed in documents: no control characters
    if not value:
        raise ServiceError(f"{label}不能为空。", field=field)
    if len(value) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字。", field=field)
    return value


def _require_choice(
    value: str, choices: type[Level] | type[OrgKind] | type[Role], *, field: str, label: str
) -> str:
    if value not in choices.values:
        allowed = "、".join(str(label_) for label_ in choices.labels)
        raise ServiceError(f"{label}“{value}”无效，可选：{allowed}。", field=field)
    return value


def region_validate(*, code: str, name: str, level: str, parent: Region | None) -> tuple[str, str, str]:
    """Check a new region; returns the cleaned (code, name, level)."""
    code = (code or "").strip()
    if not _REGION_CODE.match(code):
        raise ServiceError("区划代码应为 6 至 12 位数字。", field="code")
    if Region.objects.filter(code=code).exists():
        raise ServiceError(f"区划代码 {code} 已存在。", field="code")
    name = _require_text(name, field="name", label="区划名称", max_length=64)
    level = _require_choice(level, Level, field="level", label="区划级别")
    if parent is None and level != Level.NATIONAL and Region.objects.exists():
        raise ServiceError("除全国外，区划必须有上级区划。", field="parent")
    if parent is not None and LEVEL_RANK[Level(level)] <= LEVEL_RANK[Level(parent.level)]:
        raise ServiceError(
            f"{Level(level).label}区划不能隶属于{Level(parent.level).label}区划“{parent.name}”。",
            field="level",
        )
    return code, name, level


@transaction.atomic
def region_create(*, code: str, name: str, level: str, parent: Region | None = None) -> Region:
    code, name, level = region_validate(code=code, name=name, level=level, parent=parent)
    path = f"{parent.path if parent else '/'}{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)


def _check_org_parent(*, org: Org | None, parent: Org | None) -> None:
    if parent is None or org is None or org.pk is None:
        return
    if parent.pk == org.pk or parent.path.startswith(org.path):
        raise ServiceError("上级机构不能是本机构或其下级机构。", field="parent")


def _org_path(parent: Org | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


def org_validate(
    *, org: Org | None, name: str, region: Region, kind: str, level: str | None, parent: Org | None
) -> tuple[str, str, str]:
    """Check an organisation's fields; returns the cleaned (name, kind, level)."""
    name = _require_text(name, field="name", label="机构名称", max_length=128)
    kind = _require_choice(kind, OrgKind, field="kind", label="机构类别")
    level = _require_choice(level or region.level, Level, field="level", label="机构级别")
    same_name = Org.objects.filter(region=region, name=name)
    if org is not None and org.pk is not None:
        same_name = same_name.exclude(pk=org.pk)
    if same_name.exists():
        raise ServiceError(f"“{region.name}”已有名为“{name}”的机构。", field="name")
    _check_org_parent(org=org, parent=parent)
    if kind in GRASSROOTS_KINDS and (
        parent is None or parent.kind not in (OrgKind.TOWNSHIP, *GRASSROOTS_KINDS)
    ):
        raise ServiceError(
            f"{OrgKind(kind).label}设在乡镇（街道）之下，请选择所属乡镇（街道）作为上级机构。", field="parent"
        )
    return name, kind, level


# Characters a 机关代字 cannot hold: the 文号 adds the series word, 〔year〕 and the serial after it.
_PREFIX_FORBIDDEN = re.compile(r"[\s0-9０-９〔〕\[\]()（）【】号]")


def org_doc_prefix_clean(doc_prefix: str) -> str:
    """Check an organ's 机关代字 (empty: its documents use the short name); returns it cleaned."""
    prefix = clean_text(doc_prefix).strip()
    if len(prefix) > 16:
        raise ServiceError("机关代字不能超过16个字。", field="doc_prefix")
    if _PREFIX_FORBIDDEN.search(prefix):
        raise ServiceError(
            "机关代字只写机关的代字（如“示信访”），不含空格、数字、括号或“号”字：年份和序号由系统编排。",
            field="doc_prefix",
        )
    return prefix


@transaction.atomic
def org_create(
    *,
    name: str,
    region: Region,
    kind: str,
    parent: Org | None = None,
    level: str | None = None,
    short_name: str = "",
    doc_prefix: str = "",
    requires_approval: bool = True,
) -> Org:
    name, kind, level = org_validate(
        org=None, name=name, region=region, kind=kind, level=level, parent=parent
    )
    org = Org.objects.create(
        name=name,
        short_name=clean_text(short_name).strip(),
        doc_prefix=org_doc_prefix_clean(doc_prefix),
        requires_approval=requires_approval,
        region=region,
        kind=kind,
        level=level,
        parent=parent,
        path="",
    )
    org.path = _org_path(parent, org.pk)
    org.save(update_fields=["path"])
    return org


@transaction.atomic
def org_update(*, org: Org, **changes: object) -> Org:
    """Change an organisation's fields; moving it under another parent moves its whole subtree."""
    locked = Org.objects.select_for_update().get(pk=org.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    if "doc_prefix" in changes:
        locked.doc_prefix = org_doc_prefix_clean(str(changes["doc_prefix"] or ""))
    new_parent = locked.parent
    locked.name, locked.kind, locked.level = org_validate(
        org=locked,
        name=locked.name,
        region=locked.region,
        kind=locked.kind,
        level=locked.level,
        parent=new_parent,
    )
    old_path = locked.path
    locked.path = _org_path(new_parent, locked.pk)
    locked.save()
    if old_path != locked.path:
        for child in Org.objects.filter(path__startswith=old_path).exclude(pk=locked.pk):
            child.path = locked.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    if "is_active" in changes:
        # A role in a deactivated organisation is no role (user_memberships): its administrators
        # lose the back office with it, and regain it when the organisation is enabled again.
        admins = User.objects.filter(memberships__org=locked, memberships__role=Role.ADMIN).distinct()
        for user in admins:
            _sync_back_office_access(user)
    return locked


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("密码不符合要求：" + "；".join(exc.messages), field="password") from None


def account_validate(*, user: User | None, username: str, full_name: str) -> tuple[str, str]:
    """Check an account's username and name (`user`: the account being edited, None for a new
    one); returns the cleaned (username, full_name)."""
    username = _require_text(username, field="username", label="用户名", max_length=150)
    taken = User.objects.filter(username=username)
    if user is not None and user.pk is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ServiceError(f"用户名“{username}”已被使用。", field="username")
    full_name = _require_text(full_name, field="full_name", label="姓名", max_length=64)
    return username, full_name


# What an edit of an account may change. The kind is fixed (a citizen never becomes staff, nor staff
# a citizen, with their history), and is_staff / is_superuser follow the 系统管理员 role alone.
USER_EDITABLE = frozenset({"username", "full_name", "phone", "email", "is_active"})


@transaction.atomic
def user_update(*, user: User, **changes: object) -> User:
    """Change an account's name, username, contact data or whether it may sign in."""
    unknown = set(changes) - USER_EDITABLE
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError(f"账号的“{field}”不能在此修改。", field=field)
    locked = User.objects.select_for_update().get(pk=user.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.username, locked.full_name = account_validate(
        user=locked, username=locked.username, full_name=locked.full_name
    )
    locked.phone = (locked.phone or "").strip()
    locked.save(update_fields=sorted({*changes, "username", "full_name", "phone"}))
    return locked


@transaction.atomic
def staff_user_create(
    *, username: str, full_name: str, password: str = "", phone: str = "", password_hash: str = ""
) -> User:
    """A staff account. `password_hash` (an already hashed password) lets bulk imports and the
    demo skip hashing the same password hundreds of times."""
    username, full_name = account_validate(user=None, username=username, full_name=full_name)
    user = User(username=username, full_name=full_name, phone=phone.strip(), kind=AccountKind.STAFF)
    if password_hash:
        user.password = password_hash
    else:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    return user


@transaction.atomic
def citizen_user_create(*, username: str, full_name: str, password: str, phone: str = "") -> User:
    """A citizen's portal account: separate from staff, never a member of an organisation."""
    username, full_name = account_validate(user=None, username=username, full_name=full_name)
    user = User(username=username, full_name=full_name, phone=phone.strip(), kind=AccountKind.CITIZEN)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


def membership_validate(*, user: User, org: Org, role: str, is_active: bool = True) -> str:
    """Check that `user` may hold `role` at `org` (an active role, unless `is_active` is False);
    returns the cleaned role."""
    role = _require_choice(role, Role, field="role", label="角色")
    if user.is_citizen:
        raise ServiceError("群众账号不能担任机构岗位。", field="user")
    if role == Role.BUREAU_HEAD and not org.is_petition_bureau:
        raise ServiceError("信访部门负责人只能在信访部门任职。", field="role")
    if is_active and not org.is_active:
        raise ServiceError(f"机构“{org.name}”已停用。", field="org")
    return role


@transaction.atomic
def membership_grant(*, user: User, org: Org, role: str) -> Membership:
    role = membership_validate(user=user, org=org, role=role)
    membership, created = Membership.objects.get_or_create(user=user, org=org, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    _sync_back_office_access(user)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, org: Org, role: str, is_active: bool) -> Membership:
    """Move a role to another organisation, change it, or switch it on or off (the user is fixed:
    a role given to someone else is a new grant)."""
    locked = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    role = membership_validate(user=locked.user, org=org, role=role, is_active=is_active)
    clash = Membership.objects.filter(user=locked.user, org=org, role=role).exclude(pk=locked.pk)
    if clash.exists():
        raise ServiceError(f"“{locked.user}”已在“{org.name}”担任{Role(role).label}。", field="role")
    locked.org, locked.role, locked.is_active = org, role, is_active
    locked.save(update_fields=["org", "role", "is_active"])
    _sync_back_office_access(locked.user)
    return locked


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    _sync_back_office_access(membership.user)


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Remove a role altogether (revoking keeps it on record as inactive)."""
    user = membership.user
    Membership.objects.filter(pk=membership.pk).delete()
    _sync_back_office_access(user)


def _sync_back_office_access(user: User) -> None:
    """The 系统管理员 role is what opens the Django admin; losing the role closes it. A role in a
    deactivated organisation counts as none, as everywhere else (user_memberships)."""
    is_admin = Membership.objects.filter(
        user=user, role=Role.ADMIN, is_active=True, org__is_active=True
    ).exists()
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
