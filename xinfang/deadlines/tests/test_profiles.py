"""Policy profiles: the shipped data, inheritance, region lookup and validation messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from xinfang.deadlines.profiles import (
    CLOCK_NAMES,
    DEFAULT_PROFILES_PATH,
    STATUTORY_HEARING_CLOCKS,
    DeadlineRule,
    PolicyProfile,
    load_profiles,
    merge_rules,
    parse_profiles,
    profile_for_region,
)

PROFILES = load_profiles()
SHIPPED: dict[str, Any] = json.loads(DEFAULT_PROFILES_PATH.read_text(encoding="utf-8"))


def shipped_with(change: Any) -> dict[str, Any]:
    """A deep copy of the shipped data with ``change(data)`` applied."""
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def national_rule(data: dict[str, Any], clock: str) -> dict[str, Any]:
    rule: dict[str, Any] = data["profiles"][0]["rules"][clock]
    return rule


# -- the shipped data ------------------------------------------------------------------------


def test_the_shipped_file_has_the_national_and_two_provincial_profiles() -> None:
    assert set(PROFILES) == {"national", "zhejiang", "henan"}
    assert all(set(p.rules) == set(CLOCK_NAMES) for p in PROFILES.values())


def test_the_national_profile_follows_the_xinfang_regulation() -> None:
    rules = PROFILES["national"].rules
    expected = {
        "route": (15, "calendar", None, "第二十二条"),
        "accept": (15, "calendar", None, "第二十三条"),
        "object": (5, "workday", None, "第二十三条"),
        "handle": (60, "calendar", 30, "第三十四条"),
        "review_request": (30, "calendar", None, "第三十五条"),
        "review_decide": (30, "calendar", None, "第三十五条"),
        "rereview_request": (30, "calendar", None, "第三十六条"),
        "rereview_decide": (30, "calendar", None, "第三十六条"),
        "rating": (7, "calendar", None, "第二十一条"),
    }
    for clock, (length, unit, extension_limit, article) in expected.items():
        rule = rules[clock]
        assert (rule.length, rule.unit, rule.extension_limit) == (length, unit, extension_limit), clock
        assert rule.legal_ref.startswith("《信访工作条例》") and article in rule.legal_ref, clock
    assert rules["handle"].max_extensions == 1


def test_petitioner_and_objection_periods_are_windows_and_organ_periods_are_duties() -> None:
    kinds = {name: rule.kind for name, rule in PROFILES["national"].rules.items()}
    assert {n for n, k in kinds.items() if k == "window"} == {
        "object",
        "review_request",
        "rereview_request",
        "rating",
    }


def test_zhejiang_overrides_routing_acceptance_and_handling_and_inherits_the_rest() -> None:
    zhejiang, national = PROFILES["zhejiang"], PROFILES["national"]
    assert zhejiang.parent == "national"
    assert zhejiang.overrides == {"route", "accept", "handle"}
    assert (zhejiang.rules["route"].length, zhejiang.rules["route"].unit) == (5, "workday")
    assert (zhejiang.rules["accept"].length, zhejiang.rules["accept"].unit) == (5, "workday")
    handle = zhejiang.rules["handle"]
    assert (handle.length, handle.unit, handle.extension_limit) == (30, "calendar", 60)
    assert handle.end_events == national.rules["handle"].end_events  # inherited field by field
    assert "浙江" in handle.legal_ref
    assert zhejiang.rules["review_decide"] is national.rules["review_decide"]


def test_henan_handles_in_thirty_days_and_at_most_ninety_in_all() -> None:
    henan = PROFILES["henan"].rules
    assert henan["handle"].length == 30
    assert henan["handle"].length + (henan["handle"].extension_limit or 0) == 90
    assert (henan["route"].length, henan["route"].unit) == (5, "calendar")
    assert (henan["object"].length, henan["object"].unit) == (5, "calendar")


def test_a_region_uses_its_provinces_profile_otherwise_the_national_one() -> None:
    assert profile_for_region(PROFILES, "330102").code == "zhejiang"  # 杭州市上城区
    assert profile_for_region(PROFILES, "410100").code == "henan"  # 郑州市
    assert profile_for_region(PROFILES, "110101").code == "national"  # 北京市东城区
    assert profile_for_region(PROFILES, None).code == "national"


def test_merge_rules_replaces_whole_rules_clock_by_clock() -> None:
    national = PROFILES["national"].rules
    own = {"route": PROFILES["zhejiang"].rules["route"]}
    merged = merge_rules(national, own)
    assert merged["route"] is own["route"]
    assert merged["handle"] is national["handle"]
    assert list(merged) == list(CLOCK_NAMES)


# -- validation ------------------------------------------------------------------------------


def test_a_rule_with_an_unknown_unit_names_the_field() -> None:
    data = shipped_with(lambda d: national_rule(d, "route").update(unit="weeks"))
    with pytest.raises(ValueError, match=r"profile 'national': rule 'route': field 'unit' must be one of"):
        parse_profiles(data)


def test_a_rule_with_a_non_positive_length_names_the_field() -> None:
    data = shipped_with(lambda d: national_rule(d, "handle").update(length=0))
    with pytest.raises(ValueError, match=r"rule 'handle': field 'length' must be a positive whole number"):
        parse_profiles(data)


def test_a_length_given_as_text_is_refused() -> None:
    data = shipped_with(lambda d: national_rule(d, "handle").update(length="60"))
    with pytest.raises(ValueError, match=r"field 'length'.*got '60'"):
        parse_profiles(data)


def test_a_negative_extension_limit_in_a_provincial_override_names_profile_and_field() -> None:
    data = shipped_with(lambda d: d["profiles"][1]["rules"]["handle"].update(extension_limit=-5))
    with pytest.raises(ValueError, match=r"profile 'zhejiang': rule 'handle': field 'extension_limit'"):
        parse_profiles(data)


def test_an_unknown_event_kind_names_the_field() -> None:
    data = shipped_with(lambda d: national_rule(d, "accept").update(start_events=["forwarded", "recieved"]))
    with pytest.raises(ValueError, match=r"rule 'accept': field 'start_events'.*recieved"):
        parse_profiles(data)


def test_an_event_that_both_starts_and_ends_a_clock_is_refused() -> None:
    data = shipped_with(lambda d: national_rule(d, "handle").update(end_events=["accepted"]))
    with pytest.raises(ValueError, match=r"rule 'handle': field 'end_events' must be disjoint"):
        parse_profiles(data)


def test_an_unknown_clock_is_refused() -> None:
    data = shipped_with(lambda d: d["profiles"][2]["rules"].update(appeal={"length": 5}))
    with pytest.raises(ValueError, match=r"profile 'henan': field 'rules' has unknown clock 'appeal'"):
        parse_profiles(data)


def test_an_unknown_rule_field_is_refused() -> None:
    data = shipped_with(lambda d: d["profiles"][1]["rules"]["route"].update(lenght=5))
    with pytest.raises(ValueError, match=r"profile 'zhejiang' rule 'route': unknown field\(s\) \['lenght'\]"):
        parse_profiles(data)


def test_a_root_profile_rule_missing_required_fields_lists_them() -> None:
    data = shipped_with(lambda d: national_rule(d, "rating").pop("length"))
    with pytest.raises(ValueError, match=r"rule 'rating': field\(s\) \['length'\] are required"):
        parse_profiles(data)


def test_a_root_profile_must_define_every_clock() -> None:
    data = shipped_with(lambda d: d["profiles"][0]["rules"].pop("rating"))
    with pytest.raises(ValueError, match=r"profile 'national': field 'rules' lacks clock\(s\) \['rating'\]"):
        parse_profiles(data)


def test_an_unknown_parent_is_refused() -> None:
    data = shipped_with(lambda d: d["profiles"][2].update(parent="hubei"))
    with pytest.raises(ValueError, match=r"profile 'henan': field 'parent' must be null or a known profile"):
        parse_profiles(data)


def test_a_parent_cycle_is_refused() -> None:
    def make_cycle(d: dict[str, Any]) -> None:
        d["profiles"][1]["parent"] = "henan"
        d["profiles"][2]["parent"] = "zhejiang"

    with pytest.raises(ValueError, match=r"field 'parent' makes a cycle: zhejiang -> henan -> zhejiang"):
        parse_profiles(shipped_with(make_cycle))


def test_a_duplicate_profile_code_is_refused() -> None:
    data = shipped_with(lambda d: d["profiles"][2].update(code="zhejiang"))
    with pytest.raises(ValueError, match="'zhejiang' appears twice"):
        parse_profiles(data)


def test_bad_region_prefixes_are_refused() -> None:
    data = shipped_with(lambda d: d["profiles"][1].update(regions=["浙江"]))
    with pytest.raises(ValueError, match=r"profile 'zhejiang': field 'regions'"):
        parse_profiles(data)


def test_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{profiles: ", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON"):
        load_profiles(path)


def test_errors_from_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(shipped_with(lambda d: d["profiles"][0].pop("name"))), encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine\.json: profile 'national': field 'name'"):
        load_profiles(path)


def test_a_rule_built_in_code_is_validated_too() -> None:
    with pytest.raises(ValueError, match=r"rule 'handle': field 'legal_ref'"):
        DeadlineRule(
            clock="handle",
            start_events=("accepted",),
            end_events=("replied",),
            length=60,
            unit="calendar",
            legal_ref=" ",
        )


# -- the clocks a hearing stops ----------------------------------------------------------------


def test_a_hearing_stops_the_rereview_clock_nationally_and_the_provinces_inherit_it() -> None:
    # 第三十六条 excludes the hearing's time from the 复核 period; the shipped provincial texts (as
    # far as they were read) say nothing else, so 浙江 and 河南 keep the national list.
    assert SHIPPED["profiles"][0]["hearing_clocks"] == ["rereview_decide"]
    assert {code: p.hearing_clocks for code, p in PROFILES.items()} == {
        "national": ("rereview_decide",),
        "zhejiang": ("rereview_decide",),
        "henan": ("rereview_decide",),
    }
    assert STATUTORY_HEARING_CLOCKS == ("rereview_decide",)


def test_a_province_may_name_its_own_hearing_clocks_and_its_children_inherit_them() -> None:
    def change(data: dict[str, Any]) -> None:
        data["profiles"][1]["hearing_clocks"] = ["rereview_decide", "handle"]
        data["profiles"].append({"code": "hangzhou", "name": "杭州", "parent": "zhejiang", "rules": {}})

    profiles = parse_profiles(shipped_with(change))
    # lifecycle order, whatever order the file gives
    assert profiles["zhejiang"].hearing_clocks == ("handle", "rereview_decide")
    assert profiles["hangzhou"].hearing_clocks == ("handle", "rereview_decide")
    assert profiles["henan"].hearing_clocks == ("rereview_decide",)


def test_an_empty_list_stops_no_clock_and_a_root_without_one_stops_the_rereview_clock() -> None:
    def empty(data: dict[str, Any]) -> None:
        data["profiles"][2]["hearing_clocks"] = []

    assert parse_profiles(shipped_with(empty))["henan"].hearing_clocks == ()
    without = parse_profiles(shipped_with(lambda d: d["profiles"][0].pop("hearing_clocks")))
    assert without["national"].hearing_clocks == ("rereview_decide",)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["appeal"], r"profile 'zhejiang': field 'hearing_clocks' has unknown clock\(s\) \['appeal'\]"),
        ("handle", r"profile 'zhejiang': field 'hearing_clocks' must be a list of clock names"),
        ([1], r"field 'hearing_clocks' must be a list of clock names"),
        (["handle", "handle"], r"field 'hearing_clocks' names a clock twice"),
    ],
)
def test_bad_hearing_clocks_are_refused_naming_profile_and_field(value: Any, message: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["profiles"][1]["hearing_clocks"] = value

    with pytest.raises(ValueError, match=message):
        parse_profiles(shipped_with(change))


def test_a_profile_built_in_code_checks_its_hearing_clocks() -> None:
    with pytest.raises(ValueError, match=r"profile 'x': field 'hearing_clocks'"):
        PolicyProfile(
            code="x", name="x", parent=None, rules=PROFILES["national"].rules, hearing_clocks=("x",)
        )
