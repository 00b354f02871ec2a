"""Support requests: what a visitor leaves through a portal's message form when no technician
can chat (nobody available, or nobody accepted in time), with their contact data. They become
tickets once tickets exist; until then staff read them per company.

    SUPPORTREQ#<id> / SUPPORTREQ   the request (GSI1: SUPPORTREQS#<company>, newest first)
"""

from __future__ import annotations

import secrets
import time

from pydantic import BaseModel

from .companies import Portal, Via
from .data import NEW_ITEM, table
from .table import GSI1, Entity, company_support_requests, stamped, support_request_index, support_request_key


class SupportRequest(BaseModel):
    id: str
    company_id: str
    company_name: str
    subdomain: str
    name: str
    email: str
    message: str
    language: str
    via: Via
    chat_request_id: str = ""  # the chat request nobody accepted, if the message followed one
    created_at: int


def create_support_request(
    portal: Portal,
    *,
    name: str,
    email: str,
    message: str,
    language: str,
    via: Via,
    chat_request_id: str = "",
    now: float | None = None,
) -> SupportRequest:
    request = SupportRequest(
        id=secrets.token_hex(8),
        company_id=portal.company_id,
        company_name=portal.company_name,
        subdomain=portal.subdomain,
        name=name,
        email=email,
        message=message,
        language=language,
        via=via,
        chat_request_id=chat_request_id,
        created_at=int(time.time() if now is None else now),
    )
    item = stamped(
        Entity.SUPPORT_REQUEST,
        support_request_key(request.id),
        support_request_index(request.company_id, request.created_at, request.id),
        **request.model_dump(mode="json", exclude={"id"}),
        support_request_id=request.id,
    )
    table().put(item, condition=NEW_ITEM)
    return request


def support_requests_of(company_id: str, *, limit: int = 50) -> list[SupportRequest]:
    """A company's support requests, newest first (one Query)."""
    items = table().query(company_support_requests(company_id), index=GSI1.name, newest_first=True, limit=limit)
    return [SupportRequest.model_validate({**item, "id": item["support_request_id"]}) for item in items]
