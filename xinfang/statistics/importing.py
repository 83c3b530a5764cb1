"""Reading and checking a file of existing records (CSV or XLSX) before anything is written.

Pure: no Django. The file is read into rows of text (`read_table`), then each row is checked and
typed (`parse_rows`): every bad value gives one `RowError` (row number as the spreadsheet shows it,
the column's Chinese header, the reason in Chinese), so a clerk can fix the whole file at once.
What needs the database (regions, categories, organs, earlier cases) is resolved afterwards by
`xinfang.statistics.importer`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CHANNELS",
    "COLUMNS",
    "LEVELS",
    "NATURES",
    "RATINGS",
    "REPLY_OUTCOMES",
    "REQUIRED",
    "FileProblem",
    "ImportRow",
    "RowError",
    "parse_rows",
    "read_table",
]

# The headers of the national system's export, in its order.
COLUMNS: tuple[str, ...] = (
    "信访件编号",
    "信访日期",
    "登记机构",
    "登记机构级别",
    "信访形式",
    "信访性质",
    "人数",
    "问题属地",
    "内容分类",
    "标题",
    "内容",
    "信访人姓名",
    "证件号码",
    "手机",
    "重复信访件编号",
    "是否逐级",
    "责任单位",
    "受理日期",
    "答复日期",
    "答复类型",
    "办结日期",
    "信访部门评价",
    "责任单位评价",
)
REQUIRED: tuple[str, ...] = ("信访日期", "信访形式", "问题属地")

# Chinese words of the file -> the stored values (cases.models.Channel, Nature, Rating.Value,
# orgs.models.Level; xinfang/statistics/tests/test_import_parsing.py checks they agree).
CHANNELS: Mapping[str, str] = {
    "来信": "letter",
    "来访": "visit",
    "走访": "visit",
    "网上信访": "online",
    "网信": "online",
    "电话": "phone",
    "传真": "fax",
    "视频": "video",
}
NATURES: Mapping[str, str] = {
    "建议意见": "suggestion",
    "建议": "suggestion",
    "检举控告": "accusation",
    "检举": "accusation",
    "控告": "accusation",
    "申诉求决": "appeal",
    "申诉": "appeal",
    "求决": "appeal",
}
LEVELS: Mapping[str, str] = {
    "国家": "national",
    "国家级": "national",
    "中央": "national",
    "省": "province",
    "省级": "province",
    "市": "city",
    "市级": "city",
    "县": "county",
    "县级": "county",
    "区县": "county",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "township",
}
REPLY_OUTCOMES: Mapping[str, str] = {"支持": "support", "解释说明": "explain", "不予支持": "not_support"}
RATINGS: Mapping[str, str] = {"满意": "satisfied", "基本满意": "basically", "不满意": "dissatisfied"}
_YES = {"是", "y", "yes", "true", "1", "逐级"}
_NO = {"否", "n", "no", "false", "0", "越级"}

DEFAULT_NATURE = "appeal"
MAX_HEADCOUNT = 100000  # as xinfang.core.validation
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_LIMITS = {
    "信访件编号": 64,
    "登记机构": 128,
    "标题": 200,
    "信访人姓名": 64,
    "责任单位": 128,
    "重复信访件编号": 64,
}


class FileProblem(ValueError):
    """The file as a whole cannot be read (unknown type, unreadable, a required column missing)."""


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # the Chinese header, "" for the row as a whole
    reason: str


@dataclass(frozen=True)
class ImportRow:
    """One checked row; text references (region, category, organs) are resolved later."""

    row: int
    external_number: str  # 信访件编号, or "#" and a digest of the row when the file has none
    received_on: dt.date
    registering_org: str
    registering_level: str  # an orgs Level value, "" when not given
    channel: str
    nature: str
    headcount: int
    problem_region: str
    category: str
    subject: str
    content: str
    petitioner_name: str
    id_number: str
    phone: str
    repeat_of: str
    via_proper_ladder: bool
    responsible_unit: str
    accepted_on: dt.date | None
    replied_on: dt.date | None
    reply_outcome: str
    closed_on: dt.date | None
    bureau_rating: str
    unit_rating: str


# --- reading -------------------------------------------------------------------------------------


def read_table(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the non-empty rows (with their spreadsheet row numbers) of a CSV or XLSX
    file, every cell as stripped text. CSV: UTF-8 with or without a BOM, else GB18030 (what Excel
    on a Chinese Windows writes)."""
    p = Path(path)
    if not p.is_file():
        raise FileProblem(f"文件不存在：{p}")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(p.read_bytes())
    elif suffix in (".xlsx", ".xlsm"):
        records = _xlsx_records(p)
    else:
        raise FileProblem(f"只能导入 .csv 或 .xlsx 文件（收到 {p.name}）。")
    if not records:
        raise FileProblem("文件为空，没有表头。")
    header = [_header(cell) for cell in records[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise FileProblem(f"文件缺少必填列：{'、'.join(missing)}。")
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records[1:], start=2):
        cells = {name: (record[i] if i < len(record) else "") for i, name in enumerate(header) if name}
        if any(cells.values()):
            rows.append((number, cells))
    return header, rows


def _header(cell: str) -> str:
    # Exports mark required columns with an asterisk and pad headers with full-width spaces.
    return cell.replace("\u3000", " ").strip().strip("*＊").strip()


def _csv_records(data: bytes) -> list[list[str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise FileProblem("无法识别文件编码：请另存为 UTF-8 或 GB18030 编码的 CSV。") from exc
    return [[cell.strip() for cell in record] for record in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_records(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # a library, not the framework: the core stays pure

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged or foreign file
        raise FileProblem(f"无法读取 Excel 文件：{exc}") from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- checking ------------------------------------------------------------------------------------


class _Row:
    """Collects the errors of one row while its values are read."""

    def __init__(self, number: int, cells: Mapping[str, str], errors: list[RowError]) -> None:
        self.number, self.cells, self.errors, self.count = number, cells, errors, 0

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.number, column, reason))
        self.count += 1

    def text(self, column: str) -> str:
        value = (
            " ".join(self.cells.get(column, "").split()) if column != "内容" else self.cells.get(column, "")
        )
        value = value.strip()
        limit = _LIMITS.get(column)
        if limit and len(value) > limit:
            self.fail(column, f"不能超过 {limit} 个字（现为 {len(value)} 个）。")
        return value

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.fail(column, "必填，不能为空。")
        return value

    def choice(self, column: str, words: Mapping[str, str], default: str = "") -> str:
        value = self.text(column)
        if not value:
            return default
        if value in words:
            return words[value]
        if value in words.values():  # the stored value itself (an export of this system)
            return value
        self.fail(column, f"“{value}”无效，可选：{'、'.join(dict.fromkeys(words))}。")
        return default

    def date(self, column: str, today: dt.date) -> dt.date | None:
        value = self.text(column)
        if not value:
            return None
        match = _DATE.match(value) or _COMPACT_DATE.match(value)
        day: dt.date | None = None
        if match:
            try:
                day = dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                day = None
        if day is None:
            self.fail(column, f"“{value}”不是有效日期，应写作 2024-03-05。")
            return None
        if day > today:
            self.fail(column, f"{day.isoformat()} 晚于今天。")
            return None
        if day.year < 1990:
            self.fail(column, f"{day.isoformat()} 早于 1990 年，请核对。")
            return None
        return day


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]], *, today: dt.date
) -> tuple[list[ImportRow], list[RowError]]:
    """Check and type every row; a row with any error is left out of the first list and named,
    with each of its errors, in the second. 信访件编号 must be unique in the file."""
    good: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        reader = _Row(number, cells, errors)
        parsed = _parse_one(reader, today)
        if parsed is not None and parsed.external_number in seen:
            reader.fail("信访件编号", f"与第 {seen[parsed.external_number]} 行重复。")
        if parsed is not None and reader.count == 0:
            seen[parsed.external_number] = number
            good.append(parsed)
    return good, errors


