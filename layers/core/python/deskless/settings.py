"""Settings, read once per cold start from the environment (DESKLESS_*)."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DESKLESS_", frozen=True)

    stage: str = "aws"  # "local" when the local platform runs the functions
    table_name: str
    signing_secret_id: str
    origin_secret_id: str = ""  # empty: no origin check (only tests leave it out)
    support_domain: str  # portals live at <label>.<support_domain>
    public_url: str  # where the console and /api are reached, e.g. https://support.example.com
    websocket_url: str  # what browsers connect to (wss://...)
    websocket_callback_url: str  # the @connections management endpoint
    mail_from: str = "support@example.com"
    # The deployment's support addresses (comma-separated), the email settings' default; else mail_from.
    support_addresses: str = ""
    ses_configuration_set: str = ""
    inbound_bucket: str = ""
    # Tickets' attachments (deskless.attachments): the bucket, and the origin browsers reach it at
    # (https://<bucket>.s3.<region>.amazonaws.com in AWS; moto's address locally), which presigned
    # URLs are made for and pages' Content-Security-Policy allows.
    attachments_bucket: str = ""
    attachments_origin: str = ""
    attachment_max_bytes: int = 10 * 1024 * 1024  # one file
    ticket_attachments_max_bytes: int = 25 * 1024 * 1024  # all of one ticket's files together
    # The knowledge base's search index (deskless.search_index): its bucket, and how often a reader
    # asks whether a newer generation was published (at most once per this many seconds).
    search_index_bucket: str = ""
    search_index_check_seconds: float = 2.0
    # Ticket automation (issue 14): the EventBridge Scheduler group its time-based moments are
    # scheduled in, and the role Scheduler assumes to invoke the automation function.
    automation_schedule_group: str = "deskless-automation"
    automation_scheduler_role_arn: str = ""
    automation_moments_failures_arn: str = ""  # where Scheduler parks a moment it could not deliver
    # Screen sharing (issue 15): the Kinesis Video Streams signaling channel whose STUN/TURN servers
    # both peers use (functions/realtime/ice.py); empty: host candidates only.
    signaling_channel_arn: str = ""
    token_ttl_seconds: int = 12 * 3600
    secret_cache_seconds: int = 300


@cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # pydantic-settings fills fields from the environment
