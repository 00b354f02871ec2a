"""WebSocket connections: stored per connection, found per user, pushed to in parallel.

A connection that answers 410 Gone is dropped at once, not retried.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from .auth import Principal
from .aws import connections_client
from .data import EXISTS, Condition, ConditionFailed, table
from .observability import logger
from .settings import get_settings
from .table import GSI1, Entity, connection_index, connection_key, stamped, user_connections

# API Gateway closes a WebSocket after two hours; the record outlives it by a margin, then TTL
# (or $disconnect, which is best effort) removes it.
MAX_CONNECTION_SECONDS = 2 * 3600
RECORD_MARGIN_SECONDS = 300
# API Gateway answers 410 Gone for a connection until its $connect has returned (authorizer, then
# our function): within this many seconds of connecting, Gone means "not yet", not "closed".
CONNECT_GRACE_SECONDS = 30
_PARALLEL_POSTS = 16


@dataclass
class Delivery:
    delivered: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def save_connection(connection_id: str, principal: Principal, *, source_ip: str = "", now: float | None = None) -> None:
    connected_at = int(time.time() if now is None else now)
    table().put(
        stamped(
            Entity.CONNECTION,
            connection_key(connection_id),
            connection_index(principal.user_id, connection_id),
            connection_id=connection_id,
            user_id=principal.user_id,
            role=principal.role,
            scope=principal.scope,
            source_ip=source_ip,
            connected_at=connected_at,
            expires_at=connected_at + MAX_CONNECTION_SECONDS + RECORD_MARGIN_SECONDS,
        )
    )


def get_connection(connection_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    return table().get(connection_key(connection_id), consistent=consistent)


def remember_session(connection_id: str, session_id: str, name: str) -> None:
    """Note on the connection which session it joined, and the name it speaks with there, so its
    $disconnect can leave each; ConditionFailed if the connection is gone (its socket closed)."""
    table().update(
        connection_key(connection_id), set_values={"name": name}, add={"sessions": {session_id}}, condition=EXISTS
    )


def remove_connection(connection_id: str) -> None:
    table().delete(connection_key(connection_id))


def settled(stamp: str, *, now: float | None = None) -> Condition:
    """The item's `stamp` (epoch seconds) is older than the connect grace: a Gone is a real one."""
    cutoff = int(time.time() if now is None else now) - CONNECT_GRACE_SECONDS
    return Condition(f"{stamp} < :cutoff", values={":cutoff": cutoff})


def _forget_gone(connection_id: str) -> None:
    with contextlib.suppress(ConditionFailed):  # still connecting: keep it
        table().delete(connection_key(connection_id), condition=settled("connected_at"))


def connections_of(user_id: str) -> list[str]:
    return [item["connection_id"] for item in table().query(user_connections(user_id), index=GSI1.name)]


def _client() -> Any:
    return connections_client(get_settings().websocket_callback_url)


def _post(connection_id: str, data: bytes) -> str:
    try:
        _client().post_to_connection(ConnectionId=connection_id, Data=data)
        return "delivered"
    except ClientError as error:
        if error.response["Error"]["Code"] == "GoneException":
            _forget_gone(connection_id)
            return "gone"
        logger.warning("push failed", extra={"connection_id": connection_id, "error": str(error)})
        return "failed"


def push(connection_ids: Iterable[str], message: Mapping[str, Any]) -> Delivery:
    """Send one JSON message to each connection, in parallel; stale connections are removed."""
    targets = list(dict.fromkeys(connection_ids))
    data = json.dumps(message, separators=(",", ":")).encode()
    delivery = Delivery()
    if not targets:
        return delivery
    with ThreadPoolExecutor(max_workers=min(_PARALLEL_POSTS, len(targets))) as pool:
        for connection_id, outcome in zip(targets, pool.map(lambda c: _post(c, data), targets), strict=True):
            getattr(delivery, outcome).append(connection_id)
    return delivery


def push_to_user(user_id: str, message: Mapping[str, Any]) -> Delivery:
    return push(connections_of(user_id), message)


def disconnect(connection_id: str) -> bool:
    """Close a connection; False if it was already gone."""
    try:
        _client().delete_connection(ConnectionId=connection_id)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "GoneException":
            return False
        raise
