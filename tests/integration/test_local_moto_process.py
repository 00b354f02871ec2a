"""moto's server in a process of its own, as `deskless dev` runs it (local.moto_process): it starts
on loopback and answers, applies the `--moto` choice there, serves what the platform reads of its
state (sent mail, shard iterators) across the process boundary, resets, and stops with its parent
however the parent stops."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from deskless.catalog import StreamSubscription
from local.mail import Outbox
from local.moto_app import RELEASE_ITERATORS_PATH
from local.services import LocalNames, MotoServer, local_client, provision
from local.streams import StreamPoller, TtlLedger

ROOT = Path(__file__).resolve().parents[2]
NAMES = LocalNames()
EVERYTHING = StreamSubscription("recorder", filters=(), batch_size=10, retry_attempts=2)


@pytest.fixture(scope="module")
def moto_process() -> Iterator[str]:
    server = MotoServer(own_process=True)
    yield server.start()
    server.stop()


@pytest.fixture
def local_aws(moto_process: str) -> str:
    """The process's moto, fresh and provisioned as the stack is."""
    httpx.post(f"{moto_process}/moto-api/reset", timeout=10).raise_for_status()
    provision(NAMES, moto_process)
    return moto_process


def held_iterators(url: str) -> int:
    return int(httpx.post(url + RELEASE_ITERATORS_PATH, json=[], timeout=10).json()["held"])


def send_email(url: str, to: str, subject: str) -> str:
    sent = local_client("sesv2", url).send_email(
        FromEmailAddress=NAMES.mail_from,
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": "Hello"}}}},
    )
    return str(sent["MessageId"])


def connection_kept(url: str) -> bool:
    """Whether moto keeps a connection open after answering a DynamoDB request on it."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(str(address.hostname), address.port, timeout=10)
    try:
        connection.request(
            "POST",
            "/",
            body=b"{}",
            headers={"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"},
        )
        response = connection.getresponse()
        response.read()
        return response.getheader("Connection", "").lower() != "close"
    finally:
        connection.close()


def test_it_answers_on_loopback_in_another_process(local_aws: str) -> None:
    # Given moto started in a process of its own
    address = urlsplit(local_aws)
    # Then it listens on loopback, and answers as moto: the table provisioned is there
    assert address.hostname == "127.0.0.1"
    assert local_client("dynamodb", local_aws).list_tables()["TableNames"] == [NAMES.table]


def test_the_fast_paths_are_chosen_in_the_process() -> None:
    # Given moto's process started with the fast paths, and another with moto as it is
    fast, as_is = MotoServer(own_process=True), MotoServer(moto="as-is", own_process=True)
    try:
        # Then the fast one keeps connections alive (local.moto_keep_alive), moto's own handler closes them
        assert connection_kept(fast.start())
        assert not connection_kept(as_is.start())
    finally:
        fast.stop()
        as_is.stop()


def test_the_outbox_reads_mail_sent_through_the_process(local_aws: str) -> None:
    # Given the outbox of moto's process, emptied
    outbox = Outbox(local_aws)
    outbox.clear()
    before = datetime.now(UTC)
    # When a function sends an email through SES v2
    message_id = send_email(local_aws, "jane.doe@example.org", "Your code")
    # Then the outbox lists it, time-stamped when it was sent
    (message,) = outbox.messages()
    assert message["id"] == message_id
    assert (message["to"], message["subject"], message["text"]) == (["jane.doe@example.org"], "Your code", "Hello")
    sent_at = datetime.fromisoformat(message["sent_at"].replace("Z", "+00:00"))
    assert before.replace(microsecond=0) <= sent_at <= datetime.now(UTC)
    # And clearing it forgets it
    outbox.clear()
    assert outbox.messages() == []


def test_a_reset_starts_afresh_and_mail_is_still_time_stamped(local_aws: str) -> None:
    # Given an email sent, then moto reset (as between tests) and provisioned again
    send_email(local_aws, "old@example.org", "Before the reset")
    httpx.post(f"{local_aws}/moto-api/reset", timeout=10).raise_for_status()
    provision(NAMES, local_aws)
    # When an email is sent a moment later
    time.sleep(1.2)
    sent = time.time()
    send_email(local_aws, "new@example.org", "After the reset")
    # Then only it is in the outbox, stamped when it was sent (not when first read)
    time.sleep(1.2)
    (message,) = Outbox(local_aws).messages()
    assert message["to"] == ["new@example.org"]
    stamp = datetime.fromisoformat(message["sent_at"].replace("Z", "+00:00")).timestamp()
    assert sent - 0.5 <= stamp <= sent + 0.5


def test_the_stream_poller_releases_its_shard_iterators_in_the_process(local_aws: str) -> None:
    # Given a stream poller reading the table of moto's process
    delivered: list[dict[str, object]] = []

    def record(function: str, event: dict[str, object]) -> dict[str, list[object]]:
        delivered.append(event)
        return {"batchItemFailures": []}

    poller = StreamPoller(
        endpoint_url=local_aws,
        table_name=NAMES.table,
        invoke=record,
        ledger=TtlLedger(),
        subscriptions=(EVERYTHING,),
    )
    poller.poll_once()
    before = held_iterators(local_aws)
    # When it polls many times, with an item written in between
    dynamodb = local_client("dynamodb", local_aws)
    for n in range(20):
        if n == 10:
            dynamodb.put_item(TableName=NAMES.table, Item={"pk": {"S": "A"}, "sk": {"S": "A"}})
        poller.poll_once()
    # Then it delivered the item, and moto holds no more iterators than before
    assert len(delivered) == 1
    assert held_iterators(local_aws) <= before


def test_unknown_or_malformed_local_requests_are_refused(local_aws: str) -> None:
    assert httpx.get(f"{local_aws}/_deskless/nothing", timeout=10).status_code == 404
    assert httpx.post(local_aws + RELEASE_ITERATORS_PATH, content=b"{", timeout=10).status_code == 400
    assert httpx.post(local_aws + RELEASE_ITERATORS_PATH, json={"a": 1}, timeout=10).status_code == 400


PARENT = textwrap.dedent(
    """
    import sys, time
    from local.services import MotoServer
    server = MotoServer(own_process=True)
    url = server.start()
    print(url, server.pid, flush=True)
    time.sleep(600)
    """
)


def _listening(url: str) -> bool:
    address = urlsplit(url)
    try:
        with socket.create_connection((str(address.hostname), int(address.port or 0)), timeout=2):
            return True
    except OSError:
        return False


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie, gone but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_it_stops_when_its_parent_dies(stop: signal.Signals) -> None:
    # Given a parent process that started moto's process, which answers
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        url, pid_text = parent.stdout.readline().decode().split()
        pid = int(pid_text)
        assert _listening(url)
        # When the parent is killed, without a chance to stop it
        os.kill(parent.pid, stop)
        parent.wait(timeout=10)
        # Then moto's process stops by itself
        deadline = time.monotonic() + 15
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(pid)
        assert not _listening(url)
    finally:
        parent.kill()
        parent.wait()
