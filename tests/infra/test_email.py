"""SES: a domain identity with a configuration set for sending; a receipt rule for the support
addresses that stores each message in the inbound bucket, then invokes the inbound function."""

from __future__ import annotations

from deskless.catalog import FUNCTIONS, INBOUND_MAIL_PREFIX, Trigger
from tests.infra.conftest import Synthesized, cdk_json_context, logical_id_of


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
    assert rule["Recipients"] == cdk_json_context()["deskless:support_addresses"]
    assert rule["Enabled"] is True
    assert rule["ScanEnabled"] is True
    store, invoke = rule["Actions"]
    assert store["S3Action"]["ObjectKeyPrefix"] == INBOUND_MAIL_PREFIX
    (inbound,) = [spec.name for spec in FUNCTIONS if spec.trigger is Trigger.EMAIL]
    function, _ = synthesized.function(inbound)
    assert invoke["LambdaAction"] == {"FunctionArn": {"Fn::GetAtt": [function, "Arn"]}, "InvocationType": "Event"}
    variables = synthesized.function(inbound)[1]["Properties"]["Environment"]["Variables"]
    assert variables["DESKLESS_INBOUND_BUCKET"] == store["S3Action"]["BucketName"]


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
