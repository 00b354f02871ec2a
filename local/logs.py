"""The local platform's own log (functions log through Powertools, as in Lambda)."""

from __future__ import annotations

import logging

# Not under "deskless": that is the functions' Powertools logger, which would take these records over.
log = logging.getLogger("deskless-local")
NOISY = ("werkzeug", "botocore", "mail.log", "mangum")  # moto's requests, credential lookups, SMTP sessions


def configure(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
