"""boto3 clients, made on first use and kept for the life of the process.

boto3 finds its endpoint the normal way (AWS_ENDPOINT_URL and friends), so in local mode
the same code reaches the local services without knowing it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=50)


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)


@cache
def connections_client(endpoint_url: str) -> Any:
    """The API Gateway management API of one WebSocket stage (its @connections endpoint)."""
    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=endpoint_url, config=_CONFIG)
