"""The CDK app: `cdk synth` runs `python3 -m infra.app` from the repository root (cdk.json).
Run it as a module: as a script, infra/ would come first on sys.path and infra/constructs
would shadow the `constructs` library.

Context comes from cdk.json and `-c deskless:<name>=<value>` (infra/settings.py). The dependency
layer is built here, before any construct, and only when its requirements changed
(layers/deps/build.py); every AwsSolutions finding must be fixed or suppressed where it arises.

Two stacks: Deskless itself, in whatever region the deployment chooses, and, with the web ACL
on (deskless:waf), its companion DesklessEdge in us-east-1 (infra/edge.py).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Aspects, Stack
from cdk_nag import AwsSolutionsChecks

from deskless.edge import API_REFERENCE, SHARED_FILES
from infra import paths
from infra.constructs.functions import PYTHON_VERSION
from infra.edge import DesklessEdgeStack
from infra.settings import ContextError, DeploymentSettings
from infra.stack import DesklessStack
from layers.deps.build import ensure_built

STACK_NAME = "Deskless"
EDGE_STACK_NAME = "DesklessEdge"


def build_app(context: Mapping[str, Any] | None = None, outdir: str | None = None) -> tuple[App, Stack]:
    """The app and Deskless' stack (its companion, if any, is the app's EDGE_STACK_NAME child), with
    cdk-nag's AwsSolutions checks attached; not yet synthesized."""
    app = App(context=dict(context or {}), outdir=outdir)
    settings = DeploymentSettings.from_context(app.node.get_all_context())
    edge = DesklessEdgeStack(app, EDGE_STACK_NAME, waf_rate_limit=settings.waf_rate_limit) if settings.waf else None
    stack = DesklessStack(
        app,
        STACK_NAME,
        settings=settings,
        dependencies=ensure_built(python_version=PYTHON_VERSION),
        web_source=paths.WEB if paths.WEB.is_dir() else None,
        reference=[paths.DOCS / name for name in API_REFERENCE.values()],
        shared={path: paths.REPOSITORY / name for path, name in SHARED_FILES.items()},
        web_acl_arn=edge.web_acl_arn() if edge else None,
    )
    if edge:
        stack.add_stack_dependency(edge, "the distribution reads the web ACL's ARN from the edge stack's output")
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app, stack


def main() -> None:
    try:
        app, _ = build_app()
    except ContextError as invalid:
        sys.exit(f"error: {invalid}")
    app.synth()


if __name__ == "__main__":
    main()
