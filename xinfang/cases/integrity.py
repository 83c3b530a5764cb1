"""Tamper evidence for the event log and its projection.

Three checks, all run by `verify_events` (and nightly by the `verify_events` task):

- **The chain.** Each event's digest is an HMAC (settings.EVENT_CHAIN_KEY) over its content and the
  digest of the one before, so an edited, reordered or deleted row breaks the chain, and someone who
  can only write the database cannot recompute it. Digests written before the chain was keyed (plain
  SHA-256) or under a retired key still verify, but only where they are covered: by a later event under
  the current key (its HMAC includes their digest) or by an anchor.
- **The anchors.** `write_anchor` (hourly, and `anchor_events`) appends one JSON line per run to an
  append-only file outside the database: the heads (case, last seq, last digest) of the cases whose log
  grew since the previous run, their Merkle root, the fingerprint of the previous line and an HMAC. An
  anchored head must still be in the database unchanged, so an event rewritten or deleted after
  anchoring is found even when the chain was recomputed with the key. The bureau keeps the fingerprint
  of the latest line elsewhere (`anchor_events --show`) and passes it to `verify_events --fingerprint`.
- **The projection.** Each case's stored status, units and dates must be the replay of its events
  (xinfang.cases.replay); the access policy filters on them.
- **The leaders' instructions.** The `Instruction` rows the queues read must be the ones the
  case's 阅批 events give (xinfang.cases.instructions).
- **The report facts.** Each case's fact row (`CaseFact`) must be the one recomputed from its row
  and its events (xinfang.cases.facts); the statistics count those rows.

Everything streams: cases and events are read in key order in chunks and merged, never loaded whole.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.db.models import F, Max, Q

from xinfang.cases.facts import (
    CASE_INPUT_VALUES,
    CONFIGURED_FIELDS,
    FACT_FIELDS,
    CaseInput,
    fact_differences,
    fact_label,
    fact_values,
    first_repeats,
)
from xinfang.cases.instructions import instruction_problems
from xinfang.cases.models import Case, CaseEvent, CaseFact
from xinfang.cases.replay import FIELD_LABELS, PROJECTED_FIELDS, ReplayError, differences, replay
from xinfang.cases.services._core import GENESIS_HASH, chain_key, event_digest
from xinfang.cases.tallies import tally_differences
from xinfang.core.timeutil import now

ANCHOR_FILE = "event-anchors.jsonl"
ANCHOR_VERSION = 1
# An event whose transaction commits while the anchor job reads may carry an id below the one the
# job saw as the newest; the next run looks that far back again so that such a head is not skipped.
_LATE_COMMIT = dt.timedelta(minutes=10)
_CHUNK = 2000

Report = Callable[[str], None]


# -- digests ------------------------------------------------------------------------------------


def _retired_keys() -> list[bytes]:
    return [str(key).encode() for key in getattr(settings, "EVENT_CHAIN_RETIRED_KEYS", [])]


class EventRow(NamedTuple):
    case_id: int
    seq: int
    kind: str
    actor_id: int | None
    org_id: int | None
    at: dt.datetime
    payload: Any
    prev_hash: str
    hash: str


_EVENT_FIELDS = EventRow._fields


def _digest(event: EventRow, key: bytes | None) -> str:
    return event_digest(
        prev_hash=event.prev_hash,
        case_id=event.case_id,
        seq=event.seq,
        kind=event.kind,
        actor_id=event.actor_id,
        org_id=event.org_id,
        at=event.at.isoformat(),
        payload=event.payload,
        key=key,
    )


def _scheme(event: EventRow, current: bytes, retired: list[bytes]) -> str | None:
    """ "current", "retired" (an old key or the plain SHA-256 of before), or None: no digest fits."""
    if hmac.compare_digest(_digest(event, current), event.hash):
        return "current"
    for key in [*retired, None]:
        if hmac.compare_digest(_digest(event, key), event.hash):
            return "retired"
    return None


def chain_problems(
    number: str,
    last_event_hash: str,
    events: Iterable[EventRow],
    *,
    anchored: tuple[int, str] | None = None,
    current: bytes | None = None,
    retired: list[bytes] | None = None,
) -> list[str]:
    """Every break in one case's chain: edited, deleted, reordered or uncovered rows, lost anchors."""
    current = chain_key() if current is None else current
    retired = _retired_keys() if retired is None else retired
    problems = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    last_current = 0  # seq of the newest event under the current key
    uncovered: int | None = None  # first seq of a tail under a retired scheme
    by_seq: dict[int, str] = {}
    for event in events:
        by_seq[event.seq] = event.hash
        if event.seq != expected_seq:
            problems.append(f"{number}: 记录 #{expected_seq} 缺失（下一条为 #{event.seq}）")
        if event.prev_hash != prev_hash:
            problems.append(f"{number}: 记录 #{event.seq} 与前一条记录的摘要不符")
        scheme = _scheme(event, current, retired)
        if scheme is None:
            problems.append(f"{number}: 记录 #{event.seq}（{event.kind}）内容被改动")
        elif scheme == "current":
            last_current = event.seq
            uncovered = None
        elif last_current:
            # Nothing is written under an old scheme once the current key is in use.
            problems.append(
                f"{number}: 记录 #{event.seq}（{event.kind}）的摘要未用现行密钥，却排在现行密钥记录之后"
            )
        elif uncovered is None:
            uncovered = event.seq
        prev_hash = event.hash
        expected_seq = event.seq + 1
    if prev_hash != (last_event_hash or GENESIS_HASH):
        problems.append(f"{number}: 最新记录与信访件登记的摘要不符（记录可能被删除）")
    if anchored is not None:
        seq, digest = anchored
        if seq not in by_seq:
            problems.append(f"{number}: 已锚定的记录 #{seq} 不存在（锚定后被删除）")
        elif not hmac.compare_digest(by_seq[seq], digest):
            problems.append(f"{number}: 已锚定的记录 #{seq} 摘要已变（锚定后被改写）")
    if uncovered is not None and (anchored is None or anchored[0] < expected_seq - 1):
        problems.append(
            f"{number}: 记录 #{uncovered} 起未用现行密钥摘要，也未经锚定"
            "（升级后应先运行 anchor_events，见 docs/operations.md）"
        )
    return problems


