"""Import of existing records: the checked rows of a file become cases, through the case services.

Three stages. `read_table` and `parse_rows` (the pure `importing` module) check every value;
`plan_rows` resolves what needs the database (region, category, organs, the earlier case of a
repeat) and reports what it cannot resolve the same way, as (row, column, reason); `write_rows`
then registers each row as a case and moves it along, each step at its historic moment
(`_Moments`), in batches through `services.case_enter_history`, which makes the one-step services'
checks and writes their rows (or, `bulk=False` and as the fallback of a batch that fails whole, row
by row through those services inside `pinned_now(<the moment>)`, each row a savepoint of its own).
Either way the events, the clocks (on the calendar of those dates) and the projection are what live
work would have produced, and imported cases are counted by the same code as live ones; no notice
is sent for these steps (`hooks.entering_history`).

Who registers. A row's 登记机构 is an organ of this installation (by exact name), or the
installation's petition bureau at the given 登记机构级别 over the 问题属地, or, with neither, the
nearest petition bureau over the 问题属地. An organ outside this installation (the national bureau,
when the installation is a city's) is named by its level alone: the matter was received through the
national system's exchange, so this installation's bureau over the 问题属地 registers it (the
highest one below that level), and the import row keeps the outside organ's level and name
(`ImportedCase.registered_level`, `outside_org`) so the statistics still count it as, e.g., a
进京访 about that region (`xinfang.statistics.levels`).

Who acts. Every step is recorded by one staff account, "历史数据导入" (`IMPORT_USERNAME`), which
cannot log in (no usable password) and holds the roles the services ask for at the organs it acts
for, so the history says plainly that these steps were imported and by nobody in particular.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, connections, transaction

from xinfang.cases import hooks, pii, services
from xinfang.cases.models import Case, ContentCategory, Nature
from xinfang.cases.services import HistoricRecord, PetitionerInput, ReplyInput, TargetNotEntered
from xinfang.core.bulk import insert_rows
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import LOCAL_TZ, local_date, now, pinned_now
from xinfang.orgs import services as org_services
from xinfang.orgs.models import LEVEL_RANK, Level, Org, OrgKind, Region, Role, User
from xinfang.statistics.importing import COLUMNS, ImportRow, RowError, parse_rows, read_table
from xinfang.statistics.models import ImportedCase

__all__ = [
    "IMPORT_USERNAME",
    "ImportResult",
    "PlannedRow",
    "import_file",
    "plan_rows",
    "write_rows",
]

IMPORT_USERNAME = "xinfang-import"
IMPORT_FULL_NAME = "历史数据导入"
UNKNOWN_NAME = "姓名不详"  # a row without 信访人姓名 (only 检举控告 may be anonymous)
# The text of a reply the source system did not carry (第三十二条 asks for each part).
NOT_IN_SOURCE = "（历史数据导入：原系统未提供）"
DELIVERY_METHOD = "other"
DEFAULT_CATEGORY = "990000"  # 其他
# Beijing times of day at which imported steps are recorded: office hours, in workflow order.
_REGISTER_AT, _ACCEPT_AT, _REPLY_AT, _CLOSE_AT = dt.time(9), dt.time(10), dt.time(14), dt.time(16)
T = TypeVar("T")
logger = logging.getLogger(__name__)
_CHUNK = 500  # ids per IN (...) query: SQLite's limit on parameters
_AHEAD = 3  # batches laid out by the second process and not yet taken by the writer (MBs each)


@dataclass(frozen=True)
class PlannedRow:
    """A row resolved against this installation, ready to write."""

    row: ImportRow
    region: Region
    category: ContentCategory
    org: Org  # the organ of this installation that registers it
    level: str  # the level counted: of `org`, or of the organ outside the installation
    outside_org: str  # that outside organ's name as the file gives it ("" when inside)
    unit: Org | None  # the responsible unit, when another organ than `org`
    repeat_of: str  # 信访件编号 of the earlier case (in the file or already here), or ""


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    planned: list[PlannedRow] = field(default_factory=list)
    already: int = 0  # rows imported before (same 信访件编号): skipped
    imported: int = 0
    written: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


def import_file(
    path: str | Path,
    *,
    skip_bad: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    today: dt.date | None = None,
    source_name: str = "",
    bulk: bool = True,
    batch: int | None = None,
    parallel: bool = False,
) -> ImportResult:
    """Check the whole file, then (unless `dry_run`, and only when no row is bad or `skip_bad`)
    write its good rows. `source_name`: the file's name as recorded (default: the path's name);
    `bulk`, `batch`, `parallel`: as for `write_rows`.
    Raises `importing.FileProblem` for a file that cannot be read at all."""
    header, table = read_table(path)
    result = ImportResult(rows=len(table), ignored_columns=[c for c in header if c and c not in COLUMNS])
    parsed, result.errors = parse_rows(table, today=today or local_date())
    result.planned, more, result.already = plan_rows(parsed)
    result.errors = sorted([*result.errors, *more], key=lambda e: e.row)
    if dry_run or (result.errors and not skip_bad):
        return result
    result.written = True
    source = source_name or Path(path).name
    failures = write_rows(
        result.planned,
        source=source,
        progress=progress,
        result=result,
        bulk=bulk,
        batch=batch,
        parallel=parallel,
    )
    result.errors = sorted([*result.errors, *failures], key=lambda e: e.row)
    return result


# --- resolving -----------------------------------------------------------------------------------


class _Lookup:
    """The installation's regions, categories and organs, read once per import."""

    def __init__(self) -> None:
        self.regions = {r.code: r for r in Region.objects.all()}
        self.region_names: dict[str, list[Region]] = {}
        for region in self.regions.values():
            self.region_names.setdefault(region.name, []).append(region)
        self.categories = {c.code: c for c in ContentCategory.objects.all()}
        self.category_names: dict[str, list[ContentCategory]] = {}
        for category in self.categories.values():
            self.category_names.setdefault(category.name, []).append(category)
        self.orgs: dict[str, list[Org]] = {}
        self.bureaus: dict[int, Org] = {}
        for org in Org.objects.filter(is_active=True).select_related("region").order_by("pk"):
            self.orgs.setdefault(org.name, []).append(org)
            if org.kind == OrgKind.PETITION_BUREAU:
                self.bureaus.setdefault(org.region_id, org)

    def bureaus_over(self, region: Region) -> list[Org]:
        """The petition bureaus of the region and the regions above it, highest first."""
        codes = [code for code in region.path.split("/") if code]
        found = (self.bureaus.get(self.regions[code].pk) for code in codes if code in self.regions)
        return [org for org in found if org is not None]


