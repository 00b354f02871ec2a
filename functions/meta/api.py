"""Health and public configuration: what a browser client needs before it signs in."""

from __future__ import annotations

from pydantic import BaseModel

from deskless.http import Api
from deskless.languages import LANGUAGES
from deskless.settings import get_settings

api = Api("meta")


class PublicConfig(BaseModel):
    public_url: str
    websocket_url: str
    support_domain: str
    languages: tuple[str, ...]
    stage: str


@api.route("GET /api/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.route("GET /api/config")
def config() -> PublicConfig:
    settings = get_settings()
    return PublicConfig(
        public_url=settings.public_url,
        websocket_url=settings.websocket_url,
        support_domain=settings.support_domain,
        languages=LANGUAGES,
        stage=settings.stage,
    )
