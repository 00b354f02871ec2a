"""DynamoDB's item values written into moto's responses directly, not by walking botocore's model.

Written against moto 5.2.5 (pinned in pyproject.toml). It serializes every response by walking
botocore's model of the operation's output (moto/core/serialize.py, ResponseSerializer): for each
attribute value of each item, each of the ten members of the AttributeValue structure (S, N, B,
SS, NS, BS, M, L, NULL, BOOL) is looked up in the value under several candidate names
(AttributePicker: its alias providers, then botocore's xform_name of each). So a Query answering
20 items of a dozen attributes makes thousands of lookups: on this machine 80-90 % of the time
moto spends on a GetItem, a Query or a stream's GetRecords went there.

Here DynamoDB and DynamoDB Streams get a serializer of their own, registered in moto's table of
service-specific serializers (`SERVICE_SPECIFIC_SERIALIZERS`, as moto registers S3's and SQS's).
It is moto's JSONSerializer, except that an AttributeValue holding exactly one of the ten members
(and, within M and L, only such values) is written as moto's walk writes it: strings and numbers
as `str(value)`, binaries through moto's own `_base64`, sets element by element, maps and lists
recursively, NULL and BOOL as they are. Any other value (no member or several, a name the model
lacks, a None) goes to moto's walk, whole. Everything around the items (keys, counts, capacities,
errors, descriptions, timestamps) is still moto's walk.

tests/integration/test_moto_responses.py serializes the same values both ways and compares the
bodies, and compares whole responses of the item-carrying operations, with moto's serializer and
with this one. Switched per process by local.moto_app.moto_app with the other local fast paths
(`deskless dev --moto as-is` keeps moto's own).
"""

from __future__ import annotations

from typing import Any, Literal

from moto.core import serialize

Mode = Literal["direct", "moto"]

SERVICES = ("dynamodb", "dynamodbstreams")
_STRINGS = frozenset({"S", "N"})
_STRING_SETS = frozenset({"SS", "NS"})
_AS_THEY_ARE = frozenset({"NULL", "BOOL"})
_WALK: Any = object()  # this value is left to moto's walk


class DirectAttributeValues(serialize.JSONSerializer):
    """moto's JSON serializer, with AttributeValues written directly (see the module's docstring)."""

    def _serialize(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue":
            direct = self._attribute_value(value)
            if direct is not _WALK:
                serialized[self.get_serialized_name(shape, key)] = direct
                return
        super()._serialize(serialized, value, shape, key)

    def _attribute_value(self, value: Any) -> Any:
        if type(value) is not dict or len(value) != 1:
            return _WALK
        ((kind, content),) = value.items()
        if content is None:
            return _WALK
        if kind in _STRINGS:
            return {kind: _string(content)}
        if kind in _AS_THEY_ARE:
            return {kind: content}
        if kind == "B":
            return {kind: self._base64(content)}
        if kind in _STRING_SETS:
            return {kind: [_string(element) for element in content]}
        if kind == "BS":
            return {kind: [self._base64(element) for element in content]}
        if kind == "M" and type(content) is dict:
            members = {name: self._attribute_value(member) for name, member in content.items()}
            return _WALK if any(member is _WALK for member in members.values()) else {kind: members}
        if kind == "L" and type(content) is list:
            elements = [self._attribute_value(element) for element in content]
            return _WALK if any(element is _WALK for element in elements) else {kind: elements}
        return _WALK


def _string(value: Any) -> Any:
    """What moto's JSON serializer writes for a string-shaped value."""
    return str(value) if value not in (None, {}, []) else value


def use(mode: Mode) -> None:
    """Serialize DynamoDB's and its streams' responses by `mode` in this process's moto:
    "direct", or "moto" (its own walk of the model)."""
    for service in SERVICES:
        if mode == "direct":
            serialize.SERVICE_SPECIFIC_SERIALIZERS[service] = {"json": DirectAttributeValues}
        else:
            serialize.SERVICE_SPECIFIC_SERIALIZERS.pop(service, None)
