"""Named places and admin areas in petition text (pure): what a hot spot is about, and what a reply
should name.

``extract_places`` finds named places in the title, else the detail: a run of 2–10 name characters
ending in a place suffix (小区, 花园, 苑, 学院, 医院, 路, 村 …). Admin units (A市, A3区, K9县) are kept
apart as the *area*; a place key never includes them, so "A5区魅力之城" and "魅力之城小区" meet.
The key is the place without its generic suffix (魅力之城小区 -> 魅力之城).
Street offices, towns and communities (街道, 镇, 乡, 社区) are areas, not keys.
Generic phrases are not places: a name never runs across words such as 附近/旁边/修建/搅拌站/的
("丽发新城小区附近搅拌站" gives 丽发新城). Victims of a named lending scheme (58车贷) and people named by
their case or platform are keyed by the scheme. How keys are merged into hot spots: ``hotspots``.
"""

from __future__ import annotations

import re

from .normalize import compact

__all__ = ["extract_area", "extract_places", "is_scheme", "named_places", "place_key_of"]

_SUFFIXES = (
    "小区|花园|花苑|家园|公寓|大厦|广场|新城|新村|山庄|名苑|名城|华府|公馆|国际|一期|二期|三期|苑|府|湾|城|园|"
    "街道|社区|村|镇|乡|小学|中学|学校|大学|学院|幼儿园|医院|卫生院|车站|高铁站|地铁站|公司|集团|酒店|"
    "市场|商场|工业园|产业园|景区|公园|路|大道|大街|街|桥|隧道"
)
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9]"
_PLACE = re.compile(rf"({_NAME_CHARS}{{2,10}}?)({_SUFFIXES})")
_AREA = re.compile(r"[A-Z]\d{0,2}[市区县]")
_LEADING_NOISE = re.compile(
    r"^(?:[A-Z]\d{0,2}[市区县]|西地省|关于|反映|投诉|举报|请求|建议|咨询|希望|要求|请问|解决|南侧|北侧|东侧|西侧|"
    r"请|的|在|对|与|和|及|我|我们|"
    r"本人|位于|地处|家住|住在|市|省|县|区)+"
)
# 街道/镇/乡/社区 cover many estates and topics: they are areas, not the object of a hot spot
_AREA_LIKE = ("街道", "镇", "乡", "社区")
_STOP_PLACES = {
    "我们小",
    "这个小",
    "本小",
    "该小",
    "小区",
    "我市",
    "公司",
    "学校",
    "医院",
    "道路",
    "马路",
    # kinds of place, not places
    "幼儿园",
    "物业公司",
    "公交线路",
    "开发公司",
    "房地产公司",
    "培训学校",
    "民办学校",
    "小学",
    "中学",
    "大学",
}
# words that cannot be inside a place name: a name never runs across them ("丽发新城小区附近搅拌站" is the
# place 丽发新城 and a facility near it, not a place called "小区附近搅拌站")
_BREAK = re.compile(
    r"附近|旁边|周边|周围|对面|门口|楼下|里面|内部|隔壁|居然|竟然|仍然|存在|修建|新建|违建|乱建|建设|建了|"
    r"市委|市政府|政府|部门|搅拌站|搅拌厂|垃圾站|工地|搬迁|一个|这个|那个|我们|我家|你们|他们|居民区|老百姓|业主|小区内|关于|反映|投诉|举报|希望|要求|请求|"
    r"严重|影响|污染|噪音|扰民|问题|何时|什么|怎么|为什么|能否|是否|可以|[的了在和与及遭被把将给是有旁个对向从为]"
)
# a name made only of these characters is a description, not a name ("小区", "社区", "该小区")
_GENERIC_NAME = re.compile(r"^[小区社该本此某各新老大整个们我这那一二三四五六七八九十几所家住宿舍楼栋号]+$")
_GROUP_SUFFIX_STRIP = re.compile(r"(小区|花园|花苑|家园|公寓|一期|二期|三期)$")


def extract_area(text: str) -> str:
    """The most specific admin unit mentioned (K9县 over A市)."""
    areas = _AREA.findall(text)
    specific = [a for a in areas if not a.endswith("市")]
    return specific[0] if specific else (areas[0] if areas else "")


def extract_places(text: str) -> list[str]:
    """Named places in ``text``, most specific first, without admin-unit prefixes (normalises first)."""
    return named_places(compact(text))


def named_places(text: str) -> list[str]:
    """Named places in ``text`` (normalised), most specific first, without admin-unit prefixes."""
    out: list[str] = []
    for chunk in _BREAK.split(text):
        for m in _PLACE.finditer(chunk):
            name = _LEADING_NOISE.sub("", _LEADING_NOISE.sub("", m.group(1)) + m.group(2))
            head = name[: len(name) - len(m.group(2))]
            if (
                len(name) >= 3
                and name not in _STOP_PLACES
                and not _AREA.fullmatch(name)
                and len(head) >= 2
                and not _GENERIC_NAME.match(head)
            ):
                out.append(name)
    return out


# a group of people is often named by their case or platform: "58车贷案", "XX平台"
_CASE = re.compile(r"([0-9A-Za-z]{2,}[\u4e00-\u9fff]{1,3}?)(?:一案|案件|案|平台)")
# victims of a named lending/investment scheme are a group of people: "58车贷", "XX网贷", "XX理财"
_SCHEME = re.compile(r"([0-9A-Za-z]{1,8}|[\u4e00-\u9fff]{2,4})(车贷|网贷|理财|集资)")


def place_key_of(title: str, head: str) -> str:
    """Group key of a message from its normalised title and detail opening: a named scheme or case
    (58车贷) in the title, else its first named place (else the detail's), generic suffix removed."""
    scheme = _SCHEME.search(title)
    if scheme and scheme.group(1)[0].isascii():
        return scheme.group(1) + scheme.group(2)
    case = _CASE.search(title) or _CASE.search(head)
    if case:
        return case.group(1)[:4]
    places = named_places(title) or named_places(head)
    # prefer estates/schools over roads (a road is where, an estate is who), then the first named
    specific = [p for p in places if not p.endswith(_AREA_LIKE)]
    if not specific:
        return ""
    ranked = sorted(specific, key=lambda p: p.endswith(("路", "大道", "街", "桥")))
    stripped = _GROUP_SUFFIX_STRIP.sub("", ranked[0])
    return stripped if len(stripped) >= 2 else ranked[0]


def is_scheme(key: str) -> bool:
    """A key naming a lending or investment scheme (58车贷): a group of people, not a place."""
    return _SCHEME.fullmatch(key) is not None
