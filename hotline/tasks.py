"""Imports every module that registers background tasks, so each process knows them all.

A job is run by name in whatever process takes it (a web process in the
embedded default, an rq worker in production); importing this module once in
``build_services`` makes every task and periodic declaration available there.
"""
import channels.tasks  # noqa: F401  sms.send, sms.survey_sweep, intake.settle
import dispatch.tasks  # noqa: F401  dispatch.route_ticket, dispatch.note_proposals
import telephony.tasks  # noqa: F401  telephony.close_stale_calls
import tracking.tasks  # noqa: F401  tracking.sweep_deadlines (scheduled from settings)
