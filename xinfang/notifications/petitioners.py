"""群众短信通知: telling petitioners of each step of their case by SMS and e-mail.

Three parts, all outside the action's transaction so that no petitioner message can slow down or
refuse a 受理 or a 转送:

- `on_case_event` (subscribed to ``cases.hooks.on_case_event``) only decides whether the event is
  news for the petitioner and, once the action has committed, enqueues `tasks.queue_step`. A
  rolled-back action enqueues nothing. An event recorded under `pinned_now` is a historical record
  (the statistics import of earlier cases, the demo): the petitioner was told at the time, if at
  all, so nothing is sent now.
- `queue_for_event` (the worker) writes one `PetitionerMessage` per recipient and channel with its
  text rendered from the step's template, then `deliver` sends them. The key (event, step,
  recipient, channel) makes a second run write nothing.
- `deliver` (the worker, and every few minutes for retries) claims each due message with a
  conditional update, so two workers never send one message, and sends it through
  `xinfang.core.sms` or Django's mail. A failure waits `BACKOFF[n]` before the next attempt; after
  `MAX_ATTEMPTS` the message is marked failed. The claim itself pushes the next attempt out by the
  backoff, so a worker that dies mid-send leaves a message that is simply tried again later (with
  the same `message_id`, which a gateway uses to send it once).

`rating_reminders` (daily) reminds the petitioners of delivered, unrated cases when the rating
window is about to close (`XINFANG_RATING_REMINDER_DAYS`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from xinfang.cases import pii
from xinfang.cases.clocks import case_clocks, clocks_of_cases
from xinfang.cases.models import Case, CaseEvent, Status
from xinfang.cases.selectors import sees_case
from xinfang.cases.vocabulary import Clock, EventKind
from xinfang.core import sms
from xinfang.core.timeutil import is_pinned, local_date, now
from xinfang.notifications import texts
from xinfang.notifications.models import Channel, MessageStatus, MessageTemplate, PetitionerMessage
from xinfang.orgs.models import User

logger = logging.getLogger(__name__)

# The step each kind of event tells the petitioner of (docs/workbench.md, "群众短信通知").
STEP_OF_EVENT: dict[str, str] = {
    EventKind.REGISTERED: "received",
    EventKind.FORWARDED: "forwarded",
    EventKind.ASSIGNED: "forwarded",
    EventKind.ACCEPTED: "accepted",
    EventKind.DECLINED: "declined",
    EventKind.REFUSED_AGAIN: "refused_again",
    EventKind.EXTENDED: "extended",
    EventKind.REPLIED: "replied",
    EventKind.ANSWERED: "replied",  # 直接答复 by the bureau: the petitioner's reply all the same
    EventKind.REVIEW_REQUESTED: "review_requested",
    EventKind.REVIEW_DECIDED: "review_decided",
    EventKind.REREVIEW_REQUESTED: "rereview_requested",
    EventKind.REREVIEW_DECIDED: "rereview_decided",
}
# The clock whose last day a step's {期限} names.
DUE_CLOCK: dict[str, Clock] = {
    "received": Clock.ROUTE,  # 第二十二条: routed, or told it is not accepted, within 15 days
    "forwarded": Clock.ACCEPT,  # 第二十三条: the unit tells whether it accepts
    "accepted": Clock.HANDLE,  # 第三十四条: the reply within 60 days
    "extended": Clock.HANDLE,  # the same clock, extended
    "review_requested": Clock.REVIEW_DECIDE,  # 第三十五条
    "rereview_requested": Clock.REREVIEW_DECIDE,  # 第三十六条
}
# The organ a step's {单位} names, where it is not the organ that acted (event.org).
ORG_NAME_KEY = {
    "forwarded": "to_org_name",
    "review_requested": "review_org_name",
    "rereview_requested": "rereview_org_name",
}

MAX_ATTEMPTS = 5
# The wait after the first, second ... failed attempt (the retry job runs every 5 minutes).
BACKOFF = (
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
SEND_BATCH = 500
REMINDER_BATCH = 2000
EMAIL_FOOTER = "\n\n（本邮件由信访事项办理系统自动发送，请勿直接回复。）"


def enabled() -> bool:
    return bool(getattr(settings, "XINFANG_PETITIONER_SMS", True))


# --- the subscriber --------------------------------------------------------------------------------


def on_case_event(event: CaseEvent) -> None:
    """Enqueue the petitioner's message of `event`, if it is one, once the action commits."""
    if event.kind not in STEP_OF_EVENT or not enabled() or is_pinned():
        return
    event_id = event.pk

    def enqueue() -> None:
        from xinfang.notifications.tasks import queue_step

        queue_step.enqueue(event_id)

    # robust: a queue that cannot be reached is logged; the action itself has committed already.
    transaction.on_commit(enqueue, robust=True)


