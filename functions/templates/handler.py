"""Lambda entry of the templates function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
