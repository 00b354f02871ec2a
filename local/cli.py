"""The `deskless` command.

deskless dev        run the whole platform on loopback, with demo data
deskless test       lint, type-check and run every test suite
deskless invoke     run one function with one event against the local services
deskless synth      build the dependency layer and synthesize the CloudFormation template
deskless layer      build the dependency layer only (when its requirements changed)
deskless routes     every HTTP route and WebSocket action: its function, who may call it, its endpoint
deskless openapi    write the API's OpenAPI document and reference page to docs/ (--check: only compare)
deskless bench      print the benchmark figures
deskless screenshots  save the console's main screens to docs/screenshots/
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
MotoMode = Literal["fast", "as-is"]  # local.moto_app.moto_app reads it
MOTO_MODES: tuple[MotoMode, ...] = ("fast", "as-is")
CFN_LINT_NO_ERRORS = {0, 4, 8, 12}  # cfn-lint's exit code is a bit set: 2 = errors, 4 = warnings, 8 = informational


def _dev(args: argparse.Namespace) -> int:
    from local.platform import Options, run

    run(
        Options(
            host=args.host,
            port=args.port,
            smtp_port=args.smtp_port,
            moto_port=args.moto_port,
            moto=args.moto,
            seed=not args.no_seed,
            reload=not args.no_reload,
            ready_file=args.ready_file,
            log_level=args.log_level,
            ws_idle_timeout_s=args.ws_idle_timeout,
            ws_max_lifetime_s=args.ws_max_lifetime,
            ttl_interval_s=args.ttl_interval,
            exit_with_parent=args.exit_with_parent,
            workers=args.workers,
        )
    )
    return 0


def _run(*command: str) -> int:
    print("$", " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT)


def _test(args: argparse.Namespace) -> int:
    python = sys.executable
    biome = Path(sys.prefix, "node", "node_modules", ".bin", "biome")  # ./deskless installs package.json's pin
    if not biome.exists():
        print(f"error: the JavaScript linter is not installed at {biome}; run ./deskless test", file=sys.stderr)
        return 2
    checks = (
        (python, "-m", "ruff", "check", "."),
        (python, "-m", "mypy", "."),
        (str(biome), "ci", "--error-on-warnings"),  # the console's and portal's JavaScript (biome.json)
    )
    for check in checks:
        if code := _run(*check):
            return code
    return _run(python, "-m", "pytest", *args.passthrough)


def _invoke(args: argparse.Namespace) -> int:
    from local.invoke import main

    return int(main(args.function, args.event))


def _synth(args: argparse.Namespace) -> int:
    """What `cdk synth` does with cdk.json (plus -c overrides), then cfn-lint on the template."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra import paths
    from infra.app import build_app
    from infra.settings import ContextError

    overrides = [pair.split("=", 1) for pair in args.context or []]
    if any(len(pair) != 2 for pair in overrides):
        print("error: give context values as -c key=value", file=sys.stderr)
        return 2
    context = {**json.loads(paths.CDK_JSON.read_text())["context"], **dict(overrides)}
    try:
        app, _ = build_app(context, outdir=args.outdir)
    except ContextError as invalid:
        print(f"error: {invalid}", file=sys.stderr)
        return 2
    templates = [artifact.template_full_path for artifact in app.synth().stacks]  # with the edge stack, if any
    for template in templates:
        print(f"template: {template}")
    # W3005: CDK deliberately makes each function depend on its role's policy as well as its role.
    code = _run(str(Path(sys.executable).with_name("cfn-lint")), "--ignore-checks", "W3005", "--", *templates)
    return 0 if code in CFN_LINT_NO_ERRORS else code


def _layer(_: argparse.Namespace) -> int:
    from layers.deps.build import main

    return main([])


def _routes(_: argparse.Namespace) -> int:
    from local.routes import main

    return main()


def _openapi(args: argparse.Namespace) -> int:
    from local.openapi import main

    return main(check=args.check)


def _bench(args: argparse.Namespace) -> int:
    return _run(sys.executable, "-m", "bench", *args.passthrough)


def _screenshots(_: argparse.Namespace) -> int:
    from local.screenshots import main

    return main()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="deskless", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run the whole platform on loopback, with demo data")
    dev.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    dev.add_argument(
        "--port", type=int, default=8000, help="HTTP and WebSocket port; 0 picks a free one (default 8000)"
    )
    dev.add_argument("--smtp-port", type=int, default=2525, help="inbound SMTP port; 0 picks a free one (default 2525)")
    dev.add_argument("--moto-port", type=int, default=0, help="port of the local AWS services (default: a free one)")
    dev.add_argument(
        "--moto",
        default="fast",
        choices=MOTO_MODES,
        help="local DynamoDB with local mode's fast paths (default: transactions rolled back from a journal, "
        "queries that read one partition), or moto as it is, whose costs grow with the table (for comparison)",
    )
    dev.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run the functions in N processes, as Lambda runs them in environments of their own, each with its "
        "own caches (default 0: in the platform's process, where they take turns at one interpreter)",
    )
    dev.add_argument("--no-seed", action="store_true", help="start without the demo data")
    dev.add_argument("--no-reload", action="store_true", help="do not reload functions when their code changes")
    dev.add_argument("--ready-file", help="write the URLs as JSON to this file once ready (removed on exit)")
    dev.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    dev.add_argument("--ws-idle-timeout", type=float, default=600.0, help="seconds before an idle WebSocket is closed")
    dev.add_argument("--ws-max-lifetime", type=float, default=7200.0, help="seconds before any WebSocket is closed")
    dev.add_argument("--ttl-interval", type=float, default=5.0, help="seconds between TTL sweeps")
    dev.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process exits (for tests)")
    dev.set_defaults(run=_dev)

    test = commands.add_parser("test", help="lint, type-check and run the tests (extra arguments go to pytest)")
    test.set_defaults(run=_test, passthrough=True)

    invoke = commands.add_parser("invoke", help="run one function with one event against the local services")
    invoke.add_argument("function", help="a function name from the catalog, e.g. auth")
    invoke.add_argument("event", help="an event file, e.g. events/http_login.json")
    invoke.set_defaults(run=_invoke)

    synth = commands.add_parser("synth", help="synthesize the CloudFormation template (no AWS account needed)")
    synth.add_argument("-c", "--context", action="append", metavar="KEY=VALUE", help="a CDK context value")
    synth.add_argument("--outdir", default=str(ROOT / "cdk.out"))
    synth.set_defaults(run=_synth)

    layer = commands.add_parser("layer", help="build the dependency layer if its requirements changed")
    layer.set_defaults(run=_layer)

    routes = commands.add_parser(
        "routes", help="list every route and WebSocket action: its function, who may call it, its endpoint"
    )
    routes.set_defaults(run=_routes)

    openapi = commands.add_parser(
        "openapi", help="write docs/openapi.json and docs/api.html, the API's description, from the code"
    )
    openapi.add_argument("--check", action="store_true", help="only say whether the committed files are up to date")
    openapi.set_defaults(run=_openapi)

    bench = commands.add_parser("bench", help="print the benchmark figures")
    bench.set_defaults(run=_bench, passthrough=True)

    screenshots = commands.add_parser(
        "screenshots", help="start the platform, stage a working day and save the console's screens as PNGs"
    )
    screenshots.set_defaults(run=_screenshots)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    command = parser()
    args, extra = command.parse_known_args(argv)
    if extra and not getattr(args, "passthrough", False):
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    args.passthrough = extra
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
