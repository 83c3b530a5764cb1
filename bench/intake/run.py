"""查重 benchmark: the intake duplicate / repeat check over hundreds of thousands of cases.

Run from the repository root: ``.venv/bin/python bench/intake/run.py`` (200,000 cases by default;
``--cases N``; ``--only postgres`` or ``--only sqlite`` for one backend). PostgreSQL at
``postgres://postgres@127.0.0.1:5432``: each backend runs in a child process on a fresh database that
the script creates and drops (SQLite: a temporary file).

What is built (seeded, deterministic):

- N cases with distinct texts. With ``../shared/data`` present, each text is a real message title and
  3–6 sentences taken from different real messages (``messages_hot.csv``, ``messages_replies.csv``,
  ``messages_test_unlabelled.csv``, read at run time, nothing copied into the repository); without it,
  synthetic sentences from a fixed vocabulary (the output says so). 5 % of the messages are held back
  as the "new matters" of the queries.
- Each case's 32 ``CaseTextSignature`` rows from the product's own ``intake.band_hashes``.
- One ``Petitioner`` per case with the product's keyed hashes (``pii.keyed_hash``, as
  ``case_register`` stores them), drawn from 3,000 people with a skewed distribution: from about 20
  cases for the least active person to several hundred for the most active.
- Regions, organs and the clerk through the product's services (``xinfang.orgs.services``): a
  province with 4 cities of 3 counties, each city's 信访局 registers the cases about its counties, and
  the clerk who checks is a 登记员 of the province's 信访局, who may see every case
  (``cases_visible_to``).

Cases, their units, first events, petitioners, signatures and the access policy's rows
(``xinfang.cases.access.rebuild_access``, as the data migration) are written in bulk (bench
only: the product writes them through ``case_register``, which indexes each case once it commits).
PostgreSQL is ``ANALYZE``-d after loading (what autovacuum does after a bulk load); SQLite is left as
the product leaves it (no ``ANALYZE``).

Measured: ``intake.find_similar`` for 300 queries, a third each of

- a perturbed resubmission of an indexed case (``bench/textintel/dup_eval.perturb``: traditional
  characters, punctuation and spacing, a paragraph dropped or added, a new title), half by the same
  person (expected: 重复信访 of that case), half by someone new (expected: 同一事项 of it);
- an unrelated new text (a held-back real message) by someone new;
- a known petitioner's new matter (a held-back message by a person who has earlier cases);

with median, p95 and max time per check against the targets, candidates looked at, how many
resubmissions were found, and the query plan of the band-key lookup on each backend.
"""

from __future__ import annotations

import csv
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backends import bench_main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
MEDIAN_TARGET_MS = 50.0
P95_TARGET_MS = 200.0
HIT_TARGET = 0.9  # near_dup's own recall on perturbed real messages is 0.958 (bench/textintel)
PEOPLE = 3000
QUERIES_PER_KIND = 100
CHUNK = 5000  # cases generated and written per round (bounded memory)
SEED = 11


def main() -> int:
    return bench_main(__file__, "intake", 200_000, inner)


# -- texts (no Django needed) ---------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。！？!?；])|\n+")


@dataclass(frozen=True)
class Message:
    title: str
    sentences: tuple[str, ...]

    @property
    def detail(self) -> str:
        return "".join(self.sentences)


def sentences_of(detail: str) -> tuple[str, ...]:
    parts = (s.strip(" \t\r\n\u3000\xa0") for s in _SENTENCE_END.split(detail))
    return tuple(s if s[-1] in "。！？!?；" else s + "。" for s in parts if 8 <= len(s) <= 160)


