"""The one place that makes the logger, tracer and metrics every function uses.

Service name and log level come from Powertools' own environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL), set per function by the CDK app and once by the
local platform; every function's metrics go to one CloudWatch namespace.
"""

from __future__ import annotations

import warnings
from enum import StrEnum

from aws_lambda_powertools import Logger, Metrics, Tracer

# An invocation that records no metric is normal here; Powertools would warn on each one.
warnings.filterwarnings("ignore", message="No application metrics to publish")

METRICS_NAMESPACE = "Deskless"


class Metric(StrEnum):
    """Every metric the functions publish (the stack's alarms watch some of them)."""

    FAILED_LOGINS = "FailedLogins"
    FAILED_CODE_REDEMPTIONS = "FailedCodeRedemptions"


logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
