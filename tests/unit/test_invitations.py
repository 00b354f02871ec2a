"""The invitations function's rules, on a plain in-memory table: what an invitation and an API
key store, how a presented key is checked, and what a visitor is told when DynamoDB cancels the
accepting transaction (used meanwhile, or two visitors at once on a reusable link)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pytest

from deskless import api_keys, auth, invitations, sessions
from deskless.auth import Principal, Role
from deskless.data import Action, Condition, TransactionCanceled, deserialize
from deskless.errors import InvalidApiKey, InvitationInvalid, TryAgain
from deskless.settings import Settings
from deskless.table import Key, api_key_key, invitation_key
from functions.invitations import integrations

OPERATOR = Principal(user_id="7e7e7e7e7e7e7e7e", role=Role.TECHNICIAN, name="Ted Tech")
ADMIN = Principal(user_id="a0a0a0a0a0a0a0a0", role=Role.ADMIN, name="Ada Admin")
NOW = 1_773_342_238.0


class FakeTable:
    """Items by key; each transaction answers with the next scripted outcome (None: it commits)."""

    def __init__(self, outcomes: Sequence[list[str] | None] = ()) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.outcomes = list(outcomes)
        self.transactions: list[Sequence[Action]] = []
        self.reads = 0

    def get(self, key: Key, *, consistent: bool = False) -> dict[str, Any] | None:
        self.reads += 1
        return self.items.get((key["pk"], key["sk"]))

    def put(self, item: dict[str, Any], *, condition: Condition | None = None) -> None:
        self.items[(item["pk"], item["sk"])] = dict(item)

    def transact(self, actions: Sequence[Action]) -> None:
        self.transactions.append(actions)
        reasons = self.outcomes.pop(0) if self.outcomes else None
        if reasons is not None:
            raise TransactionCanceled(reasons)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTable:
    fake = FakeTable()
    for module in (invitations, api_keys, integrations):
        monkeypatch.setattr(module, "table", lambda: fake)
    settings = Settings(
        table_name="t",
        signing_secret_id="s",
        support_domain="support.example.com",
        public_url="https://support.example.com/",
        websocket_url="wss://ws.support.example.com",
        websocket_callback_url="https://cb.example.com",
    )
    for module in (invitations, sessions):
        monkeypatch.setattr(module, "get_settings", lambda: settings)
    monkeypatch.setattr(auth, "signing_key", lambda: b"unit-test-signing-key-of-32-bytes+")
    monkeypatch.setattr(invitations, "CONFLICT_PAUSE_S", 0)
    return fake


def stored_invitation(fake: FakeTable, *, reusable: bool = False) -> str:
    invitation, item = invitations.new_invitation(OPERATOR.user_id, OPERATOR.name, reusable=reusable, now=NOW)
    fake.put(item)
    return invitation.token


# --- invitations ----------------------------------------------------------------------------


def test_a_new_invitation_stores_its_operator_and_state_but_not_its_url(fake: FakeTable) -> None:
    invitation, item = invitations.new_invitation(OPERATOR.user_id, OPERATOR.name, label="Mrs Novak", now=NOW)

    assert invitation.url == f"https://support.example.com/invite/{invitation.token}"
    assert len(invitation.token) == 32  # 192 bits
    assert item == {
        **invitation_key(invitation.token),
        "gsi1pk": f"INVITES#{OPERATOR.user_id}",
        "gsi1sk": f"{int(NOW):010d}#{invitation.token}",
        "type": "invitation",
        "token": invitation.token,
        "operator_id": OPERATOR.user_id,
        "operator_name": OPERATOR.name,
        "label": "Mrs Novak",
        "language": "en",
        "reusable": False,
        "state": "unused",
        "use_count": 0,
        "created_at": int(NOW),
        "created_via": "console",
    }


def test_a_reusable_invitation_starts_in_the_reusable_state(fake: FakeTable) -> None:
    invitation, item = invitations.new_invitation("u", "U", reusable=True, created_via="api:0123456789ab")

    assert (invitation.state, item["state"], item["created_via"]) == ("reusable", "reusable", "api:0123456789ab")


def test_accepting_uses_a_single_use_link_only_if_it_is_still_unused(fake: FakeTable) -> None:
    token = stored_invitation(fake)

    accepted = invitations.accept_invitation(token, "Vera", now=NOW)

    [(use, session)] = fake.transactions
    assert use.kind == "Update"
    assert deserialize(use.request["Key"]) == invitation_key(token)
    assert use.condition is not None
    assert use.condition.values == {":open": "unused"}
    assert "ADD" in use.request["UpdateExpression"]
    assert (session.kind, deserialize(session.request["Item"])["session_id"]) == ("Put", accepted.session_id)
    assert auth.verify_token(accepted.token, now=NOW).scope == f"session:{accepted.session_id}"


def test_accepting_a_reusable_link_requires_it_to_still_be_reusable(fake: FakeTable) -> None:
    token = stored_invitation(fake, reusable=True)

    invitations.accept_invitation(token, "Vera", now=NOW)

    use = fake.transactions[0][0]
    assert use.condition is not None
    assert use.condition.values == {":open": "reusable"}


def test_a_link_used_between_the_read_and_the_transaction_is_no_longer_valid(fake: FakeTable) -> None:
    token = stored_invitation(fake)
    fake.outcomes = [["ConditionalCheckFailed", "None"]]

    with pytest.raises(InvitationInvalid) as refused:
        invitations.accept_invitation(token, "Vera")

    assert refused.value.message == "This invitation is no longer valid."


def test_two_visitors_at_once_on_a_reusable_link_both_get_in_after_a_retry(fake: FakeTable) -> None:
    token = stored_invitation(fake, reusable=True)
    fake.outcomes = [["TransactionConflict", "None"], None]

    accepted = invitations.accept_invitation(token, "Vera")

    assert len(fake.transactions) == 2
    assert accepted.session_id


def test_a_link_that_keeps_conflicting_asks_the_visitor_to_try_again(fake: FakeTable) -> None:
    token = stored_invitation(fake, reusable=True)
    fake.outcomes = [["TransactionConflict", "None"]] * invitations.CONFLICT_ATTEMPTS

    with pytest.raises(TryAgain):
        invitations.accept_invitation(token, "Vera")

    assert len(fake.transactions) == invitations.CONFLICT_ATTEMPTS


@pytest.mark.parametrize("token", ["", "short", "A" * 33, "A" * 31 + "/", "../" * 11])
def test_a_token_of_the_wrong_shape_is_refused_without_a_read(fake: FakeTable, token: str) -> None:
    with pytest.raises(InvitationInvalid):
        invitations.accept_invitation(token, "Vera")

    assert fake.reads == 0


# --- API keys -------------------------------------------------------------------------------


def test_a_new_key_stores_a_sha256_of_its_secret_and_never_the_secret(fake: FakeTable) -> None:
    issued = api_keys.create_key("CRM", ADMIN, now=NOW)

    prefix, key_id, secret = issued.key.split("_", 2)
    assert (prefix, key_id) == ("dsk", issued.id)
    [item] = fake.items.values()
    assert item["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(item)
    assert (item["revoked"], item["created_by"], item["name"]) == (False, ADMIN.user_id, "CRM")


def test_a_key_whose_secret_contains_underscores_is_read_correctly(fake: FakeTable) -> None:
    secret = "_" * 10 + "a" * 33
    fake.put(
        {**api_key_key("0123456789ab"), "secret_sha256": hashlib.sha256(secret.encode()).hexdigest(), "revoked": False}
    )

    assert api_keys.authenticate(f"dsk_0123456789ab_{secret}") == "0123456789ab"


@pytest.mark.parametrize(
    "presented",
    [None, "", "dsk_", "Bearer dsk_0123456789ab_" + "a" * 43, "dsk_0123456789AB_" + "a" * 43, "dsk_0123_" + "a" * 43],
)
def test_a_malformed_key_is_refused_without_a_read(fake: FakeTable, presented: str | None) -> None:
    with pytest.raises(InvalidApiKey) as refused:
        api_keys.authenticate(presented)

    assert refused.value.message == api_keys.NOT_VALID
    assert fake.reads == 0


def test_a_revoked_or_wrong_key_gets_the_same_refusal(fake: FakeTable) -> None:
    good = api_keys.create_key("CRM", ADMIN)
    wrong = good.key[:-1] + ("a" if good.key[-1] != "a" else "b")
    messages = []

    for presented in (wrong, f"dsk_ffffffffffff_{'a' * 43}"):
        with pytest.raises(InvalidApiKey) as refused:
            api_keys.authenticate(presented)
        messages.append(refused.value.message)
    fake.items[(api_key_key(good.id)["pk"], "APIKEY")]["revoked"] = True
    with pytest.raises(InvalidApiKey) as revoked:
        api_keys.authenticate(good.key)

    assert set(messages) == {revoked.value.message}


def test_a_key_revoked_while_its_link_was_being_made_makes_nothing(
    fake: FakeTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(integrations, "find_login", lambda email: {"user_id": "u", "name": "U", "role": "technician"})
    fake.outcomes = [["None", "ConditionalCheckFailed"]]

    with pytest.raises(InvalidApiKey):
        integrations.create_reusable_invitation("0123456789ab", "u@example.com")
