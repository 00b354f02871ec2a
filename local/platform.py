"""`deskless dev`: the whole platform on loopback — moto, the gateway, the stream poller, the TTL
reaper, the scheduler and the SMTP listener — seeded with demo data, until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from infra.paths import WEB
from local.functions import FunctionRegistry, Functions
from local.gateway import MAX_MESSAGE_BYTES, WEBSOCKET_PATH, Gateway, WebSocketLimits
from local.logs import configure, log
from local.mail import Outbox, SmtpListener
from local.scheduler import LocalScheduler
from local.seed import DEMO_STAFF, DemoLogin, seed
from local.services import LocalNames, MotoServer, function_environment, provision, secret_value
from local.streams import StreamPoller, TtlLedger
from local.tools import LocalTools
from local.ttl import TtlReaper
from local.workers import FunctionWorkers

if TYPE_CHECKING:
    from local.cli import MotoMode


@dataclass(frozen=True)
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    smtp_port: int = 2525
    moto_port: int = 0
    moto: MotoMode = "fast"
    seed: bool = True
    reload: bool = True
    ready_file: str | None = None
    log_level: str = "INFO"
    ws_idle_timeout_s: float = 600.0
    ws_max_lifetime_s: float = 7200.0
    ttl_interval_s: float = 5.0
    exit_with_parent: bool = False
    workers: int = 0  # processes that run the functions; 0: this one


@dataclass(frozen=True)
class Urls:
    console: str
    api: str
    portal: str
    websocket: str
    widget_demo: str
    outbox: str
    smtp: str
    aws: str


class LocalPlatform:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.names = LocalNames()
        # moto in a process of its own: the platform and moto work on two cores
        self.moto = MotoServer(options.moto_port, moto=options.moto, own_process=True, log_level=options.log_level)
        self.ledger = TtlLedger()
        self._socket = socket.create_server((options.host, options.port))

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    def urls(self, smtp_port: int, moto_url: str) -> Urls:
        # Browsers resolve localhost and *.localhost to loopback: portals live on subdomains of it.
        base = f"http://localhost:{self.port}"
        return Urls(
            console=f"{base}/",  # redirects to the console's static files (deskless.edge.STATIC_PATH)
            api=base,
            portal=f"http://acme.localhost:{self.port}/",
            websocket=f"ws://localhost:{self.port}{WEBSOCKET_PATH}",
            widget_demo=f"{base}/_local/widget-demo",
            outbox=f"{base}/_local/outbox/page",
            smtp=f"{self.options.host}:{smtp_port}",
            aws=moto_url,
        )

    async def run(self) -> None:
        started = time.perf_counter()
        moto_url = self.moto.start()
        provision(self.names, moto_url, public_url=f"http://localhost:{self.port}")
        callback = f"http://{self.options.host}:{self.port}"
        websocket_url = f"ws://localhost:{self.port}{WEBSOCKET_PATH}"
        os.environ.update(
            function_environment(
                self.names,
                moto_url=moto_url,
                public_url=f"http://localhost:{self.port}",
                websocket_url=websocket_url,
                callback_url=callback,
                log_level=self.options.log_level,
            )
        )
        # after the environment is set: the workers inherit it
        functions = _functions(self.options)
        demo: tuple[DemoLogin, ...] = ()
        if self.options.seed:
            seed()
            demo = DEMO_STAFF
        poller = StreamPoller(
            endpoint_url=moto_url, table_name=self.names.table, invoke=functions.invoke, ledger=self.ledger
        )
        reaper = TtlReaper(
            endpoint_url=moto_url,
            table_name=self.names.table,
            ledger=self.ledger,
            interval_s=self.options.ttl_interval_s,
        )
        scheduler = LocalScheduler(endpoint_url=moto_url, group=self.names.schedule_group, invoke=functions.invoke)
        smtp = SmtpListener(
            host=self.options.host,
            port=self.options.smtp_port,
            endpoint_url=moto_url,
            bucket=self.names.inbound_bucket,
            invoke=functions.invoke,
        )
        smtp_port = smtp.start()
        poller.start()
        reaper.start()
        scheduler.start()
        gateway = Gateway(
            functions,
            origin_secret=secret_value(self.names, moto_url, self.names.origin_secret),
            tools=LocalTools(outbox=Outbox(moto_url), reaper=reaper, poller=poller, scheduler=scheduler),
            limits=WebSocketLimits(self.options.ws_idle_timeout_s, self.options.ws_max_lifetime_s),
            web_root=WEB,
            websocket_url=websocket_url,
            attachments_origin=moto_url,
        )
        server = uvicorn.Server(
            uvicorn.Config(
                gateway,
                log_level="warning",
                access_log=False,
                # The viewer is whoever connected: like CloudFront's viewer.ip, nothing a client
                # sends (X-Forwarded-For, Forwarded) may choose the address per-source limits count.
                proxy_headers=False,
                lifespan="off",
                ws="websockets-sansio",
                ws_max_size=MAX_MESSAGE_BYTES,
                timeout_graceful_shutdown=2,
            )
        )
        serving = asyncio.ensure_future(server.serve(sockets=[self._socket]))
        if self.options.exit_with_parent:
            watchdog = asyncio.ensure_future(_exit_with_parent(server))
        try:
            while not server.started and not serving.done():
                await asyncio.sleep(0.02)
            urls = self.urls(smtp_port, moto_url)
            self._announce(urls, demo, time.perf_counter() - started)
            await serving
        finally:
            if self.options.exit_with_parent:
                watchdog.cancel()
            poller.stop()
            reaper.stop()
            scheduler.stop()
            smtp.stop()
            functions.stop()
            self.moto.stop()
            if self.options.ready_file:
                Path(self.options.ready_file).unlink(missing_ok=True)
            log.info("Deskless stopped.")

    def _announce(self, urls: Urls, demo: tuple[DemoLogin, ...], seconds: float) -> None:
        if self.options.ready_file:
            Path(self.options.ready_file).write_text(json.dumps({**asdict(urls), "port": self.port}))
        lines = [
            f"Deskless is running on loopback (local mode), ready in {seconds:.1f} s.",
            f"  Operator console  {urls.console}",
            f"  API               {urls.api}/api/health",
            f"  Acme's portal     {urls.portal}",
            f"  Widget demo       {urls.widget_demo}",
            f"  WebSocket API     {urls.websocket}?token=<access token>",
            f"  Sent email        {urls.outbox}",
            f"  Inbound SMTP      {urls.smtp}  (mail to support@{self.names.mail_domain})",
            f"  Local AWS (moto)  {urls.aws}",
        ]
        if demo:
            lines.append("Demo logins:")
            lines += [f"  {login.role:<11} {login.email} / {login.password}" for login in demo]
        lines.append("Press Ctrl-C to stop.")
        print("\n".join(lines), flush=True)


def _functions(options: Options) -> Functions:
    """Where the functions run: worker processes, or (`--workers 0`) this process's threads."""
    if options.workers == 0:
        return FunctionRegistry(reload=options.reload)
    return FunctionWorkers(count=options.workers, reload=options.reload, log_level=options.log_level)


async def _exit_with_parent(server: uvicorn.Server) -> None:
    """Stop when the process that started us is gone (tests and scripts never leave strays)."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(0.5)
    server.should_exit = True


def run(options: Options) -> None:
    configure(options.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(LocalPlatform(options).run())
