"""Errors the actions raise; the web layer maps each to one HTTP status."""


class LedgerError(Exception):
    """Base class: ``message`` is shown to the person (in Chinese)."""

    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(LedgerError):
    http_status = 400


class NotFound(LedgerError):
    """Also raised when a ticket exists but the actor may not see it, so nothing leaks."""

    http_status = 404


class Forbidden(LedgerError):
    http_status = 403


class TransitionError(LedgerError):
    """The action is not allowed in the ticket's current state (HTTP 409)."""

    http_status = 409
