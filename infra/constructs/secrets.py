"""The secrets the functions read: the token signing key, and the origin-verify value CloudFront
sends to the API so that calls bypassing CloudFront are refused (deskless.edge)."""

from __future__ import annotations

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.nag import suppress


def _generated(scope: Construct, construct_id: str, description: str) -> secretsmanager.Secret:
    # Letters and digits only: the origin value travels as an HTTP header, the key as HMAC input.
    generator = secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True)
    return secretsmanager.Secret(scope, construct_id, description=description, generate_secret_string=generator)


class Secrets(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.signing_key = _generated(self, "SigningKey", "Deskless: the key that signs and verifies access tokens.")
        self.origin = _generated(self, "OriginVerify", "Deskless: the header value CloudFront adds to API requests.")
        suppress(
            self.signing_key,
            "SMG4",
            "Rotating the signing key invalidates every issued token at once; tokens are short-lived and "
            "the key is rotated by replacing the secret value in a maintenance window.",
        )
        suppress(
            self.origin,
            "SMG4",
            "CloudFront reads this value when the stack deploys (dynamic reference); an automatic rotation "
            "would make the API refuse CloudFront until the next deploy. Rotate by redeploying.",
        )
