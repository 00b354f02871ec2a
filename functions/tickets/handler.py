"""Lambda entry of the tickets function (HTTP API)."""

from . import automation, customers, staff  # noqa: F401  (each registers its routes)
from .app import api

handler = api.lambda_handler()