def projection_problems(number: str, stored: dict[str, Any], events: Iterable[EventRow]) -> list[str]:
    """Every projected field of the stored case that differs from the replay of its events."""
    try:
        derived = replay(events)
    except ReplayError as exc:
        return [f"{number}: 办理记录无法重放：{exc}"]
    return [
        f"{number}: {FIELD_LABELS[name]}为 {old!r}，按办理记录应为 {new!r}"
        for name, old, new in differences(stored, derived)
    ]


def fact_problems(
    number: str, stored: dict[str, Any] | None, case: CaseInput, events: Iterable[EventRow]
) -> list[str]:
    """Every column of the stored fact row that differs from the one recomputed from the events.

    A log that cannot be replayed gives no finding here: `projection_problems` names it.
    """
    try:
        derived = fact_values(case, events)
    except ReplayError:
        return []
    if stored is None:
        return [f"{number}: 缺少统计事实记录（请运行 rebuild_case_facts）"]
    problems = []
    for name, old, new in fact_differences(stored, derived):
        hint = (
            "（修改工作日历、期限规则或集体访人数标准后，请运行 rebuild_case_facts）"
            if name in CONFIGURED_FIELDS
            else ""
        )
        problems.append(f"{number}: 统计事实“{fact_label(name)}”为 {old!r}，按办理记录应为 {new!r}{hint}")
    return problems


# -- anchors ------------------------------------------------------------------------------------


def anchor_path() -> Path:
    return Path(settings.XINFANG_ANCHOR_DIR) / ANCHOR_FILE


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def fingerprint(line: bytes) -> str:
    """The SHA-256 of one anchor line as written (what the bureau keeps elsewhere)."""
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def merkle_root(heads: Iterable[list[Any]]) -> str:
    """Merkle root (SHA-256, last node paired with itself) over the sorted heads."""
    level = [hashlib.sha256(_canonical(head)).digest() for head in sorted(heads)]
    if not level:
        return GENESIS_HASH
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [hashlib.sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0].hex()