def plan_rows(rows: Sequence[ImportRow]) -> tuple[list[PlannedRow], list[RowError], int]:
    """Resolve each checked row; returns the rows to write (earlier matters first), the errors, and
    how many rows were imported before (their 信访件编号 is known: skipped, not an error)."""
    lookup = _Lookup()
    known = _existing(ImportedCase.objects, "external_number", [r.external_number for r in rows])
    refs = [r.repeat_of for r in rows if r.repeat_of]
    earlier_here = _existing(ImportedCase.objects, "external_number", refs) | _existing(
        Case.objects, "number", refs
    )
    in_file = {r.external_number: r for r in rows}
    planned: list[PlannedRow] = []
    errors: list[RowError] = []
    already = 0
    for row in rows:
        if row.external_number in known:
            already += 1
            continue
        fails: list[RowError] = []

        def fail(column: str, reason: str, *, _row: int = row.row, _to: list[RowError] = fails) -> None:
            _to.append(RowError(_row, column, reason))

        plan = _plan_one(row, lookup, fail, in_file=in_file, earlier_here=earlier_here)
        if fails or plan is None:
            errors.extend(fails)
        else:
            planned.append(plan)
    planned = _without_lost_targets(planned, errors, earlier_here)
    planned.sort(key=lambda p: (p.row.received_on, p.row.row))
    return planned, errors, already


def _without_lost_targets(
    planned: list[PlannedRow], errors: list[RowError], earlier_here: set[str]
) -> list[PlannedRow]:
    """A repeat of a row of the file that cannot be imported cannot be linked either."""
    while True:
        numbers = {plan.row.external_number for plan in planned} | earlier_here
        lost = [plan for plan in planned if plan.repeat_of and plan.repeat_of not in numbers]
        if not lost:
            return planned
        for plan in lost:
            errors.append(
                RowError(plan.row.row, "重复信访件编号", f"所引用的“{plan.repeat_of}”一行有误，无法关联。")
            )
        planned = [plan for plan in planned if plan not in lost]


def _existing(manager: object, field_name: str, values: Iterable[str]) -> set[str]:
    values = list(dict.fromkeys(values))
    found: set[str] = set()
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        found.update(manager.filter(**{f"{field_name}__in": chunk}).values_list(field_name, flat=True))  # type: ignore[attr-defined]
    return found


