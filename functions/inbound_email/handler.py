"""Lambda entry of the inbound email function (SES receipt rule: S3 action, then this)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deskless.observability import logger, metrics, tracer

from .receive import receive


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"received": [receive(record["ses"]) for record in event["Records"]]}
