"""Files of existing records for the import tests, written the way a bureau's export looks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from xinfang.statistics.importing import COLUMNS

# A small export: a case concluded with ratings, one handled by a city department, a repeat of the
# first, a 进京访 registered at the national bureau (outside the test world), an open case.
GOOD_ROWS: list[dict[str, str]] = [
    {
        "信访件编号": "SRC-0001",
        "信访日期": "2024-03-04",
        "登记机构": "示例市信访局",
        "信访形式": "来访",
        "信访性质": "申诉求决",
        "人数": "6",
        "问题属地": "990121",
        "内容分类": "040300",
        "标题": "工地拖欠农民工工资",
        "内容": "我们在工地务工，包工头拖欠工资三个月，请求帮助追讨。",
        "信访人姓名": "王小明",
        "手机": "13800001111",
        "是否逐级": "是",
        "受理日期": "2024-03-05",
        "答复日期": "2024-04-10",
        "答复类型": "支持",
        "办结日期": "2024-06-20",
        "信访部门评价": "满意",
        "责任单位评价": "基本满意",
    },
    {
        "信访件编号": "SRC-0002",
        "信访日期": "2024/03/06",
        "登记机构": "示例市信访局",
        "信访形式": "来信",
        "问题属地": "示例市",
        "内容分类": "住房保障与房地产",
        "标题": "住房墙体开裂问题",
        "内容": "房屋交付两年墙体多处开裂，开发商拖延维修。",
        "信访人姓名": "李红",
        "责任单位": "示例市住房和城乡建设局",
        "受理日期": "2024-03-12",
        "答复日期": "2024-04-20",
        "答复类型": "解释说明",
    },
    {
        "信访件编号": "SRC-0003",
        "信访日期": "2024年5月6日",
        "信访形式": "来访",
        "问题属地": "青山县",
        "内容分类": "拖欠工资",
        "标题": "再次反映拖欠工资",
        "内容": "上次反映的工资至今未发放。",
        "信访人姓名": "王小明",
        "重复信访件编号": "SRC-0001",
        "是否逐级": "否",
    },
    {
        "信访件编号": "SRC-0004",
        "信访日期": "2024-07-01",
        "登记机构": "国家信访局",
        "登记机构级别": "国家",
        "信访形式": "来访",
        "人数": "2",
        "问题属地": "城关镇",
        "标题": "土地征收补偿未到位",
        "内容": "集体土地被征收后补偿款至今未发放。",
        "信访人姓名": "赵强",
    },
    {
        "信访件编号": "SRC-0005",
        "信访日期": "20240930",
        "信访形式": "网上信访",
        "信访性质": "建议意见",
        "问题属地": "990122",
        "标题": "关于优化公交线路的建议",
        "内容": "建议增设公交站点并延长末班车时间。",
        "信访人姓名": "孙丽",
    },
]

# Each bad row and the (column, words of the reason) it must be refused with.
BAD_ROWS: list[tuple[dict[str, str], str, str]] = [
    ({"信访件编号": "BAD-1", "信访形式": "来访", "问题属地": "990121"}, "信访日期", "必填"),
    (
        {"信访件编号": "BAD-2", "信访日期": "2024-02-30", "信访形式": "来访", "问题属地": "990121"},
        "信访日期",
        "不是有效日期",
    ),
    (
        {"信访件编号": "BAD-3", "信访日期": "2024-03-01", "信访形式": "上门", "问题属地": "990121"},
        "信访形式",
        "无效",
    ),
    (
        {"信访件编号": "BAD-4", "信访日期": "2024-03-01", "信访形式": "来信", "问题属地": "火星"},
        "问题属地",
        "不是本系统",
    ),
    (
        {
            "信访件编号": "BAD-5",
            "信访日期": "2024-03-01",
            "信访形式": "来信",
            "问题属地": "990121",
            "人数": "零",
        },
        "人数",
        "整数",
    ),
    (
        {
            "信访件编号": "BAD-6",
            "信访日期": "2024-03-01",
            "信访形式": "来信",
            "问题属地": "990121",
            "责任单位": "不存在局",
        },
        "责任单位",
        "不是本系统的机构",
    ),
    (
        {
            "信访件编号": "BAD-7",
            "信访日期": "2024-03-01",
            "信访形式": "来信",
            "问题属地": "990121",
            "登记机构": "某某局",
        },
        "登记机构",
        "系统外的机构请填写登记机构级别",
    ),
    (
        {
            "信访件编号": "BAD-8",
            "信访日期": "2024-03-05",
            "信访形式": "来信",
            "问题属地": "990121",
            "受理日期": "2024-03-01",
        },
        "受理日期",
        "早于信访日期",
    ),
]


def table(rows: Sequence[Mapping[str, str]], columns: Sequence[str] = COLUMNS) -> list[list[str]]:
    return [list(columns), *([row.get(column, "") for column in columns] for row in rows)]


def write_csv(path: Path, rows: Sequence[Mapping[str, str]], *, encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(table(rows))
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for record in table(rows):
        # Numbers and dates as Excel stores them, not as text.
        sheet.append([_excel_value(v) for v in record])
    book.save(path)
    return path


def _excel_value(value: str) -> object:
    if value.isdigit() and len(value) < 6:
        return int(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.fromisoformat(value)
    return value