def _mac(record: dict[str, Any], key: bytes) -> str:
    body = {name: value for name, value in record.items() if name != "mac"}
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def _last_line(handle: IO[bytes]) -> bytes | None:
    """The last line of the file, found by reading backwards from its end (the file only grows)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    if end == 0:
        return None
    handle.seek(end - 1)
    stop = end - 1 if handle.read(1) == b"\n" else end
    start = cursor = stop
    while cursor > 0:
        size = min(65536, cursor)
        cursor -= size
        handle.seek(cursor)
        newline = handle.read(size).rfind(b"\n")
        if newline >= 0:
            start = cursor + newline + 1
            break
        start = cursor
    handle.seek(start)
    return handle.read(stop - start) or None


def _heads_of(case_ids: list[int]) -> Iterator[list[Any]]:
    """[case_id, last seq, last digest] of each case, one query per chunk."""
    for start in range(0, len(case_ids), _CHUNK):
        chunk = case_ids[start : start + _CHUNK]
        last: dict[int, list[Any]] = {}
        rows = CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "seq")
        for case_id, seq, digest in rows.values_list("case_id", "seq", "hash").iterator(chunk_size=_CHUNK):
            last[case_id] = [case_id, seq, digest]
        yield from last.values()


def write_anchor() -> dict[str, Any]:
    """Append one anchor line: the heads of every case whose log grew since the previous line.

    The cost of a run follows the events written since the previous run, not the number of cases
    (the first run, at upgrade, anchors every case once). The file is opened for appending only,
    locked against a second job, and synced before returning.
    """
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        last = _last_line(handle)
        previous: dict[str, Any] = json.loads(last) if last else {}
        after = int(previous.get("upto", 0))
        upto = CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0
        grew = Q(id__gt=after)
        if previous:
            grew |= Q(id__gt=int(previous.get("after", 0)), at__gte=_parse(previous["at"]) - _LATE_COMMIT)
        case_ids = sorted(
            set(CaseEvent.objects.filter(grew, id__lte=upto).values_list("case_id", flat=True).distinct())
        )
        known = {head[0]: head for head in previous.get("heads", [])}
        heads = [head for head in _heads_of(case_ids) if known.get(head[0]) != head]
        record: dict[str, Any] = {
            "v": ANCHOR_VERSION,
            "at": now().isoformat(),
            "cases": Case.objects.count(),
            "after": after,
            "upto": upto,
            "heads": heads,
            "root": merkle_root(heads),
            "prev": fingerprint(last) if last else GENESIS_HASH,
        }
        record["mac"] = _mac(record, chain_key())
        line = _canonical(record)
        handle.seek(0, os.SEEK_END)
        handle.write(line + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return {**record, "fingerprint": fingerprint(line), "path": str(path)}


def _parse(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment)


def latest_anchor() -> dict[str, Any] | None:
    path = anchor_path()
    if not path.exists():
        return None
    with open(path, "rb") as handle:
        last = _last_line(handle)
    if not last:
        return None
    return {**json.loads(last), "fingerprint": fingerprint(last), "path": str(path)}


@dataclass
class Anchors:
    """The newest anchored head of each case, folded from the whole anchor file."""

    heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    lines: int = 0
    fingerprints: set[str] = field(default_factory=set)
    latest: str | None = None


def read_anchors(report: Report) -> Anchors:
    """Fold the anchor file, reporting lines that were edited, removed or reordered."""
    anchors = Anchors()
    path = anchor_path()
    if not path.exists():
        return anchors
    keys = [chain_key(), *_retired_keys()]
    prev = GENESIS_HASH
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\n")
            if not line:
                continue
            try:
                record = json.loads(line)
                heads = [(int(c), int(s), str(d)) for c, s, d in record["heads"]]
                mac, root, link = record["mac"], record["root"], record["prev"]
            except (ValueError, KeyError, TypeError):
                report(f"锚定文件第 {number} 行无法读取")
                continue
            if not any(hmac.compare_digest(_mac(record, key), str(mac)) for key in keys):
                report(f"锚定文件第 {number} 行的校验码不符（锚定记录被改动）")
            if root != merkle_root([list(head) for head in heads]):
                report(f"锚定文件第 {number} 行的 Merkle 根与其中的记录不符")
            if link != prev:
                report(f"锚定文件第 {number} 行与前一行不衔接（锚定记录被删除或重排）")
            for case_id, seq, digest in heads:
                if seq >= anchors.heads.get(case_id, (0, ""))[0]:
                    anchors.heads[case_id] = (seq, digest)
            prev = fingerprint(line)
            anchors.fingerprints.add(prev)
            anchors.lines += 1
    anchors.latest = prev if anchors.lines else None
    return anchors


# -- the walk -----------------------------------------------------------------------------------

_CASE_FIELDS = ("pk", "number", "last_event_hash", *PROJECTED_FIELDS)
# With the facts: what the fact row is computed from, then the stored row (LEFT JOIN: pk is None
# when the case has none).
_FACT_VALUES = (*CASE_INPUT_VALUES[1:], "report_fact__pk", *(f"report_fact__{name}" for name in FACT_FIELDS))


@dataclass
class Result:
    cases: int = 0
    events: int = 0
    problems: int = 0
    anchor_lines: int = 0
    anchored_cases: int = 0


def _events_by_case(events: Iterator[EventRow]) -> Iterator[tuple[int, list[EventRow]]]:
    group: list[EventRow] = []
    for event in events:
        if group and event.case_id != group[0].case_id:
            yield group[0].case_id, group
            group = []
        group.append(event)
    if group:
        yield group[0].case_id, group


def _fact_problems_of(
    case_id: int, number: str, values: tuple[Any, ...], events: list[EventRow]
) -> list[str]:
    inputs = len(CASE_INPUT_VALUES) - 1
    case = CaseInput(case_id, *values[:inputs])
    has_row, stored = values[inputs], values[inputs + 1 :]
    return fact_problems(
        number, None if has_row is None else dict(zip(FACT_FIELDS, stored, strict=True)), case, events
    )


def verify(
    *,
    report: Report,
    number: str | None = None,
    projection: bool = True,
    facts: bool = True,
    fingerprint_kept: str | None = None,
) -> Result:
    """Check every case (or the one with `number`); each finding goes to `report` as it is found.

    `projection` and `facts`: also replay each case's events into its projection and into its
    report facts (the chain and the anchors are always checked).
    """
    result = Result()

    def found(problem: str) -> None:
        result.problems += 1
        report(problem)

    anchors = read_anchors(found)
    result.anchor_lines = anchors.lines
    if fingerprint_kept and fingerprint_kept.lower() not in anchors.fingerprints:
        found(f"锚定文件中没有指纹为 {fingerprint_kept} 的记录（锚定文件被截断或替换）")
    cases = Case.objects.order_by("pk")
    events = CaseEvent.objects.order_by("case_id", "seq")
    if number:
        cases = cases.filter(number=number)
        events = events.filter(case__number=number)
    current, retired = chain_key(), _retired_keys()
    seen: set[int] = set()
    grouped = _events_by_case(
        EventRow(*row) for row in events.values_list(*_EVENT_FIELDS).iterator(chunk_size=_CHUNK)
    )
    pending = next(grouped, None)
    fields = (*_CASE_FIELDS, *(_FACT_VALUES if facts else ()))
    for row in cases.values_list(*fields).iterator(chunk_size=_CHUNK):
        case_id, case_number, last_hash = row[:3]
        projected = row[3 : len(_CASE_FIELDS)]
        while pending is not None and pending[0] < case_id:
            found(f"信访件 #{pending[0]} 已不存在，但仍有 {len(pending[1])} 条办理记录")
            pending = next(grouped, None)
        own: list[EventRow] = []
        if pending is not None and pending[0] == case_id:
            own = pending[1]
            pending = next(grouped, None)
        anchored = anchors.heads.get(case_id)
        broken = chain_problems(
            case_number, last_hash, own, anchored=anchored, current=current, retired=retired
        )
        for problem in broken:
            found(problem)
        if projection:
            for problem in projection_problems(
                case_number, dict(zip(PROJECTED_FIELDS, projected, strict=True)), own
            ):
                found(problem)
        # Facts recomputed from an edited log prove nothing more: the chain has named the case.
        if facts and not broken:
            for problem in _fact_problems_of(case_id, case_number, row[len(_CASE_FIELDS) :], own):
                found(problem)
        seen.add(case_id)
        result.cases += 1
        result.events += len(own)
        result.anchored_cases += anchored is not None
    while pending is not None and not number:
        found(f"信访件 #{pending[0]} 已不存在，但仍有 {len(pending[1])} 条办理记录")
        pending = next(grouped, None)
    if not number:
        for case_id in sorted(set(anchors.heads) - seen):
            found(f"信访件 #{case_id} 已锚定，但已不存在（被删除）")
    if facts:
        for problem in linked_fact_problems(number):
            found(problem)
        if not number:  # the monthly tallies against every fact row
            for problem in tally_differences():
                found(f"{problem}（请运行 rebuild_case_facts）")
    if projection:
        for problem in instruction_problems(number):
            found(problem)
    return result


def linked_fact_problems(number: str | None = None) -> list[str]:
    """Fact rows whose first repeat's date (`CaseFact.first_repeat_on`, kept from the repeats'
    links) differs from the one their repeats' rows give: one query."""
    rows = CaseFact.objects.annotate(expected=first_repeats())
    if number:
        rows = rows.filter(case__number=number)
    wrong = (
        Q(first_repeat_on__isnull=True, expected__isnull=False)
        | Q(first_repeat_on__isnull=False, expected__isnull=True)
        | Q(first_repeat_on__lt=F("expected"))
        | Q(first_repeat_on__gt=F("expected"))
    )
    label = fact_label("first_repeat_on")
    return [
        f"{case_number}: 统计事实“{label}”为 {stored!r}，按重复信访件应为 {expected!r}（请运行 rebuild_case_facts）"
        for case_number, stored, expected in rows.filter(wrong)
        .order_by("case_id")
        .values_list("case__number", "first_repeat_on", "expected")
    ]