def _one(candidates: list[T], column: str, value: str, fail: _Fail) -> T | None:
    """The one candidate of that name; two or more are an error (the file must tell them apart)."""
    if len(candidates) > 1:
        fail(column, f"“{value}”有 {len(candidates)} 个同名项，请改用代码或唯一名称。")
        return None
    return candidates[0] if candidates else None


_Fail = Callable[..., None]


def _plan_one(
    row: ImportRow,
    lookup: _Lookup,
    fail: _Fail,
    *,
    in_file: dict[str, ImportRow],
    earlier_here: set[str],
) -> PlannedRow | None:
    region = lookup.regions.get(row.problem_region) or _one(
        lookup.region_names.get(row.problem_region, []), "问题属地", row.problem_region, fail
    )
    if region is None and not lookup.region_names.get(row.problem_region):
        fail("问题属地", f"“{row.problem_region}”不是本系统的区划代码或名称。")
    category = _category(row, lookup, fail)
    unit = _org_named(row.responsible_unit, "责任单位", lookup, fail) if row.responsible_unit else None
    if row.id_number and (problem := pii.id_number_problem(row.id_number)):
        fail("证件号码", problem)
    _check_repeat(row, fail, in_file=in_file, earlier_here=earlier_here)
    if not isinstance(region, Region) or category is None:
        return None
    registering = _registering(row, region, lookup, fail)
    if registering is None:
        return None
    org, level, outside = registering
    if unit is not None and unit.pk == org.pk:
        unit = None
    if unit is not None and not org.is_petition_bureau:
        fail("责任单位", f"登记机构“{org.name}”不是信访部门，不能转送给其他责任单位。")
        return None
    return PlannedRow(
        row=row,
        region=region,
        category=category,
        org=org,
        level=level,
        outside_org=outside,
        unit=unit,
        repeat_of=row.repeat_of,
    )


def _category(row: ImportRow, lookup: _Lookup, fail: _Fail) -> ContentCategory | None:
    value = row.category or DEFAULT_CATEGORY
    category = lookup.categories.get(value)
    if category is None:
        found = lookup.category_names.get(value, [])
        category = _one(found, "内容分类", value, fail)
        if not found:
            fail("内容分类", f"“{value}”不是内容分类的代码或名称（任一级）。")
    if category is not None and not category.is_active:
        fail("内容分类", f"内容分类“{category.name}”已停用。")
        return None
    return category


def _org_named(name: str, column: str, lookup: _Lookup, fail: _Fail) -> Org | None:
    found = lookup.orgs.get(name, [])
    if not found:
        fail(column, f"“{name}”不是本系统的机构（按全称匹配）。")
        return None
    return _one(found, column, name, fail)


def _check_repeat(
    row: ImportRow, fail: _Fail, *, in_file: dict[str, ImportRow], earlier_here: set[str]
) -> None:
    if not row.repeat_of or row.repeat_of in earlier_here:
        return
    target = in_file.get(row.repeat_of)
    if target is None:
        fail("重复信访件编号", f"“{row.repeat_of}”在本文件和本系统中都找不到。")
    elif (target.received_on, target.row) >= (row.received_on, row.row):
        fail("重复信访件编号", f"所引用的第 {target.row} 行不早于本件：重复信访只能引用更早的信访件。")


def _registering(row: ImportRow, region: Region, lookup: _Lookup, fail: _Fail) -> tuple[Org, str, str] | None:
    """(the organ of this installation that registers the row, the level counted, the outside
    organ's name or "")."""
    level = row.registering_level
    if row.registering_org:
        found = lookup.orgs.get(row.registering_org, [])
        if len(found) > 1:
            _one(found, "登记机构", row.registering_org, fail)
            return None
        if found:
            org = found[0]
            if level and org.level != level:
                fail("登记机构级别", f"与登记机构“{org.name}”的级别（{Level(org.level).label}）不符。")
                return None
            return org, org.level, ""
        if not level:
            fail("登记机构", f"“{row.registering_org}”不是本系统的机构；系统外的机构请填写登记机构级别。")
            return None
    bureaus = lookup.bureaus_over(region)
    if not bureaus:
        fail("问题属地", f"“{region.name}”及其上级区划没有本系统的信访部门，无法登记。")
        return None
    if not level:
        return bureaus[-1], bureaus[-1].level, ""
    at_level = [org for org in bureaus if org.level == level]
    if at_level and not row.registering_org:
        return at_level[0], level, ""
    # Outside this installation: received through the exchange by the highest bureau below that level.
    below = [org for org in bureaus if LEVEL_RANK[Level(org.level)] > LEVEL_RANK[Level(level)]]
    receiver = below[0] if below else bureaus[-1]
    return receiver, level, row.registering_org or f"{Level(level).label}信访部门（系统外）"


