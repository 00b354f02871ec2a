"""The ICE servers both peers of a screen share use: STUN and short-lived TURN credentials from
Amazon Kinesis Video Streams' signaling channel of this deployment (settings'
signaling_channel_arn), so no TURN server is run by hand.

Two calls: the channel's HTTPS endpoint (GetSignalingChannelEndpoint, kept for the life of the
container), then GetIceServerConfig there, kept until two minutes before its credentials expire
(KVS allows a few of those calls per second per channel; every share asks). Locally the moto
application answers both calls itself (local/moto_app.py), with no TURN servers: on loopback,
host candidates suffice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from deskless.aws import client, signaling_client
from deskless.errors import ServiceUnavailable
from deskless.observability import logger
from deskless.settings import get_settings

RENEW_BEFORE_MS = 120_000  # a cached answer is renewed this long before its credentials expire
NO_TURN_CACHE_MS = 300_000  # how long an answer without TURN servers is kept (KVS' TTL)


@dataclass(frozen=True)
class IceAnswer:
    servers: list[dict[str, Any]]
    expires_at_ms: int


_answers: dict[str, IceAnswer] = {}


def servers(*, now: float | None = None) -> tuple[list[dict[str, Any]], int]:
    """The ICE servers (RTCIceServer dicts) and when their credentials expire (epoch ms)."""
    now_ms = int((time.time() if now is None else now) * 1000)
    arn = get_settings().signaling_channel_arn
    if not arn:  # a deployment without a channel: host candidates only
        return [], now_ms + NO_TURN_CACHE_MS
    kept = _answers.get(arn)
    if kept is None or kept.expires_at_ms - RENEW_BEFORE_MS <= now_ms:
        kept = _answers[arn] = _asked(arn, now_ms)
    return kept.servers, kept.expires_at_ms


def forget() -> None:
    """Drop what is cached (tests: another local AWS, another channel)."""
    _answers.clear()
    _endpoint.cache_clear()


def _asked(arn: str, now_ms: int) -> IceAnswer:
    try:
        endpoint = _endpoint(arn, client("kinesisvideo"))
        answer = signaling_client(endpoint).get_ice_server_config(ChannelARN=arn, Service="TURN")
    except (ClientError, BotoCoreError) as error:
        logger.warning("no ICE servers", extra={"channel": arn, "error": str(error)})
        raise ServiceUnavailable("The screen-sharing relay cannot be reached right now; try again.") from error
    turn = answer.get("IceServerList", [])
    if not turn:
        return IceAnswer([], now_ms + NO_TURN_CACHE_MS)
    region = arn.split(":")[3]
    stun = {"urls": [f"stun:stun.kinesisvideo.{region}.amazonaws.com:443"]}
    relays = [{"urls": list(s["Uris"]), "username": s["Username"], "credential": s["Password"]} for s in turn]
    expires_at_ms = now_ms + 1000 * min(int(s.get("Ttl", 300)) for s in turn)
    return IceAnswer([stun, *relays], expires_at_ms)


@cache
def _endpoint(arn: str, videos: Any) -> str:
    """The channel's HTTPS endpoint for a viewer (one per channel and client: kept)."""
    found = videos.get_signaling_channel_endpoint(
        ChannelARN=arn, SingleMasterChannelEndpointConfiguration={"Protocols": ["HTTPS"], "Role": "VIEWER"}
    )
    return str(next(e["ResourceEndpoint"] for e in found["ResourceEndpointList"] if e["Protocol"] == "HTTPS"))
