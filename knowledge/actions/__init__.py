"""Every change to the knowledge base is one function here: it takes the acting person and
``now``, checks who may do it (``knowledge.permissions``), owns its transaction and writes
one audit event. Changes that alter what can be found advance the knowledge clock."""
from knowledge.actions.editing import create_article, edit_article, find_by_key
from knowledge.actions.feedback import TooManyRequests, record_feedback
from knowledge.actions.learning import draft_from_ticket, scrub
from knowledge.actions.review import publish_article, return_for_changes, submit_for_review, withdraw_article

__all__ = [
    "TooManyRequests", "create_article", "draft_from_ticket", "edit_article", "find_by_key",
    "publish_article", "record_feedback", "return_for_changes", "scrub", "submit_for_review",
    "withdraw_article",
]