def _parse_one(r: _Row, today: dt.date) -> ImportRow | None:
    number = r.text("信访件编号")
    received_on = r.date("信访日期", today)
    if not r.text("信访日期"):
        r.fail("信访日期", "必填，不能为空。")
    level = r.choice("登记机构级别", LEVELS)
    channel = r.choice("信访形式", CHANNELS)
    if not r.text("信访形式"):
        r.fail("信访形式", "必填，不能为空。")
    nature = r.choice("信访性质", NATURES, DEFAULT_NATURE)
    headcount = _headcount(r)
    region = r.required("问题属地")
    phone = r.text("手机")
    if phone and not _PHONE.match(re.sub(r"[\s\-]", "", phone)):
        r.fail("手机", "应为 7 至 15 位数字。")
    ladder = r.text("是否逐级").lower()
    if ladder and ladder not in _YES | _NO:
        r.fail("是否逐级", f"“{ladder}”无效，应填“是”或“否”。")
    repeat_of = r.text("重复信访件编号")
    if repeat_of and number and repeat_of == number:
        r.fail("重复信访件编号", "不能引用本件自己。")
    accepted_on = r.date("受理日期", today)
    replied_on = r.date("答复日期", today)
    outcome = r.choice("答复类型", REPLY_OUTCOMES)
    closed_on = r.date("办结日期", today)
    ratings = (r.choice("信访部门评价", RATINGS), r.choice("责任单位评价", RATINGS))
    _check_order(r, received_on, accepted_on, replied_on, closed_on, outcome, ratings)
    if received_on is None or r.count:
        return None
    subject = r.text("标题")
    content = r.text("内容")
    return ImportRow(
        row=r.number,
        external_number=number or _digest(r.cells),
        received_on=received_on,
        registering_org=r.text("登记机构"),
        registering_level=level,
        channel=channel,
        nature=nature,
        headcount=headcount,
        problem_region=region,
        category=r.text("内容分类"),
        subject=subject or (content[:30] if content else "（原系统未录入标题）"),
        content=content or subject or "（原系统未录入内容）",
        petitioner_name=r.text("信访人姓名"),
        id_number=r.text("证件号码"),
        phone=phone,
        repeat_of=repeat_of,
        via_proper_ladder=ladder not in _NO,
        responsible_unit=r.text("责任单位"),
        accepted_on=accepted_on,
        replied_on=replied_on,
        reply_outcome=outcome,
        closed_on=closed_on,
        bureau_rating=ratings[0],
        unit_rating=ratings[1],
    )


