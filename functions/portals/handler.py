"""Lambda entry of the portals function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