# --- writing -------------------------------------------------------------------------------------


def import_account() -> User:
    """The staff account that records imported steps; it has no usable password."""
    user = User.objects.filter(username=IMPORT_USERNAME).first()
    if user is None:
        user = org_services.staff_user_create(
            username=IMPORT_USERNAME, full_name=IMPORT_FULL_NAME, password_hash=make_password(None)
        )
    return user


def _grant_roles(account: User, planned: Sequence[PlannedRow]) -> None:
    wanted: set[tuple[int, str]] = set()
    orgs: dict[int, Org] = {}
    for plan in planned:
        orgs[plan.org.pk] = plan.org
        wanted |= {(plan.org.pk, Role.REGISTRAR), (plan.org.pk, Role.HANDLER)}
        if plan.unit is not None:
            orgs[plan.unit.pk] = plan.unit
            wanted.add((plan.unit.pk, Role.HANDLER))
    held = set(
        account.memberships.filter(is_active=True).values_list("org_id", "role")  # type: ignore[attr-defined]
    )
    with transaction.atomic():
        for org_id, role in sorted(wanted - held):
            org_services.membership_grant(user=account, org=orgs[org_id], role=role)


class _Moments:
    """Beijing moments of a row's steps: in order, never after the real present."""

    def __init__(self, present: dt.datetime) -> None:
        self.present, self.last = present, None
        self.per_day: dict[dt.date, int] = {}

    def register(self, day: dt.date) -> dt.datetime:
        # Rows of one day are registered a second apart, in the order they are written.
        n = self.per_day[day] = self.per_day.get(day, -1) + 1
        self.last = None
        return self._at(day, _REGISTER_AT, seconds=min(n, 3600))

    def at(self, day: dt.date, time: dt.time, *, minutes: int = 0) -> dt.datetime:
        return self._at(day, time, seconds=60 * minutes)

    def _at(self, day: dt.date, time: dt.time, *, seconds: int) -> dt.datetime:
        moment = dt.datetime.combine(day, time, tzinfo=LOCAL_TZ) + dt.timedelta(seconds=seconds)
        if self.last is not None:
            moment = max(moment, self.last + dt.timedelta(seconds=1))
        moment = min(moment.astimezone(dt.UTC), self.present)
        self.last = moment
        return moment


@dataclass(frozen=True)
class _RowMoments:
    """The moments of one row's steps, taken from `_Moments` in the order the steps are written."""

    register: dt.datetime
    link: dt.datetime | None
    forward: dt.datetime | None
    accept: dt.datetime | None
    reply: dt.datetime | None
    deliver: dt.datetime | None
    ratings: tuple[tuple[str, str, dt.datetime], ...]
    close: dt.datetime | None


def _row_moments(plan: PlannedRow, moments: _Moments) -> _RowMoments:
    row = plan.row
    register = moments.register(row.received_on)
    link = moments.at(row.received_on, _REGISTER_AT) if plan.repeat_of else None
    forward = moments.at(row.received_on, _REGISTER_AT, minutes=30) if plan.unit is not None else None
    accept = moments.at(row.accepted_on, _ACCEPT_AT) if row.accepted_on is not None else None
    reply = deliver = None
    ratings: list[tuple[str, str, dt.datetime]] = []
    if row.replied_on is not None:
        reply = moments.at(row.replied_on, _REPLY_AT)
        deliver = moments.at(row.replied_on, _REPLY_AT, minutes=30)
        for track, value in (("bureau", row.bureau_rating), ("unit", row.unit_rating)):
            if value:
                ratings.append((track, value, moments.at(row.replied_on, _REPLY_AT, minutes=60)))
    close = moments.at(row.closed_on, _CLOSE_AT) if row.closed_on is not None else None
    return _RowMoments(register, link, forward, accept, reply, deliver, tuple(ratings), close)


