"""The leaders' instructions of a case (`Instruction` rows), derived from its event log.

Three kinds of event make them (xinfang.cases.services.instructions): `sent_for_instruction` opens
one for the leader named, `instructed` fills in the 批示 (or opens one, when a leader instructs
unprompted), `instruction_reported` records the unit's report and closes the follow-up. The rows
are a projection for the queues: `store_instructions` rewrites a case's rows from its log in the
transaction of each step, `instruction_problems` (run by `verify_events`) reports rows that differ
from the log, and `rebuild_instructions` rewrites them for every case that has any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.db.models import Q

from xinfang.cases.models import Case, CaseEvent, Instruction, InstructionState
from xinfang.cases.vocabulary import EventKind

INSTRUCTION_KINDS = (EventKind.SENT_FOR_INSTRUCTION, EventKind.INSTRUCTED, EventKind.INSTRUCTION_REPORTED)

# The columns the log determines, in the order the check compares them.
COLUMNS = (
    "state",
    "leader_id",
    "leader_org_id",
    "sent_by_id",
    "sent_by_org_id",
    "sent_at",
    "note",
    "instructed_at",
    "text",
    "due_on",
    "unit_id",
    "reported_at",
    "reported_by_id",
    "report",
)


class EventLike(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def org_id(self) -> int | None: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def payload(self) -> Any: ...


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def derive(events: Iterable[EventLike]) -> dict[int, dict[str, Any]]:
    """The instruction rows a log gives: opening seq -> column values."""
    rows: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.kind not in INSTRUCTION_KINDS:
            continue
        payload: Mapping[str, Any] = event.payload if isinstance(event.payload, Mapping) else {}
        if event.kind == EventKind.SENT_FOR_INSTRUCTION:
            rows[event.seq] = {
                **dict.fromkeys(COLUMNS),
                "state": InstructionState.SENT,
                "leader_id": payload.get("leader"),
                "leader_org_id": payload.get("leader_org"),
                "sent_by_id": event.actor_id,
                "sent_by_org_id": event.org_id,
                "sent_at": event.at,
                "note": str(payload.get("note") or ""),
                "text": "",
                "report": "",
            }
            continue
        opened = payload.get("instruction")
        if event.kind == EventKind.INSTRUCTED:
            if not isinstance(opened, int) or opened not in rows:
                opened = event.seq  # unprompted: the instruction opens its own row
                rows[opened] = {
                    **dict.fromkeys(COLUMNS),
                    "leader_id": event.actor_id,
                    "leader_org_id": event.org_id,
                    "note": "",
                    "report": "",
                }
            rows[opened].update(
                state=InstructionState.INSTRUCTED,
                instructed_at=event.at,
                text=str(payload.get("text") or ""),
                due_on=_day(payload.get("due_on")),
                unit_id=payload.get("unit"),
            )
        elif isinstance(opened, int) and opened in rows:
            rows[opened].update(
                state=InstructionState.REPORTED,
                reported_at=event.at,
                reported_by_id=event.actor_id,
                report=str(payload.get("text") or ""),
            )
    return rows


def _stored(case_id: int) -> dict[int, dict[str, Any]]:
    return {
        row["seq"]: row for row in Instruction.objects.filter(case_id=case_id).values("pk", "seq", *COLUMNS)
    }


def _same(stored: Mapping[str, Any], derived: Mapping[str, Any]) -> bool:
    return all(stored.get(name) == derived.get(name) for name in COLUMNS)


def store_instructions(case: Case, events: Sequence[EventLike]) -> None:
    """Bring the case's instruction rows in line with its log (inside the step's transaction)."""
    derived = derive(events)
    stored = _stored(case.pk)
    for seq, values in derived.items():
        have = stored.get(seq)
        if have is None:
            Instruction.objects.create(case_id=case.pk, seq=seq, **values)
        elif not _same(have, values):
            Instruction.objects.filter(pk=have["pk"]).update(**values)
    stale = [row["pk"] for seq, row in stored.items() if seq not in derived]
    if stale:
        Instruction.objects.filter(pk__in=stale).delete()


def _case_ids(number: str | None = None) -> Iterable[tuple[int, str]]:
    with_events = CaseEvent.objects.filter(kind__in=INSTRUCTION_KINDS).values("case_id")
    cases = Case.objects.filter(Q(pk__in=with_events) | Q(pk__in=Instruction.objects.values("case_id")))
    if number:
        cases = cases.filter(number=number)
    return cases.order_by("pk").values_list("pk", "number").iterator()


def _log(case_id: int) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case_id=case_id, kind__in=INSTRUCTION_KINDS).order_by("seq"))


def instruction_problems(number: str | None = None) -> list[str]:
    """Instruction rows that are missing, extra or different from what their case's log gives.

    Reads only the cases that have such events or rows (the three kinds are rare in a log).
    """
    problems: list[str] = []
    for case_id, case_number in _case_ids(number):
        derived = derive(_log(case_id))
        stored = _stored(case_id)
        for seq in sorted(set(derived) | set(stored)):
            if seq not in stored:
                problems.append(
                    f"{case_number}: 缺少第 {seq} 条记录的领导批示（请运行 rebuild_instructions）"
                )
            elif seq not in derived:
                problems.append(f"{case_number}: 领导批示 #{seq} 在办理记录中没有依据")
            else:
                wrong = [name for name in COLUMNS if stored[seq].get(name) != derived[seq].get(name)]
                if wrong:
                    fields = "、".join(
                        str(Instruction._meta.get_field(name.removesuffix("_id")).verbose_name)
                        for name in wrong
                    )
                    problems.append(f"{case_number}: 领导批示 #{seq} 的{fields}与办理记录不一致")
    return problems


def rebuild_instructions() -> int:
    """Rewrite the instruction rows of every case that has any; returns the cases rewritten."""
    count = 0
    for case_id, _ in list(_case_ids()):
        store_instructions(Case(pk=case_id), _log(case_id))
        count += 1
    return count
