"""Lambda entry of the codes function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
