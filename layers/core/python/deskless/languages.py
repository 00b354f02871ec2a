"""The languages customer-facing pages and emails speak: English, Spanish, German, Czech."""

from __future__ import annotations

LANGUAGES = ("en", "es", "de", "cs")
DEFAULT_LANGUAGE = "en"
