"""Lambda entry of the auth function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
