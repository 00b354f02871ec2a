"""Lambda entry of the automation function: a batch of the table's stream (ticket versions), or a
time-based rule's moment from EventBridge Scheduler (schedules.py)."""

from typing import Any

from deskless.observability import logger
from deskless.streams import stream_handler

from . import once
from .run import Invocation
from .schedules import Moment, fire


def own_arn(context: Any) -> str:
    """The function's ARN without a version or alias: what its schedules target."""
    return ":".join(str(context.invoked_function_arn).split(":")[:7])


def handler(event: dict[str, Any], context: Any) -> Any:
    once.register(context)
    if "Records" in event:
        invocation = Invocation(own_arn(context))
        return stream_handler(invocation.on_record, whole_batch=invocation.start_batch)(event, context)
    return scheduled(event, context)


@logger.inject_lambda_context
def scheduled(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"evaluated": fire(Moment.model_validate(event))}
