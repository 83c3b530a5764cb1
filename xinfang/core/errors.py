"""The one error type services raise for a refused action or bad input.

Views show it on the form, the API turns it into a 4xx JSON body, commands print it. It always
names the field at fault (or None for the whole action) and says the problem in Chinese.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "message": self.message, "code": self.code}


class ServiceErrors(ServiceError):
    """Several faults of one input found at once (each petitioner row's), each naming its field, so
    the clerk corrects them in one go. It reads as its first fault where one error is expected."""

    def __init__(self, errors: list[ServiceError]) -> None:
        if not errors:
            raise ValueError("ServiceErrors needs at least one error")
        first = errors[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.errors = list(errors)


class NotAllowed(ServiceError):
    """The actor may not do this (role, organisation or access policy)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="forbidden")


class InvalidState(ServiceError):
    """The action is not allowed in the case's current status or phase (a hearing is open, a window
    has passed): a conflict with the state of the record, not a fault of the input (the API's 409)."""

    def __init__(self, message: str, *, field: str | None = "status") -> None:
        super().__init__(message, field=field, code="invalid_state")
