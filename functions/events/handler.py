"""Lambda entry of the events function (DynamoDB stream)."""

from deskless.streams import stream_handler

from .reactions import react

handler = stream_handler(react)