def write_rows(
    planned: Sequence[PlannedRow],
    *,
    source: str,
    progress: Callable[[int, int], None] | None = None,
    result: ImportResult | None = None,
    every: int = 500,
    batch: int | None = None,
    bulk: bool = True,
    parallel: bool = False,
) -> list[RowError]:
    """Write the planned rows; a row the services refuse writes nothing and is returned as an error
    (the other rows are still written). `progress(done, total)` is called every `every` rows (at
    the end of the batch that reaches them) and at the end.

    `bulk` (the default): `batch` rows (1000) at a time through `services.case_enter_history`, one
    transaction each, with the services' own checks; should a batch fail as a whole (another
    import wrote one of its rows meanwhile), it is written again row by row. `bulk=False`: row by
    row through the one-step services (`batch` rows, 100, to a commit), as the fallback does; both
    write the same rows (statistics/tests/test_import_bulk.py). `parallel` (bulk only): a forked
    process checks and lays out the next batches while this one writes (`_write_apart`), where
    `_can_lay_out_apart` allows it; the rows written are the same."""
    if not planned:
        return []
    account = import_account()
    _grant_roles(account, planned)
    moments = _Moments(now())
    timed = [(plan, _row_moments(plan, moments)) for plan in planned]
    failures: list[RowError] = []
    numbers = _Numbers(planned)
    size = batch or (1000 if bulk else 100)
    chunks = [timed[start : start + size] for start in range(0, len(timed), size)]
    done = 0

    def report(chunk: _Chunk) -> None:
        nonlocal done
        before, done = done, done + len(chunk)
        if progress is not None and (done == len(timed) or done // every > before // every):
            progress(done, len(timed))

    start = 0
    if bulk and parallel and _can_lay_out_apart(len(chunks)):
        start = _write_apart(chunks, account, numbers, source, failures, result, report)
    for chunk in chunks[start:]:
        if bulk:
            _write_batch(chunk, account, numbers, source, failures, result)
        else:
            _write_stepwise(chunk, account, numbers, source, failures, result)
        report(chunk)
    return failures


def _write_stepwise(
    chunk: _Chunk,
    account: User,
    numbers: _Numbers,
    source: str,
    failures: list[RowError],
    result: ImportResult | None,
) -> None:
    # A batch commits together (one commit per row costs SQLite a sync to disk each); each row
    # is its own savepoint inside it, so a row the services refuse leaves nothing behind. A
    # crash loses at most the batch, which importing the file again writes.
    with transaction.atomic(), hooks.entering_history():
        for plan, row_moments in chunk:
            try:
                with transaction.atomic():
                    case = _write_one(plan, account, row_moments, numbers, source)
            except ServiceError as exc:
                failures.append(_refused(plan, exc))
            except IntegrityError:
                # Another import of the same file wrote this 信访件编号 meanwhile.
                if not ImportedCase.objects.filter(external_number=plan.row.external_number).exists():
                    raise
                failures.append(_written_meanwhile(plan))
            else:
                numbers.remember(plan, case)
                if result is not None:
                    result.imported += 1


def _refused(plan: PlannedRow, exc: ServiceError) -> RowError:
    return RowError(plan.row.row, _column_of(exc.field), f"无法导入：{exc.message}")


def _written_meanwhile(plan: PlannedRow) -> RowError:
    return RowError(plan.row.row, "信访件编号", "已由同时进行的另一次导入写入。")


_Chunk = Sequence[tuple[PlannedRow, "_RowMoments"]]


class _Numbers(dict[str, Case]):
    """The cases written so far that a later row repeats, by 信访件编号: only those are kept (a
    hundred thousand cases held to the end would cost memory, and the collector time)."""

    def __init__(self, planned: Iterable[PlannedRow]) -> None:
        super().__init__()
        self.wanted = {plan.repeat_of for plan in planned if plan.repeat_of}

    def remember(self, plan: PlannedRow, case: Case | int) -> None:
        # An id (laid out in the other process) is not kept: a repeat of it reads the committed case.
        if isinstance(case, Case) and plan.row.external_number in self.wanted:
            self[plan.row.external_number] = case


@dataclass
class _LaidOut:
    """A batch checked and laid out (`_lay_out_batch`), not yet written (`_commit_batch`)."""

    chunk: _Chunk
    sent: list[int]  # the row numbers of the records laid out, in order
    # From the other process (`_lay_out_all`) only the cases' ids, and None for a refusal.
    outcomes: list[Case | int | ServiceError | None]
    writes: services.HistoryWrites | None
    refused: dict[int, RowError]  # by row number, to report in the file's order
    whole: bool = True  # False: refused as a whole (to be written row by row)


def _write_batch(
    chunk: _Chunk,
    account: User,
    numbers: _Numbers,
    source: str,
    failures: list[RowError],
    result: ImportResult | None,
) -> None:
    """One batch through the case services' bulk entry, with its rows' ImportedCase rows."""
    with transaction.atomic():  # the ids are taken in the transaction that writes them
        laid = _lay_out_batch(chunk, account, numbers, None)
        _commit_batch(laid, account, numbers, source, failures, result)


def _lay_out_batch(
    chunk: _Chunk, account: User, numbers: _Numbers, ids: services.IdBlocks | None
) -> _LaidOut:
    """Check and lay out a batch (`services.lay_out_history`): reads only, and the ids taken."""
    meanwhile = _existing(ImportedCase.objects, "external_number", [p.row.external_number for p, _ in chunk])
    records: list[HistoricRecord] = []
    sent: list[PlannedRow] = []
    index: dict[str, int] = {}
    refused: dict[int, RowError] = {}
    for plan, row_moments in chunk:
        if plan.row.external_number in meanwhile:
            refused[plan.row.row] = _written_meanwhile(plan)
            continue
        target: Case | int | None = None
        if plan.repeat_of:
            target = index.get(plan.repeat_of)
            if target is None:
                target = numbers.get(plan.repeat_of) or _earlier_case(plan.repeat_of)
            if target is None:
                refused[plan.row.row] = _refused(plan, _target_missing(plan))
                continue
        index[plan.row.external_number] = len(records)
        records.append(_record(plan, row_moments, target))
        sent.append(plan)
    try:
        outcomes, writes = services.lay_out_history(actor=account, records=records, ids=ids)
    except ServiceError:
        return _LaidOut(chunk, [], [], None, refused, whole=False)
    for plan, outcome in zip(sent, outcomes, strict=True):
        if isinstance(outcome, TargetNotEntered):
            refused[plan.row.row] = _refused(plan, _target_missing(plan))
        elif isinstance(outcome, ServiceError):
            refused[plan.row.row] = _refused(plan, outcome)
    return _LaidOut(chunk, [plan.row.row for plan in sent], list(outcomes), writes, refused)


def _commit_batch(
    laid: _LaidOut,
    account: User,
    numbers: _Numbers,
    source: str,
    failures: list[RowError],
    result: ImportResult | None,
) -> bool:
    """Write a laid-out batch and its ImportedCase rows; False where it was refused as a whole or
    could not be written (another import wrote one of its rows meanwhile): then it is written
    again row by row."""
    written = _written(laid)
    if not (laid.whole and _insert_batch(laid.writes, written, source)):
        # Written meanwhile by another import, or refused as a whole: row by row, as before.
        _write_stepwise(laid.chunk, account, numbers, source, failures, result)
        return False
    for plan, case in written:
        numbers.remember(plan, case)
    if result is not None:
        result.imported += len(written)
    failures.extend(laid.refused[plan.row.row] for plan, _ in laid.chunk if plan.row.row in laid.refused)
    return True


def _insert_batch(
    writes: services.HistoryWrites | None, written: list[tuple[PlannedRow, Case | int]], source: str
) -> bool:
    """The batch's rows and their ImportedCase rows, in a savepoint; False where it failed."""
    try:
        with transaction.atomic():
            if writes is not None:
                services.write_history(writes)
            at = now()
            # One prepared INSERT over the batch (a model instance per row cost a tenth of the import).
            insert_rows(
                ImportedCase,
                (
                    "external_number",
                    "case",
                    "registered_level",
                    "outside_org",
                    "source_file",
                    "source_row",
                    "imported_at",
                ),
                [
                    (
                        plan.row.external_number,
                        case if isinstance(case, int) else case.pk,
                        plan.level,
                        plan.outside_org,
                        source[:255],
                        plan.row.row,
                        at,
                    )
                    for plan, case in written
                ],
            )
    except (ServiceError, IntegrityError):
        return False
    return True


def _written(laid: _LaidOut) -> list[tuple[PlannedRow, Case | int]]:
    """The rows of a laid-out batch that become cases, with their cases (or their ids)."""
    by_row = {plan.row.row: plan for plan, _ in laid.chunk}
    return [
        (by_row[row], case)
        for row, case in zip(laid.sent, laid.outcomes, strict=True)
        if isinstance(case, Case | int)
    ]


# --- laying out in a second process ------------------------------------------------------------


def _can_lay_out_apart(chunks: int) -> bool:
    """Whether a forked process may lay out the batches while this one writes them: more than one
    batch, and the rows read so far committed where that process reads them (not inside the
    caller's transaction, not an in-memory SQLite database)."""
    return (
        chunks > 1
        and hasattr(os, "fork")
        and not connection.in_atomic_block
        and not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]
    )


