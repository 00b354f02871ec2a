"""Lambda entry of the portals function (HTTP API)."""

from . import account_api, admin, api, article_pages_api, ticket_pages_api  # noqa: F401  (each registers its routes)
from .app import api as app

handler = app.lambda_handler()
