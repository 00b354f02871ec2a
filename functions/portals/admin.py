"""Company administration: companies, who serves them, their portal and its embed codes."""

from __future__ import annotations

from .app import api

__all__ = ["api"]
