"""Imports every module that declares tables, so ``Base.metadata`` is complete.

Alembic's env and the schema check import this; a new domain's models module
is added here once.
"""
from channels import models as channel_models  # noqa: F401
from dispatch import models as dispatch_models  # noqa: F401
from evaluation import models as evaluation_models  # noqa: F401
from hotline.audit import models as audit_models  # noqa: F401
from hotline import jobs, scheduler  # noqa: F401
from hotline.db import Base
from knowledge import models as knowledge_models  # noqa: F401
from telephony import models as telephony_models  # noqa: F401
from tracking import accounts, models, notifications  # noqa: F401

metadata = Base.metadata
