"""What every workflow action shares: lock, check the transition, append the event, project.

An action runs in one transaction. It locks the case row (SELECT ... FOR UPDATE on PostgreSQL;
SQLite takes the write lock at BEGIN because the connection uses immediate transactions), checks
the transitions table against the status it read under the lock, appends one hash-chained event
and updates the projection, which must equal the replay of the log (xinfang.cases.replay). Two
clerks pressing the same button: the second one waits for the lock, then finds the new status
and is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from xinfang.cases.access import refresh_case_access
from xinfang.cases.clocks import case_next_due
from xinfang.cases.facts import store_facts
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.replay import FIELD_LABELS, PROJECTED_FIELDS, ReplayError, differences, replay
from xinfang.cases.transitions import TransitionRefused, next_status
from xinfang.cases.vocabulary import ACTION_LABELS, Action
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.timeutil import now
from xinfang.orgs import permissions
from xinfang.orgs.models import Org, Role, User

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64


def chain_key() -> bytes:
    """The key of the event chain (settings.EVENT_CHAIN_KEY), kept outside the database."""
    return str(settings.EVENT_CHAIN_KEY).encode()


def event_digest(
    *,
    prev_hash: str,
    case_id: int,
    seq: int,
    kind: str,
    actor_id: int | None,
    org_id: int | None,
    at: str,
    payload: Any,
    key: bytes | None,
) -> str:
    """The digest of one event: its content and the digest of the one before (tamper evidence).

    Keyed (HMAC-SHA256) so that only a holder of the key can recompute the chain over an edited
    event. `key=None` gives the plain SHA-256 that events were written with before the chain was
    keyed; `verify_events` accepts those only where a keyed event or an anchor covers them.
    """
    body = json.dumps(
        [prev_hash, case_id, seq, kind, actor_id, org_id, at, payload],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class ProjectionDrift(ServiceError):
    """A service set a projection that the replay of the log does not give: a programming error,
    or a stored row changed behind the services' back. The action is refused and nothing is
    saved (fail closed); the user is told to have the integrity check run, the log gets the detail."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "该信访件的状态与办理记录不一致，本次办理未保存；请联系系统管理员运行完整性检查（verify_events）。",
            code="conflict",
        )
        self.detail = detail
        logger.error("projection drift: %s", detail)

    def __str__(self) -> str:
        return f"{self.message} {self.detail}"


def lock_case(case_id: int) -> Case:
    try:
        return (
            Case.objects.select_for_update().select_related("problem_region", "current_org").get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise ServiceError("信访件不存在。", field="case", code="not_found") from None


def append_event(
    case: Case,
    *,
    kind: str,
    actor: User | None,
    org: Org | None,
    payload: dict[str, Any] | None = None,
    first: bool = False,
) -> CaseEvent:
    """Append the next event to the case's hash chain (the case is locked by the caller).

    `first`: the case was inserted in this transaction, so its log is empty and no other writer
    can see the case yet: the event is the chain's first, with no read of the log and no
    savepoint against a concurrent append (registration: two round trips and a read fewer).
    """
    last = None if first else case.events.order_by("-seq").values("seq", "hash").first()
    seq = (last["seq"] + 1) if last else 1
    prev_hash = last["hash"] if last else GENESIS_HASH
    at = now()
    clean_payload = json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str))
    digest = event_digest(
        prev_hash=prev_hash,
        case_id=case.pk,
        seq=seq,
        kind=kind,
        actor_id=actor.pk if actor else None,
        org_id=org.pk if org else None,
        at=at.isoformat(),
        payload=clean_payload,
        key=chain_key(),
    )
    case.last_event_hash = digest
    row = CaseEvent(
        case=case,
        seq=seq,
        kind=kind,
        actor=actor,
        org=org,
        at=at,
        payload=clean_payload,
        prev_hash=prev_hash,
        hash=digest,
    )
    if first:
        row.save(force_insert=True)
        return row
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except IntegrityError:
        # Only reachable if a writer bypassed the row lock: refuse rather than fork the chain.
        raise ServiceError("该信访件刚被他人处理，请刷新后重试。", code="conflict") from None


