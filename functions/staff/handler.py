"""Lambda entry of the staff function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
