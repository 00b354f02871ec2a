"""Condition expressions in local mode lexed once per text, not once per request.

Written against moto 5.2.5 (pinned in pyproject.toml). Each conditional write, each transaction
item with a condition and each filtered Query makes moto build a ConditionExpressionParser
(moto/dynamodb/comparisons.py) whose first step, `_lex_condition_expression`, cuts the
expression's text into tokens with a list of regular expressions compiled anew for every token.
It costs about a tenth of moto's time under the codes benchmark, and its result depends on the
text alone: Deskless sends a few dozen distinct expressions, with the values and names apart
(`ExpressionAttributeValues`, `ExpressionAttributeNames`), which the later steps put in.

Here the tokens of each text are kept, and each parse gets new nodes made from them (moto's later
steps build nodes of their own, but a node's `children` is a list, so none is shared between two
parses). An expression moto cannot lex raises as before and is not kept.
tests/integration/test_moto_conditions.py checks the tokens are moto's own, node for node.

Switched per process (the patch is on moto's parser class), by local.moto_app.moto_app with the
other local fast paths: `deskless dev --moto as-is` keeps moto's own lexing for comparison.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from moto.dynamodb.comparisons import ConditionExpressionParser

Mode = Literal["cached", "moto"]

_MOTO_LEX: Callable[[ConditionExpressionParser], deque[Any]] = ConditionExpressionParser._lex_condition_expression

Token = tuple[str, str, str, str]  # a lexed node's nonterminal, kind, text and value (its children: none)


@lru_cache(maxsize=1024)
def _tokens(expression: str) -> tuple[Token, ...]:
    lexer = ConditionExpressionParser(expression, None, None)
    nodes = _MOTO_LEX(lexer)
    assert all(not node.children for node in nodes), "moto's lexer made a node with children"
    return tuple((node.nonterminal, node.kind, node.text, node.value) for node in nodes)


def _cached_lex(parser: ConditionExpressionParser) -> deque[Any]:
    node = ConditionExpressionParser.Node
    tokens = _tokens(parser.condition_expression)
    return deque(node(nonterminal=n, kind=k, text=t, value=v, children=[]) for n, k, t, v in tokens)


def use(mode: Mode) -> None:
    """Lex each text once ("cached"), or as moto does ("moto")."""
    ConditionExpressionParser._lex_condition_expression = _cached_lex if mode == "cached" else _MOTO_LEX  # type: ignore[method-assign,assignment]
