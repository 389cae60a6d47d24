"""Every state change of a ticket is one function here: it takes the acting person and
``now``, checks the rule in ``tracking.states``, owns its transaction, and writes one
event row (two for 并单, one on each ticket)."""
from tracking.actions.actor import Actor
from tracking.actions.callback import Outcome, close_ticket, finish_callback, record_callback, reopen_ticket
from tracking.actions.dispatching import answer_directly, dispatch_ticket, merge_ticket, merge_tickets, reassign_ticket
from tracking.actions.errors import Forbidden, InvalidInput, LedgerError, NotFound, TransitionError
from tracking.actions.handling import accept_ticket, reply_ticket, request_extension, return_ticket, start_work
from tracking.actions.registration import NewTicket, Registration, register_ticket
from tracking.actions.reminding import remind_ticket
from tracking.actions.supervision import add_note, escalate_ticket, grant_extension, refuse_extension

__all__ = [
    "Actor", "Forbidden", "InvalidInput", "LedgerError", "NewTicket", "NotFound", "Outcome", "Registration",
    "TransitionError", "accept_ticket", "add_note", "answer_directly", "close_ticket", "dispatch_ticket",
    "escalate_ticket", "finish_callback", "grant_extension", "merge_ticket", "merge_tickets", "reassign_ticket",
    "record_callback", "refuse_extension", "register_ticket", "remind_ticket", "reopen_ticket", "reply_ticket",
    "request_extension", "return_ticket", "start_work",
]
