"""Every setting is documented in docs/settings.md with its default."""
from pathlib import Path

import pytest

from config.settings import Settings, documented_settings

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name, _default, _help in documented_settings() if f"`{name}`" not in text]
    assert missing == [], f"undocumented settings in docs/settings.md: {missing}"


def test_settings_parse_types_and_refuse_garbage():
    settings = Settings.from_env({"HOTLINE_PORT": "9000", "HOTLINE_DISPATCH_MIN_CONFIDENCE": "0.7"})
    assert settings.port == 9000 and settings.dispatch_min_confidence == 0.7
    with pytest.raises(ValueError, match="HOTLINE_PORT"):
        Settings.from_env({"HOTLINE_PORT": "eighty"})
