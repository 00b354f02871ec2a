"""Condition expressions in local mode (local.moto_conditions) are lexed once per text, into
moto's own tokens, and conditions still decide as moto decides."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.comparisons import ConditionExpressionParser

from local import moto_conditions
from tests.conftest import LocalAws

EXPRESSIONS = [
    "attribute_not_exists(pk)",
    "#state = :waiting AND (#n < :limit OR attribute_not_exists(#n))",
    "begins_with(sk, :prefix) AND NOT contains(#tags, :tag) AND size(#emails) <= :five",
    "#a.#b[1] IN (:x, :y) OR #c BETWEEN :low AND :high",
    "revision <> :seen",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_the_tokens_kept_are_motos_own(expression: str) -> None:
    moto_made = moto_conditions._MOTO_LEX(ConditionExpressionParser(expression, None, None))
    kept = moto_conditions._cached_lex(ConditionExpressionParser(expression, None, None))

    assert list(kept) == list(moto_made)


def test_each_parse_gets_nodes_of_its_own() -> None:
    first = moto_conditions._cached_lex(ConditionExpressionParser(EXPRESSIONS[1], None, None))
    first[0].children.append("changed by one parse")

    second = moto_conditions._cached_lex(ConditionExpressionParser(EXPRESSIONS[1], None, None))

    assert second[0].children == []


def test_an_expression_moto_cannot_lex_is_refused_as_before() -> None:
    with pytest.raises(ValueError, match="Cannot parse condition"):
        moto_conditions._cached_lex(ConditionExpressionParser("pk = :v ; DROP", None, None))


def test_conditional_writes_decide_as_dynamodb_does(aws: LocalAws) -> None:
    # The fast path is on (local mode's default)
    assert ConditionExpressionParser._lex_condition_expression is moto_conditions._cached_lex
    dynamodb = aws.client("dynamodb")
    item = {"pk": {"S": "CONDITIONS#1"}, "sk": {"S": "A"}, "n": {"N": "1"}}
    table = aws.names.table
    condition = "attribute_not_exists(pk) OR #n < :limit"
    dynamodb.put_item(TableName=table, Item=item)

    for n in (2, 3):  # the stored n is under the limit: each write passes
        dynamodb.put_item(
            TableName=table,
            Item={**item, "n": {"N": str(n)}},
            ConditionExpression=condition,
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":limit": {"N": "3"}},
        )
    with pytest.raises(ClientError) as refused:  # n is 3 now: the same text with the same values fails
        dynamodb.put_item(
            TableName=table,
            Item={**item, "n": {"N": "4"}},
            ConditionExpression=condition,
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":limit": {"N": "3"}},
        )

    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    stored = dynamodb.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})["Item"]
    assert stored["n"] == {"N": "3"}
