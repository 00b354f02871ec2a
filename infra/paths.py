"""Where the app finds what it ships, independent of the directory `cdk` runs in."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
FUNCTIONS = REPOSITORY / "functions"  # one package per function: functions/<folder>/
CORE_LAYER = REPOSITORY / "layers" / "core"  # holds python/deskless/, the layout Lambda expects
WEB = REPOSITORY / "web"  # console and widget static assets, when the repository has them
DOCS = REPOSITORY / "docs"  # with the API's description, which the CDN serves (deskless.edge.API_REFERENCE)
CDK_JSON = REPOSITORY / "cdk.json"
