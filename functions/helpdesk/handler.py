"""Lambda entry of the helpdesk function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
