"""A small world of regions, organs and people that tests share.

Built through the product's services, like the demo. The personas are the people the product is
for: a registrar at the city petition bureau, a handler in a city department, the bureau head, a
clerk of an unrelated county department (who must see nothing of the others' work) and a citizen.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.orgs import services
from xinfang.orgs.models import Level, Org, OrgKind, Region, Role, User

PASSWORD = "Persona-Pass-2026"


@dataclass
class World:
    nation: Region
    province: Region
    city: Region
    county: Region
    other_county: Region
    town: Region
    province_gov: Org
    city_gov: Org
    city_bureau: Org
    city_housing: Org
    city_discipline: Org
    county_gov: Org
    county_bureau: Org
    county_labour: Org
    other_county_labour: Org
    town_office: Org
    registrar: User
    handler: User
    approver: User
    bureau_head: User
    leader: User
    other_clerk: User
    citizen: User


def _staff(username: str, full_name: str, org: Org, *roles: str) -> User:
    user = services.staff_user_create(username=username, full_name=full_name, password=PASSWORD)
    for role in roles:
        services.membership_grant(user=user, org=org, role=role)
    return user


def build_world() -> World:
    nation = services.region_create(code="000000", name="全国", level=Level.NATIONAL)
    province = services.region_create(code="990000", name="示例省", level=Level.PROVINCE, parent=nation)
    city = services.region_create(code="990100", name="示例市", level=Level.CITY, parent=province)
    county = services.region_create(code="990121", name="青山县", level=Level.COUNTY, parent=city)
    other_county = services.region_create(code="990122", name="河口县", level=Level.COUNTY, parent=city)
    town = services.region_create(code="990121001", name="城关镇", level=Level.TOWNSHIP, parent=county)

    province_gov = services.org_create(name="示例省人民政府", region=province, kind=OrgKind.PARTY_GOVERNMENT)
    city_gov = services.org_create(
        name="示例市人民政府", region=city, kind=OrgKind.PARTY_GOVERNMENT, parent=province_gov
    )
    city_bureau = services.org_create(
        name="示例市信访局", region=city, kind=OrgKind.PETITION_BUREAU, parent=city_gov
    )
    city_housing = services.org_create(
        name="示例市住房和城乡建设局", region=city, kind=OrgKind.FUNCTIONAL, parent=city_gov
    )
    city_discipline = services.org_create(name="示例市纪委监委", region=city, kind=OrgKind.DISCIPLINE)
    county_gov = services.org_create(
        name="青山县人民政府", region=county, kind=OrgKind.PARTY_GOVERNMENT, parent=city_gov
    )
    county_bureau = services.org_create(
        name="青山县信访局", region=county, kind=OrgKind.PETITION_BUREAU, parent=county_gov
    )
    county_labour = services.org_create(
        name="青山县人力资源和社会保障局", region=county, kind=OrgKind.FUNCTIONAL, parent=county_gov
    )
    other_county_gov = services.org_create(
        name="河口县人民政府", region=other_county, kind=OrgKind.PARTY_GOVERNMENT, parent=city_gov
    )
    other_county_labour = services.org_create(
        name="河口县人力资源和社会保障局",
        region=other_county,
        kind=OrgKind.FUNCTIONAL,
        parent=other_county_gov,
    )
    town_office = services.org_create(
        name="青山县城关镇人民政府", region=town, kind=OrgKind.TOWNSHIP, parent=county_gov
    )

    return World(
        nation=nation,
        province=province,
        city=city,
        county=county,
        other_county=other_county,
        town=town,
        province_gov=province_gov,
        city_gov=city_gov,
        city_bureau=city_bureau,
        city_housing=city_housing,
        city_discipline=city_discipline,
        county_gov=county_gov,
        county_bureau=county_bureau,
        county_labour=county_labour,
        other_county_labour=other_county_labour,
        town_office=town_office,
        registrar=_staff("registrar", "李登记", city_bureau, Role.REGISTRAR),
        handler=_staff("handler", "刘承办", city_housing, Role.HANDLER),
        approver=_staff("approver", "周审核", city_housing, Role.APPROVER),
        bureau_head=_staff("bureau_head", "王局长", city_bureau, Role.BUREAU_HEAD, Role.APPROVER),
        leader=_staff("leader", "陈副市长", city_gov, Role.LEADER),
        other_clerk=_staff("other_clerk", "卫办事员", other_county_labour, Role.HANDLER),
        citizen=services.citizen_user_create(username="citizen", full_name="张群众", password=PASSWORD),
    )
