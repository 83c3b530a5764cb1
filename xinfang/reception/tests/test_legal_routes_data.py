"""The starting legal-route guide (data/legal_routes.csv): every line loads, every category of the
code table (level 1 and level 2) has a line, every channel is valid, no legal basis or place is
empty, and the lines choose the routes the law sets (劳动争议 → 仲裁, 社保经办机构的行为 → 行政复议)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from xinfang.cases.categories import DEFAULT_CATEGORIES_CSV
from xinfang.cases.models import ContentCategory
from xinfang.cases.services.routing import LEGAL_CHANNELS
from xinfang.cases.tests.helpers import category
from xinfang.reception.legal_routes import COLUMNS, DEFAULT_ROUTES_CSV, load_routes
from xinfang.reception.models import LegalRoute
from xinfang.reception.route_guide import split_keywords
from xinfang.reception.selectors.routes import suggest_routes_for

ROWS = list(csv.DictReader(io.StringIO(DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"))))
CATEGORIES = list(csv.DictReader(io.StringIO(DEFAULT_CATEGORIES_CSV.read_text(encoding="utf-8"))))
LEVEL1 = [c["code"] for c in CATEGORIES if not c["parent_code"]]
LEVEL2 = [c["code"] for c in CATEGORIES if c["parent_code"]]


def _fresh_guide() -> int:
    """The shipped guide, loaded into an empty table (a browser test elsewhere may have flushed the
    migration's rows)."""
    category("010000")  # the code table
    LegalRoute.objects.all().delete()
    return load_routes(
        DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"), route_model=LegalRoute, category_model=ContentCategory
    )


def test_the_file_has_the_columns_and_every_field_filled() -> None:
    header = DEFAULT_ROUTES_CSV.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS
    assert len(ROWS) >= 60
    for number, row in enumerate(ROWS, start=2):
        assert row["channel"] in LEGAL_CHANNELS, number
        for name in ("name", "matters", "legal_basis", "where_to_go", "order"):
            assert row[name].strip(), (number, name)
        assert row["order"].isdigit(), number
        assert len(row["name"]) <= 64 and len(row["matters"]) <= 200 and len(row["keywords"]) <= 200, number


def test_every_basis_names_a_law_and_cites_articles_in_the_chinese_form() -> None:
    for number, row in enumerate(ROWS, start=2):
        basis = row["legal_basis"]
        assert re.search(r"《[^》]+》", basis), (number, basis)
        # an article is 第…条 in Chinese numerals, never a bare number
        for article in re.findall(r"第(\S+?)条", basis):
            assert re.fullmatch(r"[一二三四五六七八九十百千零]+", article), (number, article)


def test_every_category_of_the_code_table_has_a_line() -> None:
    assert len(LEVEL1) == 17 and "990000" in LEVEL1
    listed = {row["category_code"] for row in ROWS}
    assert set(LEVEL1) - listed == set()
    assert set(LEVEL2) - listed == set()
    assert listed - {""} <= {c["code"] for c in CATEGORIES}  # no code the table does not have
    assert "" in listed  # lines for every category, by their words


def test_a_category_with_several_routes_tells_them_apart_by_words() -> None:
    by_code: dict[str, list[dict[str, str]]] = {}
    for row in ROWS:
        by_code.setdefault(row["category_code"], []).append(row)
    for code, rows in by_code.items():
        if len(rows) > 1:
            without_words = [r["name"] for r in rows if not split_keywords(r["keywords"])]
            assert len(without_words) <= 1, (code, without_words)


@pytest.mark.django_db
def test_every_line_loads_and_the_migration_loaded_the_same() -> None:
    migrated = LegalRoute.objects.count()
    assert migrated in (0, len(ROWS))  # 0 only after another test flushed the tables
    assert _fresh_guide() == len(ROWS)
    assert LegalRoute.objects.filter(is_active=True).count() == len(ROWS)
    assert not LegalRoute.objects.filter(legal_basis="").exists()
    assert not LegalRoute.objects.filter(where_to_go="").exists()
    assert set(LegalRoute.objects.values_list("channel", flat=True)) <= set(LEGAL_CHANNELS)
    for code in LEVEL1:
        top = ContentCategory.objects.get(code=code)
        assert LegalRoute.objects.filter(category__code__startswith=code[:2]).exists(), top.name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "text", "name", "channel"),
    [
        ("040100", "公司拖欠工资三个月并解除劳动合同", "劳动人事争议仲裁", "labour_arbitration"),
        ("040300", "包工头拖欠农民工工资", "劳动人事争议仲裁（农民工工资）", "labour_arbitration"),
        (
            "040200",
            "社保经办机构核定的养老金待遇有误",
            "行政复议、行政诉讼（社会保险经办机构的行为）",
            "administrative_review",
        ),
        (
            "040200",
            "用人单位未缴社保，退休后待遇受损",
            "劳动人事争议仲裁（社会保险争议）",
            "labour_arbitration",
        ),
        ("020200", "与邻居的宅基地界址争议", "土地权属争议由人民政府处理", "administrative_ruling"),
        (
            "030200",
            "对区政府的房屋征收决定不服",
            "行政复议、行政诉讼（房屋征收决定）",
            "administrative_review",
        ),
        ("050100", "手术后出现并发症，医院拒绝赔偿", "医疗纠纷人民调解、行政调解或者诉讼", "litigation"),
        ("080100", "不服法院生效判决", "申请再审或者申诉（审判监督程序）", "litigation"),
        (
            "080200",
            "对派出所作出的行政拘留处罚决定不服",
            "行政复议、行政诉讼（治安管理处罚）",
            "administrative_review",
        ),
        ("160000", "反映某局长收受贿赂", "向纪检监察机关检举控告", "discipline"),
        ("010000", "村里收回我家的承包地", "农村土地承包经营纠纷仲裁", "arbitration"),
        ("110000", "网购商品质量问题商家拒绝退货", "消费者权益争议的调解、投诉、仲裁或者诉讼", "litigation"),
        ("990000", "不服区城管局的行政处罚决定", "行政复议、行政诉讼", "administrative_review"),
    ],
)
def test_the_guide_suggests_the_route_the_law_sets_first_by_its_kind(
    code: str, text: str, name: str, channel: str
) -> None:
    _fresh_guide()
    suggested = suggest_routes_for(category=code, text=text)
    assert suggested[0].channel == channel and name in [route.name for route in suggested]


