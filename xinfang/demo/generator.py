"""The fictional 示例市 used for demonstrations, training and manual testing.

Everything is created through the same services the product uses, and looked up by natural key
first, so running the generator twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from xinfang.orgs import services
from xinfang.orgs.models import Level, Org, OrgKind, Region, Role, User
from xinfang.portal.accounts import citizen_profile_record

DEMO_PASSWORD = "Xinfang-2026"

# (code, name) of the counties and districts of 示例市, each with its towns and streets.
COUNTIES: list[tuple[str, str, list[str]]] = [
    ("990102", "东城区", ["东华街道", "朝阳街道", "和平街道"]),
    ("990103", "西城区", ["西湖街道", "金桥街道"]),
    ("990121", "青山县", ["城关镇", "青石镇", "柳林乡"]),
    ("990122", "河口县", ["河口镇", "白沙镇", "双桥乡"]),
]

# City-level functional departments and other organs: (name, kind).
CITY_UNITS: list[tuple[str, str]] = [
    ("示例市住房和城乡建设局", OrgKind.FUNCTIONAL),
    ("示例市自然资源和规划局", OrgKind.FUNCTIONAL),
    ("示例市人力资源和社会保障局", OrgKind.FUNCTIONAL),
    ("示例市生态环境局", OrgKind.FUNCTIONAL),
    ("示例市卫生健康委员会", OrgKind.FUNCTIONAL),
    ("示例市教育局", OrgKind.FUNCTIONAL),
    ("示例市民政局", OrgKind.FUNCTIONAL),
    ("示例市市场监督管理局", OrgKind.FUNCTIONAL),
    ("示例市交通运输局", OrgKind.FUNCTIONAL),
    ("示例市农业农村局", OrgKind.FUNCTIONAL),
    ("示例市城市管理局", OrgKind.FUNCTIONAL),
    ("示例市医疗保障局", OrgKind.FUNCTIONAL),
    ("示例市公安局", OrgKind.POLITICAL_LEGAL),
    ("示例市司法局", OrgKind.POLITICAL_LEGAL),
    ("示例市纪委监委", OrgKind.DISCIPLINE),
]

# Departments every county or district has: (suffix, kind).
COUNTY_UNITS: list[tuple[str, str]] = [
    ("住房和城乡建设局", OrgKind.FUNCTIONAL),
    ("人力资源和社会保障局", OrgKind.FUNCTIONAL),
    ("自然资源局", OrgKind.FUNCTIONAL),
    ("教育局", OrgKind.FUNCTIONAL),
    ("公安局", OrgKind.POLITICAL_LEGAL),
    ("纪委监委", OrgKind.DISCIPLINE),
]

# Where people are received below and beside the bureaus (xinfang.reception): 青山县's one-stop
# centre, and under 城关镇 its work station and two village points. (name, kind, the town or None).
RECEPTION_ORGANS: list[tuple[str, str, str | None]] = [
    ("青山县群众信访诉求综合服务中心", OrgKind.ONE_STOP_CENTRE, None),
    ("城关镇信访工作站", OrgKind.TOWNSHIP_STATION, "城关镇"),
    ("城关镇东村村级服务点", OrgKind.VILLAGE_POINT, "城关镇"),
    ("城关镇西村村级服务点", OrgKind.VILLAGE_POINT, "城关镇"),
]

# Demo staff: (username, full name, org name, roles).
STAFF: list[tuple[str, str, str, list[str]]] = [
    ("admin", "系统管理员", "示例市信访局", [Role.ADMIN]),
    ("dengji", "李登记", "示例市信访局", [Role.REGISTRAR]),
    ("juzhang", "王局长", "示例市信访局", [Role.BUREAU_HEAD, Role.APPROVER]),
    ("tongji", "赵统计", "示例市信访局", [Role.STATS_VIEWER]),
    ("fushizhang", "陈副市长", "示例市人民政府", [Role.LEADER]),
    ("zhujian", "刘承办", "示例市住房和城乡建设局", [Role.HANDLER]),
    ("zhujian_sh", "周审核", "示例市住房和城乡建设局", [Role.APPROVER]),
    ("renshe", "孙承办", "示例市人力资源和社会保障局", [Role.HANDLER, Role.APPROVER]),
    ("qs_dengji", "吴登记", "青山县信访局", [Role.REGISTRAR]),
    ("qs_juzhang", "郑局长", "青山县信访局", [Role.BUREAU_HEAD, Role.APPROVER]),
    ("qs_renshe", "冯承办", "青山县人力资源和社会保障局", [Role.HANDLER]),
    ("qs_chengguan", "褚承办", "青山县城关镇人民政府", [Role.HANDLER]),
    ("hk_dengji", "卫登记", "河口县信访局", [Role.REGISTRAR]),
    # The hall and the grass roots: the one-stop centre's desk, the village points' 网格员.
    ("zhongxin", "许登记", "青山县群众信访诉求综合服务中心", [Role.REGISTRAR]),
    ("dongcun", "何网格员", "城关镇东村村级服务点", [Role.HANDLER]),
    ("xicun", "吕网格员", "城关镇西村村级服务点", [Role.HANDLER]),
    # Every organ that decides something has a login of its own: the people's governments decide
    # 复查 (the county ones, of their departments' replies) and 复核 (the province, of the city's
    # 复查); each bureau routes what it registers; the 纪委监委 handle accusations (第三十条).
    ("shengfu", "钱副省长", "示例省人民政府", [Role.LEADER]),
    ("sheng_dengji", "蒋登记", "示例省信访局", [Role.REGISTRAR, Role.BUREAU_HEAD]),
    ("dc_quzhang", "严副区长", "东城区人民政府", [Role.LEADER]),
    ("xc_quzhang", "华副区长", "西城区人民政府", [Role.LEADER]),
    ("qs_xianzhang", "孔副县长", "青山县人民政府", [Role.LEADER]),
    ("hk_xianzhang", "曹副县长", "河口县人民政府", [Role.LEADER]),
    ("dc_dengji", "金登记", "东城区信访局", [Role.REGISTRAR]),
    ("xc_dengji", "魏登记", "西城区信访局", [Role.REGISTRAR]),
    ("jiwei", "何审查", "示例市纪委监委", [Role.HANDLER, Role.APPROVER]),
    ("dc_jiwei", "吕审查", "东城区纪委监委", [Role.HANDLER, Role.APPROVER]),
    ("xc_jiwei", "施审查", "西城区纪委监委", [Role.HANDLER, Role.APPROVER]),
    ("qs_jiwei", "张审查", "青山县纪委监委", [Role.HANDLER, Role.APPROVER]),
    ("hk_jiwei", "孟审查", "河口县纪委监委", [Role.HANDLER, Role.APPROVER]),
]

# The kinds of organ that decide (复查/复核, 交转, accusations): each one of these has a listed login.
DECIDING_KINDS = (OrgKind.PARTY_GOVERNMENT, OrgKind.PETITION_BUREAU, OrgKind.DISCIPLINE)


# The demo citizen, verified (实名) with a clearly fictitious mobile number and ID number (region
# 990100 is the fictional 示例市; the check digit is right, so the portal accepts it): he signs in
# to the portal with the number. The demo cases also name him as a co-signer (联名) of a neighbour.
CITIZENS: list[tuple[str, str, str, str]] = [("qunzhong", "张群众", "13800000000", "990100198001010018")]


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=lambda: {"regions": 0, "orgs": 0, "users": 0})
    logins: list[tuple[str, str, str]] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.summary = DemoSummary()

    def region(self, code: str, name: str, level: str, parent: Region | None) -> Region:
        existing = Region.objects.filter(code=code).first()
        if existing:
            return existing
        self.summary.created["regions"] += 1
        return services.region_create(code=code, name=name, level=level, parent=parent)

    def org(self, name: str, region: Region, kind: str, parent: Org | None) -> Org:
        existing = Org.objects.filter(region=region, name=name).first()
        if existing:
            return existing
        self.summary.created["orgs"] += 1
        return services.org_create(name=name, region=region, kind=kind, parent=parent)

    def staff(self, username: str, full_name: str, org: Org, roles: list[str]) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            self.summary.created["users"] += 1
            user = services.staff_user_create(username=username, full_name=full_name, password=DEMO_PASSWORD)
        for role in roles:
            services.membership_grant(user=user, org=org, role=role)
        roles_text = "、".join(Role(role).label for role in roles)
        self.summary.logins.append((username, f"{full_name}（{org.name} {roles_text}）", DEMO_PASSWORD))
        return user

    def citizen(self, username: str, full_name: str, phone: str, id_number: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            self.summary.created["users"] += 1
            user = services.citizen_user_create(
                username=username, full_name=full_name, password=DEMO_PASSWORD
            )
        citizen_profile_record(user=user, phone=phone, id_number=id_number)
        # The portal signs a citizen in with the mobile number, so that is the login printed.
        self.summary.logins.append((phone, f"{full_name}（群众账号，用于群众端 /portal/）", DEMO_PASSWORD))
        return user


@transaction.atomic
def load_demo() -> DemoSummary:
    b = _Builder()
    nation = b.region("000000", "全国", Level.NATIONAL, None)
    province = b.region("990000", "示例省", Level.PROVINCE, nation)
    city = b.region("990100", "示例市", Level.CITY, province)

    b.org("国家信访局", nation, OrgKind.PETITION_BUREAU, None)
    province_gov = b.org("示例省人民政府", province, OrgKind.PARTY_GOVERNMENT, None)
    b.org("示例省信访局", province, OrgKind.PETITION_BUREAU, province_gov)
    city_gov = b.org("示例市人民政府", city, OrgKind.PARTY_GOVERNMENT, province_gov)
    b.org("示例市信访局", city, OrgKind.PETITION_BUREAU, city_gov)
    for name, kind in CITY_UNITS:
        b.org(name, city, kind, city_gov)

    for code, county_name, towns in COUNTIES:
        county = b.region(code, county_name, Level.COUNTY, city)
        county_gov = b.org(f"{county_name}人民政府", county, OrgKind.PARTY_GOVERNMENT, city_gov)
        b.org(f"{county_name}信访局", county, OrgKind.PETITION_BUREAU, county_gov)
        for suffix, kind in COUNTY_UNITS:
            b.org(f"{county_name}{suffix}", county, kind, county_gov)
        for index, town_name in enumerate(towns, start=1):
            town = b.region(f"{code}{index:03d}", town_name, Level.TOWNSHIP, county)
            office = "办事处" if town_name.endswith("街道") else "人民政府"
            b.org(f"{county_name}{town_name}{office}", town, OrgKind.TOWNSHIP, county_gov)

    _reception_organs(b)
    for username, full_name, org_name, roles in STAFF:
        b.staff(username, full_name, Org.objects.get(name=org_name), roles)
    for username, full_name, phone, id_number in CITIZENS:
        b.citizen(username, full_name, phone, id_number)
    return b.summary


def _reception_organs(b: _Builder) -> None:
    county = Region.objects.get(code="990121")
    county_gov = Org.objects.get(region=county, name="青山县人民政府")
    for name, kind, town_name in RECEPTION_ORGANS:
        if town_name is None:
            b.org(name, county, kind, county_gov)
            continue
        town = Region.objects.get(parent=county, name=town_name)
        b.org(name, town, kind, Org.objects.get(region=town, kind=OrgKind.TOWNSHIP))
