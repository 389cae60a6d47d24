"""The one place that reads the wall clock; everything else is handed ``now``."""
from datetime import datetime, timezone


def system_clock() -> datetime:
    return datetime.now(timezone.utc)
