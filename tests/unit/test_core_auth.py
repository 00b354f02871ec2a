"""deskless.auth: access tokens, passwords, the principal an authorizer passes on, bearer headers.

Tokens are signed with a fixed key here (deskless.auth.signing_key is the one place that
fetches the real one from Secrets Manager)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from deskless import auth
from deskless.auth import (
    Principal,
    Role,
    bearer_token,
    hash_password,
    issue_token,
    verify_password,
    verify_token,
)
from deskless.errors import Unauthorized

KEY = b"unit-test-signing-key-of-32-bytes+"
NOW = 1_773_342_238.0
TECH = Principal(user_id="u-42", role=Role.TECHNICIAN, name="Ted Tech", email="ted@example.com")


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "signing_key", lambda: KEY)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed(header: str, payload: str, key: bytes = KEY) -> str:
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def token_for(principal: Principal = TECH, ttl: int = 3600, now: float = NOW) -> str:
    token, _ = issue_token(principal, ttl_seconds=ttl, now=now)
    return token


# --- tokens ----------------------------------------------------------------------------------


def test_an_issued_token_verifies_back_to_the_same_principal() -> None:
    token, expires_at = issue_token(TECH, ttl_seconds=3600, now=NOW)

    assert verify_token(token, now=NOW + 3599) == TECH
    assert expires_at == int(NOW) + 3600


def test_a_token_is_a_standard_hs256_jwt_with_subject_expiry_issuer_and_audience() -> None:
    header, payload, _ = token_for().split(".")

    assert json.loads(unb64(header)) == {"alg": "HS256", "typ": "JWT"}
    claims = json.loads(unb64(payload))
    assert claims["sub"] == TECH.user_id
    assert claims["iat"] == int(NOW)
    assert claims["exp"] == int(NOW) + 3600
    assert claims["role"] == "technician"
    assert (claims["iss"], claims["aud"]) == ("deskless", "deskless:staff")


@pytest.mark.parametrize(
    ("role", "audience"),
    [
        (Role.ADMIN, "deskless:staff"),
        (Role.VISITOR, "deskless:visitor"),
        (Role.CONTACT, "deskless:contact"),
        (Role.PRIMARY_CONTACT, "deskless:contact"),
    ],
)
def test_each_kind_of_caller_gets_a_token_for_its_own_audience(role: Role, audience: str) -> None:
    principal = Principal(user_id="u-1", role=role, name="Someone")

    claims = json.loads(unb64(token_for(principal).split(".")[1]))

    assert claims["aud"] == audience
    assert verify_token(token_for(principal), now=NOW) == principal


def claims_of(principal: Principal = TECH) -> dict[str, object]:
    return dict(json.loads(unb64(token_for(principal).split(".")[1])))


def header_of_ours() -> str:
    return token_for().split(".")[0]


def test_a_token_whose_role_is_not_of_its_audiences_kind_is_refused_even_if_signed() -> None:
    # A visitor's token rewritten to claim the admin role and signed (say, by a leaked key's holder
    # who does not know the audiences): the audience still says visitor
    visitor = Principal(user_id="v-1", role=Role.VISITOR, name="Vera", scope="session:s1")
    forged = claims_of(visitor) | {"role": "admin"}

    with pytest.raises(Unauthorized, match="not one this service issued"):
        verify_token(signed(header_of_ours(), b64(json.dumps(forged).encode())), now=NOW)


@pytest.mark.parametrize(
    "change",
    [{"iss": "someone-else"}, {"aud": "deskless:other"}, {"iss": None}, {"aud": None}],
    ids=["other issuer", "other audience", "no issuer", "no audience"],
)
def test_a_token_of_another_issuer_or_audience_is_refused(change: dict[str, object]) -> None:
    claims = {k: v for k, v in (claims_of() | change).items() if v is not None}

    with pytest.raises(Unauthorized):
        verify_token(signed(header_of_ours(), b64(json.dumps(claims).encode())), now=NOW)


def test_a_token_is_refused_from_the_second_it_expires() -> None:
    token = token_for(ttl=60)

    with pytest.raises(Unauthorized, match="expired"):
        verify_token(token, now=NOW + 60)


def test_a_token_signed_with_another_key_is_refused() -> None:
    header, payload, _ = token_for().split(".")

    with pytest.raises(Unauthorized, match="signature"):
        verify_token(signed(header, payload, key=b"someone else's key"), now=NOW)


def test_a_token_whose_signature_was_altered_is_refused() -> None:
    header, payload, signature = token_for().split(".")
    altered = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(Unauthorized, match="signature"):
        verify_token(f"{header}.{payload}.{altered}", now=NOW)


def test_a_token_whose_claims_were_altered_is_refused() -> None:
    # Given a technician's token whose payload is rewritten to claim the admin role
    header, payload, signature = token_for().split(".")
    claims = json.loads(unb64(payload)) | {"role": "admin"}
    forged = f"{header}.{b64(json.dumps(claims, separators=(',', ':')).encode())}.{signature}"

    # Then the old signature no longer matches
    with pytest.raises(Unauthorized, match="signature"):
        verify_token(forged, now=NOW)


@pytest.mark.parametrize(
    "header",
    [{"alg": "none", "typ": "JWT"}, {"alg": "HS512", "typ": "JWT"}, {"alg": "RS256", "typ": "JWT"}],
)
def test_a_token_naming_another_algorithm_is_refused_even_if_correctly_signed(header: dict[str, str]) -> None:
    _, payload, _ = token_for().split(".")

    with pytest.raises(Unauthorized, match="malformed"):
        verify_token(signed(b64(json.dumps(header).encode()), payload), now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "...", "Bearer x.y.z"])
def test_a_token_that_is_not_three_parts_with_our_header_is_malformed(token: str) -> None:
    with pytest.raises(Unauthorized, match="malformed"):
        verify_token(token, now=NOW)


@pytest.mark.parametrize("signature", ["!!!!", "é", "a", "=" * 5, "\x00"])
def test_a_signature_that_is_not_base64_is_refused_not_a_crash(signature: str) -> None:
    header, payload, _ = token_for().split(".")

    with pytest.raises(Unauthorized):
        verify_token(f"{header}.{payload}.{signature}", now=NOW)


@pytest.mark.parametrize("payload", [b64(b"not json"), b64(b"\xff\xfe"), "%%%"])
def test_a_correctly_signed_payload_that_is_not_json_is_refused_not_a_crash(payload: str) -> None:
    header = token_for().split(".")[0]

    with pytest.raises(Unauthorized):
        verify_token(signed(header, payload), now=NOW)


ISSUED = {"iss": "deskless", "aud": "deskless:staff"}


@pytest.mark.parametrize(
    "claims",
    [
        {**ISSUED, "iat": 1, "exp": 2_000_000_000, "role": "technician", "name": "No Subject"},
        {**ISSUED, "sub": "u-1", "iat": 1, "exp": 2_000_000_000, "role": "superuser", "name": "Bad Role"},
        {**ISSUED, "sub": "u-1", "iat": 1, "role": "technician", "name": "No Expiry"},
        {**ISSUED, "sub": "u-1", "iat": 1, "exp": "2000000000", "role": "technician", "name": "Text Expiry"},
        {**ISSUED, "sub": "u-1", "iat": 1, "exp": 2_000_000_000, "name": "No Role"},
    ],
)
def test_a_correctly_signed_token_with_incomplete_claims_is_refused(claims: dict[str, object]) -> None:
    header = token_for().split(".")[0]

    with pytest.raises(Unauthorized):
        verify_token(signed(header, b64(json.dumps(claims).encode())), now=NOW)


# --- passwords -------------------------------------------------------------------------------


def test_a_password_hash_is_argon2id_and_verifies_the_password() -> None:
    stored = hash_password("correct horse battery staple")

    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery staple")


def test_hashing_the_same_password_twice_gives_different_hashes() -> None:
    assert hash_password("same password") != hash_password("same password")


def test_a_wrong_password_does_not_verify() -> None:
    assert not verify_password(hash_password("correct horse battery staple"), "Correct horse battery staple")


def test_no_stored_hash_never_verifies_not_even_the_dummy_password() -> None:
    # The dummy hash that keeps the work constant for unknown users must not let its own password in
    assert not verify_password(None, "not a password anyone has")
    assert not verify_password(None, "anything")


@pytest.mark.parametrize("stored", ["plain text", "$argon2id$v=19$broken", "$2b$12$abcdefghijklmnopqrstuv"])
def test_a_stored_value_that_is_not_an_argon2_hash_does_not_verify(stored: str) -> None:
    assert not verify_password(stored, "plain text")


def test_an_empty_stored_hash_never_verifies_not_even_the_dummy_password() -> None:
    assert not verify_password("", "not a password anyone has")


# --- the principal an authorizer passes on ---------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        TECH,
        Principal(user_id="u-1", role=Role.ADMIN, name="Ada"),
        Principal(user_id="c-9", role=Role.PRIMARY_CONTACT, name="Ünïcode Ñame", email="x@y.z", scope="session:1"),
    ],
)
def test_a_principal_survives_the_authorizer_context_round_trip(principal: Principal) -> None:
    context = principal.to_context()

    assert all(isinstance(value, str) for value in context.values())
    assert Principal.from_context(context) == principal


def test_a_principal_ignores_what_api_gateway_adds_to_the_context() -> None:
    context = {**TECH.to_context(), "principalId": TECH.user_id, "integrationLatency": 31}

    assert Principal.from_context(context) == TECH


@pytest.mark.parametrize(
    "context",
    [{}, {"user_id": "u-1", "name": "No Role"}, {"user_id": "u-1", "role": "root", "name": "Bad Role"}],
)
def test_a_context_without_a_valid_identity_is_unauthorized(context: dict[str, str]) -> None:
    with pytest.raises(Unauthorized):
        Principal.from_context(context)


# --- bearer headers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc.def.ghi", "abc.def.ghi"),
        ("BEARER   abc.def.ghi  ", "abc.def.ghi"),
        ("Bearer ", None),
        ("Bearer", None),
        ("Bearerabc.def.ghi", None),
        ("Basic dXNlcjpwYXNz", None),
        ("abc.def.ghi", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token_takes_the_token_out_of_an_authorization_header(
    authorization: str | None, token: str | None
) -> None:
    assert bearer_token(authorization) == token
