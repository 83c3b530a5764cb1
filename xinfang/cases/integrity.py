"""Tamper evidence for the event log: recompute the hash chain of a case and report breaks."""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.services._core import GENESIS_HASH, event_digest


def event_problems(case: Case, events: Iterable[CaseEvent]) -> list[str]:
    """Every break in the chain of `case`: edited rows, deleted rows, reordered rows."""
    problems = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            problems.append(f"{case.number}: 记录 #{expected_seq} 缺失（下一条为 #{event.seq}）")
        if event.prev_hash != prev_hash:
            problems.append(f"{case.number}: 记录 #{event.seq} 与前一条记录的摘要不符")
        digest = event_digest(
            prev_hash=event.prev_hash,
            case_id=event.case_id,
            seq=event.seq,
            kind=event.kind,
            actor_id=event.actor_id,
            org_id=event.org_id,
            at=event.at.isoformat(),
            payload=event.payload,
        )
        if digest != event.hash:
            problems.append(f"{case.number}: 记录 #{event.seq}（{event.kind}）内容被改动")
        prev_hash = event.hash
        expected_seq = event.seq + 1
    if prev_hash != (case.last_event_hash or GENESIS_HASH):
        problems.append(f"{case.number}: 最新记录与信访件登记的摘要不符（记录可能被删除）")
    return problems
