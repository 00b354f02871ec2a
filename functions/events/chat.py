"""What follows from the chat queue changing: technicians hear of a new request (on their console,
and by email if they asked for it), of one taken, withdrawn or run out; visitors still waiting
hear that the queue ahead of them shrank.

Each reaction is safe to repeat. A console notice may come twice (it names its request, so a
console shows it once). An email may not: each technician's is claimed on the request first
(`emailed`, while the request still waits, so the claim's own MODIFY record passes no stream
filter), and the claim is dropped again if sending fails, for the retry.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from html import escape
from typing import Any

from deskless.chat_requests import (
    ChatRequestState,
    QueuedChat,
    claim_email,
    queued_from_item,
    release_email,
    request_from_item,
    waiting_behind,
)
from deskless.companies import Company, get_company
from deskless.data import Item
from deskless.errors import NotFound
from deskless.mail import send_email
from deskless.observability import logger
from deskless.presence import available
from deskless.realtime import connections_of, push
from deskless.settings import get_settings
from deskless.users import Channel, StaffUser, staff_of


def requested(item: Item) -> None:
    """A visitor asked for a chat: every available technician of the company is told."""
    queued = queued_from_item(item)
    if queued.accept_until <= time.time():
        return  # a redelivery long after: nobody can take it any more
    company = _company(queued.company_id)
    if company is None:
        return
    ready = available(company.technician_ids, Channel.CHAT)
    notice = {"type": "chat.requested", "request": queued.model_dump(mode="json")}
    delivery = push(_consoles(p.user_id for p in ready), notice)
    by_email = [p.user_id for p in ready if p.notify.email]
    for technician in staff_of(by_email):
        _email(queued, technician)
    logger.info(
        "chat requested",
        extra={"request": queued.id, "available": len(ready), "consoles": len(delivery.delivered)},
    )


def ended(item: Item) -> None:
    """A request stopped waiting: the company's technicians take it off their queue."""
    request = request_from_item(item)
    about = {"request": request.id, "company_id": request.company_id}
    if request.state == ChatRequestState.ACCEPTED:
        notice = {"type": "chat.taken", **about, "by": request.accepted_by, "by_name": request.accepted_by_name}
    elif request.state == ChatRequestState.WITHDRAWN:
        notice = {"type": "chat.withdrawn", **about}
    else:
        return
    _tell_technicians(request.company_id, notice)


def queue_shrank(entry: Item) -> None:
    """A queue entry went (accepted, withdrawn or run out): each visitor waiting behind it is told
    its new place."""
    for place, request in waiting_behind(entry["company_id"], entry["sk"]):
        push(request.visitor_connections, {"type": "queue.position", "request": request.id, "position": place})


def expired(entry: Item) -> None:
    """A request's time ran out unanswered: the queue shrank, and the technicians are told."""
    queue_shrank(entry)
    _tell_technicians(
        entry["company_id"], {"type": "chat.expired", "request": entry["request_id"], "company_id": entry["company_id"]}
    )


# --- helpers ------------------------------------------------------------------------------------


def _company(company_id: str) -> Company | None:
    try:
        return get_company(company_id)[0]
    except NotFound:
        logger.warning("chat request of an unknown company", extra={"company_id": company_id})
        return None


def _consoles(user_ids: Iterable[str]) -> list[str]:
    return [connection for user_id in user_ids for connection in connections_of(user_id)]


def _tell_technicians(company_id: str, notice: dict[str, Any]) -> None:
    company = _company(company_id)
    if company is not None:
        push(_consoles(company.technician_ids), notice)


def _email(queued: QueuedChat, technician: StaffUser) -> None:
    """Email one technician about the request, once."""
    if not claim_email(queued.id, technician.id):
        return
    subject, text, html = render_email(queued, get_settings().public_url)
    try:
        send_email([technician.email], subject, text, html)
    except Exception:
        release_email(queued.id, technician.id)
        raise


def render_email(queued: QueuedChat, console_url: str) -> tuple[str, str, str]:
    """Subject, text part and HTML part of the email that tells a technician of a chat request."""
    console = console_url.rstrip("/") + "/"
    subject = f"Chat request from {queued.name} ({queued.company_name})"
    text = (
        f"{queued.name} <{queued.email}> asks for a chat on the {queued.company_name} portal:\n\n"
        f"{queued.question}\n\n"
        f"Accept it in your console: {console}\n"
        "The first technician to accept gets the chat.\n"
    )
    link = escape(console, quote=True)
    question = escape(queued.question).replace("\n", "<br>")
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
        '<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;'
        'color:#1f2933;font-size:16px;line-height:1.5">'
        '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">'
        f'<p style="margin:0 0 16px"><strong>{escape(queued.name)}</strong> '
        f"&lt;{escape(queued.email)}&gt; asks for a chat on the "
        f"<strong>{escape(queued.company_name)}</strong> portal:</p>"
        f'<blockquote style="margin:0 0 16px;padding:12px 16px;background:#f4f5f7;border-radius:6px">'
        f"{question}</blockquote>"
        f'<p style="margin:24px 0"><a href="{link}" style="display:inline-block;padding:12px 24px;'
        'background:#1a56db;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">'
        "Open the console</a></p>"
        f'<p style="margin:0 0 16px;font-size:13px"><a href="{link}" style="color:#1a56db">{escape(console)}</a></p>'
        '<p style="margin:0;color:#6b7280;font-size:13px">The first technician to accept gets the chat.</p>'
        "</div></body></html>"
    )
    return subject, text, html
