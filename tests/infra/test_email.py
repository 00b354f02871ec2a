"""SES: a domain identity with a configuration set for sending; a receipt rule for the support
addresses that stores each message in the inbound bucket, then invokes the inbound function,
whose failed invocations wait in a failure queue with an alarm rather than being dropped."""

from __future__ import annotations

from deskless.catalog import FUNCTIONS, INBOUND_MAIL_PREFIX, Trigger
from tests.infra.conftest import Synthesized, actions_of, cdk_json_context, logical_id_of


def test_identity_is_the_mail_domain_and_sends_with_the_configuration_set(synthesized: Synthesized):
    identity = synthesized.resources[synthesized.only("AWS::SES::EmailIdentity")]["Properties"]
    assert identity["EmailIdentity"] == cdk_json_context()["deskless:mail_domain"]
    configuration_set = synthesized.only("AWS::SES::ConfigurationSet")
    assert identity["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": configuration_set}}
    for spec in FUNCTIONS:
        variables = synthesized.function(spec.name)[1]["Properties"]["Environment"]["Variables"]
        assert variables["DESKLESS_SES_CONFIGURATION_SET"] == {"Ref": configuration_set}


def test_receipt_rule_stores_mail_under_the_prefix_then_invokes_the_inbound_function(synthesized: Synthesized):
    rule = synthesized.resources[synthesized.only("AWS::SES::ReceiptRule")]["Properties"]["Rule"]
    # The whole mail domain: which of its addresses are support addresses is an admin's setting,
    # whose default is the deployment's support addresses.
    assert rule["Recipients"] == [cdk_json_context()["deskless:mail_domain"]]
    assert rule["Enabled"] is True
    assert rule["ScanEnabled"] is True
    store, invoke = rule["Actions"]
    assert store["S3Action"]["ObjectKeyPrefix"] == INBOUND_MAIL_PREFIX
    (inbound,) = [spec.name for spec in FUNCTIONS if spec.trigger is Trigger.EMAIL]
    function, _ = synthesized.function(inbound)
    assert invoke["LambdaAction"] == {"FunctionArn": {"Fn::GetAtt": [function, "Arn"]}, "InvocationType": "Event"}
    variables = synthesized.function(inbound)[1]["Properties"]["Environment"]["Variables"]
    assert variables["DESKLESS_INBOUND_BUCKET"] == store["S3Action"]["BucketName"]
    assert variables["DESKLESS_SUPPORT_ADDRESSES"] == ",".join(cdk_json_context()["deskless:support_addresses"])


def test_inbound_bucket_is_private_encrypted_expiring_and_writable_by_ses(synthesized: Synthesized):
    bucket = synthesized.inbound_bucket()
    properties = synthesized.resources[bucket]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    (expiry,) = properties["LifecycleConfiguration"]["Rules"]
    assert expiry["ExpirationInDays"] > 0
    assert expiry["Prefix"] == INBOUND_MAIL_PREFIX
    (policy,) = [
        value["Properties"]["PolicyDocument"]["Statement"]
        for value in synthesized.of_type("AWS::S3::BucketPolicy").values()
        if logical_id_of(value["Properties"]["Bucket"]) == bucket
    ]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy)
    assert any(
        s["Effect"] == "Allow" and s["Principal"] == {"Service": "ses.amazonaws.com"} and s["Action"] == "s3:PutObject"
        for s in policy
    )


def test_an_event_the_inbound_function_still_fails_on_after_its_retries_waits_in_a_queue(synthesized: Synthesized):
    # Given the function SES invokes asynchronously
    (inbound,) = [spec.name for spec in FUNCTIONS if spec.trigger is Trigger.EMAIL]
    function, _ = synthesized.function(inbound)
    # Then its asynchronous invocations are retried twice, for at most six hours,
    (config,) = [
        value["Properties"]
        for value in synthesized.of_type("AWS::Lambda::EventInvokeConfig").values()
        if value["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (2, 6 * 60 * 60)
    assert config["Qualifier"] == "$LATEST"
    # and what still fails goes to a queue it may send to
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]
    queue = logical_id_of(destination)
    assert destination == {"Fn::GetAtt": [queue, "Arn"]}
    assert any(
        "sqs:SendMessage" in actions_of(statement) and statement["Resource"] == destination
        for statement in synthesized.role_statements(inbound)
    )
    # which is encrypted, TLS only, keeps it 14 days
    properties = synthesized.resources[queue]["Properties"]
    assert properties["SqsManagedSseEnabled"] is True
    assert properties["MessageRetentionPeriod"] == 14 * 24 * 60 * 60
    (policy,) = [
        value["Properties"]["PolicyDocument"]["Statement"]
        for value in synthesized.of_type("AWS::SQS::QueuePolicy").values()
        if value["Properties"]["Queues"] == [{"Ref": queue}]
    ]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy)
    # and raises an alarm as soon as anything waits there
    (alarm,) = [
        value["Properties"]
        for value in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if value["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
        "GreaterThanThreshold",
        0,
        1,
    )
    assert alarm["Statistic"] == "Maximum"
