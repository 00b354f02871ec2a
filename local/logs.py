"""The local platform's own log (functions log through Powertools, as in Lambda)."""

from __future__ import annotations

import logging

log = logging.getLogger("deskless.local")
