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
    token_ttl_seconds: int = 12 * 3600
    secret_cache_seconds: int = 300


@cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # pydantic-settings fills fields from the environment