def _write_apart(
    chunks: Sequence[_Chunk],
    account: User,
    numbers: _Numbers,
    source: str,
    failures: list[RowError],
    result: ImportResult | None,
    report: Callable[[_Chunk], None],
) -> int:
    """Write the batches while a forked process lays out the ones after (two processors at work:
    checking and laying out take about as long as writing). Returns how many batches were
    written; the caller writes the rest one by one (after a batch written row by row, whose
    cases the process laying out did not see, or should that process fail)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    _widen(sender)
    connections.close_all()  # the forked process opens its own
    worker = context.Process(target=_lay_out_all, args=(chunks, account, sender), daemon=True)
    worker.start()
    sender.close()
    written = 0
    collecting = _collect_per_batch()
    try:
        while written < len(chunks):
            try:
                laid = receiver.recv()
            except EOFError:
                logger.warning("导入：并行整理进程提前结束，其余批次依次写入。")
                break
            if laid is None:  # it could not lay out this batch: the rest one by one
                break
            laid.chunk = chunks[written]
            whole = _commit_batch(laid, account, numbers, source, failures, result)
            gc.collect()
            report(chunks[written])
            written += 1
            if not whole:
                break
    finally:
        _collect_as_before(collecting)
        receiver.close()
        if written == len(chunks):
            worker.join(timeout=60)  # it gives back the ids it took and did not use
        worker.terminate()  # stopped early: what it laid out after is not written
        worker.join()
    return written


def _collect_per_batch() -> bool:
    """The collector once a batch, not every few thousand new objects (it ran hundreds of times a
    batch, each time over every object alive); what is alive now is set aside (`gc.freeze`): the
    rows read and planned stay to the end. Returns whether it was on."""
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    return enabled


def _collect_as_before(enabled: bool) -> None:
    gc.unfreeze()
    if enabled:
        gc.enable()


def _widen(pipe: Any) -> None:
    """A pipe of 1 MB rather than 64 KB (Linux): a batch crosses in a few writes."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl  # not on every system; where it is, the pipe may not be resizable

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)  # type: ignore[attr-defined]


