"""The one place that makes the logger, tracer and metrics every function uses.

Service name, log level and metrics namespace come from Powertools' own environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE), set per function
by the CDK app and once by the local platform.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
