"""Each action at most once per triggering change, whatever the retries: Powertools' idempotency,
keyed on the change's id (the stream record's eventID, or a scheduled moment's id), the rule and
the action's index, its records kept in the main table under `AUTOACTION` (deskless.table) with
the table's TTL attribute. A redelivered record finds the action's record COMPLETED and gets the
outcome it had, without doing it again.

What an action does must not raise: a failure is an outcome (`failed`), stored like any other,
so a redelivery does not try the failed action again either (it was retried already).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from deskless.aws import client
from deskless.settings import Settings, get_settings
from deskless.table import AUTOMATION_ACTIONS, TABLE

# Far longer than the stream keeps a record (24 hours) or Scheduler retries a moment.
KEPT_SECONDS = 3 * 86400

Outcome = dict[str, Any]  # an ActionResult's outcome, reason and detail, as stored


@cache
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(expires_after_seconds=KEPT_SECONDS, raise_on_no_idempotency_key=True)


def _performer() -> Callable[..., Outcome]:
    return _performer_for(get_settings(), client("dynamodb"))


@cache
def _performer_for(settings: Settings, dynamodb: Any) -> Callable[..., Outcome]:
    """Made once per environment: its settings and the DynamoDB client it talks to (so a run
    pointed elsewhere, as local tools and tests do, gets a persistence layer of its own)."""
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.table_name,
        boto3_client=dynamodb,
        key_attr=TABLE.partition_key,
        sort_key_attr=TABLE.sort_key,
        static_pk_value=AUTOMATION_ACTIONS,
        expiry_attr=TABLE.ttl_attribute,
    )

    @idempotent_function(data_keyword_argument="step", persistence_store=persistence, config=_config())  # type: ignore[untyped-decorator]  # Powertools leaves it unannotated
    def perform(*, step: dict[str, Any], work: Callable[[], Outcome]) -> Outcome:
        return work()

    performer: Callable[..., Outcome] = perform
    return performer


def register(context: Any) -> None:
    """The Lambda context, so a record in progress expires when the invocation would have."""
    _config().register_lambda_context(context)


def once(change_id: str, rule_id: str, index: int, work: Callable[[], Outcome]) -> Outcome:
    """`work`'s outcome: done now, or the one stored by an earlier delivery of the same change."""
    return _performer()(step={"change": change_id, "rule": rule_id, "action": index}, work=work)
