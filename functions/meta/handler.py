"""Lambda entry of the meta function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