# --- queueing --------------------------------------------------------------------------------------


def recipients(case: Case) -> list[tuple[str, str, str]]:
    """(reference, channel, address) of everyone told about `case`: each petitioner with a mobile
    number, and the citizen account that submitted it (its mobile and its e-mail). Petitioners
    have no e-mail address on record. One message per number, however many share it."""
    found: list[tuple[str, str, str]] = []
    numbers: set[str] = set()
    for petitioner in case.petitioners.all():
        number = pii.mobile_number(petitioner.phone)
        if number and number not in numbers:
            numbers.add(number)
            found.append((f"p{petitioner.pk}", Channel.SMS, number))
    citizen: User | None = case.citizen
    if citizen is not None and citizen.is_active and citizen.is_citizen:
        number = pii.mobile_number(citizen.phone)
        if number and number not in numbers:
            found.append((f"u{citizen.pk}", Channel.SMS, number))
        if citizen.email:
            found.append((f"u{citizen.pk}", Channel.EMAIL, citizen.email))
    return found


def wording(step: str) -> str | None:
    """The template text of `step`, or None when the back office turned the step off. A missing
    row (a database created without the data migration) falls back to the shipped wording."""
    row = MessageTemplate.objects.filter(key=step).values_list("text", "is_active").first()
    if row is None:
        return texts.STEPS[step].text
    text, active = row
    return text if active else None


def rendered(step: str, text: str, values: dict[str, texts.Value]) -> str:
    try:
        return texts.render(text, values)
    except KeyError:
        # Saved around the form's check (a shell, a fixture): the message still goes, in the
        # shipped wording, and the log says why.
        logger.error("群众通知模板“%s”含有无法识别的占位符，已改用默认内容。", step)
        return texts.render(texts.STEPS[step].text, values)


def _day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "法定期限内"


def _due(case: Case, event: CaseEvent, clock: Clock) -> str:
    """The last day of `clock` as it stood right after `event`."""
    events = list(case.events.filter(seq__lte=event.seq).order_by("seq"))
    clocks = case_clocks(case, events=events, today=local_date(event.at))
    return _day(next((c.due_on for c in clocks if c.name == clock), None))


def event_values(event: CaseEvent, step: str) -> dict[str, texts.Value]:
    case, payload = event.case, event.payload or {}
    org_key = ORG_NAME_KEY.get(step)
    values: dict[str, texts.Value] = {
        "编号": case.number,
        "查询码": case.query_code,
        "单位": str(payload.get(org_key, "")) if org_key else (event.org.name if event.org_id else ""),
        "日期": _day(local_date(event.at)),
        "方式": "交办" if event.kind == EventKind.ASSIGNED else "转送",
        "理由": str(payload.get("reasons") or payload.get("reason") or ""),
        "法律途径": str(payload.get("legal_channel_name", "")),
        "天数": str(payload.get("days", "")),
        "原编号": str(payload.get("earlier_number", "")),
        "结论": str(payload.get("outcome_name", "")),
    }
    if step in DUE_CLOCK:
        clock = DUE_CLOCK[step]
        values["期限"] = lambda: _due(case, event, clock)
    return values


def queue_messages(case: Case, event: CaseEvent, step: str, values: dict[str, texts.Value]) -> list[int]:
    """Write the messages of `step` for `case` (once per recipient and channel); their ids."""
    text = wording(step)
    people = recipients(case) if text is not None else []
    if text is None or not people:
        return []
    body = rendered(step, text, values)
    moment = now()
    rows = [
        PetitionerMessage(
            case=case,
            event=event,
            template=step,
            channel=channel,
            recipient_enc=pii.encrypt(address),
            text=sms.signed(body) if channel == Channel.SMS else body,
            message_id=uuid.uuid4().hex,
            key=f"{event.pk}:{step}:{ref}:{channel}",
            created_at=moment,
            next_attempt_at=moment,
        )
        for ref, channel, address in people
    ]
    PetitionerMessage.objects.bulk_create(rows, ignore_conflicts=True)
    written = PetitionerMessage.objects.filter(key__in=[row.key for row in rows], created_at=moment)
    return list(written.order_by("pk").values_list("pk", flat=True))


def queue_for_event(event_id: int) -> list[int]:
    event = (
        CaseEvent.objects.select_related("case__problem_region", "case__citizen", "org")
        .filter(pk=event_id)
        .first()
    )
    step = STEP_OF_EVENT.get(event.kind) if event is not None else None
    if event is None or step is None:
        return []
    return queue_messages(event.case, event, step, event_values(event, step))


# --- the rating reminder ---------------------------------------------------------------------------