def real_messages() -> list[Message]:
    out: list[Message] = []
    for name in ("messages_hot.csv", "messages_replies.csv", "messages_test_unlabelled.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                title = (row.get("留言主题") or "").strip()
                sentences = sentences_of(row.get("留言详情") or "")
                if title and sentences:
                    out.append(Message(title[:120], sentences))
    return out


_PLACES = ["青山县", "河口县", "城关镇", "幸福小区", "东湖街道", "新华村", "工业园区", "滨江路", "南门社区"]
_WHO = ["开发商", "物业公司", "施工单位", "村委会", "用人单位", "包工头", "学校", "医院", "镇政府"]
_WHAT = ["拖欠工资", "房屋漏水", "噪音扰民", "违规收费", "征地补偿不到位", "道路破损", "占用耕地", "污水直排"]
_SINCE = ["三个月", "半年", "一年多", "两年", "很长时间", "去年冬天起", "今年春节后"]
_ASK = ["请求有关部门督促处理", "希望领导重视", "请尽快答复", "要求依法赔偿", "请求调查核实", "望早日解决"]


_COMMON = "人民群众政府部门小区房屋道路工资补偿土地学校医院环境噪音污染物业开发商村委会维修安全教育医疗交通农民工拆迁社保养老"


def synthetic_messages(rng: random.Random, count: int = 20000) -> list[Message]:
    """Fallback when ../shared/data is absent: template phrases from a fixed vocabulary followed by
    random two-character words, so that texts differ in most of their character 4-grams as real ones do."""

    def words(n: int) -> str:
        return "".join(rng.choice(_COMMON) + rng.choice(_COMMON) for _ in range(n))

    out = []
    for i in range(count):
        place, who, what = rng.choice(_PLACES), rng.choice(_WHO), rng.choice(_WHAT)
        sentences = tuple(
            f"{rng.choice(_PLACES)}{rng.choice(_WHO)}{rng.choice(_WHAT)}{words(rng.randint(4, 8))}，"
            f"{rng.choice(_SINCE)}{words(rng.randint(3, 6))}，{rng.choice(_ASK)}。"
            for _ in range(rng.randint(3, 6))
        )
        out.append(Message(f"反映{place}{who}{what}{words(2)}问题（{i}）", sentences))
    return out


def case_texts(pool: list[Message], total: int, rng: random.Random) -> list[tuple[str, str]]:
    """``total`` distinct (subject, content): a real title and 3–6 sentences of different messages."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < total:
        picks = rng.sample(pool, rng.randint(4, 7))
        subject = picks[0].title
        content = "".join(rng.choice(m.sentences) for m in picks[1:])
        key = subject + "\n" + content
        if key not in seen:
            seen.add(key)
            out.append((subject, content))
    return out


# -- people ---------------------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红梅德文海燕小云峰春"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str
    address: str


def make_people(rng: random.Random, counties: list[tuple[str, str]]) -> list[Person]:
    people = []
    for i in range(PEOPLE):
        code, county = rng.choice(counties)
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
        id_number = ""
        if rng.random() < 0.8:
            body = f"{code}{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i % 1000:03d}"
            id_number = (
                body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
            )
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else ""
        address = f"{county}{rng.choice(_PLACES)}{rng.randint(1, 60)}号" if rng.random() < 0.85 else ""
        people.append(Person(name, id_number, phone, address))
    return people


# -- inside the child process ---------------------------------------------------------------------


def inner(total: int) -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench" / "textintel"))
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # as in production: no log of every SQL statement in memory
    logging.disable(logging.INFO)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate: {time.perf_counter() - t:.1f} s", flush=True)
    rng = random.Random(SEED)
    if DATA.is_dir():
        messages = real_messages()
        source = f"real messages from {DATA} ({len(messages):,} messages, sentences recombined)"
    else:
        messages = synthetic_messages(rng)
        source = f"SYNTHETIC texts from a fixed vocabulary ({DATA} not found)"
    print(f"  texts: {source}", flush=True)
    rng.shuffle(messages)
    held = max(len(messages) // 20, 2 * QUERIES_PER_KIND)
    held_back, pool = messages[:held], messages[held:]
    world = build_world()
    built = populate(world, pool, total, rng)
    return measure(world, built, pool, held_back, rng)


@dataclass
class World:
    clerk: object
    cities: list[tuple[object, object, list[object]]]  # (city bureau, its registrar, its counties)
    category: object


def build_world() -> World:
    from xinfang.cases.categories import DEFAULT_CATEGORIES_CSV, load_categories
    from xinfang.cases.models import ContentCategory
    from xinfang.orgs import services
    from xinfang.orgs.models import Level, OrgKind, Role

    if not ContentCategory.objects.exists():
        load_categories(DEFAULT_CATEGORIES_CSV.read_text(encoding="utf-8"))
    nation = services.region_create(code="000000", name="全国", level=Level.NATIONAL)
    province = services.region_create(code="990000", name="示例省", level=Level.PROVINCE, parent=nation)
    province_gov = services.org_create(name="示例省人民政府", region=province, kind=OrgKind.PARTY_GOVERNMENT)
    province_bureau = services.org_create(
        name="示例省信访局", region=province, kind=OrgKind.PETITION_BUREAU, parent=province_gov
    )
    password = "Bench-Intake-2026"
    clerk = services.staff_user_create(username="province_registrar", full_name="省登记员", password=password)
    services.membership_grant(user=clerk, org=province_bureau, role=Role.REGISTRAR)
    cities = []
    for c in range(1, 5):
        city = services.region_create(code=f"99{c:02d}00", name=f"第{c}市", level=Level.CITY, parent=province)
        gov = services.org_create(
            name=f"第{c}市人民政府", region=city, kind=OrgKind.PARTY_GOVERNMENT, parent=province_gov
        )
        bureau = services.org_create(
            name=f"第{c}市信访局", region=city, kind=OrgKind.PETITION_BUREAU, parent=gov
        )
        registrar = services.staff_user_create(
            username=f"registrar{c}", full_name=f"登记员{c}", password=password
        )
        services.membership_grant(user=registrar, org=bureau, role=Role.REGISTRAR)
        counties = [
            services.region_create(
                code=f"99{c:02d}{k:02d}", name=f"第{c}市{k}县", level=Level.COUNTY, parent=city
            )
            for k in range(21, 24)
        ]
        cities.append((bureau, registrar, counties))
    category = ContentCategory.objects.filter(level=1).order_by("code").first()
    return World(clerk, cities, category)


@dataclass
class Built:
    texts: list[tuple[str, str]]  # (subject, content) of case i
    person_of: list[int]  # person index of case i
    case_ids: list[int]
    people: list[Person]
    seconds_texts: float
    seconds_write: float


def populate(world: World, pool: list[Message], total: int, rng: random.Random) -> Built:
    import datetime as dt

    from django.db import transaction

    from xinfang.cases import pii
    from xinfang.cases.access import rebuild_access
    from xinfang.cases.models import Case, CaseAccess, CaseEvent, CaseUnit, Petitioner
    from xinfang.core.timeutil import LOCAL_TZ
    from xinfang.textintel.db import intake
    from xinfang.textintel.models import CaseTextSignature

    counties = [(r.code, r.name) for _, _, cs in world.cities for r in cs]
    people = make_people(rng, counties)
    weights = [1.0 / (rank + 100) for rank in range(PEOPLE)]  # skewed: ~20 to ~600 cases a person
    stored = [
        {
            "name_enc": pii.encrypt(p.name),
            "id_number_enc": pii.encrypt(pii.normalise(p.id_number)),
            "phone_enc": pii.encrypt(pii.normalise(p.phone)),
            "name_hash": pii.keyed_hash(p.name + "|" + p.address),
            "id_number_hash": pii.keyed_hash(p.id_number),
            "phone_hash": pii.keyed_hash(p.phone),
            "address": p.address,
        }
        for p in people
    ]
    t = time.perf_counter()
    texts = case_texts(pool, total, rng)
    person_of = rng.choices(range(PEOPLE), weights=weights, k=total)
    seconds_texts = time.perf_counter() - t
    start = dt.datetime(2022, 1, 4, 9, 0, tzinfo=LOCAL_TZ)
    step = dt.timedelta(days=3 * 365) / total
    t = time.perf_counter()
    seconds_hash = 0.0
    case_ids: list[int] = []
    for lo in range(0, total, CHUNK):
        cases = []
        for i in range(lo, min(lo + CHUNK, total)):
            bureau, registrar, city_counties = world.cities[i % len(world.cities)]
            at = start + step * i
            subject, content = texts[i]
            cases.append(
                Case(
                    number=f"{bureau.region.code}{at:%Y%m%d}{i + 1:08d}",
                    query_code=f"B{i:09d}",
                    channel="online",
                    nature="appeal",
                    category=world.category,
                    subject=subject,
                    content=content,
                    problem_region=city_counties[(i // len(world.cities)) % len(city_counties)],
                    received_on=at.date(),
                    registered_at=at,
                    registered_by=registrar,
                    registered_org=bureau,
                    registered_level=bureau.level,
                    status="registered",
                    current_org=bureau,
                    updated_at=at,
                )
            )
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=1000)
            CaseUnit.objects.bulk_create(
                [
                    CaseUnit(case=c, org_id=c.registered_org_id, role="lead", since=c.registered_at)
                    for c in cases
                ],
                batch_size=2000,
            )
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case=c,
                        seq=1,
                        kind="registered",
                        actor_id=c.registered_by_id,
                        org_id=c.registered_org_id,
                        at=c.registered_at,
                        payload={},
                        prev_hash="0" * 64,
                        hash="0" * 64,
                    )
                    for c in cases
                ],
                batch_size=2000,
            )
            Petitioner.objects.bulk_create(
                [Petitioner(case=c, **stored[person_of[lo + k]]) for k, c in enumerate(cases)],
                batch_size=2000,
            )
            th = time.perf_counter()
            signatures = [
                CaseTextSignature(case_id=c.pk, band=band, hash=h)
                for c in cases
                for band, h in enumerate(intake.band_hashes(intake.case_text(c.subject, c.content)))
            ]
            seconds_hash += time.perf_counter() - th
            CaseTextSignature.objects.bulk_create(signatures, batch_size=5000)
            # The access policy's rows, as the data migration builds them (cases_visible_to reads them).
            rebuild_access(
                case_model=Case,
                unit_model=CaseUnit,
                event_model=CaseEvent,
                access_model=CaseAccess,
                case_ids=[c.pk for c in cases],
            )
        case_ids.extend(c.pk for c in cases)
        done = lo + len(cases)
        if done % 50_000 == 0 or done == total:
            print(f"    {done:,} cases written ({time.perf_counter() - t:.0f} s)", flush=True)
    seconds_write = time.perf_counter() - t
    print(
        f"  built {total:,} cases, {CaseTextSignature.objects.count():,} signature rows, "
        f"{total:,} petitioners ({PEOPLE:,} people) in {seconds_texts + seconds_write:.0f} s "
        f"(texts {seconds_texts:.0f} s, band keys {seconds_hash:.0f} s, database {seconds_write - seconds_hash:.0f} s)",
        flush=True,
    )
    return Built(texts, person_of, case_ids, people, seconds_texts, seconds_write)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(target: str, measured: str, ok: bool) -> bool:
    print(f"  [{'PASS' if ok else 'MISS'}] {target:<54} measured: {measured}", flush=True)
    return ok


def measure(
    world: World, built: Built, pool: list[Message], held_back: list[Message], rng: random.Random
) -> int:
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from dup_eval import perturb

    from xinfang.textintel.db import intake

    total = len(built.case_ids)
    if connection.vendor == "postgresql":
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)

    def person_in(p: Person) -> intake.PersonIn:
        return intake.PersonIn(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address)

    fresh = make_people(random.Random(SEED + 1), [("980101", "外省某县")])  # nobody indexed has these
    # (kind, subject, content, petitioners, the case it resubmits or None)
    queries: list[tuple[str, str, str, list[intake.PersonIn], int | None]] = []
    findable: set[int] = set()  # resubmissions still at or above the same-matter threshold
    for i, index in enumerate(rng.sample(range(total), QUERIES_PER_KIND)):
        subject, content = built.texts[index]
        text = perturb(subject, content, rng.choice(pool).detail, rng)
        new_subject, _, new_content = text.partition("\n")
        same = i % 2 == 0
        who = built.people[built.person_of[index]] if same else fresh[i]
        kind = "resubmission, same person" if same else "resubmission, someone new"
        queries.append((kind, new_subject, new_content, [person_in(who)], built.case_ids[index]))
        if similarity(intake.case_text(new_subject, new_content), intake.case_text(subject, content)) >= 0.5:
            findable.add(built.case_ids[index])
    for i, message in enumerate(held_back[:QUERIES_PER_KIND]):
        queries.append(
            ("unrelated new text", message.title, message.detail, [person_in(fresh[1000 + i])], None)
        )
    for message in held_back[QUERIES_PER_KIND : 2 * QUERIES_PER_KIND]:
        who = built.people[built.person_of[rng.randrange(total)]]
        queries.append(
            ("known petitioner, new matter", message.title, message.detail, [person_in(who)], None)
        )

    for _kind, subject, content, people, _ in queries[:: len(queries) // 5][:5]:  # warm-up (OpenCC, caches)
        intake.find_similar(world.clerk, subject, content, people)

    times: dict[str, list[float]] = {}
    found_counts: Counter[str] = Counter()
    hits = top_hits = kind_ok = hits_findable = 0
    candidates: list[int] = []
    for kind, subject, content, people, original in queries:
        t = time.perf_counter()
        found = intake.find_similar(world.clerk, subject, content, people)
        times.setdefault(kind, []).append(1000 * (time.perf_counter() - t))
        if found:
            found_counts[kind] += 1
        if original is not None:
            ids = [s.case_id for s in found]
            hits += original in ids
            hits_findable += original in ids and original in findable
            top_hits += bool(ids) and ids[0] == original
            expected = "重复信访" if kind.endswith("same person") else "同一事项"
            kind_ok += any(s.case_id == original and s.kind == expected for s in found)
        keys = [intake._new_keys(p) for p in people]
        text = intake.case_text(subject, content)
        candidates.append(
            len(intake._text_candidates(intake.band_hashes(text)) | intake._person_candidates(keys))
        )

    every = [ms for values in times.values() for ms in values]
    median, p95, worst = statistics.median(every), percentile(every, 0.95), max(every)
    scored = [min(c, intake.MAX_CANDIDATES) for c in candidates]
    print(f"  {len(every)} checks by a 登记员 of the province's 信访局 over {total:,} cases:", flush=True)
    for kind, values in times.items():
        print(
            f"    {kind:<30} n={len(values):3d}  median {statistics.median(values):6.1f} ms  "
            f"p95 {percentile(values, 0.95):6.1f} ms  max {max(values):6.1f} ms  "
            f"with a suggestion {found_counts[kind]:3d}",
            flush=True,
        )
    print(
        f"  candidates from the indexes per check: median {statistics.median(candidates):.0f}, "
        f"max {max(candidates):,}; scored (at most {intake.MAX_CANDIDATES}): median "
        f"{statistics.median(scored):.0f}, max {max(scored)}",
        flush=True,
    )
    n_resub = QUERIES_PER_KIND
    with CaptureQueriesContext(connection) as statements:
        intake.find_similar(world.clerk, *queries[0][1:4])
    print(f"  SQL statements per check: {len(statements)}", flush=True)
    uses_index = explain(intake, built)
    ok = line(
        f"median 查重 < {MEDIAN_TARGET_MS:.0f} ms over {total:,} cases",
        f"{median:.1f} ms",
        median < MEDIAN_TARGET_MS,
    )
    ok &= line(
        f"p95 查重 < {P95_TARGET_MS:.0f} ms over {total:,} cases",
        f"{p95:.1f} ms (max {worst:.1f} ms)",
        p95 < P95_TARGET_MS,
    )
    ok &= line(
        "every resubmission at similarity >= 0.5 is suggested",
        f"{hits_findable}/{len(findable)} (the other {n_resub - len(findable)} were changed below 0.5)",
        hits_findable == len(findable),
    )
    ok &= line(
        f"resubmissions found >= {HIT_TARGET:.0%}",
        f"{hits}/{n_resub} suggested ({top_hits} first; {kind_ok} as 重复信访/同一事项 as expected)",
        hits >= HIT_TARGET * n_resub,
    )
    ok &= line(
        "band-key lookup uses the index textintel_band_hash", "yes" if uses_index else "no", uses_index
    )
    print(
        f"  build: {built.seconds_texts + built.seconds_write:.0f} s for {total:,} cases "
        f"({total / (built.seconds_texts + built.seconds_write):,.0f} cases/s)",
        flush=True,
    )
    return 0 if ok else 2


def similarity(a: str, b: str) -> float:
    """The text similarity ``find_similar`` computes for a pair (``near_dup``), computed directly."""
    from xinfang.textintel import near_dup

    sa, sb = near_dup.shingle_hashes(a), near_dup.shingle_hashes(b)
    ev = near_dup.estimate(near_dup.minhash(sa), len(sa), near_dup.minhash(sb), len(sb))
    return round(near_dup.similarity_of(ev), 4)


def explain(intake, built: Built) -> bool:  # type: ignore[no-untyped-def]
    """Print the plan of the band-key lookup for one indexed text; True when it uses the index."""
    from django.db import connection
    from django.db.models import Q

    from xinfang.textintel.models import CaseTextSignature

    hashes = intake.band_hashes(intake.case_text(*built.texts[len(built.texts) // 2]))
    where = Q()
    for band, h in enumerate(hashes):
        where |= Q(band=band, hash=h)
    qs = CaseTextSignature.objects.filter(where).order_by("-case_id").values_list("case_id", flat=True)
    sql, params = qs[: intake.MAX_LOOKUP].query.sql_with_params()
    prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {sql}", params)
        plan = [str(row[-1]) for row in cursor.fetchall()]  # PostgreSQL: the line; SQLite: the detail
    print(f"  plan of the band-key lookup ({connection.vendor}; repeated lines counted):", flush=True)
    shown: list[list[object]] = []
    for p in plan:
        if "Index Cond" in p or "Recheck Cond" in p or p.startswith("INDEX "):
            continue
        if shown and shown[-1][0] == p:
            shown[-1][1] = int(shown[-1][1]) + 1  # type: ignore[call-overload]
        else:
            shown.append([p, 1])
    for p, n in shown:
        print(f"    {str(p)[:140]}{f'  (x {n})' if n > 1 else ''}", flush=True)
    return any("textintel_band_hash" in p for p in plan)


if __name__ == "__main__":
    sys.exit(main())
