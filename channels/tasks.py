"""Importing this registers every background task of the intake area with ``hotline.jobs``.

``hotline.services.build_services`` imports it, so the web process, rq workers
and the CLI all know ``sms.send``, ``sms.survey_sweep`` and ``intake.settle``.
"""
from channels import settle  # noqa: F401  intake.settle
from channels.sms import tasks as sms_tasks  # noqa: F401  sms.send, sms.survey_sweep