def project(
    case: Case,
    *,
    status: str | None = None,
    fields: Iterable[str] = (),
    events: Iterable[CaseEvent] | None = None,
    unit_org_ids: list[int] | None = None,
) -> None:
    """Save the projection after an event: status, version, next due moment and changed fields,
    the case's rows of the access policy and its fact row (xinfang.cases.facts).

    The projected fields must be what the replay of the whole log gives, the same rule that
    `verify_events` applies to stored rows; a difference is a bug in a service and is refused
    before anything is saved, so the services and the check cannot drift apart.

    `events`: the case's whole log in order, when the caller already holds it (a new case's one
    event); otherwise it is read. `unit_org_ids`: a new case's units, as registration wrote them
    (its access rows are then written without reading them back).
    """
    if status is not None:
        case.status = status
    events = list(case.events.order_by("seq")) if events is None else list(events)
    try:
        derived = replay(events)
    except ReplayError as exc:
        raise ProjectionDrift(f"{case.number}: {exc}") from None
    drift = differences({name: getattr(case, name) for name in PROJECTED_FIELDS}, derived)
    if drift:
        detail = "；".join(f"{FIELD_LABELS[name]} {old!r} ≠ {new!r}" for name, old, new in drift)
        raise ProjectionDrift(f"{case.number}: 信访件状态与办理记录不一致：{detail}")
    case.version += 1
    case.updated_at = now()
    case.next_due_at, case.next_due_clock = case_next_due(case, events=events)
    case.save(
        update_fields=[
            "status",
            "version",
            "updated_at",
            "next_due_at",
            "next_due_clock",
            "last_event_hash",
            *fields,
        ]
    )
    # Every change to who takes part in a case goes through here, so the policy's rows follow;
    # and so does every event, so the report facts follow too (one statement, no read).
    first = case.version == 1
    refresh_case_access(case, first=first, unit_org_ids=unit_org_ids if first else None)
    store_facts(case, events, derived, first=first)


def begin(
    case: Case,
    action: Action,
    *,
    actor: User | None = None,
    roles: Iterable[str] = (),
    role_in: str = "current_org",
) -> tuple[Case, str]:
    """The opening of every action: lock the case, check `action` against the status read under
    the lock, and, when `roles` are given, that `actor` holds one of them in the organ named by
    `role_in` (the current unit unless said otherwise). Returns the locked case and the status the
    action leads to (the same status for a step that keeps it).

    Checks that need more than one organ or a citizen (rating, linking, appeals) are made by the
    service after this, with the locked case.
    """
    locked = lock_case(case.pk)
    status = check_transition(locked, action)
    roles = tuple(roles)
    if roles:
        if actor is None:
            raise ValueError("begin(): roles given without an actor")
        org = getattr(locked, role_in)
        if org is None:
            raise InvalidState(f"本件没有{ACTION_LABELS[action]}的办理机关。")
        require_role(actor, org, roles, action)
    return locked, status


def check_transition(case: Case, action: Action) -> str:
    try:
        return next_status(case.status, action)
    except TransitionRefused as exc:
        raise InvalidState(str(exc)) from None


def require_role(actor: User, org: Org, roles: Iterable[str], action: Action) -> None:
    """The actor must hold one of `roles` in `org` to take `action` there."""
    permissions.require_role(actor, org, roles, doing=ACTION_LABELS[action])


def on_commit(callback: Callable[[], None]) -> None:
    """Side effects (notifications, indexing) run only once the action is durable."""
    transaction.on_commit(callback)


BUREAU_ROLES = (Role.REGISTRAR, Role.BUREAU_HEAD, Role.APPROVER, Role.HANDLER)
UNIT_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)
DECIDING_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD, Role.LEADER)