def _headcount(r: _Row) -> int:
    value = r.text("人数")
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_HEADCOUNT:
        r.fail("人数", f"“{value}”无效，应为 1 至 {MAX_HEADCOUNT} 之间的整数。")
        return 1
    return int(value)


def _check_order(
    r: _Row,
    received_on: dt.date | None,
    accepted_on: dt.date | None,
    replied_on: dt.date | None,
    closed_on: dt.date | None,
    outcome: str,
    ratings: Sequence[str],
) -> None:
    """Each step needs the one before it and cannot be earlier."""
    steps = [
        ("信访日期", received_on),
        ("受理日期", accepted_on),
        ("答复日期", replied_on),
        ("办结日期", closed_on),
    ]
    for (before, earlier), (column, later) in itertools.pairwise(steps):
        if later is None:
            continue
        if earlier is None:
            if r.text(before) == "":  # a bad earlier date is reported on its own column
                r.fail(column, f"填写{column}时应填写{before}。")
        elif later < earlier:
            r.fail(column, f"{later.isoformat()} 早于{before} {earlier.isoformat()}。")
    if replied_on is not None and not outcome and not r.text("答复类型"):
        r.fail("答复类型", "填写答复日期时应填写答复类型（支持、解释说明、不予支持）。")
    if outcome and replied_on is None and not r.text("答复日期"):
        r.fail("答复日期", "填写答复类型时应填写答复日期。")
    for column, value in zip(("信访部门评价", "责任单位评价"), ratings, strict=True):
        if value and replied_on is None and not r.text("答复日期"):
            r.fail(column, "尚未答复的事项不能有评价：请填写答复日期。")


def _digest(cells: Mapping[str, str]) -> str:
    """A row without 信访件编号 is known by its content, so importing the file again skips it."""
    text = "\x1f".join(f"{column}={cells.get(column, '').strip()}" for column in COLUMNS)
    return "#" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
