"""Query in local mode at the cost of the partition it reads, not of the whole table.

Written against moto 5.2.5 (pinned in pyproject.toml). Its Table.query
(moto/dynamodb/models/table.py) starts from `self.all_items()`: every item of the table, listed
and sorted by table key (a Python-level comparison of DynamoType pairs, n log n of them). A table
query then keeps the items whose hash key is the one asked for and sorts them by range key; an
index query keeps those whose index key attributes match and sorts them by
(index hash, index range, table hash, table range). So each Query costs time in proportion to all
the table holds (about 260 ms at 3,000 items), though moto keeps items by hash key
(`Table.items`: {hash: {range: Item}}, or {hash: Item} without a range key).

Here moto's Table.query still runs, unchanged, on a view of the table (`_Narrowed`) whose
all_items() is narrower; everything else it reads (key schema, indexes, pagination, projection,
filter expression) is the table's own:

- a table query: only the partition of the hash key asked for, sorted by range key, which is what
  moto's own filter and sort leave of the whole table (one dict lookup instead of a sort of
  everything). Items of one partition share its hash key, and no other partition's do: the dict
  keys are DynamoTypes, hashed and compared as moto's filter compares them.
- an index query: every item, unsorted, less those whose value of an index hash key attribute of
  type S differs from the one asked for (a plain string comparison, weaker than moto's own filter,
  which still runs). moto sorts what it keeps by a key that ends with the table's own key, unique
  per item, so the order of what it is given never shows: the full sort is spared.

Results are moto's, item for item, page for page (tests/integration/test_moto_queries.py runs the
same queries both ways and compares; it also fails if moto's Query no longer reads the table
through all_items(), the one thing narrowed here).

Switched per process (the patch is on moto's Table class), by local.moto_app.moto_app with the
other local fast paths: `deskless dev --moto as-is` keeps moto's own Query for comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal, cast

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

Mode = Literal["partition", "moto"]

Answer = tuple[list[Item], int, dict[str, Any] | None]  # items, scanned count, LastEvaluatedKey

_MOTO_QUERY: Callable[..., Answer] = Table.query


class _Narrowed:
    """A table as moto's Table.query reads it, with all_items() narrowed to `items`."""

    def __init__(self, table: Table, items: list[Item]) -> None:
        self._table = table
        self._items = items

    def all_items(self) -> list[Item]:
        return self._items

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def _partition(table: Table, hash_key: DynamoType) -> list[Item]:
    """The items of one partition, in moto's order for it (all_items() sorts by hash, then range)."""
    partition = table.items.get(hash_key)  # .get: `items` is a defaultdict, and a read must not add to it
    if partition is None:
        return []
    if table.range_key_attr is None:
        return [partition] if isinstance(partition, Item) else []
    items = [item for item in partition.values() if isinstance(item, Item)]
    return sorted(items, key=lambda item: cast(DynamoType, item.range_key))


def _index_candidates(table: Table, hash_key_conditions: Iterable[tuple[str, DynamoType]]) -> list[Item]:
    """Every item that can match the index hash key conditions, in no particular order."""
    strings = [(name, value.value) for name, value in hash_key_conditions if value.type == "S"]
    candidates = []
    for partition in table.items.values():
        for item in partition.values() if table.range_key_attr is not None else (partition,):
            if not isinstance(item, Item):
                continue
            attributes = item.attrs
            if all(
                (found := attributes.get(name)) is not None and found.type == "S" and found.value == value
                for name, value in strings
            ):
                candidates.append(item)
    return candidates


def _partition_query(
    table: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> Answer:
    """moto's Table.query, reading only what can match (see the module's docstring)."""
    if index_name:
        items = _index_candidates(table, hash_key_conditions or [])
    elif hash_key is not None:
        items = _partition(table, hash_key)
    else:  # not a request moto's responses make; left to moto
        items = table.all_items()
    return _MOTO_QUERY(
        _Narrowed(table, items),
        hash_key,
        range_comparison,
        range_objs,
        limit,
        exclusive_start_key,
        scan_index_forward,
        projection_expressions,
        index_name,
        consistent_read,
        filter_expression,
        hash_key_conditions=hash_key_conditions,
        range_key_conditions=range_key_conditions,
        **filter_kwargs,
    )


def use(mode: Mode) -> None:
    """Make Query read by `mode` in this process's moto: "partition", or "moto" (its own)."""
    Table.query = _partition_query if mode == "partition" else _MOTO_QUERY  # type: ignore[method-assign,assignment]
