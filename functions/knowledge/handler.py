"""Lambda entry of the knowledge function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