def _lay_out_all(chunks: Sequence[_Chunk], account: User, sender: Any) -> None:
    """In the forked process: lay out each batch as if the ones before were written, and send it.

    Up to `_AHEAD` batches wait to be sent (`_send_all`, a thread): a batch sent only when the
    writer has finished the last one would keep this process waiting, then the writer."""
    _collect_per_batch()
    ids = services.IdBlocks()
    numbers = _Numbers([plan for chunk in chunks for plan, _ in chunk])
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)
    courier = threading.Thread(target=_send_all, args=(outbox, sender), daemon=True)
    courier.start()
    try:
        for chunk in chunks:
            laid = _lay_out_batch(chunk, account, numbers, ids)
            # As if written: a later batch's repeat of one of these rows links to its case.
            for plan, case in _written(laid):
                numbers.remember(plan, case)
            laid.chunk = ()  # the writer has it already
            # Only the cases' ids cross (the refusals are in `refused` as row errors already).
            laid.outcomes = [case.pk if isinstance(case, Case) else None for case in laid.outcomes]
            outbox.put(ForkingPickler.dumps(laid))
            gc.collect()
            if not laid.whole:
                return
    except Exception:  # logged; the writer writes the rest itself
        logger.exception("导入：并行整理批次失败")
        outbox.put(ForkingPickler.dumps(None))
    finally:
        outbox.put(None)
        courier.join()
        sender.close()
        ids.release()
        connections.close_all()


def _send_all(outbox: queue.Queue[bytes | None], sender: Any) -> None:
    """In the forked process, a thread: send the batches as the writer takes them (the pipe's
    writes release the interpreter, so the laying out goes on meanwhile)."""
    while (message := outbox.get()) is not None:
        try:
            sender.send_bytes(message)
        except OSError:  # the writer stopped reading: it writes the rest itself
            return


def _target_missing(plan: PlannedRow) -> ServiceError:
    return ServiceError(f"找不到重复信访件“{plan.repeat_of}”。", field="target")


def _record(plan: PlannedRow, m: _RowMoments, target: Case | int | None) -> HistoricRecord:
    row = plan.row
    return HistoricRecord(
        org=plan.org,
        channel=row.channel,
        nature=row.nature,
        category=plan.category,
        subject=row.subject,
        content=row.content,
        problem_region=plan.region,
        petitioners=tuple(_petitioners(row)),
        received_on=row.received_on,
        registered_at=m.register,
        headcount=row.headcount,
        via_proper_ladder=row.via_proper_ladder,
        outside_level=plan.level if plan.outside_org else "",
        repeat_of=target,
        linked_at=m.link,
        unit=plan.unit,
        forwarded_at=m.forward,
        accepted_at=m.accept,
        reply=_reply(row) if row.replied_on is not None else None,
        replied_at=m.reply,
        delivery_method=DELIVERY_METHOD,
        delivered_on=row.replied_on,
        delivered_at=m.deliver,
        ratings=m.ratings,
        closed_at=m.close,
    )


