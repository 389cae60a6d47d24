"""Where the shared data lies (recorded AMI traffic, labelled citizen messages): never in the repository.

Beside the checkout (``../shared/data``) by default; ``HOTLINE_TEST_SHARED_DATA`` names it when a
clone lies elsewhere (``.ci/run`` sets it), so those tests run instead of skipping.
"""
from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(os.environ.get("HOTLINE_TEST_SHARED_DATA")
                   or Path(__file__).resolve().parents[2].parent / "shared" / "data")
