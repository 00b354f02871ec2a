"""Lambda entry of the realtime function (WebSocket API)."""

from .routes import app

handler = app.lambda_handler()