def _reply(row: ImportRow) -> ReplyInput:
    return ReplyInput(
        outcome=row.reply_outcome,
        request=NOT_IN_SOURCE,
        facts=NOT_IN_SOURCE,
        reasons=NOT_IN_SOURCE,
        legal_basis=NOT_IN_SOURCE,
    )


# Service fields -> the file's columns, for an error raised while writing.
_FIELD_COLUMNS = {
    "received_on": "信访日期",
    "channel": "信访形式",
    "nature": "信访性质",
    "category": "内容分类",
    "subject": "标题",
    "content": "内容",
    "headcount": "人数",
    "to_org": "责任单位",
    "target": "重复信访件编号",
    "delivered_on": "答复日期",
    "outcome": "答复类型",
}


def _column_of(field_name: str | None) -> str:
    if not field_name:
        return ""
    if field_name.startswith("petitioners"):
        return {"id_number": "证件号码", "phone": "手机"}.get(field_name.rpartition(".")[2], "信访人姓名")
    return _FIELD_COLUMNS.get(field_name, "")


def _petitioners(row: ImportRow) -> list[PetitionerInput]:
    if not (row.petitioner_name or row.id_number or row.phone) and row.nature == Nature.ACCUSATION:
        return []  # an anonymous accusation
    return [
        PetitionerInput(name=row.petitioner_name or UNKNOWN_NAME, id_number=row.id_number, phone=row.phone)
    ]


def _write_one(plan: PlannedRow, actor: User, m: _RowMoments, numbers: _Numbers, source: str) -> Case:
    row = plan.row
    with pinned_now(m.register):
        case = services.case_register(
            actor=actor,
            org=plan.org,
            channel=row.channel,
            nature=row.nature,
            category=plan.category,
            subject=row.subject,
            content=row.content,
            problem_region=plan.region,
            petitioners=_petitioners(row),
            received_on=row.received_on,
            headcount=row.headcount,
            via_proper_ladder=row.via_proper_ladder,
            outside_level=plan.level if plan.outside_org else "",
        )
    if plan.repeat_of:
        target = numbers.get(plan.repeat_of) or _earlier_case(plan.repeat_of)
        if target is None:
            raise _target_missing(plan)
        assert m.link is not None
        with pinned_now(m.link):
            case = services.case_link(actor=actor, case=case, target=target, kind="repeat")
    if plan.unit is not None:
        assert m.forward is not None
        with pinned_now(m.forward):
            case = services.case_forward(actor=actor, case=case, to_org=plan.unit)
    if m.accept is not None:
        with pinned_now(m.accept):
            case = services.case_accept(actor=actor, case=case)
    if row.replied_on is not None:
        assert m.reply is not None and m.deliver is not None
        with pinned_now(m.reply):
            case = services.case_reply(actor=actor, case=case, reply=_reply(row), recorded=True)
        with pinned_now(m.deliver):
            case = services.case_deliver(
                actor=actor, case=case, method=DELIVERY_METHOD, delivered_on=row.replied_on
            )
        for track, value, at in m.ratings:
            with pinned_now(at):
                case = services.case_rate(actor=actor, case=case, track=track, value=value, imported=True)
    if m.close is not None:
        with pinned_now(m.close):
            case = _conclude(actor, case)
    ImportedCase.objects.create(
        external_number=row.external_number,
        case=case,
        registered_level=plan.level,
        outside_org=plan.outside_org,
        source_file=source[:255],
        source_row=row.row,
        imported_at=now(),
    )
    return case


def _earlier_case(number: str) -> Case | None:
    record = ImportedCase.objects.filter(external_number=number).select_related("case").first()
    return record.case if record is not None else Case.objects.filter(number=number).first()


def _conclude(actor: User, case: Case) -> Case:
    """办结: 终结, as the petitioner let the 复查 window pass when it has, else as having accepted
    the opinion (the source system records only that the matter was concluded)."""
    try:
        with transaction.atomic():
            return services.case_terminate(actor=actor, case=case, reason="window_lapsed")
    except ServiceError as exc:
        if exc.field != "reason":
            raise
    return services.case_terminate(actor=actor, case=case, reason="petitioner_accepted")
