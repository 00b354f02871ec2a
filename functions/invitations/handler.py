"""Lambda entry of the invitations function (HTTP API)."""

from .api import api

handler = api.lambda_handler()
