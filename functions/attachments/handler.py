"""Lambda entry of the attachments function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
