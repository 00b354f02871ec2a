"""boto3 clients, made on first use and kept for the life of the process.

boto3 finds its endpoint the normal way (AWS_ENDPOINT_URL and friends), so in local mode
the same code reaches the local services without knowing it. A client is kept per service and
per endpoint and region the environment names: a process whose environment points elsewhere
(the tests, one local AWS after another) gets a client of the new place, and making a client
(about 0.2 s: botocore reads its service model) happens once per place, not once per test.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=50)


def client(service: str) -> Any:
    return _client(service, os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_REGION"))


@cache
def _client(service: str, endpoint_url: str | None, region: str | None) -> Any:
    """`endpoint_url` and `region` key the cache; boto3 reads them from the environment itself."""
    return boto3.session.Session().client(service, config=_CONFIG)


@cache
def connections_client(endpoint_url: str) -> Any:
    """The API Gateway management API of one WebSocket stage (its @connections endpoint)."""
    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=endpoint_url, config=_CONFIG)


@cache
def presigning_client(origin: str, bucket: str) -> Any:
    """An S3 client whose presigned URLs point at `origin`, where browsers reach `bucket` (and what
    pages' Content-Security-Policy allows): the bucket's regional virtual-hosted address in AWS
    (https://<bucket>.s3.<region>.amazonaws.com: the client's endpoint is that without the bucket),
    any other address path-style (moto's, http://127.0.0.1:<port>/<bucket>/...)."""
    scheme, host = origin.rstrip("/").split("://", 1)
    virtual = host.startswith(f"{bucket}.")
    endpoint = f"{scheme}://{host.removeprefix(f'{bucket}.')}" if virtual else f"{scheme}://{host}"
    style = Config(signature_version="s3v4", s3={"addressing_style": "virtual" if virtual else "path"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint, config=_CONFIG.merge(style))


@cache
def signaling_client(endpoint_url: str) -> Any:
    """Kinesis Video Streams' signaling API at one channel's endpoint (GetSignalingChannelEndpoint's)."""
    return boto3.session.Session().client("kinesis-video-signaling", endpoint_url=endpoint_url, config=_CONFIG)
