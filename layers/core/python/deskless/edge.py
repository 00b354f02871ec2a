"""Facts shared by the CDN in front of the API and the functions behind it.

In AWS a CloudFront viewer-request function copies the viewer's Host into PORTAL_HOST_HEADER
(the origin request policy forwards every viewer header but Host) and the viewer's address
into VIEWER_IP_HEADER (API Gateway sees only CloudFront's edge as the source), and CloudFront
adds ORIGIN_VERIFY_HEADER with a secret, so a call that bypasses CloudFront is refused. Each
replaces whatever the viewer sent. The local gateway plays CloudFront and sets them the same way.
"""

from __future__ import annotations

PORTAL_HOST_HEADER = "x-deskless-host"
ORIGIN_VERIFY_HEADER = "x-deskless-origin-verify"
VIEWER_IP_HEADER = "x-deskless-viewer-ip"


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
