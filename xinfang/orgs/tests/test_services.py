from __future__ import annotations

import pytest

from xinfang.core.errors import ServiceError
from xinfang.orgs import services
from xinfang.orgs.models import Level, Membership, OrgKind, Role
from xinfang.testing.world import World


def test_regions_carry_the_path_of_their_codes(world: World) -> None:
    assert world.town.path == "/000000/990000/990100/990121/990121001/"
    assert world.town.depth == 4
    assert world.nation.depth == 0


def test_a_region_code_must_be_six_to_twelve_digits(world: World) -> None:
    with pytest.raises(ServiceError, match="6 至 12 位数字") as exc:
        services.region_create(code="99A1", name="坏区划", level=Level.COUNTY, parent=world.city)
    assert exc.value.field == "code"


def test_a_region_must_sit_below_its_parent_level(world: World) -> None:
    with pytest.raises(ServiceError, match="县级区划不能隶属于乡镇区划") as exc:
        services.region_create(code="990199", name="倒挂县", level=Level.COUNTY, parent=world.town)
    assert exc.value.field == "level"


def test_a_duplicate_region_code_is_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="区划代码 990121 已存在"):
        services.region_create(code="990121", name="重复县", level=Level.COUNTY, parent=world.city)


def test_an_org_path_lists_its_superiors(world: World) -> None:
    expected = f"/{world.province_gov.pk}/{world.city_gov.pk}/{world.city_bureau.pk}/"
    assert world.city_bureau.path == expected
    assert world.city_bureau.is_petition_bureau
    assert not world.city_housing.is_petition_bureau


def test_org_level_defaults_to_its_region_level(world: World) -> None:
    assert world.county_labour.level == Level.COUNTY


def test_an_org_name_is_unique_within_a_region(world: World) -> None:
    with pytest.raises(ServiceError, match="已有名为“示例市信访局”的机构") as exc:
        services.org_create(name="示例市信访局", region=world.city, kind=OrgKind.PETITION_BUREAU)
    assert exc.value.field == "name"


def test_an_unknown_org_kind_names_the_allowed_kinds(world: World) -> None:
    with pytest.raises(ServiceError, match="机构类别“bank”无效，可选：信访部门、职能部门") as exc:
        services.org_create(name="某银行", region=world.city, kind="bank")
    assert exc.value.field == "kind"


def test_moving_an_org_moves_its_whole_subtree(world: World) -> None:
    services.org_update(org=world.county_gov, parent=world.province_gov)
    world.town_office.refresh_from_db()
    assert world.town_office.path == (
        f"/{world.province_gov.pk}/{world.county_gov.pk}/{world.town_office.pk}/"
    )


def test_an_org_cannot_become_its_own_descendant(world: World) -> None:
    with pytest.raises(ServiceError, match="上级机构不能是本机构或其下级机构"):
        services.org_update(org=world.county_gov, parent=world.town_office)
    world.county_gov.refresh_from_db()
    assert world.county_gov.parent == world.city_gov


def test_a_citizen_can_never_hold_a_post(world: World) -> None:
    with pytest.raises(ServiceError, match="群众账号不能担任机构岗位"):
        services.membership_grant(user=world.citizen, org=world.city_bureau, role=Role.REGISTRAR)
    assert not Membership.objects.filter(user=world.citizen).exists()


def test_a_bureau_head_must_work_in_a_petition_bureau(world: World) -> None:
    with pytest.raises(ServiceError, match="信访部门负责人只能在信访部门任职"):
        services.membership_grant(user=world.handler, org=world.city_housing, role=Role.BUREAU_HEAD)


def test_granting_a_role_twice_keeps_one_membership(world: World) -> None:
    services.membership_grant(user=world.handler, org=world.city_housing, role=Role.HANDLER)
    assert Membership.objects.filter(user=world.handler, role=Role.HANDLER).count() == 1


def test_the_admin_role_opens_and_closes_the_back_office(world: World) -> None:
    membership = services.membership_grant(user=world.registrar, org=world.city_bureau, role=Role.ADMIN)
    world.registrar.refresh_from_db()
    assert world.registrar.is_staff and world.registrar.is_superuser
    services.membership_revoke(membership=membership)
    world.registrar.refresh_from_db()
    assert not world.registrar.is_staff and not world.registrar.is_superuser


