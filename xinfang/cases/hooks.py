"""Hooks other apps subscribe to, so the case services call no adapter by name.

The domain (``cases``) must not import the apps built on it (text analysis, pages, transport).
Where one of them has to act when a case changes, it connects a function here from its
``AppConfig.ready`` and the service calls :meth:`CaseHook.send`.

``on_case_registered`` runs *inside* the registering transaction, after the case, its units, its
first event and any forward at registration are written: a subscriber's rows are committed with the
case, and an exception a subscriber lets out rolls the whole registration back. A subscriber that
must not refuse a registration (the duplicate index) catches its own failures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xinfang.cases.models import Case

CaseSubscriber = Callable[["Case"], None]


class CaseHook:
    """An ordered list of subscribers, called one after the other with the case (no weak references:
    subscribers are module-level functions that live as long as the process)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[CaseSubscriber] = []

    def connect(self, subscriber: CaseSubscriber) -> CaseSubscriber:
        """Subscribe once (``ready`` may run twice in tests); returns the function, so it can decorate."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def disconnect(self, subscriber: CaseSubscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def subscribers(self) -> tuple[CaseSubscriber, ...]:
        return tuple(self._subscribers)

    def send(self, case: Case) -> None:
        for subscriber in tuple(self._subscribers):
            subscriber(case)


on_case_registered = CaseHook("on_case_registered")
