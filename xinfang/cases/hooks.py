"""Hooks other apps subscribe to, so the case services call no adapter by name.

The domain (``cases``) must not import the apps built on it (text analysis, pages, transport).
Where one of them has to act when a case changes, it connects a function here from its
``AppConfig.ready`` and the service calls :meth:`CaseHook.send`.

``on_case_registered`` runs *inside* the registering transaction, after the case, its units, its
first event and any forward at registration are written: a subscriber's rows are committed with the
case, and an exception a subscriber lets out rolls the whole registration back. A subscriber that
must not refuse a registration (the duplicate index) catches its own failures.

``on_case_event`` runs for every event appended to a case's log, inside the action's transaction,
right after the event row is written (a Django ``post_save`` on ``CaseEvent`` relayed from here, so
no service names it): the in-app notifications subscribe to it. The same rule holds: a subscriber
that must not refuse an action catches its own failures. It is not sent for history entered after
the fact (``entering_history``, and the bulk ``services.history``, which asks ``on_cases_laid_out`` instead).

``citizen_identity`` is a question rather than a notice: the access policy asks it who a citizen
account has proved to be (the portal answers), so that a co-signer of a 联名 matter sees it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models.signals import post_save

if TYPE_CHECKING:
    from xinfang.cases.models import Case, CaseEvent
    from xinfang.orgs.models import User

CaseSubscriber = Callable[["Case"], None]
EventSubscriber = Callable[["CaseEvent"], None]


S = TypeVar("S", bound=Callable[..., Any])


class _Hook(Generic[S]):
    """An ordered list of subscribers, called one after the other (no weak references: subscribers
    are module-level functions that live as long as the process)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[S] = []

    def connect(self, subscriber: S) -> S:
        """Subscribe once (``ready`` may run twice in tests); returns the function, so it can decorate."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def disconnect(self, subscriber: S) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def subscribers(self) -> tuple[S, ...]:
        return tuple(self._subscribers)


class CaseHook(_Hook[CaseSubscriber]):
    """Subscribers called with the case."""

    def send(self, case: Case) -> None:
        for subscriber in self.subscribers():
            subscriber(case)


on_case_registered = CaseHook("on_case_registered")


class EventHook(_Hook[EventSubscriber]):
    """``CaseHook`` for the events of a case's log: subscribers get the new ``CaseEvent``."""

    def send(self, event: CaseEvent) -> None:
        if _entering_history.get():
            return
        for subscriber in self.subscribers():
            subscriber(event)


on_case_event = EventHook("on_case_event")

_entering_history = contextvars.ContextVar("entering_history", default=False)


@contextlib.contextmanager
def entering_history() -> Iterator[None]:
    """Within it, events appended are history entered after the fact (the import of an archive,
    row by row through the services): ``on_case_event`` is not sent, so nobody is notified of
    steps taken long ago; the bulk path (services.history) sends no per-event hook at all."""
    token = _entering_history.set(True)
    try:
        yield
    finally:
        _entering_history.reset(token)


def _relay_case_event(
    sender: object, instance: CaseEvent, created: bool, raw: bool = False, **_: object
) -> None:
    # Events are append-only: only a new row is news; fixtures (raw) are history, not news.
    if created and not raw:
        on_case_event.send(instance)


# A lazy sender ("app.Model"): connected once the model is loaded, whoever imports this first.
post_save.connect(
    _relay_case_event, sender="cases.CaseEvent", weak=False, dispatch_uid="xinfang.cases.on_case_event"
)


Table = tuple[Any, tuple[str, ...], list[Sequence[Any]]]  # (model, field names, rows)
RowsSubscriber = Callable[[list["Case"]], list[Table]]


class RowsHook(_Hook[RowsSubscriber]):
    """``CaseHook`` for many cases entered at once (history entered in bulk): each subscriber gets
    the list and returns the rows it writes with them, as tables of plain rows."""

    def collect(self, cases: list[Case]) -> list[Table]:
        return [table for subscriber in self.subscribers() for table in subscriber(cases)]


# The bulk counterpart of ``on_case_registered`` (the duplicate index subscribes to both). It is
# called while history entered in bulk is laid out (services.history.lay_out_history), with the
# cases as they will be written (ids, numbers, texts), and its tables are inserted with them, in the
# transaction that writes the cases (write_history). Laying out may run in another process, ahead
# of the writing (the import): a subscriber only reads, and must not refuse the cases (it logs its
# own failures). Not ``on_case_event``: entered history is not news (nobody is notified of it).
on_cases_laid_out = RowsHook("on_cases_laid_out")


@dataclass(frozen=True)
class CitizenIdentity:
    """What a citizen account has proved about its holder, as keyed hashes (xinfang.cases.pii): the
    mobile number (`keyed_hash`, proved by an SMS code) and the verified name (`name_key`)."""

    phone_hash: str
    name_key: str


IdentityProvider = Callable[["User"], CitizenIdentity | None]


class IdentityHook:
    """Who a citizen account is, for the access policy (a co-signer of a 联名 matter sees it). The
    portal keeps the verified identities (实名) and connects its answer from ``AppConfig.ready``;
    without a provider, or for an account with no verified identity, the answer is None and the
    account sees only the matters it submitted itself."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._provider: IdentityProvider | None = None

    def connect(self, provider: IdentityProvider) -> IdentityProvider:
        self._provider = provider
        return provider

    def disconnect(self, provider: IdentityProvider) -> None:
        if self._provider is provider:
            self._provider = None

    def identify(self, user: User) -> CitizenIdentity | None:
        return self._provider(user) if self._provider is not None else None


citizen_identity = IdentityHook("citizen_identity")
