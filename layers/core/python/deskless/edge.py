"""Facts shared by the CDN in front of the API and the functions behind it.

In AWS a CloudFront viewer-request function copies the viewer's Host into PORTAL_HOST_HEADER
(the origin request policy forwards every viewer header but Host) and the viewer's address
into VIEWER_IP_HEADER (API Gateway sees only CloudFront's edge as the source), and CloudFront
adds ORIGIN_VERIFY_HEADER with a secret, so a call that bypasses CloudFront is refused. Each
replaces whatever the viewer sent. The local gateway plays CloudFront and sets them the same way.

The console's static files are served under STATIC_PATH (from the web-assets bucket in AWS, from
the repository's web/ folder locally), each answer with the headers of static_file_headers; a
URI ending in "/" means that folder's INDEX_FILE, and a folder named without its slash is
redirected to it (in AWS, which cannot look into the bucket, a last segment without a dot is
taken for a folder).

The API's description is served at the paths of API_REFERENCE (the OpenAPI document and the
reference page made from it, both files of the repository's docs/ folder that `deskless openapi`
writes), with the static files' headers: in AWS by the CDN from the web-assets bucket, where they
are kept under REFERENCE_PREFIX, locally by the gateway. They are no API Gateway routes, so the
catalog (deskless.catalog, API Gateway's routes) does not list them.

Every response the deployment serves carries EDGE_HEADERS, whatever served it: in AWS the CDN's
response headers policies add them (the static files' and the API's), locally the gateway does.

A few files of the repository outside web/ are served among the console's static files, at the
paths of SHARED_FILES: the WebRTC script the portals' pages inline (functions/portals/assets/
peer.js) is the console's too, at /static/console/peer.js. In AWS they are deployed into the
web-assets bucket beside web/'s files (infra/constructs/web_assets.py), locally the gateway serves
them from where they are (local/static.py): one file, two servings.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

PORTAL_HOST_HEADER = "x-deskless-host"
ORIGIN_VERIFY_HEADER = "x-deskless-origin-verify"
VIEWER_IP_HEADER = "x-deskless-viewer-ip"
STATIC_PATH = "/static/"
INDEX_FILE = "index.html"
OPENAPI_PATH = "/api/openapi.json"
API_DOCS_PATH = "/api/docs"
API_REFERENCE: Mapping[str, str] = {OPENAPI_PATH: "openapi.json", API_DOCS_PATH: "api.html"}  # path -> docs/ file
REFERENCE_PREFIX = "reference/"
CONSOLE_PEER_SCRIPT = f"{STATIC_PATH}console/peer.js"  # the shared WebRTC script, for the console
# Files served among the static files though they live elsewhere: path -> file, from the repository's root
SHARED_FILES: Mapping[str, str] = {CONSOLE_PEER_SCRIPT: "functions/portals/assets/peer.js"}


IPV6_SOURCE_PREFIX = 64  # one IPv6 customer is handed a /64 at least: it is one "source", not 2^64


def source_key(address: str) -> str:
    """What per-source limits count by: an IPv4 viewer by its address (/32), an IPv6 viewer by its
    /64 network, since one subscriber routinely holds a whole /64 and could otherwise rotate
    through it to start afresh. An IPv4-mapped IPv6 address counts as its IPv4 one; anything that
    is not an address (no CDN in front, a test) is counted as given.

    >>> source_key("203.0.113.7")
    '203.0.113.7'
    >>> source_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd")
    '2001:db8:1:2::/64'
    >>> source_key("::ffff:203.0.113.7")
    '203.0.113.7'
    """
    text = address.strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_SOURCE_PREFIX}", strict=False))
    return str(parsed)


@dataclass(frozen=True)
class StrictTransportSecurity:
    """Browsers that once reached the deployment over HTTPS use nothing else for it, for two
    years (what hstspreload.org and Mozilla's guidelines ask for), portals included: they are
    subdomains of the support domain, all served by the one distribution with its wildcard
    certificate. Not preloaded: preloading is for a registrable domain (the support domain is
    usually a subdomain of one), and hard to undo."""

    max_age_s: int = 2 * 365 * 24 * 60 * 60
    include_subdomains: bool = True
    preload: bool = False

    def __str__(self) -> str:
        """The header's value.

        >>> str(StrictTransportSecurity())
        'max-age=63072000; includeSubDomains'
        """
        directives = [f"max-age={self.max_age_s}"]
        directives += ["includeSubDomains"] if self.include_subdomains else []
        directives += ["preload"] if self.preload else []
        return "; ".join(directives)


STRICT_TRANSPORT_SECURITY = StrictTransportSecurity()
EDGE_HEADERS: Mapping[str, str] = {"strict-transport-security": str(STRICT_TRANSPORT_SECURITY)}


def portal_label(host: str, support_domain: str) -> str | None:
    """The portal subdomain a Host names, or None for the support domain itself or a stranger.

    >>> portal_label("acme.support.example.com", "support.example.com")
    'acme'
    >>> portal_label("acme.localhost:8000", "localhost")
    'acme'
    """
    name = host.strip().lower().rsplit(":", 1)[0] if ":" in host else host.strip().lower()
    suffix = "." + support_domain.lower()
    if not name.endswith(suffix):
        return None
    label = name[: -len(suffix)]
    return label if label and "." not in label else None


def portal_url(label: str, public_url: str) -> str:
    """The base URL of a portal, from the deployment's public URL.

    >>> portal_url("acme", "https://support.example.com")
    'https://acme.support.example.com'
    >>> portal_url("acme", "http://localhost:8000/")
    'http://acme.localhost:8000'
    """
    scheme, rest = public_url.split("://", 1)
    return f"{scheme}://{label}.{rest.rstrip('/')}"


def page_origins(public_url: str) -> tuple[str, str]:
    """The origins of the deployment's pages: the console's (the support domain's) and every
    portal's (its subdomains), as a CORS rule names them.

    >>> page_origins("https://support.example.com")
    ('https://support.example.com', 'https://*.support.example.com')
    >>> page_origins("http://localhost:8000/")
    ('http://localhost:8000', 'http://*.localhost:8000')
    """
    scheme, rest = public_url.split("://", 1)
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}", f"{scheme}://*.{host}"


def page_permissions(*, display_capture: bool) -> str:
    """The Permissions-Policy of the deployment's pages: no camera, microphone or location ever
    (nothing of Deskless uses them, so nothing running in a page may ask for them), and screen
    capture (getDisplayMedia, for screen sharing in a support session) only where `display_capture`
    says, and then only for the page's own origin and the frames it allows by `allow=` (the chat
    widget's frame, functions/portals/assets/widget.js): never for another origin's content.

    >>> page_permissions(display_capture=True)
    'camera=(), microphone=(), geolocation=(), display-capture=(self)'
    >>> page_permissions(display_capture=False)
    'camera=(), microphone=(), geolocation=(), display-capture=()'
    """
    return f"camera=(), microphone=(), geolocation=(), display-capture=({'self' if display_capture else ''})"


@dataclass(frozen=True)
class StaticFileHeaders:
    """The headers every static file of the console carries (web/ under /static/), in AWS from
    the CDN's response headers policy and locally from the gateway: scripts, styles and
    connections from the deployment itself and its WebSocket API only, in no frame, and
    revalidated on every use, since the files keep their names from one deploy to the next. The
    console may capture a screen (a technician shares theirs in a support session), nothing more.
    WebRTC needs nothing of the CSP: a peer connection is no fetch (connect-src does not govern
    it) and a video shows a remote stream through srcObject, not a URL (media-src neither)."""

    content_security_policy: str
    content_type_options: str = "nosniff"
    referrer_policy: str = "no-referrer"
    cache_control: str = "no-cache"
    permissions_policy: str = page_permissions(display_capture=True)

    def as_dict(self) -> dict[str, str]:
        return {
            "content-security-policy": self.content_security_policy,
            "x-content-type-options": self.content_type_options,
            "referrer-policy": self.referrer_policy,
            "cache-control": self.cache_control,
            "permissions-policy": self.permissions_policy,
        }


def static_file_headers(websocket_url: str, attachments_origin: str = "") -> StaticFileHeaders:
    """The static files' headers, for a deployment whose WebSocket API is at `websocket_url` and
    whose attachments bucket browsers reach at `attachments_origin` (uploads are posted to it,
    images shown from it: deskless.attachments).

    >>> static_file_headers("wss://abc.example.com/live").content_security_policy.split("; ")[5]
    "connect-src 'self' wss://abc.example.com"
    >>> with_bucket = static_file_headers("wss://a.example.com", "https://b.s3.eu-west-1.amazonaws.com")
    >>> with_bucket.content_security_policy.split("; ")[5]
    "connect-src 'self' wss://a.example.com https://b.s3.eu-west-1.amazonaws.com"
    """
    bucket = f" {attachments_origin}" if attachments_origin else ""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{bucket}; media-src 'self' data:; "
        f"connect-src 'self' {websocket_origin(websocket_url)}{bucket}; frame-ancestors 'none'; base-uri 'none'; "
        f"form-action 'self'{bucket}; object-src 'none'"
    )
    return StaticFileHeaders(content_security_policy=policy)


def websocket_origin(url: str) -> str:
    """The scheme and host of a URL, by plain string work: in the CDK app the URL is made of
    deploy-time placeholders that a URL parser would refuse.

    >>> websocket_origin("wss://abc.execute-api.eu-west-1.amazonaws.com/live")
    'wss://abc.execute-api.eu-west-1.amazonaws.com'
    >>> websocket_origin("ws://localhost:8000/ws?token=x")
    'ws://localhost:8000'
    """
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}"
