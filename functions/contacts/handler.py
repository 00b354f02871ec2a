"""Lambda entry of the contacts function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
