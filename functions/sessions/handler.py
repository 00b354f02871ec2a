"""Lambda entry of the sessions function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