@pytest.mark.django_db
def test_the_labour_arbitration_line_cites_the_law_and_the_committee() -> None:
    _fresh_guide()
    line = LegalRoute.objects.get(category__code="040100", channel="labour_arbitration")
    assert "《中华人民共和国劳动争议调解仲裁法》第二条、第五条" in line.legal_basis
    assert "劳动人事争议仲裁委员会" in line.where_to_go and "一年" in line.where_to_go
    review = LegalRoute.objects.get(name="行政复议、行政诉讼（社会保险经办机构的行为）")
    assert "《中华人民共和国社会保险法》第八十三条" in review.legal_basis


def _csv(*rows: str) -> str:
    return ",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "040100,工资,court,劳动仲裁,劳动争议,《劳动争议调解仲裁法》,仲裁委,10",
            "第 2 行：法定途径类别“court”无效。",
        ),
        ("049900,工资,litigation,诉讼,劳动争议,《民事诉讼法》,法院,10", "第 2 行：内容分类“049900”不存在。"),
        ("040100,工资,litigation,诉讼,劳动争议,,法院,10", "第 2 行：legal_basis 不能为空。"),
        ("040100,工资,litigation,诉讼,劳动争议,《民事诉讼法》, ,10", "第 2 行：where_to_go 不能为空。"),
    ],
)
def test_the_loader_refuses_a_bad_line_with_its_number(row: str, message: str) -> None:
    category("040100")
    with pytest.raises(ValueError) as refused:
        load_routes(_csv(row), route_model=LegalRoute, category_model=ContentCategory)
    assert str(refused.value) == message


@pytest.mark.django_db
def test_the_loader_takes_a_line_for_every_category_and_a_default_order() -> None:
    category("040100")
    LegalRoute.objects.all().delete()
    created = load_routes(
        _csv(",国家赔偿,other,国家赔偿,请求国家赔偿,《中华人民共和国国家赔偿法》第九条,赔偿义务机关,"),
        route_model=LegalRoute,
        category_model=ContentCategory,
    )
    route = LegalRoute.objects.get()
    assert created == 1 and route.category is None and route.order == 100 and str(route) == "通用 → 国家赔偿"