def test_a_weak_password_is_refused_with_the_reason(db: None) -> None:
    with pytest.raises(ServiceError, match="密码不符合要求") as exc:
        services.staff_user_create(username="weak", full_name="弱密码", password="123")
    assert exc.value.field == "password"


def test_a_taken_username_is_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="用户名“handler”已被使用"):
        services.citizen_user_create(username="handler", full_name="重名", password="Another-Pass-2026")


def test_org_and_user_names_are_stored_without_control_characters(world: World) -> None:
    # The admin edits organisations through these services; the names are printed in documents.
    org = services.org_create(
        name="示例市\x0b教育局\x00", short_name="市\x7f教育局", region=world.city, kind=OrgKind.FUNCTIONAL
    )
    assert (org.name, org.short_name) == ("示例市\n教育局", "市教育局")
    assert services.org_update(org=org, name="示例市\x1f教育局").name == "示例市教育局"
    user = services.staff_user_create(
        username="teacher\x01", full_name="王\x0b老师", password="Teacher-Pass-2026"
    )
    assert (user.username, user.full_name) == ("teacher", "王\n老师")


def test_changing_or_deleting_a_role_keeps_back_office_access_in_step(world: World) -> None:
    user = world.registrar
    membership = services.membership_grant(user=user, org=world.city_bureau, role=Role.ADMIN)
    services.membership_update(
        membership=membership, org=world.city_bureau, role=Role.STATS_VIEWER, is_active=True
    )
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    services.membership_update(membership=membership, org=world.city_bureau, role=Role.ADMIN, is_active=True)
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    services.membership_delete(membership=membership)
    user.refresh_from_db()
    assert not user.is_staff and not Membership.objects.filter(pk=membership.pk).exists()


def test_a_role_change_follows_the_grant_rules(world: World) -> None:
    membership = Membership.objects.get(user=world.handler)
    with pytest.raises(ServiceError, match="信访部门负责人只能在信访部门任职") as exc:
        services.membership_update(
            membership=membership, org=world.city_housing, role=Role.BUREAU_HEAD, is_active=True
        )
    assert exc.value.field == "role"
    with pytest.raises(ServiceError, match="已在“示例市住房和城乡建设局”担任审核人"):
        services.membership_grant(user=world.handler, org=world.city_housing, role=Role.APPROVER)
        services.membership_update(
            membership=membership, org=world.city_housing, role=Role.APPROVER, is_active=True
        )
    closed = services.org_update(org=world.county_labour, is_active=False)
    with pytest.raises(ServiceError, match="已停用") as exc:
        services.membership_update(membership=membership, org=closed, role=Role.HANDLER, is_active=True)
    assert exc.value.field == "org"


def test_an_admin_role_in_a_deactivated_organisation_opens_nothing(world: World) -> None:
    services.membership_grant(user=world.handler, org=world.city_housing, role=Role.ADMIN)
    services.org_update(org=world.city_housing, is_active=False)
    world.handler.refresh_from_db()
    assert not world.handler.is_staff and not world.handler.is_superuser
    services.org_update(org=world.city_housing, is_active=True)
    world.handler.refresh_from_db()
    assert world.handler.is_staff and world.handler.is_superuser


def test_an_account_edit_changes_only_what_it_may(world: World) -> None:
    updated = services.user_update(user=world.handler, full_name=" 刘承办 ", phone=" 0991-1234567 ")
    assert (updated.full_name, updated.phone) == ("刘承办", "0991-1234567")
    with pytest.raises(ServiceError, match="用户名“registrar”已被使用") as exc:
        services.user_update(user=world.handler, username="registrar")
    assert exc.value.field == "username"
    for field, value in (("kind", "citizen"), ("is_superuser", True), ("is_staff", True)):
        with pytest.raises(ServiceError, match="不能在此修改"):
            services.user_update(user=world.handler, **{field: value})
    world.handler.refresh_from_db()
    assert not world.handler.is_citizen and not world.handler.is_staff
