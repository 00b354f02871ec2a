"""Lambda entry of the portals function (HTTP API)."""

from . import (  # noqa: F401  (each registers its routes)
    account_api,
    admin,
    api,
    article_pages_api,
    suggestions_api,
    ticket_pages_api,
)
from .app import api as app

handler = app.lambda_handler()
