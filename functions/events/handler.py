"""Lambda entry of the events function (DynamoDB stream)."""

from deskless.streams import stream_handler

from .knowledge import index_articles
from .reactions import react

handler = stream_handler(react, whole_batch=index_articles)
