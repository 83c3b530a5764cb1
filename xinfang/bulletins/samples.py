"""The invented contexts a bulletin template is previewed on in the back office (registered with
`xinfang.statistics.render.register_samples` in BulletinsConfig.ready): the sample report's figures
and the bulletin's own names, with made-up hot issues, cases and items (names already masked)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xinfang.statistics.render_context import context
from xinfang.statistics.render_sample import empty_report, sample_report

HOT = [
    {
        "序号": "一",
        "问题": "东城区幸福里小区加装电梯费用分摊争议",
        "地点": "东城区幸福里小区",
        "件数": 14,
        "首次预警": "3月5日",
        "最近预警": "5月12日",
        "研判": "已报分管领导，由区住建局牵头召开协调会。",
    },
    {
        "序号": "二",
        "问题": "示例县某建设项目拖欠农民工工资",
        "地点": "示例县",
        "件数": 9,
        "首次预警": "4月18日",
        "最近预警": "4月18日",
        "研判": "",
    },
]
CASES = [
    {
        "序号": "一",
        "编号": "9901002025031000000123",
        "摘要": "东城区群众反映小区住房墙体开裂多年未修",
        "办理情况": "东城区住房和城乡建设局已作出处理意见（已送达）",
        "说明": "住建部门现场核查后督促开发商限期维修，信访人表示满意。",
        "内容分类": "城乡建设",
        "问题属地": "东城区",
    },
    {
        "序号": "二",
        "编号": "9901212025041500000456",
        "摘要": "示例县12名群众反映征地补偿款未足额发放",
        "办理情况": "示例县人民政府正在办理（办理中）",
        "说明": "",
        "内容分类": "农村农业",
        "问题属地": "示例县",
    },
]
ITEMS = [
    {
        "序号": "一",
        "标题": "市信访局开展领导干部接访下访活动",
        "内容": "5月，市信访局组织开展领导干部接访下访活动。",
    },
]


def _bulletin_names(number: str, hot: list[Any], cases: list[Any], items: list[Any]) -> dict[str, Any]:
    return {
        "期号": number,
        "年度": "2025",
        "编发单位": "示例市信访局",
        "热点": hot,
        "典型案例": cases,
        "动态": items,
    }


def bulletin_samples() -> list[tuple[str, Mapping[str, Any]]]:
    return [
        ("示例简报", {**context(sample_report()), **_bulletin_names("第3期", HOT, CASES, ITEMS)}),
        (
            "没有热点和典型案例的一期",
            {**context(empty_report()), **_bulletin_names("第4期", [], [], [])},
        ),
    ]