def rating_reminders(at: dt.datetime | None = None) -> list[int]:
    """Remind the petitioners of each delivered case that is not yet rated, when its rating window
    ends within `XINFANG_RATING_REMINDER_DAYS` days; once per case. Only cases whose petitioners
    were told of the reply: an imported or older case was never in this conversation."""
    if not enabled():
        return []
    today = local_date(at or now())
    told = PetitionerMessage.objects.filter(case=OuterRef("pk"), template="replied")
    reminded = PetitionerMessage.objects.filter(case=OuterRef("pk"), template="rating_reminder")
    candidates = list(
        Case.objects.filter(status__in=[Status.DELIVERED, Status.REVIEWING])
        .filter(Exists(told), ~Exists(reminded))
        .select_related("problem_region", "citizen")
        .order_by("pk")[:REMINDER_BATCH]
    )
    queued: list[int] = []
    for found in clocks_of_cases(candidates, today=today):
        window = next((c for c in found.clocks if c.name == Clock.RATING), None)
        if window is None or window.state != "running" or window.due_on is None:
            continue
        if (window.due_on - today).days > settings.XINFANG_RATING_REMINDER_DAYS:
            continue
        case = found.case
        delivered = (
            case.events.filter(kind=EventKind.DELIVERED).select_related("org").order_by("-seq").first()
        )
        if delivered is None:
            continue
        values: dict[str, texts.Value] = {
            "编号": case.number,
            "查询码": case.query_code,
            "单位": delivered.org.name if delivered.org_id else case.current_org.name,
            "期限": _day(window.due_on),
        }
        queued += queue_messages(case, delivered, "rating_reminder", values)
    return queued


# --- sending ---------------------------------------------------------------------------------------


def _send(message: PetitionerMessage) -> str:
    if message.channel == Channel.EMAIL:
        subject = f"【{settings.SMS_SIGNATURE}】{message.get_template_display()}"
        send_mail(subject, message.text + EMAIL_FOOTER, None, [message.recipient])
        return ""
    return sms.send_sms(message.recipient, message.text, message_id=message.message_id)


def _reason(message: PetitionerMessage, error: Exception) -> str:
    """What the log shows staff: the gateway's refusal as `core.sms` words it, else the failure
    (a mail server's, a backend's) after a Chinese lead."""
    if isinstance(error, sms.SmsError):
        return str(error)[:300]
    what = "邮件" if message.channel == Channel.EMAIL else "短信"
    return f"{what}发送失败：{type(error).__name__}：{error}"[:300]


def _attempt(message: PetitionerMessage) -> bool:
    rows = PetitionerMessage.objects.filter(pk=message.pk)
    try:
        backend_id = _send(message)
    except Exception as error:  # any failure of a backend is a failed attempt, retried
        final = message.attempts >= MAX_ATTEMPTS
        logger.warning(
            "群众通知 %s 第 %s 次发送失败%s：%s",
            message.pk,
            message.attempts,
            "，不再重试" if final else "",
            error,
        )
        rows.update(
            status=MessageStatus.FAILED if final else MessageStatus.PENDING,
            last_error=_reason(message, error),
        )
        return False
    rows.update(status=MessageStatus.SENT, sent_at=now(), backend_id=(backend_id or "")[:64], last_error="")
    return True


def deliver(ids: Iterable[int] | None = None) -> int:
    """Send the pending messages that are due (of `ids`, or all); how many went out."""
    moment = now()
    due = PetitionerMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=moment)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    sent = 0
    for pk, attempts in due.order_by("next_attempt_at", "pk").values_list("pk", "attempts")[:SEND_BATCH]:
        wait = BACKOFF[min(attempts, len(BACKOFF) - 1)]
        # The claim: only the worker whose update finds the row as it read it sends it.
        claimed = PetitionerMessage.objects.filter(
            pk=pk, status=MessageStatus.PENDING, attempts=attempts
        ).update(attempts=attempts + 1, next_attempt_at=moment + wait)
        if claimed:
            sent += _attempt(PetitionerMessage.objects.get(pk=pk))
    return sent


def retry(ids: Iterable[int]) -> int:
    """Send failed messages again from the start (the back office's 重新发送)."""
    return PetitionerMessage.objects.filter(pk__in=list(ids), status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=now(), last_error=""
    )


# --- reading ---------------------------------------------------------------------------------------


def messages_for_case(user: User, case: Case) -> QuerySet[PetitionerMessage]:
    """The messages about `case`, oldest first, if `user` may see the case (the access policy)."""
    return (
        PetitionerMessage.objects.filter(case_id=case.pk)
        .filter(sees_case(user, "case_id"))
        .order_by("created_at", "pk")
    )
